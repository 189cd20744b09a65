package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogsStayJSONDuringRedisOutage runs `tarjuma serve` with TARJUMA_LOG_FORMAT=json against a
// Redis port where nothing listens, makes it reach for Redis (readiness probes, a submission the
// relay tries to enqueue), and holds every line it writes to stderr to being JSON: the Redis
// client's own dial errors included, which go-redis would otherwise print as plain text.
func TestLogsStayJSONDuringRedisOutage(t *testing.T) {
	addr, deadRedis := freeAddr(t), freeAddr(t) // nothing listens on deadRedis
	dir := t.TempDir()
	serve := runChild(t, []string{
		"TARJUMA_LOG_FORMAT=json",
		"TARJUMA_LOG_LEVEL=debug",
		"TARJUMA_REDIS_URL=redis://" + deadRedis,
		"TARJUMA_DATABASE_URL=sqlite:" + filepath.Join(dir, "tarjuma.db"),
	}, "serve", "--addr", addr)
	serve.Stderr = nil
	stderr, err := serve.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	// The lines are read as they come, so the test can wait for the outage to be logged
	// rather than for a time it hopes is long enough.
	var (
		mu    sync.Mutex
		lines []string
	)
	logged, read := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(read)
		once := sync.OnceFunc(func() { close(logged) })
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			if strings.Contains(sc.Text(), deadRedis) {
				once()
			}
		}
	}()

	base := "http://" + addr
	waitReady(t, base+"/healthz", 30*time.Second)
	deadline := time.After(30 * time.Second)
	for outage := false; !outage; {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz %d with Redis down, want 503", resp.StatusCode)
		}
		select {
		case <-logged:
			outage = true
		case <-deadline:
			t.Errorf("the Redis outage at %s was never logged", deadRedis)
			outage = true
		case <-time.After(200 * time.Millisecond): // probe again: each probe reaches for Redis
		}
	}
	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	<-read // all of stderr, before Wait closes the pipe
	if err := serve.Wait(); err != nil {
		t.Errorf("serve: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(lines) == 0 {
		t.Fatal("nothing on stderr")
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line %d is not JSON: %q", i+1, line)
		}
	}
}
