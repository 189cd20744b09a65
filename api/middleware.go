package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma/internal/muxstatus"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	callerKey
)

// requestID returns the id middleware gave the request, for log lines.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// maxRequestIDLen bounds a caller-chosen X-Request-Id; longer ones are replaced, not trusted.
const maxRequestIDLen = 128

// printableASCII reports whether s is 1 to limit bytes of printable ASCII without spaces: the
// check for ids that callers choose (request ids, idempotency keys) and that end up in logs
// and the database, so nobody can inject line breaks or megabytes through them.
func printableASCII(s string, limit int) bool {
	if s == "" || len(s) > limit {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// recorder remembers the status and size written, for the access log and for knowing whether
// a panic can still be answered with a JSON 500.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection underneath.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// middleware gives every request an id, security headers, panic recovery, an access log line
// and a duration sample.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !printableASCII(id, maxRequestIDLen) {
			id = rand.Text()
		}
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		rec := &recorder{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic serving request", "request_id", id,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.writeError(rec, r, errInternal)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched" // bounded label: never the raw path
			}
			elapsed := time.Since(start)
			s.durations.WithLabelValues(route, strconv.Itoa(rec.status)).Observe(elapsed.Seconds())
			// Probes and scrapes arrive every few seconds; keep them out of the info log.
			level := slog.LevelInfo
			if !strings.HasPrefix(r.URL.Path, "/api/") {
				level = slog.LevelDebug
			}
			s.log.Log(r.Context(), level, "http request", "request_id", id, "method", r.Method,
				"path", r.URL.Path, "status", rec.status, "bytes", rec.bytes, "duration", elapsed)
		}()
		next.ServeHTTP(rec, r)
	})
}

// dispatch routes through the mux, answering unknown paths (404) and wrong methods (405, Allow
// kept) in the API's JSON error shape instead of the mux's plain text.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	status := muxstatus.Of(s.mux, r, w.Header())
	code := "not_found"
	if status == http.StatusMethodNotAllowed {
		code = "method_not_allowed"
	}
	s.writeError(w, r, errorf(status, code, "%s", strings.ToLower(http.StatusText(status))))
}
