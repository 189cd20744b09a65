package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

// lockedBuffer is an io.Writer the demo's goroutines and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runDemoUntilServing runs `tarjuma demo` with no TARJUMA_* variable but the data folder's,
// on the embedded Redis and SQLite, until it says it is serving; then it stops it as Ctrl-C
// would and returns what it printed.
func runDemoUntilServing(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	vars := env{"TARJUMA_DATA": dir, "TARJUMA_LOG_LEVEL": "error"}
	go func() { done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0"}, vars.get, nil, out) }()
	deadline := time.After(2 * time.Minute)
	for !strings.Contains(out.String(), "Serving on") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("demo stopped with %v before serving:\n%s", err, out)
		case <-deadline:
			cancel()
			t.Fatalf("demo not serving after 2 minutes:\n%s", out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo stopped with %v", err)
	}
	return out.String()
}

// TestDemoOnEmbeddedDefaults is the first set-up command as a newcomer runs it: embedded Redis,
// SQLite in the data folder (TARJUMA_DATA here, as --data would), three drafts waiting for
// review; a second run on the same folder finds the same article. migrate and token create
// then work on that folder too.
func TestDemoOnEmbeddedDefaults(t *testing.T) {
	dir := t.TempDir()
	first := runDemoUntilServing(t, dir)
	for _, lang := range tarjuma.TargetLangs() {
		line := regexp.MustCompile(`(?m)^` + string(lang) + `  needs_review  version 1  \d+ body segments`)
		if !line.MatchString(first) {
			t.Errorf("no summary line for %s in:\n%s", lang, first)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tarjuma.db")); err != nil {
		t.Errorf("SQLite file not in the data folder: %v", err)
	}
	submitted := regexp.MustCompile(`submitted the sample article as #\d+`).FindString(first)
	again := runDemoUntilServing(t, dir)
	if submitted == "" || !strings.Contains(again, submitted) || !strings.Contains(again, "password printed by the first demo run") {
		t.Errorf("second demo on the same folder did not find the first one's article and account:\n%s", again)
	}

	vars := env{"TARJUMA_DATA": dir}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"migrate"}, vars.get, nil, &out); err != nil || out.String() != "database sqlite is up to date\n" {
		t.Errorf("migrate: %v, printed %q", err, out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"token", "create", "--role", "editor", "--name", "wire desk"}, vars.get, nil, &out); err != nil {
		t.Fatalf("token create: %v", err)
	}
	cfg, err := loadConfig(vars.get)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openDB(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret := strings.TrimSpace(out.String())
	if tok, err := db.LookupToken(t.Context(), secret); err != nil || tok.Role != tarjuma.RoleEditor || tok.Name != "wire desk" {
		t.Errorf("printed token %q: lookup = %+v, %v; want the editor token", secret, tok, err)
	}
}
