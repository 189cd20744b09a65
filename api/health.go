package api

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// readyTimeout bounds each readiness check: a load balancer's probe gives up after a few
// seconds, and a dependency that slow counts as down.
const readyTimeout = 2 * time.Second

// healthz answers 200 while the process can serve HTTP at all; restarts key off it, so it
// checks nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

type readyJSON struct {
	Status string            `json:"status"` // ok or unavailable
	Checks map[string]string `json:"checks"` // check name → ok or failed
}

// readyz answers 200 only when every dependency answers, else 503 naming the ones that did
// not; the errors go to the log, not to this unauthenticated endpoint.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	errs := make([]error, len(s.checks))
	var wg sync.WaitGroup
	for i, c := range s.checks {
		wg.Go(func() { errs[i] = c.Ping(ctx) })
	}
	wg.Wait()

	out := readyJSON{Status: "ok", Checks: make(map[string]string, len(s.checks))}
	status := http.StatusOK
	for i, c := range s.checks {
		out.Checks[c.Name] = "ok"
		if errs[i] != nil {
			out.Checks[c.Name] = "failed"
			out.Status = "unavailable"
			status = http.StatusServiceUnavailable
			s.log.WarnContext(r.Context(), "readiness check failed", "request_id", requestID(r.Context()),
				"check", c.Name, "error", errs[i])
		}
	}
	return writeJSON(w, status, out)
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.ServeHTTP(w, r)
	return nil
}
