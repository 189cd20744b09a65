package api

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// editRequest is the body of POST …/versions with texts by segment id; the title is "title".
func editRequest(base int, texts map[string]string, ids ...string) map[string]any {
	segs := make([]map[string]any, len(ids))
	for i, id := range ids {
		segs[i] = map[string]any{"id": id, "text": texts[id]}
	}
	return map[string]any{"base_version": base, "title": texts[tarjuma.TitleSegmentID], "segments": segs}
}

// unchangedEdit is a save of the latest version as it stands.
func (e *testEnv) unchangedEdit(t *testing.T, id int64, lang tarjuma.Lang) map[string]any {
	t.Helper()
	v, err := e.db.LatestVersion(t.Context(), id, lang)
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	var ids []string
	for _, s := range v.Segments {
		texts[s.ID] = s.Text
		if s.ID != tarjuma.TitleSegmentID {
			ids = append(ids, s.ID)
		}
	}
	return editRequest(v.Number, texts, ids...)
}

// draft stores a copy of the latest version as a person's, so the translation needs review,
// and returns its number.
func (e *testEnv) draft(t *testing.T, id int64, lang tarjuma.Lang) int {
	t.Helper()
	v, err := e.db.LatestVersion(t.Context(), id, lang)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := e.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: id, Lang: lang, BaseVersion: v.Number, Segments: v.Segments, Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return saved.Number
}

// userToken makes a user with role and langs and returns a bearer header acting as them.
func (e *testEnv) userToken(t *testing.T, email string, role tarjuma.Role, langs ...tarjuma.Lang) string {
	t.Helper()
	u, err := e.db.CreateUser(t.Context(), store.NewUser{Email: email, PasswordHash: "not-used", Role: role, Langs: langs})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := e.db.CreateUserToken(t.Context(), email, u)
	if err != nil {
		t.Fatal(err)
	}
	return bearer(secret)
}

// reviewDraft stores an article about Dushanbe, a glossary term for the city, and a machine
// version into Tajik whose second body segment is untranslated.
func reviewDraft(t *testing.T, e *testEnv) (articleID int64, path string) {
	t.Helper()
	ctx := t.Context()
	if _, err := e.db.CreateGlossaryTerm(ctx, glossary.Term{ID: "dushanbe", Kind: glossary.KindPlace, Arabic: []string{"دوشنبه"},
		Targets: map[tarjuma.Lang]glossary.Forms{tarjuma.Tajik: {Preferred: "Душанбе"}, tarjuma.Russian: {Preferred: "Душанбе"}, tarjuma.English: {Preferred: "Dushanbe"}},
	}, "test"); err != nil {
		t.Fatal(err)
	}
	a := e.submit(t, map[string]any{"title": "قمة في دوشنبه", "body": "شارك الرئيس في دوشنبه.\nوتحدث عن التعاون."})
	if _, _, err := e.db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: []tarjuma.Segment{
		{ID: tarjuma.TitleSegmentID, Source: "قمة في دوشنبه", Text: "Саммит дар Душанбе", Origin: tarjuma.MachineOrigin("stub")},
		{ID: "p1.s1", Source: "شارك الرئيس في دوشنبه.", Text: "Президент дар Душанбе ширкат кард.", Origin: tarjuma.MachineOrigin("stub")},
		{ID: "p2.s1", Source: "وتحدث عن التعاون.", Text: "وتحدث عن التعاون.", Origin: tarjuma.OriginUntranslated},
	}}); err != nil {
		t.Fatal(err)
	}
	return a.ID, fmt.Sprintf("/api/v1/articles/%d/translations/tg", a.ID)
}

