package review

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
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

// problems applies the API's rules for a subscriber — publish.CheckURL with the private-address
// guard unless allowPrivate, known and distinct languages, a short description without NUL —
// answering with message ids for the form.
func (f subscriberForm) problems(allowPrivate bool) []string {
	var errs []string
	if err := publish.CheckURL(f.URL, allowPrivate); errors.Is(err, publish.ErrPrivateAddress) {
		errs = append(errs, "subscribers.error_private")
	} else if err != nil {
		errs = append(errs, "subscribers.error_url")
	}
	if !f.Langs.valid() {
		errs = append(errs, "subscribers.error_langs")
	}
	if tarjuma.CheckText("description", f.Description) != nil ||
		utf8.RuneCountInString(f.Description) > publish.MaxDescriptionRunes {
		errs = append(errs, "subscribers.error_description")
	}
	return errs
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
	if p.Form.Langs == nil {
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

// createSubscriber registers a receiver under the API's rules and answers with its secret. The
// answer is the page itself, not a redirect, since a redirect would put the secret in a URL.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := subscriberForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Langs: postedLangs(r)}
	if errs := f.problems(s.allowPrivateWebhooks); len(errs) > 0 {
		return s.showSubscribers(w, r, rc, http.StatusUnprocessableEntity, &subscribersPage{Form: f, Errors: errs})
	}
	secret := publish.NewSecret()
	sub, err := s.db.CreateSubscriber(r.Context(), publish.NewSubscriber{URL: f.URL, Langs: f.Langs,
		Description: f.Description, Secret: secret, CreatedBy: rc.user.Email})
	if err != nil {
		return fmt.Errorf("create subscriber: %w", err)
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
	secret := publish.NewSecret()
	sub, err := s.db.RotateSubscriberSecret(r.Context(), id, secret, time.Now().Add(s.rotationGrace))
	if err != nil {
		return fmt.Errorf("rotate secret of subscriber %d: %w", id, err)
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
	if err := s.db.DeleteSubscriber(r.Context(), id); err != nil {
		return fmt.Errorf("delete subscriber %d: %w", id, err)
	}
	http.Redirect(w, r, "/subscribers?deleted=1", http.StatusSeeOther)
	return nil
}
