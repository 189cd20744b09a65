// Package diff owns the word-level comparison of two versions of a text, which the review
// desk's history shows between any two versions of a translation. It is pure: strings in,
// spans out.
package diff

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Op says what a span is to the old text and the new.
type Op string

// The ops. A replaced word is a Delete followed by an Insert.
const (
	Equal  Op = "equal"
	Delete Op = "delete" // only in the old text
	Insert Op = "insert" // only in the new text
)

// Span is a run of text with one op. Joining the Equal and Delete spans gives the old text back,
// joining the Equal and Insert spans the new one, byte for byte.
type Span struct {
	Op   Op
	Text string
}

// maxCells bounds the comparison table (4 bytes a cell) of the part of the texts that differs,
// at 16 MiB. Segments and whole articles are far below it; beyond it the differing middle is
// shown as deleted and inserted whole rather than compared word by word.
const maxCells = 1 << 22

// Words compares old and new word by word. Words are runs of letters, marks and digits, so an
// Arabic word keeps its tashkeel and "2025" stays whole; every other character but white space
// is a token of its own, so a changed comma does not mark its word changed. White space between
// two changes is shown as part of them, so that a replaced phrase reads as one.
func Words(old, new string) []Span {
	a, b := tokens(old), tokens(new)
	// The common ends need no table, and a typical edit leaves most of a text alone.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var spans []Span
	add := func(op Op, text string) {
		if n := len(spans); n > 0 && spans[n-1].Op == op {
			spans[n-1].Text += text
		} else if text != "" {
			spans = append(spans, Span{op, text})
		}
	}
	for _, t := range a[:pre] {
		add(Equal, t)
	}
	compare(a[pre:len(a)-suf], b[pre:len(b)-suf], add)
	for _, t := range a[len(a)-suf:] {
		add(Equal, t)
	}
	return absorbSpaces(spans)
}

// compare reports the edits from a to b through add, along a longest common subsequence of
// tokens; of two equally short scripts it takes the one that deletes first.
func compare(a, b []string, add func(Op, string)) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || (n+1)*(m+1) > maxCells {
		for _, t := range a {
			add(Delete, t)
		}
		for _, t := range b {
			add(Insert, t)
		}
		return
	}
	// lcs[i*(m+1)+j] is the length of the longest common subsequence of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			add(Equal, a[i])
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			add(Delete, a[i])
			i++
		default:
			add(Insert, b[j])
			j++
		}
	}
	for ; i < n; i++ {
		add(Delete, a[i])
	}
	for ; j < m; j++ {
		add(Insert, b[j])
	}
}

// absorbSpaces folds an Equal span of nothing but white space that sits between a replacement
// and another change into them: "-the cat- +a dog+" instead of "-the- +a+ -cat- +dog+". Only
// when text is both deleted and inserted around it: otherwise the space stays equal, since it
// is in both texts.
func absorbSpaces(spans []Span) []Span {
	var out []Span
	add := func(s Span) {
		if n := len(out); n > 0 && out[n-1].Op == s.Op {
			out[n-1].Text += s.Text
		} else if s.Text != "" {
			out = append(out, s)
		}
	}
	for i := 0; i < len(spans); i++ {
		s := spans[i]
		before := len(out)
		for before > 0 && out[before-1].Op != Equal {
			before--
		}
		after := i + 1
		for after < len(spans) && spans[after].Op != Equal {
			after++
		}
		around := append(slices.Clone(out[before:]), spans[i+1:after]...)
		if s.Op != Equal || before == len(out) || after == i+1 || !isSpace(s.Text) ||
			!slices.ContainsFunc(around, isOp(Delete)) || !slices.ContainsFunc(around, isOp(Insert)) {
			add(s)
			continue
		}
		var del, ins string
		for j, c := range around {
			if j == len(out)-before { // where the space was
				del, ins = del+s.Text, ins+s.Text
			}
			if c.Op == Delete {
				del += c.Text
			} else {
				ins += c.Text
			}
		}
		out = out[:before]
		add(Span{Delete, del})
		add(Span{Insert, ins})
		i = after - 1
	}
	return out
}

func isOp(op Op) func(Span) bool { return func(s Span) bool { return s.Op == op } }

func isSpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// tokens splits s into words, runs of white space, and single other characters.
func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := i + size
		switch {
		case isWord(r):
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if !isWord(r) {
					break
				}
				end += size
			}
		case unicode.IsSpace(r):
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if !unicode.IsSpace(r) {
					break
				}
				end += size
			}
		}
		out = append(out, s[i:end])
		i = end
	}
	return out
}

// isWord reports whether r belongs in a word: letters (the tatweel included), combining marks
// such as tashkeel, digits of any script, and the zero-width joiners that shape Arabic letters.
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '\u200c' || r == '\u200d'
}
