package review

import (
	"errors"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
)

// checkedFlagJSON is a flag of a text being typed, worded in the page's language for qa.js:
// the stored flag's kind and args (what a dismissal names), the message, the whole text with
// the problem mended when the check knows how, and whether it can be dismissed now (the latest
// version carries it) or was.
type checkedFlagJSON struct {
	Kind        tarjuma.FlagKind `json:"kind"`
	Args        []string         `json:"args"`
	Message     string           `json:"message"`
	Fix         *string          `json:"fix,omitempty"`
	Blocks      bool             `json:"blocks"`
	Dismissable bool             `json:"dismissable"`
	Stored      bool             `json:"stored"`
	Dismissed   *dismissalJSON   `json:"dismissed,omitempty"`
}

// dismissalJSON is a dismissal as the page shows it: who and why.
type dismissalJSON struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// checkSegment answers qa.js with the flags the text typed for a segment would be stored with
// (desk.CheckSegment: the checks a save runs, nothing stored), each worded for the page. It is
// a read, but a POST: the text is the translator's unsaved work and has no place in a URL or a
// log line.
func (s *Server) checkSegment(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errors.Join(tarjuma.ErrInvalid, err)
	}
	c, err := s.desk.CheckSegment(r.Context(), rc.actor(), id, lang, r.PathValue("segment"), lf(r.PostFormValue("text")))
	if err != nil {
		return err
	}
	out := struct {
		Version int               `json:"version"`
		Text    string            `json:"text"`
		Flags   []checkedFlagJSON `json:"flags"`
	}{Version: c.Version, Text: c.Text, Flags: make([]checkedFlagJSON, len(c.Flags))}
	for i, f := range c.Flags {
		v := flagView(f.Kind, f.Args)
		msg, err := rc.l.T(v.ID, "Arg", v.Arg, "Want", v.Want)
		if err != nil {
			return err
		}
		out.Flags[i] = checkedFlagJSON{Kind: f.Kind, Args: append([]string{}, f.Args...), Message: msg,
			Fix: f.Fix, Blocks: qa.Blocks(f.Kind), Dismissable: v.Dismissable, Stored: f.Stored}
		if d := f.Dismissed; d != nil {
			out.Flags[i].Dismissed = &dismissalJSON{By: d.By, Reason: d.Reason, At: d.At}
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// dismissedJSON answers qa.js's dismissal of a flag: 201 with the dismissal, or the status the
// page would have had and the message it would have shown.
func (s *Server) dismissedJSON(w http.ResponseWriter, rc *request, d tarjuma.Dismissal, status int, msg string) error {
	if msg != "" {
		text, err := rc.l.T(msg)
		if err != nil {
			return err
		}
		writeJSON(w, status, map[string]string{"message": text})
		return nil
	}
	writeJSON(w, status, dismissalJSON{By: d.By, Reason: d.Reason, At: d.At})
	return nil
}
