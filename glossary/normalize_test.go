package glossary

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestNormalize(t *testing.T) {
	for _, c := range readCases[struct{ Name, In, Want string }](t, "testdata/normalize.jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			if got := Normalize(c.In); got != c.Want {
				t.Errorf("Normalize(%q) = %q, want %q", c.In, got, c.Want)
			}
			if got := Normalize(c.Want); got != c.Want {
				t.Errorf("not idempotent: Normalize(%q) = %q", c.Want, got)
			}
		})
	}
}

func TestNormalizeInvalidUTF8(t *testing.T) {
	in := "ا\xffب\xd8"
	if got, want := Normalize(in), "ا\uFFFDب\uFFFD"; got != want {
		t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
	}
	checkMapped(t, in, NormalizeMap(in))
}

func TestNormalizeMap(t *testing.T) {
	for _, c := range []struct {
		name, in, norm, want string // want: the original text of the first occurrence of norm
	}{
		{"marks belong to their letter", "وَرَئِيسُ الدولة", "رييس", "رَئِيسُ"},
		{"tatweel belongs to its letter", "بـ الخلايا", "ب", "بـ"},
		{"removed bidi mark is outside", "\u200fرحمان\u200e", "رحمان", "رحمان"},
		{"bidi mark inside stays inside", "علي\u200f رحمان", "علي رحمان", "علي\u200f رحمان"},
		{"whitespace run", "آسيا\r\n  الوسطى", "اسيا الوسطي", "آسيا\r\n  الوسطى"},
		{"ligature", "ﻻ", "لا", "ﻻ"},
		{"word after a space in presentation forms", "ﺍﻷﻣﻢ ﺍﻟﻤﺘﺤﺪﺓ", "المتحده", "ﺍﻟﻤﺘﺤﺪﺓ"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := NormalizeMap(c.in)
			checkMapped(t, c.in, m)
			i := indexOf(m.Text, c.norm)
			if i < 0 {
				t.Fatalf("%q not in %q", c.norm, m.Text)
			}
			start, end := m.Source(i, i+len(c.norm))
			if got := c.in[start:end]; got != c.want {
				t.Errorf("Source of %q = %q, want %q", c.norm, got, c.want)
			}
		})
	}
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// checkMapped checks the invariants of NormalizeMap: the text is Normalize's, and every byte
// maps to a span of the original that is valid, on rune boundaries and in order.
func checkMapped(t *testing.T, in string, m Mapped) {
	t.Helper()
	if got := Normalize(in); m.Text != got {
		t.Fatalf("NormalizeMap(%q).Text = %q, Normalize = %q", in, m.Text, got)
	}
	if len(m.Starts) != len(m.Text) || len(m.Ends) != len(m.Text) {
		t.Fatalf("%d starts and %d ends for %d bytes", len(m.Starts), len(m.Ends), len(m.Text))
	}
	boundary := runeBoundaries(in)
	for i := range m.Text {
		s, e := m.Starts[i], m.Ends[i]
		switch {
		case s < 0 || s >= e || e > len(in):
			t.Fatalf("byte %d of %q: span [%d,%d) of %d bytes", i, m.Text, s, e, len(in))
		case !boundary[s] || !boundary[e]:
			t.Fatalf("byte %d of %q: span [%d,%d) not on rune boundaries of %q", i, m.Text, s, e, in)
		case i > 0 && (s < m.Starts[i-1] || e < m.Ends[i-1]):
			t.Fatalf("byte %d of %q: span [%d,%d) before [%d,%d)", i, m.Text, s, e, m.Starts[i-1], m.Ends[i-1])
		}
	}
}

// runeBoundaries marks where runes start in s as Go decodes it (an invalid byte is a rune), and
// its end.
func runeBoundaries(s string) []bool {
	b := make([]bool, len(s)+1)
	for i := range s {
		b[i] = true
	}
	b[len(s)] = true
	return b
}

// TestInertRunes checks the fast path's list: for every rune it calls inert, folding it alone is
// what folding its NFKC form is.
func TestInertRunes(t *testing.T) {
	for r := range rune(0x10000) {
		if !inert(r) || r == utf8.RuneError {
			continue
		}
		s := string(r)
		if got, want := foldString(s), foldString(norm.NFKC.String(s)); got != want {
			t.Errorf("inert(%U): folds to %q alone but %q after NFKC", r, got, want)
		}
	}
}

// TestFastPathPairs checks that no two inert runes of the desk's scripts interact under NFKC in
// a way the fast path misses (a composition, a reordering that matters).
func TestFastPathPairs(t *testing.T) {
	var runes []rune
	for r := range rune(0x700) {
		if inert(r) {
			runes = append(runes, r)
		}
	}
	for _, a := range runes {
		for _, b := range runes {
			s := string(a) + string(b)
			if got, want := Normalize(s), canonical(s); got != want {
				t.Fatalf("Normalize(%q) = %q, NFKC then fold = %q", s, got, want)
			}
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, c := range readCases[struct{ In string }](f, "testdata/normalize.jsonl") {
		f.Add(c.In)
	}
	f.Add("e\u200d\u0301 \u1100\u200c\u1161 ﷺ ا\u0640\u0654")
	f.Fuzz(func(t *testing.T, in string) {
		m := NormalizeMap(in)
		checkMapped(t, in, m)
		if again := Normalize(m.Text); again != m.Text {
			t.Fatalf("not idempotent: %q → %q → %q", in, m.Text, again)
		}
		if want := canonical(in); m.Text != want {
			t.Fatalf("Normalize(%q) = %q, NFKC then fold = %q", in, m.Text, want)
		}
	})
}
