package auth

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

const (
	testEmail    = "Translator@Example.org"
	testPassword = "очень-длинный-пароль"
)

// clock is a settable time for reaching the timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	db    *store.DB
	auth  *Auth
	clock *clock
	user  tarjuma.User
	// app answers /login (POST email+password), /logout (POST) and echoes the user elsewhere.
	app http.Handler
}

// openWithUser opens and migrates the database at url and adds the test translator.
func openWithUser(t *testing.T, url string) (*store.DB, tarjuma.User) {
	t.Helper()
	db := storetest.Open(t, url)
	u, err := CreateUser(t.Context(), db, NewUser{Email: testEmail, Password: testPassword, Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}})
	if err != nil {
		t.Fatal(err)
	}
	return db, u
}

// eachDB runs f with an Auth over every database testenv offers and one translator in it.
func eachDB(t *testing.T, secure bool, f func(t *testing.T, e *env)) {
	t.Helper()
	testenv.EachDB(t, func(t *testing.T, url string) *env { return newEnv(t, url, secure) }, f)
}

// newEnv is an Auth over the database at url, with one translator in it, and an app behind
// its middleware.
func newEnv(t *testing.T, url string, secure bool) *env {
	t.Helper()
	db, u := openWithUser(t, url)
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	a := New(Config{DB: db, Redis: newRedis(t, "redis://"+miniredis.RunT(t).Addr()), Secure: secure, Now: c.now})
	e := &env{db: db, auth: a, clock: c, user: u}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.LogIn(w, r, r.PostFormValue("email"), r.PostFormValue("password")); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
		}
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := a.LogOut(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u, ok := UserFrom(r.Context())
		if !ok {
			io.WriteString(w, "anonymous")
			return
		}
		io.WriteString(w, u.Email+" "+r.PostFormValue("text"))
	})
	e.app = a.Middleware(mux, nil)
	return e
}

// request sends method path with a form body and cookies, plus header pairs.
func (e *env) request(t *testing.T, method, path string, form url.Values, cookies []*http.Cookie, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.app.ServeHTTP(rec, r)
	return rec
}

// logIn signs the test user in and returns the session cookie and its CSRF token. A browser
// already signed in sends its cookie and, like any form of its session, the CSRF token.
func (e *env) logIn(t *testing.T, cookies ...*http.Cookie) (*http.Cookie, string) {
	t.Helper()
	form := url.Values{"email": {testEmail}, "password": {testPassword}}
	for _, c := range cookies {
		if s, err := e.db.Session(t.Context(), c.Value); err == nil {
			form.Set(CSRFField, s.CSRFToken)
		}
	}
	rec := e.request(t, "POST", "/login", form, cookies)
	if rec.Code != http.StatusOK {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	c := sessionCookie(t, rec)
	s, err := e.db.Session(t.Context(), c.Value)
	if err != nil {
		t.Fatal(err)
	}
	return c, s.CSRFToken
}

func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("response sets %d cookies, want 1: %v", len(cs), cs)
	}
	return cs[0]
}

func (e *env) whoami(t *testing.T, c *http.Cookie) string {
	t.Helper()
	return e.request(t, "GET", "/", nil, []*http.Cookie{c}).Body.String()
}

func TestLogin(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		u, err := e.auth.LogIn(httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil), "  TRANSLATOR@example.ORG ", testPassword)
		if err != nil || u.ID != e.user.ID || u.Email != "translator@example.org" || u.Role != tarjuma.RoleTranslator || len(u.Langs) != 1 {
			t.Fatalf("LogIn = %+v, %v; want the translator, email in any case", u, err)
		}
		for _, tc := range []struct{ email, password string }{
			{testEmail, testPassword + "x"},
			{testEmail, ""},
			{testEmail, strings.Repeat("x", MaxPasswordBytes+1)},
			{"nobody@example.org", testPassword},
		} {
			rec := httptest.NewRecorder()
			start := time.Now()
			_, err := e.auth.LogIn(rec, httptest.NewRequest("POST", "/login", nil), tc.email, tc.password)
			if !errors.Is(err, ErrBadCredentials) || len(rec.Result().Cookies()) != 0 {
				t.Errorf("LogIn(%q, %.10q) = %v with cookies %v; want ErrBadCredentials and no cookie", tc.email, tc.password, err, rec.Result().Cookies())
			}
			// An unknown email and a too-long password still run argon2, like a wrong password.
			if d := time.Since(start); d < 5*time.Millisecond && tc.password != "" && len(tc.password) <= MaxPasswordBytes {
				t.Errorf("LogIn(%q) answered in %v: did it skip the hash?", tc.email, d)
			}
		}
	})
}

