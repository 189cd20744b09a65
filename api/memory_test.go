package api

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

type memoryImportJSON struct {
	Added, Updated, Unchanged, Skipped int
	Problems                           []struct {
		TU   int    `json:"tu"`
		Code string `json:"code"`
	}
}

func (e *testEnv) importTMX(t *testing.T, body string, want int) memoryImportJSON {
	t.Helper()
	return decode[memoryImportJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/memory/import", body, "Content-Type", "application/x-tmx+xml"), want)
}

// memoryRows is the whole memory as stored, for comparing two memories byte for byte.
func memoryRows(t *testing.T, db *store.DB) []store.MemoryEntry {
	t.Helper()
	var rows []store.MemoryEntry
	err := db.EachMemoryEntry(t.Context(), "", func(e store.MemoryEntry) error {
		rows = append(rows, store.MemoryEntry{Source: e.Source, Target: e.Target, Key: e.Key, Text: e.Text})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestMemoryImportExportRoundTrip(t *testing.T) {
	trados, err := os.ReadFile("../memory/testdata/trados.tmx") // UTF-16 LE with a BOM
	if err != nil {
		t.Fatal(err)
	}
	eachDB(t, func(t *testing.T, e *testEnv) {
		// Texts a careless writer or reader would change, beside the Trados file's.
		if err := e.db.PutMemory(t.Context(), []store.MemoryEntry{
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: glossary.MemoryKey("قالَ: \"السلام\" & <الوحدة>\u200f"), Text: "Сказал: «мир» & <единство>\n\tещё"},
			{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: glossary.MemoryKey("قالَ: \"السلام\" & <الوحدة>\u200f"), Text: "Гуфт: «сулҳ» — ғ ӣ қ ӯ ҳ ҷ"},
		}); err != nil {
			t.Fatal(err)
		}
		got := e.importTMX(t, string(trados), http.StatusOK)
		if got.Added != 4 || got.Updated != 0 || got.Unchanged != 0 || got.Skipped != 1 || len(got.Problems) != 0 {
			t.Errorf("first import: %+v", got)
		}
		if again := e.importTMX(t, string(trados), http.StatusOK); again.Added != 0 || again.Unchanged != 4 {
			t.Errorf("second import: %+v", again)
		}
		rec := e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/memory/export?format=tmx", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/x-tmx+xml") {
			t.Fatalf("export: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		exported := rec.Body.String()

		fresh := newTestEnv(t, freshURL(t, e))
		if res := fresh.importTMX(t, exported, http.StatusOK); res.Added != 6 || res.Skipped != 0 {
			t.Errorf("import of the export: %+v", res)
		}
		if diff := cmp.Diff(memoryRows(t, e.db), memoryRows(t, fresh.db)); diff != "" {
			t.Errorf("the memory after export and import (-before +after):\n%s", diff)
		}

		ru := e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/memory/export?lang=ru", "").Body.String()
		if strings.Count(ru, "<tu ") != 3 || strings.Contains(ru, `xml:lang="tg"`) || strings.Contains(ru, `xml:lang="en"`) {
			t.Errorf("lang=ru export:\n%s", ru)
		}
	})
}

// freshURL is a new empty database of e's kind.
func freshURL(t *testing.T, e *testEnv) string {
	t.Helper()
	for _, target := range testenv.Databases(t) {
		if db, err := store.Open(t.Context(), target.URL); err == nil {
			same := db.Dialect() == e.db.Dialect()
			db.Close()
			if same {
				return target.URL
			}
		}
	}
	t.Fatalf("no fresh %s database", e.db.Dialect())
	return ""
}

func TestMemoryImportRefusals(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		const doc = `<?xml version="1.0" encoding="%s"?><tmx version="1.4"><header srclang="%s"/><body>` +
			`<tu><tuv xml:lang="ar"><seg>%s</seg></tuv><tuv xml:lang="ru-RU"><seg>Привет</seg></tuv></tu></body></tmx>`
		ok := fmt.Sprintf(doc, "UTF-8", "ar", "مرحبا")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/memory/import", ok, "Content-Type", "text/csv"),
			http.StatusUnsupportedMediaType, "unsupported_media_type", "TMX")
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", "/api/v1/memory/import", ok, "Content-Type", "application/xml"),
			http.StatusForbidden, "forbidden", "reviewer")
		tests := []struct {
			name, body, code string
			status           int
		}{
			{"windows-1256", fmt.Sprintf(doc, "windows-1256", "ar", "مرحبا"), "unsupported_encoding", http.StatusUnprocessableEntity},
			{"nul", fmt.Sprintf(doc, "UTF-8", "ar", "مر\x00حبا"), "invalid_text", http.StatusBadRequest},
			{"invalid utf-8", fmt.Sprintf(doc, "UTF-8", "ar", "مر\xffحبا"), "invalid_text", http.StatusBadRequest},
			{"english source", fmt.Sprintf(doc, "UTF-8", "en-US", "Hello"), "source_not_arabic", http.StatusUnprocessableEntity},
			{"not xml", "id,kind,ar\n", "invalid_tmx", http.StatusUnprocessableEntity},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/memory/import", tc.body, "Content-Type", "application/xml"), tc.status, tc.code, "")
			})
		}
		if rows := memoryRows(t, e.db); len(rows) != 0 {
			t.Errorf("refused imports stored %d entries", len(rows))
		}
		// A bad unit is skipped and named; the good one is imported.
		mixed := strings.Replace(ok, "</body>", `<tu><tuv xml:lang="ru"><seg>Без источника</seg></tuv></tu></body>`, 1)
		res := e.importTMX(t, mixed, http.StatusOK)
		if res.Added != 1 || res.Skipped != 1 || len(res.Problems) != 1 || res.Problems[0].TU != 2 || res.Problems[0].Code != "no_source" {
			t.Errorf("mixed import: %+v", res)
		}
	})
}

