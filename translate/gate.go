package translate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
)

// A WireGatedEngine makes the one request of Send that the engine bills through an http.Client
// whose transport GateTransport wrapped. NewProvider then records a request's usage at the
// last moment it can still keep the request from the engine: when the transport starts on the
// request body, with the connection up and the headers written. A worker killed while the
// record is being written leaves the engine a request without its body, which it cannot
// translate or bill. Recording before Send instead, as NewProvider does for other engines (gRPC
// ones, whose messages have no body of their own to hold back), also counts a request whose
// worker died while the engine encoded it and the transport found a connection. The body goes
// as the record's COMMIT leaves for the database, not once its answer is back (see
// store.DB.RecordUsage), so what remains is the time between two writes of one goroutine: a
// worker killed there has counted a request the engine never gets whole.
type WireGatedEngine interface {
	Engine
	// GatesUsage marks the engine; it does nothing.
	GatesUsage()
}

// GateTransport wraps base (nil: http.DefaultTransport) for a WireGatedEngine: the body of a
// request made with the context of a provider's Send is read only once the request's usage is
// recorded, and not at all when that fails, so the request fails with nothing of its body
// sent. Requests made with another context, or with WithoutGate, pass as they are.
func GateTransport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return gateTransport{base}
}

type gateTransport struct{ base http.RoundTripper }

func (t gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	g, _ := req.Context().Value(gateKey{}).(*usageGate)
	if g == nil || req.Body == nil || req.Body == http.NoBody {
		return t.base.RoundTrip(req)
	}
	// A RoundTripper must not change the request it was given.
	gated := req.Clone(req.Context())
	gated.Body = &gatedBody{ReadCloser: req.Body, gate: g}
	if req.GetBody != nil {
		// The transport rewinds the body this way to resend a request the server did not take:
		// over HTTP/1 one of which nothing was written (a keep-alive connection the server had
		// closed), so before its headers and the gate; over HTTP/2 a stream the server refused.
		// The gate opens once however often the body is read: one request taken, one record.
		gated.GetBody = func() (io.ReadCloser, error) {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			return &gatedBody{ReadCloser: b, gate: g}, nil
		}
	}
	return t.base.RoundTrip(gated)
}

// WithoutGate is ctx for a request that Send makes besides the one the engine bills (creating a
// glossary): its body goes out without opening the gate of the billed one.
func WithoutGate(ctx context.Context) context.Context {
	return context.WithValue(ctx, gateKey{}, (*usageGate)(nil))
}

type gateKey struct{}

// gatedBody opens its gate before its first byte is read.
type gatedBody struct {
	io.ReadCloser
	gate *usageGate
}

func (b *gatedBody) Read(p []byte) (int, error) {
	if err := b.gate.open(); err != nil {
		return 0, err
	}
	return b.ReadCloser.Read(p)
}

// usageGate records one request's usage once, when its body is first read or, for an engine
// that is not wire-gated, before Send.
type usageGate struct {
	// record writes the usage and calls committing (if it gets that far) once the request
	// may go: the record can then only be lost with the database itself. It returns how the
	// write ended, which may be after the request has gone.
	record func(committing func()) error

	mu     sync.Mutex
	opened bool // record was called
	err    error
	closed bool // Send has returned
	// finishing is the outcome of a record that let the request go before its write ended;
	// close waits for it, so no write outlives the call.
	finishing chan error
}

// errSendEnded is the body read of a request whose Send has already returned (its context ended
// while the transport was still writing the headers): it must not be recorded now, since the
// provider has already decided what the attempt cost.
var errSendEnded = errors.New("request not sent: its call had ended")

// open records the usage the first time and returns the outcome every time; a body read while
// the record is being written waits for it. The request goes (nil) as soon as the record
// calls committing, without waiting for the write's answer: see store.DB.RecordUsage.
func (g *usageGate) open() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		if g.closed {
			return errSendEnded
		}
		g.opened = true
		committed, done := make(chan struct{}), make(chan error, 1)
		go func() { done <- g.record(func() { close(committed) }) }()
		select {
		case <-committed:
			g.finishing = done
		case g.err = <-done:
		}
	}
	return g.err
}

// close ends the gate when Send returns, waiting for a record being written, and returns
// whether the record kept the request back. A write that failed after letting the request go
// is the recorder's to report: the request has been sent.
func (g *usageGate) close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if g.finishing != nil {
		<-g.finishing
		g.finishing = nil
	}
	return g.err
}
