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

// placements returns what the subscriber's channel holds of the article, by language
// (channel_placements): the state each connector left there. A row leased before the channel
// held anything (state ”) is no placement.
func placements(ctx context.Context, q querier, subscriberID, articleID int64) (map[tarjuma.Lang][]byte, error) {
	type placement struct {
		lang  tarjuma.Lang
		state string
	}
	rows, err := queryAll(ctx, q, func(s scanner) (placement, error) {
		var p placement
		err := s.Scan(&p.lang, &p.state)
		return p, err
	}, `SELECT lang, state FROM channel_placements WHERE subscriber_id = $1 AND article_id = $2 AND state <> ''`, subscriberID, articleID)
	if err != nil {
		return nil, err
	}
	out := make(map[tarjuma.Lang][]byte, len(rows))
	for _, p := range rows {
		out[p.lang] = []byte(p.state)
	}
	return out, nil
}

// savePlacement keeps state as what the channel of the delivery's subscriber holds of the
// delivery's article and language, replacing what was kept before. It is written whatever
// became of the delivery: the channel holds it, even if the attempt failed or was overtaken.
func savePlacement(ctx context.Context, tx *sql.Tx, deliveryID int64, state []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_placements (subscriber_id, article_id, lang, state, updated_at)
		SELECT d.subscriber_id, r.article_id, r.lang, $2, $3 FROM deliveries d JOIN releases r ON r.id = d.release_id
		WHERE d.id = $1
		ON CONFLICT (subscriber_id, article_id, lang) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		deliveryID, string(state), now())
	return err
}

// ErrDeliverySettled is a delivery that is no longer pending when its lease is asked for:
// delivered, failed, or cancelled (its article withdrawn, its subscriber gone, a later version
// sent instead) since its task read it. There is nothing to send.
var ErrDeliverySettled = errors.New("the delivery is no longer pending")

// LeaseHeldError is a placement leased by another delivery, in flight until Until at the latest.
type LeaseHeldError struct {
	Holder int64 // the delivery holding the lease
	Until  time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("delivery %d is sending to the same channel until %s at the latest", e.Holder, e.Until.Format(time.RFC3339))
}

// LeasePlacement takes, for ttl, the lease on what the delivery's channel holds of its article
// and language, and returns that state (nil when the channel holds nothing of it yet): only the
// lease's holder may call the channel for them, so two deliveries in flight together (an old one
// retrying beside a correction, a withdrawal beside a publish) never both find "no post yet" and
// both make one. RecordAttempt frees it. The same delivery may take it again (a retry after its
// worker died); anyone may once it expired.
//
// The delivery's row is locked first, as Withdraw's cancellation locks it: a withdrawal either
// cancels the delivery before (ErrDeliverySettled) or sees its lease after, and then sends the
// channel a withdrawal too. A delivery of a release that a later one to the same subscriber
// supersedes (a newer version, or the article's withdrawal) is cancelled instead of sent, so an
// old version's retry never puts its text back over the correction's; that is
// ErrDeliverySettled too. *LeaseHeldError when another delivery holds the lease;
// tarjuma.ErrNotFound when the delivery does not exist.
func (db *DB) LeasePlacement(ctx context.Context, deliveryID int64, ttl time.Duration) ([]byte, error) {
	var state []byte
	var superseded bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		var releaseID, subscriberID int64
		err := tx.QueryRowContext(ctx, `UPDATE deliveries SET state = state WHERE id = $1 AND state = $2
			RETURNING release_id, subscriber_id`, deliveryID, publish.DeliveryPending).Scan(&releaseID, &subscriberID)
		if errors.Is(err, sql.ErrNoRows) {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM deliveries WHERE id = $1`, deliveryID).Scan(&one); err != nil {
				return notFound(err, "delivery %d", deliveryID)
			}
			return ErrDeliverySettled
		}
		if err != nil {
			return err
		}
		if by, err := supersededBy(ctx, tx, deliveryID); err != nil || by != "" {
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = $2, finished_at = $3, last_error = $4 WHERE id = $1`,
				deliveryID, publish.DeliveryCancelled, at, "superseded by "+by); err != nil {
				return err
			}
			superseded = true // committed, then told
			return settle(ctx, tx, at, []any{releaseID})
		}
		var held string
		err = tx.QueryRowContext(ctx, `INSERT INTO channel_placements (subscriber_id, article_id, lang, state, updated_at, holder, lease_until)
			SELECT d.subscriber_id, r.article_id, r.lang, '', $2, d.id, $3 FROM deliveries d JOIN releases r ON r.id = d.release_id
			WHERE d.id = $1
			ON CONFLICT (subscriber_id, article_id, lang) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
			WHERE channel_placements.holder IS NULL OR channel_placements.holder = excluded.holder OR channel_placements.lease_until <= $2
			RETURNING state`, deliveryID, at, at.Add(ttl)).Scan(&held)
		if errors.Is(err, sql.ErrNoRows) {
			e := &LeaseHeldError{}
			if err := tx.QueryRowContext(ctx, `SELECT p.holder, p.lease_until FROM channel_placements p
				JOIN releases r ON r.article_id = p.article_id AND r.lang = p.lang
				WHERE r.id = $1 AND p.subscriber_id = $2`, releaseID, subscriberID).Scan(&e.Holder, &e.Until); err != nil {
				return err
			}
			e.Until = e.Until.UTC()
			return e
		}
		if held != "" {
			state = []byte(held)
		}
		return err
	})
	if err == nil && superseded {
		err = ErrDeliverySettled
	}
	if err != nil {
		return nil, fmt.Errorf("store: lease the placement of delivery %d: %w", deliveryID, err)
	}
	return state, nil
}

