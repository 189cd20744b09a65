package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

// subscriberJSON is a subscriber as the API shows it: never its secrets.
type subscriberJSON struct {
	ID                      int64          `json:"id"`
	URL                     string         `json:"url"`
	Langs                   []tarjuma.Lang `json:"langs"`
	Description             string         `json:"description"`
	PreviousSecretExpiresAt *time.Time     `json:"previous_secret_expires_at,omitempty"`
	DisabledAt              *time.Time     `json:"disabled_at,omitempty"`
	DisabledReason          string         `json:"disabled_reason,omitempty"`
	CreatedBy               string         `json:"created_by"`
	CreatedAt               time.Time      `json:"created_at"`
}

// subscriberSecretJSON answers creation and rotation: the only times the secret is shown.
type subscriberSecretJSON struct {
	subscriberJSON
	Secret string `json:"secret"`
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
	out := subscriberJSON{ID: s.ID, URL: receiverURL(ctx, s.URL), Langs: s.Langs, Description: s.Description,
		DisabledAt: optionalTime(s.DisabledAt), DisabledReason: s.DisabledReason, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
	if s.PreviousSecret != "" && time.Now().Before(s.PreviousUntil) {
		out.PreviousSecretExpiresAt = optionalTime(s.PreviousUntil)
	}
	return out
}

type newSubscriberRequest struct {
	URL         string         `json:"url"`
	Langs       []tarjuma.Lang `json:"langs"`
	Description string         `json:"description"`
}

// createSubscriber registers a receiver and answers with its secret, which is shown only here.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req newSubscriberRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	sub, secret, err := s.desk.AddSubscriber(r.Context(), actor(r.Context()), desk.NewSubscriber{URL: req.URL, Langs: req.Langs, Description: req.Description})
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

// rotateSecret issues a new secret; the old one keeps signing for the grace period, so the
// receiver can switch without rejecting a delivery.
func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request, id int64) error {
	sub, secret, err := s.desk.RotateSecret(r.Context(), actor(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, subscriberSecretJSON{newSubscriberJSON(r.Context(), sub), secret})
}
