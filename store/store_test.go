package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
)

// eachDB runs test against a freshly migrated database of every backend testenv finds.
func eachDB(t *testing.T, test func(t *testing.T, db *DB)) {
	t.Helper()
	testenv.EachDB(t, openMigrated, test)
}

func openMigrated(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	applied, err := db.Migrate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.dialect.migrations()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, m := range ms {
		want = append(want, m.version)
	}
	if !slices.Equal(applied, want) {
		t.Fatalf("first Migrate applied %v, want every migration %v", applied, want)
	}
	return db
}

// tables are every table the store writes, for checking that nothing was half-stored;
// TestTablesListed keeps the list whole as migrations add tables.
var tables = []string{"articles", "source_revisions", "translations", "versions", "jobs", "api_tokens",
	"translation_memory", "term_renderings", "glossary_terms", "glossary_state", "mt_usage", "users", "sessions", "review_events",
	"subscribers", "releases", "deliveries", "delivery_attempts", "flag_dismissals", "channel_placements",
	"comments", "comment_mentions", "assignments", "drafts", "embargo_changes"}

func TestTablesListed(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		files, err := migrationFiles.ReadDir("migrations/" + dialect)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			sql, err := migrationFiles.ReadFile("migrations/" + dialect + "/" + f.Name())
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(`CREATE TABLE (\w+)`).FindAllStringSubmatch(string(sql), -1) {
				if !slices.Contains(tables, m[1]) {
					t.Errorf("%s/%s creates %s, which the tables list (and so every nothing-half-stored check) misses", dialect, f.Name(), m[1])
				}
			}
		}
	}
}

// fieldOf is the field f picks of each of rows, nil for no rows, so an empty result compares
// equal to a nil want.
func fieldOf[R, F any](rows []R, f func(R) F) []F {
	var out []F
	for _, r := range rows {
		out = append(out, f(r))
	}
	return out
}

func count(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func counts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	m := make(map[string]int)
	for _, table := range tables {
		m[table] = count(t, db, table)
	}
	return m
}

func submission(externalID string) NewArticle {
	return NewArticle{
		ExternalID:  externalID,
		Title:       "قمة دوشنبه",
		Body:        "اجتمع القادة في دوشنبه.",
		TargetLangs: tarjuma.TargetLangs(),
		Priority:    tarjuma.PriorityDefault,
		Author:      "editor",
	}
}

func create(t *testing.T, db *DB, a NewArticle) tarjuma.Article {
	t.Helper()
	article, created, err := db.CreateArticle(t.Context(), a)
	if err != nil || !created {
		t.Fatalf("CreateArticle = %v, created %v", err, created)
	}
	return article
}

// machineVersionFor is what a worker stores for one translation.
func machineVersionFor(id int64, lang tarjuma.Lang, rev int, title string) tarjuma.Version {
	return tarjuma.Version{ArticleID: id, Lang: lang, SourceRevision: rev, Segments: []tarjuma.Segment{
		{ID: tarjuma.TitleSegmentID, Source: "قمة", Text: title, Origin: tarjuma.MachineOrigin("test"), Flags: []tarjuma.Flag{}},
		{ID: "p1.s1", Source: "اجتمع القادة.", Text: "Leaders met.", Origin: tarjuma.OriginMemory, Flags: []tarjuma.Flag{}},
	}}
}

// translate takes a translation through a worker's steps and returns the stored version.
func translate(t *testing.T, db *DB, id int64, lang tarjuma.Lang, rev int) tarjuma.Version {
	t.Helper()
	if _, _, err := db.StartTranslating(t.Context(), id, lang, rev); err != nil {
		t.Fatal(err)
	}
	v, created, err := db.SaveMachineVersion(t.Context(), machineVersionFor(id, lang, rev, "Summit"))
	if err != nil || !created {
		t.Fatalf("SaveMachineVersion = %v, created %v", err, created)
	}
	return v
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		applied, err := db.Migrate(t.Context())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
		}
		ms, err := db.dialect.migrations()
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "schema_migrations"); n != len(ms) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
		}
	})
}

func TestOpen(t *testing.T) {
	for _, url := range []string{"mysql://localhost/db", "sqlite:", "sqlite::memory:", "./tarjuma.db"} {
		if db, err := Open(t.Context(), url); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded, want an error", url)
		}
	}
	db, err := Open(t.Context(), "sqlite:"+t.TempDir()+"/new/folder/tarjuma.db")
	if err != nil {
		t.Fatalf("Open does not create the folder: %v", err)
	}
	defer db.Close()
	if db.Dialect() != "sqlite" {
		t.Errorf("Dialect = %q", db.Dialect())
	}
	if err := db.Ping(t.Context()); err != nil {
		t.Error(err)
	}
}

