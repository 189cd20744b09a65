package glossary

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// FindingKind says how a term fared in a translation.
type FindingKind string

// The outcomes of the adherence check. ok and inflected are right; the others are flags for the
// reviewer. None blocks anything; reviewers decide.
const (
	FindingOK        FindingKind = "ok"         // a preferred or accepted spelling, as the glossary writes it
	FindingInflected FindingKind = "inflected"  // another form of its paradigm (Рахмона, Тоҷикистонро), or re-cased
	FindingWrongForm FindingKind = "wrong_form" // the term in a form outside its paradigm or a spelling not the desk's (Рахмонов, Рањмон)
	FindingWrongCase FindingKind = "wrong_case" // a form of the paradigm its position cannot take (с Президент …, бо …-ро)
	// FindingUnverified: the term is there in a form the glossary cannot verify (its paradigm is
	// undecided), or the pipeline could not place it in the engine's sentence and put the desk's
	// form in without knowing the case.
	FindingUnverified FindingKind = "unverified"
	FindingMissing    FindingKind = "missing"    // a source occurrence with no form in the target
	FindingUnexpected FindingKind = "unexpected" // a form in the target for a term the source does not have
)

// Flagged reports whether the finding asks the reviewer to look.
func (k FindingKind) Flagged() bool { return k != FindingOK && k != FindingInflected }

// Finding is one result of the adherence check.
type Finding struct {
	TermID string
	Kind   FindingKind
	Form   string       // the glossary spelling found (its nominative), or the preferred one expected
	Case   inflect.Form // the grammatical form found; empty when missing or outside the paradigm
	// Suggestion is the desk's form the position needs, when the context decides it (after a
	// preposition): what a wrong_case or wrong_form should become.
	Suggestion string
	// Start and End locate the form in the target (byte offsets); -1 when missing.
	Start, End int
	// SourceStart and SourceEnd locate the source occurrence it answers; -1 when there is none
	// (unexpected, or more occurrences in the target than in the source).
	SourceStart, SourceEnd int
}

// Check compares a segment's translation with the terms found in its source (sourceMatches,
// from m.Match). Every source occurrence should have a form of its paradigm in the target, in a
// form its position can take: in Russian and Tajik the paradigm is every grammatical form of the
// preferred and accepted spellings (see Term.Paradigm). Terms the source needs are looked for
// first, so a required short form inside a longer glossary form is found; a near form outside
// the paradigm (Рахмонов for Рахмон) answers the occurrence as wrong_form. A form of a term the
// source does not contain is unexpected. Occurrences pair up in order; findings come in target
// order, then the missing ones in source order.
func (m *Matcher) Check(sourceMatches []Match, target string, lang tarjuma.Lang) []Finding {
	bySource := make(map[int][]Match)
	for _, mt := range sourceMatches {
		if i, ok := m.byID[mt.TermID]; ok {
			bySource[i] = append(bySource[i], mt)
		}
	}
	idx := m.targetIndex(lang)
	tz := m.scratch.Get().(*tokenizer)
	defer m.scratch.Put(tz)
	tz.scan(target, true)
	c := checker{m: m, idx: idx, tz: tz, target: target, lang: lang, bySource: bySource,
		used: make(map[int]int), claimed: make([]bool, len(tz.toks))}
	needed := func(term int) bool { return c.used[term] < len(bySource[term]) }
	c.scan(func(i int) (*targetForm, int) { return idx.longestAt(tz, i, c.claimed, needed) }, c.exact)
	c.scan(func(i int) (*targetForm, int) { return idx.nearAt(tz, i, c.claimed, needed) }, c.near)
	c.scan(func(i int) (*targetForm, int) {
		return idx.longestAt(tz, i, c.claimed, func(int) bool { return true })
	}, c.exact)
	slices.SortFunc(c.out, func(a, b Finding) int { return cmp.Compare(a.Start, b.Start) })

	var missing []Finding
	for term, src := range bySource {
		t := m.terms[term]
		for _, mt := range src[c.used[term]:] {
			form := t.Targets[lang].Preferred
			if t.DoNotTranslate {
				form = mt.Text
			}
			missing = append(missing, Finding{TermID: t.ID, Kind: FindingMissing, Form: form, Start: -1, End: -1, SourceStart: mt.Start, SourceEnd: mt.End})
		}
	}
	slices.SortFunc(missing, func(a, b Finding) int { return cmp.Compare(a.SourceStart, b.SourceStart) })
	return append(c.out, missing...)
}

