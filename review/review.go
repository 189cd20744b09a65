// Package review owns the review desk: the server-rendered pages where editors submit articles,
// translators correct drafts segment by segment against the Arabic source and the glossary,
// reviewers approve or reject them, and admins manage the webhook subscribers that approved
// translations are delivered to and the accounts and API tokens of everyone (each user her own
// password, sessions and tokens). Pages are html/template files embedded with the stylesheet and
// a little script, parsed once at start-up and filled with typed page data. Every route and who
// may use it is listed in routes; the language of each page comes from package locale and
// signing in, sessions and CSRF from package auth. Every action a form posts is carried out by
// package desk, which holds the rules; this package reads the form and renders the outcome.
package review

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/internal/muxstatus"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config holds the Server's dependencies; cmd builds them.
type Config struct {
	DB *store.DB
	// Desk carries out every action the forms post; cmd passes the one the API shares, so both
	// doors apply the same rules. Its glossary is the one the editor checks against.
	Desk   *desk.Desk
	Auth   *auth.Auth
	Locale *locale.Bundle
	Logger *slog.Logger // nil: discard
}

// Server is the review desk as an http.Handler.
type Server struct {
	db      *store.DB
	desk    *desk.Desk
	auth    *auth.Auth
	locale  *locale.Bundle
	log     *slog.Logger
	pages   *pages
	assets  *assets
	handler http.Handler
}

// New parses the embedded templates and builds the Server. A template that does not parse is
// a bug in this package, not a condition to handle, so it panics, as template.Must does; every
// test that builds a Server catches it.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(fmt.Sprintf("review: %v", err))
	}
	assets, err := loadAssets(static)
	if err != nil {
		panic(err)
	}
	s := &Server{db: cfg.DB, desk: cfg.Desk, auth: cfg.Auth, locale: cfg.Locale, log: cfg.Logger, pages: mustParsePages(assets), assets: assets}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.adapt(rt))
	}
	// A session that cannot be loaded (the database is down) is shown as any handler's error
	// would be, by fail, instead of the middleware's plain-text 500.
	s.handler = securityHeaders(cfg.Auth.Middleware(s.dispatch(mux), func(w http.ResponseWriter, r *http.Request, err error) {
		s.fail(w, r, s.newRequest(r), err)
	}))
	return s
}

// dispatch answers a request no route matches with the desk's error page, in the visitor's
// language and with the security headers every page has, instead of the mux's plain text: a
// 404 for an unknown path, a 405 (keeping the mux's Allow) for a known path and another
// method. cmd mounts the Server on "/" too, so this covers every path outside /api/.
func (s *Server) dispatch(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		err := fmt.Errorf("page %q: %w", r.URL.Path, tarjuma.ErrNotFound)
		header := http.Header{}
		if muxstatus.Of(mux, r, header) == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", header.Get("Allow"))
			err = fmt.Errorf("%s %q: %w", r.Method, r.URL.Path, errMethodNotAllowed)
		}
		s.fail(w, r, s.newRequest(r), err)
	})
}

// errMethodNotAllowed is a request for a known path with a method no route takes.
var errMethodNotAllowed = errors.New("method not allowed")

// ServeHTTP serves the pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the mux patterns the Server answers, so cmd can mount it beside the API.
func (s *Server) Routes() []string {
	var patterns []string
	for _, rt := range s.routes() {
		patterns = append(patterns, rt.pattern)
	}
	return patterns
}

// access decides whether a signed-in user may use a route; the request gives the path values
// (a translator may edit only the languages assigned to them).
type access func(u tarjuma.User, r *http.Request) bool

func anyone(tarjuma.User, *http.Request) bool { return true }

func editors(u tarjuma.User, _ *http.Request) bool {
	return u.Role == tarjuma.RoleEditor || u.Role == tarjuma.RoleAdmin
}

func admins(u tarjuma.User, _ *http.Request) bool { return u.Role == tarjuma.RoleAdmin }

func reviewers(u tarjuma.User, _ *http.Request) bool { return u.CanReview() }

// editorsOfLang asks the desk's rule for saving a version, so that a translator outside her
// languages is turned away before the form is read, as the API turns her away.
func editorsOfLang(u tarjuma.User, r *http.Request) bool {
	return desk.MayEdit(desk.Actor{User: u}, tarjuma.Lang(r.PathValue("lang"))) == nil
}

// route is one page or form action and who may use it.
type route struct {
	pattern string
	public  bool   // no sign-in needed
	allow   access // for signed-in users; ignored when public
	handle  func(w http.ResponseWriter, r *http.Request, rc *request) error
}

