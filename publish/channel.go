package publish

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Connector sends approved translations to one kind of channel. It is the seam between the
// publish task, which owns the delivery policy (retries, give-up time, 410, the log), and each
// channel's own API: the webhook is the first connector, WordPress and Telegram plug in beside
// it. A connector holds no state of its own; the delivery row is the truth.
type Connector interface {
	// Deliver makes one attempt at a delivery. Every failure is in the Result, which
	// Delivery.Judge reads; the same delivery may be sent again (its id stays the same). A
	// release whose Event is EventWithdrawn takes the article out of the channel. The
	// Result's State, when set, replaces d.Placement for the next delivery. The caller makes
	// sure no other delivery of the article and language to the channel is in flight (a
	// lease), so d.Placement is what the channel holds; a connector that leaves state in the
	// channel before its last call saves it with d.Save as it goes. A connector whose channel
	// limits how fast it takes messages (Telegram) does not sleep through a long wait for it:
	// it stops, with an Err matching ErrHeldByRateLimit and RetryAfter saying when the channel
	// has room, and the delivery comes back then to carry on from the state it saved.
	Deliver(ctx context.Context, d Dispatch) Result
	// Check tests a channel's address and credentials (opened; nil when its kind has none)
	// without publishing anything.
	Check(ctx context.Context, s Subscriber, credentials []byte) Result
}

// Dispatch is one delivery for a connector to send: the delivery with its subscriber, release
// and the channel's earlier state, and the subscriber's credentials opened (nil when its kind
// has none).
type Dispatch struct {
	Outgoing
	Credentials []byte
	// Save keeps the channel's state in the middle of an attempt; nil when nothing keeps it.
	// A connector whose attempt makes several calls that each leave something in the channel
	// (Telegram's messages) saves after each, so that a retry after the worker died before the
	// attempt was recorded carries on from there instead of posting again. An error means the
	// state can no longer be kept (the delivery lost its lease, the database is down): the
	// connector stops and returns it in its Result.
	Save func(ctx context.Context, state []byte) error
}

// ErrHeldByRateLimit is a delivery its channel's own rate limit holds back (Telegram's 20
// messages a minute in a chat): nothing went wrong, and the channel got only what the connector
// saved with Dispatch.Save. A connector's Result has an Err matching it (errors.Is) and a
// RetryAfter saying when the channel has room (Result.Held); the publish task gives its worker
// back meanwhile, so one busy channel does not keep the other channels' deliveries waiting for
// a worker, and counts no failed attempt (OutcomeWait).
var ErrHeldByRateLimit = errors.New("publish: held by the channel's rate limit")

// ErrUnsupportedKind is a channel of a kind no connector serves yet.
var ErrUnsupportedKind = errors.New("publish: no connector serves this kind of channel")

// Connectors are the connectors of this deployment, by kind. A kind is supported exactly when
// it has one here: the desk refuses subscribers of any other.
type Connectors map[Kind]Connector

// For returns the connector of kind k, or ErrUnsupportedKind.
func (c Connectors) For(k Kind) (Connector, error) {
	if conn, ok := c[k]; ok {
		return conn, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedKind, k)
}

// ConnectorsConfig configures every connector.
type ConnectorsConfig struct {
	Sender *Sender // the webhooks' HTTP sender
	// TagAuthority is the tag: URI authority of ninjs ids (TARJUMA_FEED_TAG_AUTHORITY), the
	// feeds' one; DefaultTagAuthority when empty.
	TagAuthority string
	// WordPress is the WordPress sites' client; a guarded one with the defaults when nil.
	WordPress *WordPressClient
	// Telegram is the Bot API client, its rate limits in the Redis the workers share; one at
	// DefaultTelegramAPIURL without Redis (it checks channels but posts nothing) when nil.
	Telegram *TelegramClient
}

// NewConnectors builds the connectors there are: the one home of the list of supported kinds.
func NewConnectors(cfg ConnectorsConfig) Connectors {
	if cfg.TagAuthority == "" {
		cfg.TagAuthority = DefaultTagAuthority
	}
	if cfg.WordPress == nil {
		cfg.WordPress = NewWordPressClient(WordPressConfig{})
	}
	if cfg.Telegram == nil {
		cfg.Telegram = NewTelegramClient(TelegramConfig{})
	}
	return Connectors{
		KindWebhook:   &Webhook{sender: cfg.Sender, authority: cfg.TagAuthority},
		KindWordPress: &WordPress{client: cfg.WordPress},
		KindTelegram:  &Telegram{client: cfg.Telegram},
	}
}

// Webhook is the connector of signed webhooks (Standard Webhooks v1): it POSTs the payload the
// subscriber chose, our event or a ninjs document, signed the same way.
type Webhook struct {
	sender    *Sender
	authority string
}

