package review

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
)

// redeliver sends a delivery of this translation again under its webhook-id and wakes the relay
// to send it now. A delivery of another translation is not found here, so that the action
// changes the translation whose page the admin is on.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, rc *request) error {
	articleID, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "delivery")
	if err != nil {
		return err
	}
	_, err = s.desk.Redeliver(r.Context(), rc.actor(), desk.Redelivery{ID: id, ArticleID: articleID, Lang: lang})
	if errors.Is(err, tarjuma.ErrConflict) {
		return s.editorFailed(w, r, rc, http.StatusConflict, "editor.redeliver_conflict", "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=redelivered#deliveries", articleID, lang), http.StatusSeeOther)
	return nil
}
