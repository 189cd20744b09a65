package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

// TestEmbargoOnSubmit: embargo_until is an RFC 3339 time, refused naming the field otherwise;
// the translation shows it; one already past is none; the idempotency key holds it to the
// first request.
func TestEmbargoOnSubmit(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		req := shortArticle(1)
		for _, bad := range []string{"tomorrow", "2026-05-01 09:00", "2026-05-01T09:00:00"} {
			req["embargo_until"] = bad
			wantError(t, e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, req)), http.StatusUnprocessableEntity, "invalid_embargo", "embargo_until")
		}
		e.wantStored(t, 0)

		until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		req["embargo_until"] = until.In(time.FixedZone("", 5*3600)).Format(time.RFC3339) // Dushanbe's offset
		a := e.submit(t, req, "Idempotency-Key", "emb-1")
		type translation struct {
			EmbargoUntil *time.Time `json:"embargo_until"`
			Withdrawn    *struct{}  `json:"withdrawn"`
		}
		got := decode[translation](t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d/translations/ru", a.ID), ""), http.StatusOK)
		if got.EmbargoUntil == nil || !got.EmbargoUntil.Equal(until) || got.Withdrawn != nil {
			t.Errorf("translation shows embargo %v, withdrawn %v; want %v and none", got.EmbargoUntil, got.Withdrawn, until)
		}
		req["embargo_until"] = until.Add(time.Hour).Format(time.RFC3339)
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, req), "Idempotency-Key", "emb-1"),
			http.StatusUnprocessableEntity, "idempotency_mismatch", "")

		past := shortArticle(2)
		past["embargo_until"] = "2020-01-01T00:00:00Z"
		p := e.submit(t, past)
		got = decode[translation](t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d/translations/ru", p.ID), ""), http.StatusOK)
		if got.EmbargoUntil != nil {
			t.Errorf("a past embargo was kept: %v", got.EmbargoUntil)
		}
	})
}
