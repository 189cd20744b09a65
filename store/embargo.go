package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma/publish"
)

// EmbargoChange is a change of an article's embargo made after its submission: the time it
// was set or moved to, zero when it was lifted, and who changed it when.
type EmbargoChange struct {
	Until time.Time
	By    string
	At    time.Time
}

// ChangeEmbargo sets an article's embargo to until, or lifts it when until is zero, and keeps
// the change in the article's embargo history. When the embargo held deliveries back and now
// ends sooner, those still pending get a new round and are handed to the relay again, so each
// is sent by a task that reads the new time now: the task of the old round sleeps in the queue
// until the old embargo ends, and when it wakes it finds its round over (see Redeliver). A
// lengthened embargo needs no new task: the held one wakes at the old time, reads the new one
// and waits again. Either way the pending deliveries' give-up time moves with the embargo, one
// publish.DeliveryWindow after it ends (or after now, when it is over), as an approval under
// embargo sets it, so a lengthened embargo does not fail them.
//
// An embargo set to what it is changes nothing: changed is false and c is the last change
// recorded (zero By and At when the embargo is still the submission's). ErrWithdrawn for a
// withdrawn article, whose deliveries carry its withdrawal; tarjuma.ErrNotFound when the
// article does not exist.
func (db *DB) ChangeEmbargo(ctx context.Context, articleID int64, until time.Time, by string) (c EmbargoChange, changed bool, err error) {
	if !until.IsZero() {
		until = until.UTC().Truncate(time.Microsecond) // as the column keeps it
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		// The no-op update locks the article's row, so a change, an approval and a
		// withdrawal take turns.
		var withdrawn bool
		var current sql.NullTime
		if err := tx.QueryRowContext(ctx, `UPDATE articles SET withdrawn_at = withdrawn_at WHERE id = $1
			RETURNING withdrawn_at IS NOT NULL, embargo_until`, articleID).Scan(&withdrawn, &current); err != nil {
			return notFound(err, "article %d", articleID)
		}
		if withdrawn {
			return ErrWithdrawn
		}
		if utcOrZero(current).Equal(until) {
			c, err = lastEmbargoChange(ctx, tx, articleID)
			c.Until = until
			return err
		}
		at := now()
		c, changed = EmbargoChange{Until: until, By: by, At: at}, true
		value := sql.NullTime{Time: until, Valid: !until.IsZero()}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET embargo_until = $2 WHERE id = $1`, articleID, value); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO embargo_changes (article_id, embargo_until, changed_by, changed_at)
			VALUES ($1, $2, $3, $4)`, articleID, value, by, at); err != nil {
			return err
		}
		was := utcOrZero(current)
		if !was.After(at) && !until.After(at) {
			return nil // held nothing and holds nothing
		}
		// A task held until the old time must not sleep past a new, earlier one.
		restart := was.After(at) && (until.IsZero() || until.Before(was))
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET give_up_at = $3,
			round = CASE WHEN $4 THEN round + 1 ELSE round END,
			dispatched_at = CASE WHEN $4 THEN NULL ELSE dispatched_at END
			WHERE state = $2 AND release_id IN (SELECT id FROM releases WHERE article_id = $1)`,
			articleID, publish.DeliveryPending, publish.GiveUpAt(later(at, until)), restart)
		return err
	})
	if err != nil {
		return EmbargoChange{}, false, fmt.Errorf("store: change embargo of article %d: %w", articleID, err)
	}
	return c, changed, nil
}

func lastEmbargoChange(ctx context.Context, q querier, articleID int64) (EmbargoChange, error) {
	c, err := scanEmbargoChange(q.QueryRowContext(ctx, `SELECT embargo_until, changed_by, changed_at FROM embargo_changes
		WHERE article_id = $1 ORDER BY id DESC LIMIT 1`, articleID))
	if errors.Is(err, sql.ErrNoRows) {
		return EmbargoChange{}, nil
	}
	return c, err
}

func scanEmbargoChange(s scanner) (EmbargoChange, error) {
	var c EmbargoChange
	var until sql.NullTime
	if err := s.Scan(&until, &c.By, &c.At); err != nil {
		return EmbargoChange{}, err
	}
	c.Until, c.At = utcOrZero(until), c.At.UTC()
	return c, nil
}

// EmbargoChanges returns the changes of an article's embargo since its submission, oldest
// first; none for an article that has none or does not exist.
func (db *DB) EmbargoChanges(ctx context.Context, articleID int64) ([]EmbargoChange, error) {
	cs, err := queryAll(ctx, db.read, scanEmbargoChange, `SELECT embargo_until, changed_by, changed_at FROM embargo_changes
		WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("store: embargo changes of article %d: %w", articleID, err)
	}
	return cs, nil
}
