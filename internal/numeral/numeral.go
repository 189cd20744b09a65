// Package numeral reads numbers as Arabic, Russian and Tajik text writes them, in the one
// canonical form that QA checks them by and the translation memory adapts them by.
package numeral

import "unicode/utf8"

// Digit maps ASCII, Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹, Persian and Urdu) digits
// to their ASCII digit, so ٢٠٢٤ in the source matches 2024 in the target.
func Digit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= 0x0660 && r <= 0x0669:
		return byte('0' + r - 0x0660), true
	case r >= 0x06F0 && r <= 0x06F9:
		return byte('0' + r - 0x06F0), true
	}
	return 0, false
}

// Scan reads the number starting at s[i] and returns where it ends and its canonical value:
// ASCII digits, no grouping, "." as the decimal mark. Grouping is ٬ (Arabic thousands
// separator), a space, no-break space or narrow no-break space, or a comma, each followed by
// exactly three digits; the decimal mark is ٫ (Arabic decimal separator), "." or a comma
// followed by other than three digits (Russian and Tajik write 3,5). So "1,000", "1 000",
// "١٬٠٠٠" and "1000" are one number, "٣٫٥" and "3,5" another.
func Scan(s string, i int) (end int, value string) {
	var b []byte
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if d, ok := Digit(r); ok {
			b = append(b, d)
			i += size
			continue
		}
		run := digitsAt(s[i+size:])
		switch {
		case run == 0:
			return i, string(b)
		case r == '٬' || r == ' ' || r == 0x00A0 || r == 0x202F:
			if run != 3 {
				return i, string(b)
			}
		case r == ',':
			if run != 3 {
				b = append(b, '.')
			}
		case r == '٫' || r == '.':
			b = append(b, '.')
		default:
			return i, string(b)
		}
		i += size
	}
	return i, string(b)
}

// digitsAt counts the digits at the start of s.
func digitsAt(s string) int {
	n := 0
	for _, r := range s {
		if _, ok := Digit(r); !ok {
			break
		}
		n++
	}
	return n
}