func (e *testEnv) versionCount(t *testing.T, id int64) int {
	t.Helper()
	vs, err := e.db.Versions(t.Context(), id, tarjuma.Tajik)
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

func TestSaveVersion(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		id, path := reviewDraft(t, e)
		texts := map[string]string{
			tarjuma.TitleSegmentID: "Саммити сарони давлатҳо", // the city left out: the check says so
			"p1.s1":                "Президент дар Душанбе иштирок кард.",
			"p2.s1":                "Ӯ дар бораи ҳамкорӣ сухан гуфт.",
		}
		rec := e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1")))
		v2 := decode[versionJSON](t, rec, http.StatusCreated)
		if loc := rec.Header().Get("Location"); loc != path+"/versions/2" {
			t.Errorf("Location %q, want %s/versions/2", loc, path)
		}
		glossaryVersion := e.glossaryVersion(t)
		if v2.Number != 2 || v2.Machine || v2.Author != "reviewer-token" || v2.SourceRevision != 1 || v2.GlossaryVersion != glossaryVersion {
			t.Errorf("version %+v, want number 2 by reviewer-token, not machine, of glossary %d", v2.versionSummaryJSON, glossaryVersion)
		}
		gotOrigins := []tarjuma.Origin{v2.TitleOrigin, v2.Segments[0].Origin, v2.Segments[1].Origin}
		if want := []tarjuma.Origin{tarjuma.OriginHuman, tarjuma.OriginHuman, tarjuma.OriginHuman}; !cmp.Equal(gotOrigins, want) {
			t.Errorf("origins %v, want %v", gotOrigins, want)
		}
		// The glossary check ran on the person's text: the title lost the city, p1.s1 kept it.
		wantChecks := [][]termCheckJSON{
			{{Term: "dushanbe", Result: "missing", Form: "Душанбе", Start: -1, End: -1, SourceStart: strings.Index(v2.TitleSource, "دوشنبه")}},
			{{Term: "dushanbe", Result: "ok", Form: "Душанбе", Case: "nom", Start: len("Президент дар "), End: len("Президент дар Душанбе"),
				SourceStart: strings.Index(v2.Segments[0].Source, "دوشنبه")}},
			{},
		}
		if diff := cmp.Diff(wantChecks, [][]termCheckJSON{v2.TitleChecks, v2.Segments[0].Checks, v2.Segments[1].Checks}); diff != "" {
			t.Errorf("checks (-want +got):\n%s", diff)
		}
		if len(v2.TitleTerms) != 1 || len(v2.Segments[0].Terms) != 1 {
			t.Errorf("terms %v and %v, want the city in the title and p1.s1", v2.TitleTerms, v2.Segments[0].Terms)
		}
		stored := decode[versionJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/versions/2", ""), http.StatusOK)
		if diff := cmp.Diff(v2, stored, cmp.AllowUnexported(versionJSON{})); diff != "" {
			t.Errorf("GET of the new version differs from the 201 (-posted +got):\n%s", diff)
		}

		// Unchanged texts keep their origin.
		texts[tarjuma.TitleSegmentID] = "Саммит дар Душанбе"
		v3 := decode[versionJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", path+"/versions", jsonOf(t, editRequest(2, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		if v3.Number != 3 || v3.TitleOrigin != tarjuma.OriginHuman || v3.Segments[0].Origin != tarjuma.OriginHuman || v3.TitleChecks[0].Result != "ok" {
			t.Errorf("version 3 %+v", v3)
		}

		refused := []struct {
			name   string
			body   string
			status int
			code   string
		}{
			{"stale base", jsonOf(t, editRequest(2, texts, "p1.s1", "p2.s1")), http.StatusConflict, "conflict"},
			{"base ahead", jsonOf(t, editRequest(9, texts, "p1.s1", "p2.s1")), http.StatusNotFound, "not_found"},
			{"no base", jsonOf(t, editRequest(0, texts, "p1.s1", "p2.s1")), http.StatusUnprocessableEntity, "invalid_version"},
			{"segment missing", jsonOf(t, editRequest(3, texts, "p1.s1")), http.StatusUnprocessableEntity, "segments_mismatch"},
			{"segment added", jsonOf(t, editRequest(3, texts, "p1.s1", "p2.s1", "p3.s1")), http.StatusUnprocessableEntity, "segments_mismatch"},
			{"segments swapped", jsonOf(t, editRequest(3, texts, "p2.s1", "p1.s1")), http.StatusUnprocessableEntity, "segments_mismatch"},
			{"title empty", jsonOf(t, editRequest(3, map[string]string{"p1.s1": "x", "p2.s1": "y", "title": " "}, "p1.s1", "p2.s1")), http.StatusUnprocessableEntity, "empty_field"},
			{"text missing", fmt.Sprintf(`{"base_version": 3, "title": "x", "segments": [{"id": "p1.s1", "text": "y"}, {"id": "p2.s1"}]}`), http.StatusUnprocessableEntity, "empty_field"},
			{"NUL", jsonOf(t, editRequest(3, map[string]string{"p1.s1": "x\x00", "p2.s1": "y", "title": "z"}, "p1.s1", "p2.s1")), http.StatusBadRequest, "invalid_text"},
			{"unknown field", `{"base_version": 3, "title": "x", "segments": [], "status": "approved"}`, http.StatusBadRequest, "invalid_json"},
		}
		for _, r := range refused {
			t.Run(r.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", r.body), r.status, r.code, "")
				if n := e.versionCount(t, id); n != 3 {
					t.Errorf("%d versions stored, want 3", n)
				}
			})
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", fmt.Sprintf("/api/v1/articles/%d/translations/ru/versions", id),
			jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1"))), http.StatusNotFound, "not_found", "")
	})
}

