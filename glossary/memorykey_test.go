package glossary

import (
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tarjuma/tarjuma"
)

func TestMemoryKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  قمة   دوشنبه\t\n", "قمة دوشنبه"},
		{"a\u00a0\u2003b", "a b"},              // no-break and em spaces are white space too
		{"\u0627\u0653", "\u0622"},             // alef + madda above composes to alef with madda
		{"e\u0301", "\u00e9"},                  // NFC
		{"\u200fقمة\u200f", "\u200fقمة\u200f"}, // RLM is not white space and is kept
		{"", ""},
	}
	for _, tt := range tests {
		if got := MemoryKey(tt.in); got != tt.want {
			t.Errorf("MemoryKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNFCClass checks nfcClass against the normaliser's tables, and MemoryKey's fast path
// against the full normalisation, so the fast path can never return another key.
func TestNFCClass(t *testing.T) {
	for r := rune(0); r <= 0x3000; r++ {
		ccc, ok := nfcClass(r)
		if !ok {
			continue
		}
		s := string(r)
		p := norm.NFC.PropertiesString(s)
		if norm.NFC.String(s) != s || p.CCC() != ccc || unicode.IsSpace(r) ||
			(ccc == 0 && !p.BoundaryBefore()) || norm.NFC.String("\u0627"+s) != "\u0627"+s {
			t.Errorf("nfcClass(%U) = %d, but NFC may change it, its class is %d, or it is white space", r, ccc, p.CCC())
		}
	}
	for _, s := range []string{
		"قمة دوشنبه", "قمة  دوشنبه", " قمة", "قمة ", "a\tb", "\u0627\u0653", "e\u0301", "قيّم",
		"\u0628\u0651\u064e", "\u0628\u064e\u0651", "\u0627\u0670\u064e", "Саммит в Душанбе.",
		"«2022-2024» 3.5%", "\u200fقمة\u200f", "a\u00a0b", "", " ", "x",
	} {
		if want := strings.Join(strings.Fields(norm.NFC.String(s)), " "); MemoryKey(s) != want {
			t.Errorf("MemoryKey(%q) = %q, want %q", s, MemoryKey(s), want)
		}
	}
	title, body := tarjuma.SampleArticle()
	for _, seg := range tarjuma.SplitSource(title, body) {
		if !isMemoryKey(seg.Source) {
			t.Errorf("sample segment %s misses the fast path: %q", seg.ID, seg.Source)
		}
	}
}
