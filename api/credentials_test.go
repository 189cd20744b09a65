package api

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/internal/testenv"
)

const credPassword = "парол-дароз-барои-санҷиш"

// credEnv is a testEnv whose desk checks passwords through a login limiter of its own, with a
// translator and an editor who each hold a token acting as them, and the database's URL, for
// the test that moves a token's expiry.
type credEnv struct {
	*testEnv
	url                string
	translator, editor tarjuma.User
	translatorToken    string
	editorToken        string
	translatorTokenID  int64
	limiterRedis       *miniredis.Miniredis
}

func eachCredEnv(t *testing.T, f func(t *testing.T, e *credEnv)) {
	t.Helper()
	for _, target := range testenv.Databases(t) {
		t.Run(target.Name, func(t *testing.T) {
			e := &credEnv{testEnv: newTestEnv(t, target.URL), url: target.URL, limiterRedis: miniredis.RunT(t)}
			rdb := redis.NewClient(&redis.Options{Addr: e.limiterRedis.Addr()})
			t.Cleanup(func() { rdb.Close() })
			reg := prometheus.NewRegistry()
			e.srv = New(Config{DB: e.db, Registerer: reg, Gatherer: reg, DevToken: testDevToken,
				Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker, Auth: auth.New(auth.Config{DB: e.db, Redis: rdb})})})
			var err error
			e.translator, err = auth.CreateUser(t.Context(), e.db, auth.NewUser{Email: "tg@example.org", Password: credPassword,
				Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}})
			if err != nil {
				t.Fatal(err)
			}
			e.editor, err = auth.CreateUser(t.Context(), e.db, auth.NewUser{Email: "ed@example.org", Password: credPassword, Role: tarjuma.RoleEditor})
			if err != nil {
				t.Fatal(err)
			}
			var tok tarjuma.Token
			if e.translatorToken, tok, err = e.db.CreateUserToken(t.Context(), "translator's plugin", e.translator); err != nil {
				t.Fatal(err)
			}
			e.translatorTokenID = tok.ID
			if e.editorToken, _, err = e.db.CreateUserToken(t.Context(), "editor's plugin", e.editor); err != nil {
				t.Fatal(err)
			}
			f(t, e)
		})
	}
}

// works reports whether secret is accepted by a route every role may read, failing the test
// on any answer but 200 and 401.
func (e *credEnv) works(t *testing.T, secret string) bool {
	t.Helper()
	rec := do(t, e.srv, "GET", "/api/v1/articles", bearer(secret), "")
	if rec.Code != http.StatusOK && rec.Code != http.StatusUnauthorized {
		t.Fatalf("GET /api/v1/articles: %d %s", rec.Code, rec.Body)
	}
	return rec.Code == http.StatusOK
}