func TestCreateArticle(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		before := time.Now().Add(-time.Second)
		in := submission("desk-1")
		in.TargetLangs = []tarjuma.Lang{tarjuma.English, tarjuma.Tajik}
		in.Priority = tarjuma.PriorityUrgent
		a := create(t, db, in)

		want := tarjuma.Article{ID: a.ID, ExternalID: "desk-1", Revision: 1, Title: in.Title, Body: in.Body,
			TargetLangs: in.TargetLangs, Priority: tarjuma.PriorityUrgent, CreatedBy: "editor"}
		if diff := cmp.Diff(want, a, cmpopts.IgnoreFields(tarjuma.Article{}, "CreatedAt", "UpdatedAt")); diff != "" {
			t.Errorf("created article (-want +got):\n%s", diff)
		}
		if a.CreatedAt.Location() != time.UTC || a.CreatedAt.Before(before) || a.CreatedAt.After(time.Now()) || !a.UpdatedAt.Equal(a.CreatedAt) {
			t.Errorf("CreatedAt %v, UpdatedAt %v: want UTC now", a.CreatedAt, a.UpdatedAt)
		}
		read, err := db.Article(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, read); diff != "" {
			t.Errorf("Article differs from what CreateArticle returned (-created +read):\n%s", diff)
		}

		rev, err := db.SourceRevision(t.Context(), a.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		wantRev := tarjuma.SourceRevision{ArticleID: a.ID, Number: 1, Title: in.Title, Body: in.Body, Author: "editor", CreatedAt: a.CreatedAt}
		if diff := cmp.Diff(wantRev, rev); diff != "" {
			t.Errorf("revision 1 (-want +got):\n%s", diff)
		}

		ts, err := db.Translations(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wantTs []tarjuma.Translation
		for _, l := range in.TargetLangs {
			wantTs = append(wantTs, tarjuma.Translation{ArticleID: a.ID, Lang: l, Status: tarjuma.StatusQueued, SourceRevision: 1, UpdatedAt: a.CreatedAt})
		}
		if diff := cmp.Diff(wantTs, ts); diff != "" {
			t.Errorf("translations, in target language order (-want +got):\n%s", diff)
		}

		var jobs []OutboxJob
		if _, err := db.DispatchJobs(t.Context(), 10, time.Time{}, func(j OutboxJob) error { jobs = append(jobs, j); return nil }); err != nil {
			t.Fatal(err)
		}
		var wantJobs []OutboxJob
		for _, l := range in.TargetLangs {
			wantJobs = append(wantJobs, OutboxJob{ArticleID: a.ID, Lang: l, SourceRevision: 1, Priority: tarjuma.PriorityUrgent, CreatedAt: a.CreatedAt})
		}
		if diff := cmp.Diff(wantJobs, jobs, cmpopts.IgnoreFields(OutboxJob{}, "ID")); diff != "" {
			t.Errorf("outbox jobs (-want +got):\n%s", diff)
		}
	})
}

func TestCreateArticleReplays(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		first := submission("desk-1")
		first.IdempotencyKey = "key-1"
		first.RequestHash = "hash-1"
		a := create(t, db, first)

		tests := []struct {
			name    string
			change  func(*NewArticle)
			wantErr error
		}{
			{"same external id", func(n *NewArticle) { n.IdempotencyKey, n.Title = "", "another title" }, nil},
			{"same key and request", func(n *NewArticle) { n.ExternalID = "" }, nil},
			{"same key, other external id", func(n *NewArticle) { n.ExternalID = "desk-2" }, nil},
			{"same key, other request", func(n *NewArticle) { n.ExternalID, n.RequestHash = "", "hash-2" }, tarjuma.ErrIdempotencyMismatch},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				again := first
				tt.change(&again)
				got, created, err := db.CreateArticle(t.Context(), again)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if created {
					t.Error("created = true for a replay")
				}
				if tt.wantErr == nil && !cmp.Equal(got, a) {
					t.Errorf("replay returned %+v, want the first article %+v", got, a)
				}
			})
		}
		if n := count(t, db, "articles"); n != 1 {
			t.Errorf("%d articles stored, want 1", n)
		}
	})
}

func TestCreateArticleConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		const submitters = 8
		ids := make([]int64, submitters)
		created := make([]bool, submitters)
		errs := make([]error, submitters)
		var wg sync.WaitGroup
		for i := range submitters {
			wg.Go(func() {
				var a tarjuma.Article
				a, created[i], errs[i] = db.CreateArticle(t.Context(), submission("desk-race"))
				ids[i] = a.ID
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "articles"); n != 1 {
			t.Errorf("%d articles stored, want 1", n)
		}
		if n := count(t, db, "jobs"); n != len(tarjuma.TargetLangs()) {
			t.Errorf("%d jobs stored, want %d", n, len(tarjuma.TargetLangs()))
		}
		if ids[0] == 0 || slices.ContainsFunc(ids, func(id int64) bool { return id != ids[0] }) {
			t.Errorf("callers got articles %v, want one id", ids)
		}
		if n := len(slices.DeleteFunc(created, func(c bool) bool { return !c })); n != 1 {
			t.Errorf("%d callers got created = true, want 1", n)
		}
	})
}

