package desk

import (
	"errors"
	"slices"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// TestMentions: the names written after an @, as a person types them in a sentence.
func TestMentions(t *testing.T) {
	for body, want := range map[string][]string{
		"@tg, see the number.":               {"tg"},
		"Ask @reviewer@desk.test.":           {"reviewer@desk.test"},
		"(@Нигора) and @нигора again":        {"Нигора"},
		"mail tg@desk.test is not a mention": nil,
		"@ alone, and a@b":                   nil,
		"«@ru» then @tg":                     {"ru", "tg"},
	} {
		if got := Mentions(body); !slices.Equal(got, want) {
			t.Errorf("Mentions(%q) = %q, want %q", body, got, want)
		}
	}
}

type commentDesk struct {
	d                                          *Desk
	article                                    tarjuma.Article
	translator, ruOnly, reviewer, editor, gone Actor
}

func newCommentDesk(t *testing.T, db *store.DB) commentDesk {
	t.Helper()
	ctx := t.Context()
	a, _, err := db.CreateArticle(ctx, store.NewArticle{Title: "قمة دوشنبه", Body: "اجتمع القادة.", TargetLangs: []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian},
		Priority: tarjuma.PriorityDefault, Author: "editor@desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	segs := tarjuma.SplitSource(a.Title, a.Body)
	for i := range segs {
		segs[i].Text, segs[i].Origin = "Матн", tarjuma.MachineOrigin("test")
	}
	if _, _, err := db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	actor := func(email string, role tarjuma.Role, langs ...tarjuma.Lang) Actor {
		u, err := db.CreateUser(ctx, store.NewUser{Email: email, PasswordHash: "x", Role: role, Langs: langs})
		if err != nil {
			t.Fatal(err)
		}
		return Actor{User: u, Name: u.Email}
	}
	c := commentDesk{d: New(Config{DB: db}), article: a,
		translator: actor("tg@desk.test", tarjuma.RoleTranslator, tarjuma.Tajik),
		ruOnly:     actor("ru@desk.test", tarjuma.RoleTranslator, tarjuma.Russian),
		reviewer:   actor("reviewer@desk.test", tarjuma.RoleReviewer),
		editor:     actor("editor@desk.test", tarjuma.RoleEditor),
		gone:       actor("gone@desk.test", tarjuma.RoleTranslator, tarjuma.Tajik),
	}
	if _, err := db.DisableUser(ctx, c.gone.User.ID); err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCode fails unless err is a desk refusal with code and of kind.
func wantCode(t *testing.T, what string, err error, code string, kind error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || !errors.Is(err, kind) {
		t.Errorf("%s: %v, want %s (%v)", what, err, code, kind)
	}
}

func TestComment(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return storetest.Open(t, url) }, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := newCommentDesk(t, db)
		id := c.article.ID
		in := func(body string) CommentInput { return CommentInput{Segment: "p1.s1", Body: body} }

		got, err := c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in("  @reviewer, is ١٥ right? Ask @editor@desk.test too.  "))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"editor@desk.test", "reviewer@desk.test"}; !slices.Equal(got.Mentions, want) || got.Body != "@reviewer, is ١٥ right? Ask @editor@desk.test too." {
			t.Errorf("comment %q mentions %q; want it trimmed, mentioning %q", got.Body, got.Mentions, want)
		}
		if _, err := c.d.Comment(ctx, c.reviewer, id, tarjuma.Tajik, CommentInput{Segment: "p1.s1", ReplyTo: got.ID, Body: "Ҳа, дуруст."}); err != nil {
			t.Errorf("reply: %v", err)
		}

		wantCode(t, "unknown mention", errOf(c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in("@nobody look"))), "unknown_mention", tarjuma.ErrInvalid)
		wantCode(t, "a disabled user's mention", errOf(c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in("@gone look"))), "unknown_mention", tarjuma.ErrInvalid)
		wantCode(t, "empty", errOf(c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in(" \n "))), "empty_field", tarjuma.ErrInvalid)
		wantCode(t, "NUL", errOf(c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in("a\x00b"))), "invalid_text", ErrMalformed)
		wantCode(t, "too long", errOf(c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, in(string(make([]rune, MaxCommentLen+1))))), "too_long", tarjuma.ErrInvalid)
		wantCode(t, "another language", errOf(c.d.Comment(ctx, c.ruOnly, id, tarjuma.Tajik, in("Салом"))), "forbidden", ErrForbidden)
		if _, err := c.d.Comment(ctx, c.translator, id, tarjuma.Tajik, CommentInput{Segment: "p7.s7", Body: "x"}); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("a comment on no segment: %v, want not found", err)
		}
		cs, err := db.Comments(ctx, id, tarjuma.Tajik)
		if err != nil || len(cs) != 2 {
			t.Errorf("stored %d comments (%v), want the comment and the reply only", len(cs), err)
		}
		ms, err := db.UnreadMentions(ctx, c.reviewer.User.ID)
		if err != nil || len(ms) != 1 {
			t.Fatalf("the reviewer's mentions: %d, %v", len(ms), err)
		}
		if err := c.d.MarkMentionsRead(ctx, c.reviewer, id, tarjuma.Tajik); err != nil {
			t.Fatal(err)
		}
		if ms, _ := db.UnreadMentions(ctx, c.reviewer.User.ID); len(ms) != 0 {
			t.Errorf("%d mentions left after opening", len(ms))
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

func TestClaimAssignRelease(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return storetest.Open(t, url) }, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := newCommentDesk(t, db)
		id := c.article.ID
		wantCode(t, "claim outside her languages", errOf(c.d.Claim(ctx, c.ruOnly, id, tarjuma.Tajik)), "forbidden", ErrForbidden)
		wantCode(t, "an editor claims", errOf(c.d.Claim(ctx, c.editor, id, tarjuma.Tajik)), "forbidden", ErrForbidden)
		token := Actor{User: tarjuma.User{Role: tarjuma.RoleReviewer}, Name: "ci"}
		wantCode(t, "a token claims", errOf(c.d.Claim(ctx, token, id, tarjuma.Tajik)), "forbidden", ErrForbidden)
		if a, err := c.d.Claim(ctx, c.translator, id, tarjuma.Tajik); err != nil || a.Email != "tg@desk.test" || !a.Claimed {
			t.Fatalf("claim = %+v, %v", a, err)
		}
		if _, err := c.d.Claim(ctx, c.reviewer, id, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("a claim of a held translation: %v, want conflict", err)
		}
		wantCode(t, "a reviewer releases another's", c.d.Release(ctx, c.reviewer, id, tarjuma.Tajik), "forbidden", ErrForbidden)
		wantCode(t, "a token releases", c.d.Release(ctx, token, id, tarjuma.Tajik), "forbidden", ErrForbidden)

		wantCode(t, "a translator assigns", errOf(c.d.Assign(ctx, c.translator, id, tarjuma.Tajik, "tg@desk.test")), "forbidden", ErrForbidden)
		wantCode(t, "assign to a user without the language", errOf(c.d.Assign(ctx, c.editor, id, tarjuma.Tajik, "ru@desk.test")), "not_assignable", tarjuma.ErrInvalid)
		wantCode(t, "assign to an editor", errOf(c.d.Assign(ctx, c.editor, id, tarjuma.Tajik, "editor@desk.test")), "not_assignable", tarjuma.ErrInvalid)
		wantCode(t, "assign to nobody", errOf(c.d.Assign(ctx, c.editor, id, tarjuma.Tajik, "who@desk.test")), "unknown_user", tarjuma.ErrInvalid)
		wantCode(t, "assign to a disabled user", errOf(c.d.Assign(ctx, c.editor, id, tarjuma.Tajik, "gone@desk.test")), "unknown_user", tarjuma.ErrInvalid)
		if a, _ := db.Assignment(ctx, id, tarjuma.Tajik); a.Email != "tg@desk.test" {
			t.Errorf("refusals changed the assignee to %q", a.Email)
		}
		if a, err := c.d.Assign(ctx, c.editor, id, tarjuma.Tajik, " Reviewer@Desk.test "); err != nil || a.Email != "reviewer@desk.test" || a.Claimed {
			t.Fatalf("assign = %+v, %v; want the reviewer, assigned", a, err)
		}
		if err := c.d.Release(ctx, c.reviewer, id, tarjuma.Tajik); err != nil {
			t.Errorf("the assignee's release: %v", err)
		}
		if err := c.d.Release(ctx, c.translator, id, tarjuma.Tajik); err != nil {
			t.Errorf("releasing what nobody holds: %v", err)
		}
		if _, err := db.Assignment(ctx, id, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("after the release: %v, want nobody", err)
		}
		if err := c.d.Release(ctx, c.editor, 999, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("release of no translation: %v, want not found", err)
		}
	})
}

