package review

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma/auth"
)

// credentialCases are TestDoorsAgree's cases for tokens, accounts, passwords and sessions.
func credentialCases() []doorCase {
	const newPassword = "рамзи-нав-барои-санҷиш"
	jsonOf := func(format string, args ...any) string { return fmt.Sprintf(format, args...) }
	id := func(f *fixture, who string) int64 { return f.users[who].ID }
	// token makes a token for who ("" for a token of its own), which is token 1: setup runs
	// before the API door's own token is made.
	token := func(who string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			var err error
			if who == "" {
				_, _, err = f.db.CreateToken(context.Background(), "feed reader", "editor")
			} else {
				_, _, err = f.db.CreateUserToken(context.Background(), who+"'s plugin", f.users[who])
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	disable := func(who string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			if _, err := f.db.DisableUser(context.Background(), f.users[who].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	session := func(who string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			if _, _, err := f.db.CreateSession(context.Background(), f.users[who].ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	// signedOut checks that who has no session left, whichever door ended them.
	signedOut := func(who string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			if n, err := f.db.DeleteUserSessions(context.Background(), f.users[who].ID, ""); err != nil || n != 0 {
				t.Errorf("%s has %d sessions left (%v), want none", who, n, err)
			}
		}
	}
	// hasPassword checks who's password, which no stored state shows.
	hasPassword := func(who, want string) func(t *testing.T, f *fixture) {
		return func(t *testing.T, f *fixture) {
			_, hash, err := f.db.UserCredentials(context.Background(), f.users[who].Email)
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := auth.VerifyPassword(hash, want); err != nil || !ok {
				t.Errorf("%s's password is not %q", who, want)
			}
		}
	}
	userAction := func(action, apiBody string, form url.Values, target string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(f *fixture) (string, string, string) {
				return "POST", fmt.Sprintf("/api/v1/users/%d/%s", id(f, target), action), apiBody
			}, func(f *fixture) (string, url.Values) {
				return fmt.Sprintf("/accounts/users/%d/%s", id(f, target), action), form
			}
	}
	both := func(name, who, code, msg string, setup, check func(*testing.T, *fixture),
		apiReq func(*fixture) (string, string, string), form func(*fixture) (string, url.Values)) doorCase {
		return doorCase{name: name, who: who, code: code, msg: msg, setup: setup, check: check, apiReq: apiReq, form: form}
	}
	fixed := func(method, path, body string) func(*fixture) (string, string, string) {
		return func(*fixture) (string, string, string) { return method, path, body }
	}
	post := func(path string, form url.Values) func(*fixture) (string, url.Values) {
		return func(*fixture) (string, url.Values) { return path, form }
	}
	tokenForm := func(user, days string) url.Values {
		return url.Values{"name": {"ноутбук"}, "user": {user}, "role": {"editor"}, "days": {days}}
	}
	changeAPI := func(current string) func(f *fixture) (string, string, string) {
		return func(f *fixture) (string, string, string) {
			return "POST", fmt.Sprintf("/api/v1/users/%d/password", id(f, "translator")),
				jsonOf(`{"current_password": %q, "password": %q}`, current, newPassword)
		}
	}
	resetAPI, resetForm := userAction("password", jsonOf(`{"password": %q}`, newPassword), url.Values{"password": {newPassword}}, "translator")
	weakAPI, weakForm := userAction("password", `{"password": "short"}`, url.Values{"password": {"short"}}, "translator")
	disableAPI, disableForm := userAction("disable", "", url.Values{}, "editor")
	lastAPI, lastForm := userAction("disable", "", url.Values{}, "admin")
	enableAPI, enableForm := userAction("enable", "", url.Values{}, "editor")
	return []doorCase{
		both("revoke a token", "admin", "", "", token(""), nil,
			fixed("DELETE", "/api/v1/tokens/1", ""), post("/accounts/tokens/1/revoke", url.Values{})),
		both("revoke one's own token", "translator", "", "", token("translator"), nil,
			fixed("DELETE", "/api/v1/tokens/1", ""), post("/account/tokens/1/revoke", url.Values{})),
		both("revoke another's token", "translator", "not_found", "error.not_found", token("editor"), nil,
			fixed("DELETE", "/api/v1/tokens/1", ""), post("/account/tokens/1/revoke", url.Values{})),
		both("create a token", "admin", "", "", nil, nil,
			fixed("POST", "/api/v1/tokens", `{"name": "ноутбук", "user": "tg@desk.test", "expires_in": 604800}`),
			post("/accounts/tokens", tokenForm("tg@desk.test", "7"))),
		both("create a token for a disabled user", "admin", "user_disabled", "accounts.error_user_disabled", disable("translator"), nil,
			fixed("POST", "/api/v1/tokens", `{"name": "ноутбук", "user": "tg@desk.test"}`), post("/accounts/tokens", tokenForm("tg@desk.test", "0"))),
		both("create a token without a name", "admin", "empty_field", "accounts.error_token_name", nil, nil,
			fixed("POST", "/api/v1/tokens", `{"name": " ", "role": "editor"}`), post("/accounts/tokens", url.Values{"name": {" "}, "role": {"editor"}})),
		both("disable a user", "admin", "", "", session("editor"), signedOut("editor"), disableAPI, disableForm),
		both("disable the last admin", "admin", "last_admin", "accounts.error_last_admin", nil, nil, lastAPI, lastForm),
		both("enable a user", "admin", "", "", disable("editor"), nil, enableAPI, enableForm),
		both("reset a password", "admin", "", "", session("translator"), func(t *testing.T, f *fixture) {
			hasPassword("translator", newPassword)(t, f)
			signedOut("translator")(t, f)
		}, resetAPI, resetForm),
		both("reset to a weak password", "admin", "weak_password", "account.error_weak_password", nil, hasPassword("translator", password), weakAPI, weakForm),
		both("change one's password", "translator", "", "", nil, hasPassword("translator", newPassword), changeAPI(password),
			post("/account/password", url.Values{"current_password": {password}, "password": {newPassword}})),
		both("change one's password with a wrong current one", "translator", "wrong_password", "account.error_wrong_password", nil,
			hasPassword("translator", password), changeAPI("not-the-password"),
			post("/account/password", url.Values{"current_password": {"not-the-password"}, "password": {newPassword}})),
		both("sign a user out everywhere", "admin", "", "", session("editor"), signedOut("editor"),
			func(f *fixture) (string, string, string) {
				return "POST", "/api/v1/sessions/revoke", jsonOf(`{"user": %d}`, id(f, "editor"))
			},
			func(f *fixture) (string, url.Values) {
				return fmt.Sprintf("/accounts/users/%d/signout", id(f, "editor")), url.Values{}
			}),
		both("sign out everywhere", "translator", "", "", session("translator"), signedOut("translator"),
			fixed("POST", "/api/v1/sessions/revoke", ""), post("/account/signout", url.Values{})),
	}
}
