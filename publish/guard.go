package publish

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// ErrPrivateAddress is a receiver address inside the desk's own network or the host itself.
var ErrPrivateAddress = errors.New("publish: receiver address is private, loopback, link-local, unspecified or multicast")

// sharedAddressSpace (RFC 6598, carrier-grade NAT) is private in all but name; netip does not
// count it as private.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// CheckAddr refuses an address a webhook must never reach, so that whoever registers a
// subscriber cannot make the server call into the desk's network (SSRF).
func CheckAddr(ip netip.Addr) error {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if !ip.IsValid() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || sharedAddressSpace.Contains(ip) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ip)
	}
	return nil
}

// guardedControl is a net.Dialer Control function: it sees the address actually dialled, after
// DNS resolution, so a name that resolves to a private address (or starts to, as in DNS
// rebinding) is refused too.
func guardedControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("publish: dial %s: %w", address, err)
	}
	return CheckAddr(ap.Addr())
}

// MaxURLBytes bounds a receiver URL: it is stored, listed, logged with every delivery and
// sent in a request line, and 2 KiB is what browsers and most servers reliably take.
const MaxURLBytes = 2 << 10

// CheckURL validates a receiver URL when a subscriber is registered: at most MaxURLBytes, absolute http or https,
// a host, no credentials or fragment; and, unless allowPrivate, no host that is a private
// address or localhost. Names are resolved only at send time, where the dialer checks them.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	switch {
	case len(raw) > MaxURLBytes:
		return fmt.Errorf("the URL is longer than %d bytes", MaxURLBytes)
	case err != nil:
		return fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("the scheme must be https or http")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("credentials do not belong in the URL")
	case u.Fragment != "":
		return errors.New("the URL has a fragment")
	case allowPrivate:
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return CheckAddr(ip)
	}
	if strings.Trim(host, "0123456789.") == "" {
		// Digits and dots that netip refuses ("127.1", "2130706433") are IPv4 in other spellings.
		return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
	}
	return nil
}
