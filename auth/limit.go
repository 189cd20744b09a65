package auth

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Login throttling: at most emailFailures failed logins per email and ipFailures per client
// address in loginWindow. The address limit is higher because a newsroom's translators often
// share one NAT address, and one person mistyping must not lock out the desk.
const (
	loginWindow   = 15 * time.Minute
	emailFailures = 5
	ipFailures    = 30
	// maxLimiterKeys bounds the limiter's memory under a spray of emails or addresses.
	maxLimiterKeys = 100_000
)

// limiter counts recent failures per key in memory. Each serving process has its own, so with
// several replicas an attacker gets a few more tries; the database stays out of the hot path
// of a password-guessing attack.
type limiter struct {
	mu       sync.Mutex
	failures map[string][]time.Time
}

func newLimiter() *limiter { return &limiter{failures: make(map[string][]time.Time)} }

// recent drops failures older than the window and returns what is left; mu is held.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	times := l.failures[key]
	i := 0
	for i < len(times) && now.Sub(times[i]) >= loginWindow {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = times
	}
	return times
}

// allowed reports whether key has fewer than max failures in the window.
func (l *limiter) allowed(key string, max int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) < max
}

// fail records a failure for each key.
func (l *limiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= maxLimiterKeys {
		for k := range l.failures {
			l.recent(k, now)
		}
		if len(l.failures) >= maxLimiterKeys {
			// Still full of live entries: forget them rather than grow without bound. An
			// attacker able to fill this many keys is spread too wide for per-key limits anyway.
			clear(l.failures)
		}
	}
	for _, k := range keys {
		l.failures[k] = append(l.recent(k, now), now)
	}
}

// reset forgets key's failures, after a successful login for that email.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// clientKey is the limiter key of the request's peer address; an IPv6 client is keyed by its
// /64, since one host is usually handed a whole /64 to pick addresses from.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return "ip:" + host
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + addr.String()
}
