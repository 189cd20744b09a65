package review

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/publish"
)

// shownTokenField finds the token a page shows once.
var shownTokenField = regexp.MustCompile(`id="secret-value"[^>]*value="(tj_[A-Za-z0-9_-]+)"`)

// logIn posts the login form for who with pw and returns the status: 303 signed in, 401 refused.
func (f *fixture) logIn(t *testing.T, who, pw string) (*client, int) {
	t.Helper()
	c := f.client(t)
	c.get("/login")
	resp := c.post("/login", url.Values{"email": {people[who].Email}, "password": {pw}, "next": {"/review"}})
	return c, resp.status
}

// signedOut reports whether c's session has ended: the desk sends it to the login page.
func signedOut(t *testing.T, c *client) bool {
	t.Helper()
	resp := c.get("/review")
	return resp.status == http.StatusSeeOther && strings.HasPrefix(resp.location, "/login")
}

func userPath(f *fixture, who, action string) string {
	return "/accounts/users/" + itoa64(f.users[who].ID) + "/" + action
}

func TestDisableUserPage(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tg := f.signedIn(t, "translator")
		token, _, err := f.db.CreateUserToken(ctx, "plugin", f.users["translator"])
		if err != nil {
			t.Fatal(err)
		}
		admin := f.signedIn(t, "admin")
		if resp := admin.post(userPath(f, "translator", "disable"), nil); resp.status != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", resp.status, resp.body)
		}
		page := admin.get("/accounts?done=disabled")
		if !strings.Contains(page.body, "User disabled") || !strings.Contains(page.body, `action="`+userPath(f, "translator", "enable")+`"`) {
			t.Errorf("the accounts page does not show the disabling\n%s", page.body)
		}
		// At once: her desk session and her token are dead, and she cannot sign in.
		if !signedOut(t, tg) {
			t.Error("a disabled user's desk session still works")
		}
		if _, err := f.db.LookupCaller(ctx, token); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("a disabled user's token: %v, want refused", err)
		}
		if _, status := f.logIn(t, "translator", password); status != http.StatusUnauthorized {
			t.Errorf("a disabled user's login: %d, want 401", status)
		}
		if signedOut(t, admin) {
			t.Fatal("disabling another user signed the admin out")
		}
		if resp := admin.post(userPath(f, "translator", "enable"), nil); resp.status != http.StatusSeeOther {
			t.Fatalf("enable: %d\n%s", resp.status, resp.body)
		}
		if c, status := f.logIn(t, "translator", password); status != http.StatusSeeOther || signedOut(t, c) {
			t.Errorf("an enabled user's login: %d, want signed in", status)
		}

		// Her own disabling, as the last admin: refused with the reason, nothing ended.
		resp := admin.post(userPath(f, "admin", "disable"), nil)
		if resp.status != http.StatusConflict || !strings.Contains(resp.body, "last enabled administrator") {
			t.Errorf("disabling the last admin: %d, want 409 with the reason\n%s", resp.status, resp.body)
		}
		if signedOut(t, admin) {
			t.Error("the refused disabling signed the admin out")
		}
	})
}

func TestSignOutEverywherePage(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		here, there := f.signedIn(t, "translator"), f.signedIn(t, "translator")
		editor := f.signedIn(t, "editor")
		// A forged form (no session's CSRF token) ends nothing.
		if resp := here.post("/account/signout", url.Values{"csrf_token": {"forged"}}); resp.status != http.StatusForbidden || signedOut(t, here) {
			t.Fatalf("sign-out without the CSRF token: %d, want 403 and the session kept", resp.status)
		}
		resp := here.post("/account/signout", nil)
		if resp.status != http.StatusSeeOther || resp.location != "/login" {
			t.Fatalf("sign out everywhere: %d to %q, want 303 to /login", resp.status, resp.location)
		}
		if !signedOut(t, here) || !signedOut(t, there) {
			t.Errorf("after signing out everywhere: this session out %v, the other out %v; want both", signedOut(t, here), signedOut(t, there))
		}
		if signedOut(t, editor) {
			t.Error("another user was signed out")
		}

		// An admin signs a user out everywhere from the accounts page.
		again := f.signedIn(t, "translator")
		if resp := f.signedIn(t, "admin").post(userPath(f, "translator", "signout"), nil); resp.status != http.StatusSeeOther {
			t.Fatalf("admin signs a user out: %d\n%s", resp.status, resp.body)
		}
		if !signedOut(t, again) {
			t.Error("the user's session outlived the admin's sign-out")
		}
	})
}

