package desk

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

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
	if fe := (*auth.FieldError)(nil); errors.As(err, &fe) {
		return tarjuma.User{}, &Error{Code: fe.Code, Field: fe.Field, Message: fe.Message, Kind: tarjuma.ErrInvalid, Err: fe}
	}
	if errors.Is(err, tarjuma.ErrConflict) {
		return tarjuma.User{}, &Error{Code: "email_taken", Field: "email", Message: "a user with this email exists", Kind: tarjuma.ErrConflict, Err: err}
	}
	return u, err
}

// MaxTokenNameRunes keeps token names to what fits on a line of a log or an audit list.
const MaxTokenNameRunes = 200

// NewToken asks for an API token: one acting as a user, which takes the user's role, or one
// with a Role of its own.
type NewToken struct {
	Name string
	Role tarjuma.Role // with a user: "" or the user's role
	User *UserRef     // nil: a token of its own
}

// UserRef names a user by email, or by id when Email is "".
type UserRef struct {
	Email string
	ID    int64
}

// CreateToken issues a token and returns its secret, the only time it is shown, with the user
// it acts as, if any.
func (d *Desk) CreateToken(ctx context.Context, a Actor, n NewToken) (secret string, tok tarjuma.Token, user *tarjuma.User, err error) {
	if err := allow(isAdmin(a), a, "create tokens"); err != nil {
		return "", tarjuma.Token{}, nil, err
	}
	name := strings.TrimSpace(n.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenNameRunes {
		return "", tarjuma.Token{}, nil, invalid("empty_field", "name", "name must be 1 to %d characters", MaxTokenNameRunes)
	}
	if err := checkText("name", name); err != nil {
		return "", tarjuma.Token{}, nil, err
	}
	if n.Role != "" && !n.Role.Valid() {
		return "", tarjuma.Token{}, nil, invalid("invalid_role", "role", "role %q: want admin, editor, translator or reviewer", n.Role)
	}
	if n.User == nil {
		if n.Role == "" {
			return "", tarjuma.Token{}, nil, invalid("invalid_role", "role", "role is required for a token without a user")
		}
		secret, tok, err = d.db.CreateToken(ctx, name, n.Role)
		return secret, tok, nil, err
	}
	u, err := d.tokenUser(ctx, *n.User)
	if err != nil {
		return "", tarjuma.Token{}, nil, err
	}
	if n.Role != "" && n.Role != u.Role {
		return "", tarjuma.Token{}, nil, invalid("invalid_role", "role", "role %q differs from the user's role %q; omit it", n.Role, u.Role)
	}
	secret, tok, err = d.db.CreateUserToken(ctx, name, u)
	if err != nil {
		return "", tarjuma.Token{}, nil, err
	}
	return secret, tok, &u, nil
}

// tokenUser finds the user a token request names.
func (d *Desk) tokenUser(ctx context.Context, ref UserRef) (tarjuma.User, error) {
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
