package desk

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// NewSubscriber is a channel to register. Kind is publish.KindWebhook when empty, as every
// subscriber was before there were kinds; Payload, a webhook's, publish.PayloadTarjuma.
type NewSubscriber struct {
	Kind        publish.Kind
	Payload     publish.Payload
	URL         string
	Langs       []tarjuma.Lang
	Description string
}

// check applies the subscriber rules, every one of them: a kind this deployment has a
// connector for (unsupported_kind for one that is planned but not built; nothing else is
// checked then, since the other fields are the kind's), a payload a webhook can carry,
// publish.CheckURL with the private-address guard unless allowed (the cause says which,
// publish.ErrPrivateAddress), known and distinct languages, a short description without NUL.
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
	var ps problems
	if !n.Payload.Known() {
		ps.add(invalid("invalid_payload", "payload", "payload must be one of %v", publish.Payloads()))
	}
	if err := publish.CheckURL(n.URL, allowPrivate); err != nil {
		e := invalid("invalid_url", "url", "url: %v", err)
		e.Err = err
		ps.add(e)
	}
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

// Supports reports whether channels of kind k can be registered: whether this deployment has
// a connector for them.
func (d *Desk) Supports(k publish.Kind) bool {
	_, err := d.connectors.For(k)
	return err == nil
}

// AddSubscriber registers a receiver and returns it with its secret, which the caller shows
// once. The secret is stored as issued: it has to sign every delivery, so a hash would not do.
func (d *Desk) AddSubscriber(ctx context.Context, a Actor, n NewSubscriber) (sub publish.Subscriber, secret string, err error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, "", err
	}
	if err := n.check(d.allowPrivateWebhooks, d.connectors); err != nil {
		return publish.Subscriber{}, "", err
	}
	secret = publish.NewSecret()
	sub, err = d.db.CreateSubscriber(ctx, publish.NewSubscriber{Kind: n.Kind, Payload: n.Payload, URL: n.URL, Langs: n.Langs,
		Description: n.Description, Secret: secret, CreatedBy: a.Name})
	if err != nil {
		return publish.Subscriber{}, "", fmt.Errorf("create subscriber: %w", err)
	}
	return sub, secret, nil
}

// RotateSecret issues a subscriber a new secret; the old one keeps signing for the grace
// period, so the receiver can switch without rejecting a delivery.
func (d *Desk) RotateSecret(ctx context.Context, a Actor, id int64) (sub publish.Subscriber, secret string, err error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, "", err
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
	at := d.now()
	res := conn.Check(ctx, sub)
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