func TestCreateArticleStoresNothingOnFailure(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		change func(*NewArticle)
	}{
		{"unknown language", context.Background(), func(n *NewArticle) { n.TargetLangs = []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian, "xx"} }},
		{"language twice", context.Background(), func(n *NewArticle) { n.TargetLangs = []tarjuma.Lang{tarjuma.Tajik, tarjuma.Tajik} }},
		{"unknown priority", context.Background(), func(n *NewArticle) { n.Priority = "whenever" }},
		{"no language", context.Background(), func(n *NewArticle) { n.TargetLangs = nil }},
		{"cancelled", cancelled, func(*NewArticle) {}},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		empty := counts(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := submission("desk-1")
				tt.change(&in)
				if _, _, err := db.CreateArticle(tt.ctx, in); err == nil {
					t.Fatal("CreateArticle succeeded")
				}
				if diff := cmp.Diff(empty, counts(t, db)); diff != "" {
					t.Errorf("rows left behind (-before +after):\n%s", diff)
				}
			})
		}
		// The failed attempts left the external id free.
		create(t, db, submission("desk-1"))
	})
}

func TestListArticles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		var ids []int64
		for i := range 5 {
			in := submission(fmt.Sprint("desk-", i))
			if i == 4 {
				in.TargetLangs = []tarjuma.Lang{tarjuma.English}
			}
			ids = append(ids, create(t, db, in).ID)
		}
		// Article 1 has a Tajik translation waiting for review, article 2 a failed Russian one.
		translate(t, db, ids[1], tarjuma.Tajik, 1)
		if err := db.FailTranslation(t.Context(), ids[2], tarjuma.Russian, 1, "engine down"); err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name   string
			filter ArticleFilter
			want   []int64
		}{
			{"all", ArticleFilter{}, []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}},
			{"first page", ArticleFilter{Limit: 2}, []int64{ids[4], ids[3]}},
			{"next page", ArticleFilter{Limit: 2, Before: ids[3]}, []int64{ids[2], ids[1]}},
			{"last page", ArticleFilter{Limit: 2, Before: ids[1]}, []int64{ids[0]}},
			{"status", ArticleFilter{Status: tarjuma.StatusNeedsReview}, []int64{ids[1]}},
			{"lang", ArticleFilter{Lang: tarjuma.Tajik}, []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"status and lang in one translation", ArticleFilter{Status: tarjuma.StatusFailed, Lang: tarjuma.Russian}, []int64{ids[2]}},
			{"status and lang in different translations", ArticleFilter{Status: tarjuma.StatusFailed, Lang: tarjuma.Tajik}, nil},
			{"status on a page", ArticleFilter{Status: tarjuma.StatusQueued, Before: ids[2], Limit: 1}, []int64{ids[1]}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.ListArticles(t.Context(), tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				gotIDs := fieldOf(got, func(a tarjuma.Article) int64 { return a.ID })
				if diff := cmp.Diff(tt.want, gotIDs); diff != "" {
					t.Errorf("ids (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestUpdateArticleSource(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission("desk-1"))
		translate(t, db, a.ID, tarjuma.Tajik, 1)
		if _, err := db.DispatchJobs(t.Context(), 10, time.Time{}, func(OutboxJob) error { return nil }); err != nil {
			t.Fatal(err)
		}

		same, err := db.UpdateArticleSource(t.Context(), a.ID, 0, a.Title, a.Body, "someone")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, same); diff != "" {
			t.Errorf("unchanged source changed the article (-before +after):\n%s", diff)
		}
		if n := count(t, db, "source_revisions"); n != 1 {
			t.Errorf("unchanged source stored a revision: %d revisions", n)
		}

		updated, err := db.UpdateArticleSource(t.Context(), a.ID, 0, a.Title, a.Body+" وأضاف.", "editor2")
		if err != nil {
			t.Fatal(err)
		}
		if updated.Revision != 2 || updated.Body != a.Body+" وأضاف." || updated.Title != a.Title || !updated.UpdatedAt.After(a.UpdatedAt) {
			t.Errorf("updated article = %+v", updated)
		}
		rev, err := db.SourceRevision(t.Context(), a.ID, 2)
		if err != nil || rev.Author != "editor2" || rev.Body != updated.Body {
			t.Errorf("revision 2 = %+v, %v", rev, err)
		}
		ts, err := db.Translations(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range ts {
			if tr.Status != tarjuma.StatusQueued || tr.SourceRevision != 2 {
				t.Errorf("translation %s is %s at revision %d, want queued at 2", tr.Lang, tr.Status, tr.SourceRevision)
			}
		}
		if tg := ts[0]; tg.LatestVersion != 1 {
			t.Errorf("re-queueing lost the version count: %+v", tg)
		}
		var jobs []OutboxJob
		if _, err := db.DispatchJobs(t.Context(), 10, time.Time{}, func(j OutboxJob) error { jobs = append(jobs, j); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(jobs) != len(ts) || slices.ContainsFunc(jobs, func(j OutboxJob) bool { return j.SourceRevision != 2 }) {
			t.Errorf("new jobs = %+v, want one per translation at revision 2", jobs)
		}

		// An edit from revision 1, made before revision 2 was stored, is refused and stores
		// nothing; one from revision 2 is stored as 3.
		if _, err := db.UpdateArticleSource(t.Context(), a.ID, 1, a.Title, a.Body+" وقال.", "editor3"); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("edit from a stale revision: err = %v, want ErrConflict", err)
		}
		if n := count(t, db, "source_revisions"); n != 2 {
			t.Errorf("a stale edit stored a revision: %d revisions, want 2", n)
		}
		third, err := db.UpdateArticleSource(t.Context(), a.ID, 2, a.Title, a.Body+" وقال.", "editor3")
		if err != nil || third.Revision != 3 {
			t.Errorf("edit from the latest revision = %+v, %v; want revision 3", third, err)
		}

		if _, err := db.UpdateArticleSource(t.Context(), a.ID+100, 0, "t", "b", "x"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("missing article: err = %v, want ErrNotFound", err)
		}
	})
}

func TestStartTranslating(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, db *DB, id int64)
		rev     int
		wantErr error
	}{
		{"queued", func(*testing.T, *DB, int64) {}, 1, nil},
		{"again while translating", func(t *testing.T, db *DB, id int64) { start(t, db, id, 1) }, 1, nil},
		{"after failing", func(t *testing.T, db *DB, id int64) {
			start(t, db, id, 1)
			if err := db.FailTranslation(t.Context(), id, tarjuma.Tajik, 1, "timeout"); err != nil {
				t.Fatal(err)
			}
		}, 1, nil},
		{"stale revision", func(t *testing.T, db *DB, id int64) { newRevision(t, db, id) }, 1, tarjuma.ErrStale},
		{"future revision", func(*testing.T, *DB, int64) {}, 2, tarjuma.ErrStale},
		{"already versioned", func(t *testing.T, db *DB, id int64) { translate(t, db, id, tarjuma.Tajik, 1) }, 1, tarjuma.ErrConflict},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				a := create(t, db, submission(fmt.Sprint("start-", i)))
				tt.prepare(t, db, a.ID)
				got, src, err := db.StartTranslating(t.Context(), a.ID, tarjuma.Tajik, tt.rev)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if err != nil {
					return
				}
				if got.Status != tarjuma.StatusTranslating || got.FailureReason != "" || got.SourceRevision != tt.rev {
					t.Errorf("got %+v, want translating at revision %d", got, tt.rev)
				}
				want, err := db.SourceRevision(t.Context(), a.ID, tt.rev)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, src); diff != "" {
					t.Errorf("source returned (-want +got):\n%s", diff)
				}
			})
		}
		t.Run("missing", func(t *testing.T) {
			if _, _, err := db.StartTranslating(t.Context(), 999, tarjuma.Tajik, 1); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
		})
	})
}

