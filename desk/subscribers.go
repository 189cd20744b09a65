package desk

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// NewSubscriber is a webhook receiver to register.
type NewSubscriber struct {
	URL         string
	Langs       []tarjuma.Lang
	Description string
}

// check applies the subscriber rules, every one of them: publish.CheckURL with the
// private-address guard unless allowed (the cause says which, publish.ErrPrivateAddress),
// known and distinct languages, a short description without NUL.
func (n NewSubscriber) check(allowPrivate bool) error {
	var ps problems
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

// AddSubscriber registers a receiver and returns it with its secret, which the caller shows
// once. The secret is stored as issued: it has to sign every delivery, so a hash would not do.
func (d *Desk) AddSubscriber(ctx context.Context, a Actor, n NewSubscriber) (sub publish.Subscriber, secret string, err error) {
	if err := allow(isAdmin(a), a, "manage subscribers"); err != nil {
		return publish.Subscriber{}, "", err
	}
	if err := n.check(d.allowPrivateWebhooks); err != nil {
		return publish.Subscriber{}, "", err
	}
	secret = publish.NewSecret()
	sub, err = d.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: n.URL, Langs: n.Langs,
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
