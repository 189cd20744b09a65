package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// NewSubscriber is a channel to register. Kind is publish.KindWebhook when empty, as every
// subscriber was before there were kinds; Payload, a webhook's, publish.PayloadTarjuma. URL is
// a webhook's receiver or a WordPress site's root; a Telegram channel has none.
type NewSubscriber struct {
	Kind        publish.Kind
	Payload     publish.Payload
	URL         string
	Langs       []tarjuma.Lang
	Description string
	// A WordPress site's: the user and application password its posts are made with, and how.
	Username    string
	AppPassword string
	WordPress   publish.WordPressSettings
	// A Telegram channel's: "@channelname" or its numeric id, and the bot that posts there.
	ChatID   string
	BotToken string
}

// check applies the subscriber rules, every one of them: a kind this deployment has a
// connector for (unsupported_kind for one that is planned but not built; nothing else is
// checked then, since the other fields are the kind's), the kind's own fields (kindProblems),
// known and distinct languages, a short description without NUL.
func (n *NewSubscriber) check(allowPrivate bool, connectors publish.Connectors) error {
	if n.Kind == "" {
		n.Kind = publish.KindWebhook
	}
	if n.Payload == "" {
		n.Payload = publish.PayloadTarjuma
	}
	switch _, err := connectors.For(n.Kind); {
	case !n.Kind.Known():
		return invalid("invalid_kind", "kind", "kind must be one of %v", publish.Kinds())
	case err != nil:
		e := invalid("unsupported_kind", "kind", "kind %q is not supported yet: this deployment has no connector for it", n.Kind)
		e.Err = err
		return e
	}
	// Other kinds' fields are ignored, not refused: the desk's form posts them all, showing
	// only the chosen kind's.
	if n.Kind != publish.KindWebhook {
		n.Payload = publish.PayloadTarjuma
	}
	if n.Kind == publish.KindTelegram {
		n.URL = ""
	}
	ps := n.kindProblems(allowPrivate)
	if len(n.Langs) == 0 {
		ps.add(invalid("invalid_lang", "langs", "langs must name at least one of %v", tarjuma.TargetLangs()))
	} else if checkLangs("langs", n.Langs) != nil {
		ps.add(invalid("invalid_lang", "langs", "langs: a language is not one of %v or is repeated", tarjuma.TargetLangs()))
	}
	if e := checkText("description", n.Description); e != nil {
		ps.add(e)
	} else if utf8.RuneCountInString(n.Description) > publish.MaxDescriptionRunes {
		ps.add(invalid("invalid_text", "description", "description is longer than %d characters", publish.MaxDescriptionRunes))
	}
	return ps.err()
}

// kindProblems checks the fields of n's kind: a webhook's payload and URL, a WordPress site's
// root URL, credentials and settings, a Telegram channel's chat id and bot token. URLs pass
// publish.CheckURL with the private-address guard unless allowed (the cause says which,
// publish.ErrPrivateAddress); a Telegram channel has no URL, the Bot API's address being the
// deployment's.
func (n *NewSubscriber) kindProblems(allowPrivate bool) problems {
	var ps problems
	if n.Kind != publish.KindTelegram {
		if err := publish.CheckURL(n.URL, allowPrivate); err != nil {
			e := invalid("invalid_url", "url", "url: %v", err)
			e.Err = err
			ps.add(e)
		}
	}
	switch n.Kind {
	case publish.KindWebhook:
		if !n.Payload.Known() {
			ps.add(invalid("invalid_payload", "payload", "payload must be one of %v", publish.Payloads()))
		}
	case publish.KindWordPress:
		if strings.TrimSpace(n.Username) == "" {
			ps.add(invalid("invalid_credentials", "username", "username is required: the WordPress user posts are made as"))
		}
		if strings.TrimSpace(n.AppPassword) == "" {
			ps.add(invalid("invalid_credentials", "app_password", "app_password is required: an application password of that user (Users → Profile)"))
		}
		if err := n.WordPress.Validate(); err != nil {
			ps.add(invalid("invalid_settings", "settings", "%v", err))
		}
	case publish.KindTelegram:
		if err := publish.CheckTelegramChatID(n.ChatID); err != nil {
			ps.add(invalid("invalid_settings", "chat_id", "%v", err))
		}
		if err := publish.CheckTelegramToken(n.BotToken); err != nil {
			ps.add(invalid("invalid_credentials", "bot_token", "%v", err))
		}
	}
	return ps
}

