package review

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccess is the route × role table: for every page and action and every kind of visitor,
// the status, and on pages which controls appear (Weblate's ACL tests check both). Actions are
// posted with a form that is invalid but well-formed, so a permitted request is refused only
// at validation (422) and the table leaves the fixture unchanged.
func TestAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	published, _ := f.publishDraft(t) // subscriber 1 and a delivery to it
	publishedPath := "/review/" + itoa64(published.ID) + "/tg"
	visitors := []string{"", "editor", "translator", "ru-only", "reviewer", "admin"}
	clients := map[string]*client{}
	for _, v := range visitors {
		clients[v] = f.signedIn(t, v)
	}
	const (
		editorPath  = "/review/1/tg"
		toLogin     = http.StatusSeeOther
		forbidden   = http.StatusForbidden
		ok          = http.StatusOK
		invalidForm = http.StatusUnprocessableEntity
	)
	// marks are the controls looked for on a page; want lists those that must appear.
	type check struct {
		method, path string
		form         url.Values
		status       map[string]int // by visitor; missing: ok
		marks        []string
		want         map[string][]string // by visitor
	}
	all := func(signedIn int) map[string]int {
		m := map[string]int{"": toLogin}
		for _, v := range visitors[1:] {
			m[v] = signedIn
		}
		return m
	}
	only := func(allowed int, who ...string) map[string]int {
		m := all(forbidden)
		for _, w := range who {
			m[w] = allowed
		}
		return m
	}
	checks := []check{
		{method: "GET", path: "/", status: all(http.StatusSeeOther)},
		{method: "GET", path: "/review", status: all(ok),
			marks: []string{`href="/submit"`, `href="/glossary"`, `href="/subscribers"`},
			want: map[string][]string{"editor": {`href="/submit"`, `href="/glossary"`}, "translator": {`href="/glossary"`},
				"ru-only": {`href="/glossary"`}, "reviewer": {`href="/glossary"`},
				"admin": {`href="/submit"`, `href="/glossary"`, `href="/subscribers"`}}},
		{method: "GET", path: editorPath, status: all(ok),
			marks: []string{`name="seg_text"`, `id="save"`, `id="approve"`, `id="reject"`, `class="target-text readonly"`},
			want: map[string][]string{
				"editor":     {`class="target-text readonly"`},
				"translator": {`name="seg_text"`, `id="save"`},
				"ru-only":    {`class="target-text readonly"`},
				"reviewer":   {`name="seg_text"`, `id="save"`, `id="approve"`, `id="reject"`},
				"admin":      {`name="seg_text"`, `id="save"`, `id="approve"`, `id="reject"`},
			}},
		{method: "POST", path: editorPath, form: url.Values{"base_version": {"0"}}, status: only(invalidForm, "translator", "reviewer", "admin")},
		{method: "POST", path: "/review/1/ru", form: url.Values{"base_version": {"0"}}, status: only(invalidForm, "ru-only", "reviewer", "admin")},
		{method: "POST", path: editorPath + "/approve", form: url.Values{"version": {"0"}}, status: only(invalidForm, "reviewer", "admin")},
		{method: "POST", path: editorPath + "/reject", form: url.Values{"version": {"0"}}, status: only(invalidForm, "reviewer", "admin")},
		{method: "GET", path: editorPath + "/history", status: all(ok), marks: []string{`href="/articles/1/source"`},
			want: map[string][]string{"editor": {`href="/articles/1/source"`}, "admin": {`href="/articles/1/source"`}}},
		{method: "POST", path: editorPath + "/versions/1/revert", status: only(invalidForm, "translator", "reviewer", "admin")}, // no base
		{method: "GET", path: "/articles/1/source", status: only(ok, "editor", "admin")},
		{method: "POST", path: "/articles/1/source", status: only(invalidForm, "editor", "admin")}, // no base revision
		// Comments and assignment; invalid forms (no text, no user, no such translation).
		{method: "POST", path: editorPath + "/comments", form: url.Values{"segment": {"p1.s1"}}, status: only(invalidForm, "editor", "translator", "reviewer", "admin")},
		{method: "POST", path: "/review/999/tg/claim", status: only(http.StatusNotFound, "translator", "reviewer", "admin")},
		{method: "POST", path: editorPath + "/assign", status: only(invalidForm, "editor", "admin")},
		{method: "POST", path: "/review/999/tg/release", status: all(http.StatusNotFound)},
		{method: "GET", path: publishedPath, status: all(ok), marks: []string{`id="deliveries"`, `class="redeliver"`, `id="embargo-form"`},
			want: map[string][]string{"editor": {`id="deliveries"`, `id="embargo-form"`}, "translator": {`id="deliveries"`}, "ru-only": {`id="deliveries"`},
				"reviewer": {`id="deliveries"`}, "admin": {`id="deliveries"`, `class="redeliver"`, `id="embargo-form"`}}},
		{method: "POST", path: publishedPath + "/embargo", form: url.Values{"embargo_until": {"soon"}}, status: only(invalidForm, "editor", "admin")},
		{method: "POST", path: publishedPath + "/deliveries/999/redeliver", status: only(http.StatusNotFound, "admin")},
		{method: "GET", path: "/glossary", status: all(ok), marks: []string{`id="glossary-admin"`, `id="import-terms"`},
			want: map[string][]string{"admin": {`id="glossary-admin"`, `id="import-terms"`}}},
		{method: "POST", path: "/glossary", status: only(invalidForm, "admin")},
		{method: "GET", path: "/glossary/terms/dushanbe", status: all(ok), marks: []string{`id="edit-term"`},
			want: map[string][]string{"admin": {`id="edit-term"`}}},
		{method: "POST", path: "/glossary/terms/dushanbe", status: only(invalidForm, "admin")},
		{method: "POST", path: "/glossary/import", status: only(invalidForm, "admin")},
		{method: "GET", path: "/submit", status: only(ok, "editor", "admin")},
		{method: "POST", path: "/submit", status: only(invalidForm, "editor", "admin")},
		{method: "GET", path: "/subscribers", status: only(ok, "admin"),
			marks: []string{`id="add-subscriber"`, `action="/subscribers/1/rotate"`, `action="/subscribers/1/delete"`},
			want:  map[string][]string{"admin": {`id="add-subscriber"`, `action="/subscribers/1/rotate"`, `action="/subscribers/1/delete"`}}},
		{method: "POST", path: "/subscribers", status: only(invalidForm, "admin")},
		{method: "POST", path: "/subscribers/999/rotate", status: only(http.StatusNotFound, "admin")},
		{method: "POST", path: "/subscribers/1/delete", status: only(invalidForm, "admin")}, // not confirmed
		{method: "GET", path: "/static/review.css", status: map[string]int{"": ok}},
		{method: "GET", path: "/review/999/tg", status: all(http.StatusNotFound)},
		{method: "GET", path: "/review/1/xx", status: all(http.StatusNotFound)},
		// Accounts: admins manage everyone's; anyone her own password, sessions and tokens.
		{method: "GET", path: "/accounts", status: only(ok, "admin"), marks: []string{`id="create-token"`, `id="tokens"`},
			want: map[string][]string{"admin": {`id="create-token"`, `id="tokens"`}}},
		{method: "POST", path: "/accounts/users/999/disable", status: only(http.StatusNotFound, "admin")},
		{method: "POST", path: "/accounts/users/999/enable", status: only(http.StatusNotFound, "admin")},
		{method: "POST", path: "/accounts/users/999/password", status: only(invalidForm, "admin")}, // no password
		{method: "POST", path: "/accounts/users/999/signout", status: only(invalidForm, "admin")},  // no such user
		{method: "POST", path: "/accounts/tokens", status: only(invalidForm, "admin")},             // no name
		{method: "POST", path: "/accounts/tokens/999/revoke", status: only(http.StatusNotFound, "admin")},
		{method: "GET", path: "/account", status: all(ok), marks: []string{`id="change-password"`, `id="sign-out-everywhere"`, `href="/accounts"`},
			want: map[string][]string{
				"editor": {`id="change-password"`, `id="sign-out-everywhere"`}, "translator": {`id="change-password"`, `id="sign-out-everywhere"`},
				"ru-only": {`id="change-password"`, `id="sign-out-everywhere"`}, "reviewer": {`id="change-password"`, `id="sign-out-everywhere"`},
				"admin": {`id="change-password"`, `id="sign-out-everywhere"`, `href="/accounts"`}}},
		{method: "POST", path: "/account/password", status: all(invalidForm)}, // no current password
		{method: "POST", path: "/account/tokens/999/revoke", status: all(http.StatusNotFound)},
		// Last: signing out everywhere ends the visitor's session, which the rows above use.
		{method: "POST", path: "/account/signout", status: all(http.StatusSeeOther)},
	}
	for _, c := range checks {
		for _, v := range visitors {
			name := v
			if name == "" {
				name = "anonymous"
			}
			t.Run(c.method+" "+c.path+" as "+name, func(t *testing.T) {
				cl := clients[v]
				var resp response
				if c.method == "GET" {
					resp = cl.get(c.path)
				} else {
					form := url.Values{}
					for k, vs := range c.form {
						form[k] = vs
					}
					resp = cl.post(c.path, form)
				}
				want, ok := c.status[v]
				if !ok {
					want = http.StatusOK
				}
				if resp.status != want {
					t.Fatalf("status %d, want %d\n%s", resp.status, want, resp.body)
				}
				if want == toLogin && v == "" && c.path != "/" && !strings.HasPrefix(c.path, "/static") {
					if wantLoc := "/login?next=" + url.QueryEscape(c.path); resp.location != wantLoc {
						t.Errorf("redirect to %q, want %q", resp.location, wantLoc)
					}
				}
				if resp.status != http.StatusOK {
					return
				}
				for _, mark := range c.marks {
					shown := strings.Contains(resp.body, mark)
					wanted := contains(c.want[v], mark)
					if shown != wanted {
						t.Errorf("control %s shown: %v, want %v", mark, shown, wanted)
					}
				}
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
