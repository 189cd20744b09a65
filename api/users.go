package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
)

type createUserRequest struct {
	Email    string         `json:"email"`
	Password string         `json:"password"`
	Role     tarjuma.Role   `json:"role"`
	Langs    []tarjuma.Lang `json:"langs"`
}

// userJSON is a user as the API shows it; the password hash never leaves the store.
type userJSON struct {
	ID    int64          `json:"id"`
	Email string         `json:"email"`
	Role  tarjuma.Role   `json:"role"`
	Langs []tarjuma.Lang `json:"langs"`
}

func newUserJSON(u tarjuma.User) userJSON {
	langs := u.Langs
	if langs == nil {
		langs = []tarjuma.Lang{} // [] rather than null, as the schema says
	}
	return userJSON{ID: u.ID, Email: u.Email, Role: u.Role, Langs: langs}
}

// createUser handles POST /api/v1/users: 201 with the user, 422 naming the refused field, 409
// when the email is taken.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var req createUserRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	u, err := s.desk.CreateUser(r.Context(), actor(r.Context()), auth.NewUser{Email: req.Email, Password: req.Password, Role: req.Role, Langs: req.Langs})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newUserJSON(u))
}

type createTokenRequest struct {
	Role tarjuma.Role `json:"role"`
	Name string       `json:"name"`
	// User is the email or the id of the user the token acts as.
	User json.RawMessage `json:"user"`
}

type tokenJSON struct {
	Token string       `json:"token"`
	ID    int64        `json:"id"`
	Name  string       `json:"name"`
	Role  tarjuma.Role `json:"role"`
	User  *userJSON    `json:"user,omitempty"`
}

// createToken handles POST /api/v1/tokens: 201 with the secret, the only time it is shown. A
// token for a user takes the user's role; a role given along with a user must match it.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req createTokenRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	nt := desk.NewToken{Name: req.Name, Role: req.Role}
	if len(req.User) > 0 && string(req.User) != "null" {
		ref, err := userRef(req.User)
		if err != nil {
			return err
		}
		nt.User = &ref
	}
	secret, tok, u, err := s.desk.CreateToken(r.Context(), actor(r.Context()), nt)
	if err != nil {
		return err
	}
	out := tokenJSON{Token: secret, ID: tok.ID, Name: tok.Name, Role: tok.Role}
	if u != nil {
		uj := newUserJSON(*u)
		out.User = &uj
	}
	return writeJSON(w, http.StatusCreated, out)
}

// userRef reads the user a token request names: an id (a JSON number) or an email (a string).
func userRef(raw json.RawMessage) (desk.UserRef, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return desk.UserRef{}, errorf(http.StatusBadRequest, "invalid_json", "user must be an email or an id")
	}
	switch v := v.(type) {
	case string:
		return desk.UserRef{Email: v}, nil
	case json.Number:
		id, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			return desk.UserRef{}, errorf(http.StatusBadRequest, "invalid_json", "user id %s is not an integer", v)
		}
		return desk.UserRef{ID: id}, nil
	}
	return desk.UserRef{}, errorf(http.StatusBadRequest, "invalid_json", "user must be an email or an id")
}
