package worker

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma/internal/testenv"
)

// deadDequeue takes the next pending task of queue q as asynq's Dequeue does (v0.26 dequeueCmd)
// for a worker that then dies: the task is active under a lease that nobody extends.
func deadDequeue(t *testing.T, rdb redis.UniversalClient, q string, now time.Time) string {
	t.Helper()
	ctx := t.Context()
	id, err := rdb.RPopLPush(ctx, "asynq:{"+q+"}:pending", "asynq:{"+q+"}:active").Result()
	if err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, "asynq:{"+q+"}:t:"+id, "state", "active")
	rdb.HDel(ctx, "asynq:{"+q+"}:t:"+id, "pending_since")
	rdb.ZAdd(ctx, "asynq:{"+q+"}:lease", redis.Z{Score: float64(now.Add(leaseDuration).Unix()), Member: id})
	return id
}

func taskState(t *testing.T, in *asynq.Inspector, q, id string) asynq.TaskState {
	t.Helper()
	info, err := in.GetTaskInfo(q, id)
	if err != nil {
		t.Fatal(err)
	}
	return info.State
}

// TestRecoverOrphans checks which active tasks the relay takes back: only those with a stale
// lease that no live server lists, at most orphanMaxRecoveries times; and that asynq then sees
// them pending. The live case runs a real asynq server, pinning the Redis layout recover.go reads.
func TestRecoverOrphans(t *testing.T) {
	for _, r := range testenv.Redises(t) {
		t.Run(r.Name, func(t *testing.T) {
			opt := redisOpt(t, r.URL)
			rdb := opt.MakeRedisClient().(redis.UniversalClient)
			t.Cleanup(func() { rdb.Close() })
			client := newClient(t, opt)
			in := asynq.NewInspector(opt)
			t.Cleanup(func() { in.Close() })
			ctx := t.Context()
			q := "default"
			if _, err := client.Enqueue(asynq.NewTask("test:orphan", nil, asynq.TaskID("orphan"), asynq.Queue(q))); err != nil {
				t.Fatal(err)
			}

			for round := 1; round <= orphanMaxRecoveries+1; round++ {
				now := time.Now()
				id := deadDequeue(t, rdb, q, now)
				if got := taskState(t, in, q, id); got != asynq.TaskStateActive {
					t.Fatalf("after dequeue: %v, want active", got)
				}
				// Just dequeued, not yet in a heartbeat: the fresh lease keeps it.
				for _, after := range []time.Duration{0, orphanStaleAfter - 2*time.Second} {
					if taken, err := recoverOrphans(ctx, rdb, now.Add(after), time.Hour); err != nil || len(taken) != 0 {
						t.Fatalf("round %d, %v after dequeue: took %v, %v; want nothing", round, after, taken, err)
					}
				}
				taken, err := recoverOrphans(ctx, rdb, now.Add(orphanStaleAfter+2*time.Second), time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				if round > orphanMaxRecoveries {
					if len(taken) != 0 || taskState(t, in, q, id) != asynq.TaskStateActive {
						t.Fatalf("round %d: took %v; want it left to asynq's recoverer", round, taken)
					}
					break
				}
				if want := []orphan{{Queue: q, TaskID: "orphan"}}; !slices.Equal(taken, want) {
					t.Fatalf("round %d: took %v, want %v", round, taken, want)
				}
				if got := taskState(t, in, q, id); got != asynq.TaskStatePending {
					t.Fatalf("round %d: after recovery %v, want pending", round, got)
				}
				if taken, _ := recoverOrphans(ctx, rdb, now.Add(time.Minute), time.Hour); len(taken) != 0 {
					t.Fatalf("round %d: took %v again", round, taken)
				}
			}
			in.DeleteQueue(q, true) // the capped orphan would otherwise go to the server below

			// A live server's task is never taken, even when its lease looks stale to the relay
			// (its heartbeat is late, or the clocks disagree).
			release := make(chan struct{})
			srv := asynq.NewServer(opt, asynq.Config{Concurrency: 1, Queues: map[string]int{q: 1},
				TaskCheckInterval: 100 * time.Millisecond, Logger: asynqLogger{testLogger(t)}})
			mux := asynq.NewServeMux()
			mux.HandleFunc("test:live", func(ctx context.Context, _ *asynq.Task) error {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil
			})
			if err := srv.Start(mux); err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			defer close(release)
			if _, err := client.Enqueue(asynq.NewTask("test:live", nil, asynq.TaskID("live"), asynq.Queue(q))); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second) // a server lists its tasks at its next heartbeat, every 5s
			for listed := false; !listed; {
				if time.Now().After(deadline) {
					t.Fatal("the live server never listed its task")
				}
				time.Sleep(100 * time.Millisecond)
				servers, err := in.Servers()
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range servers {
					for _, w := range s.ActiveWorkers {
						listed = listed || w.TaskID == "live"
					}
				}
			}
			taken, err := recoverOrphans(ctx, rdb, time.Now().Add(leaseDuration), time.Hour)
			if err != nil || len(taken) != 0 {
				t.Fatalf("took %v, %v from a live server; want nothing", taken, err)
			}
			if got := taskState(t, in, q, "live"); got != asynq.TaskStateActive {
				t.Fatalf("live task %v, want active", got)
			}
		})
	}
}
