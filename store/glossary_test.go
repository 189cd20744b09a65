package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

func placeTerm(id, arabic, tg string) glossary.Term {
	return glossary.Term{
		ID:     id,
		Kind:   glossary.KindPlace,
		Arabic: []string{arabic},
		Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik:   {Preferred: tg},
			tarjuma.Russian: {Preferred: "Душанбе", Accepted: []string{"г. Душанбе"}},
			tarjuma.English: {Preferred: "Dushanbe"},
		},
	}
}

func TestGlossaryEdits(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if v, err := db.GlossaryVersion(ctx); err != nil || v != 0 {
			t.Fatalf("new glossary: version %d, %v; want 0", v, err)
		}
		dushanbe := placeTerm("dushanbe", "دوشنبه", "Душанбе")
		dushanbe.ValidFrom = time.Date(1991, 9, 9, 0, 0, 0, 0, time.UTC)
		dushanbe.Note = "پایتخت — ҳ ҷ ӯ \u200f"
		if v, err := db.CreateGlossaryTerm(ctx, dushanbe, "admin"); err != nil || v != 1 {
			t.Fatalf("create: version %d, %v; want 1", v, err)
		}
		got, err := db.GlossaryTerm(ctx, "dushanbe")
		if err != nil {
			t.Fatal(err)
		}
		if got.UpdatedBy != "admin" || got.UpdatedAt.IsZero() {
			t.Errorf("term not stamped: by %q at %v", got.UpdatedBy, got.UpdatedAt)
		}
		want := dushanbe
		want.UpdatedBy, want.UpdatedAt = got.UpdatedBy, got.UpdatedAt
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(glossary.Forms{}, "Stored")); diff != "" {
			t.Errorf("term did not round-trip (-want +got):\n%s", diff)
		}
		// Every form of every spelling is stored with the term, as generated when it was saved.
		if p := got.Targets[tarjuma.Russian].Stored["г. Душанбе"]; p["ins"] != "г. Душанбе" || len(p) != 6 {
			t.Errorf("stored forms of г. Душанбе: %v", p)
		}

		if _, err := db.CreateGlossaryTerm(ctx, dushanbe, "admin"); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("second create: %v, want ErrConflict", err)
		}
		// The same Arabic spelling on a second active term: refused as a set, nothing stored.
		clash := placeTerm("dushanbe-city", "دوشنبة", "Шаҳри Душанбе")
		var ve *glossary.ValidationError
		if _, err := db.CreateGlossaryTerm(ctx, clash, "admin"); !errors.As(err, &ve) {
			t.Errorf("clashing spelling: %v, want a ValidationError", err)
		}
		if _, err := db.UpdateGlossaryTerm(ctx, placeTerm("nowhere", "لامكان", "Ҳеҷҷо"), "admin"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("update of a missing term: %v, want ErrNotFound", err)
		}
		if _, err := db.DeleteGlossaryTerm(ctx, "nowhere"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("delete of a missing term: %v, want ErrNotFound", err)
		}
		if v, _ := db.GlossaryVersion(ctx); v != 1 {
			t.Errorf("refused edits moved the version to %d, want 1", v)
		}

		// An update that changes nothing is no new glossary and keeps who changed the term last.
		if v, err := db.UpdateGlossaryTerm(ctx, dushanbe, "someone-else"); err != nil || v != 1 {
			t.Fatalf("unchanged update: version %d, %v; want 1", v, err)
		}
		dushanbe.Note = "capital"
		if v, err := db.UpdateGlossaryTerm(ctx, dushanbe, "someone-else"); err != nil || v != 2 {
			t.Fatalf("update: version %d, %v; want 2", v, err)
		}
		if again, _ := db.GlossaryTerm(ctx, "dushanbe"); again.UpdatedBy != "someone-else" {
			t.Errorf("a changed term is stamped %q, want someone-else", again.UpdatedBy)
		}
		// Importing what is there already changes nothing either.
		if v, err := db.ImportGlossary(ctx, []glossary.Term{dushanbe}, false, "import"); err != nil || v != 2 {
			t.Fatalf("same import: version %d, %v; want 2", v, err)
		}

		if _, err := db.ImportGlossary(ctx, []glossary.Term{placeTerm("khujand", "خجند", "Хуҷанд"), placeTerm("bokhtar", "بختر", "Бохтар")}, false, "import"); err != nil {
			t.Fatal(err)
		}
		terms, version, err := db.GlossaryTerms(ctx, GlossaryFilter{})
		if err != nil || version != 3 || len(terms) != 3 {
			t.Fatalf("after merge: %d terms at version %d (%v), want 3 at version 3", len(terms), version, err)
		}
		for _, f := range []struct {
			filter GlossaryFilter
			want   []string
		}{
			{GlossaryFilter{Query: "خُجَند"}, []string{"khujand"}}, // tashkeel folded away
			{GlossaryFilter{Query: "ХУҶАНД"}, []string{"khujand"}}, // Cyrillic case folded
			{GlossaryFilter{Query: "г. душанбе"}, []string{"bokhtar", "dushanbe", "khujand"}},
			{GlossaryFilter{Query: "100%"}, nil}, // LIKE wildcards are literal
			{GlossaryFilter{Kind: glossary.KindPerson}, nil},
		} {
			got, _, err := db.GlossaryTerms(ctx, f.filter)
			if err != nil {
				t.Fatal(err)
			}
			ids := fieldOf(got, func(term glossary.Term) string { return term.ID })
			if diff := cmp.Diff(f.want, ids); diff != "" {
				t.Errorf("filter %+v (-want +got):\n%s", f.filter, diff)
			}
		}

		if v, err := db.ImportGlossary(ctx, []glossary.Term{placeTerm("khujand", "خجند", "Хуҷанд")}, true, "import"); err != nil || v != 4 {
			t.Fatalf("replace: version %d, %v", v, err)
		}
		if terms, _, _ := db.GlossaryTerms(ctx, GlossaryFilter{}); len(terms) != 1 || count(t, db, "glossary_terms") != 1 {
			t.Errorf("replace left %d terms, want 1", len(terms))
		}
		if v, err := db.DeleteGlossaryTerm(ctx, "khujand"); err != nil || v != 5 || count(t, db, "glossary_terms") != 0 {
			t.Errorf("delete: version %d, %v, %d rows left", v, err, count(t, db, "glossary_terms"))
		}
	})
}

