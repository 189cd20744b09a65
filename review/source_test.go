package review

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// correctedBody is the fixture's source with the second sentence corrected (١٥ → ١٦, as the
// translation has it), carrying a right-to-left mark and a shadda that must come back as sent.
const correctedBody = "اجتمع القادة عام ٢٠٢٤ في دوشنبه. وصل ١٦ وفدًّا\u200f.\nنص بلا ترجمة."

// sourceAndRevertCases are TestDoorsAgree's cases for correcting the Arabic source and for
// bringing back an earlier version of a translation.
func sourceAndRevertCases() []doorCase {
	jsonOf := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	edit := func(base int, title, body string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "PUT", "/api/v1/articles/1", jsonOf(map[string]any{"title": title, "body": body, "base_revision": base})
			}, func(*fixture) (string, url.Values) {
				return "/articles/1/source", url.Values{"base_revision": {fmt.Sprint(base)}, "title": {title}, "body": {body}}
			}
	}
	revert := func(n, base int) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", fmt.Sprintf("/api/v1/articles/1/translations/tg/versions/%d/revert", n), jsonOf(map[string]any{"base_version": base})
			}, func(*fixture) (string, url.Values) {
				return fmt.Sprintf("/review/1/tg/versions/%d/revert", n), url.Values{"base_version": {fmt.Sprint(base)}}
			}
	}
	// revised stores revision 2 of the source, as another editor would.
	revised := func(t *testing.T, f *fixture) {
		if _, err := f.db.UpdateArticleSource(context.Background(), 1, 0, sourceTitle, sourceBody+" وأضاف.", "admin@desk.test"); err != nil {
			t.Fatal(err)
		}
	}
	// saved stores version 2 of the translation, the title edited, as another translator would.
	saved := func(t *testing.T, f *fixture) {
		segs := draftSegments()
		segs[0].Text = "Саммит дар Душанбе (таҳрир)"
		if _, err := f.db.SaveHumanVersion(context.Background(), store.HumanEdit{ArticleID: 1, Lang: tarjuma.Tajik, BaseVersion: 1,
			Segments: segs, Author: "reviewer@desk.test"}); err != nil {
			t.Fatal(err)
		}
	}
	both := func(t *testing.T, f *fixture) { saved(t, f); revised(t, f) }
	c := func(name, who, code, msg string, setup func(*testing.T, *fixture), a func(*fixture) (string, string, string), b func(*fixture) (string, url.Values)) doorCase {
		return doorCase{name: name, who: who, code: code, msg: msg, setup: setup, apiReq: a, form: b}
	}
	var cases []doorCase
	add := func(name, who, code, msg string, setup func(*testing.T, *fixture), a func(*fixture) (string, string, string), b func(*fixture) (string, url.Values)) {
		cases = append(cases, c(name, who, code, msg, setup, a, b))
	}
	a, b := edit(1, sourceTitle, correctedBody)
	add("correct the source", "editor", "", "", nil, a, b)
	add("correct the source as a translator", "translator", "forbidden", "error.forbidden", nil, a, b)
	add("correct the source on a stale revision", "editor", "conflict", "source.conflict", revised, a, b)
	a, b = edit(1, sourceTitle, sourceBody)
	add("correct the source without a change", "editor", "", "", nil, a, b)
	a, b = edit(1, sourceTitle, "This is English.")
	add("correct the source into English", "editor", "not_arabic", "submit.error_not_arabic", nil, a, b)
	a, b = edit(1, " ", correctedBody)
	add("correct the source with an empty title", "editor", "empty_field", "submit.error_title_empty", nil, a, b)
	a, b = revert(1, 2)
	add("bring back a version", "translator", "", "", saved, a, b)
	add("bring back a version of another's language", "ru-only", "forbidden", "error.forbidden", saved, a, b)
	add("bring back a version of an earlier source", "translator", "source_revised", "history.revert_source_revised", both, a, b)
	a, b = revert(1, 1)
	add("bring back a version on a stale base", "translator", "conflict", "history.revert_conflict", saved, a, b)
	a, b = revert(2, 2)
	add("bring back the latest version", "translator", "", "", saved, a, b)
	a, b = revert(9, 2)
	add("bring back a missing version", "translator", "not_found", "error.not_found", saved, a, b)
	return cases
}

