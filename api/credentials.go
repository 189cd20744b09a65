package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// Credentials: API tokens, disabling and enabling users, passwords and sessions. The desk
// decides who may do what (admins everything; anyone else her own tokens, password and
// sessions); these handlers read the request and show the outcome.

type createTokenRequest struct {
	Role tarjuma.Role `json:"role"`
	Name string       `json:"name"`
	// User is the email or the id of the user the token acts as.
	User json.RawMessage `json:"user"`
	// ExpiresIn is the token's lifetime in seconds; 0 or absent: it does not expire.
	ExpiresIn int64 `json:"expires_in"`
}

// tokenInfoJSON is a token as lists show it: never the secret, which the store does not keep.
type tokenInfoJSON struct {
	ID         int64        `json:"id"`
	Name       string       `json:"name"`
	Role       tarjuma.Role `json:"role"`
	User       *userJSON    `json:"user"` // null for a token of its own
	CreatedAt  time.Time    `json:"created_at"`
	LastUsedAt *time.Time   `json:"last_used_at"` // null until first used
	ExpiresAt  *time.Time   `json:"expires_at"`   // null for a token that does not expire
}

func newTokenInfoJSON(c store.Caller) tokenInfoJSON {
	out := tokenInfoJSON{ID: c.Token.ID, Name: c.Token.Name, Role: c.Token.Role, CreatedAt: c.Token.CreatedAt,
		LastUsedAt: optionalTime(c.Token.LastUsedAt), ExpiresAt: optionalTime(c.Token.ExpiresAt)}
	if c.User != nil {
		u := newUserJSON(*c.User)
		out.User = &u
	}
	return out
}

// tokenJSON answers a creation: the token with its secret, shown this once.
type tokenJSON struct {
	Token string `json:"token"`
	tokenInfoJSON
}

// createToken handles POST /api/v1/tokens: 201 with the secret, the only time it is shown,
// never cached. A token for a user takes the user's role; a role given along with a user must
// match it.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req createTokenRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	nt := desk.NewToken{Name: req.Name, Role: req.Role, ExpiresIn: req.ExpiresIn}
	if len(req.User) > 0 && string(req.User) != "null" {
		ref, err := userRef(req.User)
		if err != nil {
			return err
		}
		nt.User = &ref
	}
	secret, c, err := s.desk.CreateToken(r.Context(), actor(r.Context()), nt)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the secret must not linger in caches
	return writeJSON(w, http.StatusCreated, tokenJSON{Token: secret, tokenInfoJSON: newTokenInfoJSON(c)})
}

// listTokens handles GET /api/v1/tokens: every token for an admin, the caller's own for
// anyone else.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.desk.ListTokens(r.Context(), actor(r.Context()))
	if err != nil {
		return err
	}
	out := struct {
		Tokens []tokenInfoJSON `json:"tokens"`
	}{Tokens: jsonList(cs, newTokenInfoJSON)}
	return writeJSON(w, http.StatusOK, out)
}

// revokeToken handles DELETE /api/v1/tokens/{id}: 204, and the next request with the token is
// 401. Another user's token is 404, as one that does not exist.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, id int64) error {
	return noContent(w, s.desk.RevokeToken(r.Context(), actor(r.Context()), id))
}

// disableUser handles POST /api/v1/users/{id}/disable: the user as now stored; her sessions
// and tokens have ended.
func (s *Server) disableUser(w http.ResponseWriter, r *http.Request, id int64) error {
	return s.switchUser(w, r, id, s.desk.DisableUser)
}

// enableUser handles POST /api/v1/users/{id}/enable: the user as now stored.
func (s *Server) enableUser(w http.ResponseWriter, r *http.Request, id int64) error {
	return s.switchUser(w, r, id, s.desk.EnableUser)
}

// switchUser runs a desk action on the user the path names and answers with her.
func (s *Server) switchUser(w http.ResponseWriter, r *http.Request, id int64, action func(context.Context, desk.Actor, int64) (tarjuma.User, error)) error {
	u, err := action(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newUserJSON(u))
}

type passwordRequest struct {
	Password string `json:"password"`
	// CurrentPassword is required to change one's own password, ignored by an admin's reset
	// of another's.
	CurrentPassword string `json:"current_password"`
}

// setPassword handles POST /api/v1/users/{id}/password: 204. The user herself changes her
// password with current_password (throttled like a login: 429 with Retry-After); an admin sets
// anyone else's without it. Either way the user's sessions end.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, id int64) error {
	var req passwordRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	return noContent(w, s.desk.SetPassword(r, actor(r.Context()), id, req.CurrentPassword, req.Password))
}

type revokeSessionsRequest struct {
	// User is the email or the id of the user to sign out (admins); absent: the caller's user.
	User json.RawMessage `json:"user"`
}

// revokeSessions handles POST /api/v1/sessions/revoke: every desk session of the caller's
// user ends (an admin may name another user), and the answer says how many did. An empty
// body is the caller's own user.
func (s *Server) revokeSessions(w http.ResponseWriter, r *http.Request) error {
	var req revokeSessionsRequest
	if r.ContentLength != 0 {
		if _, err := s.readJSON(w, r, &req); err != nil {
			return err
		}
	}
	var ref *desk.UserRef
	if len(req.User) > 0 && string(req.User) != "null" {
		u, err := userRef(req.User)
		if err != nil {
			return err
		}
		ref = &u
	}
	n, err := s.desk.RevokeSessions(r.Context(), actor(r.Context()), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		SessionsEnded int64 `json:"sessions_ended"`
	}{n})
}
