package glossary

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/internal/editdist"
)

// Place puts the desk's forms of a segment's terms into an engine's translation of it, keeping
// the grammar the engine gave the sentence. For each source occurrence it looks in text for the
// engine's own rendering of the term in any of its forms (renderings maps Normalize(source
// spelling) to how the engine renders that spelling on its own), or for a form of the desk's
// spellings; it tolerates a letter or two of transliteration (Имамали for Имомали), compares
// without case, and replaces what it finds with the desk's preferred spelling in the same
// grammatical form. renderings are keyed by Normalize(m.Spelling(occurrence)). placed[i] says
// how occurrence i fared; what was not found is left as the engine wrote it.
func (m *Matcher) Place(text string, occurrences []Match, lang tarjuma.Lang, renderings map[string]string) (out string, placed []Placement) {
	var tz, ftz tokenizer
	tz.scan(text, true)
	claimed := make([]bool, len(tz.toks))
	type hit struct {
		occ, i, n int
		cases     []inflect.Form
	}
	var hits []hit
	placed = make([]Placement, len(occurrences))
	for _, o := range m.byRenderingLength(occurrences, renderings) {
		ti, ok := m.byID[occurrences[o].TermID]
		if !ok {
			continue
		}
		t := m.terms[ti]
		var paradigms []inflect.Paradigm
		if r := renderings[Normalize(m.Spelling(occurrences[o]))]; r != "" {
			paradigms = append(paradigms, inflect.Generate(lang, r, t.class()))
		}
		paradigms = append(paradigms, t.Paradigms(lang)...)
		var cands []hit
		var dists []int
		for _, p := range paradigms {
			for _, f := range inflect.FormsOf(lang) {
				form, ok := p.Forms[f]
				if !ok {
					continue
				}
				words := ftz.words(form, true)
				for i := 0; i+len(words) <= len(tz.toks); i++ {
					if d := windowDistance(&tz, i, words, claimed); d >= 0 {
						cands = append(cands, hit{occ: o, i: i, n: len(words), cases: []inflect.Form{f}})
						dists = append(dists, d)
					}
				}
			}
		}
		if len(cands) == 0 {
			continue
		}
		// The closest match, then the first, then the longest; every form its text is.
		bi := 0
		for k := range cands {
			if c := cmp.Or(dists[k]-dists[bi], cands[k].i-cands[bi].i, cands[bi].n-cands[k].n); c < 0 {
				bi = k
			}
		}
		best := hit{occ: o, i: cands[bi].i, n: cands[bi].n}
		for k, c := range cands {
			if c.i == best.i && c.n == best.n && dists[k] == dists[bi] && !slices.Contains(best.cases, c.cases[0]) {
				best.cases = append(best.cases, c.cases[0])
			}
		}
		for k := best.i; k < best.i+best.n; k++ {
			claimed[k] = true
		}
		hits = append(hits, best)
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.i - b.i })
	var b strings.Builder
	pos := 0
	var prev apposition
	for _, h := range hits {
		t := m.terms[m.byID[occurrences[h.occ].TermID]]
		start, end := tz.toks[h.i].start, tz.toks[h.i+h.n-1].end
		desk := t.Paradigm(lang, t.Targets[lang].Preferred)
		f, how := chooseForm(h.cases, desk, text, start, lang, prev.before(text, start))
		form, ok := desk.Forms[f]
		if !ok {
			continue // an undecided paradigm lacks the form: leave the engine's text
		}
		if sentenceStart(text, start) {
			form = capitalize(form)
		}
		b.WriteString(text[pos:start])
		b.WriteString(form)
		pos = end
		placed[h.occ] = how
		prev = apposition{end: end, form: f, how: how}
	}
	b.WriteString(text[pos:])
	return b.String(), placed
}

// byRenderingLength orders occurrences so that longer renderings are placed first: a country's
// name must not be taken out of the title that contains it.
func (m *Matcher) byRenderingLength(occurrences []Match, renderings map[string]string) []int {
	order := make([]int, len(occurrences))
	for i := range order {
		order[i] = i
	}
	words := func(i int) int { return len(strings.Fields(renderings[Normalize(m.Spelling(occurrences[i]))])) }
	slices.SortStableFunc(order, func(a, b int) int { return words(b) - words(a) })
	return order
}

// Placement says how Place fared with one occurrence.
type Placement int

// The outcomes of placing a term.
const (
	NotFound Placement = iota // the engine's rendering is not in its sentence
	Placed                    // replaced by the desk's form in the form the engine's text shows
	// Guessed: found, but the engine's text is several forms whose desk spellings differ (an
	// indeclinable abbreviation, ОДКБ, for a declinable name) and the context did not decide:
	// the desk's form went in in the likeliest case, for a reviewer to check.
	Guessed
)

// apposition is the term placed just before, which a term right after it agrees with: a name
// after its title ("с Президентом Республики Таджикистан Эмомали Рахмоном") is in its case.
type apposition struct {
	end  int
	form inflect.Form
	how  Placement
}

