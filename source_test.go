package tarjuma

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckSourceRefusals(t *testing.T) {
	for _, tc := range []struct {
		title, body string
		want        SourceProblem
	}{
		{" ", "نص", SourceProblem{Code: SourceEmpty, Field: "title"}},
		{"عنوان", "\n\t", SourceProblem{Code: SourceEmpty, Field: "body"}},
		{"عنوان", "نص\x00", SourceProblem{Code: SourceNUL, Field: "body"}},
		{"عنوان\xff", "نص", SourceProblem{Code: SourceNUL, Field: "title"}},
		{"\u200b\u0640\u064b", "نص", SourceProblem{Code: SourceEmpty, Field: "title"}},
		{"عنوان", "\u200e\u2067\u2069\u0652 \u3164", SourceProblem{Code: SourceEmpty, Field: "body"}},
	} {
		var p *SourceProblem
		if err := CheckSource(tc.title, tc.body); !errors.As(err, &p) || p.Code != tc.want.Code || p.Field != tc.want.Field {
			t.Errorf("CheckSource(%q, %q) = %v, want %+v", tc.title, tc.body, err, tc.want)
		}
	}
}

func TestCheckSourceScript(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       string // "" accepts; else a part of the not_arabic message
	}{
		{"Arabic", "رئيس جمهورية طاجيكستان يشارك في الاجتماع", ""},
		{"Arabic with tashkeel, digits and a Latin acronym", "قِمَّةُ CIS في ٢٠٢٢ و2024", ""},
		{"Persian is Arabic script", "رئیس‌جمهور تاجیکستان در نشست شرکت کرد", ""},
		{"Arabic quoting Tajik names", "قال الرئيس «Эмомалӣ» إن التعاون مهم جدا للمنطقة", ""},
		{"Tajik", "Президенти Тоҷикистон дар ҷаласа иштирок кард", "found mostly Cyrillic (100% of letters)"},
		{"mostly Cyrillic", strings.Repeat("ب", 8) + strings.Repeat("Д", 92), "found mostly Cyrillic (92% of letters)"},
		{"Hebrew", "נשיא טג'יקיסטן השתתף בפגישה", "found mostly Hebrew"},
		{"Arabic but not the majority", strings.Repeat("ب", 45) + strings.Repeat("L", 30) + strings.Repeat("Д", 25), "only 45% of letters are Arabic"},
		{"exactly half", strings.Repeat("ب", 5) + strings.Repeat("L", 5), "only 50% of letters are Arabic"},
		{"tie picks the first name", strings.Repeat("L", 5) + strings.Repeat("Д", 5), "found mostly Cyrillic (50% of letters)"},
		{"no letters", "٢٠٢٤ - 12.5% !", "found no letters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := checkArabic(tc.text)
			if tc.want == "" {
				if p != nil {
					t.Errorf("refused: %v", p)
				}
				return
			}
			if p == nil || p.Code != SourceNotArabic ||
				!strings.HasPrefix(p.Error(), "source must be Arabic script; ") || !strings.Contains(p.Error(), tc.want) {
				t.Errorf("got %v, want not_arabic mentioning %q", p, tc.want)
			}
		})
	}
}

func BenchmarkCheckSource(b *testing.B) {
	text := strings.Repeat("شارك رئيس جمهورية طاجيكستان في الاجتماع التشاوري الرابع. ", 20000) // ~1 MiB
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if err := CheckSource("عنوان", text); err != nil {
			b.Fatal(err)
		}
	}
}
