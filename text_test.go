package tarjuma

import (
	"errors"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		code       string // "" accepts
		offset     int
	}{
		{"Arabic", "قمة دول آسيا الوسطى", "", 0},
		{"empty", "", "", 0},
		{"bidi marks and joiners are text", "\u200f\u200dقمة\u2067x\u2069", "", 0},
		{"NUL", "قمة\x00", TextNUL, 6},
		{"NUL first", "\x00", TextNUL, 0},
		{"stray continuation byte", "ab\x80", TextInvalidUTF8, 2},
		{"truncated sequence", "ق\xd9", TextInvalidUTF8, 2},
		{"overlong NUL", "\xc0\x80", TextInvalidUTF8, 0},
		{"surrogate encoded in UTF-8", "\xed\xa0\x80", TextInvalidUTF8, 0},
		{"U+FFFD itself is valid text", "\uFFFD", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckText("title", tc.text)
			var p *TextProblem
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("CheckText(%q) = %v, want nil", tc.text, err)
			case tc.code == "":
			case !errors.As(err, &p):
				t.Fatalf("CheckText(%q) = %v, want a *TextProblem", tc.text, err)
			case p.Code != tc.code || p.Field != "title" || p.Offset != tc.offset:
				t.Errorf("CheckText(%q) = %+v, want code %s at byte %d of title", tc.text, *p, tc.code, tc.offset)
			}
		})
	}
}

func TestBlank(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"", true},
		{" \t\r\n\u00a0\u3000", true},
		{"\u200b\u0640\u064b", true},                   // zero-width space, tatweel, fathatan
		{"\u200e\u200f\u061c\u202b\u2067\u2069", true}, // LRM, RLM, ALM, embeddings and isolates
		{"\ufeff\u200c\u200d\u2060", true},             // BOM, ZWNJ, ZWJ, word joiner
		{"\u064e\u0651\u0670\u06e1", true},             // fatha, shadda, dagger alef, Quranic sukun
		{"\u3164\u115f\ufe0f", true},                   // Hangul fillers, a variation selector
		{"ب", false},
		{"\u0640ب\u064b", false},
		{"1", false},
		{".", false},
		{"\u200b-", false},
	} {
		if got := Blank(tc.text); got != tc.want {
			t.Errorf("Blank(%+q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
