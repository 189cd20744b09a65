package glossary

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MemoryKey is the normalised form of a source text under which the translation memory stores
// and finds it: NFC, runs of white space folded to one space, trimmed. Everything that writes
// or reads the memory goes through it, so stricter folding (Arabic letter variants, tashkeel)
// can be added here in one place.
func MemoryKey(s string) string {
	if isMemoryKey(s) {
		return s // most segments: no copy, and none of the normaliser's per-rune table lookups
	}
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// isMemoryKey reports, in one cheap pass, that s is already its own MemoryKey: only single
// spaces between words, and only code points that nfcClass vouches for, with combining marks
// in canonical order. False means only that the full normalisation has to decide.
func isMemoryKey(s string) bool {
	space := true  // a space at the start is not allowed, as after another space
	var last uint8 // combining class of the previous code point
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if space {
					return false
				}
				space = true
			case c < ' ' || c == 0x7f: // tabs, line breaks and other controls
				return false
			default:
				space = false
			}
			last = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		ccc, ok := nfcClass(r)
		if !ok || (ccc != 0 && ccc < last) { // NFC would reorder the marks
			return false
		}
		space, last = false, ccc
		i += size
	}
	return !space || s == ""
}

// nfcClass returns the canonical combining class of r when r is a code point that NFC never
// changes and never composes with anything around it, so that only the order of combining marks
// is left to check. It covers the letters, digits and punctuation of Arabic, Latin and Cyrillic
// text, the bidi marks, and Arabic tashkeel (fathatan U+064B, class 27, to sukun U+0652, class
// 34, and the dagger alef U+0670, 35). Madda and hamza above and below (U+0653–U+0655), which
// compose with alef, waw and yeh, and white space are left out, so text with them takes the
// full path. TestNFCClass checks the ranges against the normaliser's own tables.
func nfcClass(r rune) (ccc uint8, ok bool) {
	switch {
	case r >= 0x00A1 && r <= 0x02FF: // from after the no-break space to before the combining marks
		return 0, true
	case r >= 0x0400 && r <= 0x0482, r >= 0x048A && r <= 0x052F: // Cyrillic without its combining marks
		return 0, true
	case r >= 0x0600 && r <= 0x060F, r >= 0x061B && r <= 0x064A, r >= 0x0660 && r <= 0x066F, r >= 0x0671 && r <= 0x06D5:
		return 0, true // Arabic letters, digits and punctuation
	case r >= 0x064B && r <= 0x0652:
		return uint8(27 + r - 0x064B), true
	case r == 0x0670:
		return 35, true
	case r >= 0x200B && r <= 0x2027: // zero-width characters, bidi marks, dashes and quotes
		return 0, true
	}
	return 0, false
}
