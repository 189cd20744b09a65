package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// PublishConfig configures the republishing endpoints: subscribers, deliveries, the polling
// API and the Atom feeds.
type PublishConfig struct {
	// RotationGrace is how long a rotated-out secret keeps signing beside the new one
	// (TARJUMA_WEBHOOK_ROTATION_GRACE); publish.DefaultRotationGrace when zero.
	RotationGrace time.Duration
	// AllowPrivate accepts receiver URLs naming private or loopback hosts
	// (TARJUMA_WEBHOOK_ALLOW_PRIVATE; dev only). The sender checks again at dial time.
	AllowPrivate bool
	// FeedTagAuthority is the tag: URI authority of feed and entry ids, e.g.
	// "news.example.tj,2025"; it must never change once readers have the feed.
	FeedTagAuthority string
	// FeedTitle names the feeds and is their author; "tarjuma" when empty.
	FeedTitle string
	// PublicURL is the absolute URL the server is reached at, for the feeds' self links
	// (TARJUMA_PUBLIC_URL). When empty the link is taken from the request's Host header, and the
	// feed is then marked private so that no shared cache serves one reader's Host to another.
	PublicURL string
}

// Defaults of the republishing endpoints.
const (
	defaultFeedTagAuthority = "tarjuma.invalid,2025"
	feedEntries             = 50
)

func (c PublishConfig) withDefaults() PublishConfig {
	if c.RotationGrace <= 0 {
		c.RotationGrace = publish.DefaultRotationGrace
	}
	if c.FeedTagAuthority == "" {
		c.FeedTagAuthority = defaultFeedTagAuthority
	}
	if c.FeedTitle == "" {
		c.FeedTitle = "tarjuma"
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return c
}

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
// The secret is stored as issued: it has to sign every delivery, so a hash would not do.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	var req newSubscriberRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	if err := publish.CheckURL(req.URL, s.publish.AllowPrivate); err != nil {
		return errorf(http.StatusUnprocessableEntity, "invalid_url", "url: %v", err)
	}
	if len(req.Langs) == 0 {
		return errorf(http.StatusUnprocessableEntity, "invalid_lang", "langs must name at least one of %v", tarjuma.TargetLangs())
	}
	for i, l := range req.Langs {
		if !l.Valid() || slices.Contains(req.Langs[:i], l) {
			return errorf(http.StatusUnprocessableEntity, "invalid_lang", "langs: %q is not one of %v or is repeated", l, tarjuma.TargetLangs())
		}
	}
	if err := checkText("description", req.Description); err != nil {
		return err
	}
	if utf8.RuneCountInString(req.Description) > publish.MaxDescriptionRunes {
		return errorf(http.StatusUnprocessableEntity, "invalid_text", "description is longer than %d characters", publish.MaxDescriptionRunes)
	}
	secret := publish.NewSecret()
	sub, err := s.db.CreateSubscriber(r.Context(), publish.NewSubscriber{URL: req.URL, Langs: req.Langs,
		Description: req.Description, Secret: secret, CreatedBy: callerName(r.Context())})
	if err != nil {
		return fmt.Errorf("create subscriber: %w", err)
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
	}{Subscribers: make([]subscriberJSON, 0, len(subs))}
	for _, sub := range subs {
		out.Subscribers = append(out.Subscribers, newSubscriberJSON(r.Context(), sub))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.DeleteSubscriber(r.Context(), id); err != nil {
		return fmt.Errorf("delete subscriber %d: %w", id, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// rotateSecret issues a new secret; the old one keeps signing for the grace period, so the
// receiver can switch without rejecting a delivery.
func (s *Server) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	secret := publish.NewSecret()
	sub, err := s.db.RotateSubscriberSecret(r.Context(), id, secret, time.Now().Add(s.publish.RotationGrace))
	if err != nil {
		return fmt.Errorf("rotate secret of subscriber %d: %w", id, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, subscriberSecretJSON{newSubscriberJSON(r.Context(), sub), secret})
}

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
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := translationPath(r)
	if err != nil {
		return err
	}
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
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.Redeliver(r.Context(), id)
	if err != nil {
		return fmt.Errorf("redeliver %d: %w", id, err)
	}
	s.enqueuer.Dispatch()
	return writeJSON(w, http.StatusAccepted, newDeliveryJSON(d))
}

// publishedJSON is one published version in the polling API: the webhook's data, and which
// event it was.
type publishedJSON struct {
	Event       string    `json:"event"`
	PublishedAt time.Time `json:"published_at"`
	publish.EventData
}

func itemOf(r publish.Release) publish.Item {
	return publish.Item{ArticleID: r.Version.ArticleID, ExternalID: r.ExternalID, Version: r.Version,
		ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt}
}

// listPublished pages through published versions oldest first, for systems that poll: keep the
// last next_cursor and ask again with it.
func (s *Server) listPublished(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PublishedFilter{Lang: tarjuma.Lang(q.Get("lang")), Limit: defaultPageSize}
	if f.Lang != "" && !f.Lang.Valid() {
		return errorf(http.StatusBadRequest, "invalid_parameter", "lang %q is not one of %v", f.Lang, tarjuma.TargetLangs())
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return errorf(http.StatusBadRequest, "invalid_parameter", "since must be an RFC 3339 time such as 2025-01-31T08:00:00Z")
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return errorf(http.StatusBadRequest, "invalid_parameter", "limit must be an integer from 1 to %d", maxPageSize)
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		var ok bool
		if f.After, f.AfterID, ok = decodePublishedCursor(v); !ok {
			return errorf(http.StatusBadRequest, "invalid_parameter", "cursor is not one this API returned")
		}
	}
	pageSize := f.Limit
	f.Limit++ // one more than asked tells whether another page follows
	rs, err := s.db.ListPublished(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list published: %w", err)
	}
	page := struct {
		Items      []publishedJSON `json:"items"`
		NextCursor *string         `json:"next_cursor"`
	}{Items: make([]publishedJSON, 0, len(rs))}
	if len(rs) > pageSize {
		rs = rs[:pageSize]
		next := encodePublishedCursor(rs[pageSize-1])
		page.NextCursor = &next
	}
	for _, rel := range rs {
		page.Items = append(page.Items, publishedJSON{Event: rel.Event, PublishedAt: rel.PublishedAt, EventData: publish.NewEventData(itemOf(rel))})
	}
	return writeJSON(w, http.StatusOK, page)
}

// The published cursor is the last item's (published_at, id), the order of the listing.
func encodePublishedCursor(r publish.Release) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(r.PublishedAt.UnixMicro(), 10) + "." + strconv.FormatInt(r.ID, 10)))
}

