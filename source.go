package tarjuma

import (
	"errors"
	"fmt"
	"slices"
	"unicode"
)

// The reasons CheckSource refuses a source.
const (
	SourceEmpty     = "empty"      // the title or the body has no visible text
	SourceNUL       = "nul"        // text CheckText refuses (a NUL or invalid UTF-8); Text says which
	SourceNotArabic = "not_arabic" // Arabic is not the script of most letters
)

// SourceProblem says why a source cannot be accepted, in parts each caller words its own way
// (the API as a JSON error, the submit page as a message id).
type SourceProblem struct {
	Code    string       // SourceEmpty, SourceNUL or SourceNotArabic
	Field   string       // "title" or "body" for SourceEmpty and SourceNUL
	Script  string       // SourceNotArabic: the script with the most letters; "" when there are none
	Percent int          // SourceNotArabic: that script's share of the letters
	Text    *TextProblem // SourceNUL: what CheckText found
}

func (p *SourceProblem) Error() string {
	switch {
	case p.Code == SourceEmpty:
		return p.Field + " must not be empty"
	case p.Code == SourceNUL:
		return p.Text.Error()
	case p.Script == "":
		return "source must be Arabic script; found no letters"
	case p.Script == "Arabic":
		return fmt.Sprintf("source must be Arabic script; only %d%% of letters are Arabic", p.Percent)
	}
	return fmt.Sprintf("source must be Arabic script; found mostly %s (%d%% of letters)", p.Script, p.Percent)
}

// CheckSource enforces what the pipeline needs of an Arabic source: a title and a body with
// visible text (Blank), text CheckText accepts, and Arabic as the script of more than half of the letters, so a pasted
// Russian or English article is refused up front instead of being "translated". It returns
// nil or a *SourceProblem.
func CheckSource(title, body string) error {
	for _, f := range []struct{ name, value string }{{"title", title}, {"body", body}} {
		var tp *TextProblem
		if errors.As(CheckText(f.name, f.value), &tp) {
			return &SourceProblem{Code: SourceNUL, Field: f.name, Text: tp}
		}
		if Blank(f.value) {
			return &SourceProblem{Code: SourceEmpty, Field: f.name}
		}
	}
	if p := checkArabic(title + "\n" + body); p != nil {
		return p
	}
	return nil
}

// checkArabic counts letters only: digits, punctuation and diacritics say nothing about the
// language.
func checkArabic(text string) *SourceProblem {
	arabic, total := 0, 0
	var counts map[string]int // letters of the other scripts, made on the first one
	for _, r := range text {
		switch {
		case r < 0x80:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				counts = count(counts, "Latin")
				total++
			}
		case r >= 0x0620 && r <= 0x064A && r != 0x0640:
			// The Arabic letters in one comparison: the bulk of a 1 MiB article, which the tables
			// below would search rune by rune. The tatweel (U+0640) is of the Common script.
			arabic++
			total++
		case unicode.IsLetter(r):
			if name := scriptOf(r); name == "Arabic" {
				arabic++
			} else {
				counts = count(counts, name)
			}
			total++
		}
	}
	if total == 0 {
		return &SourceProblem{Code: SourceNotArabic}
	}
	if 2*arabic > total {
		return nil
	}
	if arabic > 0 {
		counts["Arabic"] = arabic // not nil: at most half of the letters are Arabic
	}
	scripts := make([]string, 0, len(counts))
	for name := range counts {
		scripts = append(scripts, name)
	}
	slices.Sort(scripts) // MaxFunc keeps the first of equals: ties resolve alphabetically
	top := slices.MaxFunc(scripts, func(a, b string) int { return counts[a] - counts[b] })
	return &SourceProblem{Code: SourceNotArabic, Script: top, Percent: (100*counts[top] + total/2) / total}
}

// count adds one to counts[name], making the map on first use.
func count(counts map[string]int, name string) map[string]int {
	if counts == nil {
		counts = map[string]int{}
	}
	counts[name]++
	return counts
}

// scriptOf names the Unicode script of r. The scripts the desk meets are tried first so that a
// 1 MiB article does not walk the whole table for every letter.
func scriptOf(r rune) string {
	for _, s := range []struct {
		name  string
		table *unicode.RangeTable
	}{{"Arabic", unicode.Arabic}, {"Cyrillic", unicode.Cyrillic}, {"Latin", unicode.Latin}} {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name // scripts are disjoint, so map order does not matter
		}
	}
	return "Unknown"
}
