package desk

import (
	"errors"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// segmentsFixture is a desk over a database holding one article with a machine draft in
// Tajik (version 1: title, p1.s1, p1.s2), and two Tajik translators.
func segmentsFixture(t *testing.T, db *store.DB) (d *Desk, id int64, nigora, firuza Actor) {
	t.Helper()
	ctx := t.Context()
	a, _, err := db.CreateArticle(ctx, store.NewArticle{Title: "قمة دوشنبه", Body: "اجتمع القادة. وصل 15 وفدا.",
		TargetLangs: []tarjuma.Lang{tarjuma.Tajik}, Priority: tarjuma.PriorityDefault, Author: "editor"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	segs := tarjuma.SplitSource(a.Title, a.Body)
	for i, text := range []string{"Саммити Душанбе", "Роҳбарон ҷамъ омаданд.", "15 ҳайат расид."} {
		segs[i].Text, segs[i].Origin, segs[i].Status = text, tarjuma.MachineOrigin("test"), tarjuma.SegmentDraft
	}
	if _, _, err := db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	user := func(email string) Actor {
		u, err := db.CreateUser(ctx, store.NewUser{Email: email, PasswordHash: "$argon2id$test", Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}})
		if err != nil {
			t.Fatal(err)
		}
		return Actor{User: u, Name: u.Email}
	}
	return New(Config{DB: db}), a.ID, user("nigora@desk.tj"), user("firuza@desk.tj")
}

func eachSegmentsDB(t *testing.T, test func(t *testing.T, db *store.DB)) {
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return storetest.Open(t, url) }, test)
}

// TestSaveSegment: two translators saving different segments from the same base both land,
// each applied onto the other's version; the same segment changed by both is a conflict that
// names the other's text; a save that changes nothing stores nothing; a saved segment's
// draft is gone.
func TestSaveSegment(t *testing.T) {
	t.Parallel()
	eachSegmentsDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		d, id, nigora, firuza := segmentsFixture(t, db)
		if _, err := d.SaveDraft(ctx, nigora, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "Роҳбарон"}); err != nil {
			t.Fatal(err)
		}
		v2, created, err := d.SaveSegment(ctx, nigora, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1",
			Text: "Роҳбарон дар Душанбе ҷамъ омаданд. ", Status: tarjuma.SegmentConfirmed})
		if err != nil || !created || v2.Number != 2 {
			t.Fatalf("first save: version %d created %t, %v; want version 2", v2.Number, created, err)
		}
		// Firuza loaded version 1 too and saves another segment: no conflict, and Nigora's
		// segment stays as she saved it.
		v3, created, err := d.SaveSegment(ctx, firuza, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s2", Text: "15 ҳайат омаданд."})
		if err != nil || !created || v3.Number != 3 {
			t.Fatalf("second save: version %d created %t, %v; want version 3", v3.Number, created, err)
		}
		want := []struct {
			text   string
			status tarjuma.SegmentStatus
			origin tarjuma.Origin
		}{
			{"Саммити Душанбе", tarjuma.SegmentDraft, tarjuma.MachineOrigin("test")},
			{"Роҳбарон дар Душанбе ҷамъ омаданд.", tarjuma.SegmentConfirmed, tarjuma.OriginHuman}, // trimmed
			{"15 ҳайат омаданд.", tarjuma.SegmentDraft, tarjuma.OriginHuman},                      // status kept
		}
		for i, w := range want {
			if s := v3.Segments[i]; s.Text != w.text || s.Status != w.status || s.Origin != w.origin {
				t.Errorf("version 3 segment %s = %q %s %s, want %q %s %s", s.ID, s.Text, s.Status, s.Origin, w.text, w.status, w.origin)
			}
		}
		if v3.Author != "firuza@desk.tj" {
			t.Errorf("version 3 by %q", v3.Author)
		}
		if ds, err := db.Drafts(ctx, nigora.User.ID, id, tarjuma.Tajik); err != nil || len(ds) != 0 {
			t.Errorf("Nigora's drafts after her save: %v, %v; want none", ds, err)
		}

		// Firuza, still on version 1, now edits Nigora's segment: a conflict naming
		// Nigora's text, nothing stored.
		_, _, err = d.SaveSegment(ctx, firuza, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "Сарварон ҷамъ шуданд."})
		var e *Error
		var c *SegmentConflict
		if !errors.As(err, &e) || e.Code != "segment_conflict" || !errors.Is(err, tarjuma.ErrConflict) || !errors.As(err, &c) {
			t.Fatalf("same segment from a stale base: %v, want segment_conflict", err)
		}
		if c.Theirs != "Роҳбарон дар Душанбе ҷамъ омаданд." || c.Base != "Роҳбарон ҷамъ омаданд." || c.Latest != 3 || c.TheirsStatus != tarjuma.SegmentConfirmed {
			t.Errorf("conflict = %+v", c)
		}
		// Her choice, made on version 3, goes through.
		if v4, created, err := d.SaveSegment(ctx, firuza, id, tarjuma.Tajik, SegmentSave{BaseVersion: 3, SegmentID: "p1.s1", Text: "Сарварон ҷамъ шуданд."}); err != nil || !created || v4.Number != 4 {
			t.Errorf("save on the latest: version %d created %t, %v", v4.Number, created, err)
		}
		// The same text from a stale base is no conflict, and no change: nothing stored.
		v, created, err := d.SaveSegment(ctx, nigora, id, tarjuma.Tajik, SegmentSave{BaseVersion: 2, SegmentID: "p1.s2", Text: "15 ҳайат омаданд."})
		if err != nil || created || v.Number != 4 {
			t.Errorf("unchanged save: version %d created %t, %v; want version 4, nothing stored", v.Number, created, err)
		}
	})
}

