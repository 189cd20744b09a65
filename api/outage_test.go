package api

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// TestDatabaseOutage cuts PostgreSQL off under a running Server: every route that needs the
// database answers 503 with Retry-After and code unavailable, whether the token lookup or the
// handler is the first to reach it, instead of a 500.
func TestDatabaseOutage(t *testing.T) {
	testenv.EachInterruptible(t, func(t *testing.T, url string, cut func()) {
		e := newTestEnv(t, url)
		a := e.submit(t, shortArticle(1))
		cut()
		for _, c := range []struct {
			method, path, auth, body string
		}{
			{"GET", "/api/v1/articles", bearer(e.tokens[tarjuma.RoleReviewer]), ""},
			{"GET", fmt.Sprintf("/api/v1/articles/%d", a.ID), bearer(testDevToken), ""},
			{"POST", "/api/v1/articles", bearer(testDevToken), jsonOf(t, shortArticle(2))},
			{"GET", "/api/v1/glossary/terms", bearer(testDevToken), ""},
			{"POST", fmt.Sprintf("/api/v1/articles/%d/translations/tg/approve", a.ID), bearer(testDevToken), `{"version": 1}`},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				rec := do(t, e.srv, c.method, c.path, c.auth, c.body)
				wantError(t, rec, http.StatusServiceUnavailable, "unavailable", "temporarily unavailable")
				if got := rec.Header().Get("Retry-After"); got != "5" {
					t.Errorf("Retry-After %q, want 5", got)
				}
			})
		}
	})
}

// TestErrorStatus holds the adapter to its mapping at the edges: an outage anywhere in the
// chain is 503, whether the store marked it on connecting or a query in flight was cut off (as
// the chaos soak saw when PostgreSQL crashed); anything unrecognised stays a 500 without
// Retry-After.
func TestErrorStatus(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, c := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"internal", errors.New("disk on fire"), http.StatusInternalServerError, "internal"},
		{"refused mid-query", fmt.Errorf("query: %w", refused), http.StatusServiceUnavailable, "unavailable"},
		{"database crashed mid-query", fmt.Errorf("list articles: %w", &pgconn.PgError{Code: "57P01"}), http.StatusServiceUnavailable, "unavailable"},
		{"constraint", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), http.StatusInternalServerError, "internal"},
		{"unavailable", fmt.Errorf("list articles: %w", store.Unavailable(refused)), http.StatusServiceUnavailable, "unavailable"},
		{"not found", fmt.Errorf("article 3: %w", tarjuma.ErrNotFound), http.StatusNotFound, "not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := New(Config{})
			rec := do(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { srv.writeError(w, r, c.err) }), "GET", "/", "", "")
			wantError(t, rec, c.status, c.code, "")
			if got, want := rec.Header().Get("Retry-After") != "", c.status == http.StatusServiceUnavailable; got != want {
				t.Errorf("Retry-After set: %v, want %v", got, want)
			}
		})
	}
}
