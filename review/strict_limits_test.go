package review

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// TestDeskUnmatchedPath holds every answer no route gives, an unknown path, a wrong method, a
// missing static file, and the middleware's CSRF refusal, to the desk's page: HTML in the
// visitor's language and direction, with the security headers every page has.
func TestDeskUnmatchedPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	messages, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", "editor"} {
		c := f.signedIn(t, who)
		for _, lang := range []string{"en", "ar", "tg", "ru"} {
			c.lang = lang
			text := messages.Messages(lang)
			// An unsafe method meets the CSRF check before the routes: a signed-in visitor
			// without the form's token is refused (403), a visitor without a session is not.
			unsafe := struct {
				status  int
				message string
			}{http.StatusMethodNotAllowed, "error.method_not_allowed"}
			if who != "" {
				unsafe.status, unsafe.message = http.StatusForbidden, "error.csrf"
			}
			for _, tc := range []struct {
				method, path string
				status       int
				message      string
			}{
				{"DELETE", "/review", unsafe.status, unsafe.message},
				{"GET", "/no/such/page", http.StatusNotFound, "error.not_found"},
				{"GET", "/review/1/tg/nothing", http.StatusNotFound, "error.not_found"},
				{"GET", "/static/missing.css", http.StatusNotFound, "error.not_found"},
				{"GET", "/static/", http.StatusNotFound, "error.not_found"},
				// OPTIONS, a safe method: an unsafe one from a signed-in user meets the CSRF
				// check first.
				{"OPTIONS", "/review", http.StatusMethodNotAllowed, "error.method_not_allowed"},
				{"OPTIONS", "/login", http.StatusMethodNotAllowed, "error.method_not_allowed"},
			} {
				req, err := http.NewRequest(tc.method, f.srv.URL+tc.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				resp := c.do(req)
				name := fmt.Sprintf("%s %s %s (%q signed in)", lang, tc.method, tc.path, who)
				want := template.HTMLEscapeString(text[tc.message].Text)
				if resp.status != tc.status || !strings.Contains(resp.body, want) ||
					!strings.Contains(resp.body, fmt.Sprintf(`<html lang="%s" dir="%s">`, lang, locale.Dir(lang))) {
					t.Errorf("%s: %d, want %d and the page in %s with %q\n%s", name, resp.status, tc.status, lang, want, resp.body)
				}
				if ct := resp.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("%s: Content-Type %q", name, ct)
				}
				for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
					if resp.header.Get(h) == "" {
						t.Errorf("%s: no %s header", name, h)
					}
				}
				if tc.status == http.StatusMethodNotAllowed && !strings.Contains(resp.header.Get("Allow"), "GET") {
					t.Errorf("%s: Allow %q, want the methods the path takes", name, resp.header.Get("Allow"))
				}
			}
		}
	}
}

func TestDeskUploadTooLarge(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.signedIn(t, "admin")
	_, before, err := f.db.GlossaryTerms(t.Context(), store.GlossaryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	big := "id,kind,ar,tg,ru,en,note\n" + strings.Repeat("x", 11<<20)
	resp := upload(t, c, big, "merge")
	// The desk's page, not the middleware's plain text, and not the CSRF refusal.
	if resp.status != http.StatusRequestEntityTooLarge || !strings.Contains(resp.body, "The form or file is too large to send.") ||
		!strings.Contains(resp.body, "<main>") || strings.Contains(resp.body, "out of date") {
		t.Errorf("oversized upload: %d %q, want 413 and the page saying it is too large", resp.status, firstLine(resp.body))
	}
	if _, after, err := f.db.GlossaryTerms(t.Context(), store.GlossaryFilter{}); err != nil || after != before {
		t.Errorf("glossary version %d after a refused upload, want %d (%v)", after, before, err)
	}
	// A wrong token on a small upload is still a CSRF failure.
	c.csrf = "wrong"
	if resp := upload(t, c, "id,kind,ar,tg,ru,en,note\n", "merge"); resp.status != http.StatusForbidden || !strings.Contains(resp.body, "it is out of date") {
		t.Errorf("upload with a wrong token: %d, want 403 and the page saying why", resp.status)
	}
}

func firstLine(s string) string { line, _, _ := strings.Cut(s, "\n"); return line }

func TestDeskSubscriberURLLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.signedIn(t, "admin")
	long := "https://site.example/" + strings.Repeat("a", 3<<10)
	resp := c.post("/subscribers", url.Values{"url": {long}, "lang": {"tg"}})
	if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "At most 2,048 bytes") {
		t.Errorf("3 KiB URL: %d", resp.status)
	}
	if subs, err := f.db.Subscribers(t.Context()); err != nil || len(subs) != 0 {
		t.Errorf("%d subscribers stored (%v), want 0", len(subs), err)
	}
}
