package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
)

func TestUnavailable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"dial refused", refused, true},
		{"wrapped refusal", fmt.Errorf("redis: %w", refused), true},
		{"bare errno", syscall.ECONNREFUSED, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"bad connection", driver.ErrBadConn, true},
		{"name lookup", &net.DNSError{Err: "no such host", Name: "db"}, true},
		{"server starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"server crashed mid-query", fmt.Errorf("list articles: %w", &pgconn.PgError{Code: "57P01"}), true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"constraint", &pgconn.PgError{Code: "23505"}, false},
		{"plain", errors.New("boom"), false},
		{"not found", tarjuma.ErrNotFound, false},
		{"caller's deadline", context.DeadlineExceeded, false},
		{"nil", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Unavailable(c.err)
			if got := errors.Is(err, tarjuma.ErrUnavailable); got != c.want {
				t.Errorf("Unavailable(%v) is ErrUnavailable: %v, want %v", c.err, got, c.want)
			}
			if c.err != nil && !errors.Is(err, c.err) {
				t.Errorf("Unavailable(%v) lost the cause: %v", c.err, err)
			}
		})
	}
}

// TestOutage: a database that cannot be reached is ErrUnavailable, whether it was never there
// (Open) or went away under an open DB; a missing database on a reachable server is not.
func TestOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	nobody := ln.Addr().String()
	ln.Close() // nothing listens there now
	if _, err := Open(t.Context(), "postgres://postgres@"+nobody+"/test?sslmode=disable&connect_timeout=2"); !errors.Is(err, tarjuma.ErrUnavailable) {
		t.Errorf("open on a closed port: %v, want ErrUnavailable", err)
	}
	for _, target := range testenv.Databases(t) {
		if !strings.HasPrefix(target.URL, "postgres") {
			continue
		}
		url, cut := testenv.Interruptible(t, target.URL)
		db, err := Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ListArticles(t.Context(), ArticleFilter{Limit: 1}); err != nil {
			t.Fatal(err)
		}
		cut()
		if _, err := db.ListArticles(t.Context(), ArticleFilter{Limit: 1}); !errors.Is(err, tarjuma.ErrUnavailable) {
			t.Errorf("list after the cut: %v, want ErrUnavailable", err)
		}
		if _, _, err := db.CreateToken(t.Context(), "t", tarjuma.RoleAdmin); !errors.Is(err, tarjuma.ErrUnavailable) {
			t.Errorf("write after the cut: %v, want ErrUnavailable", err)
		}
	}
}
