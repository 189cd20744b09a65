package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

func TestNewTranslateTask(t *testing.T) {
	redis := redisOpt(t, testenv.Redises(t)[0].URL)
	client := newClient(t, redis)
	tests := []struct {
		priority  tarjuma.Priority
		retention time.Duration
		wantQueue string
		wantKeep  time.Duration
	}{
		{tarjuma.PriorityUrgent, time.Hour, "urgent", time.Hour},
		{tarjuma.PriorityDefault, 0, "default", DefaultRetention},
		{tarjuma.PriorityBulk, -1, "bulk", DefaultRetention},
		{"", 0, "default", DefaultRetention},
	}
	for i, tt := range tests {
		j := store.OutboxJob{ID: int64(i + 1), ArticleID: 42, Lang: tarjuma.Tajik, SourceRevision: i + 1, Priority: tt.priority}
		task, err := NewTranslateTask(j, tt.retention)
		if err != nil {
			t.Fatal(err)
		}
		info, err := client.Enqueue(task)
		if err != nil {
			t.Fatal(err)
		}
		wantID := fmt.Sprintf("translate:42:tg:r%d", i+1)
		if info.ID != wantID || info.Queue != tt.wantQueue || info.Retention != tt.wantKeep ||
			info.MaxRetry != maxRetry || info.Timeout != DefaultTranslateTimeout {
			t.Errorf("priority %q: got id %s queue %s retention %v max retry %d timeout %v; want %s %s %v %d %v",
				tt.priority, info.ID, info.Queue, info.Retention, info.MaxRetry, info.Timeout,
				wantID, tt.wantQueue, tt.wantKeep, maxRetry, DefaultTranslateTimeout)
		}
		if got, want := string(task.Payload()), fmt.Sprintf(`{"article_id":42,"lang":"tg","source_revision":%d}`, i+1); got != want {
			t.Errorf("payload %s carries more than ids", got)
		}
	}
}

func TestHandlerStoresOneVersionPerLanguage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		engine := &stubEngine{}
		h := newHandler(t, db, engine)
		a := submitSample(t, db)
		want := tarjuma.SplitSource(sampleTitle, sampleBody)

		for _, l := range tarjuma.TargetLangs() {
			// Twice, as after a crash between storing and acknowledging the task.
			for range 2 {
				mustProcess(t, h, a.ID, l, 1)
			}
			vs := versions(t, db, a.ID, l)
			if len(vs) != 1 {
				t.Fatalf("%s: %d versions, want 1", l, len(vs))
			}
			v := vs[0]
			if v.Number != 1 || !v.Machine || v.Author != tarjuma.MachineAuthor || v.SourceRevision != 1 || len(v.Segments) != len(want) {
				t.Errorf("%s: version %+v", l, v)
			}
			for i, s := range v.Segments {
				if s.ID != want[i].ID || s.Source != want[i].Source || s.Origin != "mt:stub" || !strings.HasPrefix(s.Text, "["+string(l)+"#") {
					t.Errorf("%s: segment %d = %+v", l, i, s)
				}
			}
			if tr := translation(t, db, a.ID, l); tr.Status != tarjuma.StatusNeedsReview || tr.LatestVersion != 1 {
				t.Errorf("%s: translation %+v, want needs_review at version 1", l, tr)
			}
		}
		if engine.calls != 3 {
			t.Errorf("engine called %d times, want once per language", engine.calls)
		}
	})
}

func TestHandlerResumesAfterCrash(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		h := newHandler(t, db, &stubEngine{})
		a := submitSample(t, db)
		// A worker started the task and died before storing anything.
		if _, _, err := db.StartTranslating(t.Context(), a.ID, tarjuma.Russian, 1); err != nil {
			t.Fatal(err)
		}
		mustProcess(t, h, a.ID, tarjuma.Russian, 1)
		if n := len(versions(t, db, a.ID, tarjuma.Russian)); n != 1 {
			t.Errorf("%d versions, want 1", n)
		}
	})
}