type hitsJSON struct {
	Results []struct {
		Source, Text string
		Lang         tarjuma.Lang
		Phrase       bool
	}
	Total int
}

func TestMemorySearch(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		if err := e.db.PutMemory(t.Context(), []store.MemoryEntry{
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "استقبل رئيس جمهورية طاجيكستان وزير الخارجية", Text: "Президент Таджикистана принял министра иностранных дел"},
			{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "استقبل رئيس جمهورية طاجيكستان وزير الخارجية", Text: "Президенти Тоҷикистон вазири корҳои хориҷиро қабул кард"},
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "قتل خمسة أشخاص", Text: "Погибли пять человек"},
		}); err != nil {
			t.Fatal(err)
		}
		search := func(q, lang string) hitsJSON {
			path := "/api/v1/memory/search?q=" + url.QueryEscape(q)
			if lang != "" {
				path += "&lang=" + lang
			}
			return decode[hitsJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK)
		}
		// Ta marbuta as ha, alef with hamza, tashkeel: the glossary's normalisation.
		if got := search("جُمهوريه طاجيكستان", "ru"); got.Total != 1 || got.Results[0].Text != "Президент Таджикистана принял министра иностранных дел" || !got.Results[0].Phrase {
			t.Errorf("Arabic search: %+v", got)
		}
		if got := search("ПОГИБЛИ", ""); got.Total != 1 || got.Results[0].Source != "قتل خمسة أشخاص" {
			t.Errorf("target search: %+v", got)
		}
		if got := search("طاجيكستان", ""); got.Total != 2 {
			t.Errorf("every language: %+v", got)
		}
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/memory/search?q=+", ""), http.StatusBadRequest, "invalid_parameter", "q")
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/memory/search?q=x&lang=de", ""), http.StatusBadRequest, "invalid_parameter", "lang")
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/memory/search?q=x&limit=0", ""), http.StatusBadRequest, "invalid_parameter", "limit")
	})
}

type suggestionsJSON struct {
	Suggestions []suggestionJSONItem
	Repeats     []string
}

type suggestionJSONItem = struct {
	Text, Source, Origin string
	Score                int
	Diff                 []diffJSON
	Adapted              []struct{ Kind, From, To string }
	TermID               string `json:"term_id"`
	Forms                []string
	Segment              string
}

