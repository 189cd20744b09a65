package translate

import (
	"context"
	"html"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

// deskTerms is a small glossary: a person, a title, and a brand kept in Arabic.
func deskTerms(t *testing.T) *glossary.Matcher {
	t.Helper()
	terms := []glossary.Term{
		{ID: "emomali-rahmon", Kind: glossary.KindPerson, Arabic: []string{"إمام علي رحمان"}, Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik: {Preferred: "Эмомалӣ Раҳмон"}, tarjuma.Russian: {Preferred: "Эмомали Рахмон"}, tarjuma.English: {Preferred: "Emomali Rahmon"}}},
		{ID: "president-of-kazakhstan", Kind: glossary.KindTitle, Arabic: []string{"رئيس جمهورية كازاخستان", "الرئيس الكازاخستاني"}, Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik: {Preferred: "Президенти Ҷумҳурии Қазоқистон"}, tarjuma.Russian: {Preferred: "Президент Республики Казахстан"},
			tarjuma.English: {Preferred: "President of the Republic of Kazakhstan"}}},
		{ID: "samsung", Kind: glossary.KindOther, Arabic: []string{"سامسونج"}, DoNotTranslate: true},
	}
	for _, term := range terms {
		if err := term.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	return glossary.NewMatcher(terms, time.Now())
}

// engineLike answers as an engine that renders names its own way: the whole sentences it
// knows, in the right case; a term alone as renders says; a locked span verbatim, in the
// place its own rendering had.
type engineLike struct {
	sentences map[string]string // Arabic → the engine's translation
	renders   map[string]string // Arabic term alone → its rendering
	own       map[string]string // desk form in a locked span → the engine's own words it replaces
}

func (e engineLike) answer(_ context.Context, req Request) ([]string, error) {
	out := make([]string, len(req.Texts))
	for i, q := range req.Texts {
		if r, ok := e.renders[q]; ok {
			out[i] = r
			continue
		}
		plain, spans := q, map[string]bool{}
		if req.HTML {
			plain = html.UnescapeString(q)
			for desk := range e.own {
				span := `<span translate="no">` + desk + `</span>`
				if strings.Contains(plain, span) {
					spans[desk] = true
					plain = strings.Replace(plain, span, "", 1)
				}
			}
		}
		for ar, tr := range e.sentences {
			if strings.Join(strings.Fields(stripTerms(ar)), " ") != strings.Join(strings.Fields(stripTerms(plain)), " ") {
				continue
			}
			if req.HTML {
				tr = html.EscapeString(tr)
				for desk := range spans {
					tr = strings.Replace(tr, e.own[desk], `<span translate="no">`+desk+`</span>`, 1)
				}
			}
			out[i] = tr
		}
	}
	return out, nil
}

// stripTerms drops the glossary spellings (and the text of a لل form's match), so a sentence
// with spans in their place is known.
func stripTerms(s string) string {
	for _, ar := range []string{"إمام علي رحمان", "رئيس جمهورية كازاخستان", "الرئيس الكازاخستاني", "لرئيس الكازاخستاني", "سامسونج"} {
		s = strings.ReplaceAll(s, ar, "")
	}
	return s
}

// memoryRenderings is a RenderingStore in a map, counting lookups and saves.
type memoryRenderings struct {
	mu      sync.Mutex
	byKey   map[string]string
	lookups int
}

func (m *memoryRenderings) LookupRenderings(_ context.Context, provider string, lang tarjuma.Lang, version int64, keys []string) (map[string]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lookups++
	out := map[string]string{}
	for _, k := range keys {
		if r, ok := m.byKey[provider+string(lang)+string(rune(version))+k]; ok {
			out[k] = r
		}
	}
	return out, nil
}

func (m *memoryRenderings) SaveRenderings(_ context.Context, provider string, lang tarjuma.Lang, version int64, r map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range r {
		m.byKey[provider+string(lang)+string(rune(version))+k] = v
	}
	return nil
}

// translateTerms translates source into target through engine alone with the desk's terms,
// failing the test on an error.
func translateTerms(t *testing.T, engine Provider, m *glossary.Matcher, target tarjuma.Lang, source string) []tarjuma.Segment {
	t.Helper()
	tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{target: {engine}}})
	got, err := tr.Translate(t.Context(), Job{Source: tarjuma.Arabic, Target: target, Terms: m, GlossaryVersion: 1}, marked(m, source))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func marked(m *glossary.Matcher, sources ...string) []tarjuma.Segment {
	segs := segments(sources...)
	m.MarkTerms(segs)
	return segs
}

func methods(s tarjuma.Segment) []tarjuma.TermMethod {
	var out []tarjuma.TermMethod
	for _, t := range s.Terms {
		out = append(out, t.Method)
	}
	return out
}

