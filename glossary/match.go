package glossary

import (
	"slices"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Match is one occurrence of a term in a text. Start and End are byte offsets into the original
// text, and Text is text[Start:End]. An attached proclitic (و ف ب ل ك and their combinations)
// is not part of the span, so the UI highlights the name itself.
type Match struct {
	TermID string
	Start  int
	End    int
	Text   string
}

// Matcher finds the terms of one glossary version in texts. It is built once per version, is
// immutable and is safe for concurrent use; the worker shares one between its goroutines and
// builds a new one when the glossary changes.
//
// It indexes every Arabic variant by its first normalised word; at each word of a text it looks
// that word up with and without proclitics and tries the candidate phrases, longest first. On
// this machine kind that beat every Aho-Corasick library by a wide margin in both build time and
// scan speed (see FIELD-NOTES.md), and it makes the clitic rules plain code.
type Matcher struct {
	terms   []Term
	byID    map[string]int
	first   map[string][]phrase
	scratch sync.Pool // *tokenizer
	targets map[tarjuma.Lang]*lazyIndex
}

// phrase is one Arabic variant under its first word.
type phrase struct {
	term int
	rest []string // the normalised words after the first
	// lil marks the لل spelling of a variant that starts with ال ("للأمم" for "الأمم"): the key
	// includes the preposition ل, which the reported span skips.
	lil bool
}

// NewMatcher builds a matcher for the terms active at the given time. Terms should have passed
// Validate; if two share an id or an Arabic variant, the earlier one wins (ReadCSV and ReadTBX
// report both cases as problems).
func NewMatcher(terms []Term, at time.Time) *Matcher {
	m := &Matcher{
		byID:    make(map[string]int, len(terms)),
		first:   make(map[string][]phrase, len(terms)),
		targets: make(map[tarjuma.Lang]*lazyIndex),
	}
	m.scratch.New = func() any { return new(tokenizer) }
	for _, l := range tarjuma.TargetLangs() {
		m.targets[l] = new(lazyIndex)
	}
	var tz tokenizer
	for _, t := range terms {
		if _, dup := m.byID[t.ID]; dup || !t.ActiveAt(at) {
			continue
		}
		idx := len(m.terms)
		m.terms = append(m.terms, t.clone())
		m.byID[t.ID] = idx
		for _, v := range t.Arabic {
			words := tz.words(v, false)
			if len(words) == 0 {
				continue
			}
			m.add(words[0], phrase{term: idx, rest: words[1:]})
			if lil := lilForm(words[0]); lil != "" {
				m.add(lil, phrase{term: idx, rest: words[1:], lil: true})
			}
		}
	}
	for _, ps := range m.first {
		// Longest first; a plain spelling before a لل one of the same length.
		slices.SortStableFunc(ps, func(a, b phrase) int {
			if len(a.rest) != len(b.rest) {
				return len(b.rest) - len(a.rest)
			}
			switch {
			case a.lil == b.lil:
				return 0
			case b.lil:
				return -1
			}
			return 1
		})
	}
	return m
}

func (m *Matcher) add(key string, p phrase) {
	for _, q := range m.first[key] {
		if q.lil == p.lil && slices.Equal(q.rest, p.rest) {
			return // the same phrase again; the first term to claim it keeps it
		}
	}
	m.first[key] = append(m.first[key], p)
}

// Term returns a copy of the active term with the given id.
func (m *Matcher) Term(id string) (Term, bool) {
	i, ok := m.byID[id]
	if !ok {
		return Term{}, false
	}
	return m.terms[i].clone(), true
}

// Len returns the number of active terms.
func (m *Matcher) Len() int { return len(m.terms) }

// Match returns the terms in text, leftmost first; where terms overlap, the one that starts
// first wins, and of those the longest. A term matches whole words only: it may be preceded by
// proclitics, but nothing may follow it inside the word ("الخجندي" is not "خجند").
func (m *Matcher) Match(text string) []Match {
	tz := m.scratch.Get().(*tokenizer)
	defer m.scratch.Put(tz)
	tz.scan(text, false)
	var out []Match
	for i := 0; i < len(tz.toks); {
		n, start, term := m.longestAt(tz, i)
		if n == 0 {
			i++
			continue
		}
		end := tz.toks[i+n-1].end
		out = append(out, Match{TermID: m.terms[term].ID, Start: start, End: end, Text: text[start:end]})
		i += n
	}
	return out
}

// The proclitics as they appear in normalised text, each one Arabic letter of two bytes.
const (
	waw = "و"
	fa  = "ف"
	ba  = "ب"
	lam = "ل"
	kaf = "ك"
)

// longestAt finds the match starting in token i: it tries the word whole, then without a
// one-letter proclitic (و ف ب ل ك), then without a conjunction and a preposition (وب ول وك فب
// فل فك); the first that matches is the leftmost, and its longest phrase wins. It returns the
// number of tokens matched, where the match starts in the text, and the term.
func (m *Matcher) longestAt(tz *tokenizer, i int) (n, start, term int) {
	w := tz.word(i)
	cuts := [3]int{0}
	ncuts := 1
	if len(w) > 2 && isProclitic(w[:2], waw, fa, ba, lam, kaf) {
		cuts[ncuts] = 2
		ncuts++
		if len(w) > 4 && isProclitic(w[:2], waw, fa) && isProclitic(w[2:4], ba, lam, kaf) {
			cuts[ncuts] = 4
			ncuts++
		}
	}
	for _, cut := range cuts[:ncuts] {
		for _, p := range m.first[string(w[cut:])] {
			// لل follows nothing, و or ف: "وللأمم" is و + ل + الأمم.
			if p.lil && (cut == 4 || cut == 2 && !isProclitic(w[:2], waw, fa)) {
				continue
			}
			if !tz.follows(i+1, p.rest) {
				continue
			}
			skip := cut / 2
			if p.lil {
				skip++
			}
			start = tz.toks[i].start
			if skip > 0 {
				start = tz.toks[i].inner[skip-1]
			}
			return 1 + len(p.rest), start, p.term
		}
	}
	return 0, 0, 0
}

func isProclitic(letter []byte, set ...string) bool {
	for _, s := range set {
		if string(letter) == s {
			return true
		}
	}
	return false
}

// follows reports whether the tokens from j on are exactly words.
func (tz *tokenizer) follows(j int, words []string) bool {
	if j+len(words) > len(tz.toks) {
		return false
	}
	for k, w := range words {
		if string(tz.word(j+k)) != w {
			return false
		}
	}
	return true
}

// lilForm returns how a word starting with the article ال is written after the preposition ل:
// the alef drops ("الأمم" → "للأمم"), and before a word that itself starts with ل one lam goes
// too ("اللجنة" → "للجنة", "الله" → "لله"). It returns "" for other words.
func lilForm(w string) string {
	const al = "ال"
	if len(w) <= len(al) || w[:len(al)] != al {
		return ""
	}
	if rest := w[len(al):]; len(rest) > len(lam) && rest[:len(lam)] == lam {
		return lam + rest
	}
	return lam + w[len("ا"):]
}
