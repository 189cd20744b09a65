// Package auth owns who is signed in to the review desk: password hashing (argon2id), users'
// creation rules, login with throttling, server-side sessions in cookies with idle and
// absolute timeouts, and CSRF protection for state-changing browser requests. The HTML pages
// (package review) build on it; the JSON API authenticates with bearer tokens instead and is
// left alone by the middleware.
package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// Errors LogIn returns for the login page to tell apart. Neither says whether the email exists.
// ErrRateLimited comes as a *RateLimitError carrying the wait (see RetryAfter); ErrUnavailable
// (limit.go) when the throttle's Redis is unreachable.
var (
	ErrBadCredentials = errors.New("auth: wrong email or password")
	ErrRateLimited    = errors.New("auth: too many failed logins; try again later")
	// ErrUserDisabled is given only once the password has matched, so it tells nothing to
	// someone guessing. It is also an ErrBadCredentials, for pages that do not tell them apart.
	ErrUserDisabled = fmt.Errorf("%w: the account is disabled", ErrBadCredentials)
)

// Refusals of the Middleware, handed to its fail function so that the pages can explain them
// in the visitor's language.
var (
	ErrCrossOrigin  = errors.New("auth: cross-origin request refused")
	ErrCSRF         = errors.New("auth: missing or wrong CSRF token")
	ErrFormTooLarge = errors.New("auth: form too large")
)

// Config holds the Auth's dependencies and policy; cmd builds it.
type Config struct {
	DB *store.DB
	// Redis holds the login throttle's counters, shared by every replica and kept across
	// restarts. Without it (or when it does not answer) every login is refused with
	// ErrUnavailable: no throttle means no login.
	Redis  redis.UniversalClient
	Logger *slog.Logger // nil: discard
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client; from any
	// other peer the header is ignored and the connecting address is the client.
	TrustedProxies []netip.Prefix
	// Secure is set behind TLS: the cookie gets Secure and the __Host- prefix, which browsers
	// only accept from HTTPS, for path /, without a Domain, so no subdomain can plant one.
	Secure bool
	// IdleTimeout ends a session unused this long (default 2h); MaxAge ends any session this
	// long after login (default 12h, a long shift).
	IdleTimeout, MaxAge time.Duration
	// MaxFormBytes caps a state-changing request's body, which the middleware may parse to
	// find the CSRF field (default 10 MiB, room for a glossary CSV upload).
	MaxFormBytes int64
	// Now is the clock (default time.Now); tests move it to reach the timeouts.
	Now func() time.Time
}

// Defaults for Config's zero values.
const (
	defaultIdleTimeout  = 2 * time.Hour
	defaultMaxAge       = 12 * time.Hour
	defaultMaxFormBytes = 10 << 20
	// touchEvery spares a database write on every request: last_seen_at is moved at most once
	// a minute, so the idle timeout is exact to within that.
	touchEvery = time.Minute
)

// CSRFField and CSRFHeader carry the session's CSRF token: the field in forms, the header for
// script (htmx, fetch).
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// Auth signs people in and out and guards their requests. It is safe for concurrent use.
type Auth struct {
	db       *store.DB
	log      *slog.Logger
	secure   bool
	idle     time.Duration
	maxAge   time.Duration
	maxForm  int64
	now      func() time.Time
	cookie   string
	origins  *http.CrossOriginProtection
	limiter  *limiter
	proxies  []netip.Prefix
	hashSlot chan struct{} // bounds concurrent argon2 runs, 19 MiB each
	hashes   atomic.Int64  // argon2 runs so far, which the throttle tests count
}

