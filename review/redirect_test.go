package review

import (
	"net/http"
	"net/url"
	"testing"
)

// redirectTargets are next= values and where the desk must send the visitor for each: a clean
// absolute path on this site is kept as sent, query included; anything a browser could follow
// off the site, or that is not a clean path, goes to /review.
var redirectTargets = []struct {
	name, next, want string
}{
	{"encoded tab before a second slash", "/%09/evil.example", "/review"},
	{"dot segment then encoded backslash", "/./%5Cevil.example", "/review"},
	{"scheme-relative", "//evil.example", "/review"},
	{"backslash", `/\evil.example`, "/review"},
	{"encoded slashes", "/%2F%2Fevil.example", "/review"},
	{"absolute URL", "https://evil.example", "/review"},
	{"javascript URL", "javascript:alert(1)", "/review"},
	{"encoded CR LF", "/%0d%0aSet-Cookie:x", "/review"},
	{"leading space", " /review", "/review"},
	{"dot dot up to an empty segment", "/review/../..//evil.example", "/review"},
	{"empty", "", "/review"},
	{"encoded backslash in the query", "/review?x=%5C", "/review"},
	{"encoded C1 control", "/%C2%85/evil.example", "/review"},
	{"raw tab", "/\t/evil.example", "/review"},
	{"encoded dot segment", "/review/%2E%2E/%2E%2E//evil.example", "/review"},
	{"malformed escape", "/review%zz", "/review"},
	{"login page", "/login?next=/review", "/review"},

	{"queue", "/review", "/review"},
	{"editor", "/review/12/ru", "/review/12/ru"},
	{"query kept", "/glossary?q=x", "/glossary?q=x"},
	{"trailing slash", "/review/12/ru/", "/review/12/ru/"},
	{"encoded letters", "/glossary?q=%D0%94%D1%83%D1%88%D0%B0%D0%BD%D0%B1%D0%B5", "/glossary?q=%D0%94%D1%83%D1%88%D0%B0%D0%BD%D0%B1%D0%B5"},
}

func TestLocalPath(t *testing.T) {
	for _, tt := range redirectTargets {
		if got := localPath(tt.next); got != tt.want {
			t.Errorf("%s: localPath(%q) = %q, want %q", tt.name, tt.next, got, tt.want)
		}
	}
}

// TestRedirectTargets drives every door that redirects to a next= the visitor sent: the login
// form, the login page when already signed in, and the language switcher.
func TestRedirectTargets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	signedIn := f.signedIn(t, "translator")
	anon := f.client(t)
	anon.get("/login") // the CSRF token for the switcher
	for _, tt := range redirectTargets {
		c := f.client(t)
		c.get("/login")
		resp := c.post("/login", url.Values{"email": {people["translator"].Email}, "password": {password}, "next": {tt.next}})
		if resp.status != http.StatusSeeOther || resp.location != tt.want {
			t.Errorf("%s: POST /login next=%q: %d to %q, want 303 to %q", tt.name, tt.next, resp.status, resp.location, tt.want)
		}
		resp = signedIn.get("/login?next=" + url.QueryEscape(tt.next))
		if resp.status != http.StatusSeeOther || resp.location != tt.want {
			t.Errorf("%s: GET /login signed in, next=%q: %d to %q, want 303 to %q", tt.name, tt.next, resp.status, resp.location, tt.want)
		}
		for who, c := range map[string]*client{"anonymous": anon, "signed in": signedIn} {
			resp := c.post("/lang", url.Values{"lang": {"en"}, "next": {tt.next}})
			if resp.status != http.StatusSeeOther || resp.location != tt.want {
				t.Errorf("%s: POST /lang %s, next=%q: %d to %q, want 303 to %q", tt.name, who, tt.next, resp.status, resp.location, tt.want)
			}
		}
	}
}
