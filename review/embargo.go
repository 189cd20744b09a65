package review

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// changeEmbargo moves the embargo of this translation's article to the time typed
// (desk.SetEmbargo), or lifts it when the lift button was pressed (desk.LiftEmbargo), and
// comes back to the page, which shows the embargo as it now is. A time that is not one, or an
// article withdrawn meanwhile, shows the page with the message.
func (s *Server) changeEmbargo(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	done := "embargo_lifted"
	if r.PostFormValue("lift") != "" {
		_, err = s.desk.LiftEmbargo(r.Context(), rc.actor(), id)
	} else {
		var c store.EmbargoChange
		c, err = s.desk.SetEmbargo(r.Context(), rc.actor(), id, strings.TrimSpace(r.PostFormValue("embargo_until")))
		if !c.Until.IsZero() { // a time already past lifts it, as the desk says
			done = "embargo_set"
		}
	}
	if ids, refused := refusal(err, embargoMessage); refused {
		status := http.StatusUnprocessableEntity
		if code(err) == "withdrawn" {
			status = http.StatusConflict
		}
		p, err := s.loadEditor(r, rc)
		if err != nil {
			return err
		}
		p.Error, p.EmbargoInput = ids[0], r.PostFormValue("embargo_until")
		s.render(w, r, rc, status, "editor", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=%s#embargo", id, lang, done), http.StatusSeeOther)
	return nil
}

// embargoMessage is the message of a refused embargo change.
func embargoMessage(e *desk.Error) string {
	switch e.Code {
	case "invalid_embargo":
		return "submit.error_embargo"
	case "withdrawn":
		return "embargo.withdrawn_refused"
	}
	return ""
}

// loadEmbargo reads what the page shows of the article's embargo; the box holds its current
// end, in UTC, for the editor to move.
func (p *editorPage) loadEmbargo(r *http.Request, db *store.DB) error {
	until, err := db.Embargo(r.Context(), p.Article.ID)
	if err != nil {
		return err
	}
	if until.After(time.Now()) {
		p.Embargo, p.EmbargoInput = until, until.Format(time.RFC3339)
	}
	if p.EmbargoChanges, err = db.EmbargoChanges(r.Context(), p.Article.ID); err != nil {
		return err
	}
	return nil
}
