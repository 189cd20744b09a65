package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// commentFixture is an article with a machine version of its Tajik translation and two users.
func commentFixture(t *testing.T, db *DB) (tarjuma.Article, tarjuma.User, tarjuma.User) {
	t.Helper()
	a := create(t, db, submission("comments"))
	translate(t, db, a.ID, tarjuma.Tajik, 1)
	var users []tarjuma.User
	for _, email := range []string{"nigora@desk.tj", "rustam@desk.tj"} {
		u, err := db.CreateUser(t.Context(), NewUser{Email: email, PasswordHash: "x", Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	return a, users[0], users[1]
}

// Comments thread one level deep, keep their text byte for byte, carry their mentions, and
// leave the mentioned user's unread list when she opens the translation.
func TestComments(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, nigora, rustam := commentFixture(t, db)
		body := "‏«دوشنبه» — Душанбе ғ ӣ қ ӯ ҳ ҷ, Москва? @rustam"
		first, err := db.AddComment(ctx, NewComment{ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p1.s1", Author: nigora.Email,
			Body: body, Mentions: []int64{rustam.ID}})
		if err != nil {
			t.Fatal(err)
		}
		want := Comment{ID: first.ID, ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p1.s1", Kind: CommentPlain, Version: 1,
			Author: nigora.Email, Body: body, Mentions: []string{rustam.Email}, At: first.At}
		if diff := cmp.Diff(want, first); diff != "" {
			t.Errorf("stored comment (-want +got):\n%s", diff)
		}
		reply, err := db.AddComment(ctx, NewComment{ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p1.s1", ParentID: first.ID, Author: rustam.Email, Body: "Ҳа."})
		if err != nil {
			t.Fatal(err)
		}
		// A reply to the reply joins the thread of the opening comment.
		again, err := db.AddComment(ctx, NewComment{ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p1.s1", ParentID: reply.ID, Author: nigora.Email, Body: "Ташаккур."})
		if err != nil {
			t.Fatal(err)
		}
		if reply.ParentID != first.ID || again.ParentID != first.ID {
			t.Errorf("parents %d and %d, want both %d", reply.ParentID, again.ParentID, first.ID)
		}
		all, err := db.Comments(ctx, a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		if got := fieldOf(all, func(c Comment) string { return c.Body }); !cmp.Equal(got, []string{body, "Ҳа.", "Ташаккур."}) {
			t.Errorf("comments %q", got)
		}

		// Refusals: nothing stored.
		for name, c := range map[string]NewComment{
			"no such segment":             {ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p9.s9", Author: "x", Body: "x"},
			"a parent on another segment": {ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "title", ParentID: first.ID, Author: "x", Body: "x"},
			"no such parent":              {ArticleID: a.ID, Lang: tarjuma.Tajik, Segment: "p1.s1", ParentID: 999, Author: "x", Body: "x"},
			"no version yet":              {ArticleID: a.ID, Lang: tarjuma.Russian, Segment: "p1.s1", Author: "x", Body: "x"},
			"no such translation":         {ArticleID: 999, Lang: tarjuma.Tajik, Segment: "p1.s1", Author: "x", Body: "x"},
		} {
			if _, err := db.AddComment(ctx, c); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("%s: %v, want not found", name, err)
			}
		}
		if n := count(t, db, "comments"); n != 3 {
			t.Errorf("%d comments stored, want 3", n)
		}

		ms, err := db.UnreadMentions(ctx, rustam.ID)
		if err != nil || len(ms) != 1 || ms[0].ID != first.ID || ms[0].Title != "قمة دوشنبه" {
			t.Fatalf("rustam's mentions = %+v, %v; want the first comment on قمة دوشنبه", ms, err)
		}
		if ms, _ := db.UnreadMentions(ctx, nigora.ID); len(ms) != 0 {
			t.Errorf("nigora, mentioned nowhere, has %d mentions", len(ms))
		}
		if err := db.MarkMentionsRead(ctx, rustam.ID, a.ID, tarjuma.Tajik); err != nil {
			t.Fatal(err)
		}
		if ms, _ := db.UnreadMentions(ctx, rustam.ID); len(ms) != 0 {
			t.Errorf("after opening the translation rustam still has %d mentions", len(ms))
		}
	})
}

// A rejection's notes are stored with it, as comments of kind rejection at the decision's time;
// a note on a segment the version lacks refuses the whole rejection.
func TestRejectWithNotes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, _, _ := commentFixture(t, db)
		err := db.Reject(ctx, a.ID, tarjuma.Tajik, 1, "reviewer@desk.tj", "Рақамҳо.", SegmentNote{Segment: "p9.s9", Body: "x"})
		if !errors.Is(err, tarjuma.ErrNotFound) {
			t.Fatalf("reject with a note on no segment: %v, want not found", err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusNeedsReview, 1)
		if err := db.Reject(ctx, a.ID, tarjuma.Tajik, 1, "reviewer@desk.tj", "Рақамҳо.",
			SegmentNote{Segment: "p1.s1", Body: "Рақами ١٥ нест."}, SegmentNote{Segment: "title", Body: "Сарлавҳа."}); err != nil {
			t.Fatal(err)
		}
		wantTranslation(t, db, a.ID, tarjuma.StatusRejected, 1)
		cs, err := db.Comments(ctx, a.ID, tarjuma.Tajik)
		if err != nil || len(cs) != 2 {
			t.Fatalf("comments = %+v, %v; want the two notes", cs, err)
		}
		evs, err := db.ReviewEvents(ctx, a.ID, tarjuma.Tajik)
		if err != nil || len(evs) != 1 {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		for _, c := range cs {
			if c.Kind != CommentRejection || c.Author != "reviewer@desk.tj" || c.Version != 1 || !c.At.Equal(evs[0].At) {
				t.Errorf("note %+v, want a rejection note of version 1 by the reviewer at %v", c, evs[0].At)
			}
		}
		if cs[0].Segment != "p1.s1" || cs[0].Body != "Рақами ١٥ нест." {
			t.Errorf("first note %q on %s", cs[0].Body, cs[0].Segment)
		}
	})
}

// One assignee at a time: a claim of what someone holds is a conflict, an editor's
// assignment replaces the holder, and only the holder's release (or anyone's, 0) removes it.
func TestAssignments(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, nigora, rustam := commentFixture(t, db)
		if _, err := db.Assignment(ctx, a.ID, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("assignment before any: %v, want not found", err)
		}
		got, err := db.Assign(ctx, Assignment{ArticleID: a.ID, Lang: tarjuma.Tajik, UserID: nigora.ID, Claimed: true, By: nigora.Email})
		if err != nil || got.Email != nigora.Email || !got.Claimed {
			t.Fatalf("claim = %+v, %v", got, err)
		}
		if _, err := db.Assign(ctx, Assignment{ArticleID: a.ID, Lang: tarjuma.Tajik, UserID: nigora.ID, Claimed: true, By: nigora.Email}); err != nil {
			t.Errorf("claiming her own again: %v", err)
		}
		if _, err := db.Assign(ctx, Assignment{ArticleID: a.ID, Lang: tarjuma.Tajik, UserID: rustam.ID, Claimed: true, By: rustam.Email}); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("claim of nigora's: %v, want conflict", err)
		}
		if _, err := db.Assign(ctx, Assignment{ArticleID: 999, Lang: tarjuma.Tajik, UserID: rustam.ID, Claimed: true}); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("claim of no translation: %v, want not found", err)
		}
		got, err = db.Assign(ctx, Assignment{ArticleID: a.ID, Lang: tarjuma.Tajik, UserID: rustam.ID, By: "editor@desk.tj"})
		if err != nil || got.Email != rustam.Email || got.Claimed || got.By != "editor@desk.tj" {
			t.Fatalf("assign = %+v, %v; want rustam, assigned by the editor", got, err)
		}
		items, err := db.ReviewQueue(ctx, QueueFilter{Lang: tarjuma.Tajik})
		if err != nil || len(items) != 1 || items[0].Assignee != rustam.Email || !items[0].Machine {
			t.Errorf("queue = %+v, %v; want rustam's untouched machine draft", items, err)
		}
		if released, err := db.Release(ctx, a.ID, tarjuma.Tajik, nigora.ID); err != nil || released {
			t.Errorf("nigora released rustam's: %v, %v", released, err)
		}
		if released, err := db.Release(ctx, a.ID, tarjuma.Tajik, rustam.ID); err != nil || !released {
			t.Errorf("rustam's release: %v, %v", released, err)
		}
		if n := count(t, db, "assignments"); n != 0 {
			t.Errorf("%d assignments after the release", n)
		}
	})
}