func decodePublishedCursor(cursor string) (time.Time, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, false
	}
	at, id, _ := strings.Cut(string(b), ".")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	return time.UnixMicro(micros).UTC(), n, err1 == nil && err2 == nil && n > 0
}

// feed serves /feeds/{lang}.atom: public, like any feed (cacheable by shared caches when
// PublicURL is set, see below), with an ETag and Last-Modified so
// readers polling it mostly get 304.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutSuffix(r.PathValue("feed"), ".atom")
	lang := tarjuma.Lang(name)
	if !ok || !lang.Valid() {
		return errorf(http.StatusNotFound, "not_found", "there is no feed %q; try tg.atom, ru.atom or en.atom", r.PathValue("feed"))
	}
	rs, err := s.db.LatestPublished(r.Context(), lang, feedEntries)
	if err != nil {
		return fmt.Errorf("feed %s: %w", lang, err)
	}
	base := s.publish.PublicURL
	// With the configured address the feed is the same for everyone, so shared caches may keep it.
	cacheControl := "public, max-age=60"
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = (&url.URL{Scheme: scheme, Host: r.Host}).String()
		// The self link now comes from the Host header, which the client chooses: a shared cache
		// that keyed the response on something else (a CDN normalising the host, a proxy with
		// one upstream) would serve a forged link to every reader. "Vary: Host" would only help
		// where caches honour it, and several CDNs ignore Vary beyond Accept-Encoding; "private"
		// keeps the response out of every shared cache, while readers still cache it for a
		// minute and revalidate with the ETag. TARJUMA_PUBLIC_URL makes it public again.
		cacheControl = "private, max-age=60"
	}
	f := publish.Feed{TagAuthority: s.publish.FeedTagAuthority, Title: s.publish.FeedTitle + " (" + string(lang) + ")",
		Lang: lang, SelfURL: base + "/feeds/" + string(lang) + ".atom"}
	for _, rel := range rs {
		f.Entries = append(f.Entries, publish.Entry{Item: itemOf(rel), PublishedAt: rel.PublishedAt})
	}
	var buf bytes.Buffer
	if err := publish.WriteAtom(&buf, f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("ETag", etag(buf.Bytes()))
	// ServeContent answers If-None-Match and If-Modified-Since with 304 and sets Last-Modified.
	http.ServeContent(w, r, "", f.Updated(), bytes.NewReader(buf.Bytes()))
	return nil
}

// etag is a strong validator of a response body.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}
