package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

const subscriberColumns = `s.id, s.kind, s.payload, s.settings, s.credentials, s.url, s.langs, s.description, s.secret,
	s.previous_secret, s.previous_until, s.disabled_at, s.disabled_reason, s.checked_at, s.check_status, s.check_error,
	s.created_by, s.created_at`

func scanSubscriber(sc scanner) (publish.Subscriber, error) {
	var s publish.Subscriber
	var langs, settings string
	var until, disabled, checked sql.NullTime
	err := sc.Scan(&s.ID, &s.Kind, &s.Payload, &settings, &s.Credentials, &s.URL, &langs, &s.Description, &s.Secret,
		&s.PreviousSecret, &until, &disabled, &s.DisabledReason, &checked, &s.Check.StatusCode, &s.Check.Error,
		&s.CreatedBy, &s.CreatedAt)
	s.Langs, s.Settings = splitLangs(langs), json.RawMessage(settings)
	s.PreviousUntil, s.DisabledAt, s.Check.At, s.CreatedAt = utcOrZero(until), utcOrZero(disabled), utcOrZero(checked), s.CreatedAt.UTC()
	return s, err
}

// CreateSubscriber stores a new subscriber. It receives deliveries of translations approved
// from now on.
func (db *DB) CreateSubscriber(ctx context.Context, n publish.NewSubscriber) (publish.Subscriber, error) {
	// A subscriber made before kinds existed is a webhook of our own payload, as the columns'
	// defaults say for the rows that were there.
	n.Kind, n.Payload = cmp.Or(n.Kind, publish.KindWebhook), cmp.Or(n.Payload, publish.PayloadTarjuma)
	// The secret column is NOT NULL: '' is a channel that signs nothing.
	if n.URL == "" && n.Kind != publish.KindTelegram || (n.Secret != "") != n.Kind.Signed() || len(n.Langs) == 0 {
		return publish.Subscriber{}, fmt.Errorf("store: create subscriber: url (but for a Telegram channel), languages, and a secret for a webhook and none for another kind are required: %w", tarjuma.ErrInvalid)
	}
	if len(n.Settings) == 0 {
		n.Settings = json.RawMessage("{}")
	}
	if len(n.Credentials) == 0 {
		n.Credentials = nil // NULL: the kind has none
	}
	s := publish.Subscriber{Kind: n.Kind, Payload: n.Payload, Settings: n.Settings, Credentials: n.Credentials, URL: n.URL,
		Langs: n.Langs, Description: n.Description, Secret: n.Secret, CreatedBy: n.CreatedBy, CreatedAt: now()}
	err := db.write.QueryRowContext(ctx, `INSERT INTO subscribers (kind, payload, settings, credentials, url, langs, description,
		secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		n.Kind, n.Payload, string(n.Settings), n.Credentials, n.URL, joinLangs(n.Langs), n.Description, n.Secret,
		n.CreatedBy, s.CreatedAt).Scan(&s.ID)
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: create subscriber: %w", err)
	}
	return s, nil
}

// Subscribers returns the subscribers not deleted, disabled ones included, oldest first.
func (db *DB) Subscribers(ctx context.Context) ([]publish.Subscriber, error) {
	subs, err := queryAll(ctx, db.read, scanSubscriber, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.deleted_at IS NULL ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	return subs, nil
}

// RotateSubscriberSecret makes secret the subscriber's signing secret; the one it replaces keeps
// signing beside it until previousUntil. A secret older than that is dropped at once.
// tarjuma.ErrNotFound when the subscriber does not exist or was deleted.
func (db *DB) RotateSubscriberSecret(ctx context.Context, id int64, secret string, previousUntil time.Time) (publish.Subscriber, error) {
	s, err := scanSubscriber(db.write.QueryRowContext(ctx, `UPDATE subscribers
		SET previous_secret = secret, previous_until = $2, secret = $3
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+unqualified(subscriberColumns), id, previousUntil.UTC().Truncate(time.Microsecond), secret))
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: rotate secret of subscriber %d: %w", id, notFound(err, "subscriber %d", id))
	}
	return s, nil
}

