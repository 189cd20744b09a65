package review

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// The account pages: "Accounts", where admins manage every user and API token, and "My
// account", where anyone changes her password, signs out everywhere and revokes her own
// tokens. Every form posts to a desk action, which decides who may do what.

// tokenView is what the pages show of an API token: never a secret, which the store does not
// keep anyway.
type tokenView struct {
	ID                               int64
	Name                             string
	Role                             tarjuma.Role
	User                             string // the email of the user it acts as; "" for a token of its own
	CreatedAt, LastUsedAt, ExpiresAt time.Time
	Expired                          bool
}

func tokenViews(cs []store.Caller, now time.Time) []tokenView {
	vs := make([]tokenView, 0, len(cs))
	for _, c := range cs {
		v := tokenView{ID: c.Token.ID, Name: c.Token.Name, Role: c.Token.Role, CreatedAt: c.Token.CreatedAt,
			LastUsedAt: c.Token.LastUsedAt, ExpiresAt: c.Token.ExpiresAt}
		v.Expired = !v.ExpiresAt.IsZero() && !now.Before(v.ExpiresAt)
		if c.User != nil {
			v.User = c.User.Email
		}
		vs = append(vs, v)
	}
	return vs
}

// tokenRoles are the roles a token of its own may have.
var tokenRoles = []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer}

// tokenLifetimes are the expiries the create form offers, in days; 0 is never.
var tokenLifetimes = []int{0, 1, 7, 30, 90, 365}

// tokenForm is the create form as typed, kept when it is refused.
type tokenForm struct {
	Name string
	User string // email; "" for a token of its own
	Role tarjuma.Role
	Days int
}

// accountsPage is the admins' page. Secret is set only on the answer to a token's creation,
// the one time it is shown, on a page that is never cached (render sends no-store) and whose
// URL does not carry it.
type accountsPage struct {
	page
	Users     []tarjuma.User
	Tokens    []tokenView
	Roles     []tarjuma.Role
	Lifetimes []int
	Form      tokenForm
	Errors    []string // message ids
	Notice    string   // message id
	Secret    string
	SecretFor string // the new token's name
}

// accountPage is anyone's own page.
type accountPage struct {
	page
	Tokens []tokenView
	Errors []string // message ids
	Notice string   // message id
}

// accountMessage names the message of a refusal on either page; "" for one they have none for.
func accountMessage(e *desk.Error) string {
	switch e.Code {
	case "empty_field":
		if e.Field == "current_password" {
			return "account.error_current_required"
		}
		return "accounts.error_token_name"
	case "invalid_text":
		return "accounts.error_token_name"
	case "invalid_role":
		return "accounts.error_token_role"
	case "unknown_user":
		return "accounts.error_unknown_user"
	case "user_disabled":
		return "accounts.error_user_disabled"
	case "invalid_expiry":
		return "accounts.error_token_expiry"
	case "last_admin":
		return "accounts.error_last_admin"
	case "weak_password":
		return "account.error_weak_password"
	case "wrong_password":
		return "account.error_wrong_password"
	case "rate_limited":
		return "account.error_rate_limited"
	}
	return ""
}

