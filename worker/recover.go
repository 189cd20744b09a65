package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
)

// Orphan recovery. A worker killed mid-task (SIGKILL, OOM, a lost node) leaves its task
// "active" in Redis. asynq v0.26 gives it back only once its 30-second lease has been expired
// for a further 30 seconds, and its recoverer looks every minute (both fixed, not in
// asynq.Config), so the work waited 60 to 120 seconds. The relay takes such tasks back sooner,
// by the same evidence asynq uses, read earlier:
//
//   - no live asynq server lists the task among its workers. Each server rewrites that list
//     every 5 seconds under a 10-second TTL kept by Redis itself, so a killed server's list is
//     gone within 10 seconds whatever the clocks say; and
//   - the task's lease has not been extended for orphanStaleAfter. Servers extend it every 5
//     seconds; this check covers a task dequeued since the last heartbeat, which is not listed
//     yet but has a fresh lease.
//
// Such a task goes back to the front of its pending list exactly as asynq's own Requeue does on
// shutdown (same TaskID, same retry count), in one script that checks both the active list and
// the lease again, so a task that finished or was extended meanwhile is left alone.
//
// A live server that cannot reach Redis for orphanStaleAfter loses its tasks this way while its
// handler may still run, as it would with asynq after 30 seconds: the translation then runs
// twice, and the store keeps one machine version per source revision. A task that keeps killing
// its workers is taken back at most orphanMaxRecoveries times; after that asynq's own recoverer,
// which counts the attempts and archives the task when they are spent, deals with it.
//
// This reads asynq's Redis layout (asynq:{queue}:active, :lease, :pending, :t:<id>,
// asynq:workers), which is not a public API: recover_test.go pins it against asynq itself.
const (
	// leaseDuration is asynq's lease (base.LeaseDuration in v0.26), set again at each heartbeat.
	leaseDuration = 30 * time.Second
	// orphanStaleAfter is three missed heartbeats; it bounds how soon after a kill a task
	// comes back (plus up to a second for the relay's next look).
	orphanStaleAfter = 15 * time.Second
	// orphanMaxRecoveries caps the fast path per task; see above.
	orphanMaxRecoveries = 3
	// recoverEvery spaces the look-ups when Wake kicks the relay many times a second.
	recoverEvery = time.Second
	// serverSkew keeps servers in view whose registration score (their own clock) looks up to
	// this much expired; whether they are alive is decided by Redis's TTL on their worker list.
	serverSkew = time.Minute
)

// taskQueues are the queues the worker serves, hence the ones whose tasks can be orphaned.
func taskQueues() []string {
	return []string{string(tarjuma.PriorityUrgent), string(tarjuma.PriorityDefault), string(tarjuma.PriorityBulk)}
}

// requeueOrphanCmd moves one active task back to pending if its lease is stale and it has not
// been recovered too often.
//
// KEYS[1] asynq:{q}:active  KEYS[2] asynq:{q}:lease  KEYS[3] asynq:{q}:pending
// KEYS[4] asynq:{q}:t:<id>  KEYS[5] tarjuma:{q}:recovered:<id> (same slot as the others)
// ARGV[1] task id  ARGV[2] latest lease expiry (unix seconds) that counts as stale
// ARGV[3] recoveries allowed  ARGV[4] seconds the recovery count is kept
// Returns 1 when requeued, 0 when the task is not an orphan (any more), -1 when over the cap.
var requeueOrphanCmd = redis.NewScript(`
local lease = redis.call("ZSCORE", KEYS[2], ARGV[1])
if not lease or tonumber(lease) > tonumber(ARGV[2]) then
	return 0
end
if tonumber(redis.call("GET", KEYS[5]) or "0") >= tonumber(ARGV[3]) then
	return -1
end
if redis.call("LREM", KEYS[1], 0, ARGV[1]) == 0 then
	return 0
end
redis.call("ZREM", KEYS[2], ARGV[1])
redis.call("INCR", KEYS[5])
redis.call("EXPIRE", KEYS[5], ARGV[4])
redis.call("RPUSH", KEYS[3], ARGV[1])
redis.call("HSET", KEYS[4], "state", "pending")
return 1`)

// orphan is one task taken back.
type orphan struct {
	Queue, TaskID string
}

// recoverOrphans requeues the tasks of dead workers (see above) and returns them.
func recoverOrphans(ctx context.Context, rdb redis.UniversalClient, now time.Time, keep time.Duration) ([]orphan, error) {
	listed, err := listedTasks(ctx, rdb, now)
	if err != nil {
		return nil, err
	}
	staleBefore := now.Add(leaseDuration - orphanStaleAfter).Unix()
	var taken []orphan
	for _, q := range taskQueues() {
		active, err := rdb.LRange(ctx, "asynq:{"+q+"}:active", 0, -1).Result()
		if err != nil {
			return taken, fmt.Errorf("list active tasks of %s: %w", q, err)
		}
		for _, id := range active {
			if listed[id] {
				continue
			}
			keys := []string{"asynq:{" + q + "}:active", "asynq:{" + q + "}:lease", "asynq:{" + q + "}:pending",
				"asynq:{" + q + "}:t:" + id, "tarjuma:{" + q + "}:recovered:" + id}
			n, err := requeueOrphanCmd.Run(ctx, rdb, keys, id, staleBefore, orphanMaxRecoveries, int(keep.Seconds())).Int()
			if err != nil {
				return taken, fmt.Errorf("requeue orphaned task %s: %w", id, err)
			}
			if n == 1 {
				taken = append(taken, orphan{Queue: q, TaskID: id})
			}
		}
	}
	return taken, nil
}

// listedTasks returns the ids of the tasks that live asynq servers say they are running.
func listedTasks(ctx context.Context, rdb redis.UniversalClient, now time.Time) (map[string]bool, error) {
	keys, err := rdb.ZRangeByScore(ctx, "asynq:workers", &redis.ZRangeBy{
		Min: fmt.Sprint(now.Add(-serverSkew).Unix()), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("list asynq servers: %w", err)
	}
	listed := map[string]bool{}
	for _, k := range keys {
		ids, err := rdb.HKeys(ctx, k).Result() // empty once Redis expired a dead server's list
		if err != nil {
			return nil, fmt.Errorf("list workers of %s: %w", k, err)
		}
		for _, id := range ids {
			listed[id] = true
		}
	}
	return listed, nil
}
