package store

import (
	"database/sql"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// putMemoryAt writes entries as written at a given time.
func putMemoryAt(t *testing.T, db *DB, at time.Time, entries ...MemoryEntry) {
	t.Helper()
	if err := db.inTx(t.Context(), func(tx *sql.Tx) error { return db.putMemory(t.Context(), tx, entries, at) }); err != nil {
		t.Fatal(err)
	}
}

func TestImportMemory(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		ar := tarjuma.Arabic
		putMemoryAt(t, db, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			MemoryEntry{Source: ar, Target: tarjuma.Russian, Key: "قمة دوشنبه", Text: "Душанбинский саммит"},
			MemoryEntry{Source: ar, Target: tarjuma.Tajik, Key: "قمة دوشنبه", Text: "Саммити Душанбе"})
		got, err := db.ImportMemory(ctx, []MemoryEntry{
			{Source: ar, Target: tarjuma.Russian, Key: "قمة دوشنبه", Text: "Саммит в Душанбе"}, // updated
			{Source: ar, Target: tarjuma.Tajik, Key: "قمة دوشنبه", Text: "Саммити Душанбе"},    // unchanged
			{Source: ar, Target: tarjuma.English, Key: "قمة دوشنبه", Text: "Dushanbe summit"},  // added: a new language
			{Source: ar, Target: tarjuma.Russian, Key: "وزير الخارجية", Text: "Министр иностранных дел"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := (MemoryImport{Added: 2, Updated: 1, Unchanged: 1}); got != want {
			t.Errorf("ImportMemory = %+v, want %+v", got, want)
		}
		var all []MemoryEntry
		if err := db.EachMemoryEntry(ctx, "", func(e MemoryEntry) error { all = append(all, e); return nil }); err != nil {
			t.Fatal(err)
		}
		type row struct {
			Target    tarjuma.Lang
			Key, Text string
		}
		var rows []row
		for _, e := range all {
			rows = append(rows, row{e.Target, e.Key, e.Text})
		}
		// By key, then language: a source's translations together.
		want := []row{
			{tarjuma.English, "قمة دوشنبه", "Dushanbe summit"},
			{tarjuma.Russian, "قمة دوشنبه", "Саммит в Душанбе"},
			{tarjuma.Tajik, "قمة دوشنبه", "Саммити Душанбе"},
			{tarjuma.Russian, "وزير الخارجية", "Министр иностранных дел"},
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("EachMemoryEntry (-want +got):\n%s", diff)
		}
		// The unchanged entry keeps its time; the others were written now.
		for _, e := range all {
			old := e.Target == tarjuma.Tajik
			if old != e.UpdatedAt.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s %q updated at %v", e.Target, e.Key, e.UpdatedAt)
			}
		}
		var ru []string
		if err := db.EachMemoryEntry(ctx, tarjuma.Russian, func(e MemoryEntry) error { ru = append(ru, e.Text); return nil }); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"Саммит в Душанбе", "Министр иностранных дел"}, ru); diff != "" {
			t.Errorf("Russian only (-want +got):\n%s", diff)
		}
	})
}

func TestMemoryChangedSince(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ar := tarjuma.Arabic
		t1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		t2 := t1.Add(1500 * time.Microsecond)
		t3 := t1.Add(2 * time.Second)
		putMemoryAt(t, db, t1, MemoryEntry{Source: ar, Target: tarjuma.Russian, Key: "أ", Text: "а"})
		putMemoryAt(t, db, t3, MemoryEntry{Source: ar, Target: tarjuma.Russian, Key: "ج", Text: "в"})
		putMemoryAt(t, db, t2, MemoryEntry{Source: ar, Target: tarjuma.Tajik, Key: "ب", Text: "б"})
		for _, tc := range []struct {
			since time.Time
			want  []string
		}{
			{time.Time{}, []string{"أ", "ب", "ج"}},
			{t1, []string{"أ", "ب", "ج"}},
			{t1.Add(time.Microsecond), []string{"ب", "ج"}},
			{t2, []string{"ب", "ج"}},
			{t3.Add(time.Microsecond), nil},
		} {
			got, err := db.MemoryChangedSince(t.Context(), tc.since)
			if err != nil {
				t.Fatal(err)
			}
			keys := fieldOf(got, func(e MemoryEntry) string { return e.Key })
			if diff := cmp.Diff(tc.want, keys); diff != "" {
				t.Errorf("since %v (-want +got):\n%s", tc.since, diff)
			}
		}
	})
}
