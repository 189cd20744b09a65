package review

import (
	"slices"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/qa"
)

// TestTermFormsOnTheEditor checks that a segment's row shows, for each term, the form its
// position needs (where a preposition decides it, or the right form found), and the flags of
// the morphology-aware check beside the segment, as they were stored with the version.
func TestTermFormsOnTheEditor(t *testing.T) {
	terms, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	m := glossary.NewMatcher(terms, time.Now())
	source := "التقى رئيس جمهورية طاجيكستان في دوشنبه"

	required := func(v segmentView, id string) string {
		for _, p := range v.Source {
			if p.TermID == id {
				return p.Required
			}
		}
		return "(no term " + id + ")"
	}
	// hasFlag compares the wording; Kind and Args are the stored flag's, tested in package qa.
	hasFlag := func(v segmentView, want flag) bool {
		return slices.ContainsFunc(v.Flags, func(f flag) bool { return f.ID == want.ID && f.Arg == want.Arg && f.Want == want.Want })
	}
	// stored is seg as saving it stores it: checked, with its flags.
	stored := func(seg tarjuma.Segment) tarjuma.Segment {
		segs := []tarjuma.Segment{seg}
		qa.Check(m, segs, tarjuma.Russian)
		return segs[0]
	}

	// Human text with the title in the nominative after "с": flagged, with the instrumental.
	v := analyse(0, stored(tarjuma.Segment{ID: "p1.s1", Source: source, Origin: tarjuma.OriginHuman,
		Text: "Встреча с Президент Республики Таджикистан прошла в Душанбе."}), m, tarjuma.Russian)
	want := flag{ID: "flag.term_wrong_case", Arg: "Президент Республики Таджикистан", Want: "Президентом Республики Таджикистан"}
	if !hasFlag(v, want) {
		t.Errorf("flags %+v, want %+v", v.Flags, want)
	}
	if got := required(v, "president-of-tajikistan"); got != "Президентом Республики Таджикистан" {
		t.Errorf("required form of the title = %q, want the instrumental", got)
	}
	if got := required(v, "dushanbe"); got != "Душанбе" {
		t.Errorf("required form of Dushanbe = %q", got)
	}

	// Right, declined: no flag, and the required form is the one found.
	v = analyse(0, stored(tarjuma.Segment{ID: "p1.s1", Source: source, Origin: tarjuma.OriginHuman,
		Text: "Встреча с Президентом Республики Таджикистан прошла в Душанбе."}), m, tarjuma.Russian)
	if len(v.Flags) != 0 || required(v, "president-of-tajikistan") != "Президентом Республики Таджикистан" {
		t.Errorf("right text: flags %+v, required %q", v.Flags, required(v, "president-of-tajikistan"))
	}

	// A wrong form of a name.
	v = analyse(0, stored(tarjuma.Segment{ID: "p1.s1", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman,
		Text: "Заявил Эмомали Рахмонов."}), m, tarjuma.Russian)
	if !hasFlag(v, flag{ID: "flag.term_wrong_form", Arg: "Эмомали Рахмонов", Want: "Эмомали Рахмон"}) {
		t.Errorf("flags %+v, want Рахмонов as a wrong form", v.Flags)
	}

	// A machine draft whose term the pipeline could not place: flagged though it reads right.
	seg := tarjuma.Segment{ID: "p1.s1", Source: "قال إمام علي رحمان", Origin: "mt:google-v2", Text: "Сказал Эмомали Рахмон."}
	segs := []tarjuma.Segment{seg}
	m.MarkTerms(segs)
	segs[0].Terms[0].Method = tarjuma.TermFallback
	v = analyse(0, stored(segs[0]), m, tarjuma.Russian)
	if !hasFlag(v, flag{ID: "flag.term_unverified", Arg: "Эмомали Рахмон"}) || v.Terms[0].Result != string(glossary.FindingUnverified) {
		t.Errorf("fallback term: flags %+v, terms %+v; want it unverified", v.Flags, v.Terms)
	}
}
