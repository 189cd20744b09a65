package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// authorize finds the caller from the bearer token and checks their role is one of roles:
// 401 with a WWW-Authenticate challenge (RFC 6750) when the token is missing or unknown, 403
// when the role may not call the route.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, roles []tarjuma.Role) (store.Caller, error) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarjuma"`)
		return store.Caller{}, errorf(http.StatusUnauthorized, "unauthorized", "a bearer token is required")
	}
	caller, err := s.lookupCaller(r.Context(), secret)
	if errors.Is(err, tarjuma.ErrNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarjuma", error="invalid_token"`)
		return store.Caller{}, errorf(http.StatusUnauthorized, "unauthorized", "the bearer token is not valid")
	}
	if err != nil {
		return store.Caller{}, err
	}
	if !slices.Contains(roles, caller.Token.Role) {
		return store.Caller{}, errorf(http.StatusForbidden, "forbidden", "role %s may not call %s", caller.Token.Role, r.Pattern)
	}
	return caller, nil
}

// lookupCaller resolves a bearer secret: the dev token (compared in constant time, so its
// bytes cannot be guessed from response times), else a stored token and the user it acts as.
func (s *Server) lookupCaller(ctx context.Context, secret string) (store.Caller, error) {
	if s.devToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.devToken)) == 1 {
		return store.Caller{Token: tarjuma.Token{Name: "dev", Role: tarjuma.RoleAdmin}}, nil
	}
	caller, err := s.db.LookupCaller(ctx, secret)
	if err != nil {
		return store.Caller{}, fmt.Errorf("look up token: %w", err)
	}
	return caller, nil
}

func withCaller(ctx context.Context, caller store.Caller) context.Context {
	return context.WithValue(ctx, callerKey, caller)
}

// callerName is the author recorded on what the request stores: the user's email for a token
// that acts as a user, so their edits carry their name, else the token's name.
func callerName(ctx context.Context) string {
	caller, _ := ctx.Value(callerKey).(store.Caller)
	if caller.User != nil {
		return caller.User.Email
	}
	return caller.Token.Name
}

// callerUser is the caller as a user, for permission checks such as User.CanEdit. A token that
// acts as a user gives that user, with their languages. Any other token (and the dev token)
// gives a user with ID 0, the token's role and no languages: it can edit every language only
// if its role may edit any (admin, reviewer), never as a translator. ok is false on routes
// that take no token.
func callerUser(ctx context.Context) (tarjuma.User, bool) {
	caller, ok := ctx.Value(callerKey).(store.Caller)
	if !ok {
		return tarjuma.User{}, false
	}
	if caller.User != nil {
		return *caller.User, true
	}
	return tarjuma.User{Role: caller.Token.Role}, true
}

// actor is the caller as the desk sees it: who they are and the name their writes record.
func actor(ctx context.Context) desk.Actor {
	u, _ := callerUser(ctx)
	return desk.Actor{User: u, Name: callerName(ctx)}
}
