package review

import (
	"context"
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

// subscribersPage lists the channels with the forms that manage them. Secret is set only on
// the first view after a creation or a rotation: the one time a secret is shown, on a page that
// is never cached (render sends no-store) and whose URL does not carry it (see secretCookie).
type subscribersPage struct {
	page
	Subscribers []subscriberView
	Langs       []tarjuma.Lang
	Kinds       []kindOption
	Payloads    []publish.Payload
	// WordPressStatuses and PolylangModes are the choices of a WordPress channel's fields.
	WordPressStatuses []string
	PolylangModes     []string
	Form              subscriberForm // the add form, kept as typed when it was refused
	Errors            []string       // message ids
	Notice            string         // message id
	Secret            string
	SecretURL         string // the receiver the secret is for
}

// kindOption is a kind of channel in the add form; one without a connector yet is shown
// disabled, so the admin sees it is coming rather than missing.
type kindOption struct {
	Kind      publish.Kind
	Supported bool
}

// subscriberView is what the page shows of a subscriber: never its secrets or credentials, so
// that no template can print one by mistake.
type subscriberView struct {
	ID          int64
	Kind        publish.Kind
	Payload     publish.Payload
	URL         string
	Langs       []tarjuma.Lang
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	// DisabledAt is when the receiver answered 410 Gone or an admin disabled it; zero while
	// enabled. DisabledGone says which.
	DisabledAt   time.Time
	DisabledGone bool
	// GraceUntil is when the rotated-out secret stops signing; zero when none signs any more.
	GraceUntil time.Time
	Check      publish.CheckResult // the last test; zero At when never tested
}

// receiverURL is the one place the pages decide how much of a receiver's URL the signed-in
// user sees: all of it for an admin, the host alone for any other role
// (publish.ReceiverURLFor, which the API asks too).
func (rc *request) receiverURL(raw string) string {
	return publish.ReceiverURLFor(rc.user.Role, raw)
}

func viewOf(rc *request, s publish.Subscriber, now time.Time) subscriberView {
	v := subscriberView{ID: s.ID, Kind: s.Kind, Payload: s.Payload, URL: rc.receiverURL(s.URL), Langs: s.Langs,
		Description: s.Description, CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt, DisabledAt: s.DisabledAt,
		DisabledGone: s.DisabledReason == publish.DisabledGone, Check: s.Check}
	if s.PreviousSecret != "" && now.Before(s.PreviousUntil) {
		v.GraceUntil = s.PreviousUntil
	}
	return v
}

// subscriberForm is the add form as posted, to show again when refused: never the password
// or token, which are typed again.
type subscriberForm struct {
	Kind             publish.Kind
	Payload          publish.Payload
	URL, Description string
	Langs            langList
	Username         string
	WordPress        publish.WordPressSettings
	ChatID           string
}

// subscriberMessage is the add form's message for a refused subscriber.
func subscriberMessage(e *desk.Error) string {
	switch {
	case e.Code == "invalid_kind" || e.Code == "unsupported_kind":
		return "subscribers.error_kind"
	case e.Code == "invalid_payload":
		return "subscribers.error_payload"
	case e.Code == "invalid_url" && errors.Is(e, publish.ErrPrivateAddress):
		return "subscribers.error_private"
	case e.Code == "invalid_url":
		return "subscribers.error_url"
	case e.Code == "invalid_lang":
		return "subscribers.error_langs"
	case e.Code == "invalid_text":
		return "subscribers.error_description"
	case e.Code == "invalid_credentials":
		return "subscribers.error_credentials"
	case e.Code == "invalid_settings":
		return "subscribers.error_settings"
	case e.Code == "no_secret_key":
		return "subscribers.error_no_key"
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
	p.page, p.Langs, p.Payloads = page{Nav: "subscribers"}, tarjuma.TargetLangs(), publish.Payloads()
	p.WordPressStatuses, p.PolylangModes = publish.WordPressStatuses(), []string{publish.PolylangAuto, publish.PolylangOff}
	for _, k := range publish.Kinds() {
		p.Kinds = append(p.Kinds, kindOption{Kind: k, Supported: s.desk.Supports(k)})
	}
	if p.Form.Langs == nil { // the add form as first shown
		p.Form.Langs = tarjuma.TargetLangs()
	}
	s.render(w, r, rc, status, "subscribers", p)
	return nil
}

// subscriberNotices are the notices a redirect back to the list may ask for (?done=).
var subscriberNotices = map[string]string{
	"created": "subscribers.created", "rotated": "subscribers.rotated", "deleted": "subscribers.deleted",
	"enabled": "subscribers.enabled", "disabled": "subscribers.disabled_notice", "tested": "subscribers.tested",
}

func (s *Server) subscribers(w http.ResponseWriter, r *http.Request, rc *request) error {
	p := &subscribersPage{Notice: subscriberNotices[r.URL.Query().Get("done")]}
	if r.URL.Query().Has("deleted") { // the redirect of earlier versions, still in bookmarks
		p.Notice = "subscribers.deleted"
	}
	if id, secret, ok := takeSecret(w, r); ok {
		sub, err := s.db.Subscriber(r.Context(), id)
		if err != nil && !errors.Is(err, tarjuma.ErrNotFound) {
			return err
		}
		// Shown only while it is still the subscriber's secret: not after a later rotation.
		if err == nil && sub.Secret == secret {
			p.Secret, p.SecretURL = secret, rc.receiverURL(sub.URL)
		}
	}
	return s.showSubscribers(w, r, rc, http.StatusOK, p)
}

// secretCookie carries a new secret from the form that made it to the page that shows it once:
// post/redirect/get, so a reload neither registers nor rotates again, and the secret never
// goes in a URL (history, logs, Referer). The cookie is HttpOnly, SameSite=Strict, scoped to
// /subscribers, lives five minutes at most and is deleted by the page that reads it.
const (
	secretCookie    = "tarjuma_new_secret"
	secretCookieAge = 5 * time.Minute
)

// giveSecret sets the cookie for subscriber id's new secret and redirects to the list; a
// channel that signs nothing (secret "") gets no cookie, and the list shows no secret.
func giveSecret(w http.ResponseWriter, r *http.Request, id int64, secret, done string) {
	if secret == "" {
		http.Redirect(w, r, "/subscribers?done="+done+"#subscriber-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the answer sets a cookie holding the secret
	http.SetCookie(w, &http.Cookie{Name: secretCookie, Value: strconv.FormatInt(id, 10) + ":" + secret, Path: "/subscribers",
		MaxAge: int(secretCookieAge / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/subscribers?done="+done, http.StatusSeeOther)
}

// takeSecret reads and deletes the cookie giveSecret set.
func takeSecret(w http.ResponseWriter, r *http.Request) (id int64, secret string, ok bool) {
	c, err := r.Cookie(secretCookie)
	if err != nil {
		return 0, "", false
	}
	http.SetCookie(w, &http.Cookie{Name: secretCookie, Path: "/subscribers", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	rawID, secret, found := strings.Cut(c.Value, ":")
	id, err = strconv.ParseInt(rawID, 10, 64)
	return id, secret, found && err == nil && secret != ""
}

// createSubscriber registers a channel and redirects to the list, which shows a webhook's
// secret once.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := subscriberForm{Kind: publish.Kind(r.PostFormValue("kind")), Payload: publish.Payload(r.PostFormValue("payload")),
		URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Langs: postedLangs(r), Username: strings.TrimSpace(r.PostFormValue("username")), ChatID: strings.TrimSpace(r.PostFormValue("chat_id")),
		WordPress: publish.WordPressSettings{Status: r.PostFormValue("status"), Polylang: r.PostFormValue("polylang"),
			CategoryID: formID(r, "category_id"), AuthorID: formID(r, "author_id")}}
	sub, secret, err := s.desk.AddSubscriber(r.Context(), rc.actor(), desk.NewSubscriber{Kind: f.Kind, Payload: f.Payload,
		URL: f.URL, Langs: f.Langs, Description: f.Description, Username: f.Username, AppPassword: r.PostFormValue("app_password"),
		WordPress: f.WordPress, ChatID: f.ChatID, BotToken: strings.TrimSpace(r.PostFormValue("bot_token"))})
	if errs, ok := refusal(err, subscriberMessage); ok {
		return s.showSubscribers(w, r, rc, http.StatusUnprocessableEntity, &subscribersPage{Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	giveSecret(w, r, sub.ID, secret, "created")
	return nil
}

// formID reads an optional id field: 0 when empty, -1 (which the desk refuses, naming the
// field) when it is not a number.
func formID(r *http.Request, name string) int64 {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return id
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

// rotateSubscriber issues a new secret and redirects to the list, which shows it once; the old
// one keeps signing for the grace period, so the receiver can switch without rejecting a
// delivery.
func (s *Server) rotateSubscriber(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := pathID(r, "subscriber")
	if err != nil {
		return err
	}
	sub, secret, err := s.desk.RotateSecret(r.Context(), rc.actor(), id)
	if code(err) == "unsigned_kind" { // the list offers no rotation for these
		return s.showSubscribers(w, r, rc, http.StatusConflict, &subscribersPage{Errors: []string{"subscribers.error_unsigned"}})
	}
	if err != nil {
		return err
	}
	giveSecret(w, r, sub.ID, secret, "rotated")
	return nil
}

// subscriberAction is a button in a subscriber's row: it acts through the desk (act is one of
// its methods) and returns to
// the row, whose state (enabled, the last test) the list shows from the database.
func subscriberAction(act func(context.Context, desk.Actor, int64) (publish.Subscriber, error), done string) func(http.ResponseWriter, *http.Request, *request) error {
	return func(w http.ResponseWriter, r *http.Request, rc *request) error {
		id, err := pathID(r, "subscriber")
		if err != nil {
			return err
		}
		if _, err := act(r.Context(), rc.actor(), id); err != nil {
			return err
		}
		http.Redirect(w, r, "/subscribers?done="+done+"#subscriber-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
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
	http.Redirect(w, r, "/subscribers?done=deleted", http.StatusSeeOther)
	return nil
}