// A rejection's notes each need a text without NUL; a refused one stores nothing.
func TestRejectNotes(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return storetest.Open(t, url) }, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		c := newCommentDesk(t, db)
		id := c.article.ID
		dec := func(notes ...store.SegmentNote) Decision {
			return Decision{Version: 1, Comment: "Рақамҳо.", Notes: notes}
		}
		wantCode(t, "an empty note", c.d.Reject(ctx, c.reviewer, id, tarjuma.Tajik, dec(store.SegmentNote{Segment: "p1.s1", Body: " "})), "empty_field", tarjuma.ErrInvalid)
		wantCode(t, "a NUL in a note", c.d.Reject(ctx, c.reviewer, id, tarjuma.Tajik, dec(store.SegmentNote{Segment: "p1.s1", Body: "a\x00"})), "invalid_text", ErrMalformed)
		if tr, _ := db.Translation(ctx, id, tarjuma.Tajik); tr.Status != tarjuma.StatusNeedsReview {
			t.Fatalf("a refused rejection left the translation %s", tr.Status)
		}
		if err := c.d.Reject(ctx, c.reviewer, id, tarjuma.Tajik, dec(store.SegmentNote{Segment: "p1.s1", Body: " Ин ҷо ١٥ аст. "})); err != nil {
			t.Fatal(err)
		}
		cs, err := db.Comments(ctx, id, tarjuma.Tajik)
		if err != nil || len(cs) != 1 || cs[0].Body != "Ин ҷо ١٥ аст." || cs[0].Kind != store.CommentRejection || cs[0].Segment != "p1.s1" {
			t.Errorf("notes = %+v, %v; want the one note, trimmed, of kind rejection", cs, err)
		}
	})
}
