package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// humanEdit is base with every segment's text replaced by texts (in order), as a person's edit;
// the text changed gets a term check, so tests can see checks stored on human versions.
func humanEdit(base tarjuma.Version, author string, texts ...string) HumanEdit {
	segs := make([]tarjuma.Segment, len(base.Segments))
	copy(segs, base.Segments)
	for i := range segs {
		segs[i].Status = tarjuma.SegmentConfirmed // as a save through the desk without statuses
	}
	for i, text := range texts {
		if text != segs[i].Text {
			segs[i].Text, segs[i].Origin = text, tarjuma.OriginHuman
			segs[i].Terms = []tarjuma.TermSpan{{TermID: "dushanbe", Start: 0, End: 6}}
			segs[i].Checks = []tarjuma.TermCheck{{TermID: "dushanbe", Result: "ok", Start: 0, End: len(text)}}
		}
	}
	return HumanEdit{ArticleID: base.ArticleID, Lang: base.Lang, BaseVersion: base.Number, Segments: segs, Author: author, GlossaryVersion: 7}
}

// wantTranslation fails unless the translation is in status with latest as its latest version.
func wantTranslation(t *testing.T, db *DB, id int64, status tarjuma.Status, latest int) {
	t.Helper()
	tr, err := db.Translation(t.Context(), id, tarjuma.Tajik)
	if err != nil || tr.Status != status || tr.LatestVersion != latest {
		t.Errorf("translation = %s with version %d, %v; want %s with %d", tr.Status, tr.LatestVersion, err, status, latest)
	}
}

func TestSaveHumanVersion(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a := create(t, db, submission("desk-1"))
		v1 := translate(t, db, a.ID, tarjuma.Tajik, 1)

		edit := humanEdit(v1, "nigora@desk.tj", v1.Segments[0].Text, "Роҳбарон дар Душанбе вохӯрданд.")
		v2, err := db.SaveHumanVersion(ctx, edit)
		if err != nil {
			t.Fatal(err)
		}
		want := tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, Number: 2, Segments: edit.Segments, Author: "nigora@desk.tj",
			SourceRevision: 1, GlossaryVersion: 7, CreatedAt: v2.CreatedAt}
		if diff := cmp.Diff(want, v2); diff != "" {
			t.Errorf("saved version (-want +got):\n%s", diff)
		}
		stored, err := db.Version(ctx, a.ID, tarjuma.Tajik, 2)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(v2, stored); diff != "" {
			t.Errorf("stored version, term checks included (-returned +stored):\n%s", diff)
		}
		if got := []tarjuma.Origin{stored.Segments[0].Origin, stored.Segments[1].Origin}; !cmp.Equal(got, []tarjuma.Origin{tarjuma.MachineOrigin("test"), tarjuma.OriginHuman}) {
			t.Errorf("origins %v, want the title's kept and the edited segment human", got)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 2)

		refused := []struct {
			name string
			edit HumanEdit
			want error
		}{
			{"stale base", humanEdit(v1, "farrukh", "Саммит", "Другой текст."), tarjuma.ErrConflict},
			{"base ahead", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.BaseVersion = 3; return e }(), tarjuma.ErrConflict},
			{"no base", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.BaseVersion = 0; return e }(), tarjuma.ErrInvalid},
			{"no author", humanEdit(v2, " ", "x"), tarjuma.ErrInvalid},
			{"segment missing", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.Segments = e.Segments[:1]; return e }(), tarjuma.ErrInvalid},
			{"other segment id", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.Segments[1].ID = "p9.s9"; return e }(), tarjuma.ErrInvalid},
			{"other source", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.Segments[1].Source = "نص آخر."; return e }(), tarjuma.ErrInvalid},
			{"no translation", func() HumanEdit { e := humanEdit(v2, "farrukh", "x"); e.ArticleID = 999; return e }(), tarjuma.ErrNotFound},
		}
		for _, r := range refused {
			before := counts(t, db)
			if _, err := db.SaveHumanVersion(ctx, r.edit); !errors.Is(err, r.want) {
				t.Errorf("%s: err = %v, want %v", r.name, err, r.want)
			}
			if after := counts(t, db); !cmp.Equal(before, after) {
				t.Errorf("%s stored something: %v, then %v", r.name, before, after)
			}
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 2)

		// A revised source re-queues the translation: an edit of the old one has nothing to go to.
		newRevision(t, db, a.ID)
		if _, err := db.SaveHumanVersion(ctx, humanEdit(v2, "farrukh", "x")); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("edit while queued for a new revision: err = %v, want ErrConflict", err)
		}
		// Once translating, the state may become needs_review, but the base is of the old source.
		start(t, db, a.ID, 2)
		if _, err := db.SaveHumanVersion(ctx, humanEdit(v2, "farrukh", "x")); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("edit of the old source while the new one is translated: err = %v, want ErrConflict", err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusTranslating, 2)
	})
}

func TestSaveHumanVersionConcurrently(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		for round := range 5 {
			a := create(t, db, submission(fmt.Sprint("desk-", round)))
			v1 := translate(t, db, a.ID, tarjuma.Tajik, 1)
			const editors = 4
			errs := make([]error, editors)
			var wg sync.WaitGroup
			for i := range editors {
				wg.Go(func() {
					_, errs[i] = db.SaveHumanVersion(t.Context(), humanEdit(v1, fmt.Sprint("translator-", i), "Саммит", fmt.Sprint("Вариант ", i)))
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, tarjuma.ErrConflict):
					t.Errorf("err = %v, want ErrConflict for the losers", err)
				}
			}
			vs, err := db.Versions(t.Context(), a.ID, tarjuma.Tajik)
			if won != 1 || err != nil || len(vs) != 2 {
				t.Errorf("%d saves won, %d versions stored (%v); want 1 and 2", won, len(vs), err)
			}
		}
	})
}

