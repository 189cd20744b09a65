package api

import (
	"net/http"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
)

// checkRequest is a text typed for a segment, to check before it is saved; no text is an
// empty one, which the check flags as such.
type checkRequest struct {
	Text string `json:"text"`
}

// checkedFlagJSON is a flag the text would be stored with: fix is the whole text with the
// problem mended when the check knows how; stored says the latest version carries the flag
// (so it can be dismissed now), and dismissed is its dismissal.
type checkedFlagJSON struct {
	flagJSON
	Fix    *string `json:"fix,omitempty"`
	Stored bool    `json:"stored"`
}

// checkSegment answers with the flags a text would be stored with as a segment of the latest
// version, storing nothing: the same checks (desk.CheckSegment) the review desk runs as the
// translator types, so an API client can check before it saves.
func (s *Server) checkSegment(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	if err := desk.MayEdit(actor(r.Context()), lang); err != nil {
		return err
	}
	var req checkRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.desk.CheckSegment(r.Context(), actor(r.Context()), id, lang, r.PathValue("segment"), req.Text)
	if err != nil {
		return err
	}
	out := struct {
		Version int               `json:"version"`
		Text    string            `json:"text"`
		Flags   []checkedFlagJSON `json:"flags"`
	}{Version: c.Version, Text: c.Text, Flags: make([]checkedFlagJSON, len(c.Flags))}
	for i, f := range c.Flags {
		out.Flags[i] = checkedFlagJSON{flagJSON: flagJSON{Kind: f.Kind, Args: append([]string{}, f.Args...)}, Fix: f.Fix, Stored: f.Stored}
		if f.Dismissed != nil {
			out.Flags[i].Dismissed = newDismissalJSON(*f.Dismissed)
		}
	}
	return writeJSON(w, http.StatusOK, out)
}