// routes is the one place that lists the desk's pages and actions and their permissions. Every
// signed-in role may read the queue, drafts (with their deliveries, as in the API), histories
// and the glossary: editors follow their articles and everyone looks terms up. Changing
// anything needs the role for it; webhook subscribers, whose secrets and URLs reach outside the
// desk, are admins' alone.
func (s *Server) routes() []route {
	return []route{
		{"GET /static/", true, nil, s.serveStatic}, // the login page needs the stylesheet
		{"GET /{$}", false, anyone, s.home},
		{"GET /login", true, nil, s.loginForm},
		{"POST /login", true, nil, s.login},
		{"POST /logout", false, anyone, s.logout},
		{"POST /lang", true, nil, s.switchLang},
		{"GET /review", false, anyone, s.queue},
		{"GET /review/{article}/{lang}", false, anyone, s.editor},
		{"POST /review/{article}/{lang}", false, editorsOfLang, s.save},
		{"POST /review/{article}/{lang}/approve", false, reviewers, s.approve},
		{"POST /review/{article}/{lang}/reject", false, reviewers, s.reject},
		{"POST /review/{article}/{lang}/versions/{n}/segments/{segment}/dismissals", false, editorsOfLang, s.dismiss},
		{"POST /review/{article}/{lang}/segments/{segment}/check", false, editorsOfLang, s.checkSegment},
		{"POST /review/{article}/{lang}/segments/{segment}", false, editorsOfLang, s.saveSegment},
		{"PUT /review/{article}/{lang}/drafts/{segment}", false, editorsOfLang, s.saveDraft},
		{"GET /review/{article}/{lang}/session", false, anyone, s.sessionState},
		{"GET /review/{article}/{lang}/history", false, anyone, s.history},
		{"POST /review/{article}/{lang}/versions/{n}/revert", false, editorsOfLang, s.revert},
		{"GET /articles/{article}/source", false, editors, s.sourceForm},
		{"POST /articles/{article}/source", false, editors, s.editSource},
		// Comments and assignment; the desk checks again who may release whose work.
		{"POST /review/{article}/{lang}/comments", false, commenters, s.comment},
		{"POST /review/{article}/{lang}/claim", false, editorsOfLang, s.claim},
		{"POST /review/{article}/{lang}/assign", false, editors, s.assign},
		{"POST /review/{article}/{lang}/release", false, anyone, s.release},
		{"POST /review/{article}/{lang}/deliveries/{id}/redeliver", false, admins, s.redeliver},
		{"GET /review/{article}/{lang}/segments/{segment}/suggestions", false, anyone, s.suggestions},
		{"GET /memory", false, anyone, s.concordance},
		{"POST /review/{article}/{lang}/withdraw", false, editors, s.withdraw},
		{"POST /review/{article}/{lang}/embargo", false, editors, s.changeEmbargo},
		{"GET /glossary", false, anyone, s.glossaryList},
		{"POST /glossary", false, admins, s.createTerm},
		{"GET /glossary/terms/{id}", false, anyone, s.termPage},
		{"POST /glossary/terms/{id}", false, admins, s.updateTerm},
		{"POST /glossary/import", false, admins, s.importTerms},
		{"GET /submit", false, editors, s.submitForm},
		{"POST /submit", false, editors, s.submit},
		{"GET /subscribers", false, admins, s.subscribers},
		{"POST /subscribers", false, admins, s.createSubscriber},
		{"POST /subscribers/{id}/rotate", false, admins, s.rotateSubscriber},
		{"POST /subscribers/{id}/delete", false, admins, s.deleteSubscriber},
		{"POST /subscribers/{id}/enable", false, admins, subscriberAction(s.desk.EnableSubscriber, "enabled")},
		{"POST /subscribers/{id}/disable", false, admins, subscriberAction(s.desk.DisableSubscriber, "disabled")},
		{"POST /subscribers/{id}/test", false, admins, subscriberAction(s.desk.TestSubscriber, "tested")},
		// Accounts: admins manage every user and token; anyone her own password, sessions and
		// tokens. The desk checks again who may act on whom.
		{"GET /accounts", false, admins, s.accounts},
		{"POST /accounts/users/{id}/disable", false, admins, s.disableAccount},
		{"POST /accounts/users/{id}/enable", false, admins, s.enableAccount},
		{"POST /accounts/users/{id}/password", false, admins, s.resetPassword},
		{"POST /accounts/users/{id}/signout", false, admins, s.signOutAccount},
		{"POST /accounts/tokens", false, admins, s.createToken},
		{"POST /accounts/tokens/{id}/revoke", false, admins, s.revokeAnyToken},
		{"GET /account", false, anyone, s.account},
		{"POST /account/password", false, anyone, s.changePassword},
		{"POST /account/signout", false, anyone, s.signOutEverywhere},
		{"POST /account/tokens/{id}/revoke", false, anyone, s.revokeOwnToken},
	}
}

// request is what every handler needs to know about the request it serves.
type request struct {
	user     tarjuma.User
	signedIn bool
	lang     string // interface language
	dir      string
	l        *locale.Localizer
}

