package tarjuma

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// The reasons CheckText refuses a text.
const (
	TextNUL         = "nul"          // a NUL character, which PostgreSQL text cannot hold
	TextInvalidUTF8 = "invalid_utf8" // bytes that are not UTF-8, which decoders would turn into U+FFFD
)

// TextProblem says which field holds text that cannot be stored, and why; each door words it
// its own way (the API as a JSON error, the pages as a message id, an import as a problem on a
// line).
type TextProblem struct {
	Code   string // TextNUL or TextInvalidUTF8
	Field  string
	Offset int // byte offset of the first bad byte in the field
}

func (p *TextProblem) Error() string {
	if p.Code == TextNUL {
		return fmt.Sprintf("%s contains a NUL character (byte %d)", p.Field, p.Offset)
	}
	return fmt.Sprintf("%s is not valid UTF-8 (byte %d)", p.Field, p.Offset)
}

// CheckText is the one rule every door applies to text it is given to store — the API, the desk's
// forms, glossary CSV and TBX imports and the CLI: valid UTF-8 and no NUL. It returns nil or a
// *TextProblem naming field. Invalid bytes are refused, not repaired: U+FFFD stored in place of a
// letter is a corrupted article nobody asked for, and PostgreSQL refuses NUL with an error the
// caller could not act on.
func CheckText(field, s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0 {
			return &TextProblem{Code: TextNUL, Field: field, Offset: i}
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return &TextProblem{Code: TextInvalidUTF8, Field: field, Offset: i}
		}
		i += n
	}
	return nil
}

// Blank reports whether s shows nothing to a reader: it has no character other than white
// space, controls, format characters (zero-width spaces and joiners, bidi marks, the BOM),
// combining marks (Arabic diacritics), the tatweel and the other default-ignorable fillers.
// A title of only such characters is as empty as "" and every door refuses it the same way.
func Blank(s string) bool {
	for _, r := range s {
		if !invisible(r) {
			return false
		}
	}
	return true
}

func invisible(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r <= ' ' || r == 0x7F
	case r == 0x0640: // tatweel: stretches a word, is no letter of it
		return true
	}
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Mn, unicode.Me,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