// rawDB opens the test's database without the store, to move a stored time as a clock would.
func (e *credEnv) rawDB(t *testing.T) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", e.url
	if path, ok := strings.CutPrefix(e.url, "sqlite:"); ok {
		driver, dsn = "sqlite", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type tokenList struct {
	Tokens []tokenInfoJSON `json:"tokens"`
}

func TestTokenLifecycle(t *testing.T) {
	eachCredEnv(t, func(t *testing.T, e *credEnv) {
		before := time.Now().Add(-time.Second)
		rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name": "ноутбук", "user": %d, "expires_in": 3600}`, e.translator.ID))
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("token creation: Cache-Control %q, want no-store", cc)
		}
		created := decode[tokenJSON](t, rec, http.StatusCreated)
		if created.ExpiresAt == nil || created.ExpiresAt.Before(before.Add(time.Hour)) || created.ExpiresAt.After(time.Now().Add(time.Hour)) {
			t.Errorf("expires_at %v, want an hour after the creation", created.ExpiresAt)
		}
		if created.User == nil || created.User.ID != e.translator.ID || created.Role != tarjuma.RoleTranslator || created.LastUsedAt != nil {
			t.Errorf("created %+v", created)
		}
		if !e.works(t, created.Token) {
			t.Fatal("the new token does not work")
		}

		// The translator sees her two tokens and nobody else's; the admin sees every token.
		// No list carries a secret.
		rec = do(t, e.srv, "GET", "/api/v1/tokens", bearer(e.translatorToken), "")
		mine := decode[tokenList](t, rec, http.StatusOK)
		if len(mine.Tokens) != 2 || mine.Tokens[0].ID != e.translatorTokenID || mine.Tokens[1].ID != created.ID {
			t.Errorf("translator's list: %+v, want her two tokens", mine.Tokens)
		}
		if mine.Tokens[1].Name != "ноутбук" || mine.Tokens[1].ExpiresAt == nil || mine.Tokens[1].LastUsedAt == nil || mine.Tokens[0].ExpiresAt != nil {
			t.Errorf("translator's list: %+v, want the name, the expiry and the use recorded", mine.Tokens)
		}
		all := decode[tokenList](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/tokens", ""), http.StatusOK)
		if len(all.Tokens) != 4+2+1 { // the role tokens, the users' tokens, the new one
			t.Errorf("admin's list has %d tokens, want 7", len(all.Tokens))
		}
		for _, body := range []string{rec.Body.String(), e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/tokens", "").Body.String()} {
			for _, secret := range []string{created.Token, e.translatorToken, e.editorToken, e.tokens[tarjuma.RoleAdmin]} {
				if strings.Contains(body, secret) || strings.Contains(body, `"token"`) {
					t.Fatalf("a token list shows a secret: %s", body)
				}
			}
		}
		if bare := decode[tokenList](t, e.as(t, tarjuma.RoleEditor, "GET", "/api/v1/tokens", ""), http.StatusOK); len(bare.Tokens) != 0 {
			t.Errorf("a token of its own lists %+v, want none", bare.Tokens)
		}

		// Another user's token is not found, and stays working; her own goes at once.
		path := "/api/v1/tokens/" + strconv.FormatInt(created.ID, 10)
		wantError(t, do(t, e.srv, "DELETE", path, bearer(e.editorToken), ""), http.StatusNotFound, "not_found", "")
		if !e.works(t, created.Token) {
			t.Fatal("another user's revocation stopped the token")
		}
		if rec := do(t, e.srv, "DELETE", path, bearer(e.translatorToken), ""); rec.Code != http.StatusNoContent {
			t.Fatalf("revoke own token: %d %s", rec.Code, rec.Body)
		}
		if e.works(t, created.Token) {
			t.Error("a revoked token still works")
		}
		wantError(t, do(t, e.srv, "DELETE", path, bearer(e.translatorToken), ""), http.StatusNotFound, "not_found", "")
		// The admin revokes anyone's.
		if rec := e.as(t, tarjuma.RoleAdmin, "DELETE", "/api/v1/tokens/"+strconv.FormatInt(e.translatorTokenID, 10), ""); rec.Code != http.StatusNoContent {
			t.Fatalf("admin revokes a user's token: %d %s", rec.Code, rec.Body)
		}
		if e.works(t, e.translatorToken) {
			t.Error("the token the admin revoked still works")
		}
		for _, p := range []string{"/api/v1/tokens/0", "/api/v1/tokens/x", "/api/v1/tokens/99999999999999999999"} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "DELETE", p, ""), http.StatusNotFound, "not_found", "")
		}
	})
}

func TestTokenExpiry(t *testing.T) {
	eachCredEnv(t, func(t *testing.T, e *credEnv) {
		created := decode[tokenJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "short", "role": "editor", "expires_in": 60}`), http.StatusCreated)
		if !e.works(t, created.Token) {
			t.Fatal("an unexpired token is refused")
		}
		// A minute later, as the clock would have it: the stored expiry is now in the past.
		if _, err := e.rawDB(t).ExecContext(t.Context(), `UPDATE api_tokens SET expires_at = $1 WHERE id = $2`,
			time.Now().Add(-time.Second).UTC(), created.ID); err != nil {
			t.Fatal(err)
		}
		if e.works(t, created.Token) {
			t.Error("an expired token still works")
		}
		listed := decode[tokenList](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/tokens", ""), http.StatusOK)
		if last := listed.Tokens[len(listed.Tokens)-1]; last.ID != created.ID || last.ExpiresAt == nil || !last.ExpiresAt.Before(time.Now()) {
			t.Errorf("expired token listed as %+v, want it with its past expiry", last)
		}
		for _, tc := range []struct{ name, expiresIn string }{
			{"negative", "-1"},
			{"beyond ten years", "315360001"},
			{"beyond a duration", "9223372036854775807"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "x", "role": "editor", "expires_in": `+tc.expiresIn+`}`),
					http.StatusUnprocessableEntity, "invalid_expiry", "")
			})
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "x", "role": "editor", "expires_in": 1.5}`),
			http.StatusBadRequest, "invalid_json", "")
		if rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "ten years", "role": "editor", "expires_in": 315360000}`); rec.Code != http.StatusCreated {
			t.Errorf("the longest lifetime: %d %s", rec.Code, rec.Body)
		}
	})
}

