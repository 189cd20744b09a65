// Package muxstatus reads what an http.ServeMux would answer to a request that no pattern
// matches, so that the API and the desk can answer it in their own error shapes instead of the
// mux's plain text.
package muxstatus

import "net/http"

// Of returns the status of the mux's own answer to r (404 for an unknown path, 405 for a known
// path with a method no route takes) and drops its body. The headers the mux sets, Allow among
// them, go to header.
func Of(mux *http.ServeMux, r *http.Request, header http.Header) int {
	p := &probe{header: header}
	mux.ServeHTTP(p, r)
	return p.status
}

// probe is the ResponseWriter that records the mux's answer.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) WriteHeader(code int)        { p.status = code }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
