package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/store"
)

// testTerm is a valid place term whose Arabic spelling differs for every n, so any number of
// them can live in one glossary.
func testTerm(id string, n int) glossary.Term {
	letters := []rune("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
	suffix := string(letters[n%len(letters)]) + string(letters[(n/len(letters))%len(letters)])
	return glossary.Term{
		ID:     id,
		Kind:   glossary.KindPlace,
		Arabic: []string{"مدينة " + suffix + "ستان"},
		Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik:   {Preferred: fmt.Sprintf("Шаҳри Ғӯрқҷ %d", n)},
			tarjuma.Russian: {Preferred: fmt.Sprintf("Город %d", n), Accepted: []string{fmt.Sprintf("г. %d", n)}},
			tarjuma.English: {Preferred: fmt.Sprintf("City %d", n)},
		},
	}
}

func (e *testEnv) glossaryVersion(t *testing.T) int64 {
	t.Helper()
	v, err := e.db.GlossaryVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestGlossaryTermLifecycle(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		term := newTermJSON(testTerm("dushanbe", 1))
		created := decode[termResponse](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/terms", jsonOf(t, term)), http.StatusCreated)
		if created.Version != 1 || created.Term.UpdatedBy != "admin-token" || created.Term.UpdatedAt.IsZero() {
			t.Errorf("created = %+v, want version 1 stamped by admin-token", created)
		}
		if got := created.Term.Targets[tarjuma.Tajik].Preferred; got != term.Targets[tarjuma.Tajik].Preferred {
			t.Errorf("Tajik form %q did not round-trip as %q", got, term.Targets[tarjuma.Tajik].Preferred)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/terms", jsonOf(t, term)), http.StatusConflict, "conflict", "")

		// Another term with the same Arabic spelling could never match: refused, nothing stored.
		clash := newTermJSON(testTerm("clash", 1))
		rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/terms", jsonOf(t, clash))
		wantError(t, rec, http.StatusUnprocessableEntity, "invalid_glossary", "")
		if e.glossaryVersion(t) != 1 {
			t.Errorf("a refused term changed the glossary version to %d", e.glossaryVersion(t))
		}

		term.Note = "capital"
		updated := decode[termResponse](t, e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/dushanbe", jsonOf(t, term)), http.StatusOK)
		if updated.Version != 2 || updated.Term.Note != "capital" {
			t.Errorf("updated = %+v, want version 2 with the note", updated)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/other", jsonOf(t, term)), http.StatusUnprocessableEntity, "id_mismatch", "")
		missing := newTermJSON(testTerm("missing", 2))
		wantError(t, e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/missing", jsonOf(t, missing)), http.StatusNotFound, "not_found", "")

		list := decode[struct {
			Version int64      `json:"glossary_version"`
			Terms   []termJSON `json:"terms"`
		}](t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/glossary/terms?q=%D9%85%D8%AF%D9%8A%D9%86%D9%87&kind=place", ""), http.StatusOK)
		if list.Version != 2 || len(list.Terms) != 1 || list.Terms[0].ID != "dushanbe" {
			t.Errorf("search by the normalised Arabic (ه for ة) = %+v, want dushanbe at version 2", list)
		}
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/glossary/terms?kind=planet", ""), http.StatusBadRequest, "invalid_parameter", "planet")

		decode[struct{}](t, e.as(t, tarjuma.RoleAdmin, "DELETE", "/api/v1/glossary/terms/dushanbe", ""), http.StatusOK)
		wantError(t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/glossary/terms/dushanbe", ""), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "DELETE", "/api/v1/glossary/terms/dushanbe", ""), http.StatusNotFound, "not_found", "")
	})
}

func TestGlossaryInvalidTerm(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		bad := newTermJSON(testTerm("Bad Id", 1))
		bad.Kind = "planet"
		rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/terms", jsonOf(t, bad))
		got := decode[struct {
			Error struct {
				Code    string `json:"code"`
				Details []struct {
					Field string `json:"field"`
					Code  string `json:"code"`
				} `json:"details"`
			} `json:"error"`
		}](t, rec, http.StatusUnprocessableEntity)
		fields := map[string]bool{}
		for _, d := range got.Error.Details {
			fields[d.Field] = true
		}
		if got.Error.Code != "invalid_glossary" || !fields["id"] || !fields["kind"] {
			t.Errorf("error = %+v, want invalid_glossary naming id and kind", got.Error)
		}
		if v := e.glossaryVersion(t); v != 0 {
			t.Errorf("glossary version %d after a refused term, want 0", v)
		}
	})
}

// TestGlossaryImportExport imports CSV, exports CSV and TBX, re-imports the TBX with replace,
// and checks that a file with a bad row stores nothing and names its line.
func TestGlossaryImportExport(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Write([]string{"id", "kind", "ar", "tg", "ru", "en", "note"})
		for n := 1; n <= 3; n++ {
			term := testTerm(fmt.Sprintf("city-%d", n), n)
			w.Write([]string{term.ID, string(term.Kind), term.Arabic[0], term.Targets[tarjuma.Tajik].Preferred,
				term.Targets[tarjuma.Russian].Preferred + "|" + term.Targets[tarjuma.Russian].Accepted[0], term.Targets[tarjuma.English].Preferred, ""})
		}
		w.Flush()
		good := b.String()

		imported := decode[struct {
			Version  int64 `json:"glossary_version"`
			Imported int   `json:"imported"`
		}](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import", good, "Content-Type", "text/csv"), http.StatusOK)
		if imported.Imported != 3 || imported.Version != 1 {
			t.Fatalf("import = %+v, want 3 terms at version 1", imported)
		}

		rec := e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/glossary/export?format=csv", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("export csv: %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		if exported := rec.Body.String(); !strings.Contains(exported, "Шаҳри Ғӯрқҷ 2") || !strings.Contains(exported, "Город 3|г. 3") {
			t.Errorf("CSV export lost forms:\n%s", exported)
		}
		tbx := e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/glossary/export?format=tbx", "")
		if tbx.Code != http.StatusOK || tbx.Header().Get("X-Glossary-Version") != "1" {
			t.Fatalf("export tbx: %d, version header %q", tbx.Code, tbx.Header().Get("X-Glossary-Version"))
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/glossary/export?format=pdf", ""), http.StatusBadRequest, "invalid_parameter", "pdf")

		// A bad row anywhere: nothing of the file is stored, and the answer names the line.
		bad := good + "city-9,planet,مدينة,Шаҳр,Город,City,\n"
		rec = e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import?mode=replace", bad, "Content-Type", "text/csv")
		wantError(t, rec, http.StatusUnprocessableEntity, "invalid_glossary", "")
		if !strings.Contains(rec.Body.String(), `"line":5`) {
			t.Errorf("the refusal does not name line 5: %s", rec.Body)
		}
		if v := e.glossaryVersion(t); v != 1 {
			t.Errorf("a refused import changed the glossary to version %d", v)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import?mode=append", good, "Content-Type", "text/csv"), http.StatusBadRequest, "invalid_parameter", "append")

		// Replace with the TBX minus one term: the glossary is exactly the file afterwards.
		one := testTerm("city-1", 1)
		var onlyOne strings.Builder
		if err := glossary.WriteTBX(&onlyOne, []glossary.Term{one}); err != nil {
			t.Fatal(err)
		}
		decode[struct{}](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import?mode=replace", onlyOne.String(), "Content-Type", "application/x-tbx+xml"), http.StatusOK)
		terms, version, err := e.db.GlossaryTerms(t.Context(), store.GlossaryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(terms) != 1 || terms[0].ID != "city-1" || version != 2 {
			t.Errorf("after replace: %d terms at version %d, want city-1 alone at version 2", len(terms), version)
		}
	})
}

// TestGlossaryTermForms serves every Tajik and Russian form of a term, takes overrides per
// spelling and form, keeps them across edits, and refuses an override of no spelling.
func TestGlossaryTermForms(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		rahmon := glossary.Term{ID: "emomali-rahmon", Kind: glossary.KindPerson, Arabic: []string{"إمام علي رحمان"},
			Targets: map[tarjuma.Lang]glossary.Forms{
				tarjuma.Tajik: {Preferred: "Эмомалӣ Раҳмон"}, tarjuma.Russian: {Preferred: "Эмомали Рахмон"}, tarjuma.English: {Preferred: "Emomali Rahmon"},
			}}
		created := decode[termResponse](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/terms", jsonOf(t, newTermJSON(rahmon))), http.StatusCreated)
		ru := created.Term.Targets[tarjuma.Russian].Paradigms
		if len(ru) != 1 || ru[0].Forms["ins"] != "Эмомали Рахмоном" || ru[0].Forms["gen"] != "Эмомали Рахмона" || len(ru[0].Overridden) != 0 {
			t.Errorf("ru paradigms %+v, want the generated cases", ru)
		}
		if tg := created.Term.Targets[tarjuma.Tajik].Paradigms; len(tg) != 1 || tg[0].Forms["acc"] != "Эмомалӣ Раҳмонро" || tg[0].Forms["ezafe"] != "Эмомалӣ Раҳмони" {
			t.Errorf("tg paradigms %+v", tg)
		}
		if en := created.Term.Targets[tarjuma.English].Paradigms; en != nil {
			t.Errorf("en paradigms %+v, want none: English terms do not inflect", en)
		}

		// A desk that writes the prepositional as the Tajik press does in Russian copy, say.
		j := newTermJSON(rahmon)
		ruForms := j.Targets[tarjuma.Russian]
		ruForms.Overrides = map[string]map[inflect.Form]string{"Эмомали Рахмон": {inflect.Prep: "Эмомали Рахмоне (Раҳмоне)"}}
		j.Targets[tarjuma.Russian] = ruForms
		updated := decode[termResponse](t, e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/emomali-rahmon", jsonOf(t, j)), http.StatusOK)
		p := updated.Term.Targets[tarjuma.Russian].Paradigms[0]
		if p.Forms["prep"] != "Эмомали Рахмоне (Раҳмоне)" || len(p.Overridden) != 1 || p.Overridden[0] != inflect.Prep || p.Forms["dat"] != "Эмомали Рахмону" {
			t.Errorf("overridden paradigm %+v", p)
		}
		got := decode[termResponse](t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/glossary/terms/emomali-rahmon", ""), http.StatusOK)
		if got.Term.Targets[tarjuma.Russian].Overrides["Эмомали Рахмон"][inflect.Prep] != "Эмомали Рахмоне (Раҳмоне)" {
			t.Errorf("stored overrides %+v", got.Term.Targets[tarjuma.Russian].Overrides)
		}

		ruForms.Overrides = map[string]map[inflect.Form]string{"Рахмон": {inflect.Gen: "Рахмона"}}
		j.Targets[tarjuma.Russian] = ruForms
		rec := e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/emomali-rahmon", jsonOf(t, j))
		wantError(t, rec, http.StatusUnprocessableEntity, "invalid_glossary", "glossary.bad_override")
		ruForms.Overrides = map[string]map[inflect.Form]string{"Эмомали Рахмон": {"ezafe": "x"}}
		j.Targets[tarjuma.Russian] = ruForms
		rec = e.as(t, tarjuma.RoleAdmin, "PUT", "/api/v1/glossary/terms/emomali-rahmon", jsonOf(t, j))
		wantError(t, rec, http.StatusUnprocessableEntity, "invalid_glossary", "glossary.bad_override")
	})
}
