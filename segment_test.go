package tarjuma

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"arabic terminators", "جملة أولى. جملة ثانية؟ ثالثة! رابعة؛ خامسة", []string{"جملة أولى.", "جملة ثانية؟", "ثالثة!", "رابعة؛", "خامسة"}},
		{"no space after full stop", "آسيا الوسطى.و الحاجة", []string{"آسيا الوسطى.", "و الحاجة"}},
		{"year range stays whole", "للفترة 2022-2024 ، مفهوم التعاون.", []string{"للفترة 2022-2024 ، مفهوم التعاون."}},
		{"latin decimal", "نما بنسبة 3.5 في المئة. ثم توقف", []string{"نما بنسبة 3.5 في المئة.", "ثم توقف"}},
		{"arabic-indic decimal", "بلغ ٣.٥ مليار. انتهى", []string{"بلغ ٣.٥ مليار.", "انتهى"}},
		{"closing quote stays", "ما يسمى “الخلايا النائمة.” ثم", []string{"ما يسمى “الخلايا النائمة.”", "ثم"}},
		{"repeated terminators", "حقا؟! نعم...", []string{"حقا؟!", "نعم..."}},
		{"inner spacing kept byte-exact", "الاجتماع  التشاوري\u200f ، هنا", []string{"الاجتماع  التشاوري\u200f ، هنا"}},
		{"blank", "   ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, splitSentences(tt.in)); diff != "" {
				t.Errorf("splitSentences(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestSplitSourceIDsAndParagraphs(t *testing.T) {
	got := SplitSource(" العنوان \n", "أولى. ثانية\r\n\r\nفقرة ثانية.\n")
	want := []Segment{
		{ID: "title", Source: "العنوان"},
		{ID: "p1.s1", Source: "أولى."},
		{ID: "p1.s2", Source: "ثانية"},
		{ID: "p2.s1", Source: "فقرة ثانية."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SplitSource (-want +got):\n%s", diff)
	}
}

func TestSplitSourceLineBreaks(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Segment
	}{
		{"lone CR", "سطر أول\rسطر ثان", []Segment{{ID: "p1.s1", Source: "سطر أول"}, {ID: "p2.s1", Source: "سطر ثان"}}},
		{"CRLF", "سطر أول\r\nسطر ثان", []Segment{{ID: "p1.s1", Source: "سطر أول"}, {ID: "p2.s1", Source: "سطر ثان"}}},
		{"CRLF blank line", "سطر أول\r\n\r\nسطر ثان", []Segment{{ID: "p1.s1", Source: "سطر أول"}, {ID: "p2.s1", Source: "سطر ثان"}}},
		{"line separator", "سطر أول\u2028سطر ثان", []Segment{{ID: "p1.s1", Source: "سطر أول"}, {ID: "p2.s1", Source: "سطر ثان"}}},
		{"paragraph separator", "فقرة أولى. جملة\u2029فقرة ثانية", []Segment{{ID: "p1.s1", Source: "فقرة أولى."}, {ID: "p1.s2", Source: "جملة"}, {ID: "p2.s1", Source: "فقرة ثانية"}}},
		{"mixed", "أولى 3.5\rثانية\r\nثالثة 2022-2024\u2028رابعة. خامسة\u2029\u2029\nسادسة\n", []Segment{
			{ID: "p1.s1", Source: "أولى 3.5"},
			{ID: "p2.s1", Source: "ثانية"},
			{ID: "p3.s1", Source: "ثالثة 2022-2024"},
			{ID: "p4.s1", Source: "رابعة."},
			{ID: "p4.s2", Source: "خامسة"},
			{ID: "p5.s1", Source: "سادسة"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := append([]Segment{{ID: "title", Source: "العنوان"}}, tt.want...)
			if diff := cmp.Diff(want, SplitSource("العنوان", tt.body)); diff != "" {
				t.Errorf("SplitSource(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

// TestSplitSourceSample checks the wire story: every sentence is kept, in order, byte for byte.
func TestSplitSourceSample(t *testing.T) {
	raw, err := os.ReadFile("testdata/summit-ar.txt")
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ := strings.Cut(string(raw), "\n")
	segs := SplitSource(title, body)
	if segs[0].Source != title {
		t.Errorf("title = %q, want %q", segs[0].Source, title)
	}
	var rebuilt strings.Builder
	for _, s := range segs[1:] {
		rebuilt.WriteString(s.Source)
	}
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if squash(rebuilt.String()) != squash(body) {
		t.Error("segments do not add up to the body")
	}
	for _, s := range segs {
		if strings.Contains(s.Source, "2022-2024") && !strings.Contains(s.Source, "للفترة 2022-2024") {
			t.Errorf("year range split: %q", s.Source)
		}
	}
	if len(segs) < 15 {
		t.Errorf("only %d segments from a 13-paragraph story", len(segs))
	}
}