// channel is what the store keeps of n's kind: its settings and its credentials as JSON, the
// credentials not yet sealed (nil for a webhook, which has none).
func (n *NewSubscriber) channel() (settings, credentials []byte, err error) {
	var s, c any
	switch n.Kind {
	case publish.KindWordPress:
		s, c = n.WordPress, publish.WordPressCredentials{Username: strings.TrimSpace(n.Username), AppPassword: n.AppPassword}
	case publish.KindTelegram:
		s, c = publish.TelegramSettings{ChatID: n.ChatID}, publish.TelegramCredentials{BotToken: n.BotToken}
	default:
		return []byte("{}"), nil, nil
	}
	if settings, err = json.Marshal(s); err == nil {
		credentials, err = json.Marshal(c)
	}
	return settings, credentials, err
}

// Supports reports whether channels of kind k can be registered: whether this deployment has
// a connector for them.
func (d *Desk) Supports(k publish.Kind) bool {
	_, err := d.connectors.For(k)
	return err == nil
}

// AddSubscriber registers a channel and returns it with its secret, which the caller shows
// once: a webhook's signing secret, stored as issued since it has to sign every delivery (a
// hash would not do); "" for the other kinds, which sign nothing (publish.Kind.Signed).
// A channel's credentials are stored sealed with the deployment's key; without a key, such a
// channel is refused (no_secret_key) rather than stored in clear.
func (d *Desk) AddSubscriber(ctx context.Context, a Actor, n NewSubscriber) (sub publish.Subscriber, secret string, err error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, "", err
	}
	if err := n.check(d.allowPrivateWebhooks, d.connectors); err != nil {
		return publish.Subscriber{}, "", err
	}
	settings, creds, err := n.channel()
	if err != nil {
		return publish.Subscriber{}, "", fmt.Errorf("create subscriber: %w", err)
	}
	if creds != nil {
		if creds, err = d.sealer.Seal(n.Kind, creds); errors.Is(err, publish.ErrNoKey) {
			e := refuse(tarjuma.ErrConflict, "no_secret_key", "kind",
				"a %s channel's credentials are stored encrypted, and no TARJUMA_SECRET_KEY is configured", n.Kind)
			e.Err = err
			return publish.Subscriber{}, "", e
		} else if err != nil {
			return publish.Subscriber{}, "", fmt.Errorf("create subscriber: %w", err)
		}
	}
	if n.Kind.Signed() {
		secret = publish.NewSecret()
	}
	sub, err = d.db.CreateSubscriber(ctx, publish.NewSubscriber{Kind: n.Kind, Payload: n.Payload, Settings: settings,
		Credentials: creds, URL: n.URL, Langs: n.Langs, Description: n.Description, Secret: secret, CreatedBy: a.Name})
	if err != nil {
		return publish.Subscriber{}, "", fmt.Errorf("create subscriber: %w", err)
	}
	return sub, secret, nil
}

// RotateSecret issues a webhook a new secret; the old one keeps signing for the grace period,
// so the receiver can switch without rejecting a delivery. Other kinds of channel have no
// secret to rotate (unsigned_kind).
func (d *Desk) RotateSecret(ctx context.Context, a Actor, id int64) (sub publish.Subscriber, secret string, err error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, "", err
	}
	// A subscriber's kind never changes, so what is read here still holds at the update.
	if sub, err = d.db.Subscriber(ctx, id); err != nil {
		return publish.Subscriber{}, "", fmt.Errorf("rotate secret of subscriber %d: %w", id, err)
	}
	if !sub.Kind.Signed() {
		return publish.Subscriber{}, "", refuse(tarjuma.ErrConflict, "unsigned_kind", "kind",
			"a %s channel signs nothing and has no secret to rotate; only webhooks do", sub.Kind)
	}
	secret = publish.NewSecret()
	sub, err = d.db.RotateSubscriberSecret(ctx, id, secret, d.now().Add(d.rotationGrace))
	if err != nil {
		return publish.Subscriber{}, "", fmt.Errorf("rotate secret of subscriber %d: %w", id, err)
	}
	return sub, secret, nil
}