// supersededBy names the later delivery to the same subscriber of the same article and language
// that makes this one pointless ("" when none): one of a newer version, or the article's
// withdrawal (of the same version number as the last release, but after every publication).
// Whatever became of the later one, the channel is not to get the older text: a correction that
// failed is redelivered, not replaced by the version it corrected.
func supersededBy(ctx context.Context, tx *sql.Tx, deliveryID int64) (string, error) {
	var version int
	var event string
	err := tx.QueryRowContext(ctx, `SELECT lr.version, lr.event FROM deliveries d JOIN releases r ON r.id = d.release_id
		JOIN deliveries l ON l.subscriber_id = d.subscriber_id AND l.id <> d.id
		JOIN releases lr ON lr.id = l.release_id AND lr.article_id = r.article_id AND lr.lang = r.lang
		WHERE d.id = $1 AND (lr.version > r.version OR (lr.event = $2 AND r.event <> $2))
		ORDER BY lr.version DESC, l.id DESC LIMIT 1`, deliveryID, publish.EventWithdrawn).Scan(&version, &event)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", err
	case event == publish.EventWithdrawn:
		return "the article's withdrawal", nil
	}
	return fmt.Sprintf("version %d", version), nil
}

// ErrLeaseLost is progress saved by a delivery that no longer holds its placement's lease
// (it expired and another delivery took it): the attempt must stop, as its state can no longer
// be kept.
var ErrLeaseLost = errors.New("the delivery no longer holds its placement's lease")

// SaveProgress keeps state as what the delivery's channel holds of its article and language in
// the middle of an attempt, under the lease LeasePlacement gave: a retry after the worker died
// before RecordAttempt then continues from it. ErrLeaseLost when the lease is not the
// delivery's any more.
func (db *DB) SaveProgress(ctx context.Context, deliveryID int64, state []byte) error {
	at := now()
	res, err := db.write.ExecContext(ctx, `UPDATE channel_placements SET state = $2, updated_at = $3
		WHERE holder = $1 AND lease_until > $3`, deliveryID, string(state), at)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = ErrLeaseLost
		}
	}
	if err != nil {
		return fmt.Errorf("store: save the progress of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// ReleasePlacement ends the delivery's lease on its placement without recording an attempt,
// for a delivery that waits (its channel's rate limit holds it) and stays pending: state, when
// not nil, is what the channel now holds, kept as RecordAttempt keeps it; nil keeps what was
// there. Another delivery of the article and language may go meanwhile; the waiting one
// carries on from what it finds when it comes back.
func (db *DB) ReleasePlacement(ctx context.Context, deliveryID int64, state []byte) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if state != nil {
			if err := savePlacement(ctx, tx, deliveryID, state); err != nil {
				return err
			}
		}
		return freePlacement(ctx, tx, deliveryID)
	})
	if err != nil {
		return fmt.Errorf("store: release the placement of delivery %d: %w", deliveryID, err)
	}
	return nil
}

// freePlacement ends the delivery's lease on its placement, in the transaction that records
// its attempt or releases the lease.
func freePlacement(ctx context.Context, tx *sql.Tx, deliveryID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE channel_placements SET holder = NULL, lease_until = NULL WHERE holder = $1`, deliveryID)
	return err
}
