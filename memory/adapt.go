package memory

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TermAt is a glossary term found in a source sentence, as adaptation needs it: where it
// stands (byte offsets into the source), which term it is, and the forms its translation takes
// in the target language, the preferred spelling's first.
type TermAt struct {
	Start, End int
	ID         string
	Forms      []TermForm
}

// TermForm is one form of a term's translation: its grammatical form (inflect.Form: "nom",
// "gen", … or the Tajik "acc", "ezafe") and the text.
type TermForm struct {
	Form string
	Text string
}

// Adapt fits a memory match's text to the current source when the two sources differ only in
// glossary terms and numbers: the Arabic is the same word for word once each term is taken as
// one word, and where they differ a term stands for a term and a number for a number. Each
// replaced term's translation is found in text (in any of its forms, exactly once) and
// replaced by the new term's translation in the same grammatical form — "с Путиным" becomes
// "с Токаевым", not "с Токаев" — keeping a capital first letter; numbers are replaced as
// adaptNumbers does. It fails, leaving the match to be edited by hand, when anything else
// differs or a replaced term's translation is not found once in text.
//
// oldTerms are the terms of the match's source, newTerms those of the current one, each in
// the order they stand.
func Adapt(text, oldSource, newSource string, oldTerms, newTerms []TermAt) (string, []Replacement, bool) {
	a, b := units(oldSource, oldTerms), units(newSource, newTerms)
	if len(a) != len(b) {
		return "", nil, false
	}
	var swaps [][2]*TermAt
	var from, to []string
	for i := range a {
		x, y := a[i], b[i]
		switch {
		case x.term != nil && y.term != nil:
			if x.term.ID != y.term.ID {
				swaps = append(swaps, [2]*TermAt{x.term, y.term})
			}
		case x.term != nil || y.term != nil:
			return "", nil, false
		case x.number && y.number:
			from, to = append(from, x.text), append(to, y.text)
		case x.number || y.number || x.text != y.text:
			return "", nil, false
		}
	}
	var changed []Replacement
	for _, sw := range swaps {
		start, end, form, ok := findTerm(text, sw[0].Forms)
		if !ok {
			return "", nil, false
		}
		written := text[start:end]
		// Where forms read alike (an indeclinable name, a Russian accusative like the
		// genitive), every form the text could be must give the new term the same text.
		with := ""
		for _, f := range sw[0].Forms {
			if f.Text != form {
				continue
			}
			w := formOf(sw[1].Forms, f.Form)
			if w == "" || with != "" && w != with {
				return "", nil, false
			}
			with = w
		}
		if with == "" {
			return "", nil, false
		}
		if r, _ := utf8.DecodeRuneInString(written); unicode.IsUpper(r) {
			with = capitalize(with)
		}
		text = text[:start] + with + text[end:]
		changed = append(changed, Replacement{Kind: AdaptedTerm, From: written, To: with})
	}
	if numbered, nums, ok := adaptNumbers(text, from, to); ok {
		text, changed = numbered, append(changed, nums...)
	} else if !sameStrings(from, to) {
		return "", nil, false // a number differs and could not be replaced
	}
	if len(changed) == 0 {
		return "", nil, false
	}
	return text, changed, true
}

// unit is a word, a number, or a whole glossary term of a source.
type unit struct {
	text   string
	number bool
	term   *TermAt
}

// units cuts source into words and numbers (as words does), each term counting as one unit.
func units(source string, terms []TermAt) []unit {
	var out []unit
	k := 0
	for _, t := range words(source, false) {
		for k < len(terms) && terms[k].End <= t.Start {
			k++
		}
		if k < len(terms) && t.Start >= terms[k].Start && t.End <= terms[k].End {
			if n := len(out); n == 0 || out[n-1].term != &terms[k] {
				out = append(out, unit{term: &terms[k]})
			}
			continue
		}
		out = append(out, unit{text: t.Text, number: t.Number})
	}
	return out
}

// findTerm finds the one place text holds one of forms as whole words (its first letter
// in either case), the longest form where several start at one place, and returns that form's
// text as listed.
func findTerm(text string, forms []TermForm) (start, end int, form string, ok bool) {
	found := -1
	for i := 0; i < len(text); {
		best := -1
		for k, f := range forms {
			if f.Text == "" || (best >= 0 && len(f.Text) <= len(forms[best].Text)) {
				continue
			}
			if at(text, i, f.Text) {
				best = k
			}
		}
		if best < 0 {
			_, size := utf8.DecodeRuneInString(text[i:])
			i += size
			continue
		}
		if found >= 0 {
			return 0, 0, "", false // twice: which one the source's term is cannot be told
		}
		found, start, end, form = best, i, i+len(forms[best].Text), forms[best].Text
		i = end
	}
	return start, end, form, found >= 0
}

// at reports whether text holds w at i as whole words, its first letter in either case.
func at(text string, i int, w string) bool {
	if !strings.HasPrefix(text[i:], w) && !strings.HasPrefix(text[i:], capitalize(w)) && !strings.HasPrefix(text[i:], lowerFirst(w)) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	after, _ := utf8.DecodeRuneInString(text[i+len(w):])
	return !isWordRune(before) && !isWordRune(after)
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r))
}

// formOf is the text of form among forms, the first listed (the preferred spelling's).
func formOf(forms []TermForm, form string) string {
	for _, f := range forms {
		if f.Form == form {
			return f.Text
		}
	}
	return ""
}

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

func lowerFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[size:]
}

func sameStrings(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
