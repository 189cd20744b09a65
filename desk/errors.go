package desk

import (
	"errors"
	"fmt"

	"github.com/tarjuma/tarjuma"
)

// Kinds of refusal beyond the tarjuma sentinels. Each door maps a kind to its answer in one
// place (the API to a status, the pages to a status and a message).
var (
	// ErrForbidden is an actor asking for what their role or languages do not allow.
	ErrForbidden = errors.New("forbidden")
	// ErrMalformed is input no client should send (a NUL, invalid UTF-8, an unprintable key),
	// as opposed to input a person may fix; it is a kind of tarjuma.ErrInvalid.
	ErrMalformed = fmt.Errorf("malformed input: %w", tarjuma.ErrInvalid)
)

// Error is a refusal of an action: a stable machine-readable Code (the API returns it, the
// pages map it to a message id), the Field it concerns, and a Message for developers. It
// unwraps to its Kind (tarjuma.ErrInvalid, ErrMalformed, tarjuma.ErrConflict, ErrForbidden,
// ...) and to the cause, if any, so that errors.Is and errors.As see both.
type Error struct {
	Code    string
	Field   string // "" when the refusal concerns no one field
	Message string
	Kind    error
	Err     error // the cause: a *tarjuma.OpenIssuesError, a *glossary.ValidationError, ...
	// Also holds the further problems found in the same input, for a form that lists them
	// all; the API answers with the first.
	Also []*Error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap gives the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Issues are the open issues of an open_issues refusal; nil for any other.
func (e *Error) Issues() []tarjuma.Issue {
	if oe := (*tarjuma.OpenIssuesError)(nil); errors.As(e.Err, &oe) {
		return oe.Issues
	}
	return nil
}

// Codes lists the codes of e and of the problems it holds besides, in order.
func (e *Error) Codes() []string {
	codes := []string{e.Code}
	for _, a := range e.Also {
		codes = append(codes, a.Code)
	}
	return codes
}

func refuse(kind error, code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...), Kind: kind}
}

// invalid is a refusal of input a person may fix.
func invalid(code, field, format string, args ...any) *Error {
	return refuse(tarjuma.ErrInvalid, code, field, format, args...)
}

// problems collects the refusals of one input; err is nil when there are none.
type problems []*Error

func (ps *problems) add(e *Error) {
	if e != nil {
		*ps = append(*ps, e)
	}
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	first := *ps[0]
	first.Also = ps[1:]
	return &first
}

// checkText refuses a field that tarjuma.CheckText refuses (a NUL or invalid UTF-8).
func checkText(field, value string) *Error {
	if err := tarjuma.CheckText(field, value); err != nil {
		return refuse(ErrMalformed, "invalid_text", field, "%v", err)
	}
	return nil
}

// allow refuses an actor whose role may not do what.
func allow(ok bool, a Actor, what string) error {
	if ok {
		return nil
	}
	return refuse(ErrForbidden, "forbidden", "", "%s may not %s", a.User.Role, what)
}

func isAdmin(a Actor) bool { return a.User.Role == tarjuma.RoleAdmin }

func isEditor(a Actor) bool {
	return a.User.Role == tarjuma.RoleAdmin || a.User.Role == tarjuma.RoleEditor
}
