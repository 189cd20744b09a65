package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

const subscriberColumns = `s.id, s.url, s.langs, s.description, s.secret, s.previous_secret, s.previous_until,
	s.disabled_at, s.disabled_reason, s.created_by, s.created_at`

func scanSubscriber(sc scanner) (publish.Subscriber, error) {
	var s publish.Subscriber
	var langs string
	var until, disabled sql.NullTime
	err := sc.Scan(&s.ID, &s.URL, &langs, &s.Description, &s.Secret, &s.PreviousSecret, &until,
		&disabled, &s.DisabledReason, &s.CreatedBy, &s.CreatedAt)
	s.Langs = splitLangs(langs)
	s.PreviousUntil, s.DisabledAt, s.CreatedAt = utcOrZero(until), utcOrZero(disabled), s.CreatedAt.UTC()
	return s, err
}

// CreateSubscriber stores a new subscriber. It receives deliveries of translations approved
// from now on.
func (db *DB) CreateSubscriber(ctx context.Context, n publish.NewSubscriber) (publish.Subscriber, error) {
	if n.URL == "" || n.Secret == "" || len(n.Langs) == 0 {
		return publish.Subscriber{}, fmt.Errorf("store: create subscriber: url, secret and languages are required: %w", tarjuma.ErrInvalid)
	}
	s := publish.Subscriber{URL: n.URL, Langs: n.Langs, Description: n.Description, Secret: n.Secret, CreatedBy: n.CreatedBy, CreatedAt: now()}
	err := db.write.QueryRowContext(ctx, `INSERT INTO subscribers (url, langs, description, secret, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		n.URL, joinLangs(n.Langs), n.Description, n.Secret, n.CreatedBy, s.CreatedAt).Scan(&s.ID)
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
// its signing secrets are erased, since nothing will be signed for it again.
// tarjuma.ErrNotFound when it does not exist or was deleted already.
func (db *DB) DeleteSubscriber(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET deleted_at = $2, secret = '', previous_secret = '', previous_until = NULL
			WHERE id = $1 AND deleted_at IS NULL`, id, at)
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
