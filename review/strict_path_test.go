package review

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestDeskPathNumbersOutOfRange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		c := f.signedIn(t, "admin")
		for _, path := range []string{
			"/review/99999999999999999999/tg",
			"/review/9223372036854775807/tg",
			"/review/99999999999999999999/tg/history",
			"/glossary/terms/" + strings.Repeat("9", 30),
		} {
			if resp := c.get(path); resp.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.status)
			}
		}
		for _, path := range []string{
			"/subscribers/99999999999999999999/rotate",
			"/subscribers/9223372036854775807/rotate",
			"/review/1/tg/deliveries/99999999999999999999/redeliver",
		} {
			if resp := c.post(path, url.Values{"confirm": {"yes"}}); resp.status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, resp.status)
			}
		}
		// A version number in a form, beyond what the schema can hold, names no version either.
		resp := c.post("/review/1/tg/approve", url.Values{"version": {"2147483648"}})
		if resp.status != http.StatusNotFound {
			t.Errorf("approve version 2147483648: %d, want 404", resp.status)
		}
		bob := f.signedIn(t, "translator")
		if resp := bob.post("/review/1/tg", url.Values{"base_version": {"99999999999"}}); resp.status != http.StatusNotFound {
			t.Errorf("save on base version 99999999999: %d, want 404", resp.status)
		}
	})
}