// DeleteSubscriber removes a receiver and cancels its pending deliveries.
func (d *Desk) DeleteSubscriber(ctx context.Context, a Actor, id int64) error {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return err
	}
	if err := d.db.DeleteSubscriber(ctx, id); err != nil {
		return fmt.Errorf("delete subscriber %d: %w", id, err)
	}
	return nil
}

// DisableSubscriber stops deliveries to a channel by hand, as a 410 Gone answer does: its
// pending deliveries are cancelled and it gets nothing until it is enabled again.
func (d *Desk) DisableSubscriber(ctx context.Context, a Actor, id int64) (publish.Subscriber, error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, err
	}
	sub, err := d.db.DisableSubscriber(ctx, id, publish.DisabledByHand+a.Name)
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("disable subscriber %d: %w", id, err)
	}
	return sub, nil
}

// EnableSubscriber lets a channel disabled by a 410 Gone answer or by hand receive again, from
// the next approval on; without it, a receiver back from a move could only be registered anew,
// with a new id and secret.
func (d *Desk) EnableSubscriber(ctx context.Context, a Actor, id int64) (publish.Subscriber, error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, err
	}
	sub, err := d.db.EnableSubscriber(ctx, id)
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("enable subscriber %d: %w", id, err)
	}
	return sub, nil
}

// TestSubscriber checks a channel's address and credentials through its connector, without
// publishing anything, and keeps the result on the subscriber (sub.Check), where the pages and
// the API show it. A channel that fails the test is not an error of the action: the result
// says why it failed. A disabled channel can be tested, so it can be checked before it is
// enabled again.
func (d *Desk) TestSubscriber(ctx context.Context, a Actor, id int64) (publish.Subscriber, error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, err
	}
	sub, err := d.db.Subscriber(ctx, id)
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("test subscriber %d: %w", id, err)
	}
	conn, err := d.connectors.For(sub.Kind)
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("test subscriber %d: %w", id, err)
	}
	var creds []byte
	if len(sub.Credentials) > 0 {
		// A key that cannot open them is the test's finding, kept like any other.
		creds, err = d.sealer.Open(sub.Kind, sub.Credentials)
	}
	at := d.now()
	res := publish.Result{Err: err}
	if err == nil {
		res = conn.Check(ctx, sub, creds)
	}
	c := publish.CheckResult{At: at, StatusCode: res.StatusCode}
	if res.Err != nil {
		c.Error = res.Err.Error()
	}
	// Written even when the request that asked is gone: the channel did answer.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if sub, err = d.db.RecordCheck(rctx, id, c); err != nil {
		return publish.Subscriber{}, fmt.Errorf("test subscriber %d: %w", id, err)
	}
	return sub, nil
}

// recordTimeout bounds writing what an outside service answered once the request's context
// may be over.
const recordTimeout = 5 * time.Second

// Redelivery names a delivery to send again; with ArticleID set, only a delivery of that
// translation is found, so that an action taken on a translation's page changes that one.
type Redelivery struct {
	ID        int64
	ArticleID int64
	Lang      tarjuma.Lang
}

// Redeliver sends a delivery again under its webhook-id and wakes the relay to do it now.
// tarjuma.ErrConflict when its subscriber is deleted or disabled or it was cancelled.
func (d *Desk) Redeliver(ctx context.Context, a Actor, r Redelivery) (publish.Delivery, error) {
	if err := allow(isAdmin(a), a, "redeliver webhooks"); err != nil {
		return publish.Delivery{}, err
	}
	if r.ArticleID != 0 {
		if err := d.checkDeliveryOf(ctx, r); err != nil {
			return publish.Delivery{}, err
		}
	}
	del, err := d.db.Redeliver(ctx, r.ID)
	if err != nil {
		return publish.Delivery{}, fmt.Errorf("redeliver %d: %w", r.ID, err)
	}
	d.wake()
	return del, nil
}

func (d *Desk) checkDeliveryOf(ctx context.Context, r Redelivery) error {
	logs, err := d.db.Deliveries(ctx, r.ArticleID, r.Lang)
	if err != nil {
		return err
	}
	for _, l := range logs {
		if l.ID == r.ID {
			return nil
		}
	}
	return fmt.Errorf("delivery %d of %d/%s: %w", r.ID, r.ArticleID, r.Lang, tarjuma.ErrNotFound)
}
