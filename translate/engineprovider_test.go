package translate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
)

// fakeEngine answers "tr:<text>" per text after delay, or whatever answer says for the n-th
// call (from 1), and measures how many requests it has in flight at most.
type fakeEngine struct {
	limits Limits
	delay  time.Duration
	answer func(ctx context.Context, n int, req Request) ([]string, error)

	mu          sync.Mutex
	calls       []Request
	inFlight    int
	maxInFlight int
}

func (e *fakeEngine) Name() string   { return "fake" }
func (e *fakeEngine) Limits() Limits { return e.limits }

func (e *fakeEngine) Supports(_, _ tarjuma.Lang) (Capabilities, bool) {
	return Capabilities{HTML: true}, true
}

func (e *fakeEngine) Send(ctx context.Context, req Request) ([]string, error) {
	e.mu.Lock()
	e.calls = append(e.calls, req)
	n := len(e.calls)
	e.inFlight++
	e.maxInFlight = max(e.maxInFlight, e.inFlight)
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		e.inFlight--
		e.mu.Unlock()
	}()
	if e.delay > 0 {
		time.Sleep(e.delay)
	}
	if e.answer != nil {
		return e.answer(ctx, n, req)
	}
	return echo(req), nil
}

func echo(req Request) []string {
	out := make([]string, len(req.Texts))
	for i, s := range req.Texts {
		out[i] = "tr:" + s
	}
	return out
}

func (e *fakeEngine) Calls() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

// fast are options for tests: retries without noticeable waits.
var fast = ProviderOptions{BaseDelay: time.Millisecond, MaxAttempts: 3}

func request(texts ...string) Request {
	return Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: texts}
}