// TestSaveSegmentRefusals: each refusal stores nothing and says why.
func TestSaveSegmentRefusals(t *testing.T) {
	t.Parallel()
	eachSegmentsDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		d, id, nigora, _ := segmentsFixture(t, db)
		russian := Actor{User: tarjuma.User{ID: nigora.User.ID, Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Russian}}, Name: "ru@desk.tj"}
		for _, tc := range []struct {
			name string
			who  Actor
			save SegmentSave
			kind error
			code string
		}{
			{"another's language", russian, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "x"}, ErrForbidden, "forbidden"},
			{"unknown segment", nigora, SegmentSave{BaseVersion: 1, SegmentID: "p9.s9", Text: "x"}, tarjuma.ErrNotFound, "unknown_segment"},
			{"NUL in the text", nigora, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "a\x00b"}, ErrMalformed, "invalid_text"},
			{"no base", nigora, SegmentSave{SegmentID: "p1.s1", Text: "x"}, tarjuma.ErrInvalid, "invalid_version"},
			{"unknown status", nigora, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "x", Status: "done"}, tarjuma.ErrInvalid, "invalid_status"},
			{"empty title", nigora, SegmentSave{BaseVersion: 1, SegmentID: "title", Text: " "}, tarjuma.ErrInvalid, "empty_field"},
		} {
			_, _, err := d.SaveSegment(ctx, tc.who, id, tarjuma.Tajik, tc.save)
			var e *Error
			if !errors.Is(err, tc.kind) || !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("%s: SaveSegment = %v, want %s (%v)", tc.name, err, tc.code, tc.kind)
			}
			if tc.name == "empty title" {
				continue // a draft may be empty while she types
			}
			_, err = d.SaveDraft(ctx, tc.who, id, tarjuma.Tajik, tc.save)
			if !errors.Is(err, tc.kind) || !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("%s: SaveDraft = %v, want %s (%v)", tc.name, err, tc.code, tc.kind)
			}
		}
		if _, _, err := d.SaveSegment(ctx, nigora, id, tarjuma.Tajik, SegmentSave{BaseVersion: 7, SegmentID: "p1.s1", Text: "x"}); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("a base that does not exist: %v, want not found", err)
		}
		if _, err := d.SaveDraft(ctx, Actor{User: tarjuma.User{Role: tarjuma.RoleAdmin}, Name: "token"}, id, tarjuma.Tajik,
			SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "x"}); !errors.Is(err, ErrForbidden) {
			t.Errorf("a draft by no person: %v, want forbidden", err)
		}
		if v, err := db.LatestVersion(ctx, id, tarjuma.Tajik); err != nil || v.Number != 1 {
			t.Errorf("latest version %d, %v: a refusal stored something", v.Number, err)
		}
		if ds, err := db.Drafts(ctx, nigora.User.ID, id, tarjuma.Tajik); err != nil || len(ds) != 0 {
			t.Errorf("drafts %v, %v: a refusal stored one", ds, err)
		}
	})
}

// TestSaveSegmentsAtOnce: translators saving different segments of one translation at the
// same moment all land; none is lost to the race for the next version number.
func TestSaveSegmentsAtOnce(t *testing.T) {
	t.Parallel()
	eachSegmentsDB(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		d, id, nigora, firuza := segmentsFixture(t, db)
		errs := make(chan error, 2)
		go func() {
			_, _, err := d.SaveSegment(ctx, nigora, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s1", Text: "Якум."})
			errs <- err
		}()
		go func() {
			_, _, err := d.SaveSegment(ctx, firuza, id, tarjuma.Tajik, SegmentSave{BaseVersion: 1, SegmentID: "p1.s2", Text: "Дуюм."})
			errs <- err
		}()
		for range 2 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		v, err := db.LatestVersion(ctx, id, tarjuma.Tajik)
		if err != nil || v.Number != 3 || v.Segments[1].Text != "Якум." || v.Segments[2].Text != "Дуюм." {
			t.Errorf("latest version %d: %q, %q (%v); want 3 with both", v.Number, v.Segments[1].Text, v.Segments[2].Text, err)
		}
	})
}
