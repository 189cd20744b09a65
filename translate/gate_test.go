package translate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
)

// httpEngine is a WireGatedEngine that POSTs a request's texts, one a line, to url through a
// gated client, and answers them back.
type httpEngine struct {
	url    string
	client *http.Client
	limits Limits
}

func newHTTPEngine(url string, limits Limits) *httpEngine {
	return &httpEngine{url: url, client: &http.Client{Transport: GateTransport(nil)}, limits: limits}
}

func (e *httpEngine) Name() string   { return "http" }
func (e *httpEngine) Limits() Limits { return e.limits }
func (e *httpEngine) GatesUsage()    {}

func (e *httpEngine) Supports(_, _ tarjuma.Lang) (Capabilities, bool) { return Capabilities{}, true }

func (e *httpEngine) Send(ctx context.Context, req Request) ([]string, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, strings.NewReader(strings.Join(req.Texts, "\n")))
	if err != nil {
		return nil, &Error{Permanent: true, Err: err}
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		return nil, &Error{Err: err}
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		return nil, &Error{Err: fmt.Errorf("HTTP %d, %v", resp.StatusCode, err)}
	}
	return req.Texts, nil
}

// bodyServer is the engine's end: it counts the requests whose headers arrived and what the
// requests whose body arrived whole carried, keyed as usageLog keys usage.
type bodyServer struct {
	*httptest.Server
	arrived chan struct{} // a value per request whose headers arrived

	mu       sync.Mutex
	received map[string]usageSum
}

