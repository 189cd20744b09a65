package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

type deliveryJSON struct {
	ID           int64                 `json:"id"`
	WebhookID    string                `json:"webhook_id"`
	SubscriberID int64                 `json:"subscriber_id"`
	State        publish.DeliveryState `json:"state"`
	Round        int                   `json:"round"`
	GiveUpAt     time.Time             `json:"give_up_at"`
	CreatedAt    time.Time             `json:"created_at"`
	FinishedAt   *time.Time            `json:"finished_at"`
	LastError    string                `json:"last_error,omitempty"`
}

func newDeliveryJSON(d publish.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, WebhookID: publish.WebhookID(d.ID), SubscriberID: d.SubscriberID, State: d.State,
		Round: d.Round, GiveUpAt: d.GiveUpAt, CreatedAt: d.CreatedAt, FinishedAt: optionalTime(d.FinishedAt), LastError: d.LastError}
}

type deliveryLogJSON struct {
	deliveryJSON
	SubscriberURL string        `json:"subscriber_url"`
	Version       int           `json:"version"`
	Event         string        `json:"event"`
	Attempts      []attemptJSON `json:"attempts"`
}

type attemptJSON struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0: no response
	LatencyMS  int64     `json:"latency_ms"`
	Error      string    `json:"error,omitempty"`
}

// listDeliveries shows every delivery of every approved version of a translation, newest
// first, with each attempt.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	logs, err := s.db.Deliveries(r.Context(), id, lang)
	if err != nil {
		return fmt.Errorf("deliveries of %d/%s: %w", id, lang, err)
	}
	out := struct {
		Deliveries []deliveryLogJSON `json:"deliveries"`
	}{Deliveries: make([]deliveryLogJSON, 0, len(logs))}
	for _, l := range logs {
		item := deliveryLogJSON{deliveryJSON: newDeliveryJSON(l.Delivery), SubscriberURL: receiverURL(r.Context(), l.SubscriberURL),
			Version: l.Version, Event: l.Event, Attempts: make([]attemptJSON, 0, len(l.Attempts))}
		for _, a := range l.Attempts {
			item.Attempts = append(item.Attempts, attemptJSON{At: a.At, StatusCode: a.StatusCode, LatencyMS: a.Latency.Milliseconds(), Error: a.Error})
		}
		out.Deliveries = append(out.Deliveries, item)
	}
	return writeJSON(w, http.StatusOK, out)
}

// redeliver sends a delivery again under its webhook-id and wakes the relay to do it now.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, id int64) error {
	d, err := s.desk.Redeliver(r.Context(), actor(r.Context()), desk.Redelivery{ID: id})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, newDeliveryJSON(d))
}