func TestApproveAndReject(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		// A subscriber holds approved translations back from published until delivered.
		if _, err := db.CreateSubscriber(ctx, publish.NewSubscriber{URL: "https://news.example/hook", Secret: "s", Langs: []tarjuma.Lang{tarjuma.Tajik}}); err != nil {
			t.Fatal(err)
		}
		a := create(t, db, submission("desk-1"))
		v1 := translate(t, db, a.ID, tarjuma.Tajik, 1)
		v2, err := db.SaveHumanVersion(ctx, humanEdit(v1, "nigora", "Саммит", "Роҳбарон вохӯрданд."))
		if err != nil {
			t.Fatal(err)
		}

		if err := db.Approve(ctx, a.ID, tarjuma.Tajik, 1, "rustam", "", nil); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("approve an older version: err = %v, want ErrConflict", err)
		}
		if err := db.Approve(ctx, a.ID, tarjuma.Tajik, 3, "rustam", "", nil); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("approve a version that does not exist: err = %v, want ErrNotFound", err)
		}
		if err := db.Approve(ctx, a.ID, tarjuma.Russian, 1, "rustam", "", nil); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("approve a translation with no version: err = %v, want ErrNotFound", err)
		}
		if err := db.Reject(ctx, a.ID, tarjuma.Tajik, 2, "rustam", "  "); !errors.Is(err, tarjuma.ErrInvalid) {
			t.Errorf("reject without a comment: err = %v, want ErrInvalid", err)
		}
		if n := count(t, db, "review_events") + count(t, db, "translation_memory"); n != 0 {
			t.Errorf("refused decisions stored %d rows", n)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 2)

		if err := db.Approve(ctx, a.ID, tarjuma.Tajik, 2, "rustam", "Хуб.", nil); err != nil {
			t.Fatal(err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusApproved, 2)
		got, err := db.LookupMemory(ctx, tarjuma.Arabic, tarjuma.Tajik, []string{"قمة", "اجتمع القادة."})
		if want := map[string]string{"قمة": "Саммит", "اجتمع القادة.": "Роҳбарон вохӯрданд."}; err != nil || !cmp.Equal(got, want) {
			t.Errorf("memory after approval = %v, %v; want %v", got, err, want)
		}
		if err := db.Approve(ctx, a.ID, tarjuma.Tajik, 2, "rustam", "", nil); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("approve twice: err = %v, want ErrConflict", err)
		}

		// An edit after approval goes back to review; untranslated text never reaches the memory.
		edit := humanEdit(v2, "nigora", "Саммит", "Роҳбарон вохӯрданд.")
		edit.Segments[0].Origin = tarjuma.OriginUntranslated
		edit.Segments[0].Text = edit.Segments[0].Source
		v3, err := db.SaveHumanVersion(ctx, edit)
		if err != nil {
			t.Fatal(err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 3)
		if err := db.Reject(ctx, a.ID, tarjuma.Tajik, 3, "rustam", "Сарлавҳа тарҷума нашудааст."); err != nil {
			t.Fatal(err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusRejected, 3)
		if err := db.Reject(ctx, a.ID, tarjuma.Tajik, 3, "rustam", "again"); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("reject twice: err = %v, want ErrConflict", err)
		}
		v4, err := db.SaveHumanVersion(ctx, humanEdit(v3, "nigora", "Саммити Душанбе"))
		if err != nil {
			t.Fatal(err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 4)
		if err := db.Approve(ctx, a.ID, tarjuma.Tajik, v4.Number, "admin", "", nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.LookupMemory(ctx, tarjuma.Arabic, tarjuma.Tajik, []string{"قمة"}); got["قمة"] != "Саммити Душанбе" {
			t.Errorf("memory after the second approval = %v, want the newer title", got)
		}

		events, err := db.ReviewEvents(ctx, a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		for i := range events {
			if events[i].At.IsZero() {
				t.Errorf("event %d has no time", i)
			}
			events[i].At = events[0].At
		}
		at := events[0].At
		wantEvents := []ReviewEvent{
			{a.ID, tarjuma.Tajik, 2, "rustam", tarjuma.StatusApproved, "Хуб.", nil, at},
			{a.ID, tarjuma.Tajik, 3, "rustam", tarjuma.StatusRejected, "Сарлавҳа тарҷума нашудааст.", nil, at},
			{a.ID, tarjuma.Tajik, 4, "admin", tarjuma.StatusApproved, "", nil, at},
		}
		if diff := cmp.Diff(wantEvents, events); diff != "" {
			t.Errorf("review events (-want +got):\n%s", diff)
		}
		if evs, err := db.ReviewEvents(ctx, a.ID, tarjuma.Russian); err != nil || len(evs) != 0 {
			t.Errorf("events of an unreviewed translation = %v, %v; want none", evs, err)
		}
		if _, err := db.ReviewEvents(ctx, 999, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("events of a missing translation: err = %v, want ErrNotFound", err)
		}
	})
}