func TestPasswordPages(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		const changed, reset = "рамзи-нав-барои-санҷиш", "пароль-от-администратора"
		here, there := f.signedIn(t, "translator"), f.signedIn(t, "translator")
		resp := here.post("/account/password", url.Values{"current_password": {password}, "password": {changed}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("change password: %d\n%s", resp.status, resp.body)
		}
		if page := here.get("/account?done=changed"); page.status != http.StatusOK || !strings.Contains(page.body, "Password changed") {
			t.Errorf("the session that changed the password: %d, want it signed in with the notice", page.status)
		}
		if !signedOut(t, there) {
			t.Error("the user's other session outlived the password change")
		}
		if _, status := f.logIn(t, "translator", password); status != http.StatusUnauthorized {
			t.Errorf("login with the old password: %d, want 401", status)
		}

		// Wrong current passwords are refused, and counted with the logins: the failed login
		// above and four of these make five, after which even the right one waits.
		for i := range 4 {
			resp := here.post("/account/password", url.Values{"current_password": {"wrong-" + strconv.Itoa(i)}, "password": {reset}})
			if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "The current password is wrong.") {
				t.Fatalf("wrong current password %d: %d, want 422 saying so", i, resp.status)
			}
		}
		resp = here.post("/account/password", url.Values{"current_password": {changed}, "password": {reset}})
		if resp.status != http.StatusTooManyRequests || resp.header.Get("Retry-After") == "" || !strings.Contains(resp.body, "Too many wrong passwords") {
			t.Errorf("after five wrong passwords: %d, Retry-After %q; want 429 with Retry-After", resp.status, resp.header.Get("Retry-After"))
		}
		if resp := here.post("/account/password", url.Values{"password": {reset}}); resp.status != http.StatusUnprocessableEntity ||
			!strings.Contains(resp.body, "Enter your current password.") {
			t.Errorf("no current password: %d, want 422 asking for it", resp.status)
		}

		// The admin's reset needs no current password and ends every session of the user.
		admin := f.signedIn(t, "admin")
		if resp := admin.post(userPath(f, "translator", "password"), url.Values{"password": {reset}}); resp.status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", resp.status, resp.body)
		}
		if !signedOut(t, here) {
			t.Error("the user's session outlived the admin's reset")
		}
		// Checked on the hash: the throttle still holds this address's logins for the user.
		if _, hash, err := f.db.UserCredentials(context.Background(), people["translator"].Email); err != nil {
			t.Fatal(err)
		} else if ok, _ := auth.VerifyPassword(hash, reset); !ok {
			t.Error("the reset password does not verify")
		}
		if resp := admin.post(userPath(f, "translator", "password"), url.Values{"password": {"short"}}); resp.status != http.StatusUnprocessableEntity ||
			!strings.Contains(resp.body, "at least 10 characters") {
			t.Errorf("weak reset: %d, want 422 saying why", resp.status)
		}
		// The admin's own row sends her to her account page instead of a reset form.
		if page := admin.get("/accounts"); strings.Contains(page.body, `action="`+userPath(f, "admin", "password")+`"`) {
			t.Error("the accounts page offers the admin a reset of her own password")
		}
	})
}

