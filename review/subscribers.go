package review

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

// subscribersPage lists the webhook receivers with the forms that manage them. Secret is set
// only on the answer to a creation or a rotation: the one time a secret is shown, on a page
// that is never cached (render sends no-store) and whose URL does not carry it.
type subscribersPage struct {
	page
	Subscribers []subscriberView
	Langs       []tarjuma.Lang
	Form        subscriberForm // the add form, kept as typed when it was refused
	Errors      []string       // message ids
	Notice      string         // message id
	Secret      string
	SecretURL   string // the receiver the secret is for
}

// subscriberView is what the page shows of a subscriber: never its secrets, so that no
// template can print one by mistake.
type subscriberView struct {
	ID          int64
	URL         string
	Langs       []tarjuma.Lang
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	// DisabledAt is when the receiver answered 410 Gone, the only reason the sender disables
	// one; zero while enabled.
	DisabledAt time.Time
	// GraceUntil is when the rotated-out secret stops signing; zero when none signs any more.
	GraceUntil time.Time
}

// receiverURL is the one place the pages decide how much of a receiver's URL the signed-in
// user sees: all of it for an admin, the host alone for any other role
// (publish.ReceiverURLFor, which the API asks too).
func (rc *request) receiverURL(raw string) string {
	return publish.ReceiverURLFor(rc.user.Role, raw)
}

func viewOf(rc *request, s publish.Subscriber, now time.Time) subscriberView {
	v := subscriberView{ID: s.ID, URL: rc.receiverURL(s.URL), Langs: s.Langs, Description: s.Description, CreatedBy: s.CreatedBy,
		CreatedAt: s.CreatedAt, DisabledAt: s.DisabledAt}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		v.GraceUntil = s.PreviousUntil
	}
	return v
}

type subscriberForm struct {
	URL, Description string
	Langs            langList
}

// subscriberMessage is the add form's message for a refused subscriber.
func subscriberMessage(e *desk.Error) string {
	switch {
	case e.Code == "invalid_url" && errors.Is(e, publish.ErrPrivateAddress):
		return "subscribers.error_private"
	case e.Code == "invalid_url":
		return "subscribers.error_url"
	case e.Code == "invalid_lang":
		return "subscribers.error_langs"
	case e.Code == "invalid_text":
		return "subscribers.error_description"
	}
	return ""
}

// showSubscribers renders the list under p, which carries what the last action has to say.
func (s *Server) showSubscribers(w http.ResponseWriter, r *http.Request, rc *request, status int, p *subscribersPage) error {
	subs, err := s.db.Subscribers(r.Context())
	if err != nil {
		return err
	}
	now := time.Now()
	for _, sub := range subs {
		p.Subscribers = append(p.Subscribers, viewOf(rc, sub, now))
	}
	p.page, p.Langs = page{Nav: "subscribers"}, tarjuma.TargetLangs()
	if p.Form.Langs == nil { // the add form as first shown
		p.Form.Langs = tarjuma.TargetLangs()
	}
	s.render(w, r, rc, status, "subscribers", p)
	return nil
}

func (s *Server) subscribers(w http.ResponseWriter, r *http.Request, rc *request) error {
	p := &subscribersPage{}
	if r.URL.Query().Has("deleted") {
		p.Notice = "subscribers.deleted"
	}
	return s.showSubscribers(w, r, rc, http.StatusOK, p)
}

// createSubscriber registers a receiver and answers with its secret. The answer is the page
// itself, not a redirect, since a redirect would put the secret in a URL.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := subscriberForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Langs: postedLangs(r)}
	sub, secret, err := s.desk.AddSubscriber(r.Context(), rc.actor(), desk.NewSubscriber{URL: f.URL, Langs: f.Langs, Description: f.Description})
	if errs, ok := refusal(err, subscriberMessage); ok {
		return s.showSubscribers(w, r, rc, http.StatusUnprocessableEntity, &subscribersPage{Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	return s.showSubscribers(w, r, rc, http.StatusCreated, &subscribersPage{Notice: "subscribers.created", Secret: secret, SecretURL: rc.receiverURL(sub.URL)})
}

// pathID reads the {id} of a path naming a subscriber or a delivery; a malformed one names
// nothing, hence not found.
func pathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("%s %q: %w", what, r.PathValue("id"), tarjuma.ErrNotFound)
	}
	return id, nil
}

// rotateSubscriber issues a new secret and shows it once; the old one keeps signing for the
// grace period, so the receiver can switch without rejecting a delivery.
func (s *Server) rotateSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "subscriber")
	if err != nil {
		return err
	}
	sub, secret, err := s.desk.RotateSecret(r.Context(), rc.actor(), id)
	if err != nil {
		return err
	}
	return s.showSubscribers(w, r, rc, http.StatusOK, &subscribersPage{Notice: "subscribers.rotated", Secret: secret, SecretURL: rc.receiverURL(sub.URL)})
}

// deleteSubscriber removes a receiver once the admin has ticked the confirmation in its row:
// deletion cancels its pending deliveries and cannot be undone.
func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "subscriber")
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return s.showSubscribers(w, r, rc, http.StatusUnprocessableEntity, &subscribersPage{Errors: []string{"subscribers.error_confirm"}})
	}
	if err := s.desk.DeleteSubscriber(r.Context(), rc.actor(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/subscribers?deleted=1", http.StatusSeeOther)
	return nil
}
