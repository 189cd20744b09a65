package review

import (
	"fmt"
	"net/http"

	"github.com/tarjuma/tarjuma/desk"
)

// withdraw takes the article of this translation's page down everywhere (desk.Withdraw) with
// the editor's reason and comes back to the page, which then shows the withdrawal; a missing
// reason shows the page with the message.
func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	_, _, err = s.desk.Withdraw(r.Context(), rc.actor(), id, lf(r.PostFormValue("reason")))
	if ids, refused := refusal(err, withdrawMessage); refused {
		return s.editorFailed(w, r, rc, http.StatusUnprocessableEntity, ids[0], "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=withdrawn#withdrawal", id, lang), http.StatusSeeOther)
	return nil
}

// withdrawMessage is the message of a refused withdrawal: the reason is missing or unusable.
func withdrawMessage(e *desk.Error) string {
	if e.Field == "reason" {
		return "withdraw.needs_reason"
	}
	return ""
}
