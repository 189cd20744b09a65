package desk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/store"
)

// Credentials: API tokens, accounts being disabled and enabled, passwords, sessions. Package
// auth does the work; the desk decides who may ask for it:
//
//   - tokens: admins create them and see and revoke every one; anyone else sees and revokes
//     the tokens that act as them (another's is not found, as auth has it);
//   - disabling and enabling users: admins, never the last enabled admin (last_admin);
//   - passwords: a user changes her own with her current password; an admin sets anyone
//     else's without it;
//   - sessions: anyone signs herself out everywhere; an admin may sign out anyone.

// ErrRateLimited is the kind of a refusal for too many wrong passwords; the refusal wraps the
// *auth.RateLimitError, so auth.RetryAfter gives the wait.
var ErrRateLimited = auth.ErrRateLimited

// NewToken asks for an API token: one acting as a user, which takes the user's role, or one
// with a Role of its own.
type NewToken struct {
	Name string
	Role tarjuma.Role // with a user: "" or the user's role
	User *UserRef     // nil: a token of its own
	// ExpiresIn is the token's lifetime in seconds, 0 for ever; as both doors take it.
	ExpiresIn int64
}

// UserRef names a user by email, or by id when Email is "".
type UserRef struct {
	Email string
	ID    int64
}

// CreateToken issues a token under auth.CreateToken's rules and returns its secret, the only
// time it is shown, with the token and the user it acts as (nil for a token of its own).
// Refusals keep auth's codes: empty_field, invalid_role, unknown_user, user_disabled,
// invalid_expiry, and invalid_text for a name that is not clean UTF-8.
func (d *Desk) CreateToken(ctx context.Context, a Actor, n NewToken) (string, store.Caller, error) {
	if err := allow(isAdmin(a), a, "create tokens"); err != nil {
		return "", store.Caller{}, err
	}
	nt := auth.NewToken{Name: n.Name, Role: n.Role, ExpiresIn: lifetime(n.ExpiresIn)}
	if n.User != nil {
		u, err := d.findUser(ctx, *n.User)
		if err != nil {
			return "", store.Caller{}, err
		}
		nt.UserID = u.ID
	}
	secret, c, err := auth.CreateToken(ctx, d.db, nt)
	if err != nil {
		return "", store.Caller{}, authErr(err)
	}
	return secret, c, nil
}

// lifetime converts seconds to the duration auth.CreateToken takes. Seconds that no token
// may live (negative, or beyond auth.MaxTokenLifetime, where multiplying could overflow)
// become a negative duration, which auth refuses as invalid_expiry.
func lifetime(seconds int64) time.Duration {
	if seconds < 0 || seconds > int64(auth.MaxTokenLifetime/time.Second) {
		return -1
	}
	return time.Duration(seconds) * time.Second
}

// findUser finds the user a request names: unknown_user when there is none.
func (d *Desk) findUser(ctx context.Context, ref UserRef) (tarjuma.User, error) {
	var u tarjuma.User
	var err error
	who := ref.Email
	if ref.Email != "" {
		u, err = d.db.UserByEmail(ctx, ref.Email)
	} else {
		who = strconv.FormatInt(ref.ID, 10)
		u, err = d.db.User(ctx, ref.ID)
	}
	if errors.Is(err, tarjuma.ErrNotFound) {
		return tarjuma.User{}, invalid("unknown_user", "user", "no user %s", who)
	}
	return u, err
}

// ListTokens lists the tokens a may see, oldest first: every token for an admin, her own for
// anyone else. None carries a secret: the store keeps none.
func (d *Desk) ListTokens(ctx context.Context, a Actor) ([]store.Caller, error) {
	return auth.ListTokens(ctx, d.db, a.User)
}

// RevokeToken deletes token id, which fails from the next request on. tarjuma.ErrNotFound for
// a token that does not exist or that a may not revoke, so ids tell nothing.
func (d *Desk) RevokeToken(ctx context.Context, a Actor, id int64) error {
	return auth.RevokeToken(ctx, d.db, a.User, id)
}

// DisableUser disables user id: she cannot sign in, and her sessions and tokens end at once.
// Admins only; last_admin (a conflict) for the last enabled admin, so the desk cannot lock
// itself out; tarjuma.ErrNotFound when there is no such user.
func (d *Desk) DisableUser(ctx context.Context, a Actor, id int64) (tarjuma.User, error) {
	if err := allow(isAdmin(a), a, "disable users"); err != nil {
		return tarjuma.User{}, err
	}
	u, err := auth.DisableUser(ctx, d.db, id)
	if errors.Is(err, store.ErrLastAdmin) {
		return tarjuma.User{}, &Error{Code: "last_admin", Message: "the last enabled admin cannot be disabled; make another admin first",
			Kind: tarjuma.ErrConflict, Err: err}
	}
	return u, err
}

// EnableUser lets user id sign in again. Admins only; tarjuma.ErrNotFound when there is none.
func (d *Desk) EnableUser(ctx context.Context, a Actor, id int64) (tarjuma.User, error) {
	if err := allow(isAdmin(a), a, "enable users"); err != nil {
		return tarjuma.User{}, err
	}
	return auth.EnableUser(ctx, d.db, id)
}

// SetPassword sets user id's password to next. For a's own account it is a change, which
// needs her current password and is throttled as a login from r's client (every other
// session of hers ends, the one r came from stays); for anyone else's it is an admin's
// reset, which ends all of that user's sessions. Refusals: forbidden for anyone but the user
// and admins; empty_field (current_password) when a user's own change lacks it;
// wrong_password; weak_password; rate_limited (kind ErrRateLimited) after too many wrong
// ones; tarjuma.ErrUnavailable when the limiter cannot be asked; tarjuma.ErrNotFound for an
// unknown user.
func (d *Desk) SetPassword(r *http.Request, a Actor, id int64, current, next string) error {
	if a.User.ID == 0 || a.User.ID != id {
		if err := allow(isAdmin(a), a, "set another user's password"); err != nil {
			return err
		}
		return authErr(auth.ResetPassword(r.Context(), d.db, id, next))
	}
	if current == "" {
		return invalid("empty_field", "current_password", "the current password is required to change one's own")
	}
	err := d.auth.ChangePassword(r, id, current, next)
	switch {
	case errors.Is(err, auth.ErrRateLimited):
		return &Error{Code: "rate_limited", Field: "current_password", Message: "too many wrong passwords; retry after the number of seconds in Retry-After",
			Kind: ErrRateLimited, Err: err}
	case errors.Is(err, auth.ErrUnavailable):
		return fmt.Errorf("change password: %w: %w", tarjuma.ErrUnavailable, err)
	}
	return authErr(err)
}

// RevokeSessions signs a user out everywhere and returns how many sessions ended: a's own user
// when ref is nil, else the user ref names (admins only; unknown_user when there is none).
// empty_field (user) for a token that acts for no user and names none.
func (d *Desk) RevokeSessions(ctx context.Context, a Actor, ref *UserRef) (int64, error) {
	id := a.User.ID
	if ref != nil {
		self := id != 0 && (ref.Email == "" && ref.ID == id || ref.Email != "" && store.NormalizeEmail(ref.Email) == a.User.Email)
		if !self {
			if err := allow(isAdmin(a), a, "sign out another user"); err != nil {
				return 0, err
			}
		}
		u, err := d.findUser(ctx, *ref)
		if err != nil {
			return 0, err
		}
		id = u.ID
	}
	if id == 0 {
		return 0, invalid("empty_field", "user", "this token acts for no user: name the user to sign out")
	}
	return auth.RevokeSessions(ctx, d.db, id)
}