// TestTermsFoundAndReplaced: Russian goes to a Google-like engine as plain text; the engine's
// renderings are asked once per spelling and glossary version (through the store, so a second
// process asks nothing); each is found in the sentence in the case the engine gave it and
// replaced by the desk's form in that case.
func TestTermsFoundAndReplaced(t *testing.T) {
	m := deskTerms(t)
	const source = "التقى إمام علي رحمان مع رئيس جمهورية كازاخستان"
	e := engineLike{
		sentences: map[string]string{source: "Имомали Рахмон встретился с Президентом Казахстана"},
		renders:   map[string]string{"إمام علي رحمان": "Имомали Рахмон", "رئيس جمهورية كازاخستان": "Президент Казахстана"},
	}
	engine := &stubProvider{name: "g", fn: e.answer}
	store := &memoryRenderings{byKey: map[string]string{}}
	reg := prometheus.NewRegistry()
	tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.Russian: {engine}}, Renderings: store, Registerer: reg})
	job := Job{ArticleID: 1, Source: tarjuma.Arabic, Target: tarjuma.Russian, Terms: m, GlossaryVersion: 7}

	got, err := tr.Translate(t.Context(), job, marked(m, source))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Эмомали Рахмон встретился с Президентом Республики Казахстан"; got[0].Text != want {
		t.Errorf("text %q, want %q", got[0].Text, want)
	}
	if diff := cmp.Diff([]tarjuma.TermMethod{tarjuma.TermReplaced, tarjuma.TermReplaced}, methods(got[0])); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	calls := engine.Calls()
	if len(calls) != 2 || calls[0].HTML || calls[0].Texts[0] != source || len(calls[1].Texts) != 2 {
		t.Fatalf("requests %+v; want the plain sentence, then both spellings in one request", calls)
	}
	if n := testutil.ToFloat64(tr.terms.WithLabelValues("ru", "replaced")); n != 2 {
		t.Errorf("tarjuma_glossary_terms_total{ru,replaced} = %v, want 2", n)
	}

	// Another process with the same store and glossary version asks for no renderings.
	engine2 := &stubProvider{name: "g", fn: e.answer}
	tr2 := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.Russian: {engine2}}, Renderings: store})
	if got, err := tr2.Translate(t.Context(), job, marked(m, source)); err != nil || got[0].Text != "Эмомали Рахмон встретился с Президентом Республики Казахстан" {
		t.Fatalf("second process: %q, %v", got[0].Text, err)
	}
	if n := len(engine2.Calls()); n != 1 {
		t.Errorf("second process made %d requests, want the sentence alone", n)
	}
	// The same process does not even ask the store again.
	lookups := store.lookups
	if _, err := tr2.Translate(t.Context(), job, marked(m, source)); err != nil || store.lookups != lookups {
		t.Errorf("store asked %d more times for cached renderings (%v)", store.lookups-lookups, err)
	}
	// A new glossary version asks again.
	job.GlossaryVersion++
	if _, err := tr2.Translate(t.Context(), job, marked(m, source)); err != nil || len(engine2.Calls()) != 4 {
		t.Errorf("new glossary version: %d requests in all, want the sentence and the renderings again (%v)", len(engine2.Calls()), err)
	}
}

// TestTermsFallBack: a term the engine paraphrased is asked again locked, in the desk's form,
// which a preposition before it puts in its case; the segment records the fallback, and the
// check flags the term for the reviewer. A term kept in Arabic is locked in every language.
func TestTermsFallBack(t *testing.T) {
	m := deskTerms(t)
	const source = "أعرب إمام علي رحمان عن امتنانه للرئيس الكازاخستاني على هاتف سامسونج"
	e := engineLike{
		sentences: map[string]string{source: "Имомали Рахмон выразил благодарность казахстанскому лидеру за телефон سامسونج"},
		renders:   map[string]string{"إمام علي رحمان": "Имомали Рахмон", "الرئيس الكازاخستاني": "Президент Казахстана"},
		own:       map[string]string{"Президент Республики Казахстан": "казахстанскому лидеру", "سامسونج": "سامسونج"},
	}
	engine := &stubProvider{name: "g", fn: e.answer}
	got := translateTerms(t, engine, m, tarjuma.Russian, source)
	calls := engine.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d requests, want the sentence, the renderings and the sentence again", len(calls))
	}
	if !calls[0].HTML || !strings.Contains(calls[0].Texts[0], `<span translate="no">سامسونج</span>`) || strings.Contains(calls[0].Texts[0], "Рахмон") {
		t.Errorf("first request %q: want only the brand locked", calls[0].Texts[0])
	}
	if r := calls[1].Texts; len(r) != 2 || !slices.Contains(r, "الرئيس الكازاخستاني") {
		t.Errorf("renderings asked for %q; want the glossary's spelling, not the لل form's text", r)
	}
	if !strings.Contains(calls[2].Texts[0], `<span translate="no">Президент Республики Казахстан</span>`) || strings.Contains(calls[2].Texts[0], "Эмомали") {
		t.Errorf("second request %q: want the paraphrased term locked, the found one not", calls[2].Texts[0])
	}
	// "благодарность" is a noun: the title goes in as its genitive complement, flagged.
	if want := "Эмомали Рахмон выразил благодарность Президента Республики Казахстан за телефон سامسونج"; got[0].Text != want {
		t.Errorf("text %q, want %q", got[0].Text, want)
	}
	want := []tarjuma.TermMethod{tarjuma.TermReplaced, tarjuma.TermFallback, tarjuma.TermLocked}
	if diff := cmp.Diff(want, methods(got[0])); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	m.CheckSegments(got, tarjuma.Russian)
	var results []string
	for _, c := range got[0].Checks {
		results = append(results, c.TermID+" "+c.Result)
	}
	if diff := cmp.Diff([]string{"emomali-rahmon ok", "president-of-kazakhstan unverified", "samsung ok"}, results); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

