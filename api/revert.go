package api

import (
	"net/http"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
)

type revertRequest struct {
	BaseVersion int `json:"base_version"`
}

// revertVersion stores version n's texts and statuses as the translation's next version, made
// from base_version (409 when that is no longer the latest): 201 with the new version, or 200
// with the latest when it already says what n says. The desk's Revert holds the rules.
func (s *Server) revertVersion(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	n, err := pathInt(r, "n")
	if err != nil {
		return err
	}
	if err := desk.MayEdit(actor(r.Context()), lang); err != nil {
		return err
	}
	var req revertRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	v, created, err := s.desk.Revert(r.Context(), actor(r.Context()), id, lang, int(n), req.BaseVersion)
	if err != nil {
		return err
	}
	return s.writeVersion(w, r, id, lang, v, created)
}