func start(t *testing.T, db *DB, id int64, rev int) {
	t.Helper()
	if _, _, err := db.StartTranslating(t.Context(), id, tarjuma.Tajik, rev); err != nil {
		t.Fatal(err)
	}
}

func newRevision(t *testing.T, db *DB, id int64) {
	t.Helper()
	if _, err := db.UpdateArticleSource(t.Context(), id, 0, "عنوان جديد", "نص جديد.", "editor"); err != nil {
		t.Fatal(err)
	}
}

func TestSaveMachineVersion(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission("desk-1"))
		start(t, db, a.ID, 1)
		in := machineVersionFor(a.ID, tarjuma.Tajik, 1, "Саммит")
		in.Segments[0].Status = tarjuma.SegmentConfirmed // no engine confirms: stored as a draft
		v1, created, err := db.SaveMachineVersion(t.Context(), in)
		if err != nil || !created {
			t.Fatalf("SaveMachineVersion = %v, created %v", err, created)
		}
		want := in
		want.Segments = slices.Clone(in.Segments)
		for i := range want.Segments {
			want.Segments[i].Status = tarjuma.SegmentDraft
		}
		want.Number, want.Author, want.Machine, want.CreatedAt = 1, tarjuma.MachineAuthor, true, v1.CreatedAt
		if diff := cmp.Diff(want, v1); diff != "" {
			t.Errorf("saved version (-want +got):\n%s", diff)
		}
		tr, err := db.Translation(t.Context(), a.ID, tarjuma.Tajik)
		if err != nil || tr.Status != tarjuma.StatusNeedsReview || tr.LatestVersion != 1 {
			t.Errorf("translation after saving = %+v, %v; want needs_review with version 1", tr, err)
		}

		again, created, err := db.SaveMachineVersion(t.Context(), machineVersionFor(a.ID, tarjuma.Tajik, 1, "другой"))
		if err != nil || created || !cmp.Equal(again, v1) {
			t.Errorf("second save = %+v, created %v, %v; want the first version, created false", again, created, err)
		}

		newRevision(t, db, a.ID)
		if _, _, err := db.SaveMachineVersion(t.Context(), machineVersionFor(a.ID, tarjuma.Russian, 1, "x")); !errors.Is(err, tarjuma.ErrStale) {
			t.Errorf("save for a superseded revision: err = %v, want ErrStale", err)
		}
		if _, _, err := db.SaveMachineVersion(t.Context(), machineVersionFor(a.ID, tarjuma.Tajik, 2, "x")); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("save without StartTranslating (queued cannot become needs_review): err = %v, want ErrConflict", err)
		}
		if v2 := translate(t, db, a.ID, tarjuma.Tajik, 2); v2.Number != 2 || v2.SourceRevision != 2 {
			t.Errorf("version for revision 2 = %+v, want number 2", v2)
		}
		if _, _, err := db.SaveMachineVersion(t.Context(), machineVersionFor(999, tarjuma.Tajik, 1, "x")); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("missing translation: err = %v, want ErrNotFound", err)
		}
	})
}

