package publish

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/tarjuma/tarjuma"
)

// DeliveryWindow is how long a delivery is tried before it is marked failed, counted from its
// creation or its last redelivery.
const DeliveryWindow = 24 * time.Hour

// GiveUpAt is when a delivery created or redelivered at t is marked failed if no attempt has
// been acknowledged by then.
func GiveUpAt(t time.Time) time.Time { return t.Add(DeliveryWindow) }

// WithdrawalWindow is how long a withdrawal is tried before it is marked failed: a story taken
// down, often for legal reasons, must leave every channel, so one that is down for days still
// gets the withdrawal when it comes back. A person redelivering it gives it a DeliveryWindow.
const WithdrawalWindow = 7 * 24 * time.Hour

// Retries of a failed delivery: each waits twice as long as the one before, up to maxBackoff,
// until the delivery's give-up time.
const (
	// DefaultBackoff is the first retry delay when the deployment sets none.
	DefaultBackoff = 30 * time.Second
	maxBackoff     = 6 * time.Hour
)

// Backoff is the delay before retry n+1 when the first retry comes after base: base doubled n
// times, capped at maxBackoff, at a random point in the upper half of the step so deliveries
// failing together do not all come back together.
func Backoff(base time.Duration, n int) time.Duration {
	d := maxBackoff
	if n < 62 && base <= maxBackoff>>n { // the cap, checked before the shift can overflow
		d = base << n
	}
	return d/2 + rand.N(d/2+1)
}

// DeliveryState is where one delivery of a release to one subscriber stands.
type DeliveryState string

// The delivery states. Pending deliveries are in the outbox or being retried; cancelled ones
// were for a subscriber that was deleted or answered 410 Gone, of an article withdrawn, or
// superseded by a later delivery of the article to the same subscriber (a newer version, the
// withdrawal) before one of their attempts succeeded.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
	DeliveryCancelled DeliveryState = "cancelled"
)

// Delivery is one release sent to one subscriber: an outbox row and the state of its sending.
// Its ID is the webhook-id receivers dedup on; Round grows with every redelivery.
type Delivery struct {
	ID           int64
	ReleaseID    int64
	SubscriberID int64
	State        DeliveryState
	Round        int
	AttemptCount int // attempts over all rounds
	GiveUpAt     time.Time
	CreatedAt    time.Time
	DispatchedAt time.Time // zero until handed to the queue
	FinishedAt   time.Time // zero while pending
	LastError    string
}

// Attempt is one try at sending a delivery. StatusCode is 0 when no response came.
type Attempt struct {
	DeliveryID int64
	At         time.Time
	StatusCode int
	Latency    time.Duration
	Error      string
	// State is the channel's state the attempt left (Result.State), kept with it for the next
	// delivery of the article and language to the same subscriber; nil when unchanged. Not read
	// back into the log.
	State []byte
}

// Outcome is what an attempt means for its delivery.
type Outcome int

// The outcomes of an attempt.
const (
	OutcomeRetry     Outcome = iota // failed; the delivery stays pending for another attempt
	OutcomeDelivered                // acknowledged with a 2xx
	OutcomeFailed                   // failed, and no attempt is left before the give-up time
	OutcomeGone                     // 410 Gone: the subscriber is disabled, its deliveries cancelled
	// OutcomeWait is no failed attempt: the channel's own rate limit holds the delivery
	// (Result.Held). It stays pending and is tried again after the wait, with nothing logged
	// against it, so a burst that a channel takes slowly neither fills the desk's log with
	// attempts nor lengthens the delivery's backoff.
	OutcomeWait
)

// State is the state an attempt with outcome o leaves its delivery in; every state but
// DeliveryPending finishes it.
func (o Outcome) State() DeliveryState {
	switch o {
	case OutcomeDelivered:
		return DeliveryDelivered
	case OutcomeFailed:
		return DeliveryFailed
	case OutcomeGone:
		return DeliveryCancelled
	}
	return DeliveryPending
}

// Judge decides what an attempt's result means for d, and for a retry when the next attempt is
// due: Backoff(base, retried) or the receiver's Retry-After, whichever is longer. A retry that
// would come after d.GiveUpAt, or that will not be made (lastTry: the queue allows no more),
// fails the delivery now; so does an error that says no retry can mend it (a Permanent method
// answering true: refused credentials, a channel misconfigured), which a person must fix
// before redelivering, rather than the channel being hammered for a day. A delivery the
// channel's rate limit holds waits (OutcomeWait) for exactly the time the channel named, as
// long as that ends before the give-up time: a wait is no failure, so it is not backed off.
func (d Delivery) Judge(res Result, base time.Duration, retried int, lastTry bool, now time.Time) (Outcome, time.Duration) {
	var perm interface{ Permanent() bool }
	switch {
	case res.Acknowledged():
		return OutcomeDelivered, 0
	case res.Gone():
		return OutcomeGone, 0
	case res.Held() && !lastTry && !now.Add(res.RetryAfter).After(d.GiveUpAt):
		return OutcomeWait, res.RetryAfter
	case errors.As(res.Err, &perm) && perm.Permanent():
		return OutcomeFailed, 0
	}
	delay := max(Backoff(base, retried), res.RetryAfter)
	if lastTry || now.Add(delay).After(d.GiveUpAt) {
		return OutcomeFailed, 0
	}
	return OutcomeRetry, delay
}

// Outgoing is everything the worker needs to send one delivery: with the channel's state
// for the article (what earlier deliveries left there) in this language and in the others, so
// a correction updates what was published and a WordPress site links the translations.
type Outgoing struct {
	Delivery
	Subscriber Subscriber
	Release    Release
	// Placement is the state, read under the delivery's lease on it (one delivery of the
	// article and language to a channel at a time); nil before the first.
	Placement []byte
	Siblings  map[tarjuma.Lang][]byte // the other languages' placements at this subscriber
}

// DeliveryLog is a delivery with its attempts, for the desk to see.
type DeliveryLog struct {
	Delivery
	SubscriberURL string
	Version       int
	Event         string
	Attempts      []Attempt
}
