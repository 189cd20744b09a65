package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
)

func TestCreateUser(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		body := func(email, password, role string, langs ...string) string {
			return jsonOf(t, map[string]any{"email": email, "password": password, "role": role, "langs": langs})
		}
		got := decode[userJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users", body("Dilnoza@Example.org", "парол-дароз-1", "translator", "tg", "ru")), http.StatusCreated)
		if got.ID == 0 || got.Email != "dilnoza@example.org" || got.Role != tarjuma.RoleTranslator || len(got.Langs) != 2 {
			t.Errorf("created %+v", got)
		}
		// The password is stored hashed and signs in.
		if _, hash, err := e.db.UserCredentials(t.Context(), got.Email); err != nil || !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("stored hash %q, %v", hash, err)
		} else if ok, _ := auth.VerifyPassword(hash, "парол-дароз-1"); !ok {
			t.Error("stored hash does not verify the password")
		}
		if rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users", body("ed@example.org", "long-enough-password", "editor")); !strings.Contains(rec.Body.String(), `"langs":[]`) {
			t.Errorf("user without languages: %s, want langs []", rec.Body)
		}
		for _, tc := range []struct {
			name, body string
			status     int
			code       string
		}{
			{"duplicate in another case", body("DILNOZA@example.org", "long-enough-password", "editor"), http.StatusConflict, "email_taken"},
			{"weak password", body("a@example.org", "short", "editor"), http.StatusUnprocessableEntity, "weak_password"},
			{"too long password", body("a@example.org", strings.Repeat("p", 1025), "editor"), http.StatusUnprocessableEntity, "weak_password"},
			{"bad role", body("a@example.org", "long-enough-password", "owner"), http.StatusUnprocessableEntity, "invalid_role"},
			{"translator without langs", body("a@example.org", "long-enough-password", "translator"), http.StatusUnprocessableEntity, "missing_langs"},
			{"unknown lang", body("a@example.org", "long-enough-password", "translator", "fr"), http.StatusUnprocessableEntity, "invalid_lang"},
			{"bad email", body("not an email", "long-enough-password", "editor"), http.StatusUnprocessableEntity, "invalid_email"},
			{"unknown field", `{"email": "a@example.org", "password": "long-enough-password", "role": "admin", "is_admin": true}`, http.StatusBadRequest, "invalid_json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users", tc.body), tc.status, tc.code, "")
			})
		}
		if _, err := e.db.UserByEmail(t.Context(), "a@example.org"); err == nil {
			t.Error("a refused request stored a user")
		}
	})
}

func TestCreateToken(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		u := russianTranslator(t, e)
		plain := decode[tokenJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"role": "reviewer", "name": "qa bot"}`), http.StatusCreated)
		if !strings.HasPrefix(plain.Token, "tj_") || plain.Role != tarjuma.RoleReviewer || plain.User != nil {
			t.Errorf("token %+v", plain)
		}
		for _, ref := range []string{`"T@example.org"`, fmt.Sprint(u.ID)} {
			tok := decode[tokenJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "plugin", "user": `+ref+`}`), http.StatusCreated)
			if tok.Role != tarjuma.RoleTranslator || tok.User == nil || tok.User.ID != u.ID {
				t.Errorf("token for user %s: %+v", ref, tok)
			}
			// The token acts as the user: the role table lets the translator read, not write.
			if rec := do(t, e.srv, "GET", "/api/v1/articles", bearer(tok.Token), ""); rec.Code != http.StatusOK {
				t.Errorf("user token reading articles: %d", rec.Code)
			}
			wantError(t, do(t, e.srv, "POST", "/api/v1/tokens", bearer(tok.Token), `{"role": "admin", "name": "escalate"}`), http.StatusForbidden, "forbidden", "translator")
		}
		for _, tc := range []struct {
			name, body string
			status     int
			code       string
		}{
			{"no role, no user", `{"name": "x"}`, http.StatusUnprocessableEntity, "invalid_role"},
			{"bad role", `{"name": "x", "role": "root"}`, http.StatusUnprocessableEntity, "invalid_role"},
			{"role differs from user's", `{"name": "x", "role": "admin", "user": "t@example.org"}`, http.StatusUnprocessableEntity, "invalid_role"},
			{"unknown user", `{"name": "x", "user": "ghost@example.org"}`, http.StatusUnprocessableEntity, "unknown_user"},
			{"unknown id", `{"name": "x", "user": 99999}`, http.StatusUnprocessableEntity, "unknown_user"},
			{"user of another type", `{"name": "x", "user": true}`, http.StatusBadRequest, "invalid_json"},
			{"fractional id", `{"name": "x", "user": 1.5}`, http.StatusBadRequest, "invalid_json"},
			{"no name", `{"role": "editor", "name": " "}`, http.StatusUnprocessableEntity, "empty_field"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", tc.body), tc.status, tc.code, "")
			})
		}
	})
}

// TestCallerUser pins what other handlers get from callerUser: the user with their languages
// for a user's token, and for any other token only its role, so a bare translator token edits
// nothing while an admin token edits everything.
func TestCallerUser(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		u := russianTranslator(t, e)
		userToken, _, err := e.db.CreateUserToken(t.Context(), "plugin", u)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, token    string
			id             int64
			author         string
			editRU, editTG bool
		}{
			{"user token", userToken, u.ID, "t@example.org", true, false},
			{"bare translator token", e.tokens[tarjuma.RoleTranslator], 0, "translator-token", false, false},
			{"bare admin token", e.tokens[tarjuma.RoleAdmin], 0, "admin-token", true, true},
			{"dev token", testDevToken, 0, "dev", true, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				caller, err := e.srv.authorize(nil, authRequest(tc.token), []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleTranslator})
				if err != nil {
					t.Fatal(err)
				}
				ctx := withCaller(t.Context(), caller)
				got, ok := callerUser(ctx)
				if !ok || got.ID != tc.id || got.CanEdit(tarjuma.Russian) != tc.editRU || got.CanEdit(tarjuma.Tajik) != tc.editTG {
					t.Errorf("callerUser = %+v, %v; want id %d, edits ru %v tg %v", got, ok, tc.id, tc.editRU, tc.editTG)
				}
				if name := callerName(ctx); name != tc.author {
					t.Errorf("callerName = %q, want %q", name, tc.author)
				}
			})
		}
		if _, ok := callerUser(t.Context()); ok {
			t.Error("callerUser without a caller reports one")
		}
	})
}

func authRequest(token string) *http.Request {
	r, _ := http.NewRequest("GET", "/api/v1/articles", nil)
	r.Header.Set("Authorization", bearer(token))
	return r
}

// russianTranslator adds the user t@example.org, a translator into Russian.
func russianTranslator(t *testing.T, e *testEnv) tarjuma.User {
	t.Helper()
	u, err := auth.CreateUser(t.Context(), e.db, auth.NewUser{Email: "t@example.org", Password: "long-enough-password", Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Russian}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}
