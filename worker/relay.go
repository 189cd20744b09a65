package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma/publish"
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
	DB     *store.DB
	Client *asynq.Client
	// Redis, when set, lets the relay take back the tasks of killed workers within seconds
	// (see recover.go); nil leaves them to asynq's recoverer, one to two minutes.
	Redis      redis.UniversalClient
	Logger     *slog.Logger
	Interval   time.Duration // between sweeps when nobody calls Wake
	Redispatch time.Duration // see DefaultRedispatch
	Retention  time.Duration // how long finished tasks keep their TaskID; see NewTranslateTask
	Timeout    time.Duration // per-attempt timeout of translate tasks; DefaultTranslateTimeout when zero
	Registerer prometheus.Registerer
}

// Relay is the outbox relay. The store writes an article and its translation jobs, or an
// approval and its deliveries, in one transaction; the relay then hands those rows to asynq and
// marks them dispatched. A row whose enqueue fails stays pending and is tried again on the next
// sweep, so work accepted while Redis is down is done once Redis is back.
type Relay struct {
	db         *store.DB
	client     *asynq.Client
	rdb        redis.UniversalClient
	log        *slog.Logger
	interval   time.Duration
	redispatch time.Duration
	retention  time.Duration
	opts       []asynq.Option
	kick       chan struct{}

	jobs      *prometheus.CounterVec
	errors    prometheus.Counter
	recovered prometheus.Counter

	// Only Run's goroutine touches these: the current run of failed sweeps.
	failures     int
	failingSince time.Time
	lastLogged   time.Time
	lastRecover  time.Time
}

// NewRelay builds a Relay; call Run to start it.
func NewRelay(cfg RelayConfig) *Relay {
	r := &Relay{
		db:         cfg.DB,
		client:     cfg.Client,
		rdb:        cfg.Redis,
		log:        cfg.Logger,
		interval:   cfg.Interval,
		redispatch: cfg.Redispatch,
		retention:  cfg.Retention,
		kick:       make(chan struct{}, 1),
	}
	r.log = cmp.Or(r.log, slog.New(slog.DiscardHandler))
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
	r.recovered = f.NewCounter(prometheus.CounterOpts{
		Name: "tarjuma_tasks_recovered_total",
		Help: "Tasks of killed workers put back in their queue by the relay, ahead of asynq's own recovery.",
	})
	return r
}

// Wake asks the relay to sweep now rather than at its next tick; the desk calls it after
// committing work (desk.Waker). It never blocks, and calls made while a sweep is pending coalesce.
func (r *Relay) Wake() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run sweeps the outbox at every Wake and every Interval until ctx is done, then returns
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

// sweep takes back the tasks of killed workers, then drains each outbox, translation jobs
// first, until a short batch shows it is empty. A failed recovery does not hold up the outboxes.
func (r *Relay) sweep(ctx context.Context) error {
	recoverErr := r.recoverOrphans(ctx)
	before := time.Now().Add(-r.redispatch)
	outboxes := []func() (int, error){
		func() (int, error) {
			return r.db.DispatchJobs(ctx, relayBatch, before, func(j store.OutboxJob) error { return r.enqueue(ctx, j) })
		},
		func() (int, error) {
			return r.db.DispatchDeliveries(ctx, relayBatch, before, func(d publish.Delivery) error { return r.enqueueDelivery(ctx, d) })
		},
	}
	for _, dispatch := range outboxes {
		for {
			n, err := dispatch()
			if err != nil {
				return errors.Join(recoverErr, err)
			}
			if n < relayBatch {
				break
			}
		}
	}
	return recoverErr
}

// recoverOrphans requeues the tasks that killed workers left active, at most once every
// recoverEvery; see recover.go.
func (r *Relay) recoverOrphans(ctx context.Context) error {
	now := time.Now()
	if r.rdb == nil || now.Sub(r.lastRecover) < recoverEvery {
		return nil
	}
	r.lastRecover = now
	keep := r.retention
	if keep <= 0 {
		keep = DefaultRetention
	}
	taken, err := recoverOrphans(ctx, r.rdb, now, keep)
	for _, o := range taken {
		r.recovered.Inc()
		r.log.WarnContext(ctx, "requeued a task whose worker is gone", "task_id", o.TaskID, "queue", o.Queue)
	}
	return err
}

// enqueue hands one translation job to asynq.
func (r *Relay) enqueue(ctx context.Context, j store.OutboxJob) error {
	task, err := NewTranslateTask(j, r.retention)
	if err != nil {
		return err
	}
	return r.put(ctx, task, r.opts, !j.DispatchedAt.IsZero(),
		"job_id", j.ID, "article_id", j.ArticleID, "lang", j.Lang, "source_revision", j.SourceRevision, "dispatched_at", j.DispatchedAt)
}

// enqueueDelivery hands one delivery to asynq; publish tasks carry their own timeout.
func (r *Relay) enqueueDelivery(ctx context.Context, d publish.Delivery) error {
	task, err := NewPublishTask(d, r.retention)
	if err != nil {
		return err
	}
	return r.put(ctx, task, nil, !d.DispatchedAt.IsZero(), "delivery_id", d.ID, "round", d.Round, "dispatched_at", d.DispatchedAt)
}

// put enqueues the task of an outbox row. A TaskID conflict means the task is already in Redis
// (waiting, running, retrying, or finished within its retention), which is what dispatching
// wants, so it counts as success. redispatched says the row was handed over before and its
// task presumed lost; attrs name the row in that warning.
func (r *Relay) put(ctx context.Context, task *asynq.Task, opts []asynq.Option, redispatched bool, attrs ...any) error {
	_, err := r.client.EnqueueContext(ctx, task, opts...)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		r.jobs.WithLabelValues("already_queued").Inc()
	case err != nil:
		return fmt.Errorf("enqueue: %w", err) // the store names the row
	case redispatched:
		r.jobs.WithLabelValues("redispatched").Inc()
		r.log.WarnContext(ctx, "re-enqueued an outbox row whose task was missing from Redis", attrs...)
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
		r.log.ErrorContext(ctx, "outbox relay cannot dispatch; jobs stay pending", "error", err,
			"failed_sweeps", r.failures, "failing_since", r.failingSince)
		return
	}
	r.log.DebugContext(ctx, "outbox relay sweep failed", "error", err, "failed_sweeps", r.failures)
}
