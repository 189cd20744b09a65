package testenv

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestDatabases(t *testing.T) {
	first, second := Databases(t), Databases(t)
	if first[0].Name != "sqlite" || !strings.HasPrefix(first[0].URL, "sqlite:") || first[0].URL == second[0].URL {
		t.Errorf("SQLite targets %v and %v: want two files", first[0], second[0])
	}
	if len(first) == 1 {
		return
	}
	schemas := make(map[string]bool)
	for _, targets := range [][]Target{first, second} {
		db, err := sql.Open("pgx", targets[1].URL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var schema string
		if err := db.QueryRowContext(t.Context(), "SELECT current_schema()").Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, "t_") {
			t.Errorf("current_schema() = %q: search_path from the URL not honoured", schema)
		}
		schemas[schema] = true
	}
	if len(schemas) != 2 {
		t.Errorf("two calls share schema %v", schemas)
	}
}

func TestRedises(t *testing.T) {
	dbs := make(map[string]bool)
	for range 2 {
		for _, target := range Redises(t) {
			opts, err := redis.ParseURL(target.URL)
			if err != nil {
				t.Fatal(err)
			}
			c := redis.NewClient(opts)
			defer c.Close()
			if err := c.Ping(t.Context()).Err(); err != nil {
				t.Errorf("%s at %s: %v", target.Name, target.URL, err)
			}
			if target.Name == "redis" {
				if opts.DB == 0 || dbs[target.URL] {
					t.Errorf("Redis database %d handed out twice or is the lock database", opts.DB)
				}
				dbs[target.URL] = true
			}
		}
	}
}

func TestStartRedisServer(t *testing.T) {
	s := StartRedisServer(t)
	opts, err := redis.ParseURL(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxRetries, opts.DialerRetries = -1, 1 // the outage is expected: fail fast
	c := redis.NewClient(opts)
	defer c.Close()
	if err := c.Set(t.Context(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	if err := c.Ping(t.Context()).Err(); err == nil {
		t.Error("stopped server still answers")
	}
	s.Start()
	if n, err := c.Exists(t.Context(), "k").Result(); err != nil || n != 0 {
		t.Errorf("after a restart: exists = %d, %v; want a server without the old keys", n, err)
	}
}

// TestPostgresServerCrash commits a row, crashes the server and starts it again: the row
// survives crash recovery, and nothing answers while it is down.
func TestPostgresServerCrash(t *testing.T) {
	s := StartPostgresServer(t)
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('خبر عاجل')"); err != nil {
		t.Fatal(err)
	}
	s.Crash()
	if err := db.PingContext(t.Context()); err == nil {
		t.Error("the crashed server still answers")
	}
	s.Start()
	var v string
	if err := db.QueryRowContext(t.Context(), "SELECT v FROM kept").Scan(&v); err != nil || v != "خبر عاجل" {
		t.Errorf("after the restart: %q, %v; want the committed row", v, err)
	}
}
