package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

const newPassword = "новый-пароль-2026"

// fromBrowser is a request sent with the session cookie c (nil: none), from one address.
func fromBrowser(c *http.Cookie) *http.Request {
	r := httptest.NewRequest("POST", "/account/password", nil)
	if c != nil {
		r.AddCookie(c)
	}
	return r
}

func wantFieldError(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || fe.Code != code || !errors.Is(err, tarjuma.ErrInvalid) {
		t.Errorf("%s: %v, want a FieldError %s/%s", what, err, field, code)
	}
}

func TestChangePassword(t *testing.T) {
	eachDB(t, false, func(t *testing.T, e *env) {
		here, _ := e.logIn(t)
		elsewhere, _ := e.logIn(t)

		hashes := e.auth.hashes.Load()
		wantFieldError(t, "weak new password", e.auth.ChangePassword(fromBrowser(here), e.user.ID, testPassword, "short"), "password", "weak_password")
		if n := e.auth.hashes.Load() - hashes; n != 0 {
			t.Errorf("a weak new password ran argon2 %d times; it is refused before the current one is checked", n)
		}
		wantFieldError(t, "wrong current password", e.auth.ChangePassword(fromBrowser(here), e.user.ID, testPassword+"x", newPassword), "current_password", "wrong_password")
		if got := e.whoami(t, elsewhere); got == "anonymous" {
			t.Error("a refused change ended a session")
		}

		if err := e.auth.ChangePassword(fromBrowser(here), e.user.ID, testPassword, newPassword); err != nil {
			t.Fatal(err)
		}
		if got := e.whoami(t, here); got == "anonymous" {
			t.Error("the session the change was made from was signed out")
		}
		if got := e.whoami(t, elsewhere); got != "anonymous" {
			t.Errorf("another session still signed in after the change: %q", got)
		}
		e.wantPasswordReplaced(t, "change", newPassword)

		// Guessing the current password is throttled like logins, before the hash: five wrong
		// ones from one address, then 429 without argon2.
		for i := range pairLimit.max {
			if err := e.auth.ChangePassword(fromBrowser(here), e.user.ID, "guess-number-"+string(rune('a'+i)), testPassword); !errors.Is(err, tarjuma.ErrInvalid) {
				t.Fatalf("guess %d: %v, want wrong_password", i+1, err)
			}
		}
		hashes = e.auth.hashes.Load()
		err := e.auth.ChangePassword(fromBrowser(here), e.user.ID, newPassword, testPassword)
		if !errors.Is(err, ErrRateLimited) || RetryAfter(err) <= 0 {
			t.Errorf("sixth guess: %v, want ErrRateLimited", err)
		}
		if n := e.auth.hashes.Load() - hashes; n != 0 {
			t.Errorf("a throttled change ran argon2 %d times", n)
		}

		if err := e.auth.ChangePassword(fromBrowser(nil), e.user.ID+100, newPassword, testPassword); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
		noRedis := New(Config{DB: e.db, Now: e.clock.now})
		if err := noRedis.ChangePassword(fromBrowser(nil), e.user.ID, newPassword, testPassword); !errors.Is(err, ErrUnavailable) {
			t.Errorf("without the limiter's Redis: %v, want ErrUnavailable", err)
		}
	})
}

