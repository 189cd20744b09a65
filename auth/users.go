package auth

import (
	"context"
	"fmt"
	"net/mail"
	"slices"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// FieldError says which field of a new user was refused. Code is stable and machine-readable
// (the API returns it, pages translate it); Message is for developers and logs. It wraps
// tarjuma.ErrInvalid.
type FieldError struct {
	Field   string
	Code    string // weak_password, invalid_email, invalid_role, invalid_lang or missing_langs
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