func TestHandlerUsesMemory(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		engine := &stubEngine{}
		h := newHandler(t, db, engine)
		a := submitSample(t, db)
		err := db.PutMemory(t.Context(), []store.MemoryEntry{{
			Source: tarjuma.Arabic, Target: tarjuma.English, Key: glossary.MemoryKey(" " + sampleTitle + " "), Text: "Approved title",
		}})
		if err != nil {
			t.Fatal(err)
		}
		mustProcess(t, h, a.ID, tarjuma.English, 1)
		v := versions(t, db, a.ID, tarjuma.English)[0]
		if title := v.Segments[0]; title.Text != "Approved title" || title.Origin != tarjuma.OriginMemory {
			t.Errorf("title = %+v, want it from memory", title)
		}
		if got, want := engine.Texts(), len(v.Segments)-1; got != want {
			t.Errorf("engine got %d texts, want %d (all but the title)", got, want)
		}
	})
}

func TestHandlerIgnoresStaleRevision(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		engine := &stubEngine{}
		h := newHandler(t, db, engine)
		a := submitSample(t, db)
		if _, err := db.UpdateArticleSource(t.Context(), a.ID, 0, sampleTitle, sampleBody+"\nفقرة جديدة.", "test"); err != nil {
			t.Fatal(err)
		}

		if err := process(t.Context(), t, h, a.ID, tarjuma.Tajik, 1); err != nil {
			t.Fatalf("stale task: %v, want nil", err)
		}
		if n := len(versions(t, db, a.ID, tarjuma.Tajik)); n != 0 || engine.calls != 0 {
			t.Fatalf("stale task stored %d versions and called the engine %d times", n, engine.calls)
		}
		mustProcess(t, h, a.ID, tarjuma.Tajik, 2)
		if vs := versions(t, db, a.ID, tarjuma.Tajik); len(vs) != 1 || vs[0].SourceRevision != 2 {
			t.Errorf("versions %+v, want one for revision 2", vs)
		}
	})
}

func TestHandlerRetranslatesOnlyChangedSegments(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		engine := &stubEngine{}
		h := newHandler(t, db, engine)
		title, body := "عنوان الخبر", "الجملة الأولى. الجملة الثانية.\nالفقرة الثانية."
		a := submit(t, db, title, body)
		mustProcess(t, h, a.ID, tarjuma.Russian, 1)
		first := engine.Texts()

		body = "الجملة الأولى. جملة معدلة.\nالفقرة الثانية.\nفقرة مضافة."
		if _, err := db.UpdateArticleSource(t.Context(), a.ID, 0, title, body, "test"); err != nil {
			t.Fatal(err)
		}
		mustProcess(t, h, a.ID, tarjuma.Russian, 2)
		if got := engine.Texts() - first; got != 2 {
			t.Errorf("revision 2 sent %d texts to the engine, want the 2 changed ones", got)
		}
		v, err := db.LatestVersion(t.Context(), a.ID, tarjuma.Russian)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{ // segment id → the engine call its text must come from
			"title": "#1]", "p1.s1": "#1]", "p1.s2": "#2]", "p2.s1": "#1]", "p3.s1": "#2]",
		}
		if v.Number != 2 || v.SourceRevision != 2 || len(v.Segments) != len(want) {
			t.Fatalf("version %+v", v)
		}
		for _, s := range v.Segments {
			if !strings.Contains(s.Text, want[s.ID]) || !strings.HasSuffix(s.Text, s.Source) {
				t.Errorf("segment %s = %q, want the text of call %s", s.ID, s.Text, want[s.ID])
			}
		}
	})
}

