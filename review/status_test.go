package review

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

// TestSegmentWorkflowPages: the editor's confirmed boxes set the statuses a save stores, the
// header and the queue count the confirmed segments, a save without a change stores nothing
// and says so, and a flag dismissed through its form stops blocking the approval and shows at
// the segment and in the history.
func TestSegmentWorkflowPages(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tr := f.signedIn(t, "translator")
		rev := f.signedIn(t, "reviewer")
		wantIn := func(t *testing.T, what, body string, wants ...string) {
			t.Helper()
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("%s lacks %s", what, want)
				}
			}
		}
		page := tr.get("/review/1/tg")
		wantIn(t, "the machine draft's editor", page.body, `name="statuses" value="1"`, `name="seg_confirmed" value="title" id="c-0">`,
			"0 of 4 segments confirmed · 0 of 15 words",
			`action="/review/1/tg/versions/1/segments/p1.s1/dismissals"`, `name="kind" value="number_extra"`, `name="arg" value="16"`)
		if strings.Contains(page.body, `action="/review/1/tg/versions/1/segments/p1.s2/dismissals"`) {
			t.Error("an empty segment's flag has a dismiss form; only an override publishes it")
		}

		form := editForm(1, draftSegments(), map[string]string{"p1.s2": "15 ҳайат омаданд."})
		form.Set("statuses", "1")
		form["seg_confirmed"] = []string{"title", "p1.s2"}
		if resp := tr.post("/review/1/tg", form); resp.status != http.StatusSeeOther || !strings.Contains(resp.location, "done=saved") {
			t.Fatalf("save: %d to %q", resp.status, resp.location)
		}
		v2, err := f.db.LatestVersion(ctx, 1, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		var got []tarjuma.SegmentStatus
		for _, s := range v2.Segments {
			got = append(got, s.Status)
		}
		if want := []tarjuma.SegmentStatus{"confirmed", "draft", "confirmed", "draft"}; v2.Number != 2 || !slices.Equal(got, want) {
			t.Errorf("version %d statuses %v, want 2 with %v", v2.Number, got, want)
		}
		wantIn(t, "the editor after the save", tr.get("/review/1/tg").body, `value="title" id="c-0" checked>`, "2 of 4 segments confirmed · 6 of 15 words")
		wantIn(t, "the queue", tr.get("/review").body, "2/4 segments · 6/15 words")

		// The same form again: nothing stored, and the page says so.
		form.Set("base_version", "2")
		resp := tr.post("/review/1/tg", form)
		if resp.status != http.StatusSeeOther || !strings.Contains(resp.location, "done=unchanged") {
			t.Fatalf("unchanged save: %d to %q", resp.status, resp.location)
		}
		wantIn(t, "the editor after an unchanged save", tr.get(resp.location).body, "Nothing changed, so no new version was stored.")
		if vs, _ := f.db.Versions(ctx, 1, tarjuma.Tajik); len(vs) != 2 {
			t.Errorf("%d versions after an unchanged save, want 2", len(vs))
		}

		// Dismissing p1.s1's number flag: a reason is required; then it no longer blocks.
		issue := `data-segment="p1.s1" data-kind="number_extra"`
		wantIn(t, "the approve form", rev.get("/review/1/tg").body, issue)
		dismiss := "/review/1/tg/versions/2/segments/p1.s1/dismissals"
		flag := url.Values{"kind": {"number_extra"}, "arg": {"16"}}
		if resp := f.signedIn(t, "ru-only").post(dismiss, url.Values{"kind": {"number_extra"}, "arg": {"16"}, "reason": {"x"}}); resp.status != http.StatusForbidden {
			t.Errorf("dismissal by a translator of another language: %d, want 403", resp.status)
		}
		if resp := tr.post(dismiss, flag); resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "a dismissal needs a reason") {
			t.Errorf("dismissal without a reason: %d, want 422 saying why", resp.status)
		}
		reason := "16 ҳайат: ба ١٥ ҳайат мизбон ҳам илова шуд"
		flag.Set("reason", reason)
		if resp := tr.post(dismiss, flag); resp.status != http.StatusSeeOther || resp.location != "/review/1/tg?done=dismissed#seg-p1.s1" {
			t.Fatalf("dismissal: %d to %q", resp.status, resp.location)
		}
		if resp := tr.post(dismiss, flag); resp.status != http.StatusConflict {
			t.Errorf("dismissing twice: %d, want 409", resp.status)
		}
		page = rev.get("/review/1/tg")
		wantIn(t, "the editor after the dismissal", page.body, "Dismissed as a false positive by <bdi>tg@desk.test</bdi>", reason)
		if strings.Contains(page.body, issue) {
			t.Error("the approve form still lists the dismissed flag")
		}
		wantIn(t, "the history", rev.get("/review/1/tg/history").body, "Flags dismissed as false positives", reason, `data-segment="p1.s1" data-kind="number_extra"`)
	})
}