func TestSaveMachineVersionConcurrently(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		for round := range 5 {
			a := create(t, db, submission(fmt.Sprint("desk-", round)))
			start(t, db, a.ID, 1)
			var wg sync.WaitGroup
			created := make([]bool, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() {
					_, created[i], errs[i] = db.SaveMachineVersion(t.Context(), machineVersionFor(a.ID, tarjuma.Tajik, 1, fmt.Sprint("worker ", i)))
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if created[0] == created[1] {
				t.Errorf("created = %v, want exactly one true", created)
			}
			vs, err := db.Versions(t.Context(), a.ID, tarjuma.Tajik)
			if err != nil || len(vs) != 1 {
				t.Errorf("versions = %d, %v; want 1", len(vs), err)
			}
		}
	})
}

func TestFailTranslation(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission("desk-1"))
		start(t, db, a.ID, 1)
		const reason = "المحرك لا يستجيب"
		if err := db.FailTranslation(t.Context(), a.ID, tarjuma.Tajik, 1, reason); err != nil {
			t.Fatal(err)
		}
		tr, err := db.Translation(t.Context(), a.ID, tarjuma.Tajik)
		if err != nil || tr.Status != tarjuma.StatusFailed || tr.FailureReason != reason {
			t.Errorf("failed translation = %+v, %v", tr, err)
		}
		if err := db.FailTranslation(t.Context(), a.ID, tarjuma.Tajik, 1, reason); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("failing a failed translation: err = %v, want ErrConflict", err)
		}
		translate(t, db, a.ID, tarjuma.Russian, 1)
		if err := db.FailTranslation(t.Context(), a.ID, tarjuma.Russian, 1, reason); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("failing a translation in review: err = %v, want ErrConflict", err)
		}
		newRevision(t, db, a.ID)
		if err := db.FailTranslation(t.Context(), a.ID, tarjuma.English, 1, reason); !errors.Is(err, tarjuma.ErrStale) {
			t.Errorf("failing for a superseded revision: err = %v, want ErrStale", err)
		}
		if tr, _ := db.Translation(t.Context(), a.ID, tarjuma.Tajik); tr.FailureReason != "" {
			t.Errorf("re-queued translation kept its failure reason %q", tr.FailureReason)
		}
		if _, err := db.Translation(t.Context(), a.ID+1, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("Translation of a missing article: err = %v, want ErrNotFound", err)
		}
		if _, err := db.Translations(t.Context(), a.ID+1); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("Translations of a missing article: err = %v, want ErrNotFound", err)
		}
	})
}

func TestVersions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission("desk-1"))
		if _, err := db.LatestVersion(t.Context(), a.ID, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("LatestVersion without versions: err = %v, want ErrNotFound", err)
		}
		if vs, err := db.Versions(t.Context(), a.ID, tarjuma.Tajik); err != nil || len(vs) != 0 {
			t.Errorf("Versions without versions = %v, %v; want none", vs, err)
		}
		v1 := translate(t, db, a.ID, tarjuma.Tajik, 1)
		newRevision(t, db, a.ID)
		v2 := translate(t, db, a.ID, tarjuma.Tajik, 2)

		if got, err := db.Version(t.Context(), a.ID, tarjuma.Tajik, 1); err != nil || !cmp.Equal(got, v1) {
			t.Errorf("Version 1 = %+v, %v; want %+v", got, err, v1)
		}
		if got, err := db.LatestVersion(t.Context(), a.ID, tarjuma.Tajik); err != nil || !cmp.Equal(got, v2) {
			t.Errorf("LatestVersion = %+v, %v; want %+v", got, err, v2)
		}
		if got, err := db.Versions(t.Context(), a.ID, tarjuma.Tajik); err != nil || !cmp.Equal(got, []tarjuma.Version{v1, v2}) {
			t.Errorf("Versions = %+v, %v", got, err)
		}
		for name, call := range map[string]func() error{
			"Version 3":              func() error { _, err := db.Version(t.Context(), a.ID, tarjuma.Tajik, 3); return err },
			"Version of other lang":  func() error { _, err := db.Version(t.Context(), a.ID, tarjuma.Russian, 1); return err },
			"Versions of no article": func() error { _, err := db.Versions(t.Context(), a.ID+1, tarjuma.Tajik); return err },
			"Latest of no article":   func() error { _, err := db.LatestVersion(t.Context(), a.ID+1, tarjuma.Tajik); return err },
			"SourceRevision 3":       func() error { _, err := db.SourceRevision(t.Context(), a.ID, 3); return err },
			"Article of no article":  func() error { _, err := db.Article(t.Context(), a.ID+1); return err },
		} {
			if err := call(); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("%s: err = %v, want ErrNotFound", name, err)
			}
		}
	})
}