func TestTokenPages(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.signedIn(t, "admin")
		resp := admin.post("/accounts/tokens", url.Values{"name": {"ноутбуки Фируз"}, "user": {people["translator"].Email}, "role": {"admin"}, "days": {"30"}})
		if resp.status != http.StatusCreated {
			t.Fatalf("create a token: %d\n%s", resp.status, resp.body)
		}
		var secret string
		if m := shownTokenField.FindStringSubmatch(resp.body); m != nil {
			secret = m[1]
		}
		if secret == "" || !strings.Contains(resp.body, "shown only this once") {
			t.Fatalf("the new token is not shown with its warning\n%s", resp.body)
		}
		if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("page with a token: Cache-Control %q, want no-store", cc)
		}
		c, err := f.db.LookupCaller(ctx, secret)
		if err != nil || c.User == nil || c.User.ID != f.users["translator"].ID || c.Token.Role != tarjuma.RoleTranslator || c.Token.ExpiresAt.IsZero() {
			t.Fatalf("the shown token: %+v, %v; want the translator's, expiring", c, err)
		}
		list := admin.get("/accounts")
		if showsSecret(list.body, secret) || !strings.Contains(list.body, "ноутбуки Фируз") {
			t.Error("the accounts page shows the secret again, or not the token")
		}
		if resp := admin.post("/accounts/tokens", url.Values{"name": {"x"}, "role": {"editor"}, "days": {"-3"}}); resp.status != http.StatusUnprocessableEntity ||
			!strings.Contains(resp.body, "Choose an expiry from the list.") {
			t.Errorf("a made-up expiry: %d, want 422", resp.status)
		}

		// The translator sees and revokes her own token; it stops working at once.
		tg := f.signedIn(t, "translator")
		mine := tg.get("/account")
		revoke := "/account/tokens/" + itoa64(c.Token.ID) + "/revoke"
		if !strings.Contains(mine.body, "ноутбуки Фируз") || !strings.Contains(mine.body, `action="`+revoke+`"`) || showsSecret(mine.body, secret) {
			t.Fatalf("the translator's account page does not list her token with its revoke form\n%s", mine.body)
		}
		if resp := f.signedIn(t, "editor").post(revoke, nil); resp.status != http.StatusNotFound {
			t.Errorf("another user revoking it: %d, want 404", resp.status)
		}
		if resp := tg.post(revoke, nil); resp.status != http.StatusSeeOther {
			t.Fatalf("revoke own token: %d\n%s", resp.status, resp.body)
		}
		if _, err := f.db.LookupCaller(ctx, secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("a revoked token: %v, want refused", err)
		}

		// A rotated webhook secret is not cached either.
		sub, err := f.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: receiverURL, Langs: []tarjuma.Lang{tarjuma.Tajik}, Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"})
		if err != nil {
			t.Fatal(err)
		}
		resp = admin.post("/subscribers/"+itoa64(sub.ID)+"/rotate", nil)
		if resp.status != http.StatusSeeOther || resp.header.Get("Cache-Control") != "no-store" {
			t.Errorf("rotation: %d, Cache-Control %q; want 303, no-store", resp.status, resp.header.Get("Cache-Control"))
		}
		if resp := admin.get(resp.location); resp.status != http.StatusOK || resp.header.Get("Cache-Control") != "no-store" || shownSecret(resp.body) == "" {
			t.Errorf("the rotated secret's page: %d, Cache-Control %q; want 200, no-store, the secret shown", resp.status, resp.header.Get("Cache-Control"))
		}
	})
}

// TestAccountPagesLocalized renders the account pages in every interface language: no message
// id is missing, and Arabic comes right to left.
func TestAccountPagesLocalized(t *testing.T) {
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	admin := f.signedIn(t, "admin")
	for lang, want := range map[string]string{"en": "Accounts and API tokens", "ar": "الحسابات ورموز API", "ru": "Учётные записи и API-токены", "tg": "Ҳисобҳо ва токенҳои API"} {
		admin.lang = lang
		for _, path := range []string{"/accounts", "/account"} {
			resp := admin.get(path)
			if resp.status != http.StatusOK {
				t.Fatalf("%s in %s: %d\n%s", path, lang, resp.status, resp.body)
			}
			if path == "/accounts" && !strings.Contains(resp.body, want) {
				t.Errorf("%s in %s lacks its title %q", path, lang, want)
			}
			if lang == "ar" && !strings.Contains(resp.body, `dir="rtl"`) {
				t.Errorf("%s in Arabic is not right to left", path)
			}
		}
	}
}