func TestSuggestions(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		a := e.submit(t, shortArticle(0))
		if _, _, err := e.db.StartTranslating(ctx, a.ID, tarjuma.Russian, 1); err != nil {
			t.Fatal(err)
		}
		// Ten words, one of them (غدا) changed from the memory's sentence below.
		const changed = "قال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه اليوم"
		if _, _, err := e.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Russian, SourceRevision: 1,
			Author: tarjuma.MachineAuthor, Machine: true, Segments: []tarjuma.Segment{
				{ID: tarjuma.TitleSegmentID, Source: "وصل ٧ وزراء إلى طاجيكستان", Text: "Семь министров прибыли", Origin: tarjuma.MachineOrigin("stub")},
				{ID: "p1.s1", Source: changed, Text: "Министр сказал, что встреча пройдёт в Душанбе сегодня", Origin: tarjuma.MachineOrigin("stub")},
			}}); err != nil {
			t.Fatal(err)
		}
		term := testTerm("place", 1)
		term.Arabic = []string{"طاجيكستان"}
		if _, err := e.db.CreateGlossaryTerm(ctx, term, "test"); err != nil {
			t.Fatal(err)
		}
		if err := e.db.PutMemory(ctx, []store.MemoryEntry{
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "وصل ٥ وزراء إلى طاجيكستان", Text: "5 министров прибыли в Таджикистан"},
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "قال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه غدا", Text: "Министр сказал, что следующая встреча пройдёт в Душанбе завтра"},
			{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "قال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه غدا", Text: "Вазир гуфт, ки ҷаласаи навбатӣ пагоҳ дар Душанбе мегузарад"},
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "ارتفعت أسعار النفط في الأسواق العالمية", Text: "Цены на нефть выросли"},
		}); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/v1/articles/%d/translations/ru/segments/", a.ID)

		got := decode[suggestionsJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", base+"title/suggestions", ""), http.StatusOK)
		if len(got.Suggestions) != 3 {
			t.Fatalf("title: %+v", got)
		}
		// The number adapted, 99; then the machine draft; then the glossary's term.
		if s := got.Suggestions[0]; s.Origin != "memory" || s.Score != 99 || s.Text != "7 министров прибыли в Таджикистан" ||
			len(s.Adapted) != 1 || s.Adapted[0].Kind != "number" || s.Adapted[0].From != "5" || s.Adapted[0].To != "7" || s.Source != "وصل ٥ وزراء إلى طاجيكستان" {
			t.Errorf("memory: %+v", s)
		}
		if s := got.Suggestions[1]; s.Origin != "machine" || s.Text != "Семь министров прибыли" || s.Score != 0 {
			t.Errorf("machine: %+v", s)
		}
		if s := got.Suggestions[2]; s.Origin != "glossary" || s.TermID != "place" || s.Text != "Город 1" || s.Source != "طاجيكستان" ||
			len(s.Forms) < 2 || s.Forms[0] != "Город 1" {
			t.Errorf("glossary: %+v", s)
		}

		got = decode[suggestionsJSON](t, e.as(t, tarjuma.RoleReviewer, "GET", base+"p1.s1/suggestions", ""), http.StatusOK)
		if len(got.Suggestions) != 2 {
			t.Fatalf("p1.s1: %+v", got)
		}
		// One word of ten changed: floor(100 × 9/10) = 90; the diff shows it.
		s := got.Suggestions[0]
		wantDiff := []diffJSON{{"equal", "قال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه "}, {"delete", "غدا"}, {"insert", "اليوم"}}
		if s.Origin != "memory" || s.Score != 90 || s.Text != "Министр сказал, что следующая встреча пройдёт в Душанбе завтра" || s.Adapted != nil {
			t.Errorf("memory: %+v", s)
		}
		if diff := cmp.Diff(wantDiff, s.Diff); diff != "" {
			t.Errorf("diff (-want +got):\n%s", diff)
		}

		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", base+"p9.s9/suggestions", ""), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d/translations/en/segments/title/suggestions", a.ID), ""), http.StatusNotFound, "not_found", "")
	})
}