// TestEditSourcePage corrects the Arabic source through the desk's page: a new revision, the
// translations queued again and the relay woken; a form made from an older revision comes back
// with 409, the editor's text kept and the newest revision beside it; a refused text with the
// problem named and the text kept.
func TestEditSourcePage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ed, admin := f.signedIn(t, "editor"), f.signedIn(t, "admin")
		page := ed.get("/articles/1/source")
		for _, want := range []string{`name="base_revision" value="1"`, `id="src-title"`, ">" + sourceBody + "</textarea>", `href="/review/1/tg"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("source page lacks %s", want)
			}
		}
		woken := f.enqueued.Load()
		// Browsers post line breaks as CRLF; the pipeline stores LF.
		resp := ed.post("/articles/1/source", url.Values{"base_revision": {"1"}, "title": {sourceTitle},
			"body": {strings.ReplaceAll(correctedBody, "\n", "\r\n")}})
		if resp.status != http.StatusSeeOther || resp.location != "/articles/1/source?done=saved" {
			t.Fatalf("save: %d to %q\n%s", resp.status, resp.location, firstLine(resp.body))
		}
		a, err := f.db.Article(ctx, 1)
		if err != nil || a.Revision != 2 || a.Body != correctedBody {
			t.Fatalf("article after the correction: revision %d, body %q, %v; want revision 2 with the body byte for byte", a.Revision, a.Body, err)
		}
		if rev, _ := f.db.SourceRevision(ctx, 1, 2); rev.Author != "editor@desk.test" {
			t.Errorf("revision 2 by %q, want the editor", rev.Author)
		}
		if tr, _ := f.db.Translation(ctx, 1, tarjuma.Tajik); tr.Status != tarjuma.StatusQueued || tr.SourceRevision != 2 {
			t.Errorf("Tajik translation %s at revision %d, want queued at 2", tr.Status, tr.SourceRevision)
		}
		if f.enqueued.Load() == woken {
			t.Error("the relay was not woken for the new jobs")
		}
		if page := ed.get(resp.location); !strings.Contains(page.body, "Saved as a new revision") || !strings.Contains(page.body, `name="base_revision" value="2"`) {
			t.Errorf("after saving: want the notice and a form based on revision 2\n%s", firstLine(page.body))
		}

		// The admin opened revision 1 before the editor saved: her correction must not undo his.
		mine := "اجتمع القادة في دوشنبه."
		resp = admin.post("/articles/1/source", url.Values{"base_revision": {"1"}, "title": {sourceTitle}, "body": {mine}})
		if resp.status != http.StatusConflict {
			t.Fatalf("stale correction: %d, want 409", resp.status)
		}
		for _, want := range []string{`id="conflict"`, ">" + mine + "</textarea>", `name="base_revision" value="2"`, `id="theirs"`, "وصل ١٦ وفدًّا"} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("conflict page lacks %s", want)
			}
		}
		if a, _ := f.db.Article(ctx, 1); a.Revision != 2 || a.Body != correctedBody {
			t.Errorf("after a stale correction: revision %d, body %q; want revision 2 unchanged", a.Revision, a.Body)
		}

		resp = admin.post("/articles/1/source", url.Values{"base_revision": {"2"}, "title": {sourceTitle}, "body": {"Only English here."}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "The source must be Arabic") ||
			!strings.Contains(resp.body, ">Only English here.</textarea>") || !strings.Contains(resp.body, `name="base_revision" value="2"`) {
			t.Errorf("English source: %d, want 422 naming the problem with the text and base kept\n%s", resp.status, firstLine(resp.body))
		}
		resp = admin.post("/articles/1/source", url.Values{"base_revision": {"2"}, "title": {sourceTitle}, "body": {correctedBody}})
		if resp.status != http.StatusSeeOther || resp.location != "/articles/1/source?done=unchanged" {
			t.Errorf("unchanged source: %d to %q, want the unchanged notice", resp.status, resp.location)
		}
		if a, _ := f.db.Article(ctx, 1); a.Revision != 2 {
			t.Errorf("an unchanged source made revision %d", a.Revision)
		}
		if resp := ed.get("/articles/999/source"); resp.status != http.StatusNotFound {
			t.Errorf("source of a missing article: %d, want 404", resp.status)
		}
		if resp := ed.post("/articles/1/source", url.Values{"base_revision": {"x"}, "title": {sourceTitle}, "body": {sourceBody}}); resp.status != http.StatusUnprocessableEntity {
			t.Errorf("a malformed base revision: %d, want 422", resp.status)
		}
	})
}

// TestRevertPage brings back an earlier version from the history page: a new version with its
// texts and statuses, the history kept; a stale page or a version of an earlier source is
// refused with the history shown and the reason.
func TestRevertPage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ana, ed := f.signedIn(t, "translator"), f.signedIn(t, "editor")
		v1, err := f.db.Version(ctx, 1, tarjuma.Tajik, 1)
		if err != nil {
			t.Fatal(err)
		}
		if resp := ana.post("/review/1/tg", editForm(1, draftSegments(), map[string]string{"title": "Саммити Душанбе"})); resp.status != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.status)
		}
		page := ana.get("/review/1/tg/history")
		if !strings.Contains(page.body, `id="revert-button-1"`) || strings.Contains(page.body, `id="revert-button-2"`) ||
			!strings.Contains(page.body, `name="base_version" value="2"`) {
			t.Errorf("history: want a button bringing back version 1, made from version 2, and none for the latest")
		}
		if page := ed.get("/review/1/tg/history"); strings.Contains(page.body, `id="revert-button-1"`) {
			t.Error("an editor, who may not edit translations, is offered a revert")
		}

		resp := ana.post("/review/1/tg/versions/1/revert", url.Values{"base_version": {"2"}})
		if resp.status != http.StatusSeeOther || resp.location != "/review/1/tg/history?done=reverted#v3" {
			t.Fatalf("revert: %d to %q\n%s", resp.status, resp.location, firstLine(resp.body))
		}
		v3, err := f.db.Version(ctx, 1, tarjuma.Tajik, 3)
		if err != nil || v3.Author != "tg@desk.test" {
			t.Fatalf("version 3 by %q, %v; want the translator's", v3.Author, err)
		}
		for i, seg := range v3.Segments {
			if seg.Text != v1.Segments[i].Text || seg.Status != v1.Segments[i].Status {
				t.Errorf("segment %s: %q/%s, want version 1's %q/%s", seg.ID, seg.Text, seg.Status, v1.Segments[i].Text, v1.Segments[i].Status)
			}
		}
		if vs, _ := f.db.Versions(ctx, 1, tarjuma.Tajik); len(vs) != 3 || vs[1].Segments[0].Text != "Саммити Душанбе" {
			t.Errorf("history after the revert: %d versions, want all 3 with version 2 kept", len(vs))
		}
		if page := ana.get(resp.location); !strings.Contains(page.body, "saved as the newest version") {
			t.Error("no notice after the revert")
		}

		// A page loaded before the revert brings back version 2 from version 2: refused.
		resp = ana.post("/review/1/tg/versions/2/revert", url.Values{"base_version": {"2"}})
		if resp.status != http.StatusConflict || !strings.Contains(resp.body, "nothing was brought back") {
			t.Errorf("stale revert: %d, want 409 saying nothing was brought back", resp.status)
		}
		resp = ana.post("/review/1/tg/versions/1/revert", url.Values{"base_version": {"3"}})
		if resp.status != http.StatusSeeOther || resp.location != "/review/1/tg/history?done=unchanged#v3" {
			t.Errorf("bringing back what the latest already says: %d to %q, want no new version", resp.status, resp.location)
		}

		if _, err := f.db.UpdateArticleSource(ctx, 1, 0, sourceTitle, correctedBody, "editor@desk.test"); err != nil {
			t.Fatal(err)
		}
		if page := ana.get("/review/1/tg/history"); strings.Contains(page.body, `id="revert-button-`) {
			t.Error("reverts offered while the translation is queued for the corrected source")
		}
		resp = ana.post("/review/1/tg/versions/2/revert", url.Values{"base_version": {"3"}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "earlier Arabic source") {
			t.Errorf("revert to a version of the earlier source: %d, want 422 saying why", resp.status)
		}
		if vs, _ := f.db.Versions(ctx, 1, tarjuma.Tajik); len(vs) != 3 {
			t.Errorf("%d versions after the refused reverts, want 3", len(vs))
		}
	})
}
