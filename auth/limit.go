package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Login throttling. Every attempt is reserved in Redis before the password is hashed, against
// three fixed-window counters; an attempt over any of them is refused (429 with Retry-After)
// without being counted, so hammering a closed door does not keep it closed longer.
//
//   - (email, address): the guesser's own door. Five attempts per 15 minutes, cleared by a
//     successful login from that address.
//   - address: one address spraying many emails. Fifty attempts per 5 minutes: a newsroom NAT
//     where people mistype is never stopped by 30 failures, and once the address is full its
//     honest users wait at most the rest of a 5-minute window, not a 15-minute lockout. That
//     bounds one address to 600 guesses an hour.
//   - email, from anywhere: a distributed guess at one account. Thirty attempts per minute, so
//     six addresses' worth of (email, address) budget per minute at most; the owner signing in
//     from a new address waits at most a minute, however many addresses the attacker has.
//
// Successful logins give their reservation back to the address and email counters, so a busy
// newsroom signing in at nine does not use up its address's budget.
//
// The windows are numbered from the Auth's clock and named in the key; Redis's TTL only
// removes a key once its window is over, which bounds memory and leaves no way to reset a
// counter short of waiting.
var (
	pairLimit  = limit{name: "pair", max: 5, window: 15 * time.Minute}
	addrLimit  = limit{name: "addr", max: 50, window: 5 * time.Minute}
	emailLimit = limit{name: "email", max: 30, window: time.Minute}
)

// limit is one counter's policy.
type limit struct {
	name   string
	max    int
	window time.Duration
}

// keyPrefix starts every limiter key, so an operator can see and count them.
const keyPrefix = "tarjuma:login:"

// ErrUnavailable is LogIn's answer when the limiter's Redis does not answer: the attempt is
// refused rather than let through unthrottled.
var ErrUnavailable = errors.New("auth: login throttling unavailable; try again later")

// RateLimitError is the ErrRateLimited LogIn returns, with how long to wait.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%v (retry after %v)", ErrRateLimited, e.RetryAfter)
}

func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// RetryAfter is how long a rate-limited login should wait, rounded up to whole seconds (the
// Retry-After header's unit) and at least one; zero for any other error.
func RetryAfter(err error) time.Duration {
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		return 0
	}
	return max(time.Second, (rl.RetryAfter+time.Second-1)/time.Second*time.Second)
}

// reserveScript checks every counter first and only then counts the attempt on all of them,
// so the reservation is all or nothing and a refused attempt leaves no trace. ARGV holds
// max and TTL (ms) per key. It returns the 1-based indexes of the counters that are full.
var reserveScript = redis.NewScript(`
local full = {}
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2*i-1]) then
    full[#full+1] = i
  end
end
if #full > 0 then return full end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then
    redis.call('PEXPIRE', key, ARGV[2*i])
  end
end
return full
`)

// releaseScript deletes KEYS[1] and gives one attempt back to each other key that still holds
// one; a key that has expired meanwhile is not brought back.
var releaseScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then
    redis.call('DECR', KEYS[i])
  end
end
return 0
`)

// limiter throttles logins with counters in the Redis every replica shares; it holds no state
// of its own.
type limiter struct {
	rdb redis.UniversalClient
}

// reservation is an attempt counted against its keys, in the order pair, address, email.
type reservation struct {
	keys []string
}

// reserve counts one attempt of email from addrKey as of now, or says how long to wait.
func (l *limiter) reserve(ctx context.Context, email, addrKey string, now time.Time) (reservation, error) {
	if l.rdb == nil {
		return reservation{}, fmt.Errorf("%w: no Redis configured", ErrUnavailable)
	}
	// The email is hashed: it is whatever the form held, of any length.
	sum := sha256.Sum256([]byte(email))
	emailKey := hex.EncodeToString(sum[:16])
	limits := []limit{pairLimit, addrLimit, emailLimit}
	ids := []string{emailKey + ":" + addrKey, addrKey, emailKey}
	keys := make([]string, len(limits))
	args := make([]any, 0, 2*len(limits))
	ends := make([]time.Time, len(limits))
	for i, lim := range limits {
		start := now.Truncate(lim.window)
		ends[i] = start.Add(lim.window)
		keys[i] = keyPrefix + lim.name + ":" + strconv.FormatInt(start.Unix(), 10) + ":" + ids[i]
		// A second of slack, so the key outlives its window even if Redis's clock lags ours.
		args = append(args, lim.max, (ends[i].Sub(now) + time.Second).Milliseconds())
	}
	full, err := reserveScript.Run(ctx, l.rdb, keys, args...).Int64Slice()
	if err != nil {
		return reservation{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if len(full) > 0 {
		var wait time.Duration
		for _, i := range full {
			wait = max(wait, ends[i-1].Sub(now))
		}
		return reservation{}, &RateLimitError{RetryAfter: wait}
	}
	return reservation{keys: keys}, nil
}

// release clears the (email, address) counter after a successful login and gives the attempt
// back to the address and email counters. A failure only leaves the attempt counted.
func (l *limiter) release(ctx context.Context, r reservation) error {
	if err := releaseScript.Run(ctx, l.rdb, r.keys).Err(); err != nil {
		return fmt.Errorf("auth: release login attempt: %w", err)
	}
	return nil
}

// clientKey is the limiter key of the request's client address (see clientAddr); an IPv6
// client is keyed by its /64, since one host is usually handed a whole /64 to pick from.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	addr, ok := clientAddr(r, trusted)
	if !ok {
		// Not an address (a test's or a custom listener's RemoteAddr): keyed as it is, bounded.
		return "ip:" + truncate(r.RemoteAddr, 64)
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}

// clientAddr is the connecting address, or, when that is one of the trusted proxies, the
// right-most X-Forwarded-For address that is not itself a trusted proxy: everything to its
// left was written by the client and can say anything. A malformed entry stops the walk at the
// hop that passed it on.
func clientAddr(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	addr := peer.Unmap().WithZone("")
	if !isTrusted(addr, trusted) {
		return addr, true
	}
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return addr, true
			}
			addr = hop.Unmap().WithZone("")
			if !isTrusted(addr, trusted) {
				return addr, true
			}
		}
	}
	return addr, true
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
