package memory

import (
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma/internal/numeral"
)

// Threshold is the lowest score a fuzzy match is offered at, memoQ's (Weblate offers from 75,
// Trados from about 70): below it, editing the match is slower than translating afresh.
const Threshold = 60

// Scoring. A fuzzy match's score is how much of the longer of the two sources survives the
// word-level edit distance between them:
//
//	score = floor(100 × (L − d) / L)
//
// where the sources are cut into words and numbers as words does (normalised the glossary's way,
// punctuation ignored), L is the larger word count, and d is the Levenshtein distance over
// words (inserting, deleting or replacing one word costs 1). Flooring keeps every inexact match
// below 100. Sources whose words are the same but which differ in punctuation, tashkeel, letter
// variants or spacing score 99; 100 is kept for the same normalised sentence (the memory key),
// which is what the translator fills in by itself. One word replaced in a ten-word sentence
// scores floor(100 × 9/10) = 90; a word added to it floor(100 × 10/11) = 90.
//
// A match whose only difference is in numbers ("٥ قتلى" for "٧ قتلى") is adapted: its target's
// numbers are replaced by the current source's, and it scores 99 (never 100: a person should
// read it). When the target does not hold each changed number exactly once, it is not adapted
// and keeps its word score.

// wordScore is the score of two sources of n and m words at distance d.
func wordScore(d, n, m int) int {
	l := max(n, m)
	if l == 0 {
		return 0
	}
	return 100 * (l - d) / l
}

// Replacement is one change adaptation made to a match's text: a number (Kind "number", From
// and To its canonical values) or a glossary term (Kind "term", From and To the target forms
// as written).
type Replacement struct {
	Kind string `json:"kind"`
	From string `json:"from"`
	To   string `json:"to"`
}

// The kinds of Replacement.
const (
	AdaptedNumber = "number"
	AdaptedTerm   = "term"
)

// adaptNumbers replaces in text each number of from by the number of to at the same place
// (from and to are the numbers of the memory's source and the current one, in order). It
// fails unless every number that changes occurs in text exactly once, as a whole number: a
// guess between two "5"s could change the wrong one. A number is written in the digits the
// target used (ASCII, or Arabic-Indic where the target wrote those).
func adaptNumbers(text string, from, to []string) (string, []Replacement, bool) {
	type edit struct {
		start, end int
		with       string
	}
	var edits []edit
	var changed []Replacement
	nums := numbersOf(text)
	for k := range from {
		if from[k] == to[k] {
			continue
		}
		at := -1
		for i, n := range nums {
			if n.Text == from[k] {
				if at >= 0 {
					return "", nil, false
				}
				at = i
			}
		}
		if at < 0 {
			return "", nil, false
		}
		// The same number changed at two places of the source cannot be told apart.
		for _, e := range edits {
			if e.start == nums[at].Start {
				return "", nil, false
			}
		}
		edits = append(edits, edit{nums[at].Start, nums[at].End, writeLike(to[k], text[nums[at].Start:nums[at].End])})
		changed = append(changed, Replacement{Kind: AdaptedNumber, From: from[k], To: to[k]})
	}
	if len(edits) == 0 {
		return "", nil, false
	}
	var b strings.Builder
	last := 0
	slices.SortFunc(edits, func(x, y edit) int { return x.start - y.start })
	for _, e := range edits {
		b.WriteString(text[last:e.start])
		b.WriteString(e.with)
		last = e.end
	}
	b.WriteString(text[last:])
	return b.String(), changed, true
}

// numbersOf returns the number tokens of text.
func numbersOf(text string) []token {
	var out []token
	for _, t := range words(text, false) {
		if t.Number {
			out = append(out, t)
		}
	}
	return out
}

// writeLike writes the canonical number value as written was, in the target's convention:
// Arabic-Indic digits and ٫ if written used them, else ASCII digits; the decimal mark written
// used (Russian and Tajik "3,5"); and written's thousands separator (a space, no-break space,
// narrow no-break space, ٬ or ",") if it grouped its digits. Russian and Tajik typography
// leave four-digit numbers whole ("2500", "10 000"), so a four-digit value is grouped only if
// written grouped a four-digit number too.
func writeLike(value, written string) string {
	arabic := strings.ContainsFunc(written, func(r rune) bool { return r >= 0x0660 && r <= 0x0669 })
	group, decimal, intDigits := separators(written)
	if decimal == 0 {
		decimal = '.'
		if arabic {
			decimal = '٫'
		}
	}
	intPart, frac, hasFrac := strings.Cut(value, ".")
	digit := func(r rune) rune {
		if arabic {
			return 0x0660 + r - '0'
		}
		return r
	}
	var b strings.Builder
	grouped := group != 0 && (len(intPart) >= 5 || len(intPart) == 4 && intDigits == 4)
	for i, r := range intPart {
		if grouped && i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune(group)
		}
		b.WriteRune(digit(r))
	}
	if hasFrac {
		b.WriteRune(decimal)
		for _, r := range frac {
			b.WriteRune(digit(r))
		}
	}
	return b.String()
}

// separators reads a written number the way numeral.Scan does: its thousands separator and
// decimal mark (0 where it has none) and how many digits its integer part has.
func separators(written string) (group, decimal rune, intDigits int) {
	rs := []rune(written)
	for i := 0; i < len(rs); i++ {
		if _, ok := numeral.Digit(rs[i]); ok {
			if decimal == 0 {
				intDigits++
			}
			continue
		}
		run := 0
		for j := i + 1; j < len(rs); j++ {
			if _, ok := numeral.Digit(rs[j]); !ok {
				break
			}
			run++
		}
		switch r := rs[i]; {
		case r == ',' && run != 3, r == '.', r == '٫':
			decimal = r
		case r == ',', r == '٬', r == ' ', r == 0x00A0, r == 0x202F:
			group = r
		}
	}
	return group, decimal, intDigits
}
