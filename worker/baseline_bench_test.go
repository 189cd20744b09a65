package worker

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma/internal/testenv"
)

// BenchmarkAsynqBaseline is the ceiling the pipeline benchmark is held against: asynq alone on
// the same Redis, with the same queues, concurrency 50 and a handler that only sleeps 20 ms, as
// the stub engine does. It runs on the real Redis when TARJUMA_TEST_REDIS_URL is set.
func BenchmarkAsynqBaseline(b *testing.B) {
	targets := testenv.Redises(b)
	opt, err := asynq.ParseRedisURI(targets[len(targets)-1].URL)
	if err != nil {
		b.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	var done atomic.Int64
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:       50,
		Queues:            map[string]int{"urgent": 6, "default": 3, "bulk": 1},
		TaskCheckInterval: 100 * time.Millisecond,
		LogLevel:          asynq.ErrorLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(ctx context.Context, _ *asynq.Task) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		done.Add(1)
		return nil
	})
	if err := srv.Start(mux); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()

	run := time.Now().UnixNano()
	b.ResetTimer()
	busyBefore, totalBefore, cpuOK := testenv.MachineCPU()
	start := time.Now()
	for i := range b.N {
		task := asynq.NewTask("noop", nil, asynq.TaskID(fmt.Sprintf("noop-%d-%d", run, i)), asynq.Retention(time.Hour))
		if _, err := client.Enqueue(task); err != nil {
			b.Fatal(err)
		}
	}
	for done.Load() < int64(b.N) {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	busyAfter, totalAfter, cpuAfterOK := testenv.MachineCPU()
	b.ReportMetric(float64(b.N)/elapsed, "tasks/s")
	b.ReportMetric(100*float64(b.N)/elapsed/2500, "%_of_bound")
	// What asynq alone costs the machine per task (client, server and Redis): the share of the
	// CPU the pipeline cannot spend on its own work at a given rate.
	if cpuOK && cpuAfterOK {
		busy := busyAfter - busyBefore
		b.ReportMetric(100*busy/(totalAfter-totalBefore), "machine_busy_%")
		b.ReportMetric(1000*busy/float64(b.N), "machine_cpu_ms/task")
	}
	b.ReportMetric(0, "ns/op")
}