// checker is the state of one Check call.
type checker struct {
	m        *Matcher
	idx      *targetIndex
	tz       *tokenizer
	target   string
	lang     tarjuma.Lang
	bySource map[int][]Match
	used     map[int]int // source occurrences answered, per term
	claimed  []bool      // tokens already part of a finding
	out      []Finding
}

// scan walks the unclaimed tokens, asks find for a form starting at each and reports what it
// finds with report.
func (c *checker) scan(find func(i int) (*targetForm, int), report func(f *targetForm, i, n int)) {
	for i := 0; i < len(c.tz.toks); i++ {
		if c.claimed[i] {
			continue
		}
		f, n := find(i)
		if f == nil {
			continue
		}
		for k := i; k < i+n; k++ {
			c.claimed[k] = true
		}
		report(f, i, n)
		i += n - 1
	}
}

// finding starts the finding for f at tokens [i, i+n), paired with the term's next source
// occurrence when one is left.
func (c *checker) finding(f *targetForm, i, n int) Finding {
	start, end := c.tz.toks[i].start, c.tz.toks[i+n-1].end
	fd := Finding{TermID: c.m.terms[f.term].ID, Form: f.spelling, Start: start, End: end, SourceStart: -1, SourceEnd: -1}
	switch src := c.bySource[f.term]; {
	case len(src) == 0:
		fd.Kind = FindingUnexpected
	case c.used[f.term] < len(src):
		fd.SourceStart, fd.SourceEnd = src[c.used[f.term]].Start, src[c.used[f.term]].End
		c.used[f.term]++
	}
	return fd
}

// exact reports a form of the paradigm, checking that its position can take it.
func (c *checker) exact(f *targetForm, i, n int) {
	fd := c.finding(f, i, n)
	allowed := c.governed(i, i+n)
	fd.Case = f.cases[0]
	if len(allowed) > 0 {
		if k := slices.IndexFunc(f.cases, func(cs inflect.Form) bool { return slices.Contains(allowed, cs) }); k >= 0 {
			fd.Case = f.cases[k]
		}
	}
	switch {
	case fd.Kind == FindingUnexpected:
	case hasLegacyGlyph(c.target[fd.Start:fd.End]):
		fd.Kind, fd.Case = FindingWrongForm, ""
		fd.Suggestion = c.suggest(f, []inflect.Form{f.cases[0]})
	case len(allowed) > 0 && !slices.ContainsFunc(f.cases, func(cs inflect.Form) bool { return slices.Contains(allowed, cs) }):
		fd.Kind = FindingWrongCase
		fd.Suggestion = c.suggest(f, allowed)
	case Normalize(c.target[fd.Start:fd.End]) == Normalize(f.spelling):
		fd.Kind = FindingOK
	default:
		fd.Kind = FindingInflected
	}
	c.out = append(c.out, fd)
}

// near reports a form close to the term but outside its paradigm: wrong, unless the paradigm
// is undecided and the form may well be right.
func (c *checker) near(f *targetForm, i, n int) {
	fd := c.finding(f, i, n)
	fd.Kind = FindingWrongForm
	if f.undecided {
		fd.Kind = FindingUnverified
	}
	fd.Suggestion = c.suggest(f, c.governed(i, i+n))
	c.out = append(c.out, fd)
}

// suggest returns the preferred spelling of f's term in the first of forms, or "" when there
// is no form to go by.
func (c *checker) suggest(f *targetForm, forms []inflect.Form) string {
	if len(forms) == 0 {
		return ""
	}
	p := c.idx.preferred[f.term]
	return p.Forms[forms[0]]
}