// TestHandlerEngineFailures: whatever the engine's failure, no version is stored. A permanent
// one fails the translation and skips asynq's retries; any other, the task's own deadline
// included (which the handler must honour promptly), leaves it translating for the retry.
func TestHandlerEngineFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error         // the engine's answer
		block      bool          // the engine answers only when the context ends
		deadline   time.Duration // the task's, when it has one
		wantErr    error         // what the handler's error must wrap, if anything in particular
		retryable  bool
		wantStatus tarjuma.Status
		wantReason string
	}{{
		name:       "permanent",
		err:        &translate.Error{Provider: "stub", Permanent: true, Err: errors.New("language not supported")},
		wantErr:    asynq.SkipRetry,
		wantStatus: tarjuma.StatusFailed,
		wantReason: "machine translation failed: mt stub: language not supported",
	}, {
		name:       "retryable",
		err:        errors.New("503 service unavailable"),
		retryable:  true,
		wantStatus: tarjuma.StatusTranslating,
	}, {
		name:       "deadline",
		block:      true,
		deadline:   200 * time.Millisecond,
		wantErr:    context.DeadlineExceeded,
		retryable:  true,
		wantStatus: tarjuma.StatusTranslating,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eachDB(t, func(t *testing.T, db *store.DB) {
				h := newHandler(t, db, &stubEngine{err: tt.err, block: tt.block})
				a := submitSample(t, db)
				ctx := t.Context()
				if tt.deadline > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}

				start := time.Now()
				err := process(ctx, t, h, a.ID, tarjuma.Tajik, 1)
				if took := time.Since(start); tt.deadline > 0 && took > 2*time.Second {
					t.Errorf("handler returned %v after its context ended", took)
				}
				if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || errors.Is(err, asynq.SkipRetry) == tt.retryable {
					t.Fatalf("err = %v, want one wrapping %v, retryable %v", err, tt.wantErr, tt.retryable)
				}
				if tr := translation(t, db, a.ID, tarjuma.Tajik); tr.Status != tt.wantStatus || tr.FailureReason != tt.wantReason {
					t.Errorf("translation %+v, want %s with reason %q", tr, tt.wantStatus, tt.wantReason)
				}
				if n := len(versions(t, db, a.ID, tarjuma.Tajik)); n != 0 {
					t.Errorf("%d versions stored", n)
				}
			})
		})
	}
}

// TestMachineVersionStoredWithFlags: the worker checks the version it stores. The stub engine's
// "#1" is a number the source does not have and there is no glossary, so every segment carries
// that flag first; the stub echoes the Arabic, so the rest are the script checks' (Arabic
// letters and marks in an English text). The metric counts each stored flag once, and a
// re-run task, which stores nothing, adds nothing.
func TestMachineVersionStoredWithFlags(t *testing.T) {
	for _, d := range testenv.Databases(t) {
		t.Run(d.Name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			db := openDB(t, d.URL, store.OnVersionStored(qa.NewMetrics(reg).Count))
			a := submitSample(t, db)
			h := newHandler(t, db, &stubEngine{})
			for range 2 {
				mustProcess(t, h, a.ID, tarjuma.English, 1)
			}
			vs := versions(t, db, a.ID, tarjuma.English)
			if len(vs) != 1 {
				t.Fatalf("%d versions, want 1", len(vs))
			}
			want := tarjuma.Flag{Kind: qa.NumberExtra, Args: []string{"1"}}
			counts := map[tarjuma.FlagKind]int{}
			for _, s := range vs[0].Segments {
				if !strings.HasPrefix(s.Text, "[en#1] ") {
					t.Fatalf("segment %s = %q, want the stub's first call", s.ID, s.Text)
				}
				if len(s.Flags) == 0 || !cmp.Equal(want, s.Flags[0]) {
					t.Errorf("segment %s flags %+v, want %+v first", s.ID, s.Flags, want)
				}
				for _, f := range s.Flags {
					if f.Kind != qa.NumberExtra && f.Kind != qa.ForeignScript && f.Kind != qa.ArabicPunctuation {
						t.Errorf("segment %s: flag %+v, want only the number and the echoed Arabic's", s.ID, f)
					}
					counts[f.Kind]++
				}
			}
			if counts[qa.NumberExtra] != len(vs[0].Segments) {
				t.Errorf("%d number flags for %d segments", counts[qa.NumberExtra], len(vs[0].Segments))
			}
			metric := fmt.Sprintf(`
# HELP tarjuma_qa_flags_total Quality-check flags of the versions stored, by kind and language; each version counts once, when it is stored.
# TYPE tarjuma_qa_flags_total counter
tarjuma_qa_flags_total{kind="arabic_punctuation",lang="en"} %d
tarjuma_qa_flags_total{kind="foreign_script",lang="en"} %d
tarjuma_qa_flags_total{kind="number_extra",lang="en"} %d
`, counts[qa.ArabicPunctuation], counts[qa.ForeignScript], counts[qa.NumberExtra])
			if err := testutil.GatherAndCompare(reg, strings.NewReader(metric), "tarjuma_qa_flags_total"); err != nil {
				t.Error(err)
			}
		})
	}
}
