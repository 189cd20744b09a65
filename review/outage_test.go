package review

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/locale"
)

// TestDatabaseOutage cuts PostgreSQL off under the desk: a signed-in page (whose session cannot
// be loaded), a signed-in form post and the login form all answer 503 with Retry-After and the
// error page saying, in the visitor's language, that the service is temporarily unavailable.
func TestDatabaseOutage(t *testing.T) {
	testenv.EachInterruptible(t, func(t *testing.T, pgURL string, cut func()) {
		f := newFixture(t, pgURL)
		translator := f.signedIn(t, "translator")
		anonymous := f.client(t)
		anonymous.get("/login")
		cut()
		for _, c := range []struct {
			name, lang, want string
			do               func() response
		}{
			{"queue", "ru", "Сервис временно недоступен", func() response { return translator.get("/review") }},
			{"editor", "en", "temporarily unavailable", func() response { return translator.get("/review/" + itoa64(f.article.ID) + "/tg") }},
			{"save", "tg", "Хидмат муваққатан дастнорас аст", func() response {
				return translator.post("/review/"+itoa64(f.article.ID)+"/tg", url.Values{"base": {"1"}})
			}},
			{"login", "ar", "الخدمة غير متاحة مؤقتًا", func() response {
				return anonymous.post("/login", url.Values{"email": {people["editor"].Email}, "password": {password}})
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				translator.lang, anonymous.lang = c.lang, c.lang
				resp := c.do()
				if resp.status != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503\n%s", resp.status, resp.body)
				}
				if got := resp.header.Get("Retry-After"); got != "5" {
					t.Errorf("Retry-After %q, want 5", got)
				}
				if !strings.Contains(resp.body, c.want) {
					t.Errorf("page does not say %q:\n%s", c.want, resp.body)
				}
			})
		}
	})
}

// TestFailStatus: an error nobody recognises stays a 500 without Retry-After.
func TestFailStatus(t *testing.T) {
	lb, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Auth: auth.New(auth.Config{}), Locale: lb})
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/review", nil)
	s.fail(rec, r, s.newRequest(r), errors.New("disk on fire"))
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Retry-After") != "" {
		t.Errorf("status %d, Retry-After %q; want 500 and none", rec.Code, rec.Header().Get("Retry-After"))
	}
}
