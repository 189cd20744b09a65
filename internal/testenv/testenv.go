// Package testenv finds the real services tests run against: PostgreSQL, Redis and the
// redis-server binary. A developer without them still gets a green run on SQLite and miniredis
// (the missing service is skipped and logged), while CI (CI set to anything) fails instead, so a
// broken service can never turn into silently skipped tests there. It also holds what every
// package's tests do with them: EachDB runs a test on each database, WaitStatus waits for the
// workers.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make and drop test schemas
	"github.com/redis/go-redis/v9"
)

// Target is one service instance a test runs against; Name goes into t.Run.
type Target struct{ Name, URL string }

// The variables naming the real services.
const (
	databaseURLEnv = "TARJUMA_TEST_DATABASE_URL"
	redisURLEnv    = "TARJUMA_TEST_REDIS_URL"
)

// absent reports a missing service: fatal in CI, where every service must be there, and only
// logged elsewhere, so the caller can go on without it.
func absent(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI is set, so this fails instead of skipping)", args...)
	}
	t.Logf(format, args...)
}

// Databases returns the databases a store test runs against: always a fresh SQLite file in
// t.TempDir(), and PostgreSQL when TARJUMA_TEST_DATABASE_URL names one. Each call gets its own
// PostgreSQL schema (selected through search_path in the returned URL), dropped at cleanup, so
// tests and packages running in parallel never see each other's rows.
func Databases(t testing.TB) []Target {
	t.Helper()
	local := Target{Name: "sqlite", URL: "sqlite:" + t.TempDir() + "/tarjuma.db"}
	return withShared(t, local, "postgres", "PostgreSQL", databaseURLEnv, postgresSchema)
}

// withShared returns local and, when the variable env names a shared server, a part of that
// server this test holds alone, as claim makes it (named name). Without the variable, or when
// the claim fails, the test runs on local only: absent says so, and fails in CI.
func withShared(t testing.TB, local Target, name, server, env string, claim func(testing.TB, string) (string, error)) []Target {
	t.Helper()
	targets := []Target{local}
	base := os.Getenv(env)
	if base == "" {
		absent(t, "testenv: %s not set: not testing on %s", env, server)
		return targets
	}
	u, err := claim(t, base)
	if err != nil {
		absent(t, "testenv: %s from %s: %v", server, env, err)
		return targets
	}
	return append(targets, Target{Name: name, URL: u})
}

