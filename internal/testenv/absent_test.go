package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// fakeTB is the test it wraps, except that a failure or a skip is recorded and ends only the
// goroutine it is called on, as testing's own do, rather than failing or skipping the test.
type fakeTB struct {
	*testing.T
	fatal, logs []string
	skipped     bool
}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = append(f.fatal, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (f *fakeTB) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) SkipNow() {
	f.skipped = true
	runtime.Goexit()
}

// run calls find with f on a goroutine of its own, which Fatalf and SkipNow may end, and
// returns how many targets find returned (-1 when it did not return).
func (f *fakeTB) run(find func(testing.TB) []Target) int {
	n := -1
	done := make(chan struct{})
	go func() {
		defer close(done)
		n = len(find(f))
	}()
	<-done
	return n
}

// TestAbsentFailsInCI: a missing or broken service fails the test when CI is set, and
// otherwise is logged while the test goes on with what there is.
func TestAbsentFailsInCI(t *testing.T) {
	services := []struct {
		name string
		env  map[string]string
		find func(testing.TB) []Target
	}{
		{"PostgreSQL not set", map[string]string{databaseURLEnv: ""}, Databases},
		{"PostgreSQL not answering", map[string]string{databaseURLEnv: "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5"}, Databases},
		{"Redis not set", map[string]string{redisURLEnv: ""}, Redises},
		{"redis-server not installed", map[string]string{"PATH": t.TempDir()}, func(t testing.TB) []Target {
			StartRedisServer(t)
			return nil
		}},
	}
	for _, s := range services {
		for _, ci := range []string{"true", ""} {
			t.Run(fmt.Sprintf("%s/CI=%q", s.name, ci), func(t *testing.T) {
				t.Setenv("CI", ci)
				for k, v := range s.env {
					t.Setenv(k, v)
				}
				f := &fakeTB{T: t}
				n := f.run(s.find)
				if ci != "" {
					if len(f.fatal) != 1 || !strings.Contains(f.fatal[0], "CI is set, so this fails instead of skipping") || n != -1 {
						t.Errorf("with CI set: failures %q, %d targets; want one failure that says why, and no targets", f.fatal, n)
					}
					return
				}
				if len(f.fatal) != 0 || len(f.logs) != 1 || !strings.HasPrefix(f.logs[0], "testenv: ") {
					t.Errorf("without CI: failures %q, logs %q; want no failure and the absence logged", f.fatal, f.logs)
				}
				if n != 1 && !f.skipped {
					t.Errorf("without CI: %d targets; want the one always there (or a skip, where there is none)", n)
				}
			})
		}
	}
}