func TestSaveVersionPermissions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		id, path := reviewDraft(t, e)
		tajik := e.userToken(t, "nigora@desk.tj", tarjuma.RoleTranslator, tarjuma.Tajik)
		russian := e.userToken(t, "olga@desk.tj", tarjuma.RoleTranslator, tarjuma.Russian, tarjuma.English)
		body := func() string { return jsonOf(t, e.unchangedEdit(t, id, tarjuma.Tajik)) }

		wantError(t, do(t, e.srv, "POST", path+"/versions", russian, body()), http.StatusForbidden, "forbidden", "tg")
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path+"/versions", body()), http.StatusForbidden, "forbidden", "editor")
		if n := e.versionCount(t, id); n != 1 {
			t.Errorf("refused saves stored %d versions, want 1", n)
		}
		v := decode[versionJSON](t, do(t, e.srv, "POST", path+"/versions", tajik, body()), http.StatusCreated)
		if v.Author != "nigora@desk.tj" {
			t.Errorf("author %q, want the translator's email", v.Author)
		}
		// Translators do not review, not even in their languages.
		wantError(t, do(t, e.srv, "POST", path+"/approve", tajik, fmt.Sprintf(`{"version": %d}`, v.Number)), http.StatusForbidden, "forbidden", "translator")
		wantError(t, do(t, e.srv, "POST", path+"/reject", tajik, `{"comment": "x"}`), http.StatusForbidden, "forbidden", "translator")
	})
}

// TestSaveVersionConcurrently: of two people saving on the same base, exactly one wins and
// the other gets 409; nothing is overwritten.
func TestSaveVersionConcurrently(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		id, path := reviewDraft(t, e)
		base := e.unchangedEdit(t, id, tarjuma.Tajik)
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, role := range []tarjuma.Role{tarjuma.RoleReviewer, tarjuma.RoleAdmin} {
			body := base
			body["title"] = fmt.Sprint("Сарлавҳа ", i)
			raw := jsonOf(t, body)
			wg.Go(func() { codes[i] = e.as(t, role, "POST", path+"/versions", raw).Code })
		}
		wg.Wait()
		if !cmp.Equal(codes, []int{201, 409}) && !cmp.Equal(codes, []int{409, 201}) {
			t.Errorf("statuses %v, want one 201 and one 409", codes)
		}
		if n := e.versionCount(t, id); n != 2 {
			t.Errorf("%d versions, want 2", n)
		}
	})
}