// A fix saved at one segment is offered at the article's other segments with the same
// sentence, before the memory; a memory match whose source differs only in a person's name
// has the name's translation replaced in the same case.
func TestSuggestionsRepetitionsAndAdaptedTerms(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		const (
			title    = "اجتمع الرئيس مع توكاييف في موسكو"
			repeated = "قال الرئيس إن الاجتماع سيعقد غدا."
			fix      = "Президент сказал, что встреча пройдёт завтра."
		)
		a := e.submit(t, map[string]any{"title": title, "body": repeated + "\n" + repeated + "\n" + repeated})
		if _, _, err := e.db.StartTranslating(ctx, a.ID, tarjuma.Russian, 1); err != nil {
			t.Fatal(err)
		}
		mt := tarjuma.MachineOrigin("stub")
		segs := []tarjuma.Segment{
			{ID: tarjuma.TitleSegmentID, Source: title, Text: "Президент встретился с Токаевым в Москве", Origin: mt},
			{ID: "p1.s1", Source: repeated, Text: "Президент сказал, что собрание состоится завтра.", Origin: mt},
			{ID: "p2.s1", Source: repeated, Text: "Президент сказал, что собрание состоится завтра.", Origin: mt},
			{ID: "p3.s1", Source: repeated, Text: "Президент сказал, что собрание состоится завтра.", Origin: mt},
		}
		if _, _, err := e.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Russian, SourceRevision: 1, Segments: segs}); err != nil {
			t.Fatal(err)
		}
		// The translator fixes and confirms the first repetition only.
		segs[1].Text, segs[1].Origin, segs[1].Status = fix, tarjuma.OriginHuman, tarjuma.SegmentConfirmed
		if _, err := e.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Russian, BaseVersion: 1, Segments: segs, Author: "test"}); err != nil {
			t.Fatal(err)
		}
		for _, term := range []glossary.Term{
			{ID: "putin", Kind: glossary.KindPerson, Arabic: []string{"بوتين"}, Targets: map[tarjuma.Lang]glossary.Forms{
				tarjuma.Russian: {Preferred: "Путин"}, tarjuma.Tajik: {Preferred: "Путин"}, tarjuma.English: {Preferred: "Putin"}}},
			{ID: "tokayev", Kind: glossary.KindPerson, Arabic: []string{"توكاييف"}, Targets: map[tarjuma.Lang]glossary.Forms{
				tarjuma.Russian: {Preferred: "Токаев"}, tarjuma.Tajik: {Preferred: "Токаев"}, tarjuma.English: {Preferred: "Tokayev"}}},
		} {
			if _, err := e.db.CreateGlossaryTerm(ctx, term, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.db.PutMemory(ctx, []store.MemoryEntry{
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "اجتمع الرئيس مع بوتين في موسكو", Text: "Президент встретился с Путиным в Москве"},
		}); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/api/v1/articles/%d/translations/ru/segments/", a.ID)

		got := decode[suggestionsJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", base+"p3.s1/suggestions", ""), http.StatusOK)
		if !cmp.Equal(got.Repeats, []string{"p1.s1", "p2.s1"}) {
			t.Errorf("repeats %v", got.Repeats)
		}
		if len(got.Suggestions) == 0 {
			t.Fatal("no suggestions")
		}
		if s := got.Suggestions[0]; s.Origin != "repetition" || s.Text != fix || s.Score != 100 || s.Segment != "p1.s1" || s.Source != repeated {
			t.Errorf("first suggestion: %+v", s)
		}
		// The fixed segment itself has nothing to take from the untouched drafts.
		got = decode[suggestionsJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", base+"p1.s1/suggestions", ""), http.StatusOK)
		if !cmp.Equal(got.Repeats, []string{"p2.s1", "p3.s1"}) || slices.ContainsFunc(got.Suggestions, func(s suggestionJSONItem) bool { return s.Origin == "repetition" }) {
			t.Errorf("p1.s1: %+v", got)
		}

		// One word of six differs, a name: floor(100 × 5/6) = 83, and Путиным becomes Токаевым.
		got = decode[suggestionsJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", base+"title/suggestions", ""), http.StatusOK)
		if len(got.Repeats) != 0 || len(got.Suggestions) == 0 {
			t.Fatalf("title: %+v", got)
		}
		s := got.Suggestions[0]
		if s.Origin != "memory" || s.Score != 83 || s.Text != "Президент встретился с Токаевым в Москве" ||
			!cmp.Equal(s.Adapted, []struct{ Kind, From, To string }{{"term", "Путиным", "Токаевым"}}) {
			t.Errorf("memory: %+v", s)
		}
	})
}
