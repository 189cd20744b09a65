package translate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/tarjuma/tarjuma"
)

// Defaults of ProviderOptions.
const (
	DefaultConcurrency = 4
	// DefaultCharsPerMinute is Google Cloud Translation's default quota per project, the
	// tightest of the engines' published defaults.
	DefaultCharsPerMinute = 6_000_000
	DefaultMaxAttempts    = 5
	DefaultBaseDelay      = time.Second
	DefaultRequestTimeout = time.Minute
)

const (
	// maxBackoff caps one wait between attempts, so the attempts fit well inside a task's
	// timeout; a longer Retry-After is still honoured.
	maxBackoff = 30 * time.Second
	// usageWriteTimeout bounds recording a request's usage, which does not end with the caller's
	// context: once recorded, the request is sent and may be billed however the call ends.
	usageWriteTimeout = 5 * time.Second
)

// ProviderOptions tune what NewProvider adds around an Engine. Zero values take the defaults.
type ProviderOptions struct {
	// Concurrency bounds the engine's requests in flight across all Translate calls
	// (DefaultConcurrency).
	Concurrency int
	// CharsPerMinute is the rate limit in code points, which is what engines meter
	// (DefaultCharsPerMinute). The bucket holds a minute's worth, as the engines count their quotas per minute.
	CharsPerMinute int
	// MaxAttempts bounds the tries of one batch, the first included (DefaultMaxAttempts).
	MaxAttempts int
	// BaseDelay is the first backoff's upper bound, doubled on every retry (DefaultBaseDelay).
	BaseDelay time.Duration
	// RequestTimeout bounds one request, so one hung request cannot use up the task's time
	// (DefaultRequestTimeout). A request that runs out of it is retried.
	RequestTimeout time.Duration
	Logger         *slog.Logger // nil: discard
	// Usage stores each request's characters for its article before the request is sent; nil:
	// only the metrics count.
	Usage UsageRecorder
	// Registerer receives the usage counters; providers built with the same one share them.
	Registerer prometheus.Registerer
}

// UsageRecorder stores what is sent to an engine for one article and language, adding to what
// earlier requests recorded; concurrent calls must add up. It calls committing once the
// record can no longer be lost short of the database failing, which is when the request goes:
// as late as that can be and as soon after as the store can manage. It is declared here so translate
// does not depend on the store; *store.DB satisfies it.
type UsageRecorder interface {
	RecordUsage(ctx context.Context, articleID int64, lang tarjuma.Lang, provider string, characters, requests int, committing func()) error
}

// NewProvider makes a Provider of an Engine: it splits requests into batches within the
// engine's limits, sends them concurrently under the concurrency and rate limits, retries what
// may pass with exponential backoff and full jitter, and counts what it sends. Translate
// returns every text or an error, never part of them.
//
// Each request is recorded in ProviderOptions.Usage before it is sent (a WireGatedEngine's as
// its body starts out), and not sent when that fails, so the stored usage never falls below
// what the engine received, whether the call succeeds, fails, or its worker dies.
func NewProvider(e Engine, o ProviderOptions) Provider {
	_, wireGated := e.(WireGatedEngine)
	p := &engineProvider{
		engine:    e,
		limits:    e.Limits(),
		slots:     make(chan struct{}, orDefault(o.Concurrency, DefaultConcurrency)),
		attempts:  orDefault(o.MaxAttempts, DefaultMaxAttempts),
		baseDelay: orDefault(o.BaseDelay, DefaultBaseDelay),
		timeout:   orDefault(o.RequestTimeout, DefaultRequestTimeout),
		log:       o.Logger,
		usage:     o.Usage,
		wireGated: wireGated,
		chars: counterVec(o.Registerer, prometheus.CounterOpts{
			Name: "tarjuma_mt_characters_total",
			Help: "Characters (code points) sent to each MT engine per target language, retries included; engines bill by them.",
		}, "provider", "lang"),
		requests: counterVec(o.Registerer, prometheus.CounterOpts{
			Name: "tarjuma_mt_requests_total",
			Help: "Requests sent to each MT engine per target language, retries included.",
		}, "provider", "lang"),
	}
	p.log = cmp.Or(p.log, slog.New(slog.DiscardHandler))
	perMinute := orDefault(o.CharsPerMinute, DefaultCharsPerMinute)
	p.limiter = rate.NewLimiter(rate.Limit(float64(perMinute)/60), max(perMinute, p.limits.MaxRunes))
	return p
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// counterVec registers a counter vector with reg, or returns the one already registered under
// its name, so that every provider of a process adds to the same series.
func counterVec(reg prometheus.Registerer, opts prometheus.CounterOpts, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(opts, labels)
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var dup prometheus.AlreadyRegisteredError
		if errors.As(err, &dup) {
			if existing, ok := dup.ExistingCollector.(*prometheus.CounterVec); ok {
				return existing
			}
		}
		panic(err)
	}
	return c
}