func TestApproveAndRejectEndpoints(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		// A subscriber holds approved translations back from published until delivered.
		if _, err := e.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: "https://news.example/hook", Secret: "s", Langs: []tarjuma.Lang{tarjuma.Tajik}}); err != nil {
			t.Fatal(err)
		}
		id, path := reviewDraft(t, e)
		texts := map[string]string{tarjuma.TitleSegmentID: "Саммит дар Душанбе", "p1.s1": "Президент дар Душанбе иштирок кард.", "p2.s1": "وتحدث عن التعاون."}
		decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1"))), http.StatusCreated)

		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 1}`), http.StatusConflict, "conflict", "")
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{}`), http.StatusUnprocessableEntity, "invalid_version", "")
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/reject", `{"version": 2}`), http.StatusUnprocessableEntity, "empty_field", "comment")
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/reject", `{"version": 2, "comment": "  "}`), http.StatusUnprocessableEntity, "empty_field", "comment")

		// p2.s1 is still the Arabic source: only an override approves it.
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", `{"version": 2, "comment": "Хуб"}`), http.StatusConflict, "open_issues", "")
		got := decode[translationDetailJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve",
			`{"version": 2, "comment": "Хуб", "override": {"reason": "the last sentence is translated tomorrow"}}`), http.StatusOK)
		if got.Status != tarjuma.StatusApproved || got.LatestVersion == nil || got.LatestVersion.Number != 2 {
			t.Errorf("after approval: %+v, want approved at version 2", got.translationJSON)
		}
		// The next machine translation of these sentences comes from the memory; the untranslated
		// one is not there.
		sources := []string{"قمة في دوشنبه", "شارك الرئيس في دوشنبه.", "وتحدث عن التعاون."}
		keys := make([]string, len(sources))
		for i, s := range sources {
			keys[i] = glossary.MemoryKey(s)
		}
		memory, err := e.db.LookupMemory(ctx, tarjuma.Arabic, tarjuma.Tajik, keys)
		if want := map[string]string{keys[0]: "Саммит дар Душанбе", keys[1]: "Президент дар Душанбе иштирок кард."}; err != nil || !cmp.Equal(memory, want) {
			t.Errorf("memory = %v, %v; want %v", memory, err, want)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", path+"/approve", `{"version": 2}`), http.StatusConflict, "conflict", "")

		// An edit after approval goes back to review.
		texts["p2.s1"] = "Ӯ дар бораи ҳамкорӣ сухан гуфт."
		decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(2, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		tr, err := e.db.Translation(ctx, id, tarjuma.Tajik)
		if err != nil || tr.Status != tarjuma.StatusNeedsReview {
			t.Errorf("after an edit of the approved version: %s, %v; want needs_review", tr.Status, err)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", path+"/reject", `{"version": 2, "comment": "x"}`), http.StatusConflict, "conflict", "")
		got = decode[translationDetailJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", path+"/reject", `{"comment": "«ҳамкорӣ» нодуруст аст"}`), http.StatusOK)
		if got.Status != tarjuma.StatusRejected || got.LatestVersion.Number != 3 {
			t.Errorf("after rejection: %+v, want rejected at version 3", got.translationJSON)
		}

		events, err := e.db.ReviewEvents(ctx, id, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		var summary []string
		for _, ev := range events {
			summary = append(summary, fmt.Sprintf("%d %s %s %s", ev.Version, ev.Action, ev.Actor, ev.Comment))
		}
		want := []string{"2 approved reviewer-token Хуб", "3 rejected admin-token «ҳамкорӣ» нодуруст аст"}
		if !cmp.Equal(summary, want) {
			t.Errorf("events:\n%s\nwant:\n%s", strings.Join(summary, "\n"), strings.Join(want, "\n"))
		}
	})
}

// openIssuesDraft submits an article and stores a machine version into Tajik with the given
// target texts and origins (title, p1.s1, p2.s1), so the translation needs review at version 1.
func openIssuesDraft(t *testing.T, e *testEnv, n int, texts [3]string, origins [3]tarjuma.Origin, machineOnly bool) (int64, string) {
	t.Helper()
	ctx := t.Context()
	title := "قمة في دوشنبه " + strings.Repeat("ب", n+1)
	sources := [3]string{title, "شارك الرئيس في دوشنبه.", "وتحدث عن التعاون."}
	a := e.submit(t, map[string]any{"title": title, "body": sources[1] + "\n" + sources[2]})
	if _, _, err := e.db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	ids := [3]string{tarjuma.TitleSegmentID, "p1.s1", "p2.s1"}
	segs := make([]tarjuma.Segment, 3)
	for i := range segs {
		segs[i] = tarjuma.Segment{ID: ids[i], Source: sources[i], Text: texts[i], Origin: origins[i]}
	}
	if _, _, err := e.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	if !machineOnly {
		// Version 2: the same texts, every segment confirmed, so only the texts are at issue.
		for i := range segs {
			segs[i].Status = tarjuma.SegmentConfirmed
		}
		if _, err := e.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: 1, Segments: segs, Author: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	return a.ID, fmt.Sprintf("/api/v1/articles/%d/translations/tg", a.ID)
}

// openIssuesError is the 409 open_issues body.
type openIssuesError struct {
	errorBody
	Issues []issueJSON `json:"issues"`
}

// TestApproveOpenIssues: a version that would publish Arabic or nothing as Tajik is not
// approved without an override and its reason; with one, the reason is in the history.
func TestApproveOpenIssues(t *testing.T) {
	mt := tarjuma.MachineOrigin("stub")
	title, s1 := "Саммит дар Душанбе", "Президент дар Душанбе иштирок кард."
	s2 := "Ӯ дар бораи ҳамкорӣ сухан гуфт."
	tests := []struct {
		name    string
		texts   [3]string
		origins [3]tarjuma.Origin
		body    string
		status  int
		code    string      // for errors
		issues  []issueJSON // for 409 open_issues
		reason  string      // for 200: the override recorded, "" for none
		// machineOnly approves the machine version 1, all draft, instead of a confirmed version 2.
		machineOnly bool
	}{
		{name: "machine draft, unconfirmed", texts: [3]string{title, s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated}, body: `{"version": 1}`, machineOnly: true,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "title", Problem: "unconfirmed"},
				{ID: "p1.s1", Problem: "unconfirmed"}, {ID: "p2.s1", Problem: "untranslated"}, {ID: "p2.s1", Problem: "unconfirmed"}}},
		{name: "machine draft with an override", texts: [3]string{title, s1, s2}, origins: [3]tarjuma.Origin{mt, mt, mt},
			body: `{"version": 1, "override": {"reason": "urgent, checked by phone"}}`, machineOnly: true, status: http.StatusOK,
			reason: "urgent, checked by phone", issues: []issueJSON{{ID: "title", Problem: "unconfirmed"},
				{ID: "p1.s1", Problem: "unconfirmed"}, {ID: "p2.s1", Problem: "unconfirmed"}}},
		{name: "a number flag", texts: [3]string{title, "Президент 2 бор дар Душанбе иштирок кард.", s2},
			origins: [3]tarjuma.Origin{mt, mt, mt}, body: `{"version": 2}`,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "p1.s1", Problem: "number_extra", Args: []string{"2"}}}},
		{name: "untranslated origin", texts: [3]string{title, s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated}, body: `{"version": 2}`,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "p2.s1", Problem: "untranslated"}}},
		{name: "machine text equal to the source after trimming", texts: [3]string{title, " شارك الرئيس في دوشنبه. ", s2},
			origins: [3]tarjuma.Origin{mt, mt, mt}, body: `{"version": 2}`,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "p1.s1", Problem: "untranslated"}}},
		{name: "empty", texts: [3]string{title, " \n ", s2},
			origins: [3]tarjuma.Origin{mt, tarjuma.OriginHuman, mt}, body: `{"version": 2, "comment": "Хуб"}`,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "p1.s1", Problem: "empty"}}},
		{name: "empty title and untranslated body", texts: [3]string{"", s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated}, body: `{"version": 2}`,
			status: http.StatusConflict, code: "open_issues", issues: []issueJSON{{ID: "title", Problem: "empty"}, {ID: "p2.s1", Problem: "untranslated"}}},
		{name: "override with a reason", texts: [3]string{title, s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated},
			body:    `{"version": 2, "comment": "Хуб", "override": {"reason": "  The quote stays in Arabic.  "}}`,
			status:  http.StatusOK, reason: "The quote stays in Arabic.", issues: []issueJSON{{ID: "p2.s1", Problem: "untranslated"}}},
		{name: "override with an empty reason", texts: [3]string{title, s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated}, body: `{"version": 2, "override": {"reason": " "}}`,
			status: http.StatusUnprocessableEntity, code: "empty_field"},
		{name: "override without a reason", texts: [3]string{title, s1, "وتحدث عن التعاون."},
			origins: [3]tarjuma.Origin{mt, mt, tarjuma.OriginUntranslated}, body: `{"version": 2, "override": {}}`,
			status: http.StatusUnprocessableEntity, code: "empty_field"},
		{name: "clean", texts: [3]string{title, s1, s2}, origins: [3]tarjuma.Origin{mt, tarjuma.OriginHuman, tarjuma.OriginMemory},
			body: `{"version": 2}`, status: http.StatusOK},
		{name: "clean with an override, which overrides nothing", texts: [3]string{title, s1, s2}, origins: [3]tarjuma.Origin{mt, mt, mt},
			body: `{"version": 2, "override": {"reason": "just in case"}}`, status: http.StatusOK},
	}
	eachDB(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		// A subscriber, so an approval would queue a delivery.
		if _, err := e.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: "https://news.example/hook", Secret: "s", Langs: []tarjuma.Lang{tarjuma.Tajik}}); err != nil {
			t.Fatal(err)
		}
		for n, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id, path := openIssuesDraft(t, e, n, tt.texts, tt.origins, tt.machineOnly)
				rec := e.as(t, tarjuma.RoleReviewer, "POST", path+"/approve", tt.body)
				tr, err := e.db.Translation(ctx, id, tarjuma.Tajik)
				if err != nil {
					t.Fatal(err)
				}
				deliveries, err := e.db.Deliveries(ctx, id, tarjuma.Tajik)
				if err != nil {
					t.Fatal(err)
				}
				events := decode[reviewEventListJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", path+"/events", ""), http.StatusOK).Events
				if tt.status != http.StatusOK {
					if tt.code == "open_issues" {
						got := decode[openIssuesError](t, rec, tt.status)
						if diff := cmp.Diff(tt.issues, got.Issues); diff != "" {
							t.Errorf("issues (-want +got):\n%s", diff)
						}
					}
					wantError(t, rec, tt.status, tt.code, "")
					if tr.Status != tarjuma.StatusNeedsReview || len(deliveries) != 0 || len(events) != 0 {
						t.Errorf("after a refused approval: %s, %d deliveries, %d events; want needs_review and none", tr.Status, len(deliveries), len(events))
					}
					return
				}
				decode[translationDetailJSON](t, rec, http.StatusOK)
				if tr.Status != tarjuma.StatusApproved || len(deliveries) != 1 || len(events) != 1 {
					t.Fatalf("after approval: %s, %d deliveries, %d events; want approved, 1, 1", tr.Status, len(deliveries), len(events))
				}
				ev := events[0]
				if ev.Actor != "reviewer-token" || ev.Action != tarjuma.StatusApproved || ev.Version != tr.LatestVersion {
					t.Errorf("event %+v, want version %d approved by reviewer-token", ev, tr.LatestVersion)
				}
				var want *overrideEventJSON
				if tt.reason != "" {
					want = &overrideEventJSON{Reason: tt.reason, Issues: tt.issues}
				}
				if diff := cmp.Diff(want, ev.Override); diff != "" {
					t.Errorf("override (-want +got):\n%s", diff)
				}
				// The translation's JSON shows the approval with the override and its reason.
				got := decode[translationDetailJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path, ""), http.StatusOK)
				if got.Approval == nil || got.Approval.Version != tr.LatestVersion || !cmp.Equal(want, got.Approval.Override) {
					t.Errorf("approval in the translation: %+v, want version %d with override %+v", got.Approval, tr.LatestVersion, want)
				}
			})
		}
	})
}

