package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/tarjuma/tarjuma/store"
)

// Relay defaults.
const (
	DefaultRelayInterval = time.Second
	// DefaultRedispatch is how long a dispatched job may wait before its task is presumed lost
	// (Redis restarted without persistence, eviction, a task stuck without a lease) and enqueued
	// again. TaskID makes that harmless when the task is in fact still there.
	DefaultRedispatch = 2 * time.Minute
	relayBatch        = 100
	// outageLogEvery spaces error lines while Redis or the database stays down.
	outageLogEvery = time.Minute
)

// RelayConfig holds a Relay's dependencies and settings; zero durations take the defaults.
type RelayConfig struct {
	DB         *store.DB
	Client     *asynq.Client
	Logger     *slog.Logger
	Interval   time.Duration // between sweeps when nobody calls Dispatch
	Redispatch time.Duration // see DefaultRedispatch
	Retention  time.Duration // how long finished tasks keep their TaskID; see NewTranslateTask
	Timeout    time.Duration // per-attempt timeout of translate tasks; DefaultTimeout when zero
	Registerer prometheus.Registerer
}

// Relay is the outbox relay. The store writes an article and its translation jobs in one
// transaction; the relay then hands the jobs to asynq and marks them dispatched. A job whose
// enqueue fails stays pending and is tried again on the next sweep, so an article accepted
// while Redis is down is translated once Redis is back.
type Relay struct {
	db         *store.DB
	client     *asynq.Client
	log        *slog.Logger
	interval   time.Duration
	redispatch time.Duration
	retention  time.Duration
	opts       []asynq.Option
	kick       chan struct{}

	jobs   *prometheus.CounterVec
	errors prometheus.Counter

	// Only Run's goroutine touches these: the current run of failed sweeps.
	failures     int
	failingSince time.Time
	lastLogged   time.Time
}

// NewRelay builds a Relay; call Run to start it.
func NewRelay(cfg RelayConfig) *Relay {
	r := &Relay{
		db:         cfg.DB,
		client:     cfg.Client,
		log:        cfg.Logger,
		interval:   cfg.Interval,
		redispatch: cfg.Redispatch,
		retention:  cfg.Retention,
		kick:       make(chan struct{}, 1),
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.interval <= 0 {
		r.interval = DefaultRelayInterval
	}
	if r.redispatch <= 0 {
		r.redispatch = DefaultRedispatch
	}
	if cfg.Timeout > 0 {
		r.opts = append(r.opts, asynq.Timeout(cfg.Timeout))
	}
	f := promauto.With(cfg.Registerer)
	r.jobs = f.NewCounterVec(prometheus.CounterOpts{
		Name: "tarjuma_outbox_jobs_total",
		Help: "Outbox jobs handed to the queue: enqueued, re-enqueued after their task was lost, or found already queued.",
	}, []string{"result"})
	r.errors = f.NewCounter(prometheus.CounterOpts{
		Name: "tarjuma_outbox_errors_total",
		Help: "Relay sweeps that stopped on an error (Redis or the database unreachable); the jobs stay pending.",
	})
	return r
}

// Dispatch asks the relay to sweep now rather than at its next tick; the API calls it after
// committing a submission. It never blocks, and calls made while a sweep is pending coalesce.
func (r *Relay) Dispatch() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run sweeps the outbox at every Dispatch and every Interval until ctx is done, then returns
// nil. Errors do not stop it: they are logged and the jobs are tried again at the next sweep.
func (r *Relay) Run(ctx context.Context) error {
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	for {
		r.report(ctx, r.sweep(ctx))
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-r.kick:
		}
	}
}

// sweep dispatches batches until a short one shows the outbox is drained.
func (r *Relay) sweep(ctx context.Context) error {
	enqueue := func(j store.Job) error { return r.enqueue(ctx, j) }
	for {
		n, err := r.db.DispatchJobs(ctx, relayBatch, time.Now().Add(-r.redispatch), enqueue)
		if err != nil {
			return err
		}
		if n < relayBatch {
			return nil
		}
	}
}

// enqueue hands one job to asynq. A TaskID conflict means the task is already in Redis
// (waiting, running, retrying, or finished within its retention), which is what dispatching
// wants, so it counts as success.
func (r *Relay) enqueue(ctx context.Context, j store.Job) error {
	task, err := NewTranslateTask(j, r.retention)
	if err != nil {
		return err
	}
	_, err = r.client.EnqueueContext(ctx, task, r.opts...)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		r.jobs.WithLabelValues("already_queued").Inc()
	case err != nil:
		return fmt.Errorf("enqueue: %w", err) // the store names the job
	case !j.DispatchedAt.IsZero():
		r.jobs.WithLabelValues("redispatched").Inc()
		r.log.WarnContext(ctx, "re-enqueued a job whose task was missing from Redis",
			"job_id", j.ID, "article_id", j.ArticleID, "lang", j.Lang, "source_revision", j.SourceRevision,
			"dispatched_at", j.DispatchedAt)
	default:
		r.jobs.WithLabelValues("enqueued").Inc()
	}
	return nil
}

// report logs the outcome of a sweep so that an outage shows as one error line when it starts,
// one a minute while it lasts and one when it ends, not a line per tick.
func (r *Relay) report(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // shutting down: an interrupted sweep is expected
	}
	now := time.Now()
	if err == nil {
		if r.failures > 0 {
			r.log.InfoContext(ctx, "outbox relay recovered", "failed_sweeps", r.failures, "down_for", now.Sub(r.failingSince))
			r.failures = 0
		}
		return
	}
	r.errors.Inc()
	r.failures++
	if r.failures == 1 {
		r.failingSince = now
	}
	if r.failures == 1 || now.Sub(r.lastLogged) >= outageLogEvery {
		r.lastLogged = now
		r.log.ErrorContext(ctx, "outbox relay cannot dispatch; jobs stay pending", "err", err,
			"failed_sweeps", r.failures, "failing_since", r.failingSince)
		return
	}
	r.log.DebugContext(ctx, "outbox relay sweep failed", "err", err, "failed_sweeps", r.failures)
}