// dispatch runs DispatchJobs and returns the ids it handed out.
func dispatch(t *testing.T, db *DB, limit int, redispatchBefore time.Time) []int64 {
	t.Helper()
	var ids []int64
	n, err := db.DispatchJobs(t.Context(), limit, redispatchBefore, func(j OutboxJob) error {
		ids = append(ids, j.ID)
		return nil
	})
	if err != nil || n != len(ids) {
		t.Fatalf("DispatchJobs = %d, %v; enqueued %d", n, err, len(ids))
	}
	return ids
}

func TestDispatchJobs(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		a := create(t, db, submission("desk-1")) // jobs 1–3: tg, ru, en
		urgent := submission("desk-2")
		urgent.Priority, urgent.TargetLangs = tarjuma.PriorityUrgent, []tarjuma.Lang{tarjuma.Tajik}
		create(t, db, urgent) // job 4

		failing := errors.New("redis down")
		var tried []OutboxJob
		n, err := db.DispatchJobs(t.Context(), 10, time.Time{}, func(j OutboxJob) error {
			tried = append(tried, j)
			if len(tried) == 3 {
				return failing
			}
			return nil
		})
		if !errors.Is(err, failing) || n != 2 {
			t.Fatalf("DispatchJobs with a failing enqueue = %d, %v; want 2 and the error", n, err)
		}
		if tried[0].Priority != tarjuma.PriorityUrgent {
			t.Errorf("first job handed out is %+v, want the urgent one", tried[0])
		}
		if got := dispatch(t, db, 10, time.Time{}); !cmp.Equal(got, []int64{tried[2].ID, 3}) {
			t.Errorf("next call dispatched %v, want the failed job %d and the rest", got, tried[2].ID)
		}
		if got := dispatch(t, db, 10, time.Time{}); len(got) != 0 {
			t.Errorf("dispatched %v again without redispatch", got)
		}

		// Redispatch takes the jobs whose translation still waits for them: with the article's
		// tg translating, ru queued and en in review, jobs 1 (tg), 2 (ru) and the urgent 4.
		translate(t, db, a.ID, tarjuma.English, 1)
		start(t, db, a.ID, 1)
		later := time.Now().Add(time.Hour)
		got := dispatch(t, db, 10, later)
		slices.Sort(got)
		if want := []int64{1, 2, 4}; !cmp.Equal(got, want) {
			t.Errorf("redispatched %v, want %v", got, want)
		}
		if got := dispatch(t, db, 10, time.Now().Add(-time.Hour)); len(got) != 0 {
			t.Errorf("redispatched %v, jobs dispatched after redispatchBefore", got)
		}
		// A new revision supersedes the old jobs: only the new ones go out.
		newRevision(t, db, a.ID)
		got = dispatch(t, db, 10, time.Now().Add(time.Hour))
		slices.Sort(got)
		if want := []int64{4, 5, 6, 7}; !cmp.Equal(got, want) {
			t.Errorf("after a new revision dispatched %v, want %v", got, want)
		}
		if got := dispatch(t, db, 1, time.Time{}); len(got) != 0 {
			t.Errorf("dispatched %v, want nothing pending", got)
		}
	})
}

