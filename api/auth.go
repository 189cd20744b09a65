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
)

// authorize finds the caller from the bearer token and checks their role is one of roles:
// 401 with a WWW-Authenticate challenge (RFC 6750) when the token is missing or unknown, 403
// when the role may not call the route.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, roles []tarjuma.Role) (tarjuma.Token, error) {
	scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarjuma"`)
		return tarjuma.Token{}, errorf(http.StatusUnauthorized, "unauthorized", "a bearer token is required")
	}
	caller, err := s.lookupCaller(r.Context(), secret)
	if errors.Is(err, tarjuma.ErrNotFound) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarjuma", error="invalid_token"`)
		return tarjuma.Token{}, errorf(http.StatusUnauthorized, "unauthorized", "the bearer token is not valid")
	}
	if err != nil {
		return tarjuma.Token{}, err
	}
	if !slices.Contains(roles, caller.Role) {
		return tarjuma.Token{}, errorf(http.StatusForbidden, "forbidden", "role %s may not call %s", caller.Role, r.Pattern)
	}
	return caller, nil
}

// lookupCaller resolves a bearer secret: the dev token (compared in constant time, so its
// bytes cannot be guessed from response times), else a stored token.
func (s *Server) lookupCaller(ctx context.Context, secret string) (tarjuma.Token, error) {
	if s.devToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.devToken)) == 1 {
		return tarjuma.Token{Name: "dev", Role: tarjuma.RoleAdmin}, nil
	}
	tok, err := s.db.LookupToken(ctx, secret)
	if err != nil {
		return tarjuma.Token{}, fmt.Errorf("look up token: %w", err)
	}
	return tok, nil
}

func withCaller(ctx context.Context, caller tarjuma.Token) context.Context {
	return context.WithValue(ctx, callerKey, caller)
}

// callerName is the author recorded on what the request stores.
func callerName(ctx context.Context) string {
	caller, _ := ctx.Value(callerKey).(tarjuma.Token)
	return caller.Name
}
