package review

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
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
	ctx := r.Context()
	logs, err := s.db.Deliveries(ctx, articleID, lang)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(logs, func(l publish.DeliveryLog) bool { return l.ID == id }) {
		return fmt.Errorf("delivery %d of %d/%s: %w", id, articleID, lang, tarjuma.ErrNotFound)
	}
	_, err = s.db.Redeliver(ctx, id)
	if errors.Is(err, tarjuma.ErrConflict) {
		return s.editorFailed(w, r, rc, http.StatusConflict, "editor.redeliver_conflict", "")
	}
	if err != nil {
		return err
	}
	if s.enqueuer != nil {
		s.enqueuer.Dispatch()
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=redelivered#deliveries", articleID, lang), http.StatusSeeOther)
	return nil
}
