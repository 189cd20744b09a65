package translate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
)

// fakeEngine answers "tr:<text>" per text, or whatever answer says for the n-th call (from 1),
// and counts the requests it has in flight.
type fakeEngine struct {
	limits Limits
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

// InFlight is how many requests the engine holds now.
func (e *fakeEngine) InFlight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inFlight
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
// checks the engine has exactly Concurrency in flight between them while more wait, and that
// each answer keeps its order although batches finish in any order. The engine holds every
// request until the test lets one go; synctest.Wait returns once every goroutine is blocked,
// so the count is read when no more requests can get in.
func TestProviderConcurrency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		next := make(chan struct{})
		e := &fakeEngine{limits: Limits{MaxTexts: 1}, answer: func(ctx context.Context, _ int, req Request) ([]string, error) {
			<-next
			return echo(req), nil
		}}
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
		for waiting := 2 * len(texts); waiting > 0; waiting-- {
			synctest.Wait()
			if n, want := e.InFlight(), min(waiting, 3); n != want {
				t.Errorf("%d requests in flight with %d to send, want %d", n, waiting, want)
			}
			next <- struct{}{}
		}
		wg.Wait()
	})
}

// The tests of waits run in a synctest bubble: its clock is fake and moves only when every
// goroutine waits, so a wait is measured exactly, whatever the machine's load.

func TestProviderRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 1200 a minute is 20 a second, with a bucket of 1200: the first two texts pass at once,
		// the third waits for 10 characters, half a second.
		e := &fakeEngine{limits: Limits{MaxTexts: 1}}
		p := NewProvider(e, ProviderOptions{CharsPerMinute: 1200})
		start := time.Now()
		if _, err := p.Translate(t.Context(), request(strings.Repeat("a", 600), strings.Repeat("b", 600), strings.Repeat("c", 10))); err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed != 500*time.Millisecond {
			t.Errorf("took %v, want 500ms", elapsed)
		}

		// A text larger than the bucket (no MaxRunes) still passes, taking the bucket twice.
		big := NewProvider(&fakeEngine{}, ProviderOptions{CharsPerMinute: 1200})
		start = time.Now()
		if _, err := big.Translate(t.Context(), request(strings.Repeat("a", 1210))); err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed != 500*time.Millisecond {
			t.Errorf("a text over the bucket took %v, want 500ms", elapsed)
		}
	})
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
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			if _, err := NewProvider(&fakeEngine{answer: limited}, fast).Translate(t.Context(), request("a")); err != nil {
				t.Fatal(err)
			}
			// The backoff's jitter is at most fast.BaseDelay, shorter than the Retry-After.
			if elapsed := time.Since(start); elapsed != wait {
				t.Errorf("retried after %v, want %v", elapsed, wait)
			}
		})
	})
	t.Run("longer than the context: given back at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			e := &fakeEngine{answer: limited}
			ctx, cancel := context.WithTimeout(t.Context(), wait/2)
			defer cancel()
			start := time.Now()
			_, err := NewProvider(e, fast).Translate(ctx, request("a"))
			var engineErr *Error
			if !errors.As(err, &engineErr) || engineErr.RetryAfter != wait || time.Since(start) != 0 || len(e.Calls()) != 1 {
				t.Errorf("err %v after %d calls and %v; want the 429 at once", err, len(e.Calls()), time.Since(start))
			}
		})
	})
}

func TestProviderCallerCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := &fakeEngine{answer: func(ctx context.Context, _ int, _ Request) ([]string, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		ctx, cancel := context.WithCancel(t.Context())
		const after = 30 * time.Millisecond // well inside fast's RequestTimeout (the default minute)
		time.AfterFunc(after, cancel)
		start := time.Now()
		_, err := NewProvider(e, fast).Translate(ctx, request("a"))
		if !errors.Is(err, context.Canceled) || time.Since(start) != after {
			t.Errorf("err = %v after %v, want the cancellation after %v", err, time.Since(start), after)
		}
		if n := len(e.Calls()); n != 1 {
			t.Errorf("%d attempts after the caller gave up, want 1", n)
		}
	})
}

// usageLog is a UsageRecorder that adds up what it is given per article, language and engine,
// as the store does. A non-nil fail decides each write's error; a non-nil gate is called before
// each write, to hold it.
type usageLog struct {
	fail func(n int) error // n counts the writes from 1
	gate func(ctx context.Context)

	mu     sync.Mutex
	writes int
	sums   map[string]usageSum
}

