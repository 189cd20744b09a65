// Package desk holds the news desk's use cases — submit, edit the source, save a version,
// approve, reject, subscribers and redelivery, glossary edits, users and tokens, the translation
// memory's import and the suggestions offered from it — each in one
// place with the rules and permissions they share, so that the JSON API and the review pages
// are two doors onto the same actions and give the same result and the same error.
package desk

import (
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/memory"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// Waker wakes the outbox relay after a commit, so queued work (translation jobs, webhook
// deliveries) reaches the queue at once rather than at the relay's next sweep. It is an
// interface so that desk and the doors never import asynq and tests can count the calls. Wake
// must not block: the rows are already committed and the sweep delivers them even if a
// wake-up is lost.
type Waker interface {
	Wake()
}

// Config holds the Desk's dependencies; cmd builds them.
type Config struct {
	DB    *store.DB
	Waker Waker // nil: work waits for the relay's sweep
	// Glossary is the cached current glossary that human versions are checked against; cmd
	// passes the one the worker uses. Nil: one of the Desk's own over DB.
	Glossary *glossary.Cache
	// AllowPrivateWebhooks accepts subscriber URLs naming private or loopback hosts
	// (TARJUMA_WEBHOOK_ALLOW_PRIVATE; dev only). The sender checks again at dial time.
	AllowPrivateWebhooks bool
	// Auth checks a user's current password when she changes it, through the login limiter
	// the review pages use; cmd passes the pages' one. Nil: one without the limiter's Redis,
	// which refuses every password change as unavailable (no throttle, no password check).
	Auth *auth.Auth
	// RotationGrace is how long a rotated-out secret keeps signing beside the new one
	// (TARJUMA_WEBHOOK_ROTATION_GRACE); publish.DefaultRotationGrace when zero.
	RotationGrace time.Duration
	// Connectors test channels and say which kinds of subscriber can be registered; cmd passes
	// the worker's. Nil: publish.NewConnectors with a sender that honours AllowPrivateWebhooks.
	Connectors publish.Connectors
	// Sealer seals the credentials of new channels and opens them for a test
	// (TARJUMA_SECRET_KEY); nil when no key is configured: channels with credentials are then
	// refused (no_secret_key).
	Sealer *publish.Sealer
}

// Desk carries out the desk's actions. It is safe for concurrent use.
type Desk struct {
	db                   *store.DB
	waker                Waker
	auth                 *auth.Auth
	glossary             *glossary.Cache
	allowPrivateWebhooks bool
	rotationGrace        time.Duration
	connectors           publish.Connectors
	sealer               *publish.Sealer
	tm                   *memoryIndex
	now                  func() time.Time
}

// New builds a Desk.
func New(cfg Config) *Desk {
	if cfg.Glossary == nil {
		cfg.Glossary = cfg.DB.NewGlossaryCache()
	}
	if cfg.Auth == nil {
		cfg.Auth = auth.New(auth.Config{DB: cfg.DB})
	}
	if cfg.RotationGrace <= 0 {
		cfg.RotationGrace = publish.DefaultRotationGrace
	}
	if cfg.Connectors == nil {
		cfg.Connectors = publish.NewConnectors(publish.ConnectorsConfig{
			Sender: publish.NewSender(publish.SenderConfig{AllowPrivate: cfg.AllowPrivateWebhooks})})
	}
	return &Desk{db: cfg.DB, waker: cfg.Waker, auth: cfg.Auth, glossary: cfg.Glossary,
		allowPrivateWebhooks: cfg.AllowPrivateWebhooks, rotationGrace: cfg.RotationGrace, connectors: cfg.Connectors, sealer: cfg.Sealer,
		tm: &memoryIndex{index: memory.NewIndex()}, now: time.Now}
}

// Glossary is the cached current glossary, for the pages and checks that read it.
func (d *Desk) Glossary() *glossary.Cache { return d.glossary }

// wake tells the relay that committed work is waiting.
func (d *Desk) wake() {
	if d.waker != nil {
		d.waker.Wake()
	}
}

// Actor is who acts: the user whose role and languages decide what they may do, and the name
// recorded as the author of what they store (a user's email, or an API token's name).
type Actor struct {
	User tarjuma.User
	Name string
}