func TestDisableUser(t *testing.T) {
	eachDB(t, false, func(t *testing.T, e *env) {
		c, _ := e.logIn(t)
		secret, _, err := CreateToken(t.Context(), e.db, NewToken{Name: "plugin", UserID: e.user.ID})
		if err != nil {
			t.Fatal(err)
		}
		u, err := DisableUser(t.Context(), e.db, e.user.ID)
		if err != nil || u.DisabledAt.IsZero() {
			t.Fatalf("DisableUser = %+v, %v", u, err)
		}
		// At once: the next request with the session or the token is refused.
		if got := e.whoami(t, c); got != "anonymous" {
			t.Errorf("disabled user's session still signed in: %q", got)
		}
		if _, err := e.db.LookupCaller(t.Context(), secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("disabled user's token: %v, want ErrNotFound", err)
		}
		err = logIn(e.auth, fromBrowser(nil), testEmail, testPassword)
		if !errors.Is(err, ErrUserDisabled) || !errors.Is(err, ErrBadCredentials) {
			t.Errorf("disabled user's login: %v, want ErrUserDisabled, an ErrBadCredentials", err)
		}
		if err := logIn(e.auth, fromBrowser(nil), testEmail, testPassword+"x"); !errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrUserDisabled) {
			t.Errorf("disabled user, wrong password: %v; want ErrBadCredentials that says nothing of the account", err)
		}
		if _, _, err := CreateToken(t.Context(), e.db, NewToken{Name: "another", UserID: e.user.ID}); err == nil {
			t.Error("a token was created for a disabled user")
		} else {
			wantFieldError(t, "token for a disabled user", err, "user", "user_disabled")
		}
		if err := e.auth.ChangePassword(fromBrowser(nil), e.user.ID, testPassword, newPassword); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("disabled user's password change: %v, want ErrNotFound", err)
		}

		if _, err := EnableUser(t.Context(), e.db, e.user.ID); err != nil {
			t.Fatal(err)
		}
		if err := logIn(e.auth, fromBrowser(nil), testEmail, testPassword); err != nil {
			t.Errorf("enabled user's login: %v", err)
		}
		if _, err := e.db.LookupCaller(t.Context(), secret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("token revived by EnableUser: %v", err)
		}
		for name, f := range map[string]func(int64) error{
			"DisableUser": func(id int64) error { _, err := DisableUser(t.Context(), e.db, id); return err },
			"EnableUser":  func(id int64) error { _, err := EnableUser(t.Context(), e.db, id); return err },
		} {
			if err := f(e.user.ID + 100); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("%s(unknown) = %v, want ErrNotFound", name, err)
			}
		}
	})
}

func TestResetPasswordAndRevokeSessions(t *testing.T) {
	eachDB(t, false, func(t *testing.T, e *env) {
		first, _ := e.logIn(t)
		second, _ := e.logIn(t)
		n, err := RevokeSessions(t.Context(), e.db, e.user.ID)
		if err != nil || n != 2 {
			t.Errorf("RevokeSessions = %d, %v; want 2", n, err)
		}
		for _, c := range []*http.Cookie{first, second} {
			if got := e.whoami(t, c); got != "anonymous" {
				t.Errorf("session still signed in after RevokeSessions: %q", got)
			}
		}

		c, _ := e.logIn(t)
		wantFieldError(t, "weak reset", ResetPassword(t.Context(), e.db, e.user.ID, "short"), "password", "weak_password")
		if got := e.whoami(t, c); got == "anonymous" {
			t.Error("a refused reset ended the session")
		}
		if err := ResetPassword(t.Context(), e.db, e.user.ID, newPassword); err != nil {
			t.Fatal(err)
		}
		if got := e.whoami(t, c); got != "anonymous" {
			t.Errorf("session survived a password reset: %q", got)
		}
		e.wantPasswordReplaced(t, "reset", newPassword)
		if err := ResetPassword(t.Context(), e.db, e.user.ID+100, newPassword); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("reset of an unknown user: %v, want ErrNotFound", err)
		}
	})
}