// TestLoginUnknownEmailHashes checks the unknown-email path verifies against the dummy hash:
// it costs an argon2 run (a timing test with a margin, not a measurement of equality).
func TestLoginUnknownEmailHashes(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		dummyHash() // made once per process; not part of the timing
		measure := func(email string) time.Duration {
			best := time.Hour
			for range 3 {
				start := time.Now()
				e.auth.LogIn(httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil), email, "wrong-password-123")
				best = min(best, time.Since(start))
			}
			return best
		}
		known, unknown := measure(testEmail), measure("ghost@example.org")
		if unknown < known/3 {
			t.Errorf("unknown email took %v, known %v: the unknown path skips the hash", unknown, known)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		eachDB(t, secure, func(t *testing.T, e *env) {
			c, _ := e.logIn(t)
			name := "tarjuma_session"
			if secure {
				name = "__Host-tarjuma_session"
			}
			if c.Name != name || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.Secure != secure {
				t.Errorf("cookie %+v: want %s, HttpOnly, SameSite=Lax, Path=/, no Domain, Secure=%v", c, name, secure)
			}
			if c.MaxAge != int(defaultMaxAge/time.Second) {
				t.Errorf("cookie Max-Age %d, want the absolute timeout", c.MaxAge)
			}
			// 128 bits in base64url, and only a hash of it in the database.
			if len(c.Value) != 22 {
				t.Errorf("session id %q: want 22 base64url characters", c.Value)
			}
			if got := e.whoami(t, c); got != "translator@example.org " {
				t.Errorf("signed-in request sees %q", got)
			}
		})
	}
}

func TestSessionRotationAndLogout(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		first, _ := e.logIn(t)
		second, _ := e.logIn(t, first)
		if second.Value == first.Value {
			t.Fatal("login kept the session id")
		}
		if got := e.whoami(t, first); got != "anonymous" {
			t.Errorf("the id from before login still works: %q", got)
		}
		other, _ := e.logIn(t) // another browser, which logout must not touch
		s, err := e.db.Session(t.Context(), second.Value)
		if err != nil {
			t.Fatal(err)
		}
		rec := e.request(t, "POST", "/logout", url.Values{CSRFField: {s.CSRFToken}}, []*http.Cookie{second})
		if rec.Code != http.StatusOK {
			t.Fatalf("logout: %d %s", rec.Code, rec.Body)
		}
		if c := sessionCookie(t, rec); c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("logout cookie %+v, want it cleared", c)
		}
		// The server forgot it: replaying the old cookie gets nowhere.
		if got := e.whoami(t, second); got != "anonymous" {
			t.Errorf("after logout the cookie still signs in: %q", got)
		}
		if _, err := e.db.Session(t.Context(), second.Value); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("session after logout: %v, want ErrNotFound", err)
		}
		if got := e.whoami(t, other); got == "anonymous" {
			t.Error("logout ended another browser's session")
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		// Idle: used every 90 minutes it lives on; after two idle hours it is gone.
		c, _ := e.logIn(t)
		for range 3 {
			e.clock.advance(90 * time.Minute)
			if got := e.whoami(t, c); got == "anonymous" {
				t.Fatalf("active session ended at %v", e.clock.now())
			}
		}
		e.clock.advance(defaultIdleTimeout)
		rec := e.request(t, "GET", "/", nil, []*http.Cookie{c})
		if rec.Body.String() != "anonymous" {
			t.Errorf("idle session still signs in")
		}
		if cs := rec.Result().Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 {
			t.Errorf("expired session's cookie not cleared: %v", cs)
		}
		if _, err := e.db.Session(t.Context(), c.Value); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("idle session still stored: %v", err)
		}

		// Absolute: however busy, the session ends 12 hours after login.
		c, _ = e.logIn(t)
		start := e.clock.now()
		for e.whoami(t, c) != "anonymous" {
			if e.clock.now().Sub(start) > 24*time.Hour {
				t.Fatal("a busy session never ended")
			}
			e.clock.advance(time.Hour)
		}
		if got := e.clock.now().Sub(start); got != defaultMaxAge {
			t.Errorf("busy session ended after %v, want %v", got, defaultMaxAge)
		}
	})
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		c, token := e.logIn(t)
		cookies := []*http.Cookie{c}
		form := func(token string) url.Values {
			v := url.Values{"text": {"متن"}}
			if token != "" {
				v.Set(CSRFField, token)
			}
			return v
		}
		for _, tc := range []struct {
			name   string
			method string
			form   url.Values
			cookie []*http.Cookie
			header []string
			want   int
		}{
			{"no token", "POST", form(""), cookies, nil, http.StatusForbidden},
			{"wrong token", "POST", form(lastCharChanged(token)), cookies, nil, http.StatusForbidden},
			{"another session's token", "POST", form(strings.Repeat("A", len(token))), cookies, nil, http.StatusForbidden},
			{"right token in form", "POST", form(token), cookies, nil, http.StatusOK},
			{"right token in header", "PUT", nil, cookies, []string{CSRFHeader, token}, http.StatusOK},
			{"wrong token in header", "DELETE", form(token), cookies, []string{CSRFHeader, "nope"}, http.StatusForbidden},
			{"PATCH without token", "PATCH", nil, cookies, nil, http.StatusForbidden},
			{"GET needs none", "GET", nil, cookies, nil, http.StatusOK},
			{"cross-site with token", "POST", form(token), cookies, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{"same-origin with token", "POST", form(token), cookies, []string{"Sec-Fetch-Site", "same-origin"}, http.StatusOK},
			{"foreign Origin with token", "POST", form(token), cookies, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
			{"no session passes", "POST", form(""), nil, nil, http.StatusOK},
			{"cross-site login refused", "POST", form(""), nil, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			// Bearer calls are the API's to authenticate; the cookie is not even read.
			{"bearer with cookie", "POST", form(""), cookies, []string{"Authorization", "Bearer tj_x", "Sec-Fetch-Site", "cross-site"}, http.StatusOK},
		} {
			t.Run(tc.name, func(t *testing.T) {
				rec := e.request(t, tc.method, "/anything", tc.form, tc.cookie, tc.header...)
				if rec.Code != tc.want {
					t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
				}
				if tc.name == "bearer with cookie" && rec.Body.String() != "anonymous" {
					t.Errorf("bearer request saw the session user: %q", rec.Body)
				}
				if tc.name == "right token in form" && rec.Body.String() != "translator@example.org متن" {
					t.Errorf("handler saw %q: the form must survive the CSRF check", rec.Body)
				}
			})
		}
		if got := CSRFToken(httptest.NewRequest("GET", "/", nil).Context()); got != "" {
			t.Errorf("CSRFToken without a session = %q", got)
		}
	})
}