// usageSum is what was recorded, or sent, for one article, language and engine.
type usageSum struct{ Chars, Requests int }

func (u *usageLog) RecordUsage(ctx context.Context, articleID int64, lang tarjuma.Lang, provider string, characters, requests int, committing func()) error {
	if u.gate != nil {
		u.gate(ctx)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.writes++
	if u.fail != nil {
		if err := u.fail(u.writes); err != nil {
			return err
		}
	}
	if u.sums == nil {
		u.sums = map[string]usageSum{}
	}
	k := fmt.Sprintf("%d %s %s", articleID, lang, provider)
	u.sums[k] = usageSum{u.sums[k].Chars + characters, u.sums[k].Requests + requests}
	committing()
	return nil
}

func (u *usageLog) Sums() map[string]usageSum {
	u.mu.Lock()
	defer u.mu.Unlock()
	return maps.Clone(u.sums)
}

// received is what the engine was sent, keyed as usageLog keys it.
func received(articleID int64, provider string, calls []Request) map[string]usageSum {
	sums := map[string]usageSum{}
	for _, c := range calls {
		k := fmt.Sprintf("%d %s %s", articleID, c.Target, provider)
		chars := 0
		for _, s := range c.Texts {
			chars += utf8.RuneCountInString(s)
		}
		sums[k] = usageSum{sums[k].Chars + chars, sums[k].Requests + 1}
	}
	return sums
}

// TestProviderUsageMatchesEngine checks the stored usage is exactly what the engine received,
// request by request, however the call ends.
func TestProviderUsageMatchesEngine(t *testing.T) {
	tooMany := &Error{Provider: "fake", RetryAfter: time.Millisecond, Err: errors.New("429 too many requests")}
	unavailable := &Error{Provider: "fake", Err: errors.New("503 service unavailable")}
	refused := &Error{Permanent: true, Err: errors.New("text refused")}
	// failing answers the batch that starts with "last" with err, once the others were answered,
	// so that it fails after them; every other batch is answered at once.
	failing := func(others int, err error) func() func(context.Context, int, Request) ([]string, error) {
		return func() func(context.Context, int, Request) ([]string, error) {
			var mu sync.Mutex
			answered, done := 0, make(chan struct{})
			return func(ctx context.Context, _ int, req Request) ([]string, error) {
				if req.Texts[0] != "last" {
					mu.Lock()
					if answered++; answered == others {
						close(done)
					}
					mu.Unlock()
					return echo(req), nil
				}
				select {
				case <-done:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return nil, err
			}
		}
	}
	tests := []struct {
		name    string
		limits  Limits
		answer  func() func(context.Context, int, Request) ([]string, error) // nil: echo
		texts   []string
		want    usageSum
		wantErr string // empty: success
	}{
		{"one request", Limits{}, nil, []string{"أب", "ج"}, usageSum{3, 1}, ""},
		{"429, then ok", Limits{}, func() func(context.Context, int, Request) ([]string, error) {
			return func(_ context.Context, n int, req Request) ([]string, error) {
				if n == 1 {
					return nil, tooMany
				}
				return echo(req), nil
			}
		}, []string{"أب", "ج"}, usageSum{6, 2}, ""},
		{"batches split at the limits", Limits{MaxTexts: 2, MaxRunes: 4}, nil,
			[]string{"أب", "ج", "دهوز", "a", "b", "c"}, usageSum{10, 4}, ""},
		{"a later batch refused", Limits{MaxTexts: 2}, failing(2, refused),
			[]string{"a", "bc", "def", "g", "last"}, usageSum{11, 3}, "mt fake: text refused"},
		{"a later batch out of attempts", Limits{MaxTexts: 2}, failing(2, unavailable),
			[]string{"a", "bc", "def", "g", "last"}, usageSum{19, 5}, "mt fake: 503 service unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &fakeEngine{limits: tt.limits}
			if tt.answer != nil {
				e.answer = tt.answer()
			}
			usage := &usageLog{}
			o := fast
			o.Usage = usage
			req := request(tt.texts...)
			req.ArticleID = 7
			got, err := NewProvider(e, o).Translate(t.Context(), req)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr || got != nil) {
				t.Fatalf("got %q, %v; want error %q", got, err, tt.wantErr)
			}
			sent := received(7, "fake", e.Calls())
			if diff := cmp.Diff(sent, usage.Sums()); diff != "" {
				t.Errorf("recorded usage (-engine received +stored):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]usageSum{"7 ru fake": tt.want}, sent); diff != "" {
				t.Errorf("engine received (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProviderUsageCallerCancel cancels the caller while a request is in flight, and while its
// usage is being written: either way the request the engine received stays recorded.
func TestProviderUsageCallerCancel(t *testing.T) {
	t.Run("request in flight", func(t *testing.T) {
		inFlight := make(chan struct{})
		e := &fakeEngine{answer: func(ctx context.Context, _ int, _ Request) ([]string, error) {
			close(inFlight)
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		usage := &usageLog{}
		o := fast
		o.Usage = usage
		ctx, cancel := context.WithCancel(t.Context())
		go func() {
			<-inFlight
			cancel()
		}()
		req := request("أب", "ج")
		req.ArticleID = 7
		if _, err := NewProvider(e, o).Translate(ctx, req); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want the cancellation", err)
		}
		if diff := cmp.Diff(map[string]usageSum{"7 ru fake": {3, 1}}, usage.Sums()); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
	})
	t.Run("usage being written", func(t *testing.T) {
		e := &fakeEngine{}
		ctx, cancel := context.WithCancel(t.Context())
		var writeCtxErr error
		usage := &usageLog{gate: func(wctx context.Context) {
			cancel()
			writeCtxErr = wctx.Err()
		}}
		o := fast
		o.Usage = usage
		req := request("أب", "ج")
		req.ArticleID = 7
		if _, err := NewProvider(e, o).Translate(ctx, req); err != nil {
			// The stand-in engine takes the request whatever its context says, as a real one
			// may once the request is on its way.
			t.Fatal(err)
		}
		if writeCtxErr != nil {
			t.Errorf("the usage write's context ended with the caller's: %v", writeCtxErr)
		}
		if diff := cmp.Diff(received(7, "fake", e.Calls()), usage.Sums()); diff != "" {
			t.Errorf("recorded usage (-engine received +stored):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]usageSum{"7 ru fake": {3, 1}}, usage.Sums()); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
	})
}

// TestProviderUsageWriteFails checks a request whose usage cannot be written is not sent, and
// the failure is retryable: the task runs again rather than send what the desk cannot see.
func TestProviderUsageWriteFails(t *testing.T) {
	down := errors.New("database is down")
	t.Run("every time", func(t *testing.T) {
		e := &fakeEngine{}
		reg := prometheus.NewPedanticRegistry()
		o := fast
		o.Usage, o.Registerer = &usageLog{fail: func(int) error { return down }}, reg
		req := request("a")
		req.ArticleID = 7
		got, err := NewProvider(e, o).Translate(t.Context(), req)
		var engineErr *Error
		if got != nil || !errors.Is(err, down) || !errors.As(err, &engineErr) || IsPermanent(err) {
			t.Errorf("got %q, %v; want a retryable *Error wrapping %v", got, err, down)
		}
		if n := len(e.Calls()); n != 0 {
			t.Errorf("%d requests sent without their usage", n)
		}
		if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
			t.Errorf("%d series counted (%v), want none: nothing was sent", n, err)
		}
	})
	t.Run("once, then ok", func(t *testing.T) {
		e := &fakeEngine{}
		usage := &usageLog{fail: func(n int) error {
			if n == 1 {
				return down
			}
			return nil
		}}
		o := fast
		o.Usage = usage
		req := request("a")
		req.ArticleID = 7
		if _, err := NewProvider(e, o).Translate(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]usageSum{"7 ru fake": {1, 1}}, usage.Sums()); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
		if n := len(e.Calls()); n != 1 {
			t.Errorf("%d requests sent, want 1", n)
		}
	})
}

// TestProviderUsage counts every request sent, retries included, in the store and in the
// metrics, which providers sharing a registry add to together; a request for no article is
// counted only in the metrics.
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
	if diff := cmp.Diff(map[string]usageSum{"7 ru fake": {9, 3}}, usage.Sums()); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if usage.writes != 3 {
		t.Errorf("%d usage writes, want one per request for the article", usage.writes)
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