// sessions opens n desk sessions of the user and returns a function that counts how many of
// them are still live.
func (e *credEnv) sessions(t *testing.T, userID int64, n int) func() int {
	t.Helper()
	var ids []string
	for range n {
		id, _, err := e.db.CreateSession(t.Context(), userID, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return func() int {
		t.Helper()
		live := 0
		for _, id := range ids {
			if _, err := e.db.Session(t.Context(), id); err == nil {
				live++
			}
		}
		return live
	}
}

func TestDisableEnableUser(t *testing.T) {
	eachCredEnv(t, func(t *testing.T, e *credEnv) {
		live := e.sessions(t, e.translator.ID, 2)
		path := fmt.Sprintf("/api/v1/users/%d/", e.translator.ID)
		got := decode[userJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", path+"disable", ""), http.StatusOK)
		if got.ID != e.translator.ID || got.DisabledAt == nil {
			t.Errorf("disabled user: %+v, want disabled_at", got)
		}
		if e.works(t, e.translatorToken) {
			t.Error("a disabled user's token still works")
		}
		if n := live(); n != 0 {
			t.Errorf("%d of a disabled user's sessions live, want none", n)
		}
		if !e.works(t, e.editorToken) {
			t.Error("another user's token stopped working")
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name": "x", "user": %d}`, e.translator.ID)),
			http.StatusUnprocessableEntity, "user_disabled", "")
		got = decode[userJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", path+"enable", ""), http.StatusOK)
		if got.DisabledAt != nil {
			t.Errorf("enabled user: %+v, want no disabled_at", got)
		}
		if e.works(t, e.translatorToken) {
			t.Error("enabling revived a token the disabling ended")
		}
		wantError(t, do(t, e.srv, "POST", path+"disable", bearer(e.editorToken), ""), http.StatusForbidden, "forbidden", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users/99999/disable", ""), http.StatusNotFound, "not_found", "")

		// The last enabled admin: refused, whoever asks, until there is another.
		boss, err := auth.CreateUser(t.Context(), e.db, auth.NewUser{Email: "boss@example.org", Password: credPassword, Role: tarjuma.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		bossToken, _, err := e.db.CreateUserToken(t.Context(), "boss", boss)
		if err != nil {
			t.Fatal(err)
		}
		bossPath := fmt.Sprintf("/api/v1/users/%d/disable", boss.ID)
		wantError(t, do(t, e.srv, "POST", bossPath, bearer(bossToken), ""), http.StatusConflict, "last_admin", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", bossPath, ""), http.StatusConflict, "last_admin", "")
		if !e.works(t, bossToken) {
			t.Fatal("the refused disabling ended the admin's token")
		}
		if _, err := auth.CreateUser(t.Context(), e.db, auth.NewUser{Email: "deputy@example.org", Password: credPassword, Role: tarjuma.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		if rec := do(t, e.srv, "POST", bossPath, bearer(bossToken), ""); rec.Code != http.StatusOK {
			t.Errorf("an admin disabling herself beside another admin: %d %s", rec.Code, rec.Body)
		}
	})
}

func TestSetPassword(t *testing.T) {
	eachCredEnv(t, func(t *testing.T, e *credEnv) {
		const newPassword = "рамзи-нави-тоҷикӣ-2026"
		path := fmt.Sprintf("/api/v1/users/%d/password", e.translator.ID)
		body := func(current, next string) string {
			return jsonOf(t, map[string]string{"current_password": current, "password": next})
		}
		verifies := func(password string) bool {
			_, hash, err := e.db.UserCredentials(t.Context(), e.translator.Email)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := auth.VerifyPassword(hash, password)
			return err == nil && ok
		}
		live := e.sessions(t, e.translator.ID, 2)

		wantError(t, do(t, e.srv, "POST", path, bearer(e.translatorToken), `{"password": "`+newPassword+`"}`), http.StatusUnprocessableEntity, "empty_field", "current")
		wantError(t, do(t, e.srv, "POST", path, bearer(e.translatorToken), body(credPassword, "short")), http.StatusUnprocessableEntity, "weak_password", "")
		wantError(t, do(t, e.srv, "POST", path, bearer(e.editorToken), body(credPassword, newPassword)), http.StatusForbidden, "forbidden", "")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path, body("", newPassword)), http.StatusForbidden, "forbidden", "")
		if n := live(); n != 2 || !verifies(credPassword) {
			t.Fatalf("refused changes: %d sessions live, old password verifies %v; want 2, true", n, verifies(credPassword))
		}

		// Wrong current passwords count against the login throttle: five per address and
		// email, then 429 with Retry-After, even for the right one.
		for i := range 5 {
			wantError(t, do(t, e.srv, "POST", path, bearer(e.translatorToken), body(fmt.Sprintf("wrong-%d-password", i), newPassword)),
				http.StatusUnprocessableEntity, "wrong_password", "")
		}
		rec := do(t, e.srv, "POST", path, bearer(e.translatorToken), body(credPassword, newPassword))
		wantError(t, rec, http.StatusTooManyRequests, "rate_limited", "")
		if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 || ra > 15*60 {
			t.Errorf("Retry-After %q, want 1 to 900 seconds", rec.Header().Get("Retry-After"))
		}
		if !verifies(credPassword) || live() != 2 {
			t.Fatal("a throttled change changed something")
		}
		e.limiterRedis.FlushAll() // the window has passed

		if rec := do(t, e.srv, "POST", path, bearer(e.translatorToken), body(credPassword, newPassword)); rec.Code != http.StatusNoContent {
			t.Fatalf("change own password: %d %s", rec.Code, rec.Body)
		}
		if !verifies(newPassword) || live() != 0 {
			t.Errorf("after the change: new password verifies %v, %d sessions live; want true, 0", verifies(newPassword), live())
		}

		// An admin resets without the current password; the user's sessions end.
		live = e.sessions(t, e.translator.ID, 2)
		if rec := e.as(t, tarjuma.RoleAdmin, "POST", path, `{"password": "`+credPassword+`"}`); rec.Code != http.StatusNoContent {
			t.Fatalf("admin reset: %d %s", rec.Code, rec.Body)
		}
		if !verifies(credPassword) || live() != 0 {
			t.Errorf("after the reset: password verifies %v, %d sessions live; want true, 0", verifies(credPassword), live())
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users/99999/password", `{"password": "`+credPassword+`"}`), http.StatusNotFound, "not_found", "")

		// Without the limiter's Redis a change cannot be checked: 503, not an unthrottled guess.
		e.limiterRedis.Close()
		rec = do(t, e.srv, "POST", path, bearer(e.translatorToken), body(credPassword, newPassword))
		wantError(t, rec, http.StatusServiceUnavailable, "unavailable", "")
		if rec.Header().Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
	})
}

func TestRevokeSessions(t *testing.T) {
	eachCredEnv(t, func(t *testing.T, e *credEnv) {
		mine, theirs := e.sessions(t, e.translator.ID, 2), e.sessions(t, e.editor.ID, 1)
		got := decode[struct {
			SessionsEnded int64 `json:"sessions_ended"`
		}](t, do(t, e.srv, "POST", "/api/v1/sessions/revoke", bearer(e.translatorToken), ""), http.StatusOK)
		if got.SessionsEnded != 2 || mine() != 0 || theirs() != 1 {
			t.Errorf("sign out everywhere: %d ended, %d own and %d others' live; want 2, 0, 1", got.SessionsEnded, mine(), theirs())
		}
		if !e.works(t, e.translatorToken) {
			t.Error("signing out everywhere revoked the API token; it ends sessions only")
		}
		for _, ref := range []string{fmt.Sprint(e.editor.ID), `"ED@example.org"`} {
			wantError(t, do(t, e.srv, "POST", "/api/v1/sessions/revoke", bearer(e.translatorToken), `{"user": `+ref+`}`), http.StatusForbidden, "forbidden", "")
		}
		if theirs() != 1 {
			t.Fatal("a refused sign-out ended another's session")
		}
		if rec := do(t, e.srv, "POST", "/api/v1/sessions/revoke", bearer(e.translatorToken), fmt.Sprintf(`{"user": %d}`, e.translator.ID)); rec.Code != http.StatusOK {
			t.Errorf("naming oneself: %d %s", rec.Code, rec.Body)
		}
		if rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/sessions/revoke", `{"user": "ed@example.org"}`); rec.Code != http.StatusOK || theirs() != 0 {
			t.Errorf("admin signs out another: %d %s, %d sessions live", rec.Code, rec.Body, theirs())
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/sessions/revoke", `{"user": 99999}`), http.StatusUnprocessableEntity, "unknown_user", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/sessions/revoke", `{}`), http.StatusUnprocessableEntity, "empty_field", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/sessions/revoke", `{"user": true}`), http.StatusBadRequest, "invalid_json", "")
	})
}

// TestSecretsNotCached: every response that carries a secret says no-store; a list does not
// need to, having none.
func TestSecretsNotCached(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		sub := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", `{"url": "https://site.example/hook", "langs": ["tg"]}`), http.StatusCreated)
		for name, rec := range map[string]*httptest.ResponseRecorder{
			"token creation":      e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/tokens", `{"name": "bot", "role": "editor"}`),
			"subscriber creation": e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", `{"url": "https://other.example/hook", "langs": ["ru"]}`),
			"secret rotation":     e.as(t, tarjuma.RoleAdmin, "POST", fmt.Sprintf("/api/v1/subscribers/%d/rotate", sub.ID), ""),
		} {
			if rec.Code/100 != 2 || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %d, Cache-Control %q; want success with no-store", name, rec.Code, rec.Header().Get("Cache-Control"))
			}
		}
	})
}