type engineProvider struct {
	engine    Engine
	limits    Limits
	slots     chan struct{} // one per request in flight
	limiter   *rate.Limiter // nil: unlimited
	attempts  int
	baseDelay time.Duration
	timeout   time.Duration
	log       *slog.Logger
	usage     UsageRecorder
	wireGated bool // the engine is a WireGatedEngine
	chars     *prometheus.CounterVec
	requests  *prometheus.CounterVec
}

func (p *engineProvider) Name() string { return p.engine.Name() }

func (p *engineProvider) Supports(source, target tarjuma.Lang) (Capabilities, bool) {
	return p.engine.Supports(source, target)
}

// Translate sends req.Texts in batches and puts the answers back in order. The first batch to
// fail for good cancels the others, since the call fails as a whole anyway.
func (p *engineProvider) Translate(ctx context.Context, req Request) ([]string, error) {
	batches, err := p.split(req.Texts)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(req.Texts))
	g, gctx := errgroup.WithContext(ctx)
	for _, b := range batches {
		g.Go(func() error {
			batch := req
			batch.Texts = req.Texts[b.start:b.end]
			texts, err := p.send(gctx, batch)
			copy(out[b.start:b.end], texts)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// span is a batch: the texts [start, end) of a request.
type span struct{ start, end int }

// split cuts texts into batches within the engine's limits, filling each as far as it goes.
// A text that alone is over a limit is refused: cutting it would change the translation.
func (p *engineProvider) split(texts []string) ([]span, error) {
	l := p.limits
	var batches []span
	start, bytes, runes := 0, 0, 0
	for i, s := range texts {
		b, r := len(s), utf8.RuneCountInString(s)
		if over(b, l.MaxBytes) || over(r, l.MaxRunes) {
			return nil, &Error{Provider: p.Name(), Permanent: true, Err: &tooLongError{index: i, bytes: b, runes: r, limits: l}}
		}
		if i > start && (over(i-start+1, l.MaxTexts) || over(bytes+b, l.MaxBytes) || over(runes+r, l.MaxRunes)) {
			batches = append(batches, span{start, i})
			start, bytes, runes = i, 0, 0
		}
		bytes, runes = bytes+b, runes+r
	}
	if start < len(texts) {
		batches = append(batches, span{start, len(texts)})
	}
	return batches, nil
}

// over reports whether n exceeds limit, where 0 means no limit.
func over(n, limit int) bool { return limit > 0 && n > limit }

// tooLongError is a text the engine cannot take in one request. It keeps the text's index so
// the Translator can name the segment.
type tooLongError struct {
	index        int
	bytes, runes int
	limits       Limits
}

func (e *tooLongError) Error() string {
	return fmt.Sprintf("the text has %d bytes and %d characters, more than one request may carry (%d bytes, %d characters; 0 is no limit)",
		e.bytes, e.runes, e.limits.MaxBytes, e.limits.MaxRunes)
}

// send gets one batch translated, retrying failures that may pass. It gives up at once on a
// permanent failure, when the caller's context ends, and when the wait before the next attempt
// would outlast the context: then the task is better retried later, Retry-After and all.
func (p *engineProvider) send(ctx context.Context, req Request) ([]string, error) {
	chars := 0
	for _, s := range req.Texts {
		chars += utf8.RuneCountInString(s)
	}
	for attempt := 1; ; attempt++ {
		texts, err := p.attempt(ctx, req, chars)
		if err == nil {
			return texts, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if IsPermanent(err) || attempt >= p.attempts {
			return nil, err
		}
		delay := p.backoff(attempt, err)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
			return nil, err
		}
		p.log.InfoContext(ctx, "mt request failed, retrying", "provider", p.Name(), "target", req.Target,
			"texts", len(req.Texts), "attempt", attempt, "delay", delay, "error", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
}

// attempt makes one request once the rate limit and a free slot allow. It checks the number of
// texts in the answer: a short or long one cannot be matched to the segments.
func (p *engineProvider) attempt(ctx context.Context, req Request, chars int) ([]string, error) {
	if err := p.wait(ctx, chars); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	if err := ctx.Err(); err != nil {
		return nil, err // not sent, so not recorded
	}

	// Recorded and counted before the answer: an engine may bill a request whose answer is lost.
	// A wire-gated engine's transport opens the gate as the request body starts out; any other
	// engine's request is recorded before Send.
	gate := &usageGate{record: func(committing func()) error { return p.record(ctx, req, chars, committing) }}
	if !p.wireGated {
		if err := gate.open(); err != nil {
			return nil, err
		}
	}
	rctx, cancel := context.WithTimeout(context.WithValue(ctx, gateKey{}, gate), p.timeout)
	defer cancel()
	texts, err := p.engine.Send(rctx, req)
	if gerr := gate.close(); gerr != nil {
		return nil, gerr // the request failed for its record, with nothing of its body sent
	}
	if err != nil {
		return nil, p.named(err)
	}
	if len(texts) != len(req.Texts) {
		return nil, &Error{Provider: p.Name(), Err: fmt.Errorf("malformed response: %d texts for %d", len(texts), len(req.Texts))}
	}
	return texts, nil
}

// wait takes chars from the rate limiter. A batch larger than the bucket, possible only with
// no MaxRunes, takes it in bucketfuls.
func (p *engineProvider) wait(ctx context.Context, chars int) error {
	if p.limiter == nil {
		return nil
	}
	for chars > 0 {
		n := min(chars, p.limiter.Burst())
		if err := p.limiter.WaitN(ctx, n); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// The wait would outlast the context's deadline: the task may retry later.
			return &Error{Provider: p.Name(), Err: fmt.Errorf("rate limit: %w", err)}
		}
		chars -= n
	}
	return nil
}

// named makes err an *Error that names the provider, so a failure reason says which engine
// failed.
func (p *engineProvider) named(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Provider: p.Name(), Err: err}
	}
	if e.Provider == "" {
		named := *e
		named.Provider = p.Name()
		return &named
	}
	return err
}

// backoff is the wait before attempt+1: full jitter over an exponentially growing bound, or the
// engine's Retry-After when that is longer.
func (p *engineProvider) backoff(attempt int, err error) time.Duration {
	bound := p.baseDelay
	for i := 1; i < attempt && bound < maxBackoff; i++ {
		bound *= 2
	}
	d := rand.N(min(bound, maxBackoff) + 1)
	if e := (*Error)(nil); errors.As(err, &e) && e.RetryAfter > d {
		d = e.RetryAfter
	}
	return d
}

// record stores one request's characters for its article before the request is sent, and
// counts them, calling committing when the request may go. The write does not end with the
// caller's context, only after usageWriteTimeout: a cancellation racing it could leave it
// committed yet reported failed. A write failed before committing is a retryable error and the
// request is not sent: a retry costs less than a bill the desk cannot see. One failed after
// (the database lost as it committed) is logged: the request went out uncounted. Requests for
// no article (health checks) are only counted.
func (p *engineProvider) record(ctx context.Context, req Request, chars int, committing func()) error {
	count := func() {
		p.chars.WithLabelValues(p.Name(), string(req.Target)).Add(float64(chars))
		p.requests.WithLabelValues(p.Name(), string(req.Target)).Inc()
		committing()
	}
	if p.usage == nil || req.ArticleID == 0 {
		count()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), usageWriteTimeout)
	defer cancel()
	var sent atomic.Bool
	err := p.usage.RecordUsage(ctx, req.ArticleID, req.Target, p.Name(), chars, 1, func() {
		sent.Store(true)
		count()
	})
	switch {
	case err != nil && sent.Load():
		p.log.ErrorContext(ctx, "mt usage lost: the database failed as it committed the record of a request being sent",
			"provider", p.Name(), "article_id", req.ArticleID, "target", req.Target, "characters", chars, "error", err)
		return err
	case err != nil:
		return &Error{Provider: p.Name(), Err: fmt.Errorf("request not sent: recording its usage: %w", err)}
	}
	return nil
}