// New builds an Auth from cfg, filling in defaults.
func New(cfg Config) *Auth {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = defaultIdleTimeout
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = defaultMaxAge
	}
	if cfg.MaxFormBytes <= 0 {
		cfg.MaxFormBytes = defaultMaxFormBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cookie := "tarjuma_session"
	if cfg.Secure {
		cookie = "__Host-" + cookie
	}
	return &Auth{
		db:       cfg.DB,
		log:      cfg.Logger,
		secure:   cfg.Secure,
		idle:     cfg.IdleTimeout,
		maxAge:   cfg.MaxAge,
		maxForm:  cfg.MaxFormBytes,
		now:      cfg.Now,
		cookie:   cookie,
		origins:  http.NewCrossOriginProtection(),
		limiter:  &limiter{rdb: cfg.Redis},
		proxies:  cfg.TrustedProxies,
		hashSlot: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
}

type ctxKey struct{}

// session is what the middleware puts in the request context.
type session struct {
	user tarjuma.User
	csrf string
}

// UserFrom returns the signed-in user of a request that passed through Middleware.
func UserFrom(ctx context.Context) (tarjuma.User, bool) {
	s, ok := ctx.Value(ctxKey{}).(session)
	return s.user, ok
}

// CSRFToken returns the token the session's forms must carry, "" without a session.
func CSRFToken(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(session)
	return s.csrf
}

// Middleware loads the session (if any) into the request context, refreshes its idle timeout,
// and on every state-changing request (POST, PUT, PATCH, DELETE) that is not a bearer-token
// API call checks http.CrossOriginProtection and the session's CSRF token (form field
// "csrf_token" or header "X-CSRF-Token"), answering 403 when either fails. Requests without a
// session pass through: pages decide whether they need a user.
//
// Bearer calls are left alone, session unread: a browser cannot attach an Authorization
// header to a forged cross-site request, and not loading the cookie means such a request is
// never treated as the signed-in user.
//
// A session that cannot be loaded (the database failed) and the refusals above are handed to
// fail, so that the pages answer them like any other error (503 while the database is down,
// 403, 413); the request goes no further. A nil fail answers in plain text.
func (a *Auth) Middleware(next http.Handler, fail func(w http.ResponseWriter, r *http.Request, err error)) http.Handler {
	refuse := func(w http.ResponseWriter, r *http.Request, err error, status int) {
		if fail != nil {
			fail(w, r, err)
			return
		}
		http.Error(w, err.Error(), status)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " "); strings.EqualFold(scheme, "Bearer") {
			next.ServeHTTP(w, r)
			return
		}
		id, s, ok, err := a.load(w, r)
		if err != nil {
			err = fmt.Errorf("load session: %w", err)
			if fail != nil {
				fail(w, r, err) // which logs it
				return
			}
			a.log.ErrorContext(r.Context(), "load session", "method", r.Method, "path", r.URL.Path, "error", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		if unsafeMethod(r.Method) {
			// Checked with or without a session: the login form itself must not be posted
			// from another site (login CSRF).
			if err := a.origins.Check(r); err != nil {
				refuse(w, r, fmt.Errorf("%w: %w", ErrCrossOrigin, err), http.StatusForbidden)
				return
			}
			if ok {
				switch valid, tooLarge := a.validCSRF(w, r, s.CSRFToken); {
				case tooLarge:
					// Said as it is: a form that cannot be read has no token, but calling an
					// oversized upload a CSRF failure sends the user looking for the wrong fault.
					refuse(w, r, fmt.Errorf("%w: file too large: a form may send at most %d MiB", ErrFormTooLarge, a.maxForm>>20), http.StatusRequestEntityTooLarge)
					return
				case !valid:
					refuse(w, r, ErrCSRF, http.StatusForbidden)
					return
				}
			}
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		if now := a.now(); now.Sub(s.LastSeenAt) >= touchEvery {
			if err := a.db.TouchSession(r.Context(), id, now); err != nil {
				// The request can go on; at worst the session times out a little early.
				a.log.WarnContext(r.Context(), "touch session", "user_id", s.User.ID, "error", err)
			}
		}
		ctx := context.WithValue(r.Context(), ctxKey{}, session{user: s.User, csrf: s.CSRFToken})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// load finds the request's live session. A timed-out one is deleted and its cookie cleared.
func (a *Auth) load(w http.ResponseWriter, r *http.Request) (id string, s store.Session, ok bool, err error) {
	c, err := r.Cookie(a.cookie)
	if err != nil || c.Value == "" {
		return "", store.Session{}, false, nil
	}
	s, err = a.db.Session(r.Context(), c.Value)
	if errors.Is(err, tarjuma.ErrNotFound) {
		a.clearCookie(w)
		return "", store.Session{}, false, nil
	}
	if err != nil {
		return "", store.Session{}, false, err
	}
	if now := a.now(); now.Sub(s.LastSeenAt) >= a.idle || now.Sub(s.CreatedAt) >= a.maxAge {
		if err := a.db.DeleteSession(r.Context(), c.Value); err != nil {
			return "", store.Session{}, false, err
		}
		a.clearCookie(w)
		return "", store.Session{}, false, nil
	}
	return c.Value, s, true, nil
}

// validCSRF compares the request's token with want in constant time. The header is looked at
// first so that script can post JSON without a form body; the body is parsed under the
// MaxFormBytes cap, and what it held stays available to the handler through r.Form. The cap
// holds with the header too, so a handler parsing the body itself is bounded the same way.
// tooLarge reports a body over the cap, which has no readable token but is no forgery.
func (a *Auth) validCSRF(w http.ResponseWriter, r *http.Request, want string) (valid, tooLarge bool) {
	r.Body = http.MaxBytesReader(w, r.Body, a.maxForm)
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		// As PostFormValue would parse it, but with the error kept: a body that fails to
		// parse has no token (403), unless it failed for its size (413).
		err := r.ParseMultipartForm(multipartMemory)
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return false, true
		}
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1, false
}

// multipartMemory is how much of a multipart form is held in memory before its files spill to
// temporary files, as net/http's own default for PostFormValue.
const multipartMemory = 32 << 20

// LogIn checks the password and on success replaces any session the request carried by a new
// one and sets its cookie. The attempt is counted in Redis before the password is hashed, per
// (email, client address), per address and per email (limit.go): over a limit it gets a
// *RateLimitError (ErrRateLimited) without hashing; with Redis unreachable, ErrUnavailable.
// A wrong password and an unknown email both give ErrBadCredentials after the same argon2 work.
func (a *Auth) LogIn(w http.ResponseWriter, r *http.Request, email, password string) (tarjuma.User, error) {
	ctx := r.Context()
	now := a.now()
	res, err := a.limiter.reserve(ctx, store.NormalizeEmail(email), clientKey(r, a.proxies), now)
	if err != nil {
		return tarjuma.User{}, err
	}
	u, hash, err := a.db.UserCredentials(ctx, email)
	known := err == nil
	switch {
	case errors.Is(err, tarjuma.ErrNotFound):
		hash = dummyHash()
	case err != nil:
		return tarjuma.User{}, fmt.Errorf("auth: log in: %w", err)
	}
	match, err := a.verify(ctx, hash, password)
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("auth: log in user %d: %w", u.ID, err)
	}
	if !known || !match {
		return tarjuma.User{}, ErrBadCredentials
	}
	if !u.DisabledAt.IsZero() {
		// Counted as a failure: the attempt stays reserved.
		return tarjuma.User{}, ErrUserDisabled
	}
	a.releaseAttempt(ctx, res, u.ID)

	// Rotation: whatever session id the browser had (perhaps one an attacker planted) dies here.
	if c, err := r.Cookie(a.cookie); err == nil && c.Value != "" {
		if err := a.db.DeleteSession(ctx, c.Value); err != nil {
			return tarjuma.User{}, fmt.Errorf("auth: log in: %w", err)
		}
	}
	id, s, err := a.db.CreateSession(ctx, u.ID, now)
	if errors.Is(err, tarjuma.ErrConflict) { // disabled since the check above
		return tarjuma.User{}, ErrUserDisabled
	}
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("auth: log in: %w", err)
	}
	http.SetCookie(w, a.newCookie(id, int(a.maxAge/time.Second)))
	// Logins are rare enough to carry the cleanup of dead sessions, so no background job is needed.
	if _, err := a.db.DeleteExpiredSessions(ctx, now.Add(-a.idle), now.Add(-a.maxAge)); err != nil {
		a.log.WarnContext(ctx, "delete expired sessions", "error", err)
	}
	return s.User, nil
}

// releaseAttempt gives a successful attempt's reservation back to the limiter.
func (a *Auth) releaseAttempt(ctx context.Context, res reservation, userID int64) {
	if err := a.limiter.release(ctx, res); err != nil {
		// The attempt stands; it just stays counted until its window ends.
		a.log.WarnContext(ctx, "release login attempt", "user_id", userID, "error", err)
	}
}

// ChangePassword replaces the password of user userID, who must give the current one. The
// check is a login attempt: counted by the same limiter before the hash, per (email, client
// address of r) and so on, so it cannot be used to guess the password faster than the login
// page. Every other session of the user ends; the one r was sent from (if any) stays signed in.
// Errors: *FieldError for a new password that breaks the rules (weak_password, checked first
// and not counted) or a wrong current one (current_password, wrong_password); a
// *RateLimitError (ErrRateLimited); ErrUnavailable without the limiter's Redis;
// tarjuma.ErrNotFound for an unknown or disabled user.
func (a *Auth) ChangePassword(r *http.Request, userID int64, current, next string) error {
	ctx := r.Context()
	if err := checkPassword(next); err != nil {
		return err
	}
	u, err := a.db.User(ctx, userID)
	if err == nil && !u.DisabledAt.IsZero() {
		err = fmt.Errorf("user %d is disabled: %w", userID, tarjuma.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	res, err := a.limiter.reserve(ctx, u.Email, clientKey(r, a.proxies), a.now())
	if err != nil {
		return err
	}
	_, hash, err := a.db.UserCredentials(ctx, u.Email)
	if err != nil {
		return fmt.Errorf("auth: change password of user %d: %w", userID, err)
	}
	match, err := a.verify(ctx, hash, current)
	if err != nil {
		return fmt.Errorf("auth: change password of user %d: %w", userID, err)
	}
	if !match {
		return &FieldError{Field: "current_password", Code: "wrong_password", Message: "the current password is wrong"}
	}
	a.releaseAttempt(ctx, res, userID)
	keep := ""
	if c, err := r.Cookie(a.cookie); err == nil {
		keep = c.Value
	}
	if err := a.db.SetPasswordHash(ctx, userID, hashPassword(next), keep); err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	return nil
}

// verify runs VerifyPassword in one of the hash slots, so a burst of logins queues instead of
// allocating 19 MiB each at once.
func (a *Auth) verify(ctx context.Context, hash, password string) (bool, error) {
	select {
	case a.hashSlot <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-a.hashSlot }()
	a.hashes.Add(1)
	return VerifyPassword(hash, password)
}

// LogOut deletes the request's session server-side, so a copied cookie stops working too, and
// clears the cookie.
func (a *Auth) LogOut(w http.ResponseWriter, r *http.Request) error {
	a.clearCookie(w)
	c, err := r.Cookie(a.cookie)
	if err != nil || c.Value == "" {
		return nil
	}
	if err := a.db.DeleteSession(r.Context(), c.Value); err != nil {
		return fmt.Errorf("auth: log out: %w", err)
	}
	return nil
}

func (a *Auth) newCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     a.cookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

func (a *Auth) clearCookie(w http.ResponseWriter) { http.SetCookie(w, a.newCookie("", -1)) }

// maxUILangBytes fits any BCP 47 tag the locale package could offer.
const maxUILangBytes = 35

// SetUILang stores the signed-in user's interface language (the pages' language switcher); ""
// returns them to negotiation. Which languages exist is package locale's business; this only
// refuses what cannot be a language tag (tarjuma.ErrInvalid).
func (a *Auth) SetUILang(ctx context.Context, userID int64, lang string) error {
	if len(lang) > maxUILangBytes || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
		return fmt.Errorf("auth: interface language %q: %w", lang, tarjuma.ErrInvalid)
	}
	return a.db.SetUILang(ctx, userID, lang)
}