// TestDispatchJobsConcurrentOnPostgres overlaps two relays: the first holds its batch, locked,
// inside its enqueue until a second relay's call has returned. That call must skip the held
// rows, neither waiting for them (the first would then wait for ever) nor handing them out
// again. It may find nothing: the pending rows it picks are the oldest, which the first holds.
// Then both drain the outbox; no job may go out twice.
func TestDispatchJobsConcurrentOnPostgres(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		if db.Dialect() != "postgres" {
			t.Skip("SQLite relays do not lock: concurrent ones may both enqueue a job, which the queue dedups")
		}
		for i := range 10 {
			create(t, db, submission(fmt.Sprint("desk-", i)))
		}
		var mu sync.Mutex
		seen := make(map[int64]int)
		count := func(j OutboxJob) {
			mu.Lock()
			seen[j.ID]++
			mu.Unlock()
		}
		drain := func() {
			for {
				n, err := db.DispatchJobs(t.Context(), 4, time.Time{}, func(j OutboxJob) error { count(j); return nil })
				if err != nil {
					t.Error(err)
				}
				if n == 0 || err != nil {
					return
				}
			}
		}
		holding, overlapped := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			first := true
			n, err := db.DispatchJobs(t.Context(), 4, time.Time{}, func(j OutboxJob) error {
				count(j)
				if first {
					first = false
					close(holding)
					select {
					case <-overlapped:
					case <-time.After(10 * time.Second): // a relay blocked on the locks never gets here
						t.Error("the second relay's call did not return while the first held its batch")
					}
				}
				return nil
			})
			if n != 4 || err != nil {
				t.Errorf("first relay's held batch: %d, %v; want 4", n, err)
			}
			drain()
		})
		wg.Go(func() {
			<-holding
			if _, err := db.DispatchJobs(t.Context(), 4, time.Time{}, func(j OutboxJob) error { count(j); return nil }); err != nil {
				t.Errorf("second relay, beside the held batch: %v", err)
			}
			close(overlapped)
			drain()
		})
		wg.Wait()
		if len(seen) != 30 {
			t.Errorf("%d jobs dispatched, want 30", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %d handed out %d times", id, n)
			}
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		secret, tok, err := db.CreateToken(t.Context(), "desk bot", tarjuma.RoleEditor)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "tj_") || len(secret) != 3+43 {
			t.Errorf("secret %q: want tj_ and 43 base64url characters", secret)
		}
		got, err := db.LookupToken(t.Context(), secret)
		if err != nil || !cmp.Equal(got, tok) || tok.Role != tarjuma.RoleEditor || tok.Name != "desk bot" {
			t.Errorf("LookupToken = %+v, %v; want %+v", got, err, tok)
		}
		for _, wrong := range []string{"", secret[:len(secret)-1], secret + "x", strings.ToUpper(secret)} {
			if _, err := db.LookupToken(t.Context(), wrong); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("LookupToken(%q): err = %v, want ErrNotFound", wrong, err)
			}
		}
		second, _, err := db.CreateToken(t.Context(), "reviewer", tarjuma.RoleReviewer)
		if err != nil || second == secret {
			t.Fatalf("second token %q, %v", second, err)
		}

		rows, err := db.read.QueryContext(t.Context(), "SELECT * FROM api_tokens")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range values {
				s := fmt.Sprintf("%s", v)
				for _, sec := range []string{secret, second, strings.TrimPrefix(secret, "tj_"), strings.TrimPrefix(second, "tj_")} {
					if strings.Contains(s, sec) {
						t.Errorf("column %s holds the secret", cols[i])
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemory(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		entries := []MemoryEntry{
			{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "قمة", Text: "саммит"},
			{Source: tarjuma.Arabic, Target: tarjuma.Russian, Key: "قمة", Text: "саммит"},
			{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "وزير", Text: "вазир"},
		}
		if err := db.PutMemory(t.Context(), entries); err != nil {
			t.Fatal(err)
		}
		if err := db.PutMemory(t.Context(), []MemoryEntry{{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "وزير", Text: "вазири"}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.LookupMemory(t.Context(), tarjuma.Arabic, tarjuma.Tajik, []string{"قمة", "وزير", "غائب"})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]string{"قمة": "саммит", "وزير": "вазири"}; !cmp.Equal(got, want) {
			t.Errorf("LookupMemory = %v, want %v", got, want)
		}
		if got, err := db.LookupMemory(t.Context(), tarjuma.Arabic, tarjuma.English, []string{"قمة"}); err != nil || len(got) != 0 {
			t.Errorf("lookup in another language pair = %v, %v; want nothing", got, err)
		}

		// More keys than one query takes.
		var many []MemoryEntry
		var keys []string
		for i := range 2*memoryBatch + 7 {
			k := fmt.Sprint("مفتاح ", i)
			keys = append(keys, k)
			many = append(many, MemoryEntry{Source: tarjuma.Arabic, Target: tarjuma.English, Key: k, Text: fmt.Sprint("key ", i)})
		}
		if err := db.PutMemory(t.Context(), many); err != nil {
			t.Fatal(err)
		}
		got, err = db.LookupMemory(t.Context(), tarjuma.Arabic, tarjuma.English, keys)
		if err != nil || len(got) != len(keys) || got[keys[len(keys)-1]] != fmt.Sprint("key ", len(keys)-1) {
			t.Errorf("batched lookup found %d of %d, %v", len(got), len(keys), err)
		}

		// A sentence far past what a PostgreSQL btree entry holds (2704 bytes), even compressed.
		var long strings.Builder
		for i := range 3000 {
			fmt.Fprintf(&long, "الجملة %d ", i)
		}
		longKey := long.String()
		for _, text := range []string{"a long sentence", "a long sentence, revised"} {
			if err := db.PutMemory(t.Context(), []MemoryEntry{{Source: tarjuma.Arabic, Target: tarjuma.English, Key: longKey, Text: text}}); err != nil {
				t.Fatalf("remembering a %d-byte sentence: %v", len(longKey), err)
			}
			got, err := db.LookupMemory(t.Context(), tarjuma.Arabic, tarjuma.English, []string{longKey, longKey[:len(longKey)-2]})
			if want := map[string]string{longKey: text}; err != nil || !cmp.Equal(got, want) {
				t.Errorf("lookup of the long sentence = %d entries, %v; want only %q", len(got), err, text)
			}
		}
	})
}

// trickyTexts must come back byte for byte: normalising them anywhere would corrupt articles.
var trickyTexts = []string{
	"وَقَالَ الرَّئِيسُ: «السَّلَامُ عَلَيْكُمْ»", // tashkeel
	"\u200fعاجل\u200f: انعقاد القمة",              // RLM
	"می\u200cخواهم", // ZWNJ
	"Ғафуров ӣ қонун ӯ ҳукумат ҷумҳурӣ", // Tajik Cyrillic
	"Саммит в Душанбе: «ёлка», щ, ъ",    // Russian
	"🇹🇯 flags 👩🏽‍💻 and a family 👨‍👩‍👧",  // emoji with joiners
	"ﻻ ﷲ ﷺ", // presentation forms NFKC would fold
	"tab\tnew\nline \"quotes\" <tag> & \\ \u2028 end", // JSON escapes
	"  leading and trailing spaces  ",
}

func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		for i, text := range trickyTexts {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				in := submission(text)
				in.Title, in.Body, in.Author = text, text+"\n"+text, text
				a := create(t, db, in)
				read, err := db.Article(t.Context(), a.ID)
				if err != nil {
					t.Fatal(err)
				}
				rev, err := db.SourceRevision(t.Context(), a.ID, 1)
				if err != nil {
					t.Fatal(err)
				}
				again, created, err := db.CreateArticle(t.Context(), submission(text))
				if err != nil || created || again.ID != a.ID {
					t.Errorf("external id %q not found again: %v, %v", text, again.ID, err)
				}

				start(t, db, a.ID, 1)
				v := machineVersionFor(a.ID, tarjuma.Tajik, 1, text)
				v.Segments[1].Source, v.Segments[1].Text = text, text
				if _, _, err := db.SaveMachineVersion(t.Context(), v); err != nil {
					t.Fatal(err)
				}
				saved, err := db.LatestVersion(t.Context(), a.ID, tarjuma.Tajik)
				if err != nil {
					t.Fatal(err)
				}

				if err := db.PutMemory(t.Context(), []MemoryEntry{{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: text, Text: text}}); err != nil {
					t.Fatal(err)
				}
				memory, err := db.LookupMemory(t.Context(), tarjuma.Arabic, tarjuma.Tajik, []string{text})
				if err != nil {
					t.Fatal(err)
				}

				for what, got := range map[string]string{
					"article title": read.Title,
					"external id":   read.ExternalID, "revision author": rev.Author, "revision title": rev.Title,
					"version title": saved.Title(), "segment source": saved.Segments[1].Source,
					"segment text": saved.Segments[1].Text, "memory": memory[text],
				} {
					if got != text {
						t.Errorf("%s = %q, want %q", what, got, text)
					}
				}
				if read.Body != in.Body {
					t.Errorf("article body = %q, want %q", read.Body, in.Body)
				}
			})
		}
	})
}

