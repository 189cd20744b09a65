package publish

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Kind is the kind of channel a subscriber is: how an approved translation reaches it.
type Kind string

// The kinds of channel. Only KindWebhook has a connector yet; the desk refuses the others
// (unsupported_kind) until theirs exist, so that no subscriber waits for a sender that is not
// there.
const (
	KindWebhook   Kind = "webhook"
	KindWordPress Kind = "wordpress"
	KindTelegram  Kind = "telegram"
)

// Kinds lists every kind the API names, supported or not, so a request for a kind that is
// planned is told so rather than that it is unknown.
func Kinds() []Kind { return []Kind{KindWebhook, KindWordPress, KindTelegram} }

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool { return slices.Contains(Kinds(), k) }

// Signed reports whether channels of kind k sign what they are sent, and so hold a signing
// secret: only webhooks do. A WordPress site and a Telegram channel are reached with their own
// credentials, and a secret issued to them would be one more thing to keep that nothing uses.
func (k Kind) Signed() bool { return k == KindWebhook }

// Payload is the body a webhook subscriber receives.
type Payload string

// The payloads of a webhook: PayloadTarjuma is the Standard Webhooks event (Event), the one
// receivers have always had; PayloadNinjs is the bare IPTC ninjs 3.1 document (Ninjs).
const (
	PayloadTarjuma Payload = "tarjuma"
	PayloadNinjs   Payload = "ninjs"
)

// Payloads lists the payloads a webhook may ask for.
func Payloads() []Payload { return []Payload{PayloadTarjuma, PayloadNinjs} }

// Known reports whether p is one of Payloads.
func (p Payload) Known() bool { return slices.Contains(Payloads(), p) }

// NewSubscriber is a channel as an admin registered it. Secret is a webhook's signing secret,
// which the caller generated ("whsec_…", see NewSecret); other kinds have none (Kind.Signed).
// Credentials, when the kind has any, are sealed
// already (Sealer.Seal): the store keeps them as it gets them.
type NewSubscriber struct {
	Kind        Kind
	Payload     Payload
	Settings    json.RawMessage // per kind; "{}" for a webhook, which has none
	Credentials []byte
	URL         string
	Langs       []tarjuma.Lang
	Description string
	Secret      string
	CreatedBy   string
}

// Subscriber is a channel approved translations are delivered to. Its secrets are here only so
// the worker can sign; the API never shows them after creation or rotation.
type Subscriber struct {
	ID             int64
	Kind           Kind
	Payload        Payload
	Settings       json.RawMessage
	Credentials    []byte // sealed; nil when the kind has none
	URL            string
	Langs          []tarjuma.Lang
	Description    string
	Secret         string
	PreviousSecret string    // signs beside Secret until PreviousUntil, after a rotation
	PreviousUntil  time.Time // zero when there is no previous secret
	DisabledAt     time.Time // zero while enabled; set by a 410 Gone answer or by hand
	DisabledReason string
	Check          CheckResult // the last test of the channel; zero At when never tested
	CreatedBy      string
	CreatedAt      time.Time
}

// CheckResult is how the last test of a channel went, as the desk keeps and shows it.
// StatusCode is 0 when no answer came; Error is empty when the channel took the test.
type CheckResult struct {
	At         time.Time
	StatusCode int
	Error      string
}

// OK reports whether the channel took the test.
func (c CheckResult) OK() bool { return !c.At.IsZero() && c.Error == "" }

// SigningSecrets returns the secrets that sign a delivery sent at t: the current one, and the
// previous one during its grace period, so a receiver can switch secrets without losing any.
func (s Subscriber) SigningSecrets(t time.Time) []string {
	secrets := []string{s.Secret}
	if s.PreviousSecret != "" && t.Before(s.PreviousUntil) {
		secrets = append(secrets, s.PreviousSecret)
	}
	return secrets
}

// Why a subscriber is disabled, as its DisabledReason says: a 410 Gone answer, or a person
// (DisabledByHand and the name of who did it). The pages tell the two apart by these.
const (
	DisabledGone   = "the receiver answered 410 Gone"
	DisabledByHand = "disabled by "
)
