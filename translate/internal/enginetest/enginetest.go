// Package enginetest holds the checks every engine's tests make the same way: how a failed
// Send must be classified (permanent, retry after, provider, message) and the stand-ins for
// failures that look alike at every HTTP service, and the check that an engine's usage is
// recorded at its request's body. Only the engines' _test files import it.
package enginetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

// Failure is one way a service can fail and how Send must classify it. R is what the
// engine's stand-in takes as its reply.
type Failure[R any] struct {
	Name       string
	Reply      R
	Permanent  bool
	RetryAfter time.Duration
	Text       string // the error must mention it
}

// CheckFailures runs each failure as a subtest: send builds a stand-in answering with the
// failure's reply and sends one request through the engine named provider.
func CheckFailures[R any](t *testing.T, provider string, failures []Failure[R], send func(t *testing.T, reply R) ([]string, error)) {
	t.Helper()
	for _, f := range failures {
		t.Run(f.Name, func(t *testing.T) {
			got, err := send(t, f.Reply)
			CheckError(t, got, err, provider, f.Permanent, f.RetryAfter, f.Text)
		})
	}
}

// CheckError asserts that err is a *translate.Error with the given classification and that
// no partial answer came with it.
func CheckError(t *testing.T, got []string, err error, provider string, permanent bool, retryAfter time.Duration, text string) {
	t.Helper()
	if got != nil {
		t.Errorf("got %q alongside the error, want nothing", got)
	}
	var te *translate.Error
	if !errors.As(err, &te) {
		t.Fatalf("error %v (%T), want *translate.Error", err, err)
	}
	if te.Provider != provider || te.Permanent != permanent || te.RetryAfter != retryAfter {
		t.Errorf("error %v: provider %q permanent %v retry after %v, want %q %v %v",
			err, te.Provider, te.Permanent, te.RetryAfter, provider, permanent, retryAfter)
	}
	if translate.IsPermanent(err) != permanent {
		t.Errorf("IsPermanent = %v, want %v", !permanent, permanent)
	}
	if !strings.Contains(err.Error(), text) {
		t.Errorf("error %q does not mention %q", err, text)
	}
}

// Status is a stand-in reply with an HTTP status, a Retry-After header unless retryAfter is
// empty, and body as it is. T is whatever else the engine's stand-in hands its replies.
func Status[T any](code int, retryAfter, body string) func(http.ResponseWriter, T) {
	return func(w http.ResponseWriter, _ T) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// Unresponsive serves no answer until the test is over, so only the client's own timeout
// can end a request to it.
func Unresponsive(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for the handlers
	return srv
}

// GateWatch stands in front of an engine's stand-in and keeps the requests whose headers have
// arrived and whose body has not, which is where a wire-gated engine's request waits while its
// usage is recorded.
type GateWatch struct {
	next http.Handler

	mu      sync.Mutex
	waiting []string // paths
}

// WatchGate puts a GateWatch in front of next.
func WatchGate(next http.Handler) *GateWatch { return &GateWatch{next: next} }

func (w *GateWatch) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.waiting = append(w.waiting, r.URL.Path)
	w.mu.Unlock()
	body, err := io.ReadAll(r.Body)
	w.mu.Lock()
	i := slices.Index(w.waiting, r.URL.Path)
	w.waiting = slices.Delete(w.waiting, i, i+1)
	w.mu.Unlock()
	if err != nil {
		return // cut off
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	w.next.ServeHTTP(rw, r)
}

// CheckUsageGated translates req through a provider over e, an engine whose requests go to the
// stand-in behind w, and checks that e is wire-gated: its request is recorded once, while the
// request waits at the stand-in for its body, and the path of that request was path.
func CheckUsageGated(t *testing.T, e translate.Engine, w *GateWatch, req translate.Request, path string) {
	t.Helper()
	if _, ok := e.(translate.WireGatedEngine); !ok {
		t.Fatalf("%T is not a translate.WireGatedEngine", e)
	}
	var mu sync.Mutex
	var waiting [][]string // at each record
	usage := usageFunc(func() {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
			w.mu.Lock()
			now := slices.Clone(w.waiting)
			w.mu.Unlock()
			if len(now) > 0 || time.Now().After(deadline) {
				mu.Lock()
				waiting = append(waiting, now)
				mu.Unlock()
				return
			}
		}
	})
	req.ArticleID = 1
	if _, err := translate.NewProvider(e, translate.ProviderOptions{Usage: usage}).Translate(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{path}}; !slices.EqualFunc(want, waiting, slices.Equal) {
		t.Errorf("requests waiting at the engine for their body, at each usage record: %q, want %q", waiting, want)
	}
}

// usageFunc is a translate.UsageRecorder that calls itself and records nothing.
type usageFunc func()

func (f usageFunc) RecordUsage(_ context.Context, _ int64, _ tarjuma.Lang, _ string, _, _ int, committing func()) error {
	f()
	committing()
	return nil
}
