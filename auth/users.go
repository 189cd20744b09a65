package auth

import (
	"context"
	"fmt"
	"net/mail"
	"slices"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// FieldError says which field of a request was refused. Code is stable and machine-readable
// (the API returns it, pages translate it); Message is for developers and logs. It wraps
// tarjuma.ErrInvalid.
type FieldError struct {
	Field string
	// weak_password, invalid_email, invalid_role, invalid_lang, missing_langs; for tokens
	// empty_field, unknown_user, user_disabled, invalid_expiry; wrong_password for a password
	// change whose current password does not match.
	Code    string
	Message string
}

func (e *FieldError) Error() string { return "auth: " + e.Field + ": " + e.Message }
func (e *FieldError) Unwrap() error { return tarjuma.ErrInvalid }

// NewUser is what an admin (API) or operator (CLI) gives to create an account.
type NewUser struct {
	Email    string
	Password string
	Role     tarjuma.Role
	Langs    []tarjuma.Lang
}

// maxEmailBytes is the longest address SMTP can carry (RFC 5321's path limit less the brackets).
const maxEmailBytes = 254

// CreateUser validates nu, hashes the password and stores the user: a *FieldError for bad
// input, tarjuma.ErrConflict when the email is taken. The API and the CLI share it so that
// both apply one set of rules.
func CreateUser(ctx context.Context, db *store.DB, nu NewUser) (tarjuma.User, error) {
	email := store.NormalizeEmail(nu.Email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > maxEmailBytes {
		return tarjuma.User{}, &FieldError{Field: "email", Code: "invalid_email", Message: "email must be a plain address such as name@example.org"}
	}
	if !nu.Role.Valid() {
		return tarjuma.User{}, &FieldError{Field: "role", Code: "invalid_role", Message: fmt.Sprintf("role %q: want admin, editor, translator or reviewer", nu.Role)}
	}
	var langs []tarjuma.Lang
	for _, l := range nu.Langs {
		if !l.Valid() {
			return tarjuma.User{}, &FieldError{Field: "langs", Code: "invalid_lang", Message: fmt.Sprintf("language %q: want tg, ru or en", l)}
		}
		if !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	// A translator without languages could sign in but edit nothing: refuse it up front.
	if nu.Role == tarjuma.RoleTranslator && len(langs) == 0 {
		return tarjuma.User{}, &FieldError{Field: "langs", Code: "missing_langs", Message: "a translator needs at least one language"}
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return tarjuma.User{}, err
	}
	return db.CreateUser(ctx, store.NewUser{Email: email, PasswordHash: hash, Role: nu.Role, Langs: langs})
}

// Account lifecycle. Who may call what (the desk and the API check it; the CLI is an operator,
// who may do all of it):
//
//   - DisableUser, EnableUser, ResetPassword: admins.
//   - RevokeSessions: the user themselves ("sign out everywhere"), or an admin for anyone.
//   - Auth.ChangePassword: the user themselves, who must give their current password.

// DisableUser disables the user: they cannot sign in, and their sessions and API tokens are
// ended in the same transaction, so nothing of theirs works from the next request on.
// Enabling them again brings none of those back. tarjuma.ErrNotFound when there is no user id;
// store.ErrLastAdmin (a tarjuma.ErrConflict) for the last enabled admin, whom no door, the CLI
// included, may disable: nobody would be left to manage the desk.
func DisableUser(ctx context.Context, db *store.DB, id int64) (tarjuma.User, error) {
	u, err := db.DisableUser(ctx, id)
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// EnableUser lets a disabled user sign in again; tarjuma.ErrNotFound when there is no user id.
func EnableUser(ctx context.Context, db *store.DB, id int64) (tarjuma.User, error) {
	u, err := db.EnableUser(ctx, id)
	if err != nil {
		return tarjuma.User{}, fmt.Errorf("auth: %w", err)
	}
	return u, nil
}

// ResetPassword sets a new password for the user without asking for the old one, and ends all
// their sessions: whoever knew the old password is out. Their API tokens stay; revoke them
// separately if they leaked too. *FieldError (weak_password) for a password that breaks the
// rules; tarjuma.ErrNotFound when there is no user id.
func ResetPassword(ctx context.Context, db *store.DB, userID int64, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	if err := db.SetPasswordHash(ctx, userID, hash, ""); err != nil {
		return fmt.Errorf("auth: reset password: %w", err)
	}
	return nil
}

// RevokeSessions signs the user out everywhere, the session asking included, and returns how
// many sessions ended.
func RevokeSessions(ctx context.Context, db *store.DB, userID int64) (int64, error) {
	n, err := db.DeleteUserSessions(ctx, userID, "")
	if err != nil {
		return 0, fmt.Errorf("auth: %w", err)
	}
	return n, nil
}
