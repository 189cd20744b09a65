package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/translate"
)

// Run on the real services with:
//
//	TARJUMA_TEST_REDIS_URL=redis://127.0.0.1:6379 \
//	TARJUMA_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	go test -run '^$' -bench . -benchtime 1000x ./cmd/tarjuma
const (
	benchConcurrency = 50
	benchLatency     = 20 * time.Millisecond
)

// startBenchApp runs the whole pipeline on the real services when configured (the last
// backend), with a stub engine of fixed latency and 50 concurrent tasks.
func startBenchApp(b *testing.B) (string, *app) {
	all := backends(b)
	vars := all[len(all)-1]
	vars["TARJUMA_MT"] = "stub"
	vars["TARJUMA_WORKER_CONCURRENCY"] = fmt.Sprint(benchConcurrency)
	b.Logf("backend %s", vars["name"])
	return startApp(b, vars, map[string]translate.Provider{"stub": &stubProvider{latency: benchLatency}})
}

// BenchmarkPipeline measures articles per second from POST /api/v1/articles to three stored
// versions, against the bound the engine sets: concurrency ÷ latency tasks per second.
func BenchmarkPipeline(b *testing.B) {
	base, a := startBenchApp(b)
	title, body := tarjuma.SampleArticle()
	run := time.Now().UnixNano()
	startTasks := succeededTasks(b, a)
	want := startTasks + 3*float64(b.N)

	b.ResetTimer()
	busyBefore, totalBefore, cpuOK := testenv.MachineCPU()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				payload := map[string]any{"title": title, "body": body, "external_id": fmt.Sprintf("bench-%d-%d", run, i)}
				if code := call(b, "POST", base+"/api/v1/articles", payload, nil); code != http.StatusAccepted {
					b.Errorf("submit: status %d", code)
					return
				}
			}
		})
	}
	wg.Wait()
	submitted := time.Since(start).Seconds()
	for succeededTasks(b, a) < want {
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("only %.0f of %.0f tasks done after 10 minutes", succeededTasks(b, a)-startTasks, want-startTasks)
		}
		time.Sleep(25 * time.Millisecond) // Gather is not free: poll gently
	}
	elapsed := time.Since(start).Seconds()
	b.StopTimer()
	busyAfter, totalAfter, cpuAfterOK := testenv.MachineCPU()

	bound := float64(benchConcurrency) / benchLatency.Seconds()
	tasksPerSec := 3 * float64(b.N) / elapsed
	b.ReportMetric(float64(b.N)/elapsed, "articles/s")
	b.ReportMetric(float64(b.N)/submitted, "submitted/s")
	b.ReportMetric(tasksPerSec, "tasks/s")
	b.ReportMetric(bound, "bound_tasks/s")
	b.ReportMetric(100*tasksPerSec/bound, "%_of_bound")
	if sum, count := taskDurations(b, a); count > 0 {
		b.ReportMetric(1000*sum/count, "task_ms")
	}
	if cpuOK && cpuAfterOK {
		busy := busyAfter - busyBefore
		b.ReportMetric(100*busy/(totalAfter-totalBefore), "machine_busy_%")
		b.ReportMetric(1000*busy/float64(b.N), "machine_cpu_ms/article")
	}
	b.ReportMetric(0, "ns/op")
}

// taskDurations reads the sum and count of tarjuma_task_duration_seconds: the mean handler time
// tells whether the bound is missed in the handler or before it.
func taskDurations(b *testing.B, a *app) (sum, count float64) {
	families, err := a.registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "tarjuma_task_duration_seconds" {
			for _, m := range f.GetMetric() {
				sum += m.GetHistogram().GetSampleSum()
				count += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum, count
}

// succeededTasks reads tarjuma_tasks_total{outcome="success"} from the app's registry.
func succeededTasks(b *testing.B, a *app) float64 {
	families, err := a.registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "tarjuma_tasks_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == "success" {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}

// BenchmarkSubmitLatency sends POST /api/v1/articles open-loop at 200 requests per second
// (b.N requests) while the worker translates them, and reports the latency percentiles.
func BenchmarkSubmitLatency(b *testing.B) {
	const rate = 200
	base, _ := startBenchApp(b)
	title, body := tarjuma.SampleArticle()
	run := time.Now().UnixNano()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

	var mu sync.Mutex
	latencies := make([]time.Duration, 0, b.N)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		raw, _ := json.Marshal(map[string]any{"title": title, "body": body, "external_id": fmt.Sprintf("lat-%d-%d", run, i)})
		wg.Go(func() {
			req, _ := http.NewRequest("POST", base+"/api/v1/articles", bytes.NewReader(raw))
			req.Header.Set("Authorization", "Bearer "+testDevToken)
			began := time.Now()
			resp, err := client.Do(req)
			took := time.Since(began)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				b.Errorf("status %d", resp.StatusCode)
			}
			mu.Lock()
			latencies = append(latencies, took)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(pct(1), "max_ms")
	b.ReportMetric(0, "ns/op")
}
