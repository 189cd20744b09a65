package glossary

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// TestCheck runs testdata/check.jsonl: each expected finding is [term, kind, form, text in the
// target] ("" when missing), in the order Check reports them.
func TestCheck(t *testing.T) {
	m := starterMatcher(t, Term{ID: "samsung", Kind: KindOther, Arabic: []string{"سامسونج"}, DoNotTranslate: true})
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

// TestAdherenceEval measures the check on testdata/adherence_eval.jsonl, sentences labelled by
// hand: every term occurrence of the source is right (ok, in the form named), in a wrong form,
// in a case its position cannot take, or missing. A flag is any verdict but ok and inflected.
// Precision is the share of flags that are on wrong terms; recall the share of wrong terms
// flagged. Both must reach 0.98 per language, and every right form must be named right.
func TestAdherenceEval(t *testing.T) {
	m := starterMatcher(t)
	type entry struct{ ID, Verdict, Text, Form string }
	type stats struct{ flaggedWrong, flaggedRight, missedWrong, wrongCase int }
	byLang := map[tarjuma.Lang]*stats{}
	for _, c := range readCases[struct {
		Name, Lang, Source, Target string
		Want                       []entry
	}](t, "testdata/adherence_eval.jsonl") {
		lang := tarjuma.Lang(c.Lang)
		st := byLang[lang]
		if st == nil {
			st = &stats{}
			byLang[lang] = st
		}
		src := m.Match(c.Source)
		findings := m.Check(src, c.Target, lang)
		if len(src) != len(c.Want) {
			t.Errorf("%s: the source has %d terms, the label %d", c.Name, len(src), len(c.Want))
			continue
		}
		for k, w := range c.Want {
			var f *Finding
			for i := range findings {
				if findings[i].SourceStart == src[k].Start && findings[i].TermID == src[k].TermID {
					f = &findings[i]
				}
			}
			flagged := f == nil || f.Kind.Flagged()
			wrong := w.Verdict != "ok"
			switch {
			case wrong && flagged:
				st.flaggedWrong++
			case wrong:
				st.missedWrong++
				t.Logf("%s: %s %q is %s, the check said %s", c.Name, w.ID, w.Text, w.Verdict, f.Kind)
			case flagged:
				st.flaggedRight++
				got := "nothing"
				if f != nil {
					got = string(f.Kind) + " " + c.Target[max(f.Start, 0):max(f.End, 0)]
				}
				t.Logf("%s: %s %q is right (%s), the check said %s", c.Name, w.ID, w.Text, w.Form, got)
			default:
				// The form named must be the text found; a text that is several forms (Рахмона is
				// gen and acc, Душанбе all six) is any of them.
				term, _ := m.Term(w.ID)
				named := term.Paradigm(lang, f.Form).Forms[inflect.Form(w.Form)]
				var tz tokenizer
				if got := c.Target[f.Start:f.End]; strings.Join(tz.words(named, true), " ") != strings.Join(tz.words(got, true), " ") {
					t.Errorf("%s: %s %q is %s %q, not the %s %q the label says", c.Name, w.ID, got, f.Case, got, w.Form, named)
				}
			}
		}
	}
	for lang, st := range byLang {
		precision := float64(st.flaggedWrong) / float64(st.flaggedWrong+st.flaggedRight)
		recall := float64(st.flaggedWrong) / float64(st.flaggedWrong+st.missedWrong)
		t.Logf("%s: precision %.3f, recall %.3f (%d wrong flagged, %d right flagged, %d wrong missed)",
			lang, precision, recall, st.flaggedWrong, st.flaggedRight, st.missedWrong)
		if precision < 0.98 || recall < 0.98 {
			t.Errorf("%s: precision %.3f, recall %.3f; want both ≥ 0.98", lang, precision, recall)
		}
	}
}
