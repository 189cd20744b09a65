package glossary

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
)

// FindingKind says how a term fared in a translation.
type FindingKind string

// The outcomes of the adherence check. None blocks anything; reviewers decide.
const (
	FindingOK         FindingKind = "ok"         // a preferred or accepted form, as written in the glossary
	FindingInflected  FindingKind = "inflected"  // a declined or re-cased form of one (Рахмона, Тоҷикистонро)
	FindingMissing    FindingKind = "missing"    // a source occurrence with no form in the target
	FindingUnexpected FindingKind = "unexpected" // a form in the target for a term the source does not have
)

// Finding is one result of the adherence check.
type Finding struct {
	TermID string
	Kind   FindingKind
	Form   string // the glossary form found, or the preferred form expected when missing
	// Start and End locate the form in the target (byte offsets); -1 when missing.
	Start, End int
	// SourceStart and SourceEnd locate the source occurrence it answers; -1 when there is none
	// (unexpected, or more occurrences in the target than in the source).
	SourceStart, SourceEnd int
}

// Check compares a segment's translation with the terms found in its source (sourceMatches,
// from m.Match). Every source occurrence should have a preferred or accepted form in the target;
// in Russian and Tajik a declined form counts too and is reported as inflected, never missing.
// A form in the target of a term the source does not contain is unexpected. Occurrences pair up
// in order; findings come in target order, then the missing ones in source order.
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
	used := make(map[int]int) // source occurrences answered, per term
	var out []Finding
	for i := 0; i < len(tz.toks); {
		f, n := idx.longestAt(tz, i, func(term int) bool { return used[term] < len(bySource[term]) })
		if f == nil {
			i++
			continue
		}
		start, end := tz.toks[i].start, tz.toks[i+n-1].end
		fd := Finding{TermID: m.terms[f.term].ID, Kind: FindingOK, Form: f.form, Start: start, End: end, SourceStart: -1, SourceEnd: -1}
		if Normalize(target[start:end]) != f.norm {
			fd.Kind = FindingInflected
		}
		switch src := bySource[f.term]; {
		case len(src) == 0:
			fd.Kind = FindingUnexpected
		case used[f.term] < len(src):
			fd.SourceStart, fd.SourceEnd = src[used[f.term]].Start, src[used[f.term]].End
			used[f.term]++
		}
		out = append(out, fd)
		i += n
	}
	var missing []Finding
	for term, src := range bySource {
		t := m.terms[term]
		for _, mt := range src[used[term]:] {
			form := t.Targets[lang].Preferred
			if t.DoNotTranslate {
				form = mt.Text
			}
			missing = append(missing, Finding{TermID: t.ID, Kind: FindingMissing, Form: form, Start: -1, End: -1, SourceStart: mt.Start, SourceEnd: mt.End})
		}
	}
	slices.SortFunc(missing, func(a, b Finding) int { return cmp.Compare(a.SourceStart, b.SourceStart) })
	return append(out, missing...)
}

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

// targetIndex finds glossary forms in texts of one target language, declined or not. Forms are
// keyed by the stem of their first word; a text word is looked up under every stem it could
// have, that is with each ending the language allows cut off.
type targetIndex struct {
	first   map[string][]*targetForm
	endings []string // every ending of the language's rules, longest first
}

type targetForm struct {
	term  int
	form  string // as written in the glossary
	norm  string // Normalize(form): an occurrence that normalises the same is ok, otherwise inflected
	words []wordRule
}

// wordRule says which text words a word of a form accepts: its stem followed by one of the
// endings.
type wordRule struct {
	stem    string
	endings []string
}

func (w wordRule) accepts(word string) bool {
	return strings.HasPrefix(word, w.stem) && slices.Contains(w.endings, word[len(w.stem):])
}

func newTargetIndex(terms []Term, lang tarjuma.Lang) *targetIndex {
	idx := &targetIndex{first: make(map[string][]*targetForm), endings: allEndings(lang)}
	var tz tokenizer
	for i, t := range terms {
		forms := append([]string{t.Targets[lang].Preferred}, t.Targets[lang].Accepted...)
		if t.DoNotTranslate {
			forms = append(forms, t.Arabic...)
		}
		for _, form := range forms {
			if form == "" {
				continue
			}
			orig := tz.words(form, false)
			lower := tz.words(form, true)
			if len(lower) == 0 {
				continue
			}
			f := &targetForm{term: i, form: form, norm: Normalize(form), words: make([]wordRule, len(lower))}
			for k := range lower {
				f.words[k] = decline(lang, orig[k], lower[k])
			}
			idx.first[f.words[0].stem] = append(idx.first[f.words[0].stem], f)
		}
	}
	return idx
}

// longestAt returns the form that matches most words from token i, preferring, among equally
// long ones, a term the source still needs.
func (idx *targetIndex) longestAt(tz *tokenizer, i int, needed func(term int) bool) (best *targetForm, n int) {
	w := string(tz.word(i))
	bestNeeded := false
	for _, e := range idx.endings {
		if len(e) >= len(w) || !strings.HasSuffix(w, e) {
			continue
		}
		for _, f := range idx.first[w[:len(w)-len(e)]] {
			if len(f.words) < n || !f.words[0].accepts(w) || !tz.followsInflected(i+1, f.words[1:]) {
				continue
			}
			fNeeded := needed(f.term)
			if len(f.words) > n || fNeeded && !bestNeeded {
				best, n, bestNeeded = f, len(f.words), fNeeded
			}
		}
	}
	return best, n
}

