package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// API tokens: creation with an optional expiry, the list, revocation. Who may call what:
//
//   - CreateToken: an admin, for any user or none (the CLI acts as one).
//   - ListTokens and RevokeToken: anyone signed in; what they see and may revoke follows from
//     the viewer passed in (admins every token, others the tokens that act as them), so the
//     door only has to pass the caller.

// NewToken is what an admin (API, desk) or operator (CLI) gives to create a token.
type NewToken struct {
	Name string
	// Role is required for a token of its own; with a user it may be left empty and must
	// otherwise be the user's role, which the token takes.
	Role tarjuma.Role
	// UserID is the user the token acts as; 0 for a service token of its own.
	UserID int64
	// ExpiresIn is how long the token works, 0 for ever, at most MaxTokenLifetime.
	ExpiresIn time.Duration
}

// Token limits: names fit on a line of a log or an audit list; lifetimes stay well inside
// what a time.Duration and both databases' timestamps hold (a door converting seconds checks
// against this before multiplying).
const (
	MaxTokenNameRunes = 200
	MaxTokenLifetime  = 10 * 365 * 24 * time.Hour
)

// CreateToken validates nt (the name trimmed of spaces) and stores the token. It returns the secret, shown this once, and
// the token with its user (nil for a service token). Refusals: *tarjuma.TextProblem for a name
// that is not clean UTF-8; *FieldError for an empty or long name (empty_field), a bad or
// mismatched role (invalid_role), an unknown user (unknown_user), a disabled user
// (user_disabled) or an expiry out of range (invalid_expiry).
func CreateToken(ctx context.Context, db *store.DB, nt NewToken) (string, store.Caller, error) {
	nt.Name = strings.TrimSpace(nt.Name)
	if err := tarjuma.CheckText("name", nt.Name); err != nil {
		return "", store.Caller{}, err
	}
	if tarjuma.Blank(nt.Name) || utf8.RuneCountInString(nt.Name) > MaxTokenNameRunes {
		return "", store.Caller{}, &FieldError{Field: "name", Code: "empty_field", Message: fmt.Sprintf("name must be 1 to %d characters", MaxTokenNameRunes)}
	}
	if nt.Role != "" && !nt.Role.Valid() {
		return "", store.Caller{}, &FieldError{Field: "role", Code: "invalid_role", Message: fmt.Sprintf("role %q: want admin, editor, translator or reviewer", nt.Role)}
	}
	if nt.ExpiresIn < 0 || nt.ExpiresIn > MaxTokenLifetime {
		return "", store.Caller{}, &FieldError{Field: "expires_in", Code: "invalid_expiry",
			Message: fmt.Sprintf("expiry must be between 0 (never) and %d seconds", int64(MaxTokenLifetime/time.Second))}
	}
	var c store.Caller
	spec := store.NewToken{Name: nt.Name, Role: nt.Role, ExpiresIn: nt.ExpiresIn}
	if nt.UserID == 0 {
		if nt.Role == "" {
			return "", store.Caller{}, &FieldError{Field: "role", Code: "invalid_role", Message: "role is required for a token without a user"}
		}
	} else {
		u, err := db.User(ctx, nt.UserID)
		if errors.Is(err, tarjuma.ErrNotFound) {
			return "", store.Caller{}, &FieldError{Field: "user", Code: "unknown_user", Message: fmt.Sprintf("no user %d", nt.UserID)}
		}
		if err != nil {
			return "", store.Caller{}, fmt.Errorf("auth: create token: %w", err)
		}
		if nt.Role != "" && nt.Role != u.Role {
			return "", store.Caller{}, &FieldError{Field: "role", Code: "invalid_role", Message: fmt.Sprintf("role %q differs from the user's role %q; omit it", nt.Role, u.Role)}
		}
		spec.Role, spec.UserID, c.User = u.Role, u.ID, &u
	}
	secret, tok, err := db.IssueToken(ctx, spec)
	switch {
	case errors.Is(err, tarjuma.ErrConflict):
		return "", store.Caller{}, &FieldError{Field: "user", Code: "user_disabled", Message: fmt.Sprintf("user %d is disabled", nt.UserID)}
	case errors.Is(err, tarjuma.ErrNotFound): // deleted since it was read
		return "", store.Caller{}, &FieldError{Field: "user", Code: "unknown_user", Message: fmt.Sprintf("no user %d", nt.UserID)}
	case err != nil:
		return "", store.Caller{}, fmt.Errorf("auth: create token: %w", err)
	}
	c.Token = tok
	return secret, c, nil
}

// ListTokens lists the tokens viewer may see, oldest first, expired ones included: every
// token for an admin, for anyone else the tokens that act as them (none for a token of its
// own, whose viewer has ID 0). Secrets and hashes are not in them: the store keeps no secret.
func ListTokens(ctx context.Context, db *store.DB, viewer tarjuma.User) ([]store.Caller, error) {
	var cs []store.Caller
	var err error
	switch {
	case viewer.Role == tarjuma.RoleAdmin:
		cs, err = db.Tokens(ctx)
	case viewer.ID != 0:
		cs, err = db.UserTokens(ctx, viewer.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	return cs, nil
}

// RevokeToken deletes token id, which stops working from the next request on. An admin may
// revoke any token, anyone else only the tokens that act as them: another's token is
// tarjuma.ErrNotFound, like one that does not exist, so ids reveal nothing.
func RevokeToken(ctx context.Context, db *store.DB, viewer tarjuma.User, id int64) error {
	if viewer.Role != tarjuma.RoleAdmin {
		c, err := db.Token(ctx, id)
		if err != nil {
			return fmt.Errorf("auth: revoke token: %w", err)
		}
		if viewer.ID == 0 || c.User == nil || c.User.ID != viewer.ID {
			return fmt.Errorf("auth: revoke token %d: %w", id, tarjuma.ErrNotFound)
		}
	}
	if err := db.DeleteToken(ctx, id); err != nil {
		return fmt.Errorf("auth: revoke token: %w", err)
	}
	return nil
}