// refusalStatus is the status a refused account form answers with, as the API's for the same
// refusal; a throttled password change also says when to try again.
func refusalStatus(w http.ResponseWriter, err error) int {
	switch {
	case errors.Is(err, desk.ErrRateLimited):
		w.Header().Set("Retry-After", strconv.Itoa(int(auth.RetryAfter(err)/time.Second)))
		return http.StatusTooManyRequests
	case errors.Is(err, tarjuma.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// showAccounts renders the admins' page under p, which carries what the last action has to say.
func (s *Server) showAccounts(w http.ResponseWriter, r *http.Request, rc *request, status int, p *accountsPage) error {
	users, err := s.db.Users(r.Context())
	if err != nil {
		return err
	}
	tokens, err := s.desk.ListTokens(r.Context(), rc.actor())
	if err != nil {
		return err
	}
	p.page, p.Users, p.Tokens = page{Nav: "accounts"}, users, tokenViews(tokens, time.Now())
	p.Roles, p.Lifetimes = tokenRoles, tokenLifetimes
	s.render(w, r, rc, status, "accounts", p)
	return nil
}

// accountsNotices are the notices a redirect back to the admins' page may ask for.
var accountsNotices = map[string]string{
	"disabled": "accounts.disabled", "enabled": "accounts.enabled", "reset": "accounts.password_reset",
	"signedout": "accounts.signed_out", "revoked": "accounts.revoked",
}

func (s *Server) accounts(w http.ResponseWriter, r *http.Request, rc *request) error {
	return s.showAccounts(w, r, rc, http.StatusOK, &accountsPage{Notice: accountsNotices[r.URL.Query().Get("done")]})
}

// accountsAction runs an admin's action on the Accounts page: back to the page with a notice
// on success, the page with the refusal's message otherwise.
func (s *Server) accountsAction(w http.ResponseWriter, r *http.Request, rc *request, done string, action func() error) error {
	err := action()
	if errs, ok := refusal(err, accountMessage); ok {
		return s.showAccounts(w, r, rc, refusalStatus(w, err), &accountsPage{Errors: errs})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/accounts?done="+done, http.StatusSeeOther)
	return nil
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	return s.accountsAction(w, r, rc, "disabled", func() error { _, err := s.desk.DisableUser(r.Context(), rc.actor(), id); return err })
}

func (s *Server) enableAccount(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	return s.accountsAction(w, r, rc, "enabled", func() error { _, err := s.desk.EnableUser(r.Context(), rc.actor(), id); return err })
}

// resetPassword sets another user's password; the admin tells it to her by other means.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	return s.accountsAction(w, r, rc, "reset", func() error {
		return s.desk.SetPassword(r, rc.actor(), id, "", r.PostFormValue("password"))
	})
}

// signOutAccount ends every session of the user; her API tokens stay.
func (s *Server) signOutAccount(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "user")
	if err != nil {
		return err
	}
	return s.accountsAction(w, r, rc, "signedout", func() error {
		_, err := s.desk.RevokeSessions(r.Context(), rc.actor(), &desk.UserRef{ID: id})
		return err
	})
}

func (s *Server) revokeAnyToken(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	return s.accountsAction(w, r, rc, "revoked", func() error { return s.desk.RevokeToken(r.Context(), rc.actor(), id) })
}

// createToken issues a token and answers with its secret, on the page itself: a redirect
// would put the secret in a URL.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := tokenForm{Name: r.PostFormValue("name"), User: strings.TrimSpace(r.PostFormValue("user")), Role: tarjuma.Role(r.PostFormValue("role"))}
	nt := desk.NewToken{Name: f.Name, Role: f.Role}
	if f.User != "" {
		nt.User, nt.Role = &desk.UserRef{Email: f.User}, "" // a user's token takes her role
	}
	if days := r.PostFormValue("days"); days != "" {
		n, err := strconv.Atoi(days)
		if err != nil {
			n = -1 // refused by the desk as invalid_expiry, like the API's out-of-range seconds
		}
		f.Days, nt.ExpiresIn = n, int64(n)*24*60*60
	}
	secret, c, err := s.desk.CreateToken(r.Context(), rc.actor(), nt)
	if errs, ok := refusal(err, accountMessage); ok {
		return s.showAccounts(w, r, rc, refusalStatus(w, err), &accountsPage{Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	return s.showAccounts(w, r, rc, http.StatusCreated, &accountsPage{Notice: "accounts.token_created", Secret: secret, SecretFor: c.Token.Name})
}

// showAccount renders the signed-in user's own page under p.
func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, rc *request, status int, p *accountPage) error {
	tokens, err := s.db.UserTokens(r.Context(), rc.user.ID)
	if err != nil {
		return err
	}
	p.page, p.Tokens = page{Nav: "account"}, tokenViews(tokens, time.Now())
	s.render(w, r, rc, status, "account", p)
	return nil
}

// accountNotices are the notices a redirect back to one's own page may ask for.
var accountNotices = map[string]string{"changed": "account.password_changed", "revoked": "accounts.revoked"}

func (s *Server) account(w http.ResponseWriter, r *http.Request, rc *request) error {
	return s.showAccount(w, r, rc, http.StatusOK, &accountPage{Notice: accountNotices[r.URL.Query().Get("done")]})
}

// changePassword changes the signed-in user's password, given her current one; her other
// sessions end, this one stays.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, rc *request) error {
	err := s.desk.SetPassword(r, rc.actor(), rc.user.ID, r.PostFormValue("current_password"), r.PostFormValue("password"))
	if errs, ok := refusal(err, accountMessage); ok {
		return s.showAccount(w, r, rc, refusalStatus(w, err), &accountPage{Errors: errs})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=changed", http.StatusSeeOther)
	return nil
}

// signOutEverywhere ends every session of the signed-in user, this one included.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, rc *request) error {
	if _, err := s.desk.RevokeSessions(r.Context(), rc.actor(), nil); err != nil {
		return err
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// revokeOwnToken revokes one of the signed-in user's tokens; another's is not found.
func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := s.desk.RevokeToken(r.Context(), rc.actor(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?done=revoked", http.StatusSeeOther)
	return nil
}