func (tz *tokenizer) followsInflected(j int, words []wordRule) bool {
	if j+len(words) > len(tz.toks) {
		return false
	}
	for k, w := range words {
		if !w.accepts(string(tz.word(j + k))) {
			return false
		}
	}
	return true
}

// The declension rules: not a dictionary but the endings each class of word takes, so any
// name the desk adds declines without being listed. They are generous on purpose: a wrong case
// is the reviewer's to catch, while a correct declined form reported as missing would teach
// reviewers to ignore the check.
var (
	indeclinable = []string{""}

	// Russian nouns ending in a consonant, with surnames in -ов/-ев/-ин (Токаев → Токаевым):
	// Рахмон, Рахмона, Рахмону, Рахмоном, Рахмоне; plural Таджикистаны, …ов, …ам, …ами, …ах.
	ruConsonant = []string{"", "а", "у", "ом", "ем", "ым", "им", "е", "ы", "и", "ов", "ев", "ам", "ям", "ами", "ями", "ах", "ях"}
	// Russian nouns in -а/-я (Москва, организация) with their cases and plural.
	ruA = []string{"а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею", "", "й", "ам", "ям", "ами", "ями", "ах", "ях"}
	// Russian nouns in -ь (Основатель): Основателя, Основателю, Основателем, …
	ruSoft = []string{"ь", "я", "ю", "ем", "е", "и", "ей", "ью", "ям", "ями", "ях"}
	// Russian nouns in -й that are not adjectives (Николай).
	ruJ = []string{"й", "я", "ю", "ем", "е", "и", "ев", "ям", "ями", "ях"}
	// Russian plurals in -ы (Штаты, главы): Штатов, Штатам, …, and the bare genitive глав.
	ruPlural = []string{"ы", "", "ов", "ам", "ами", "ах"}
	// Russian adjectives and participles in every gender, case and number (Шанхайская →
	// Шанхайской, Объединенных stays).
	ruAdjective = []string{"ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им", "ом", "ем", "ую", "юю", "ых", "их", "ыми", "ими", "ей", "ою", "ею"}
	// What a form word must end in to be declined as an adjective.
	ruAdjectiveClass = []string{"ого", "его", "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их"}

	// Tajik attaches suffixes to the unchanged word: the object marker -ро, the izofa -и, the
	// plurals -ҳо/-он, the indefinite -е, the possessives, the conjunction -у/-ву and the copula
	// -аст/-ст (Тоҷикистонро, Тоҷикистони, Душанбеи). The adjective suffix -ӣ is not among them:
	// Тоҷикистонӣ is another word.
	tgSuffixes = []string{"", "ро", "и", "ҳо", "ҳои", "ҳоро", "он", "они", "онро", "е", "ам", "ат", "аш", "амон", "атон", "ашон", "ям", "ят", "яш", "у", "ву", "ст", "аст"}
	// A Tajik word in -ӣ takes the suffixes on -ӣ or, as before the izofa, on -и (миллӣ → миллии).
	tgI = func() []string {
		var out []string
		for _, s := range tgSuffixes {
			out = append(out, "ӣ"+s, "и"+s)
		}
		return out
	}()
)

// decline returns the rule for one word of a form in lang: word as written (for telling
// acronyms), lower as the tokenizer folded it.
func decline(lang tarjuma.Lang, word, lower string) wordRule {
	last, _ := utf8.DecodeLastRuneInString(lower)
	cut := func(n int) string { return lower[:len(lower)-n] }
	switch {
	case isAcronym(word):
		// ООН, ШОС, СНГ, ЮНЕСКО are not declined in the desk's Russian or Tajik.
	case lang == tarjuma.Russian:
		for _, s := range ruAdjectiveClass {
			if strings.HasSuffix(lower, s) && utf8.RuneCountInString(lower) > utf8.RuneCountInString(s)+2 {
				return wordRule{stem: cut(len(s)), endings: ruAdjective}
			}
		}
		switch last {
		case 'а', 'я':
			return wordRule{stem: cut(utf8.RuneLen(last)), endings: ruA}
		case 'ь':
			return wordRule{stem: cut(utf8.RuneLen(last)), endings: ruSoft}
		case 'й':
			return wordRule{stem: cut(utf8.RuneLen(last)), endings: ruJ}
		case 'ы':
			return wordRule{stem: cut(utf8.RuneLen(last)), endings: ruPlural}
		case 'е', 'и', 'о', 'у', 'ю', 'э':
			// Душанбе, Эмомали, Баку, Токио, and genitives fixed in a title (Республики).
		default:
			if unicode.Is(unicode.Cyrillic, last) {
				return wordRule{stem: lower, endings: ruConsonant}
			}
		}
	case lang == tarjuma.Tajik:
		if last == 'ӣ' {
			return wordRule{stem: cut(utf8.RuneLen(last)), endings: tgI}
		}
		if unicode.Is(unicode.Cyrillic, last) {
			return wordRule{stem: lower, endings: tgSuffixes}
		}
	}
	return wordRule{stem: lower, endings: indeclinable}
}

// isAcronym reports whether word is two or more letters, all capitals.
func isAcronym(word string) bool {
	n := 0
	for _, r := range word {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}

// allEndings lists every ending a word of lang can take, longest first, for cutting text words
// back to candidate stems.
func allEndings(lang tarjuma.Lang) []string {
	var lists [][]string
	switch lang {
	case tarjuma.Russian:
		lists = [][]string{ruConsonant, ruA, ruSoft, ruJ, ruPlural, ruAdjective}
	case tarjuma.Tajik:
		lists = [][]string{tgSuffixes, tgI}
	}
	out := slices.Concat(append(lists, indeclinable)...)
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return slices.Compact(out)
}
