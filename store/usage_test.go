package store

import (
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission(""))
		if got, err := db.ArticleUsage(t.Context(), a.ID); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("usage before any = %v, %v; want empty", got, err)
		}
		for _, u := range []struct {
			lang     tarjuma.Lang
			provider string
			chars    int
			requests int
		}{
			{tarjuma.Russian, "deepl", 100, 1},
			{tarjuma.Tajik, "openai:m", 40, 2},
			{tarjuma.Russian, "deepl", 25, 3}, // a second run adds to the first
			{tarjuma.Russian, "google-v3", 7, 1},
		} {
			if err := db.RecordUsage(t.Context(), a.ID, u.lang, u.provider, u.chars, u.requests, nil); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ArticleUsage(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []Usage{
			{Lang: tarjuma.Russian, Provider: "deepl", Characters: 125, Requests: 4},
			{Lang: tarjuma.Russian, Provider: "google-v3", Characters: 7, Requests: 1},
			{Lang: tarjuma.Tajik, Provider: "openai:m", Characters: 40, Requests: 2},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
		if _, err := db.ArticleUsage(t.Context(), a.ID+1); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("usage of a missing article: %v, want ErrNotFound", err)
		}
	})
}

// TestUsageConcurrentAdds records many requests of one article at once, as its concurrent
// batches and workers do, a new row included: every add counts, none overwrites another.
func TestUsageConcurrentAdds(t *testing.T) {
	const writers, each = 8, 25
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission(""))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				<-start
				for range each {
					if err := db.RecordUsage(t.Context(), a.ID, tarjuma.Russian, "deepl", w+1, 1, nil); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		close(start)
		wg.Wait()
		got, err := db.ArticleUsage(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		chars := int64(each * writers * (writers + 1) / 2) // writer w adds w+1 a time
		want := []Usage{{Lang: tarjuma.Russian, Provider: "deepl", Characters: chars, Requests: writers * each}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
	})
}

// TestUsageCommitting checks when RecordUsage lets the caller send its request: once, with the
// record in place, and never for a record that fails (here an article that does not exist),
// which leaves nothing stored.
func TestUsageCommitting(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission(""))
		calls := 0
		if err := db.RecordUsage(t.Context(), a.ID, tarjuma.English, "google-v2", 42, 1, func() { calls++ }); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("committing called %d times, want once", calls)
		}
		got, err := db.ArticleUsage(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []Usage{{Lang: tarjuma.English, Provider: "google-v2", Characters: 42, Requests: 1}}; !cmp.Equal(want, got) {
			t.Errorf("usage = %v, want %v", got, want)
		}

		calls = 0
		if err := db.RecordUsage(t.Context(), a.ID+1000, tarjuma.English, "google-v2", 42, 1, func() { calls++ }); err == nil {
			t.Error("usage of a missing article recorded")
		}
		if calls != 0 {
			t.Error("committing called for a record that failed: the request would have gone unrecorded")
		}
		if _, err := db.ArticleUsage(t.Context(), a.ID+1000); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("usage of a missing article: %v, want ErrNotFound", err)
		}
	})
}