// lastCharChanged returns token with its last character replaced by a different
// one; a fixed replacement would equal the token's own last character one time in 64.
func lastCharChanged(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "B"
	}
	return token[:len(token)-1] + last
}

func TestSetUILang(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		if err := e.auth.SetUILang(t.Context(), e.user.ID, "ar"); err != nil {
			t.Fatal(err)
		}
		c, _ := e.logIn(t)
		var got tarjuma.User
		h := e.auth.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = UserFrom(r.Context()) }), nil)
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(c)
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got.UILang != "ar" {
			t.Errorf("session user UILang %q, want ar", got.UILang)
		}
		for _, bad := range []string{"<script>", "en US", strings.Repeat("a", 36)} {
			if err := e.auth.SetUILang(t.Context(), e.user.ID, bad); !errors.Is(err, tarjuma.ErrInvalid) {
				t.Errorf("SetUILang(%q) = %v, want ErrInvalid", bad, err)
			}
		}
		if err := e.auth.SetUILang(t.Context(), 9999, "en"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("SetUILang(unknown user) = %v, want ErrNotFound", err)
		}
	})
}

func TestCreateUserRules(t *testing.T) {
	t.Parallel()
	eachDB(t, false, func(t *testing.T, e *env) {
		ok := NewUser{Email: "reviewer@example.org", Password: testPassword, Role: tarjuma.RoleReviewer}
		for _, tc := range []struct {
			name string
			edit func(*NewUser)
			code string
		}{
			{"bad email", func(u *NewUser) { u.Email = "Reviewer <r@example.org>" }, "invalid_email"},
			{"no email", func(u *NewUser) { u.Email = "" }, "invalid_email"},
			{"bad role", func(u *NewUser) { u.Role = "root" }, "invalid_role"},
			{"translator without langs", func(u *NewUser) { u.Role = tarjuma.RoleTranslator }, "missing_langs"},
			{"source language", func(u *NewUser) { u.Langs = []tarjuma.Lang{tarjuma.Arabic} }, "invalid_lang"},
			{"short password", func(u *NewUser) { u.Password = "short" }, "weak_password"},
		} {
			nu := ok
			tc.edit(&nu)
			var fe *FieldError
			if _, err := CreateUser(t.Context(), e.db, nu); !errors.As(err, &fe) || fe.Code != tc.code {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
			}
		}
		if _, err := CreateUser(t.Context(), e.db, NewUser{Email: strings.ToUpper(testEmail), Password: testPassword, Role: tarjuma.RoleEditor}); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("duplicate email in another case: %v, want ErrConflict", err)
		}
		u, err := CreateUser(t.Context(), e.db, NewUser{Email: "t2@example.org", Password: testPassword, Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{"ru", "en", "ru"}})
		if err != nil || len(u.Langs) != 2 {
			t.Errorf("CreateUser = %+v, %v; want langs ru, en once each", u, err)
		}
	})
}