// newRequest negotiates the language for the request's user, if any.
func (s *Server) newRequest(r *http.Request) *request {
	rc := &request{}
	rc.user, rc.signedIn = auth.UserFrom(r.Context())
	rc.lang, rc.dir = s.locale.Negotiate(r, rc.user.UILang)
	rc.l = s.locale.Localizer(rc.lang)
	return rc
}

// actor is the signed-in user as the desk sees them; their email is the name their writes record.
func (rc *request) actor() desk.Actor { return desk.Actor{User: rc.user, Name: rc.user.Email} }

// adapt checks access, negotiates the language and turns a handler's error into a page.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := s.newRequest(r)
		if !rt.public {
			if !rc.signedIn && wantsJSON(r) {
				// The editor's script asks the person to sign in again in the page.
				jsonError(w, rc, http.StatusUnauthorized, "signed_out", "editor.signed_out")
				return
			}
			if !rc.signedIn {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(r.URL.RequestURI())), http.StatusSeeOther)
				return
			}
			if !rt.allow(rc.user, r) {
				s.fail(w, r, rc, desk.ErrForbidden)
				return
			}
		}
		if err := rt.handle(w, r, rc); err != nil {
			s.fail(w, r, rc, err)
		}
	})
}

// fail shows the error page with the status the error maps to; only internal errors are
// logged, since the others are the visitor's to fix.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rc *request, err error) {
	status, msg := http.StatusInternalServerError, "error.internal"
	err = store.Unavailable(err) // as the API does: a query cut off by a database going down
	switch {
	case errors.Is(err, desk.ErrForbidden):
		status, msg = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, auth.ErrCSRF), errors.Is(err, auth.ErrCrossOrigin):
		status, msg = http.StatusForbidden, "error.csrf"
	case errors.Is(err, auth.ErrFormTooLarge):
		status, msg = http.StatusRequestEntityTooLarge, "error.too_large"
	case errors.Is(err, tarjuma.ErrNotFound):
		status, msg = http.StatusNotFound, "error.not_found"
	case errors.Is(err, errMethodNotAllowed):
		status, msg = http.StatusMethodNotAllowed, "error.method_not_allowed"
	case errors.Is(err, tarjuma.ErrInvalid):
		status, msg = http.StatusUnprocessableEntity, "error.invalid"
	case errors.Is(err, tarjuma.ErrConflict):
		status, msg = http.StatusConflict, "error.conflict"
	case errors.Is(err, tarjuma.ErrUnavailable):
		// A warning, not an error: the outage is not this page's bug, and /readyz reports it too.
		status, msg = http.StatusServiceUnavailable, "error.unavailable"
		s.log.WarnContext(r.Context(), "review page: backing service unavailable", "method", r.Method, "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(tarjuma.UnavailableRetryAfter/time.Second)))
	default:
		s.log.ErrorContext(r.Context(), "review page failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if wantsJSON(r) {
		c := code(err)
		if c == "" {
			c = strings.TrimPrefix(msg, "error.") // forbidden, not_found, invalid, conflict, ...
		}
		jsonError(w, rc, status, c, msg)
		return
	}
	s.render(w, r, rc, status, "error", &errorPage{Message: msg})
}

// localPath returns p when it is a clean absolute path on this site, query and fragment kept,
// and "/review" otherwise. It is the one home of the rule for every redirect to a target the
// visitor supplied (next= on /login and on the language switcher), so that a crafted target
// cannot send a signed-in user to another site. Browsers strip tabs and newlines, read a
// backslash as a slash and resolve dot segments before they follow a Location, so the checks
// are on what a browser would make of p, not on its spelling:
//   - p starts with a single "/" and has no scheme or host;
//   - neither p nor p percent-decoded holds a control character or a backslash;
//   - the decoded path is already clean (path.Clean gives it back, bar a trailing slash), so
//     no "." or ".." segment and no empty one can turn it into "//host" ("/%2F%2Fevil",
//     "/review/../..//evil");
//   - it is not the login page, which would send the visitor round in a loop.
func localPath(p string) string {
	const fallback = "/review"
	if !strings.HasPrefix(p, "/") {
		return fallback
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return fallback
	}
	decoded, err := url.PathUnescape(p) // holds p's raw runes too; fails on a malformed escape
	if err != nil || strings.ContainsFunc(decoded, notInTarget) {
		return fallback
	}
	clean := path.Clean(u.Path) // u.Path is decoded: %2F is a slash here
	if u.Path != clean && u.Path != clean+"/" || strings.HasPrefix(clean, "/login") {
		return fallback
	}
	return p
}

// notInTarget reports the runes a redirect target may not hold, raw or percent-encoded.
func notInTarget(r rune) bool { return r == '\\' || unicode.IsControl(r) }

// contentSecurityPolicy allows only the desk's own script and stylesheet: no inline script or
// style, so injected markup could not run even if escaping failed; no framing (clickjacking).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, _ *request) error {
	http.Redirect(w, r, "/review", http.StatusSeeOther)
	return nil
}
