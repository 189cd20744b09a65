package glossary

import (
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// parsed gathers what a reader parsed for finish: the terms with the lines they came from, and
// the problems found on the way.
type parsed struct {
	terms    []Term
	lines    []int
	problems []Problem
}

// add records t, read at line, with the problems of its row or entry.
func (p *parsed) add(t Term, line int, problems []Problem) {
	for _, pr := range problems {
		pr.Line = line
		p.problems = append(p.problems, pr)
	}
	p.terms = append(p.terms, t)
	p.lines = append(p.lines, line)
}

// finish validates what a reader parsed (terms[i] came from lines[i]) and returns either all
// terms or, if anything is wrong, nil and a *ValidationError with every problem by line, so an
// import is all or nothing.
func finish(terms []Term, lines []int, problems []Problem) ([]Term, error) {
	firstLine := make(map[string]int, len(terms))
	for i, t := range terms {
		for _, p := range t.problems() {
			p.Line = lines[i]
			problems = append(problems, p)
		}
		if l, dup := firstLine[t.ID]; dup {
			problems = append(problems, Problem{Line: lines[i], ID: t.ID, Field: "id", Code: CodeDuplicateID, Arg: strconv.Itoa(l)})
		} else {
			firstLine[t.ID] = lines[i]
		}
	}
	problems = append(problems, conflicts(terms, lines)...)
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
		return nil, &ValidationError{Problems: capProblems(problems)}
	}
	return terms, nil
}

// MaxProblems is how many problems an import reports; the rest are counted in one last
// problem, CodeMoreProblems. A file that is wrong on every one of its 100,000 lines (the wrong
// encoding, the wrong columns) would otherwise make an error page, an API answer and a log
// line of megabytes, and the first hundred say what to fix.
const MaxProblems = 100

func capProblems(ps []Problem) []Problem {
	if len(ps) <= MaxProblems {
		return ps
	}
	more := len(ps) - MaxProblems
	return append(ps[:MaxProblems:MaxProblems], Problem{Code: CodeMoreProblems, Arg: strconv.Itoa(more)})
}

// conflicts reports Arabic variants that two terms active at the same time share: the matcher
// could only ever pick one of them, so the other would silently never match.
func conflicts(terms []Term, lines []int) []Problem {
	var problems []Problem
	owners := make(map[string][]int) // normalised phrase → terms that have it
	var tz tokenizer
	for i, t := range terms {
		seen := make(map[string]bool, len(t.Arabic))
		for _, v := range t.Arabic {
			key := strings.Join(tz.words(v, false), " ")
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			for _, j := range owners[key] {
				if overlap(terms[j], t) && terms[j].ID != t.ID {
					problems = append(problems, Problem{Line: lines[i], ID: t.ID, Field: "ar", Code: CodeConflict, Arg: terms[j].ID})
				}
			}
			owners[key] = append(owners[key], i)
		}
	}
	return problems
}

// overlap reports whether two terms are active at some common moment.
func overlap(a, b Term) bool {
	before := func(until, from time.Time) bool { // until ≤ from, with zero meaning open
		return !until.IsZero() && !from.IsZero() && !until.After(from)
	}
	return !before(a.ValidUntil, b.ValidFrom) && !before(b.ValidUntil, a.ValidFrom)
}

// parseTime reads the dates of the file formats: a day (YYYY-MM-DD, midnight UTC) or an
// RFC 3339 time.
func parseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// formatTime writes a day when the time is midnight UTC, as the desk enters validity dates.
func formatTime(t time.Time) string {
	switch {
	case t.IsZero():
		return ""
	case t.Equal(t.UTC().Truncate(24 * time.Hour)):
		return t.UTC().Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// decodeBOM reads r as UTF-8, unless it starts with a UTF-16 byte order mark (little or big
// endian), as files exported by terminology tools and spreadsheets do: then it is decoded to
// UTF-8 and the mark dropped. Without a mark the bytes pass unchanged, so text that is not
// UTF-8 reaches tarjuma.CheckText and is refused, not repaired to U+FFFD.
func decodeBOM(r io.Reader) io.Reader {
	return transform.NewReader(r, unicode.BOMOverride(transform.Nop))
}
