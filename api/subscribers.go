package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

// subscriberJSON is a subscriber as the API shows it: never its secrets or credentials.
type subscriberJSON struct {
	ID                      int64               `json:"id"`
	Kind                    publish.Kind        `json:"kind"`
	Payload                 publish.Payload     `json:"payload,omitempty"` // a webhook's
	URL                     string              `json:"url"`
	Langs                   []tarjuma.Lang      `json:"langs"`
	Description             string              `json:"description"`
	PreviousSecretExpiresAt *time.Time          `json:"previous_secret_expires_at,omitempty"`
	DisabledAt              *time.Time          `json:"disabled_at,omitempty"`
	DisabledReason          string              `json:"disabled_reason,omitempty"`
	LastTest                *subscriberTestJSON `json:"last_test,omitempty"`
	// Settings are a WordPress or Telegram channel's (chat_id; status, category_id, author_id,
	// polylang), which hold no credential.
	Settings  json.RawMessage `json:"settings,omitempty"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// subscriberTestJSON is the result of a subscriber's latest test (POST .../test).
type subscriberTestJSON struct {
	At         time.Time `json:"at"`
	OK         bool      `json:"ok"`
	StatusCode int       `json:"status_code,omitempty"` // absent when no answer came
	Error      string    `json:"error,omitempty"`
}

// subscriberSecretJSON answers creation and rotation: the only times the secret is shown. A
// channel that signs nothing (publish.Kind.Signed) has none, and the field is left out.
type subscriberSecretJSON struct {
	subscriberJSON
	Secret string `json:"secret,omitempty"`
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// receiverURL is the one place the API decides how much of a receiver's URL the caller sees:
// all of it for an admin, the host alone for any other role (publish.ReceiverURLFor).
func receiverURL(ctx context.Context, raw string) string {
	u, _ := callerUser(ctx)
	return publish.ReceiverURLFor(u.Role, raw)
}

func newSubscriberJSON(ctx context.Context, s publish.Subscriber) subscriberJSON {
	out := subscriberJSON{ID: s.ID, Kind: s.Kind, URL: receiverURL(ctx, s.URL), Langs: s.Langs, Description: s.Description,
		DisabledAt: optionalTime(s.DisabledAt), DisabledReason: s.DisabledReason, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
	if s.Kind == publish.KindWebhook {
		out.Payload = s.Payload
	} else {
		out.Settings = s.Settings
	}
	if !s.Check.At.IsZero() {
		out.LastTest = &subscriberTestJSON{At: s.Check.At, OK: s.Check.OK(), StatusCode: s.Check.StatusCode, Error: s.Check.Error}
	}
	if s.PreviousSecret != "" && time.Now().Before(s.PreviousUntil) {
		out.PreviousSecretExpiresAt = optionalTime(s.PreviousUntil)
	}
	return out
}

// newSubscriberRequest is a channel to register; without kind, a webhook, as before kinds.
type newSubscriberRequest struct {
	Kind        publish.Kind    `json:"kind"`
	Payload     publish.Payload `json:"payload"`
	URL         string          `json:"url"`
	Langs       []tarjuma.Lang  `json:"langs"`
	Description string          `json:"description"`
	// A WordPress site's: url is its root.
	Username    string `json:"username"`
	AppPassword string `json:"app_password"`
	Status      string `json:"status"`
	CategoryID  int64  `json:"category_id"`
	AuthorID    int64  `json:"author_id"`
	Polylang    string `json:"polylang"`
	// A Telegram channel's.
	ChatID   string `json:"chat_id"`
	BotToken string `json:"bot_token"`
}

// createSubscriber registers a channel and answers with a webhook's secret, which is shown only here.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req newSubscriberRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	sub, secret, err := s.desk.AddSubscriber(r.Context(), actor(r.Context()), desk.NewSubscriber{Kind: req.Kind, Payload: req.Payload,
		URL: req.URL, Langs: req.Langs, Description: req.Description, Username: req.Username, AppPassword: req.AppPassword,
		WordPress: publish.WordPressSettings{Status: req.Status, CategoryID: req.CategoryID, AuthorID: req.AuthorID, Polylang: req.Polylang},
		ChatID:    req.ChatID, BotToken: req.BotToken})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the secret must not linger in caches
	return writeJSON(w, http.StatusCreated, subscriberSecretJSON{newSubscriberJSON(r.Context(), sub), secret})
}

func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.db.Subscribers(r.Context())
	if err != nil {
		return fmt.Errorf("list subscribers: %w", err)
	}
	out := struct {
		Subscribers []subscriberJSON `json:"subscribers"`
	}{Subscribers: jsonList(subs, func(sub publish.Subscriber) subscriberJSON { return newSubscriberJSON(r.Context(), sub) })}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request, id int64) error {
	return noContent(w, s.desk.DeleteSubscriber(r.Context(), actor(r.Context()), id))
}

// rotateSecret issues a webhook a new secret; the old one keeps signing for the grace period,
// so the receiver can switch without rejecting a delivery.
func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request, id int64) error {
	sub, secret, err := s.desk.RotateSecret(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, subscriberSecretJSON{newSubscriberJSON(r.Context(), sub), secret})
}

// enableSubscriber lets a subscriber disabled by a 410 Gone answer or by hand receive again.
func (s *Server) enableSubscriber(w http.ResponseWriter, r *http.Request, id int64) error {
	sub, err := s.desk.EnableSubscriber(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSubscriberJSON(r.Context(), sub))
}

// disableSubscriber stops deliveries to a subscriber by hand, cancelling its pending ones.
func (s *Server) disableSubscriber(w http.ResponseWriter, r *http.Request, id int64) error {
	sub, err := s.desk.DisableSubscriber(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSubscriberJSON(r.Context(), sub))
}

// testSubscriber checks the channel without publishing and answers the subscriber with the
// result in last_test: 200 whether the channel passed or not, since the test itself ran.
func (s *Server) testSubscriber(w http.ResponseWriter, r *http.Request, id int64) error {
	sub, err := s.desk.TestSubscriber(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newSubscriberJSON(r.Context(), sub))
}