// Deliver POSTs the release under the delivery's webhook-id. A correction is the same
// article's event (or ninjs uri) with a higher version; a withdrawal is the event
// EventWithdrawn, which names the story without its text, or the ninjs document with pubStatus
// canceled and the notice for a body.
func (w *Webhook) Deliver(ctx context.Context, d Dispatch) Result {
	var v any
	switch {
	case d.Subscriber.Payload == PayloadNinjs:
		v = NewNinjs(w.authority, d.Release)
	case d.Release.Event == EventWithdrawn:
		v = NewWithdrawalEvent(d.Release)
	default:
		v = NewEvent(d.Release.Event, d.Release.Item())
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Result{Err: fmt.Errorf("publish: encode payload: %w", err)}
	}
	return w.sender.Send(ctx, Message{URL: d.Subscriber.URL, ID: WebhookID(d.ID),
		Secrets: d.Subscriber.SigningSecrets(time.Now()), Body: body})
}

// EventPing is the type of the event Check sends.
const EventPing = "ping"

// PingData is the data of a ping: which subscriber is being tested.
type PingData struct {
	SubscriberID int64 `json:"subscriber_id"`
}

// Check sends a signed ping, whatever payload the subscriber chose: {"type": "ping", ...}
// under a webhook-id of its own ("ping_…", never a delivery's). A receiver that checks the
// signature and answers 2xx passes, so a wrong secret or URL shows before any article is
// sent; a receiver ignoring unknown types, as Standard Webhooks asks, passes too.
func (w *Webhook) Check(ctx context.Context, s Subscriber, _ []byte) Result {
	now := time.Now()
	body, err := json.Marshal(struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
		Data      PingData  `json:"data"`
	}{EventPing, now.UTC().Truncate(time.Second), PingData{SubscriberID: s.ID}})
	if err != nil {
		return Result{Err: fmt.Errorf("publish: encode ping: %w", err)}
	}
	return w.sender.Send(ctx, Message{URL: s.URL, ID: "ping_" + rand.Text(), Secrets: s.SigningSecrets(now), Body: body})
}

// WordPress is the connector of WordPress sites: a release creates the article's post in its
// language (saving first that a post may exist), or updates the post an earlier delivery made
// (the state keeps its id); with
// Polylang, the post is linked to the article's posts in the other languages (the siblings'
// states). A withdrawal unpublishes the post.
type WordPress struct{ client *WordPressClient }

// Deliver publishes, corrects or withdraws the release's post.
func (w *WordPress) Deliver(ctx context.Context, d Dispatch) Result {
	site, err := NewWordPressSite(d.Subscriber.URL, d.Subscriber.Settings, d.Credentials)
	if err != nil {
		return channelResult(err)
	}
	if d.Release.Event == EventWithdrawn {
		return w.client.DeliverWithdrawal(ctx, site, d.Release, d.Placement)
	}
	prev := d.Placement
	if len(prev) == 0 && d.Save != nil {
		// The post is about to be made: should the worker die before the attempt is recorded,
		// the retry looks for it by its marker (as after a create without a clear answer)
		// instead of making a second one.
		prev, _ = json.Marshal(WordPressState{Unconfirmed: true})
		if err := d.Save(ctx, prev); err != nil {
			return Result{Err: err}
		}
	}
	res, state := w.client.DeliverRelease(ctx, site, d.Release, prev, d.Siblings)
	res.State = state
	return res
}

// Check verifies the credentials and, with Polylang, the subscriber's languages on the site.
func (w *WordPress) Check(ctx context.Context, s Subscriber, credentials []byte) Result {
	site, err := NewWordPressSite(s.URL, s.Settings, credentials)
	if err != nil {
		return channelResult(err)
	}
	return w.client.CheckSite(ctx, site, s.Langs)
}

// Telegram is the connector of Telegram channels: a release posts the article as messages, or
// edits the messages an earlier delivery posted (the state keeps their ids, saved after each
// message sent); a withdrawal deletes them, or puts the release's Notice in place of those too
// old to delete.
type Telegram struct{ client *TelegramClient }

// Deliver posts, corrects or withdraws the release's messages.
func (t *Telegram) Deliver(ctx context.Context, d Dispatch) Result {
	ch, err := NewTelegramChannel(d.Subscriber.Settings, d.Credentials)
	if err != nil {
		return channelResult(err)
	}
	var res Result
	if d.Release.Event == EventWithdrawn {
		res, res.State = t.client.DeliverWithdrawal(ctx, ch, d.Placement, d.Release.Notice)
	} else {
		res, res.State = t.client.DeliverRelease(ctx, ch, d.Release, d.Placement, d.Release.Notice, d.Save)
	}
	return res
}

// Check verifies the bot token and that the bot may post in the chat.
func (t *Telegram) Check(ctx context.Context, s Subscriber, credentials []byte) Result {
	ch, err := NewTelegramChannel(s.Settings, credentials)
	if err != nil {
		return channelResult(err)
	}
	return t.client.CheckChannel(ctx, ch)
}
