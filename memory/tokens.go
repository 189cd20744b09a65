// Package memory owns the translation memory's matching and exchange: the similarity score of
// two Arabic sources, the in-process index that finds fuzzy matches and concordance hits among
// 100,000 entries in milliseconds, the adaptation of a match's numbers and glossary terms to
// the current sentence (Adapt), and TMX 1.4b, the format every CAT tool
// imports and exports. It does no I/O beyond readers and writers: package desk feeds it from
// the store, which stays the truth shared by every replica.
package memory

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/numeral"
)

// token is one word or number of a normalised text. Numbers are words of their own kind:
// Value is their canonical form (ASCII digits, "." as the decimal mark, no grouping), so that
// ٢٬٥٠٠ and 2500 are one number, and Start and End locate them in the text they came from.
type token struct {
	Text       string
	Number     bool
	Start, End int // byte offsets into the text that was tokenized
}

// words cuts s into its tokens: runs of letters and marks, and numbers; punctuation and white
// space only separate them, so a changed comma changes no word. Letters are compared as
// glossary.Normalize folds them (tashkeel, alef, ya and ta marbuta variants); lower also
// folds case and ё, for target-language text.
func words(s string, lower bool) []token {
	var out []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		_, isDigit := numeral.Digit(r)
		switch {
		case isDigit:
			end, value := numeral.Scan(s, i)
			out = append(out, token{Text: value, Number: true, Start: i, End: end})
			i = end
		case unicode.IsLetter(r) || unicode.IsMark(r):
			end := i + size
			for end < len(s) {
				r, n := utf8.DecodeRuneInString(s[end:])
				if !unicode.IsLetter(r) && !unicode.IsMark(r) && r != 0x0640 && !isJoiner(r) {
					break
				}
				end += n
			}
			w := glossary.Normalize(s[i:end])
			if lower {
				w = foldCase(w)
			}
			if w != "" {
				out = append(out, token{Text: w, Start: i, End: end})
			}
			i = end
		default:
			i += size
		}
	}
	return out
}

// isJoiner reports the format characters that sit inside Arabic words (ZWNJ, ZWJ, the bidi
// marks); Normalize removes them, so they must not split a word.
func isJoiner(r rune) bool {
	return r == 0x200C || r == 0x200D || r == 0x200E || r == 0x200F || r == 0x061C
}

// foldCase lowers s and folds ё to е, which Russian writes optionally.
func foldCase(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}

// fold is the form concordance searches compare: normalised, and for target text lowered.
func fold(s string, lower bool) string {
	n := glossary.Normalize(s)
	if lower {
		n = foldCase(n)
	}
	return n
}