// TestTermsPrepositionDeclinesFallback: after "к" the locked nominative becomes the dative, and
// after "с" the instrumental.
func TestTermsPrepositionDeclinesFallback(t *testing.T) {
	m := deskTerms(t)
	const source = "توجه إمام علي رحمان إلى الرئيس الكازاخستاني"
	e := engineLike{
		sentences: map[string]string{source: "Эмомали Рахмон обратился к казахскому коллеге"},
		renders:   map[string]string{"إمام علي رحمان": "Эмомали Рахмон", "الرئيس الكازاخستاني": "Президент Казахстана"},
		own:       map[string]string{"Президент Республики Казахстан": "казахскому коллеге"},
	}
	got := translateTerms(t, &stubProvider{name: "g", fn: e.answer}, m, tarjuma.Russian, source)
	if want := "Эмомали Рахмон обратился к Президенту Республики Казахстан"; got[0].Text != want {
		t.Errorf("text %q, want %q", got[0].Text, want)
	}
}

// TestTermsInstructed: an engine that follows instructions gets Russian terms with every form
// and no locked span, and the terms are recorded as instructed.
func TestTermsInstructed(t *testing.T) {
	m := deskTerms(t)
	engine := &stubProvider{name: "llm", supports: capable(Capabilities{HTML: true, Glossary: true, Instructions: true}),
		fn: func(_ context.Context, req Request) ([]string, error) {
			return []string{"Встреча с Эмомали Рахмоном"}, nil
		}}
	got := translateTerms(t, engine, m, tarjuma.Russian, "لقاء مع إمام علي رحمان")
	req := engine.Calls()[0]
	if req.HTML || len(engine.Calls()) != 1 {
		t.Errorf("request HTML %v, %d requests; want plain text, once", req.HTML, len(engine.Calls()))
	}
	want := []GlossaryEntry{{Source: "إمام علي رحمان", Target: "Эмомали Рахмон",
		Forms: []string{"Эмомали Рахмон", "Эмомали Рахмона", "Эмомали Рахмону", "Эмомали Рахмоном", "Эмомали Рахмоне"}}}
	if diff := cmp.Diff(want, req.Glossary); diff != "" {
		t.Errorf("glossary (-want +got):\n%s", diff)
	}
	if got[0].Text != "Встреча с Эмомали Рахмоном" || got[0].Terms[0].Method != tarjuma.TermInstructed {
		t.Errorf("segment %+v", got[0])
	}
}

// TestTermsWithoutHTML: an engine without HTML (DeepL into Tajik) serves Tajik terms now that
// they need no locked span; a term it paraphrased cannot be asked again locked, and is flagged.
func TestTermsWithoutHTML(t *testing.T) {
	m := deskTerms(t)
	const source = "استقبل إمام علي رحمان الرئيس الكازاخستاني"
	e := engineLike{
		sentences: map[string]string{source: "Имомалӣ Раҳмон раҳбари Қазоқистонро пазироӣ кард"},
		renders:   map[string]string{"إمام علي رحمان": "Имомалӣ Раҳмон", "الرئيس الكازاخستاني": "Президенти Қазоқистон"},
	}
	engine := &stubProvider{name: "deepl", supports: capable(Capabilities{}), fn: e.answer}
	got := translateTerms(t, engine, m, tarjuma.Tajik, source)
	if len(engine.Calls()) != 2 {
		t.Errorf("%d requests, want the sentence and the renderings", len(engine.Calls()))
	}
	if want := "Эмомалӣ Раҳмон раҳбари Қазоқистонро пазироӣ кард"; got[0].Text != want {
		t.Errorf("text %q, want %q", got[0].Text, want)
	}
	want := []tarjuma.TermMethod{tarjuma.TermReplaced, tarjuma.TermFallback}
	if diff := cmp.Diff(want, methods(got[0])); diff != "" {
		t.Errorf("methods (-want +got):\n%s", diff)
	}
	m.CheckSegments(got, tarjuma.Tajik)
	if c := got[0].Checks; len(c) != 2 || c[1].Result != string(glossary.FindingMissing) {
		t.Errorf("checks %+v, want the paraphrased title missing", c)
	}
}
