// Package worker owns the background work on asynq: one file per task kind (type, payload of
// ids, constructor with options, handler), the outbox relay that moves committed jobs from the
// database into Redis, and the server that runs the handlers with queues, retries, logging and
// metrics.
package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

// Retry backoff: doubling from retryBase up to retryCap.
const (
	retryBase = 5 * time.Second
	retryCap  = 10 * time.Minute
)

// Defaults of ServerConfig. Most of a translate task's time is spent waiting on MT engines,
// so more tasks than cores run at once; a running translation usually finishes within the
// shutdown grace, so a deploy rarely makes an engine translate the same text twice.
const (
	DefaultConcurrency     = 10
	DefaultShutdownTimeout = 30 * time.Second
)

// ServerConfig holds a Server's dependencies and settings.
type ServerConfig struct {
	Redis           asynq.RedisConnOpt
	Concurrency     int           // tasks processed at once; DefaultConcurrency when zero
	ShutdownTimeout time.Duration // how long running tasks may finish on shutdown before they are re-queued; DefaultShutdownTimeout when zero
	Logger          *slog.Logger
	Registerer      prometheus.Registerer
	Handler         *TranslateHandler
	Publish         *PublishHandler // nil: this server sends no webhooks
}

// Server runs the task handlers on asynq.
type Server struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// NewServer builds the server; Start starts it. Queues are weighted so breaking news goes first
// without starving back-catalogue work: urgent 6, default 3, bulk 1.
func NewServer(cfg ServerConfig) *Server {
	log := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	f := promauto.With(cfg.Registerer)
	tasks := f.NewCounterVec(prometheus.CounterOpts{
		Name: "tarjuma_tasks_total",
		Help: "Task attempts by outcome: success, retry (will run again) or failed (given up).",
	}, []string{"type", "outcome"})
	durations := f.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tarjuma_task_duration_seconds",
		Help:    "Time spent in task handlers, per attempt.",
		Buckets: prometheus.ExponentialBuckets(0.01, 3, 11), // 10ms to about 10 minutes
	}, []string{"type"})

	mux := asynq.NewServeMux()
	mux.Use(instrument(tasks, durations))
	mux.Handle(TypeTranslate, cfg.Handler)
	if cfg.Publish != nil {
		mux.Handle(TypePublish, cfg.Publish)
	}

	srv := asynq.NewServer(cfg.Redis, asynq.Config{
		Concurrency:     cmp.Or(cfg.Concurrency, DefaultConcurrency),
		ShutdownTimeout: cmp.Or(cfg.ShutdownTimeout, DefaultShutdownTimeout),
		Queues: map[string]int{
			string(tarjuma.PriorityUrgent):  6,
			string(tarjuma.PriorityDefault): 3,
			string(tarjuma.PriorityBulk):    1,
		},
		// asynq sleeps this long whenever it finds every queue empty; its 1s default would hold a
		// freshly submitted breaking story for up to a second. Three queues polled ten times a
		// second cost Redis next to nothing.
		TaskCheckInterval: 100 * time.Millisecond,
		// Tasks due again (a retry, a delivery that waited for its channel's rate limit) become
		// pending only when asynq looks for them; at its 5 s default, a Telegram delivery coming
		// back for its chat's slot would arrive up to 5 s late, and others might take the slot.
		// A look a second is a few Redis calls per queue.
		DelayedTaskCheckInterval: time.Second,
		RetryDelayFunc:           retryDelay,
		IsFailure:                isFailure,
		ErrorHandler:             asynq.ErrorHandlerFunc(errorLogger(log)),
		Logger:                   asynqLogger{log.With("component", "asynq")},
	})
	return &Server{srv: srv, mux: mux}
}

// Start starts processing tasks in the background. It does not wait for Redis: while Redis is
// unreachable asynq logs the errors and keeps trying.
func (s *Server) Start() error {
	if err := s.srv.Start(s.mux); err != nil {
		return fmt.Errorf("start asynq server: %w", err)
	}
	return nil
}

// Shutdown stops gracefully (cmd calls it on SIGTERM): it stops taking tasks, lets running ones
// finish within ShutdownTimeout and re-queues the rest, whose handlers see their context
// cancelled. It returns when the workers are done.
func (s *Server) Shutdown() { s.srv.Shutdown() }

// retryDelay backs off exponentially from retryBase to retryCap, taking a random point in the
// upper half of each step so the tasks of one engine outage do not all come back at once. An
// engine's own Retry-After wins when it is longer.
func retryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if e := (*retryAfterError)(nil); errors.As(err, &e) {
		return e.after // a publish task chose its own, against its delivery's give-up time
	}
	d := retryCap
	if n < 16 { // beyond that the shift would overflow; the cap applies long before
		d = min(retryBase<<n, retryCap)
	}
	d = d/2 + rand.N(d/2+1)
	if e := (*translate.Error)(nil); errors.As(err, &e) && e.RetryAfter > d {
		d = e.RetryAfter
	}
	return d
}

// outcome names what becomes of a task attempt that ended with err.
func outcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return "success"
	case errors.Is(err, asynq.SkipRetry) || lastAttempt(ctx):
		return "failed"
	default:
		return "retry"
	}
}

// instrument counts task outcomes and times handlers.
func instrument(tasks *prometheus.CounterVec, durations *prometheus.HistogramVec) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			durations.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
			tasks.WithLabelValues(t.Type(), outcome(ctx, err)).Inc()
			return err
		})
	}
}

// errorLogger logs each failed attempt once, at error level when asynq gives the task up; a task
// that waits (made no attempt) is logged at info level.
// Handlers return their errors rather than logging them, so this is the one place they appear.
func errorLogger(log *slog.Logger) func(context.Context, *asynq.Task, error) {
	return func(ctx context.Context, t *asynq.Task, err error) {
		id, _ := asynq.GetTaskID(ctx)
		retried, _ := asynq.GetRetryCount(ctx)
		limit, _ := asynq.GetMaxRetry(ctx)
		level, msg := slog.LevelWarn, "task failed; will retry"
		switch {
		case !isFailure(err):
			level, msg = slog.LevelInfo, "task waits; will run again"
		case outcome(ctx, err) == "failed":
			level, msg = slog.LevelError, "task failed; giving up"
		}
		log.Log(ctx, level, msg, "task_id", id, "task_type", t.Type(), "retried", retried, "max_retry", limit, "error", err)
	}
}

// asynqLogger sends asynq's own log lines to slog, so they share the process's format and
// destination.
type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }

// Fatal exits as asynq.Logger requires; asynq v0.26 itself never calls it.
func (l asynqLogger) Fatal(args ...any) {
	l.log.Error(fmt.Sprint(args...))
	os.Exit(1)
}