// TestVersionFlags: a person's save is checked as it is stored, and the version's JSON carries
// the flags as stored: the answer to the save and every later read alike, and a stored flag
// is served as it is even where checking again would not raise it.
func TestVersionFlags(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		id, path := reviewDraft(t, e)
		texts := map[string]string{
			tarjuma.TitleSegmentID: "Саммити сарони давлатҳо",                  // Dushanbe left out
			"p1.s1":                "Президент 2 бор дар Душанбе ширкат кард.", // a 2 the source does not have
			"p2.s1":                "Ӯ дар бораи ҳамкорӣ сухан гуфт.",
		}
		saved := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		type flags struct{ Title, P1, P2 []flagJSON }
		of := func(v versionJSON) flags { return flags{v.TitleFlags, v.Segments[0].Flags, v.Segments[1].Flags} }
		want := flags{
			Title: []flagJSON{{Kind: "term_missing", Args: []string{"Душанбе"}}},
			P1:    []flagJSON{{Kind: "number_extra", Args: []string{"2"}}},
			P2:    []flagJSON{},
		}
		if diff := cmp.Diff(want, of(saved)); diff != "" {
			t.Errorf("flags in the answer to the save (-want +got):\n%s", diff)
		}
		read := decode[versionJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/versions/2", ""), http.StatusOK)
		if diff := cmp.Diff(want, of(read)); diff != "" {
			t.Errorf("flags read back (-want +got):\n%s", diff)
		}
		if body := e.as(t, tarjuma.RoleEditor, "GET", path+"/versions/2", "").Body.String(); !strings.Contains(body, `"flags":[]`) {
			t.Errorf("a segment without flags has no empty flags list: %s", body)
		}

		// Stored with a flag no check of today's text would raise: served as stored.
		v2, err := e.db.Version(t.Context(), id, tarjuma.Tajik, 2)
		if err != nil {
			t.Fatal(err)
		}
		v2.Segments[2].Flags = []tarjuma.Flag{{Kind: "number_missing", Args: []string{"99"}}}
		if _, err := e.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: id, Lang: tarjuma.Tajik, BaseVersion: 2,
			Segments: v2.Segments, Author: "test"}); err != nil {
			t.Fatal(err)
		}
		read = decode[versionJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/versions/3", ""), http.StatusOK)
		want.P2 = []flagJSON{{Kind: "number_missing", Args: []string{"99"}}}
		if diff := cmp.Diff(want, of(read)); diff != "" {
			t.Errorf("flags of version 3 (-want +got):\n%s", diff)
		}
	})
}