// postgresSchema creates a schema with a random name and returns base with search_path set to
// it; pgx sends unknown URL parameters as run-time parameters.
func postgresSchema(t testing.TB, base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	schema := "t_" + randomHex(8)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		return "", err
	}
	t.Cleanup(func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("testenv: drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Redises returns the Redis servers a queue test runs against: always a miniredis of its own,
// and the Redis that TARJUMA_TEST_REDIS_URL names, with a database number (1–15) this test holds
// alone until cleanup: go test runs packages in parallel against that one server.
func Redises(t testing.TB) []Target {
	t.Helper()
	local := Target{Name: "miniredis", URL: "redis://" + miniredis.RunT(t).Addr()}
	return withShared(t, local, "redis", "Redis", redisURLEnv, lockRedisDB)
}

// redisLockTTL bounds how long a crashed test run keeps a database number.
const redisLockTTL = 10 * time.Minute

// lockRedisDB claims a free database number with SET NX on database 0, empties it, and returns
// base pointing at it. It waits while all are taken. Cleanup empties and frees it.
func lockRedisDB(t testing.TB, base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	opts, err := redis.ParseURL(base)
	if err != nil {
		return "", err
	}
	opts.DB = 0
	admin := redis.NewClient(opts)
	owner := randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		for n := 1; n <= 15; n++ {
			key := "tarjuma:testenv:lock:" + strconv.Itoa(n)
			ok, err := admin.SetNX(ctx, key, owner, redisLockTTL).Result()
			if err != nil {
				admin.Close()
				return "", err
			}
			if !ok {
				continue
			}
			if err := flushDB(ctx, opts, n); err != nil {
				admin.Del(ctx, key)
				admin.Close()
				return "", err
			}
			t.Cleanup(func() { releaseRedisDB(t, admin, opts, n, key, owner) })
			u.Path = "/" + strconv.Itoa(n)
			return u.String(), nil
		}
		select {
		case <-ctx.Done():
			admin.Close()
			return "", fmt.Errorf("all 15 test databases stayed taken: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// releaseDB deletes the lock only if this test still owns it, in case its TTL ran out and
// another test took the number.
var releaseDB = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func releaseRedisDB(t testing.TB, admin *redis.Client, opts *redis.Options, n int, key, owner string) {
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := flushDB(ctx, opts, n); err != nil {
		t.Errorf("testenv: flush Redis database %d: %v", n, err)
	}
	if err := releaseDB.Run(ctx, admin, []string{key}, owner).Err(); err != nil {
		t.Errorf("testenv: release Redis database %d: %v", n, err)
	}
}

func flushDB(ctx context.Context, opts *redis.Options, n int) error {
	o := *opts
	o.DB = n
	c := redis.NewClient(&o)
	defer c.Close()
	return c.FlushDB(ctx).Err()
}

// RedisServer is a real redis-server process of one test, for what miniredis cannot show:
// outages and restarts. Without persistence, a restart loses every key, as a crash would.
type RedisServer struct {
	t    testing.TB
	port int
	dir  string
	args []string // what redis-server is started with, the same on every Start
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// StartRedisServer starts redis-server on a free loopback port, with extra settings such as
// "--requirepass", "secret" appended to its command line, and kills it at cleanup. It skips the
// test when the binary is missing (fails in CI).
func StartRedisServer(t testing.TB, extra ...string) *RedisServer {
	t.Helper()
	return startRedisProcess(t, func(string) []string { return extra })
}

// StartRedisSentinel starts a Redis Sentinel watching the master named name at masterAddr,
// which asks for password (none when empty), as a replicated Redis would be set up. Its URL is
// the Sentinel's own address.
func StartRedisSentinel(t testing.TB, name, masterAddr, password string) *RedisServer {
	t.Helper()
	host, port, err := net.SplitHostPort(masterAddr)
	if err != nil {
		t.Fatalf("testenv: sentinel master address: %v", err)
	}
	return startRedisProcess(t, func(dir string) []string {
		conf := fmt.Sprintf("sentinel monitor %s %s %s 1\n", name, host, port)
		if password != "" {
			conf += fmt.Sprintf("sentinel auth-pass %s %s\n", name, password)
		}
		// Sentinel rewrites its configuration file, so it lives in the server's own folder.
		path := filepath.Join(dir, "sentinel.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatalf("testenv: write sentinel.conf: %v", err)
		}
		return []string{path, "--sentinel"}
	})
}

// startRedisProcess starts redis-server on a free loopback port with the settings config
// returns (given the server's folder) before the common ones.
func startRedisProcess(t testing.TB, config func(dir string) []string) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		absent(t, "testenv: %v", err)
		t.SkipNow()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: find a free port: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &RedisServer{t: t, port: port, dir: t.TempDir()}
	s.args = append(config(s.dir), "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	t.Cleanup(s.Stop)
	s.Start()
	return s
}

// URL is where the server listens, the same across restarts.
func (s *RedisServer) URL() string { return "redis://" + s.Addr() }

// Addr is the server's host:port.
func (s *RedisServer) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// Start starts the server again on its port after Stop, and waits until it answers.
func (s *RedisServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command("redis-server", s.args...)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("testenv: start redis-server: %v", err)
	}
	s.cmd = cmd
	// redis-server listens only once it is ready, so a connection is the readiness check.
	addr := s.Addr()
	err := poll(10*time.Second, 10*time.Millisecond, func() error {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
		}
		return err
	})
	if err != nil {
		s.t.Fatalf("testenv: redis-server on %s does not answer: %v", addr, err)
	}
}

// poll calls ready every interval until it returns nil, for a server starting up; after
// timeout it gives up and returns ready's last error.
func poll(timeout, interval time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}

// Stop kills the server, as a crash or an outage would; it does nothing when it is stopped.
func (s *RedisServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Errorf("testenv: kill redis-server: %v", err)
	}
	s.cmd.Wait()
	s.cmd = nil
}
