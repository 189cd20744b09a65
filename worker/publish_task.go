package worker

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// TypePublish is the task that sends one delivery: an approved translation to one subscriber,
// through the connector of its kind (publish.Connector).
const TypePublish = "publish:delivery"

// Bounds of the publish task.
const (
	// publishMaxRetry only bounds asynq; the delivery's give-up time ends it long before.
	publishMaxRetry = 100
	// publishTimeout bounds one attempt as a whole, above the sender's own HTTP timeout.
	publishTimeout = 2 * time.Minute
	// recordTimeout bounds writing an attempt's outcome once the task's context may be over:
	// what the receiver answered is true whatever became of the task.
	recordTimeout = 5 * time.Second
	// placementLease is how long a delivery holds its channel's placement (store.LeasePlacement):
	// past an attempt and its recording, which frees it, so only a killed worker's lease runs
	// out, and another delivery (or this one's retry) takes over.
	placementLease = publishTimeout + recordTimeout + 30*time.Second
	// leaseWait is the longest a delivery waits before it looks at a lease held by another
	// again; most attempts are over in well under that.
	leaseWait = 5 * time.Second
)

// publishPayload names the delivery and its round: a task of an earlier round, still in Redis
// after a redelivery started a new one, finds its round over and does nothing.
type publishPayload struct {
	DeliveryID int64 `json:"delivery_id"`
	Round      int   `json:"round"`
}

// NewPublishTask builds the task for a delivery. Its TaskID is the delivery and round, so the
// relay enqueuing it again (after a crash, or while it waits for a retry) is refused by Redis
// for as long as retention keeps the finished task (DefaultRetention when not positive).
func NewPublishTask(d publish.Delivery, retention time.Duration) (*asynq.Task, error) {
	payload, err := json.Marshal(publishPayload{DeliveryID: d.ID, Round: d.Round})
	if err != nil {
		return nil, fmt.Errorf("publish task payload: %w", err)
	}
	if retention <= 0 {
		retention = DefaultRetention
	}
	return asynq.NewTask(TypePublish, payload,
		asynq.TaskID(fmt.Sprintf("publish:%d:%d", d.ID, d.Round)),
		asynq.Queue(string(tarjuma.PriorityDefault)),
		asynq.Retention(retention),
		asynq.MaxRetry(publishMaxRetry),
		asynq.Timeout(publishTimeout),
	), nil
}

// PublishHandlerConfig holds a PublishHandler's dependencies.
type PublishHandlerConfig struct {
	DB         *store.DB
	Connectors publish.Connectors // by kind; cmd passes the desk's, built by publish.NewConnectors
	// Sealer opens channel credentials (TARJUMA_SECRET_KEY); nil when no key is configured,
	// which only channels without credentials (webhooks) get by with.
	Sealer  *publish.Sealer
	Backoff time.Duration // first retry delay; publish.DefaultBackoff when zero
	Logger  *slog.Logger
}

// PublishHandler processes TypePublish tasks. It is safe to run twice: a delivery that is no
// longer pending is left alone, and one sent twice carries the same webhook-id.
type PublishHandler struct {
	db         *store.DB
	connectors publish.Connectors
	sealer     *publish.Sealer
	backoff    time.Duration
	log        *slog.Logger
}

// NewPublishHandler builds the handler.
func NewPublishHandler(cfg PublishHandlerConfig) *PublishHandler {
	h := &PublishHandler{db: cfg.DB, connectors: cfg.Connectors, sealer: cfg.Sealer, backoff: cfg.Backoff, log: cfg.Logger}
	if h.backoff <= 0 {
		h.backoff = publish.DefaultBackoff
	}
	h.log = cmp.Or(h.log, slog.New(slog.DiscardHandler))
	return h
}

// retryAfterError asks for the next attempt after a delay the handler chose: backoff or the
// receiver's Retry-After, whichever is longer, already checked against the give-up time. A
// wait (an embargo, another delivery's lease, the channel's rate limit) is no failed attempt:
// it is no failure to asynq (isFailure), so it neither uses up the task's retries nor
// lengthens its backoff.
type retryAfterError struct {
	after time.Duration
	err   error
	wait  bool
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (next attempt in %v)", e.err, e.after)
}
func (e *retryAfterError) Unwrap() error { return e.err }

// errEmbargoed is why a delivery waits: its article is under embargo.
var errEmbargoed = errors.New("the article is under embargo")

// isFailure tells asynq which errors count as a failed attempt: all but a wait.
func isFailure(err error) bool {
	var e *retryAfterError
	return !errors.As(err, &e) || !e.wait
}

// send hands the delivery to its kind's connector, with the channel's credentials opened and
// the placement's state saved as the connector goes, under the delivery's lease. A
// kind without a connector in this process, or credentials the key does not open, is an
// attempt that failed, logged like any other: the desk sees why, and a deployment fixed in
// time (the right key, a newer binary) still delivers before the give-up time.
func (h *PublishHandler) send(ctx context.Context, o publish.Outgoing) publish.Result {
	conn, err := h.connectors.For(o.Subscriber.Kind)
	if err != nil {
		return publish.Result{Err: err}
	}
	d := publish.Dispatch{Outgoing: o, Save: func(ctx context.Context, state []byte) error {
		return h.db.SaveProgress(ctx, o.ID, state)
	}}
	if len(o.Subscriber.Credentials) > 0 {
		if d.Credentials, err = h.sealer.Open(o.Subscriber.Kind, o.Subscriber.Credentials); err != nil {
			return publish.Result{Err: err}
		}
	}
	return conn.Deliver(ctx, d)
}

