package publish

import (
	"net/url"

	"github.com/tarjuma/tarjuma"
)

// ReceiverURLFor is what a user with role may see of a receiver's URL. Its path and query often
// hold the receiver's key, so only admins, who register receivers and hold their secrets anyway,
// see it whole; every other role sees where deliveries go and no more (see RedactURL). The API
// and the pages both ask here, so the two doors cannot disagree.
func ReceiverURLFor(role tarjuma.Role, raw string) string {
	if role == tarjuma.RoleAdmin {
		return raw
	}
	return RedactURL(raw)
}

// RedactURL keeps a URL's scheme and host (with its port) and replaces anything after them with
// "/…": "https://hooks.example.org/in?key=s3cret" becomes "https://hooks.example.org/…". What
// cannot be parsed as an absolute URL becomes "…", never itself.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "…"
	}
	out := u.Scheme + "://" + u.Host
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		out += "/…"
	}
	return out
}