// TestSegmentsRoundTrip holds the stored JSON of segments, with their glossary spans, checks
// and flags, to reading back exactly what was written, whatever the text holds.
func TestSegmentsRoundTrip(t *testing.T) {
	texts := append([]string{"\x01\x1f\x7f", `"quoted" \ back\slash`, "<b>&amp;</b>", "\u2028\u2029", "\n\r\t"}, trickyTexts...)
	var segs []tarjuma.Segment
	for i, text := range texts {
		segs = append(segs, tarjuma.Segment{ID: fmt.Sprint("p", i), Source: text, Text: text + "!", Origin: tarjuma.OriginHuman,
			Terms:  []tarjuma.TermSpan{{TermID: "emomali-rahmon", Start: 1, End: 3}},
			Checks: []tarjuma.TermCheck{{TermID: "emomali-rahmon", Result: "inflected", Form: "Рахмона", Start: 0, End: 14}},
			Flags:  []tarjuma.Flag{{Kind: "term_wrong_form", Args: []string{text, text + "?"}}, {Kind: "bidi"}},
			Status: tarjuma.SegmentDraft}) // a human text left a draft stays one
	}
	// Checked and clean stays an empty list, not "never checked".
	segs = append(segs, tarjuma.Segment{ID: "clean", Source: "قمة", Text: "Summit", Origin: tarjuma.OriginHuman, Flags: []tarjuma.Flag{},
		Status: tarjuma.SegmentConfirmed})
	raw, err := encodeSegments(segs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeSegments(raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(segs, got); diff != "" {
		t.Errorf("segments read back (-written +read):\n%s", diff)
	}
}

// TestSegmentStatusOfOldRows: a segment stored before segments had a status reads as confirmed
// when a person wrote it and as a draft otherwise.
func TestSegmentStatusOfOldRows(t *testing.T) {
	raw := `[{"id":"title","source":"قمة","text":"Саммит","origin":"human","flags":[]},` +
		`{"id":"p1.s1","source":"نص.","text":"Матн.","origin":"mt:google","flags":[]},` +
		`{"id":"p1.s2","source":"نص.","text":"Матн.","origin":"memory","flags":[]},` +
		`{"id":"p1.s3","source":"نص.","text":"نص.","origin":"untranslated"},` +
		`{"id":"p1.s4","source":"نص.","text":"Матн.","origin":"human","status":"draft","flags":[]}]`
	segs, err := decodeSegments(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []tarjuma.SegmentStatus{"confirmed", "draft", "draft", "draft", "draft"}
	var got []tarjuma.SegmentStatus
	for _, s := range segs {
		got = append(got, s.Status)
	}
	if !slices.Equal(got, want) {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if p, want := (tarjuma.Version{Segments: segs}).Progress(), (tarjuma.Progress{Segments: 5, SegmentsConfirmed: 1, Words: 5, WordsConfirmed: 1}); p != want {
		t.Errorf("progress = %+v, want %+v", p, want)
	}
}