// governed returns the forms the context of tokens [i, j) allows, or nil when it does not
// restrict them: a Russian preposition governs its cases; after a Tajik preposition the object
// marker -ро cannot stand, and an izofa form needs a word after it.
func (c *checker) governed(i, j int) []inflect.Form {
	switch c.lang {
	case tarjuma.Russian:
		if i > 0 {
			return russianPrepositions[string(c.tz.word(i-1))]
		}
	case tarjuma.Tajik:
		var allowed []inflect.Form
		if i > 0 && slices.Contains(tajikPrepositions, string(c.tz.word(i-1))) {
			allowed = []inflect.Form{inflect.Nom, inflect.Ezafe}
		}
		switch {
		case j == len(c.tz.toks) || !isWord(firstRune(c.tz.word(j))):
			if allowed == nil {
				return []inflect.Form{inflect.Nom, inflect.Acc}
			}
			return []inflect.Form{inflect.Nom}
		case modifiesBefore(c.target[c.tz.toks[j].start:c.tz.toks[j].end]):
			if allowed != nil {
				return []inflect.Form{inflect.Ezafe}
			}
			return []inflect.Form{inflect.Ezafe, inflect.Acc}
		}
		return allowed
	}
	return nil
}

// modifiesBefore reports whether the Tajik word that follows a noun phrase shows that phrase to
// be its head, which then needs the izofa: a relative adjective in -ӣ, written in lower case
// (Наврӯзи бостонӣ; a name in -ӣ such as Эмомалӣ starts another phrase). An adjective without
// -ӣ (соҳибистиқлол) cannot be told from the noun of the next phrase, and is not judged.
func modifiesBefore(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return utf8.RuneCountInString(w) >= 4 && strings.HasSuffix(w, "ӣ") && !unicode.IsUpper(r)
}

func firstRune(b []byte) rune {
	r, _ := utf8.DecodeRune(b)
	return r
}

// russianPrepositions are the cases each preposition governs, the usual one first.
var russianPrepositions = func() map[string][]inflect.Form {
	gen := []inflect.Form{inflect.Gen}
	out := map[string][]inflect.Form{
		"к": {inflect.Dat}, "ко": {inflect.Dat}, "благодаря": {inflect.Dat}, "согласно": {inflect.Dat}, "вопреки": {inflect.Dat},
		"навстречу": {inflect.Dat}, "по": {inflect.Dat, inflect.Prep, inflect.Acc},
		"про": {inflect.Acc}, "через": {inflect.Acc}, "сквозь": {inflect.Acc},
		"о": {inflect.Prep, inflect.Acc}, "об": {inflect.Prep, inflect.Acc}, "обо": {inflect.Prep, inflect.Acc}, "при": {inflect.Prep},
		"в": {inflect.Prep, inflect.Acc}, "во": {inflect.Prep, inflect.Acc}, "на": {inflect.Prep, inflect.Acc},
		"с": {inflect.Ins, inflect.Gen}, "со": {inflect.Ins, inflect.Gen}, // с + acc ("с неделю") takes no names
		"за": {inflect.Acc, inflect.Ins}, "под": {inflect.Ins, inflect.Acc}, "над": {inflect.Ins}, "перед": {inflect.Ins},
		"между": {inflect.Ins, inflect.Gen},
	}
	for _, p := range []string{"без", "для", "до", "из", "от", "у", "около", "после", "вокруг", "против", "среди", "кроме",
		"возле", "вместо", "ради", "внутри", "вне", "накануне", "вдоль", "мимо", "помимо", "напротив", "посредством", "из-за", "из-под"} {
		out[p] = gen
	}
	return out
}()

// tajikPrepositions take a bare noun phrase, never one marked with -ро.
var tajikPrepositions = []string{"ба", "бо", "аз", "дар", "то", "барои", "бе", "бар", "чун"}

