package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

func TestReviewQueue(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		old := create(t, db, submission("old"))
		translate(t, db, old.ID, tarjuma.Russian, 1)
		translate(t, db, old.ID, tarjuma.Tajik, 1)
		urgent := submission("urgent")
		urgent.Priority = tarjuma.PriorityUrgent
		u := create(t, db, urgent)
		translate(t, db, u.ID, tarjuma.Russian, 1)
		// The cutoff is when the urgent Russian translation last changed, read back rather than
		// taken from the clock: WaitingSince is strict, so it keeps only the older one.
		latest, err := db.Translation(t.Context(), u.ID, tarjuma.Russian)
		if err != nil {
			t.Fatal(err)
		}
		cutoff := latest.UpdatedAt

		type row struct {
			ID     int64
			Lang   tarjuma.Lang
			Status tarjuma.Status
		}
		ids := func(items []QueueItem) []row {
			var out []row
			for _, it := range items {
				out = append(out, row{it.ArticleID, it.Lang, it.Status})
			}
			return out
		}
		for _, tc := range []struct {
			name   string
			f      QueueFilter
			want   []row
			counts map[tarjuma.Status]int
		}{
			{"needs review, urgent first then oldest", QueueFilter{Status: tarjuma.StatusNeedsReview},
				[]row{{u.ID, "ru", "needs_review"}, {old.ID, "ru", "needs_review"}, {old.ID, "tg", "needs_review"}},
				map[tarjuma.Status]int{"needs_review": 3, "queued": 3}},
			{"one language", QueueFilter{Status: tarjuma.StatusNeedsReview, Lang: tarjuma.Russian},
				[]row{{u.ID, "ru", "needs_review"}, {old.ID, "ru", "needs_review"}},
				map[tarjuma.Status]int{"needs_review": 2}},
			{"waiting since", QueueFilter{Lang: tarjuma.Russian, WaitingSince: cutoff},
				[]row{{old.ID, "ru", "needs_review"}},
				map[tarjuma.Status]int{"needs_review": 1}},
			{"limit", QueueFilter{Status: tarjuma.StatusQueued, Limit: 1},
				[]row{{u.ID, "tg", "queued"}},
				map[tarjuma.Status]int{"needs_review": 3, "queued": 3}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				items, err := db.ReviewQueue(t.Context(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, ids(items)); diff != "" {
					t.Errorf("ReviewQueue (-want +got):\n%s", diff)
				}
				counts, err := db.QueueCounts(t.Context(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.counts, counts); diff != "" {
					t.Errorf("QueueCounts (-want +got):\n%s", diff)
				}
			})
		}
		items, _ := db.ReviewQueue(t.Context(), QueueFilter{Lang: tarjuma.Tajik, Status: tarjuma.StatusNeedsReview})
		if len(items) != 1 || items[0].Title != "قمة دوشنبه" || items[0].LatestVersion != 1 || items[0].Priority != tarjuma.PriorityDefault {
			t.Errorf("item = %+v, want the source title, version 1, default priority", items)
		}
	})
}
