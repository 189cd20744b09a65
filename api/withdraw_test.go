package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// TestWithdrawContract: editors and admins withdraw with a reason; the channel that had the
// story gets one delivery of event translation.withdrawn, listed with the translation's
// deliveries; a second withdrawal answers the first and queues nothing; approving again is
// 409 withdrawn, with an override too.
func TestWithdrawContract(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		sub, deliveries := deliveredArticle(t, e, "https://site.example/hook")
		first := decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", deliveries, ""), http.StatusOK)
		if len(first.Deliveries) != 1 {
			t.Fatalf("deliveries before: %+v", first)
		}
		if err := e.db.RecordAttempt(t.Context(), publish.Attempt{DeliveryID: first.Deliveries[0].ID, StatusCode: 200}, publish.OutcomeDelivered); err != nil {
			t.Fatal(err)
		}
		var id int64
		if _, err := fmt.Sscanf(deliveries, "/api/v1/articles/%d/", &id); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/articles/%d/withdraw", id)

		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path, `{"reason": "иск"}`), http.StatusForbidden, "forbidden", "")
		wantError(t, e.as(t, tarjuma.RoleTranslator, "POST", path, `{"reason": "иск"}`), http.StatusForbidden, "forbidden", "")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path, `{"reason": "  "}`), http.StatusUnprocessableEntity, "empty_field", "reason")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path, `{}`), http.StatusUnprocessableEntity, "empty_field", "reason")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path, `{"reason": "a\u0000b"}`), http.StatusBadRequest, "invalid_text", "reason")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles/999/withdraw", `{"reason": "иск"}`), http.StatusNotFound, "not_found", "")
		if got := decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", deliveries, ""), http.StatusOK); len(got.Deliveries) != 1 {
			t.Fatalf("a refused withdrawal queued deliveries: %+v", got)
		}

		before := e.waker.n.Load()
		w := decode[withdrawalJSON](t, e.as(t, tarjuma.RoleEditor, "POST", path, `{"reason": "  Иск о клевете; سحب  "}`), http.StatusOK)
		if w.ArticleID != id || w.By != "editor-token" || w.Reason != "Иск о клевете; سحب" || w.At.IsZero() || e.waker.n.Load() != before+1 {
			t.Errorf("withdrawal %+v; relay woken %d times", w, e.waker.n.Load()-before)
		}
		got := decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", deliveries, ""), http.StatusOK)
		if len(got.Deliveries) != 2 || got.Deliveries[0].Event != publish.EventWithdrawn || got.Deliveries[0].SubscriberID != sub.ID ||
			got.Deliveries[0].State != publish.DeliveryPending || got.Deliveries[1].Event != publish.EventPublished {
			t.Errorf("deliveries after the withdrawal (newest first): %+v", got.Deliveries)
		}

		again := decode[withdrawalJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", path, `{"reason": "другое"}`), http.StatusOK)
		if again != w {
			t.Errorf("second withdrawal %+v, want the first %+v", again, w)
		}
		if got := decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", deliveries, ""), http.StatusOK); len(got.Deliveries) != 2 {
			t.Errorf("a second withdrawal queued more: %+v", got.Deliveries)
		}

		saveMachineVersion(t, e.db, id, tarjuma.Russian, 1, "عنوان")
		approve := fmt.Sprintf("/api/v1/articles/%d/translations/ru/approve", id)
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", approve, `{"version": 1, "override": {"reason": "срочно"}}`), http.StatusConflict, "withdrawn", "withdrawn")
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", approve, `{"version": 1}`), http.StatusConflict, "withdrawn", "withdrawn")
	})
}