// legacyGlyphs are the letters of pre-Unicode Tajik fonts still met on official sites (Ќ њ љ ї
// Ў for Қ ҳ ҷ ӣ Ӯ): matching folds them, and a form spelled with them is not the desk's.
const legacyGlyphs = "ЌќЊњЉљЇїЎў"

func hasLegacyGlyph(s string) bool { return strings.ContainsAny(s, legacyGlyphs) }

// lazyIndex builds a language's target index on first use: most matchers only match, and
// building all three would triple the build time.
type lazyIndex struct {
	once sync.Once
	idx  *targetIndex
}

func (m *Matcher) targetIndex(lang tarjuma.Lang) *targetIndex {
	l, ok := m.targets[lang]
	if !ok {
		return &targetIndex{} // a language the desk does not publish has no forms
	}
	l.once.Do(func() { l.idx = newTargetIndex(m.terms, lang) })
	return l.idx
}

// targetIndex finds the forms of glossary terms in texts of one target language: every form of
// every spelling's paradigm, keyed by its first word as the tokenizer folds it (lower case, ё as
// е, legacy Tajik letters as today's), and the near forms, keyed by the first letters of their
// first word.
type targetIndex struct {
	first     map[string][]*targetForm
	near      map[string][]*targetForm
	preferred []inflect.Paradigm // per term, the paradigm of its preferred spelling
}

// targetForm is one text of a term's paradigm: the forms it is (Рахмона is gen and acc), and
// the words it is made of. In the near index, words hold each word's stem: what every form of
// that word starts with.
type targetForm struct {
	term      int
	spelling  string
	cases     []inflect.Form
	words     []string
	undecided bool
}

// nearKeyRunes is how many letters of a word key the near index.
const nearKeyRunes = 3

func newTargetIndex(terms []Term, lang tarjuma.Lang) *targetIndex {
	idx := &targetIndex{first: make(map[string][]*targetForm), near: make(map[string][]*targetForm),
		preferred: make([]inflect.Paradigm, len(terms))}
	var tz tokenizer
	for i, t := range terms {
		var paradigms []inflect.Paradigm
		if t.DoNotTranslate {
			for _, v := range t.Arabic {
				paradigms = append(paradigms, inflect.Paradigm{Lemma: v, Forms: map[inflect.Form]string{inflect.Nom: v}})
			}
		}
		paradigms = append(t.Paradigms(lang), paradigms...)
		if len(paradigms) > 0 {
			idx.preferred[i] = paradigms[0]
		}
		for _, p := range paradigms {
			idx.add(&tz, i, p, lang, inflect.Inflects(lang) && !t.DoNotTranslate)
		}
	}
	return idx
}

// add indexes every form of one paradigm, and its near forms when the language inflects (an
// English "Tajikistani" is another word, not a wrong form of "Tajikistan").
func (idx *targetIndex) add(tz *tokenizer, term int, p inflect.Paradigm, lang tarjuma.Lang, withNear bool) {
	texts := map[string][]inflect.Form{}
	var order []string
	for _, f := range append([]inflect.Form{inflect.Nom}, inflect.FormsOf(lang)...) {
		text, ok := p.Forms[f]
		if !ok || slices.Contains(texts[text], f) {
			continue
		}
		if _, seen := texts[text]; !seen {
			order = append(order, text)
		}
		texts[text] = append(texts[text], f)
	}
	if lang == tarjuma.Tajik {
		// The enclitic "and" joins two names ("Тоҷикистону Ӯзбекистон", "Душанбеву Хуҷанд").
		and := "у"
		if !isConsonantTajik(lastRuneOf(p.Lemma)) {
			and = "ву"
		}
		order = append(order, p.Lemma+and)
		texts[p.Lemma+and] = []inflect.Form{inflect.Nom}
	}
	var stems [][]string // per text, its words
	for _, text := range order {
		words := tz.words(text, true)
		if len(words) == 0 {
			continue
		}
		stems = append(stems, words)
		f := &targetForm{term: term, spelling: p.Lemma, cases: texts[text], words: words}
		idx.first[words[0]] = append(idx.first[words[0]], f)
	}
	if n := nearForm(stems); withNear && n != nil {
		n.term, n.spelling, n.undecided = term, p.Lemma, p.Undecided != ""
		key := string([]rune(n.words[0])[:nearKeyRunes])
		idx.near[key] = append(idx.near[key], n)
	}
}