func TestProviderBatching(t *testing.T) {
	alef := "ا" // 1 character, 2 bytes
	tests := []struct {
		name    string
		limits  Limits
		texts   []string
		batches [][]string // in the order of their first text
		tooLong int        // index of the text over a limit; -1 for none
	}{
		{"no limits", Limits{}, []string{"a", "b", "c"}, [][]string{{"a", "b", "c"}}, -1},
		{"texts exactly at the limit", Limits{MaxTexts: 2}, []string{"a", "b", "c", "d", "e"},
			[][]string{{"a", "b"}, {"c", "d"}, {"e"}}, -1},
		{"bytes exactly at the limit", Limits{MaxBytes: 6}, []string{"ab", "cd", "ef", "gh"},
			[][]string{{"ab", "cd", "ef"}, {"gh"}}, -1},
		{"runes exactly at the limit, bytes twice as many", Limits{MaxRunes: 4}, []string{alef + alef, alef + alef, alef},
			[][]string{{alef + alef, alef + alef}, {alef}}, -1},
		{"one text exactly at the limit", Limits{MaxRunes: 2}, []string{"x", alef + alef, "y"},
			[][]string{{"x"}, {alef + alef}, {"y"}}, -1},
		{"every limit, the first reached wins", Limits{MaxTexts: 3, MaxBytes: 8, MaxRunes: 5},
			[]string{"a", "b", "c", alef + alef + alef, "dd", "x", "yyyy", "z"},
			[][]string{{"a", "b", "c"}, {alef + alef + alef, "dd"}, {"x", "yyyy"}, {"z"}}, -1},
		{"text over MaxBytes alone", Limits{MaxBytes: 3}, []string{"ab", "abcd"}, nil, 1},
		{"text over MaxRunes alone", Limits{MaxRunes: 1}, []string{alef + alef}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &fakeEngine{limits: tt.limits}
			got, err := NewProvider(e, fast).Translate(t.Context(), request(tt.texts...))
			if tt.tooLong >= 0 {
				var tl *tooLongError
				if !IsPermanent(err) || !errors.As(err, &tl) || tl.index != tt.tooLong || got != nil {
					t.Fatalf("got %q, %v; want a permanent error about text %d", got, err, tt.tooLong)
				}
				if n := len(e.Calls()); n != 0 {
					t.Errorf("%d requests sent", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(echo(request(tt.texts...)), got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
			var batches [][]string
			for _, c := range e.Calls() {
				batches = append(batches, c.Texts)
			}
			slices.SortFunc(batches, func(a, b []string) int {
				return slices.Index(tt.texts, a[0]) - slices.Index(tt.texts, b[0])
			})
			if diff := cmp.Diff(tt.batches, batches); diff != "" {
				t.Errorf("batches (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProviderConcurrency sends two requests at once, of many one-text batches each, and
// checks the engine never has more than Concurrency in flight between them, and that each
// answer keeps its order although batches finish in any order.
func TestProviderConcurrency(t *testing.T) {
	e := &fakeEngine{limits: Limits{MaxTexts: 1}, delay: 5 * time.Millisecond}
	p := NewProvider(e, ProviderOptions{Concurrency: 3})
	var texts []string
	for i := range 12 {
		texts = append(texts, fmt.Sprint(i))
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			got, err := p.Translate(t.Context(), request(texts...))
			if err != nil {
				t.Error(err)
			} else if diff := cmp.Diff(echo(request(texts...)), got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
	wg.Wait()
	if e.maxInFlight != 3 {
		t.Errorf("at most %d requests in flight, want 3", e.maxInFlight)
	}
}

func TestProviderRateLimit(t *testing.T) {
	// 1200 a minute is 20 a second, with a bucket of 1200: the first two texts pass at once,
	// the third waits for 10 characters, half a second.
	e := &fakeEngine{limits: Limits{MaxTexts: 1}}
	p := NewProvider(e, ProviderOptions{CharsPerMinute: 1200})
	start := time.Now()
	if _, err := p.Translate(t.Context(), request(strings.Repeat("a", 600), strings.Repeat("b", 600), strings.Repeat("c", 10))); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 450*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("took %v, want about 500ms", elapsed)
	}

	// A text larger than the bucket (no MaxRunes) still passes, taking the bucket twice.
	big := NewProvider(&fakeEngine{}, ProviderOptions{CharsPerMinute: 1200})
	start = time.Now()
	if _, err := big.Translate(t.Context(), request(strings.Repeat("a", 1210))); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 450*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("a text over the bucket took %v, want about 500ms", elapsed)
	}
}

func TestProviderRetries(t *testing.T) {
	retryable := &Error{Provider: "fake", Err: errors.New("503 service unavailable")}
	permanent := &Error{Permanent: true, Err: errors.New("permission denied: API key not valid")}
	failFirst := func(k int, err error) func(context.Context, int, Request) ([]string, error) {
		return func(_ context.Context, n int, req Request) ([]string, error) {
			if n <= k {
				return nil, err
			}
			return echo(req), nil
		}
	}
	tests := []struct {
		name    string
		answer  func(context.Context, int, Request) ([]string, error)
		calls   int
		wantErr string // empty: success
		perm    bool
	}{
		{"retryable twice, then ok", failFirst(2, retryable), 3, "", false},
		{"unknown error, then ok", failFirst(1, errors.New("connection reset")), 2, "", false},
		{"request timeout, then ok", func(ctx context.Context, n int, req Request) ([]string, error) {
			if n == 1 {
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return echo(req), nil
		}, 2, "", false},
		{"retryable every time", failFirst(99, retryable), 3, "mt fake: 503 service unavailable", false},
		{"permanent: one attempt, named", failFirst(99, permanent), 1, "mt fake: permission denied: API key not valid", true},
		{"short answer", func(context.Context, int, Request) ([]string, error) { return []string{"x"}, nil }, 3,
			"mt fake: malformed response: 1 texts for 2", false},
		{"long answer", func(context.Context, int, Request) ([]string, error) { return []string{"x", "y", "z"}, nil }, 3,
			"mt fake: malformed response: 3 texts for 2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &fakeEngine{answer: tt.answer}
			o := fast
			o.RequestTimeout = 20 * time.Millisecond
			got, err := NewProvider(e, o).Translate(t.Context(), request("a", "b"))
			if n := len(e.Calls()); n != tt.calls {
				t.Errorf("%d attempts, want %d", n, tt.calls)
			}
			if tt.wantErr == "" {
				if err != nil || !slices.Equal(got, []string{"tr:a", "tr:b"}) {
					t.Errorf("got %q, %v; want the translation", got, err)
				}
				return
			}
			if got != nil || err == nil || err.Error() != tt.wantErr || IsPermanent(err) != tt.perm {
				t.Errorf("got %q, %v (permanent %v); want only the error %q (permanent %v)", got, err, IsPermanent(err), tt.wantErr, tt.perm)
			}
		})
	}
}

func TestProviderRetryAfter(t *testing.T) {
	const wait = 150 * time.Millisecond
	limited := func(_ context.Context, n int, req Request) ([]string, error) {
		if n == 1 {
			return nil, &Error{Provider: "fake", RetryAfter: wait, Err: errors.New("429 too many requests")}
		}
		return echo(req), nil
	}
	t.Run("waited for", func(t *testing.T) {
		start := time.Now()
		if _, err := NewProvider(&fakeEngine{answer: limited}, fast).Translate(t.Context(), request("a")); err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed < wait {
			t.Errorf("retried after %v, want at least %v", elapsed, wait)
		}
	})
	t.Run("longer than the context: given back at once", func(t *testing.T) {
		e := &fakeEngine{answer: limited}
		ctx, cancel := context.WithTimeout(t.Context(), wait/2)
		defer cancel()
		_, err := NewProvider(e, fast).Translate(ctx, request("a"))
		var engineErr *Error
		if !errors.As(err, &engineErr) || engineErr.RetryAfter != wait || ctx.Err() != nil || len(e.Calls()) != 1 {
			t.Errorf("err %v after %d calls, context %v; want the 429 before the deadline", err, len(e.Calls()), ctx.Err())
		}
	})
}

func TestProviderCallerCancel(t *testing.T) {
	e := &fakeEngine{answer: func(ctx context.Context, _ int, _ Request) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err := NewProvider(e, fast).Translate(ctx, request("a"))
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("err = %v after %v, want the cancellation promptly", err, time.Since(start))
	}
	if n := len(e.Calls()); n != 1 {
		t.Errorf("%d attempts after the caller gave up, want 1", n)
	}
}

// usageLog is a UsageRecorder that keeps what it is given.
type usageLog struct {
	mu      sync.Mutex
	records []string
}

func (u *usageLog) RecordUsage(_ context.Context, articleID int64, lang tarjuma.Lang, provider string, characters, requests int) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.records = append(u.records, fmt.Sprintf("%d %s %s chars=%d requests=%d", articleID, lang, provider, characters, requests))
	return nil
}

// TestProviderUsage counts every request sent, retries included, once per Translate call in
// the store and live in the metrics, which providers sharing a registry add to together.
func TestProviderUsage(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	usage := &usageLog{}
	flaky := &fakeEngine{limits: Limits{MaxTexts: 2}, answer: func(_ context.Context, n int, req Request) ([]string, error) {
		if n == 1 {
			return nil, errors.New("connection reset")
		}
		return echo(req), nil
	}}
	o := fast
	o.Usage, o.Registerer, o.Concurrency = usage, reg, 1
	p := NewProvider(flaky, o)
	req := request("أب", "ج", "دهو") // 6 characters in two batches, the first sent twice
	req.ArticleID = 7
	if _, err := p.Translate(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	other := NewProvider(&namedEngine{fakeEngine{}, "other"}, o) // shares the counters
	req.Target = tarjuma.Tajik
	req.ArticleID = 0 // counted, but for no article
	if _, err := other.Translate(t.Context(), req); err != nil {
		t.Fatal(err)
	}

	// Both batches have 3 characters, so whichever was sent twice, 9 were sent.
	if diff := cmp.Diff([]string{"7 ru fake chars=9 requests=3"}, usage.records); diff != "" {
		t.Errorf("usage records (-want +got):\n%s", diff)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP tarjuma_mt_characters_total Characters (code points) sent to each MT engine per target language, retries included; engines bill by them.
# TYPE tarjuma_mt_characters_total counter
tarjuma_mt_characters_total{lang="ru",provider="fake"} 9
tarjuma_mt_characters_total{lang="tg",provider="other"} 6
# HELP tarjuma_mt_requests_total Requests sent to each MT engine per target language, retries included.
# TYPE tarjuma_mt_requests_total counter
tarjuma_mt_requests_total{lang="ru",provider="fake"} 3
tarjuma_mt_requests_total{lang="tg",provider="other"} 1
`)); err != nil {
		t.Error(err)
	}
}

// namedEngine is a fakeEngine under another name.
type namedEngine struct {
	fakeEngine
	name string
}

func (e *namedEngine) Name() string { return e.name }
