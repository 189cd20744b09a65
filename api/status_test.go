package api

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// statuses lists a version's segment statuses, title first.
func statuses(v versionJSON) []tarjuma.SegmentStatus {
	out := []tarjuma.SegmentStatus{v.TitleStatus}
	for _, s := range v.Segments {
		out = append(out, s.Status)
	}
	return out
}

// TestSegmentStatuses: a machine version is all draft; a save without statuses confirms every
// segment, one with statuses keeps them, an unknown status is refused, and a save equal to the
// latest version answers 200 with it and stores nothing.
func TestSegmentStatuses(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		id, path := reviewDraft(t, e)
		draft, confirmed := tarjuma.SegmentDraft, tarjuma.SegmentConfirmed

		v1 := decode[versionJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/versions/1", ""), http.StatusOK)
		if diff := cmp.Diff([]tarjuma.SegmentStatus{draft, draft, draft}, statuses(v1)); diff != "" {
			t.Errorf("machine version statuses (-want +got):\n%s", diff)
		}

		// Same texts, no statuses: a change (the statuses), all confirmed.
		edit := e.unchangedEdit(t, id, tarjuma.Tajik)
		rec := e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, edit))
		v2 := decode[versionJSON](t, rec, http.StatusCreated)
		if diff := cmp.Diff([]tarjuma.SegmentStatus{confirmed, confirmed, confirmed}, statuses(v2)); diff != "" || v2.Number != 2 {
			t.Errorf("version %d statuses (-want +got):\n%s", v2.Number, diff)
		}
		if want := (progressJSON{Segments: 3, SegmentsConfirmed: 3, Words: 10, WordsConfirmed: 10}); v2.Progress != want {
			t.Errorf("progress %+v, want %+v", v2.Progress, want)
		}

		// The same again: 200 with version 2, nothing stored, no Location.
		edit = e.unchangedEdit(t, id, tarjuma.Tajik)
		rec = e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, edit))
		if got := decode[versionJSON](t, rec, http.StatusOK); got.Number != 2 || rec.Header().Get("Location") != "" {
			t.Errorf("unchanged save answered version %d, Location %q; want version 2 and none", got.Number, rec.Header().Get("Location"))
		}
		if n := e.versionCount(t, id); n != 2 {
			t.Errorf("%d versions after an unchanged save, want 2", n)
		}

		// A status sent is kept; the title's too.
		edit = e.unchangedEdit(t, id, tarjuma.Tajik)
		edit["title_status"] = "confirmed"
		edit["segments"].([]map[string]any)[0]["status"] = "draft"
		v3 := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, edit)), http.StatusCreated)
		if diff := cmp.Diff([]tarjuma.SegmentStatus{confirmed, draft, confirmed}, statuses(v3)); diff != "" {
			t.Errorf("version 3 statuses (-want +got):\n%s", diff)
		}
		edit = e.unchangedEdit(t, id, tarjuma.Tajik)
		edit["segments"].([]map[string]any)[1]["status"] = "done"
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, edit)), http.StatusUnprocessableEntity, "invalid_status", "p2.s1")
		if n := e.versionCount(t, id); n != 3 {
			t.Errorf("%d versions after a refused save, want 3", n)
		}

		// The unconfirmed segment blocks the approval; p2.s1 is still untranslated.
		got := decode[openIssuesError](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 3}`), http.StatusConflict)
		want := []issueJSON{{ID: "p1.s1", Problem: "unconfirmed"}, {ID: "p2.s1", Problem: "untranslated"}}
		if diff := cmp.Diff(want, got.Issues); diff != "" || got.Error.Code != "open_issues" {
			t.Errorf("%s: issues (-want +got):\n%s", got.Error.Code, diff)
		}
	})
}

// TestDismissFlag: a dismissed flag no longer blocks the approval and shows on the flag; the
// dismissal carries over to a later version while the segment's text stays, and not once it
// changed; a dismissal needs a reason, a flag the segment has, the latest version, and a
// dismissable kind.
func TestDismissFlag(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		_, path := reviewDraft(t, e)
		texts := map[string]string{tarjuma.TitleSegmentID: "Саммит дар Душанбе",
			"p1.s1": "Президент 2 бор дар Душанбе ширкат кард.", "p2.s1": "Ӯ дар бораи ҳамкорӣ сухан гуфт."}
		v2 := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		if want := []flagJSON{{Kind: "number_extra", Args: []string{"2"}}}; !cmp.Equal(want, v2.Segments[0].Flags) {
			t.Fatalf("flags of p1.s1: %+v, want %+v", v2.Segments[0].Flags, want)
		}
		got := decode[openIssuesError](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 2}`), http.StatusConflict)
		if want := []issueJSON{{ID: "p1.s1", Problem: "number_extra", Args: []string{"2"}}}; !cmp.Equal(want, got.Issues) {
			t.Errorf("issues %+v, want %+v", got.Issues, want)
		}

		dismissals := func(n int, segment string) string {
			return path + "/versions/" + strconv.Itoa(n) + "/segments/" + segment + "/dismissals"
		}
		for _, tc := range []struct {
			name, path, body string
			status           int
			code             string
		}{
			{"no reason", dismissals(2, "p1.s1"), `{"kind": "number_extra", "args": ["2"], "reason": " "}`, http.StatusUnprocessableEntity, "empty_field"},
			{"a flag the segment lacks", dismissals(2, "p1.s1"), `{"kind": "number_extra", "args": ["3"], "reason": "x"}`, http.StatusNotFound, "not_found"},
			{"another segment", dismissals(2, "p2.s1"), `{"kind": "number_extra", "args": ["2"], "reason": "x"}`, http.StatusNotFound, "not_found"},
			{"an old version", dismissals(1, "p1.s1"), `{"kind": "number_extra", "args": ["2"], "reason": "x"}`, http.StatusConflict, "conflict"},
			{"untranslated", dismissals(2, "p2.s1"), `{"kind": "untranslated", "reason": "x"}`, http.StatusUnprocessableEntity, "not_dismissable"},
		} {
			wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", tc.path, tc.body), tc.status, tc.code, "")
		}
		reason := "«2 бор» — два раза, число в тексте источника словом"
		d := decode[dismissalJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", dismissals(2, "p1.s1"),
			jsonOf(t, map[string]any{"kind": "number_extra", "args": []string{"2"}, "reason": reason})), http.StatusCreated)
		if d.Reason != reason || d.By != "reviewer-token" || d.Segment != "p1.s1" || d.At.IsZero() {
			t.Errorf("dismissal %+v", d)
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", dismissals(2, "p1.s1"), jsonOf(t, map[string]any{"kind": "number_extra", "args": []string{"2"}, "reason": "again"})),
			http.StatusConflict, "conflict", "")

		// Version 3 keeps p1.s1's text: the dismissal carries over, shown on the flag.
		texts[tarjuma.TitleSegmentID] = "Саммити Душанбе"
		v3 := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(2, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		if f := v3.Segments[0].Flags; len(f) != 1 || f[0].Dismissed == nil || f[0].Dismissed.Reason != reason {
			t.Errorf("version 3 flags %+v, want the dismissal carried over", f)
		}
		read := decode[translationDetailJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path, ""), http.StatusOK)
		if f := read.LatestVersion.Segments[0].Flags; len(f) != 1 || f[0].Dismissed == nil {
			t.Errorf("translation's latest version flags %+v, want the dismissal", f)
		}

		// Version 4 changes p1.s1 but keeps a 2 too many: the flag is open again.
		texts["p1.s1"] = "Президент 2 бор дар Душанбе иштирок кард."
		v4 := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(3, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		if f := v4.Segments[0].Flags; len(f) != 1 || f[0].Dismissed != nil {
			t.Errorf("version 4 flags %+v, want the flag without a dismissal", f)
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 4}`), http.StatusConflict, "open_issues", "")

		// Dismissed on version 4, the approval goes through.
		wantError(t, e.as(t, tarjuma.RoleTranslator, "POST", dismissals(4, "p1.s1"), `{"kind": "number_extra", "args": ["2"], "reason": "x"}`), http.StatusForbidden, "forbidden", "")
		decode[dismissalJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", dismissals(4, "p1.s1"), jsonOf(t, map[string]any{"kind": "number_extra", "args": []string{"2"}, "reason": reason})), http.StatusCreated)
		if tr := decode[translationDetailJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 4}`), http.StatusOK); tr.Status != tarjuma.StatusPublished || tr.Approval == nil || tr.Approval.Override != nil {
			// No subscriber waits for it, so the approval publishes at once.
			t.Errorf("after approval: %s, approval %+v; want published, approved without override", tr.Status, tr.Approval)
		}
	})
}