// nearForm builds the near pattern of a paradigm: per word, what all its forms start with
// (the nominative less its last letter when the word never changes), so that a text word with
// that stem and a few more letters is a form of the same name. It returns nil when the words
// of the forms do not line up or a stem is too short to tell names apart.
func nearForm(forms [][]string) *targetForm {
	if len(forms) == 0 {
		return nil
	}
	n := len(forms[0])
	stems := make([]string, n)
	for k := range n {
		prefix := []rune(forms[0][k])
		same := true
		for _, f := range forms[1:] {
			if len(f) != n {
				return nil
			}
			w := []rune(f[k])
			j := 0
			for j < len(prefix) && j < len(w) && prefix[j] == w[j] {
				j++
			}
			same = same && j == len(prefix) && j == len(w)
			prefix = prefix[:j]
		}
		if same && len(prefix) > nearKeyRunes+1 {
			prefix = prefix[:len(prefix)-1]
		}
		if len(prefix) < nearKeyRunes {
			return nil
		}
		stems[k] = string(prefix)
	}
	return &targetForm{words: stems}
}

// maxNearExtra is how many letters a near form may add to a stem: enough for a wrong ending
// (Рахмонов, Рахмонам), too few for another word built on the name.
const maxNearExtra = 3

// longestAt returns the form of a wanted term that covers most unclaimed words from token i.
func (idx *targetIndex) longestAt(tz *tokenizer, i int, claimed []bool, wanted func(term int) bool) (best *targetForm, n int) {
	for _, f := range idx.first[string(tz.word(i))] {
		if len(f.words) <= n || !wanted(f.term) || !tz.wordsAt(i, f.words, claimed, func(w, form string) bool { return w == form }) {
			continue
		}
		best, n = f, len(f.words)
	}
	return best, n
}

// nearAt returns the near form of a wanted term that covers most unclaimed words from token i:
// words that start with the stems and add at most a few letters, none of which is a derived
// adjective (таджикистанский is no form of Таджикистан).
func (idx *targetIndex) nearAt(tz *tokenizer, i int, claimed []bool, wanted func(term int) bool) (best *targetForm, n int) {
	w := []rune(string(tz.word(i)))
	if len(w) < nearKeyRunes {
		return nil, 0
	}
	for _, f := range idx.near[string(w[:nearKeyRunes])] {
		if len(f.words) <= n || !wanted(f.term) || !tz.wordsAt(i, f.words, claimed, nearWord) {
			continue
		}
		best, n = f, len(f.words)
	}
	return best, n
}

// nearWord reports whether a text word is its stem plus a short ending.
func nearWord(w, stem string) bool {
	if !strings.HasPrefix(w, stem) {
		return false
	}
	extra := w[len(stem):]
	return utf8.RuneCountInString(extra) <= maxNearExtra && !strings.Contains(extra, "ск") && !strings.HasSuffix(extra, "ӣ")
}

// wordsAt reports whether the tokens from i are the words, by same, none of them claimed.
func (tz *tokenizer) wordsAt(i int, words []string, claimed []bool, same func(w, form string) bool) bool {
	if i+len(words) > len(tz.toks) {
		return false
	}
	for k, w := range words {
		if claimed[i+k] || !same(string(tz.word(i+k)), w) {
			return false
		}
	}
	return true
}

func lastRuneOf(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// isConsonantTajik reports whether r is a consonant letter of Tajik.
func isConsonantTajik(r rune) bool {
	return strings.ContainsRune("бвгғджзйкқлмнпрстфхҳчҷшъБВГҒДЖЗЙКҚЛМНПРСТФХҲЧҶШ", r)
}
