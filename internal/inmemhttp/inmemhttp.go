// Package inmemhttp hands HTTP requests straight to a handler, without sockets, so the
// in-process stand-ins of external services can run inside a synctest bubble, where a real
// network connection would block the fake clock.
package inmemhttp

import (
	"net/http"
	"net/http/httptest"
)

// Client returns an HTTP client whose every request is served by h in the calling goroutine.
func Client(h http.Handler) *http.Client { return &http.Client{Transport: transport{h}} }

type transport struct{ h http.Handler }

// RoundTrip serves r and answers what h wrote; a request whose context ended meanwhile fails
// as a network request would.
func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}
