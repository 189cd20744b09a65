package review

import (
	"net/http"
	"os"
	"regexp"
	"testing"
)

var stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="(/static/review\.[0-9a-f]{12}\.css)">`)

// TestDeskStaticCaching checks that pages link the stylesheet by a content-hashed name served
// as immutable for a year, that the plain name still answers with a short max-age, and that
// the ETag answers a revalidation with 304.
func TestDeskStaticCaching(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.client(t)
	m := stylesheetLink.FindStringSubmatch(c.get("/login").body)
	if m == nil {
		t.Fatal("the login page links no content-hashed stylesheet")
	}
	want, err := os.ReadFile("static/review.css")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, cache string }{
		{m[1], "public, max-age=31536000, immutable"},
		{"/static/review.css", "public, max-age=300"},
	} {
		resp := c.get(tc.path)
		if resp.status != http.StatusOK || resp.body != string(want) {
			t.Errorf("GET %s: %d, %d bytes; want 200 and review.css (%d bytes)", tc.path, resp.status, len(resp.body), len(want))
		}
		if got := resp.header.Get("Cache-Control"); got != tc.cache {
			t.Errorf("GET %s: Cache-Control %q, want %q", tc.path, got, tc.cache)
		}
		if ct := resp.header.Get("Content-Type"); ct != "text/css; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tc.path, ct)
		}
		req, err := http.NewRequest(http.MethodGet, f.srv.URL+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("If-None-Match", resp.header.Get("ETag"))
		if again := c.do(req); again.status != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q: %d, want 304", tc.path, resp.header.Get("ETag"), again.status)
		}
	}
	// A hash no build produced is not the stylesheet under another name.
	if resp := c.get("/static/review.000000000000.css"); resp.status != http.StatusNotFound {
		t.Errorf("a stale hashed name: %d, want 404", resp.status)
	}
}
