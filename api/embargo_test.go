package api

import (
	"encoding/xml"
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
		if a.EmbargoUntil == nil || !a.EmbargoUntil.Equal(until) {
			t.Errorf("the 202 shows embargo %v; want %v", a.EmbargoUntil, until)
		}
		if got := decode[articleJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d", a.ID), ""), http.StatusOK); got.EmbargoUntil == nil || !got.EmbargoUntil.Equal(until) {
			t.Errorf("the article shows embargo %v; want %v", got.EmbargoUntil, until)
		}
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
		if p.EmbargoUntil != nil {
			t.Errorf("the 202 of a past embargo shows %v; want none", p.EmbargoUntil)
		}
		got = decode[translation](t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d/translations/ru", p.ID), ""), http.StatusOK)
		if got.EmbargoUntil != nil {
			t.Errorf("a past embargo was kept: %v", got.EmbargoUntil)
		}
	})
}

// TestChangeEmbargo: editors and admins move an article's embargo (PUT) and lift it (DELETE);
// the translation and the Atom feed follow at once; a time that is not RFC 3339 is refused
// naming the field, a past one lifts it as at submission; a withdrawn article's embargo no
// longer changes; other roles are refused; refusals change nothing.
func TestChangeEmbargo(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		first := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		req := shortArticle(0)
		req["embargo_until"] = first.Format(time.RFC3339)
		a := e.submit(t, req)
		saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, "عنوان")
		if err := e.db.Approve(t.Context(), a.ID, tarjuma.Tajik, 1, "rustam", "", fixtureOverride); err != nil {
			t.Fatal(err)
		}
		type embargo struct {
			ArticleID    int64      `json:"article_id"`
			EmbargoUntil *time.Time `json:"embargo_until"`
			ChangedBy    string     `json:"changed_by"`
			ChangedAt    *time.Time `json:"changed_at"`
		}
		shown := func() *time.Time {
			t.Helper()
			return decode[struct {
				EmbargoUntil *time.Time `json:"embargo_until"`
			}](t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d/translations/tg", a.ID), ""), http.StatusOK).EmbargoUntil
		}
		feedEntries := func() int {
			t.Helper()
			rec := do(t, e.srv, "GET", "/feeds/tg.atom", "", "")
			var f atomFeedDoc
			if err := xml.Unmarshal(rec.Body.Bytes(), &f); rec.Code != http.StatusOK || err != nil {
				t.Fatalf("feed: %d %v", rec.Code, err)
			}
			return len(f.Entries)
		}
		if n := feedEntries(); n != 0 {
			t.Fatalf("the feed shows %d entries of an embargoed article", n)
		}
		path := fmt.Sprintf("/api/v1/articles/%d/embargo", a.ID)

		later := first.Add(24 * time.Hour)
		body := `{"embargo_until": "` + later.Format(time.RFC3339) + `"}`
		for _, role := range []tarjuma.Role{tarjuma.RoleTranslator, tarjuma.RoleReviewer} {
			wantError(t, e.as(t, role, "PUT", path, body), http.StatusForbidden, "forbidden", "")
			wantError(t, e.as(t, role, "DELETE", path, ""), http.StatusForbidden, "forbidden", "")
		}
		for _, bad := range []string{`{"embargo_until": "tomorrow"}`, `{"embargo_until": "2026-05-01T09:00:00"}`, `{"embargo_until": null}`, `{}`} {
			wantError(t, e.as(t, tarjuma.RoleEditor, "PUT", path, bad), http.StatusUnprocessableEntity, "invalid_embargo", "embargo_until")
		}
		wantError(t, e.as(t, tarjuma.RoleEditor, "PUT", "/api/v1/articles/999/embargo", body), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleEditor, "DELETE", "/api/v1/articles/999/embargo", ""), http.StatusNotFound, "not_found", "")
		if got := shown(); got == nil || !got.Equal(first) {
			t.Fatalf("after refusals the translation shows embargo %v, want %v", got, first)
		}

		moved := decode[embargo](t, e.as(t, tarjuma.RoleEditor, "PUT", path, body), http.StatusOK)
		if moved.ArticleID != a.ID || moved.EmbargoUntil == nil || !moved.EmbargoUntil.Equal(later) || moved.ChangedBy == "" || moved.ChangedAt == nil {
			t.Errorf("PUT answered %+v, want the embargo until %v with who changed it", moved, later)
		}
		if got := shown(); got == nil || !got.Equal(later) {
			t.Errorf("the translation shows embargo %v, want %v", got, later)
		}
		if n := feedEntries(); n != 0 {
			t.Errorf("the feed shows %d entries while the moved embargo holds", n)
		}

		wakes := e.waker.n.Load()
		lifted := decode[embargo](t, e.as(t, tarjuma.RoleAdmin, "DELETE", path, ""), http.StatusOK)
		if e.waker.n.Load() == wakes {
			t.Error("lifting the embargo did not wake the relay for the deliveries it released")
		}
		if lifted.EmbargoUntil != nil || lifted.ChangedBy == "" || lifted.ChangedBy == moved.ChangedBy {
			t.Errorf("DELETE answered %+v, want no embargo, changed by the admin", lifted)
		}
		if got := shown(); got != nil {
			t.Errorf("the translation still shows embargo %v", got)
		}
		if n := feedEntries(); n != 1 {
			t.Errorf("the feed shows %d entries once the embargo is lifted, want 1", n)
		}
		past := decode[embargo](t, e.as(t, tarjuma.RoleEditor, "PUT", path, `{"embargo_until": "2020-01-01T00:00:00Z"}`), http.StatusOK)
		if past.EmbargoUntil != nil || past.ChangedBy != lifted.ChangedBy {
			t.Errorf("a past time answered %+v, want no embargo and no new change (there was none to lift)", past)
		}
		changes, err := e.db.EmbargoChanges(t.Context(), a.ID)
		if err != nil || len(changes) != 2 || !changes[0].Until.Equal(later) || !changes[1].Until.IsZero() {
			t.Errorf("embargo history %+v, %v; want moved, then lifted", changes, err)
		}

		decode[struct{}](t, e.as(t, tarjuma.RoleEditor, "POST", fmt.Sprintf("/api/v1/articles/%d/withdraw", a.ID), `{"reason": "иск"}`), http.StatusOK)
		wantError(t, e.as(t, tarjuma.RoleEditor, "PUT", path, body), http.StatusConflict, "withdrawn", "")
		wantError(t, e.as(t, tarjuma.RoleEditor, "DELETE", path, ""), http.StatusConflict, "withdrawn", "")
	})
}
