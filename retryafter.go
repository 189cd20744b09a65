package tarjuma

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryAfter reads an HTTP Retry-After value, in seconds or as an HTTP date, as of now; zero
// when absent, invalid or past. MT engines and webhook receivers both send it, and both are
// waited for as long as they ask.
func RetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if secs, err := strconv.Atoi(value); err == nil {
		return max(time.Duration(secs)*time.Second, 0)
	}
	if t, err := http.ParseTime(value); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
