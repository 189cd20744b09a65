package review

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/locale"
)

type loginPage struct {
	page
	Next  string
	Email string
	Error string // message id
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request, rc *request) error {
	next := localPath(r.URL.Query().Get("next"))
	if rc.signedIn {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	s.render(w, r, rc, http.StatusOK, "login", &loginPage{Next: next})
	return nil
}

// login signs in and goes back to the page that sent the visitor here. Wrong credentials and
// the rate limit re-show the form with the email kept.
func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *request) error {
	email, next := r.PostFormValue("email"), localPath(r.PostFormValue("next"))
	_, err := s.auth.LogIn(w, r, email, r.PostFormValue("password"))
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		s.render(w, r, rc, http.StatusUnauthorized, "login", &loginPage{Next: next, Email: email, Error: "login.bad_credentials"})
		return nil
	case errors.Is(err, auth.ErrRateLimited):
		w.Header().Set("Retry-After", strconv.Itoa(int(auth.RetryAfter(err)/time.Second)))
		s.render(w, r, rc, http.StatusTooManyRequests, "login", &loginPage{Next: next, Email: email, Error: "login.rate_limited"})
		return nil
	case errors.Is(err, auth.ErrUnavailable):
		// Refused rather than let through unthrottled; logged, since it is ours to fix.
		s.log.ErrorContext(r.Context(), "log in", "error", err)
		w.Header().Set("Retry-After", "30")
		s.render(w, r, rc, http.StatusServiceUnavailable, "login", &loginPage{Next: next, Email: email, Error: "login.unavailable"})
		return nil
	case err != nil:
		return fmt.Errorf("log in: %w", err)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ *request) error {
	if err := s.auth.LogOut(w, r); err != nil {
		return fmt.Errorf("log out: %w", err)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// langCookieAge keeps a visitor's choice for a year; it is a preference, not a secret.
const langCookieAge = 365 * 24 * time.Hour

// switchLang remembers the chosen interface language in a cookie, and for a signed-in user
// also in their account, so it follows them to other browsers.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request, rc *request) error {
	lang := r.PostFormValue("lang")
	if !s.locale.Supported(lang) {
		return fmt.Errorf("interface language %q: %w", lang, tarjuma.ErrInvalid)
	}
	if rc.signedIn {
		if err := s.auth.SetUILang(r.Context(), rc.user.ID, lang); err != nil {
			return fmt.Errorf("save interface language: %w", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: locale.CookieName, Value: lang, Path: "/", MaxAge: int(langCookieAge / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}
