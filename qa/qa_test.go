package qa

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"عام ٢٠٢٤ و١٥ وفدا", []string{"2024", "15"}},
		{"1,000 people and 3.5%", []string{"1000", "3.5"}},
		{"١٬٠٠٠ و٣٫٥", []string{"1000", "3.5"}},
		{"1 000 человек, 3,5 %", []string{"1000", "3.5"}},
		{"1\u00a0000 и 1\u202f000", []string{"1000", "1000"}},
		{"2022-2024", []string{"2022", "2024"}},
		{"۱۲ (Persian digits).", []string{"12"}},
		{"12 345,67", []string{"12345.67"}},
		{"no numbers", nil},
	} {
		got := numbers(tc.in)
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("numbers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNumberFlags holds the number check to hand-worked pairs: the same number written with
// Arabic-Indic digits and Arabic separators in the source and Latin ones in the target is no
// finding; a number lost or added is.
func TestNumberFlags(t *testing.T) {
	for _, tc := range []struct {
		name, source, target string
		want                 []tarjuma.Flag
	}{
		{"thousands", "حضر ١٬٠٠٠ شخص", "Пришли 1 000 человек", nil},
		{"decimal", "نما الاقتصاد بنسبة ٣٫٥ في المئة", "Экономика выросла на 3,5 процента", nil},
		{"year", "في عام ٢٠٢٤", "In 2024", nil},
		{"missing and extra", "قتل ٣ وأصيب ١٢", "3 killed, 21 injured",
			[]tarjuma.Flag{{Kind: NumberMissing, Args: []string{"12"}}, {Kind: NumberExtra, Args: []string{"21"}}}},
		{"grouping is not a decimal", "حضر ١٬٠٠٠ شخص", "Attended by 1.000 people",
			[]tarjuma.Flag{{Kind: NumberMissing, Args: []string{"1000"}}, {Kind: NumberExtra, Args: []string{"1.000"}}}},
		{"decimal lost", "بنسبة ٣٫٥", "by 35 percent",
			[]tarjuma.Flag{{Kind: NumberMissing, Args: []string{"3.5"}}, {Kind: NumberExtra, Args: []string{"35"}}}},
		{"one of two missing", "وصل ١٥ وفدا في ٢٠٢٤", "15 delegations arrived",
			[]tarjuma.Flag{{Kind: NumberMissing, Args: []string{"2024"}}}},
		{"one more", "وصل ١٥ وفدا", "15 delegations and 3 ministers arrived",
			[]tarjuma.Flag{{Kind: NumberExtra, Args: []string{"3"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Flags(tarjuma.Segment{Source: tc.source, Text: tc.target, Origin: tarjuma.OriginHuman})
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(flagsEqual)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

// flagsEqual treats nil and empty as one, for the expectations; the nil-or-not of a result is
// tested on its own.
func flagsEqual(a, b []tarjuma.Flag) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Kind != b[i].Kind || strings.Join(a[i].Args, "\x00") != strings.Join(b[i].Args, "\x00") || len(a[i].Args) != len(b[i].Args) {
			return false
		}
	}
	return true
}

func TestTextFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		seg  tarjuma.Segment
		want []tarjuma.FlagKind
	}{
		{"empty", tarjuma.Segment{Source: "قتل ٣", Text: "  ", Origin: tarjuma.OriginHuman}, []tarjuma.FlagKind{Empty}},
		// An untranslated segment is one flag, not also its numbers.
		{"untranslated", tarjuma.Segment{Source: "قتل ٣", Text: "قتل ٣", Origin: tarjuma.OriginUntranslated}, []tarjuma.FlagKind{Untranslated}},
		{"source kept by a person", tarjuma.Segment{Source: "نص", Text: " نص ", Origin: tarjuma.OriginHuman}, []tarjuma.FlagKind{Untranslated}},
		{"bidi in the text", tarjuma.Segment{Source: "نص", Text: "text \u202eevil", Origin: tarjuma.OriginHuman}, []tarjuma.FlagKind{Bidi}},
		{"bidi in the source", tarjuma.Segment{Source: "نص \u2067x\u2069", Text: "text", Origin: tarjuma.OriginHuman}, []tarjuma.FlagKind{Bidi}},
		{"marks are not controls", tarjuma.Segment{Source: "نص\u200f", Text: "text\u200e", Origin: tarjuma.OriginHuman}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []tarjuma.FlagKind
			for _, f := range Flags(tc.seg) {
				got = append(got, f.Kind)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("flag kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCheck runs the one function the saving paths call: glossary findings become flags with
// the text found and the desk's form, after the text flags, and a clean segment gets an empty,
// non-nil list so the store records that it was checked.
func TestCheck(t *testing.T) {
	terms, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	m := glossary.NewMatcher(terms, time.Now())
	segs := []tarjuma.Segment{
		{ID: "title", Source: "التقى رئيس جمهورية طاجيكستان في دوشنبه", Origin: tarjuma.OriginHuman,
			Text: "Встреча с Президент Республики Таджикистан прошла в Душанбе 5 мая."},
		{ID: "p1.s1", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Заявил Эмомали Рахмон."},
		{ID: "p1.s2", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Заявил он."},
	}
	Check(m, segs, tarjuma.Russian)
	want := [][]tarjuma.Flag{
		{{Kind: NumberExtra, Args: []string{"5"}},
			{Kind: TermWrongCase, Args: []string{"Президент Республики Таджикистан", "Президентом Республики Таджикистан"}}},
		{},
		{{Kind: TermMissing, Args: []string{"Эмомали Рахмон"}}},
	}
	for i, seg := range segs {
		if len(seg.Terms) == 0 {
			t.Errorf("%s: no terms marked", seg.ID)
		}
		if seg.Flags == nil || !flagsEqual(want[i], seg.Flags) {
			t.Errorf("%s: flags %+v, want %+v (non-nil)", seg.ID, seg.Flags, want[i])
		}
	}

	// An empty glossary: no terms, no checks, the text flags still.
	Check(nil, segs, tarjuma.Russian)
	if segs[0].Terms != nil || segs[0].Checks != nil || !flagsEqual(segs[0].Flags, []tarjuma.Flag{{Kind: NumberExtra, Args: []string{"5"}}}) {
		t.Errorf("without a glossary: terms %v, checks %v, flags %+v; want only the number flag", segs[0].Terms, segs[0].Checks, segs[0].Flags)
	}
	if segs[2].Flags == nil || len(segs[2].Flags) != 0 {
		t.Errorf("without a glossary the missing term is no flag: %+v", segs[2].Flags)
	}
}

func TestMetricsCount(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.Count(tarjuma.Version{Lang: tarjuma.Russian, Segments: []tarjuma.Segment{
		{Flags: []tarjuma.Flag{{Kind: NumberMissing, Args: []string{"12"}}, {Kind: NumberExtra, Args: []string{"21"}}}},
		{Flags: []tarjuma.Flag{{Kind: NumberMissing, Args: []string{"3"}}}},
		{Flags: []tarjuma.Flag{}},
	}})
	m.Count(tarjuma.Version{Lang: tarjuma.Tajik, Segments: []tarjuma.Segment{{Flags: []tarjuma.Flag{{Kind: Empty}}}}})
	want := `
# HELP tarjuma_qa_flags_total Quality-check flags of the versions stored, by kind and language; each version counts once, when it is stored.
# TYPE tarjuma_qa_flags_total counter
tarjuma_qa_flags_total{kind="empty",lang="tg"} 1
tarjuma_qa_flags_total{kind="number_extra",lang="ru"} 1
tarjuma_qa_flags_total{kind="number_missing",lang="ru"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "tarjuma_qa_flags_total"); err != nil {
		t.Error(err)
	}
}
