package publish

import (
	"time"

	"github.com/tarjuma/tarjuma"
)

// NewSubscriber is a receiver of webhooks as an admin registered it. Secret is the signing
// secret the caller generated ("whsec_…", see NewSecret).
type NewSubscriber struct {
	URL         string
	Langs       []tarjuma.Lang
	Description string
	Secret      string
	CreatedBy   string
}

// Subscriber is a receiver of webhooks. Its secrets are here only so the worker can sign; the
// API never shows them after creation or rotation.
type Subscriber struct {
	ID             int64
	URL            string
	Langs          []tarjuma.Lang
	Description    string
	Secret         string
	PreviousSecret string    // signs beside Secret until PreviousUntil, after a rotation
	PreviousUntil  time.Time // zero when there is no previous secret
	DisabledAt     time.Time // zero while enabled; set when the receiver answered 410 Gone
	DisabledReason string
	CreatedBy      string
	CreatedAt      time.Time
}

// SigningSecrets returns the secrets that sign a delivery sent at t: the current one, and the
// previous one during its grace period, so a receiver can switch secrets without losing any.
func (s Subscriber) SigningSecrets(t time.Time) []string {
	secrets := []string{s.Secret}
	if s.PreviousSecret != "" && t.Before(s.PreviousUntil) {
		secrets = append(secrets, s.PreviousSecret)
	}
	return secrets
}
