package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
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
	u, err := auth.CreateUser(r.Context(), s.db, auth.NewUser{Email: req.Email, Password: req.Password, Role: req.Role, Langs: req.Langs})
	if err != nil {
		return userError(err)
	}
	return writeJSON(w, http.StatusCreated, newUserJSON(u))
}

// userError maps auth.CreateUser's refusals to API errors.
func userError(err error) error {
	if fe := (*auth.FieldError)(nil); errors.As(err, &fe) {
		return errorf(http.StatusUnprocessableEntity, fe.Code, "%s", fe.Message)
	}
	if errors.Is(err, tarjuma.ErrConflict) {
		return errorf(http.StatusConflict, "email_taken", "a user with this email exists")
	}
	return err
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

// maxTokenNameRunes keeps token names to what fits on a line of a log or an audit list.
const maxTokenNameRunes = 200

// createToken handles POST /api/v1/tokens: 201 with the secret, the only time it is shown. A
// token for a user takes the user's role; a role given along with a user must match it.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req createTokenRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" || len([]rune(name)) > maxTokenNameRunes {
		return errorf(http.StatusUnprocessableEntity, "empty_field", "name must be 1 to %d characters", maxTokenNameRunes)
	}
	if err := checkText("name", name); err != nil {
		return err
	}
	if req.Role != "" && !req.Role.Valid() {
		return errorf(http.StatusUnprocessableEntity, "invalid_role", "role %q: want admin, editor, translator or reviewer", req.Role)
	}
	if len(req.User) == 0 || string(req.User) == "null" {
		if req.Role == "" {
			return errorf(http.StatusUnprocessableEntity, "invalid_role", "role is required for a token without a user")
		}
		secret, tok, err := s.db.CreateToken(r.Context(), name, req.Role)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, tokenJSON{Token: secret, ID: tok.ID, Name: tok.Name, Role: tok.Role})
	}
	u, err := s.tokenUser(r, req.User)
	if err != nil {
		return err
	}
	if req.Role != "" && req.Role != u.Role {
		return errorf(http.StatusUnprocessableEntity, "invalid_role", "role %q differs from the user's role %q; omit it", req.Role, u.Role)
	}
	secret, tok, err := s.db.CreateUserToken(r.Context(), name, u)
	if err != nil {
		return err
	}
	uj := newUserJSON(u)
	return writeJSON(w, http.StatusCreated, tokenJSON{Token: secret, ID: tok.ID, Name: tok.Name, Role: tok.Role, User: &uj})
}

// tokenUser finds the user a token request names by id (a JSON number) or email (a string).
func (s *Server) tokenUser(r *http.Request, raw json.RawMessage) (tarjuma.User, error) {
	var u tarjuma.User
	var err error
	var who string // for the message
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return tarjuma.User{}, errorf(http.StatusBadRequest, "invalid_json", "user must be an email or an id")
	}
	switch v := v.(type) {
	case string:
		who = v
		u, err = s.db.UserByEmail(r.Context(), v)
	case json.Number:
		id, perr := strconv.ParseInt(v.String(), 10, 64)
		if perr != nil {
			return tarjuma.User{}, errorf(http.StatusBadRequest, "invalid_json", "user id %s is not an integer", v)
		}
		who = v.String()
		u, err = s.db.User(r.Context(), id)
	default:
		return tarjuma.User{}, errorf(http.StatusBadRequest, "invalid_json", "user must be an email or an id")
	}
	if errors.Is(err, tarjuma.ErrNotFound) {
		return tarjuma.User{}, errorf(http.StatusUnprocessableEntity, "unknown_user", "no user %s", who)
	}
	return u, err
}
