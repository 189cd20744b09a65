package publish

import "time"

// DeliveryWindow is how long a delivery is tried before it is marked failed, counted from its
// creation or its last redelivery.
const DeliveryWindow = 24 * time.Hour

// GiveUpAt is when a delivery created or redelivered at t is marked failed if no attempt has
// been acknowledged by then.
func GiveUpAt(t time.Time) time.Time { return t.Add(DeliveryWindow) }

// DeliveryState is where one delivery of a release to one subscriber stands.
type DeliveryState string

// The delivery states. Pending deliveries are in the outbox or being retried; cancelled ones
// were for a subscriber that was deleted or answered 410 Gone.
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
}

// Outcome is what an attempt means for its delivery.
type Outcome int

// The outcomes of an attempt.
const (
	OutcomeRetry     Outcome = iota // failed; the delivery stays pending for another attempt
	OutcomeDelivered                // acknowledged with a 2xx
	OutcomeFailed                   // failed, and no attempt is left before the give-up time
	OutcomeGone                     // 410 Gone: the subscriber is disabled, its deliveries cancelled
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

// Outgoing is everything the worker needs to send one delivery.
type Outgoing struct {
	Delivery
	Subscriber Subscriber
	Release    Release
}

// DeliveryLog is a delivery with its attempts, for the desk to see.
type DeliveryLog struct {
	Delivery
	SubscriberURL string
	Version       int
	Event         string
	Attempts      []Attempt
}
