package tarjuma

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSource cuts an article into the units translated and reviewed one by one: the title
// first (id "title"), then every sentence of every paragraph ("p1.s1", "p1.s2", "p2.s1", …).
// A line break ("\n", "\r\n", a lone "\r" or U+2028) or a paragraph separator (U+2029) ends a
// paragraph, and blank lines are skipped; a sentence ends at . ؟ ? ! or ؛ — but a full stop
// between two digits is a decimal point, so "3.5" and "2022-2024" stay whole. Text inside a
// sentence is kept byte for byte; only the space between sentences and paragraphs is dropped.
func SplitSource(title, body string) []Segment {
	segs := []Segment{{ID: TitleSegmentID, Source: strings.TrimSpace(title)}}
	para := 0
	for _, line := range strings.Split(lineBreaks.Replace(body), "\n") {
		sentences := splitSentences(line)
		if len(sentences) == 0 {
			continue
		}
		para++
		for i, s := range sentences {
			segs = append(segs, Segment{ID: fmt.Sprintf("p%d.s%d", para, i+1), Source: s})
		}
	}
	return segs
}

// lineBreaks turns every line ending and U+2028/U+2029 into "\n"; "\r\n" is listed before "\r" so
// it counts as one break. Every line is its own paragraph, so U+2029 needs nothing more.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n")

// splitSentences splits one paragraph at sentence terminators, keeping each terminator (and any
// closing quotes or brackets right after it) with its sentence.
func splitSentences(para string) []string {
	var out []string
	start := 0
	for i := 0; i < len(para); {
		r, size := utf8.DecodeRuneInString(para[i:])
		i += size
		if !isTerminator(r) || (r == '.' && isDecimalPoint(para, i-size, i)) {
			continue
		}
		for i < len(para) {
			next, n := utf8.DecodeRuneInString(para[i:])
			if !isTerminator(next) && !isClosing(next) {
				break
			}
			i += n
		}
		out = appendSentence(out, para[start:i])
		start = i
	}
	return appendSentence(out, para[start:])
}

func appendSentence(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

func isTerminator(r rune) bool {
	switch r {
	case '.', '؟', '?', '!', '؛', '…':
		return true
	}
	return false
}

// isClosing reports whether r closes a quotation or bracket, which belongs to the sentence it ends.
func isClosing(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']':
		return true
	}
	return false
}

// isDecimalPoint reports whether the full stop at text[at:end] sits between two digits (Latin,
// Arabic-Indic or Persian), which makes it part of a number rather than the end of a sentence.
func isDecimalPoint(text string, at, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:at])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return unicode.IsDigit(before) && unicode.IsDigit(after)
}