// ProcessTask makes one attempt at a delivery and records it, with the channel state the
// connector left (kept even when the attempt failed: a post made before a timeout is still
// there, and the retry must update it rather than make another), under the delivery's lease on
// that state, which recording frees. A 2xx delivers it, 410
// disables the subscriber, a permanent error (refused credentials, a misconfigured channel)
// fails it at once, a delivery its channel's rate limit holds waits for it (the lease freed, no
// attempt recorded), and anything else is retried with backoff until the delivery's give-up
// time, when it is marked failed.
func (h *PublishHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p publishPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.DeliveryID < 1 {
		return fmt.Errorf("%w: invalid payload %s", asynq.SkipRetry, t.Payload())
	}
	o, err := h.db.Outgoing(ctx, p.DeliveryID)
	switch {
	case errors.Is(err, tarjuma.ErrNotFound):
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	case err != nil:
		return err
	}
	taskID, _ := asynq.GetTaskID(ctx)
	log := h.log.With("task_id", taskID, "delivery_id", o.ID, "subscriber_id", o.SubscriberID,
		"article_id", o.Release.Version.ArticleID, "lang", o.Release.Version.Lang, "version", o.Release.Version.Number)
	if o.State != publish.DeliveryPending || o.Round != p.Round {
		log.InfoContext(ctx, "delivery settled or redelivered since; nothing to do", "state", o.State, "round", o.Round)
		return nil
	}
	// An embargoed story reaches no channel before its time: the task waits for it, trying
	// nothing and recording no attempt. A withdrawal is never held.
	if wait := time.Until(o.Release.EmbargoedUntil); wait > 0 && o.Release.Event != publish.EventWithdrawn {
		log.InfoContext(ctx, "embargoed; held until the embargo ends", "embargo_until", o.Release.EmbargoedUntil)
		return &retryAfterError{after: wait, err: errEmbargoed, wait: true}
	}
	// One delivery of the article and language to the channel at a time, the channel's state
	// read under the lease: a delivery that finds another in flight waits for it, trying
	// nothing; one that a later delivery superseded is cancelled, its text never sent.
	var held *store.LeaseHeldError
	o.Placement, err = h.db.LeasePlacement(ctx, o.ID, placementLease)
	switch {
	case errors.As(err, &held):
		log.InfoContext(ctx, "another delivery to the channel is in flight; waiting for it", "holder", held.Holder)
		return &retryAfterError{after: min(leaseWait, max(time.Until(held.Until), time.Second)), err: err, wait: true}
	case errors.Is(err, store.ErrDeliverySettled):
		log.InfoContext(ctx, "delivery settled, withdrawn or superseded since; nothing to do")
		return nil
	case errors.Is(err, tarjuma.ErrNotFound):
		return fmt.Errorf("%w: %w", asynq.SkipRetry, err)
	case err != nil:
		return err
	}
	start := time.Now()
	res := h.send(ctx, o)
	res.Latency = time.Since(start)
	retried, _ := asynq.GetRetryCount(ctx)
	outcome, delay := o.Judge(res, h.backoff, retried, lastAttempt(ctx), time.Now())
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if outcome == publish.OutcomeWait {
		// The channel's rate limit holds the delivery: no attempt failed, so none is logged
		// (the desk sees it pending; this line says why). The lease is freed and what was sent
		// kept, and the worker goes to other deliveries until the channel has room.
		if err := h.db.ReleasePlacement(rctx, o.ID, res.State); err != nil {
			return err
		}
		log.InfoContext(ctx, "waiting for the channel's rate limit", "kind", o.Subscriber.Kind, "retry_in", delay, "error", res.Err)
		return &retryAfterError{after: delay, err: res.Err, wait: true}
	}
	attempt := publish.Attempt{DeliveryID: o.ID, At: start, StatusCode: res.StatusCode, Latency: res.Latency, State: res.State}
	if res.Err != nil {
		attempt.Error = res.Err.Error()
	}
	if err := h.db.RecordAttempt(rctx, attempt, outcome); err != nil {
		return err // retried: the receiver dedups the repeat on its webhook-id
	}
	switch outcome {
	case publish.OutcomeDelivered:
		log.InfoContext(ctx, "delivered", "status", res.StatusCode, "latency", res.Latency)
		return nil
	case publish.OutcomeGone:
		log.WarnContext(ctx, "receiver answered 410 Gone; subscriber disabled", "url", o.Subscriber.URL)
		return nil
	case publish.OutcomeFailed:
		return fmt.Errorf("%w: giving up on delivery %d: %w", asynq.SkipRetry, o.ID, res.Err)
	}
	return &retryAfterError{after: delay, err: res.Err}
}
