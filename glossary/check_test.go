package glossary

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestCheck runs testdata/check.jsonl: each expected finding is [term, kind, form, text in the
// target] ("" when missing), in the order Check reports them.
func TestCheck(t *testing.T) {
	terms := append(starter(t), Term{ID: "samsung", Kind: KindOther, Arabic: []string{"سامسونج"}, DoNotTranslate: true})
	m := NewMatcher(terms, time.Now())
	for _, c := range readCases[struct {
		Name, Lang, Source, Target string
		Want                       [][4]string
	}](t, "testdata/check.jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			src := m.Match(c.Source)
			findings := m.Check(src, c.Target, tarjuma.Lang(c.Lang))
			var got [][4]string
			for _, f := range findings {
				text := ""
				if f.Start >= 0 {
					text = c.Target[f.Start:f.End]
				}
				got = append(got, [4]string{f.TermID, string(f.Kind), f.Form, text})
				if f.SourceStart >= 0 && !isMatchOf(src, f) {
					t.Errorf("finding %+v points at no source match of its term", f)
				}
				if (f.Start < 0) != (f.Kind == FindingMissing) || f.Kind == FindingUnexpected && f.SourceStart >= 0 {
					t.Errorf("finding %+v: spans do not fit its kind", f)
				}
			}
			if diff := cmp.Diff(c.Want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func isMatchOf(src []Match, f Finding) bool {
	for _, m := range src {
		if m.TermID == f.TermID && m.Start == f.SourceStart && m.End == f.SourceEnd {
			return true
		}
	}
	return false
}

// TestCheckUnknownLanguage checks that a language without a target index finds nothing and
// reports every source occurrence as missing rather than failing.
func TestCheckUnknownLanguage(t *testing.T) {
	m := starterMatcher(t)
	src := m.Match("أفغانستان")
	got := m.Check(src, "Afganistan", tarjuma.Lang("de"))
	if len(got) != 1 || got[0].Kind != FindingMissing {
		t.Errorf("Check in an unknown language = %+v", got)
	}
}