// before returns the apposition if it ends right before byte offset at, across spaces only.
func (a apposition) before(text string, at int) *apposition {
	if a.form == "" || a.end > at || strings.TrimSpace(text[a.end:at]) != "" {
		return nil
	}
	return &a
}

// chooseForm picks, among the forms the engine's text can be, the one to write: the first, when
// the desk's spelling is the same for all of them; else the one a preposition before decides,
// or the case of the term it stands in apposition to; else a guess from the context (see
// contextForm).
func chooseForm(cases []inflect.Form, desk inflect.Paradigm, text string, at int, lang tarjuma.Lang, apposed *apposition) (inflect.Form, Placement) {
	ambiguous := slices.ContainsFunc(cases[1:], func(f inflect.Form) bool { return desk.Forms[f] != desk.Forms[cases[0]] })
	if !ambiguous {
		return cases[0], Placed
	}
	if f, ok := governedForm(lang, text, at); ok && slices.Contains(cases, f) {
		return f, Placed
	}
	if apposed != nil && slices.Contains(cases, apposed.form) {
		return apposed.form, apposed.how
	}
	if f, ok := contextForm(lang, text, at); ok && slices.Contains(cases, f) {
		return f, Guessed
	}
	return cases[0], Guessed
}

// contextForm guesses the form a term needs from the words before it, where no preposition
// decides: in Russian a noun before the term takes it as a genitive complement (саммит ШОС →
// саммит Шанхайской организации сотрудничества; в рамках ОДКБ), в and на take the accusative
// after a word of motion (прибыл в Москву) and the prepositional otherwise (в Москве), and after
// a verb, a conjunction or nothing the nominative stays. The guess is never sure enough to go
// unflagged.
func contextForm(lang tarjuma.Lang, text string, at int) (inflect.Form, bool) {
	if f, ok := governedForm(lang, text, at); ok {
		return f, true
	}
	if lang != tarjuma.Russian {
		return "", false
	}
	word := strings.ToLower(wordBefore(text, at))
	if slices.Contains([]string{"в", "во", "на"}, word) {
		before := strings.ToLower(wordBefore(text, strings.LastIndex(text[:at], wordBefore(text, at))))
		if slices.ContainsFunc(russianMotion, func(stem string) bool { return strings.HasPrefix(before, stem) }) {
			return inflect.Acc, true
		}
		return inflect.Prep, true
	}
	cyrillic := !strings.ContainsFunc(word, func(r rune) bool { return !unicode.Is(unicode.Cyrillic, r) && r != '-' })
	if !cyrillic || utf8.RuneCountInString(word) < 3 || slices.Contains(russianFunctionWords, word) || hasAnySuffix(word, russianVerbEndings...) {
		return "", false
	}
	return inflect.Gen, true
}

// russianVerbEndings are the endings of the verb forms news sentences put before an object:
// the past tense (представил, провела), the infinitive (a vowel before -ть: поздравить, not
// благодарность) and the reflexive.
var russianVerbEndings = []string{"ил", "ал", "ел", "ял", "ыл", "ла", "ло", "ли", "ать", "ять", "еть", "ить", "оть", "уть", "ыть", "чь", "ся", "сь"}

// russianMotion are the stems of words of going somewhere, after which в and на take the
// accusative: прибыл в, визит в, поездка на.
var russianMotion = []string{"прибы", "прилет", "приех", "отправ", "направ", "отбы", "вернул", "возвра", "вылет", "выех",
	"доставл", "визит", "поездк", "турне", "переех", "въех", "пригла", "перевез"}

// russianFunctionWords are words after which a noun phrase is not a complement.
var russianFunctionWords = []string{"что", "как", "или", "также", "это", "этот", "эта", "его", "ее", "её", "их", "который",
	"которая", "которое", "которые", "где", "когда", "чем", "при", "все", "всех"}

func hasAnySuffix(s string, suffixes ...string) bool {
	return slices.ContainsFunc(suffixes, func(x string) bool { return strings.HasSuffix(s, x) })
}

// windowDistance compares the tokens from i with the words of a form and returns how many
// letters differ in all (-1 when they do not match): each word may differ by a letter when it
// has five letters or more, by two from nine, but must end alike, since the ending tells the
// case. ӣ and ӯ count as и and у.
func windowDistance(tz *tokenizer, i int, words []string, claimed []bool) int {
	total := 0
	for k, w := range words {
		if claimed[i+k] {
			return -1
		}
		got := string(tz.word(i + k))
		if got == w || foldVowels(got) == foldVowels(w) {
			continue
		}
		n := utf8.RuneCountInString(w)
		allowed := 0
		switch {
		case n >= 9:
			allowed = 2
		case n >= 5:
			allowed = 1
		}
		if allowed == 0 || lastRuneOf(foldVowels(got)) != lastRuneOf(foldVowels(w)) {
			return -1
		}
		d := new(editdist.Buf).Distance([]rune(got), []rune(w), allowed)
		if d > allowed {
			return -1
		}
		total += d
	}
	return total
}

