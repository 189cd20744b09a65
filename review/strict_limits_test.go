package review

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma/store"
)

func TestDeskUnmatchedPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	for _, c := range []*client{f.client(t), f.signedIn(t, "editor")} {
		resp := c.get("/no/such/page")
		if resp.status != http.StatusNotFound || !strings.Contains(resp.body, "There is no such page") {
			t.Errorf("GET /no/such/page: %d\n%s", resp.status, resp.body)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if resp.header.Get(h) == "" {
				t.Errorf("unmatched path: no %s header", h)
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
	if resp.status != http.StatusRequestEntityTooLarge || !strings.Contains(resp.body, "file too large") || strings.Contains(resp.body, "CSRF") {
		t.Errorf("oversized upload: %d %q, want 413 file too large", resp.status, firstLine(resp.body))
	}
	if _, after, err := f.db.GlossaryTerms(t.Context(), store.GlossaryFilter{}); err != nil || after != before {
		t.Errorf("glossary version %d after a refused upload, want %d (%v)", after, before, err)
	}
	// A wrong token on a small upload is still a CSRF failure.
	c.csrf = "wrong"
	if resp := upload(t, c, "id,kind,ar,tg,ru,en,note\n", "merge"); resp.status != http.StatusForbidden {
		t.Errorf("upload with a wrong token: %d, want 403", resp.status)
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