func TestCreateToken(t *testing.T) {
	eachDB(t, false, func(t *testing.T, e *env) {
		secret, c, err := CreateToken(t.Context(), e.db, NewToken{Name: "  ویرایشگر ", UserID: e.user.ID, ExpiresIn: 90 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if c.User == nil || c.User.ID != e.user.ID || c.Token.Role != tarjuma.RoleTranslator || c.Token.Name != "ویرایشگر" {
			t.Errorf("CreateToken = %+v; want the translator's token named without the spaces", c)
		}
		if got := c.Token.ExpiresAt.Sub(c.Token.CreatedAt); got != 90*time.Second {
			t.Errorf("token expires %v after its creation, want 90s", got)
		}
		if got, err := e.db.LookupCaller(t.Context(), secret); err != nil || got.Token.ID != c.Token.ID {
			t.Errorf("LookupCaller = %+v, %v", got, err)
		}
		if _, c, err := CreateToken(t.Context(), e.db, NewToken{Name: "wire", Role: tarjuma.RoleEditor}); err != nil || c.User != nil || !c.Token.ExpiresAt.IsZero() {
			t.Errorf("service token = %+v, %v; want no user and no expiry", c, err)
		}

		for _, tc := range []struct {
			name        string
			nt          NewToken
			field, code string
		}{
			{"blank name", NewToken{Name: " \u200b ", Role: tarjuma.RoleEditor}, "name", "empty_field"},
			{"long name", NewToken{Name: strings.Repeat("ن", MaxTokenNameRunes+1), Role: tarjuma.RoleEditor}, "name", "empty_field"},
			{"no role or user", NewToken{Name: "x"}, "role", "invalid_role"},
			{"bad role", NewToken{Name: "x", Role: "root"}, "role", "invalid_role"},
			{"role not the user's", NewToken{Name: "x", Role: tarjuma.RoleAdmin, UserID: e.user.ID}, "role", "invalid_role"},
			{"unknown user", NewToken{Name: "x", UserID: e.user.ID + 100}, "user", "unknown_user"},
			{"negative expiry", NewToken{Name: "x", Role: tarjuma.RoleEditor, ExpiresIn: -time.Second}, "expires_in", "invalid_expiry"},
			{"expiry too far", NewToken{Name: "x", Role: tarjuma.RoleEditor, ExpiresIn: MaxTokenLifetime + time.Second}, "expires_in", "invalid_expiry"},
		} {
			_, _, err := CreateToken(t.Context(), e.db, tc.nt)
			wantFieldError(t, tc.name, err, tc.field, tc.code)
		}
		var tp *tarjuma.TextProblem
		if _, _, err := CreateToken(t.Context(), e.db, NewToken{Name: "a\x00b", Role: tarjuma.RoleEditor}); !errors.As(err, &tp) {
			t.Errorf("NUL in the name: %v, want a TextProblem", err)
		}
		if all, _ := e.db.Tokens(t.Context()); len(all) != 2 {
			t.Errorf("%d tokens stored, want the 2 valid ones", len(all))
		}
	})
}

func TestListAndRevokeTokens(t *testing.T) {
	eachDB(t, false, func(t *testing.T, e *env) {
		other, err := CreateUser(t.Context(), e.db, NewUser{Email: "other@example.org", Password: testPassword, Role: tarjuma.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		create := func(nt NewToken) (string, int64) {
			t.Helper()
			secret, c, err := CreateToken(t.Context(), e.db, nt)
			if err != nil {
				t.Fatal(err)
			}
			return secret, c.Token.ID
		}
		mineSecret, mine := create(NewToken{Name: "mine", UserID: e.user.ID})
		theirsSecret, theirs := create(NewToken{Name: "theirs", UserID: other.ID})
		_, service := create(NewToken{Name: "wire", Role: tarjuma.RoleEditor})

		ids := func(viewer tarjuma.User) []int64 {
			t.Helper()
			cs, err := ListTokens(t.Context(), e.db, viewer)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, c := range cs {
				ids = append(ids, c.Token.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			name   string
			viewer tarjuma.User
			want   []int64
		}{
			{"admin", tarjuma.User{ID: other.ID + 1, Role: tarjuma.RoleAdmin}, []int64{mine, theirs, service}},
			{"admin token of its own", tarjuma.User{Role: tarjuma.RoleAdmin}, []int64{mine, theirs, service}},
			{"translator", e.user, []int64{mine}},
			{"editor token of its own", tarjuma.User{Role: tarjuma.RoleEditor}, nil},
		} {
			if got := ids(tc.viewer); !slices.Equal(got, tc.want) {
				t.Errorf("%s sees tokens %v, want %v", tc.name, got, tc.want)
			}
		}

		// Another's token, or one that is not there, is not found; nothing is revoked.
		for _, id := range []int64{theirs, service, service + 100} {
			if err := RevokeToken(t.Context(), e.db, e.user, id); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("translator revoking token %d: %v, want ErrNotFound", id, err)
			}
		}
		if _, err := e.db.LookupCaller(t.Context(), theirsSecret); err != nil {
			t.Errorf("a refused revocation revoked: %v", err)
		}
		if err := RevokeToken(t.Context(), e.db, e.user, mine); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.LookupCaller(t.Context(), mineSecret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("own token after revocation: %v, want ErrNotFound", err)
		}
		admin := tarjuma.User{Role: tarjuma.RoleAdmin}
		if err := RevokeToken(t.Context(), e.db, admin, theirs); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.LookupCaller(t.Context(), theirsSecret); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("token revoked by an admin: %v, want ErrNotFound", err)
		}
		if err := RevokeToken(t.Context(), e.db, admin, theirs); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("revoking twice: %v, want ErrNotFound", err)
		}
		if got := ids(admin); !slices.Equal(got, []int64{service}) {
			t.Errorf("after revocations admin sees %v, want only %d", got, service)
		}
	})
}

// wantPasswordReplaced checks that the test user logs in with password and no longer with
// testPassword, after what replaced it.
func (e *env) wantPasswordReplaced(t *testing.T, what, password string) {
	t.Helper()
	if err := logIn(e.auth, fromBrowser(nil), testEmail, testPassword); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password after %s: %v, want ErrBadCredentials", what, err)
	}
	if err := logIn(e.auth, fromBrowser(nil), testEmail, password); err != nil {
		t.Errorf("new password after %s: %v", what, err)
	}
}
