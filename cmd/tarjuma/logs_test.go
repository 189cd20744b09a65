package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
	var stderr bytes.Buffer
	serve := runChild(t, []string{
		"TARJUMA_LOG_FORMAT=json",
		"TARJUMA_LOG_LEVEL=debug",
		"TARJUMA_REDIS_URL=redis://" + deadRedis,
		"TARJUMA_DATABASE_URL=sqlite:" + filepath.Join(dir, "tarjuma.db"),
	}, "serve", "--addr", addr)
	serve.Stderr = &stderr
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	waitReady(t, base+"/healthz", 30*time.Second)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz %d with Redis down, want 503", resp.StatusCode)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := serve.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("serve: %v", err)
	}

	lines, redisLines := 0, 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("stderr line %d is not JSON: %q", lines, sc.Text())
			continue
		}
		if strings.Contains(sc.Text(), deadRedis) {
			redisLines++
		}
	}
	if lines == 0 || redisLines == 0 {
		t.Errorf("%d lines on stderr, %d about Redis at %s; want the outage logged:\n%s", lines, redisLines, deadRedis, stderr.String())
	}
}
