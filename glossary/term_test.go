package glossary

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

func validTerm() Term {
	return Term{
		ID: "dushanbe", Kind: KindPlace, Arabic: []string{"دوشنبه"},
		Targets: map[tarjuma.Lang]Forms{
			tarjuma.Tajik: {Preferred: "Душанбе"}, tarjuma.Russian: {Preferred: "Душанбе"}, tarjuma.English: {Preferred: "Dushanbe"},
		},
	}
}

func TestValidate(t *testing.T) {
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		change func(*Term)
		want   []string // "field code"
	}{
		{"valid", func(*Term) {}, nil},
		{"digits and hyphens", func(t *Term) { t.ID = "sco-2025-summit" }, nil},
		{"empty id", func(t *Term) { t.ID = "" }, []string{"id glossary.bad_id"}},
		{"capitals", func(t *Term) { t.ID = "Dushanbe" }, []string{"id glossary.bad_id"}},
		{"underscore", func(t *Term) { t.ID = "du_shanbe" }, []string{"id glossary.bad_id"}},
		{"double hyphen", func(t *Term) { t.ID = "du--shanbe" }, []string{"id glossary.bad_id"}},
		{"trailing hyphen", func(t *Term) { t.ID = "dushanbe-" }, []string{"id glossary.bad_id"}},
		{"leading digit", func(t *Term) { t.ID = "9-may" }, []string{"id glossary.bad_id"}},
		{"too long", func(t *Term) { t.ID = strings.Repeat("a", 65) }, []string{"id glossary.bad_id"}},
		{"kind", func(t *Term) { t.Kind = "city" }, []string{"kind glossary.bad_kind"}},
		{"no arabic", func(t *Term) { t.Arabic = nil }, []string{"ar glossary.no_arabic"}},
		{"bad variants", func(t *Term) { t.Arabic = []string{"", " دوشنبه", "دوشنبه|دوشانبي", "ًٌ"} },
			[]string{"ar glossary.bad_variant", "ar glossary.bad_variant", "ar glossary.bad_variant", "ar glossary.bad_variant"}},
		{"language not published", func(t *Term) { t.Targets["de"] = Forms{Preferred: "Duschanbe"} }, []string{"de glossary.bad_lang"}},
		{"no preferred", func(t *Term) { delete(t.Targets, tarjuma.English) }, []string{"en glossary.no_preferred"}},
		{"accepted repeats preferred", func(t *Term) {
			t.Targets[tarjuma.Russian] = Forms{Preferred: "Душанбе", Accepted: []string{"Душанбе"}}
		},
			[]string{"ru glossary.bad_form"}},
		{"multi-line form", func(t *Term) { t.Targets[tarjuma.Russian] = Forms{Preferred: "Душан\nбе"} }, []string{"ru glossary.bad_form"}},
		{"do not translate needs no forms", func(t *Term) { t.Targets, t.DoNotTranslate = nil, true }, nil},
		{"do not translate with only alternatives", func(t *Term) {
			t.Targets, t.DoNotTranslate = map[tarjuma.Lang]Forms{tarjuma.Russian: {Accepted: []string{"Душанбе"}}}, true
		}, []string{"ru glossary.no_preferred"}},
		{"period", func(t *Term) { t.ValidFrom, t.ValidUntil = day, day }, []string{"valid_until glossary.bad_period"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			term := validTerm()
			c.change(&term)
			err := term.Validate()
			var got []string
			if err != nil {
				var verr *ValidationError
				if !errors.As(err, &verr) || !errors.Is(err, tarjuma.ErrInvalid) {
					t.Fatalf("Validate() = %v, want a *ValidationError wrapping ErrInvalid", err)
				}
				for _, p := range verr.Problems {
					got = append(got, p.Field+" "+string(p.Code))
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActiveAt(t *testing.T) {
	from := time.Date(2013, 11, 19, 0, 0, 0, 0, time.UTC)
	until := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	term := Term{ValidFrom: from, ValidUntil: until}
	for at, want := range map[time.Time]bool{
		from.Add(-time.Second): false, from: true, until.Add(-time.Second): true, until: false,
	} {
		if got := term.ActiveAt(at); got != want {
			t.Errorf("ActiveAt(%v) = %v, want %v", at, got, want)
		}
	}
	if !(Term{}).ActiveAt(time.Time{}) {
		t.Error("a term without dates is always active")
	}
}

func TestValidationErrorMessage(t *testing.T) {
	var ps []Problem
	for i := range 12 {
		ps = append(ps, Problem{Line: i + 2, Field: "id", Code: CodeBadID, Arg: "X"})
	}
	msg := (&ValidationError{Problems: ps}).Error()
	if !strings.Contains(msg, `line 2: id: glossary.bad_id "X"`) || !strings.HasSuffix(msg, "and 2 more") {
		t.Errorf("message %q", msg)
	}
}