// foldVowels folds the Tajik long vowels to the short ones: engines write ӣ and ӯ as и and у
// (Сомони for Сомонӣ), which tells no grammatical form apart.
func foldVowels(w string) string { return tajikVowels.Replace(w) }

var tajikVowels = strings.NewReplacer("ӣ", "и", "ӯ", "у")

// sentenceStart reports whether byte offset at begins a sentence of text.
func sentenceStart(text string, at int) bool {
	before := strings.TrimRightFunc(text[:at], unicode.IsSpace)
	before = strings.TrimRight(before, "«\"„“(")
	return before == "" || strings.ContainsRune(".!?…", lastRuneOf(before))
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// governedForm returns the grammatical form the word before byte offset at in text requires of
// the noun phrase that follows, when that word decides it: a Russian preposition with one usual
// case (с → ins, к → dat, для → gen, о → prep), or a Tajik preposition, after which a phrase
// takes its base form. в, на, за and под, which take two cases by meaning, decide nothing.
func governedForm(lang tarjuma.Lang, text string, at int) (inflect.Form, bool) {
	word := strings.ToLower(wordBefore(text, at))
	switch lang {
	case tarjuma.Russian:
		forms := russianPrepositions[word]
		if len(forms) == 0 || slices.Contains([]string{"в", "во", "на", "за", "под"}, word) {
			return "", false
		}
		return forms[0], true
	case tarjuma.Tajik:
		if slices.Contains(tajikPrepositions, word) {
			return inflect.Nom, true
		}
	}
	return "", false
}

// wordBefore returns the word that ends right before byte offset at, across spaces only: a
// comma or a dash in between means no word governs what follows.
func wordBefore(text string, at int) string {
	before := strings.TrimRightFunc(text[:at], unicode.IsSpace)
	start := strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) + 1
	if start > 0 {
		_, size := utf8.DecodeRuneInString(before[start-1:])
		start = start - 1 + size
	}
	return before[start:]
}

// Decline puts the desk's forms that an engine kept locked in their nominative (see
// UnprotectLocked) into the case the word before each calls for (see contextForm), where it
// calls for one. termIDs
// are the terms that may have been locked; a span holding none of their preferred spellings
// stays as it is.
func (m *Matcher) Decline(text string, locked []Locked, termIDs []string, lang tarjuma.Lang) string {
	var b strings.Builder
	pos := 0
	var prev apposition
	for _, l := range locked {
		if l.Start < pos {
			continue
		}
		var desk inflect.Paradigm
		for _, id := range termIDs {
			if ti, ok := m.byID[id]; ok && m.terms[ti].Targets[lang].Preferred == text[l.Start:l.End] {
				t := m.terms[ti]
				desk = t.Paradigm(lang, t.Targets[lang].Preferred)
				break
			}
		}
		f, ok := contextForm(lang, text, l.Start)
		if a := prev.before(text, l.Start); a != nil {
			f, ok = a.form, true // a name after its title, both locked: the title's case
		}
		end := l.End
		if rest, marked := tajikObjectMark(text[l.End:]); lang == tarjuma.Tajik && marked {
			f, ok, end = inflect.Acc, true, len(text)-len(rest) // the engine put -ро after the span
		}
		prev = apposition{end: end, form: inflect.Nom, how: Guessed}
		form := desk.Forms[f]
		if !ok || form == "" {
			continue
		}
		b.WriteString(text[pos:l.Start])
		b.WriteString(form)
		pos = end
		prev.form = f
	}
	b.WriteString(text[pos:])
	return b.String()
}

// tajikObjectMark reports whether text starts with the object marker an engine wrote after a
// locked span ("ро", "-ро", " ро"), and returns the text after it.
func tajikObjectMark(text string) (string, bool) {
	for _, mark := range []string{"-ро", " -ро", " ро", "ро"} {
		if rest, ok := strings.CutPrefix(text, mark); ok && (rest == "" || !unicode.IsLetter(firstRuneOf(rest))) {
			return rest, true
		}
	}
	return text, false
}

func firstRuneOf(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// Spelling returns the Arabic an engine is asked to render alone for mt: the text as the
// article spells it, except for a match of a لل form ("للرئيس"), which starts after the
// preposition's lam, so that its text ("لرئيس …") is no spelling of the term: for it, the
// glossary's variant ("الرئيس …").
func (m *Matcher) Spelling(mt Match) string {
	t, ok := m.Term(mt.TermID)
	if !ok {
		return mt.Text
	}
	got := Normalize(mt.Text)
	for _, v := range t.Arabic {
		n := Normalize(v)
		first, rest, _ := strings.Cut(n, " ")
		if rest != "" {
			rest = " " + rest
		}
		if n != got && lilForm(first) != "" && strings.TrimPrefix(lilForm(first), lam)+rest == got {
			return v
		}
	}
	return mt.Text
}
