package desk

import (
	"context"
	"errors"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
)

// CreateUser creates an account under auth.CreateUser's rules (the CLI's too): a refused
// field keeps auth's code; email_taken (Kind tarjuma.ErrConflict) when the email is in use.
func (d *Desk) CreateUser(ctx context.Context, a Actor, nu auth.NewUser) (tarjuma.User, error) {
	if err := allow(isAdmin(a), a, "create users"); err != nil {
		return tarjuma.User{}, err
	}
	u, err := auth.CreateUser(ctx, d.db, nu)
	if errors.Is(err, tarjuma.ErrConflict) {
		return tarjuma.User{}, &Error{Code: "email_taken", Field: "email", Message: "a user with this email exists", Kind: tarjuma.ErrConflict, Err: err}
	}
	return u, authErr(err)
}

// authErr is err with auth's refusals of a field made desk refusals keeping auth's code: a
// *auth.FieldError, and a *tarjuma.TextProblem (a NUL, invalid UTF-8) as invalid_text.
func authErr(err error) error {
	if fe := (*auth.FieldError)(nil); errors.As(err, &fe) {
		return &Error{Code: fe.Code, Field: fe.Field, Message: fe.Message, Kind: tarjuma.ErrInvalid, Err: fe}
	}
	if tp := (*tarjuma.TextProblem)(nil); errors.As(err, &tp) {
		return &Error{Code: "invalid_text", Field: tp.Field, Message: tp.Error(), Kind: ErrMalformed, Err: tp}
	}
	return err
}
