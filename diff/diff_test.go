package diff

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWords(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     []Span
	}{
		{"same", "Саммит дар Душанбе.", "Саммит дар Душанбе.", []Span{{Equal, "Саммит дар Душанбе."}}},
		{"both empty", "", "", nil},
		{"from empty", "", "Саммит", []Span{{Insert, "Саммит"}}},
		{"to empty", "Саммит", "", []Span{{Delete, "Саммит"}}},
		{"insert a word", "Президент выступил.", "Президент Таджикистана выступил.",
			[]Span{{Equal, "Президент "}, {Insert, "Таджикистана "}, {Equal, "выступил."}}},
		{"delete a word", "Президент Таджикистана выступил.", "Президент выступил.",
			[]Span{{Equal, "Президент "}, {Delete, "Таджикистана "}, {Equal, "выступил."}}},
		{"replace a word", "Президенти Тоҷикистон суханронӣ кард.", "Президенти Тоҷикистон баромад кард.",
			[]Span{{Equal, "Президенти Тоҷикистон "}, {Delete, "суханронӣ"}, {Insert, "баромад"}, {Equal, " кард."}}},
		{"replace a phrase reads as one", "the cat sat", "a dog sat",
			[]Span{{Delete, "the cat"}, {Insert, "a dog"}, {Equal, " sat"}}},
		{"punctuation only", "Summit opens, leaders meet.", "Summit opens; leaders meet!",
			[]Span{{Equal, "Summit opens"}, {Delete, ","}, {Insert, ";"}, {Equal, " leaders meet"}, {Delete, "."}, {Insert, "!"}}},
		{"word keeps its neighbours' punctuation", "«Саммит» начался.", "«Встреча» начался.",
			[]Span{{Equal, "«"}, {Delete, "Саммит"}, {Insert, "Встреча"}, {Equal, "» начался."}}},
		// Tashkeel is part of the word: a vowelled word is another word, not a word plus marks.
		{"arabic with tashkeel", "شارك الرئيس في القمة.", "شارك الرَّئِيسُ في القمة.",
			[]Span{{Equal, "شارك "}, {Delete, "الرئيس"}, {Insert, "الرَّئِيسُ"}, {Equal, " في القمة."}}},
		{"arabic punctuation and digits", "عقدت القمة في ٢٠٢٥، بدوشنبه.", "عقدت القمة في 2025، بدوشنبه؟",
			[]Span{{Equal, "عقدت القمة في "}, {Delete, "٢٠٢٥"}, {Insert, "2025"}, {Equal, "، بدوشنبه"}, {Delete, "."}, {Insert, "؟"}}},
		{"space change", "два  слова", "два слова", []Span{{Equal, "два"}, {Delete, "  "}, {Insert, " "}, {Equal, "слова"}}},
		{"insert between equal spaces stays apart", "a c", "a b c",
			[]Span{{Equal, "a "}, {Insert, "b "}, {Equal, "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Words(tt.old, tt.new)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Words(%q, %q) (-want +got):\n%s", tt.old, tt.new, d)
			}
			checkRebuilds(t, tt.old, tt.new, got)
		})
	}
}

// checkRebuilds holds Words to its promise: the spans give both texts back.
func checkRebuilds(t *testing.T, old, new string, spans []Span) {
	t.Helper()
	var o, n strings.Builder
	for i, s := range spans {
		if s.Text == "" {
			t.Errorf("span %d is empty", i)
		}
		if i > 0 && spans[i-1].Op == s.Op {
			t.Errorf("spans %d and %d have the same op %s", i-1, i, s.Op)
		}
		if s.Op != Insert {
			o.WriteString(s.Text)
		}
		if s.Op != Delete {
			n.WriteString(s.Text)
		}
	}
	if o.String() != old || n.String() != new {
		t.Errorf("spans give back %q and %q, want %q and %q", o.String(), n.String(), old, new)
	}
}

// TestWordsRebuilds runs Words over edits of a real sentence, checking only that the spans give
// both texts back.
func TestWordsRebuilds(t *testing.T) {
	words := strings.Fields("شارك رئيس جمهورية طاجيكستان إمام علي رحمن في الاجتماع التشاوري الرابع لرؤساء دول آسيا الوسطى ، وأكد أهمية التعاون .")
	for i := range words {
		for j := i; j <= len(words); j++ {
			old := strings.Join(words, " ")
			edited := append(append(append([]string{}, words[:i]...), "جديد", "!"), words[j:]...)
			checkRebuilds(t, old, strings.Join(edited, " "), Words(old, strings.Join(edited, " ")))
		}
	}
}

// TestWordsTooLarge takes the bounded path: the middle is replaced whole.
func TestWordsTooLarge(t *testing.T) {
	old := "start " + strings.Repeat("a ", 3000) + "end"
	new := "start " + strings.Repeat("b ", 3000) + "end"
	got := Words(old, new)
	as, bs := strings.Repeat("a ", 3000), strings.Repeat("b ", 3000)
	want := []Span{{Equal, "start "}, {Delete, as[:len(as)-1]}, {Insert, bs[:len(bs)-1]}, {Equal, " end"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	checkRebuilds(t, old, new, got)
}