func newBodyServer(t *testing.T) *bodyServer {
	s := &bodyServer{arrived: make(chan struct{}, 100), received: map[string]usageSum{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.arrived <- struct{}{}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return // cut off: the engine has no request to answer or bill
		}
		s.mu.Lock()
		k := "7 ru http"
		s.received[k] = usageSum{s.received[k].Chars + utf8.RuneCountInString(strings.ReplaceAll(string(body), "\n", "")), s.received[k].Requests + 1}
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *bodyServer) Received() map[string]usageSum {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// TestGateRecordsAtBody sends an article in three requests to an engine whose transport is
// gated: each request is recorded once, after its headers reached the engine and before its
// body did, and the record and the counters equal what the engine received.
func TestGateRecordsAtBody(t *testing.T) {
	srv := newBodyServer(t)
	recorded := 0 // the requests sent one at a time, so recorded one at a time
	usage := &usageLog{gate: func(context.Context) {
		select {
		case <-srv.arrived:
		case <-time.After(10 * time.Second):
			t.Error("usage recorded before the request reached the engine")
		}
		if n := srv.Received()["7 ru http"].Requests; n != recorded {
			t.Errorf("request %d recorded with %d requests whole at the engine, want %d: its body waits for the record", recorded+1, n, recorded)
		}
		recorded++
	}}
	reg := prometheus.NewPedanticRegistry()
	o := fast
	o.Usage, o.Registerer, o.Concurrency = usage, reg, 1
	req := request("أب", "ج", "دهوز", "a", "bc")
	req.ArticleID = 7
	got, err := NewProvider(newHTTPEngine(srv.URL, Limits{MaxTexts: 2}), o).Translate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(req.Texts, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	want := map[string]usageSum{"7 ru http": {Chars: 10, Requests: 3}}
	if diff := cmp.Diff(want, srv.Received()); diff != "" {
		t.Errorf("engine received (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, usage.Sums()); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if usage.writes != 3 {
		t.Errorf("%d usage writes, want one per request", usage.writes)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP tarjuma_mt_characters_total Characters (code points) sent to each MT engine per target language, retries included; engines bill by them.
# TYPE tarjuma_mt_characters_total counter
tarjuma_mt_characters_total{lang="ru",provider="http"} 10
# HELP tarjuma_mt_requests_total Requests sent to each MT engine per target language, retries included.
# TYPE tarjuma_mt_requests_total counter
tarjuma_mt_requests_total{lang="ru",provider="http"} 3
`)); err != nil {
		t.Error(err)
	}
}

// TestGateNothingSent: requests that never reach the engine (nobody listens) are neither
// recorded nor counted, however often they are tried.
func TestGateNothingSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	usage := &usageLog{}
	reg := prometheus.NewPedanticRegistry()
	o := fast
	o.Usage, o.Registerer = usage, reg
	req := request("أب", "ج")
	req.ArticleID = 7
	if _, err := NewProvider(newHTTPEngine(url, Limits{}), o).Translate(t.Context(), req); err == nil || IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable failure", err)
	}
	if usage.writes != 0 {
		t.Errorf("%d usage writes for requests never sent", usage.writes)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("%d series counted (%v), want none: nothing was sent", n, err)
	}
}

// TestGateRecordFails: when the usage cannot be written, the request reaches the engine without
// its body, which the engine can neither answer nor bill, and the call fails with the write's
// error, retryable; nothing is counted.
func TestGateRecordFails(t *testing.T) {
	srv := newBodyServer(t)
	down := errors.New("database is down")
	usage := &usageLog{fail: func(int) error { return down }}
	reg := prometheus.NewPedanticRegistry()
	o := fast
	o.Usage, o.Registerer = usage, reg
	req := request("أب", "ج")
	req.ArticleID = 7
	got, err := NewProvider(newHTTPEngine(srv.URL, Limits{}), o).Translate(t.Context(), req)
	var engineErr *Error
	if got != nil || !errors.Is(err, down) || !errors.As(err, &engineErr) || engineErr.Provider != "http" || IsPermanent(err) {
		t.Errorf("got %q, %v; want a retryable *Error of the engine wrapping %v", got, err, down)
	}
	if usage.writes != fast.MaxAttempts {
		t.Errorf("%d usage writes, want one per attempt (%d)", usage.writes, fast.MaxAttempts)
	}
	if n := len(srv.Received()); n != 0 {
		t.Errorf("the engine received %v, want nothing whole", srv.Received())
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("%d series counted (%v), want none: nothing was sent", n, err)
	}
}

// rewinder is a base transport that reads a request's body, then rewinds it with GetBody and
// reads it again, as net/http does to resend a request the server did not take.
type rewinder struct{ reads []string }

func (r *rewinder) RoundTrip(req *http.Request) (*http.Response, error) {
	first, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	again, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	r.reads = append(r.reads, string(first), string(again))
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// TestGateTransport checks the gate on its own: a request resent with a rewound body is recorded
// once; a request with no gate in its context, or WithoutGate, is not recorded; a body read once
// Send has returned is refused, unrecorded.
func TestGateTransport(t *testing.T) {
	records := 0
	g := &usageGate{record: func(committing func()) error { records++; committing(); return nil }}
	base := &rewinder{}
	client := &http.Client{Transport: GateTransport(base)}
	send := func(ctx context.Context) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://engine.invalid/", strings.NewReader("نص"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	send(context.WithValue(t.Context(), gateKey{}, g))
	if records != 1 {
		t.Errorf("%d records of a request read twice, want 1", records)
	}
	if diff := cmp.Diff([]string{"نص", "نص"}, base.reads); diff != "" {
		t.Errorf("bodies read (-want +got):\n%s", diff)
	}
	send(t.Context())
	send(WithoutGate(context.WithValue(t.Context(), gateKey{}, g)))
	if records != 1 {
		t.Errorf("%d records after requests outside the gate, want 1", records)
	}

	late := &usageGate{record: func(committing func()) error { records++; committing(); return nil }}
	if err := late.close(); err != nil {
		t.Fatal(err)
	}
	if err := late.open(); !errors.Is(err, errSendEnded) {
		t.Errorf("body read after Send returned: %v, want %v", err, errSendEnded)
	}
	if records != 1 {
		t.Errorf("a body read after Send returned was recorded")
	}
}

// TestGateGoesAtCommitting checks the gate lets the request go as soon as the record calls
// committing, while its write is still waiting for the database's answer, and that close waits
// for that answer; a record failing before committing keeps the request back.
func TestGateGoesAtCommitting(t *testing.T) {
	answer := make(chan error)
	finished := make(chan struct{})
	g := &usageGate{record: func(committing func()) error {
		committing()
		defer close(finished)
		return <-answer // the database's answer to the COMMIT, still on its way
	}}
	if err := g.open(); err != nil {
		t.Fatalf("open with the record committing: %v, want the request to go", err)
	}
	select {
	case <-finished:
		t.Fatal("the record finished before its answer came")
	default:
	}
	go func() { answer <- errors.New("connection lost as it committed") }()
	if err := g.close(); err != nil {
		t.Errorf("close after the request went: %v, want nil (the record's late failure is its own to report)", err)
	}
	select {
	case <-finished:
	default:
		t.Error("close returned before the record finished")
	}

	refused := errors.New("database down")
	kept := &usageGate{record: func(func()) error { return refused }}
	if err := kept.open(); !errors.Is(err, refused) {
		t.Errorf("open with a failed record: %v, want %v", err, refused)
	}
	if err := kept.close(); !errors.Is(err, refused) {
		t.Errorf("close with a failed record: %v, want %v", err, refused)
	}
}