// TestGlossaryConcurrentEdits checks that every edit gets its own version number.
func TestGlossaryConcurrentEdits(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		names := []string{"دوشنبه", "خجند", "بختر", "كولاب", "خاروغ", "استرافشان"}
		var wg sync.WaitGroup
		versions := make([]int64, len(names))
		for i, ar := range names {
			wg.Go(func() {
				v, err := db.CreateGlossaryTerm(context.Background(), placeTerm(string(rune('a'+i))+"-place", ar, "Ҷой"), "admin")
				if err != nil {
					t.Error(err)
				}
				versions[i] = v
			})
		}
		wg.Wait()
		seen := map[int64]bool{}
		for _, v := range versions {
			seen[v] = true
		}
		if final, _ := db.GlossaryVersion(context.Background()); len(seen) != len(names) || final != int64(len(names)) {
			t.Errorf("versions %v, final %d: want %d distinct versions", versions, final, len(names))
		}
	})
}

// TestGlossaryFormsStayAsSaved: a term's forms are stored with it, so a glossary version serves
// the forms it was saved with, not what a later generator would make; an edit by a person
// generates them afresh.
func TestGlossaryFormsStayAsSaved(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		khujand := placeTerm("khujand", "خجند", "Хуҷанд")
		khujand.Targets[tarjuma.Russian] = glossary.Forms{Preferred: "Худжанд"}
		if _, err := db.CreateGlossaryTerm(ctx, khujand, "admin"); err != nil {
			t.Fatal(err)
		}
		// What an older generator stored: a form today's rules would not make.
		if _, err := db.write.ExecContext(ctx, `UPDATE glossary_terms SET term = REPLACE(term, '"Худжанде"', '"Ходженте"')`); err != nil {
			t.Fatal(err)
		}
		got, err := db.GlossaryTerm(ctx, "khujand")
		if err != nil {
			t.Fatal(err)
		}
		if p := got.Paradigm(tarjuma.Russian, "Худжанд"); p.Forms["prep"] != "Ходженте" || p.Forms["gen"] != "Худжанда" {
			t.Errorf("stored paradigm served as %v, want the forms as saved", p.Forms)
		}
		edited := placeTerm("khujand", "خجند", "Хуҷанд")
		edited.Targets[tarjuma.Russian] = glossary.Forms{Preferred: "Худжанд"}
		if _, err := db.UpdateGlossaryTerm(ctx, edited, "admin"); err != nil {
			t.Fatal(err)
		}
		if got, _ = db.GlossaryTerm(ctx, "khujand"); got.Paradigm(tarjuma.Russian, "Худжанд").Forms["prep"] != "Худжанде" {
			t.Errorf("an edited term keeps %q, want its forms generated afresh", got.Paradigm(tarjuma.Russian, "Худжанд").Forms["prep"])
		}
	})
}
