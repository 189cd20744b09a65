package worker

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// TestPipeline follows a submission from the outbox through Redis and the worker to stored
// versions, then checks that the finished tasks still block a second enqueue of the same work.
func TestPipeline(t *testing.T) {
	t.Parallel()
	eachDBAndRedis(t, func(t *testing.T, db *store.DB, redis asynq.RedisConnOpt) {
		reg := prometheus.NewPedanticRegistry()
		engine := &stubEngine{}
		client := newClient(t, redis)
		startServer(t, redis, newHandler(t, db, engine), reg)
		relay := startRelay(t, db, client, RelayConfig{Interval: time.Hour, Registerer: reg})

		a := submitSample(t, db)
		relay.Wake() // the hour-long interval leaves the kick as the only trigger
		testenv.WaitStatus(t, db, a.ID, tarjuma.StatusNeedsReview, 20*time.Second)

		for _, l := range tarjuma.TargetLangs() {
			if vs := versions(t, db, a.ID, l); len(vs) != 1 || vs[0].Segments[0].Origin != "mt:stub" {
				t.Errorf("%s: versions %+v, want one machine version", l, vs)
			}
		}
		if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP tarjuma_tasks_total Task attempts by outcome: success, retry (will run again) or failed (given up).
# TYPE tarjuma_tasks_total counter
tarjuma_tasks_total{outcome="success",type="translate:article"} 3
# HELP tarjuma_outbox_jobs_total Outbox jobs handed to the queue: enqueued, re-enqueued after their task was lost, or found already queued.
# TYPE tarjuma_outbox_jobs_total counter
tarjuma_outbox_jobs_total{result="enqueued"} 3
`), "tarjuma_tasks_total", "tarjuma_outbox_jobs_total"); err != nil {
			t.Error(err)
		}

		// The tasks are done, yet Retention keeps their ids: the same work cannot be queued again.
		inspector := asynq.NewInspector(redis)
		defer inspector.Close()
		for _, l := range tarjuma.TargetLangs() {
			j := store.OutboxJob{ArticleID: a.ID, Lang: l, SourceRevision: 1, Priority: tarjuma.PriorityDefault}
			task, err := NewTranslateTask(j, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Enqueue(task); !errors.Is(err, asynq.ErrTaskIDConflict) {
				t.Errorf("%s: second enqueue after completion: %v, want ErrTaskIDConflict", l, err)
			}
			if err := relay.enqueue(t.Context(), j); err != nil {
				t.Errorf("%s: relay enqueue of a finished job: %v, want success", l, err)
			}
		}
		completed, err := inspector.ListCompletedTasks("default")
		if err != nil {
			t.Fatal(err)
		}
		if len(completed) != 3 {
			t.Errorf("%d completed tasks in Redis, want 3", len(completed))
		}
		if n, err := db.DispatchJobs(t.Context(), 100, time.Now().Add(-time.Hour), func(j store.OutboxJob) error { return relay.enqueue(t.Context(), j) }); n != 0 || err != nil {
			t.Errorf("outbox after dispatch: %d jobs, %v; want none", n, err)
		}
	})
}

// TestLastAttemptMarksFailed runs a task whose retries are used up against a failing engine: the
// translation must end failed, not wait forever for a task asynq archived.
func TestLastAttemptMarksFailed(t *testing.T) {
	t.Parallel()
	eachDBAndRedis(t, func(t *testing.T, db *store.DB, redis asynq.RedisConnOpt) {
		startServer(t, redis, newHandler(t, db, &stubEngine{err: errors.New("503 service unavailable")}), nil)
		a := submitSample(t, db)
		task, err := NewTranslateTask(store.OutboxJob{ArticleID: a.ID, Lang: tarjuma.English, SourceRevision: 1}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := newClient(t, redis).Enqueue(task, asynq.MaxRetry(0)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for translation(t, db, a.ID, tarjuma.English).Status != tarjuma.StatusFailed {
			if time.Now().After(deadline) {
				t.Fatal("translation not marked failed after its last attempt")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if tr := translation(t, db, a.ID, tarjuma.English); !strings.Contains(tr.FailureReason, "503") {
			t.Errorf("failure reason %q does not say why", tr.FailureReason)
		}
	})
}

// TestRelaySurvivesRedisOutage submits while a real Redis is stopped: nothing may be lost, and
// the translations are done once Redis is back.
func TestRelaySurvivesRedisOutage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		rs := testenv.StartRedisServer(t)
		redis := redisOpt(t, rs.URL())
		startServer(t, redis, newHandler(t, db, &stubEngine{}), nil)
		relay := startRelay(t, db, newClient(t, redis), RelayConfig{})

		rs.Stop()
		a := submitSample(t, db)
		relay.Wake()
		deadline := time.Now().Add(20 * time.Second)
		for testutil.ToFloat64(relay.errors) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("the relay never noticed Redis was down")
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, l := range tarjuma.TargetLangs() {
			if tr := translation(t, db, a.ID, l); tr.Status != tarjuma.StatusQueued {
				t.Fatalf("%s: %s while Redis is down, want queued", l, tr.Status)
			}
		}

		rs.Start()
		testenv.WaitStatus(t, db, a.ID, tarjuma.StatusNeedsReview, 30*time.Second)
		for _, l := range tarjuma.TargetLangs() {
			if n := len(versions(t, db, a.ID, l)); n != 1 {
				t.Errorf("%s: %d versions, want 1", l, n)
			}
		}
	})
}