// DeleteSubscriber removes a subscriber: it gets nothing more, its pending deliveries are
// cancelled, and releases that waited only for it become published. Its delivery log stays;
// its signing secrets and credentials are erased, since nothing will be sent to it again.
// tarjuma.ErrNotFound when it does not exist or was deleted already.
func (db *DB) DeleteSubscriber(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET deleted_at = $2, secret = '', previous_secret = '', previous_until = NULL,
			credentials = NULL WHERE id = $1 AND deleted_at IS NULL`, id, at)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("subscriber %d: %w", id, tarjuma.ErrNotFound))
		}
		return cancelDeliveries(ctx, tx, id, "subscriber deleted", at)
	})
	if err != nil {
		return fmt.Errorf("store: delete subscriber %d: %w", id, err)
	}
	return nil
}

// Subscriber returns one subscriber not deleted, disabled or not, or tarjuma.ErrNotFound.
func (db *DB) Subscriber(ctx context.Context, id int64) (publish.Subscriber, error) {
	s, err := scanSubscriber(db.read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.id = $1 AND s.deleted_at IS NULL`, id))
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: subscriber %d: %w", id, notFound(err, "subscriber %d", id))
	}
	return s, nil
}

// DisableSubscriber stops deliveries to a subscriber by hand, as a 410 Gone answer does: it
// gets nothing approved from now on, and its pending deliveries are cancelled. One already
// disabled keeps its first reason. tarjuma.ErrNotFound when it does not exist or was deleted.
func (db *DB) DisableSubscriber(ctx context.Context, id int64, reason string) (publish.Subscriber, error) {
	var s publish.Subscriber
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET disabled_at = $2, disabled_reason = $3
			WHERE id = $1 AND deleted_at IS NULL AND disabled_at IS NULL`, id, at, reason); err != nil {
			return err
		}
		var err error
		if s, err = scanSubscriber(tx.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
			WHERE s.id = $1 AND s.deleted_at IS NULL`, id)); err != nil {
			return notFound(err, "subscriber %d", id)
		}
		return cancelDeliveries(ctx, tx, id, "subscriber disabled", at)
	})
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: disable subscriber %d: %w", id, err)
	}
	return s, nil
}

// EnableSubscriber lets a subscriber disabled by a 410 Gone answer or by hand receive again:
// translations approved from now on. What was cancelled while it was disabled stays cancelled;
// a delivery of it can be sent again by redelivery. tarjuma.ErrNotFound when it does not exist
// or was deleted.
func (db *DB) EnableSubscriber(ctx context.Context, id int64) (publish.Subscriber, error) {
	s, err := scanSubscriber(db.write.QueryRowContext(ctx, `UPDATE subscribers SET disabled_at = NULL, disabled_reason = ''
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+unqualified(subscriberColumns), id))
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: enable subscriber %d: %w", id, notFound(err, "subscriber %d", id))
	}
	return s, nil
}

// RecordCheck keeps the result of a subscriber's latest test. tarjuma.ErrNotFound when it
// does not exist or was deleted.
func (db *DB) RecordCheck(ctx context.Context, id int64, c publish.CheckResult) (publish.Subscriber, error) {
	s, err := scanSubscriber(db.write.QueryRowContext(ctx, `UPDATE subscribers SET checked_at = $2, check_status = $3, check_error = $4
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+unqualified(subscriberColumns),
		id, c.At.UTC().Truncate(time.Microsecond), c.StatusCode, c.Error))
	if err != nil {
		return publish.Subscriber{}, fmt.Errorf("store: record check of subscriber %d: %w", id, notFound(err, "subscriber %d", id))
	}
	return s, nil
}

// SealedCredentials returns the subscribers not deleted that hold sealed credentials, for
// serve to check at start that its key opens them.
func (db *DB) SealedCredentials(ctx context.Context) ([]publish.Subscriber, error) {
	subs, err := queryAll(ctx, db.read, scanSubscriber, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.deleted_at IS NULL AND s.credentials IS NOT NULL ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: sealed credentials: %w", err)
	}
	return subs, nil
}
