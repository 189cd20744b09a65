package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

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
	ID         int64          `json:"id"`
	Email      string         `json:"email"`
	Role       tarjuma.Role   `json:"role"`
	Langs      []tarjuma.Lang `json:"langs"`
	DisabledAt *time.Time     `json:"disabled_at,omitempty"`
}

func newUserJSON(u tarjuma.User) userJSON {
	langs := u.Langs
	if langs == nil {
		langs = []tarjuma.Lang{} // [] rather than null, as the schema says
	}
	return userJSON{ID: u.ID, Email: u.Email, Role: u.Role, Langs: langs, DisabledAt: optionalTime(u.DisabledAt)}
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
