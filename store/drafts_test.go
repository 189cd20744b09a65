package store

import (
	"errors"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestDrafts(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a := create(t, db, submission("drafts-1"))
		translate(t, db, a.ID, tarjuma.Tajik, 1)
		nigora := testUser(t, db, "nigora@desk.tj", tarjuma.RoleTranslator, tarjuma.Tajik)
		other := testUser(t, db, "other@desk.tj", tarjuma.RoleTranslator, tarjuma.Tajik)

		// Tajik, Arabic and Russian letters, kept byte for byte.
		const typed = "Ҷаласаи ғайринавбатӣ — قمة в Душанбе"
		if _, err := db.PutDraft(ctx, nigora.ID, a.ID, tarjuma.Tajik, Draft{SegmentID: "p1.s1", Text: "first", BaseVersion: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutDraft(ctx, nigora.ID, a.ID, tarjuma.Tajik, Draft{SegmentID: "p1.s1", Text: typed, BaseVersion: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutDraft(ctx, nigora.ID, a.ID, tarjuma.Tajik, Draft{SegmentID: "title", Text: "Саммит", BaseVersion: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutDraft(ctx, other.ID, a.ID, tarjuma.Tajik, Draft{SegmentID: "p1.s1", Text: "theirs", BaseVersion: 1}); err != nil {
			t.Fatal(err)
		}
		ds, err := db.Drafts(ctx, nigora.ID, a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 2 || ds["p1.s1"].Text != typed || ds["p1.s1"].BaseVersion != 1 || ds["title"].Text != "Саммит" {
			t.Fatalf("drafts = %+v, want p1.s1 %q (the second put) and the title", ds, typed)
		}

		if err := db.DeleteDrafts(ctx, nigora.ID, a.ID, tarjuma.Tajik, "p1.s1"); err != nil {
			t.Fatal(err)
		}
		if ds, _ := db.Drafts(ctx, nigora.ID, a.ID, tarjuma.Tajik); len(ds) != 1 || ds["title"].Text != "Саммит" {
			t.Errorf("after deleting p1.s1: %+v, want only the title", ds)
		}
		if ds, _ := db.Drafts(ctx, other.ID, a.ID, tarjuma.Tajik); len(ds) != 1 || ds["p1.s1"].Text != "theirs" {
			t.Errorf("another user's drafts = %+v, want hers untouched", ds)
		}
		if err := db.DeleteDrafts(ctx, nigora.ID, a.ID, tarjuma.Tajik); err != nil {
			t.Fatal(err)
		}
		if ds, _ := db.Drafts(ctx, nigora.ID, a.ID, tarjuma.Tajik); len(ds) != 0 {
			t.Errorf("after deleting all: %+v", ds)
		}

		_, err = db.PutDraft(ctx, nigora.ID, a.ID+100, tarjuma.Tajik, Draft{SegmentID: "p1.s1", Text: "x", BaseVersion: 1})
		if !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("draft of a translation that does not exist: %v, want not found", err)
		}
	})
}
