package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/publish"
)

// cancelDeliveries cancels the subscriber's pending deliveries and publishes the releases that
// were waiting only for it, its failed deliveries included.
func cancelDeliveries(ctx context.Context, tx *sql.Tx, subscriberID int64, reason string, at time.Time) error {
	releases, err := queryAll(ctx, tx, func(s scanner) (any, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	}, `SELECT DISTINCT release_id FROM deliveries
		WHERE subscriber_id = $1 AND state IN ($2, $3)`, subscriberID, publish.DeliveryPending, publish.DeliveryFailed)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = $2, finished_at = $3, last_error = $4
		WHERE subscriber_id = $1 AND state = $5`, subscriberID, publish.DeliveryCancelled, at, reason, publish.DeliveryPending); err != nil {
		return err
	}
	return settle(ctx, tx, at, releases)
}

const deliveryColumns = `d.id, d.release_id, d.subscriber_id, d.state, d.round, d.attempts, d.give_up_at,
	d.created_at, d.dispatched_at, d.finished_at, d.last_error`

func scanDelivery(s scanner) (publish.Delivery, error) { return scanDeliveryWith(s) }

// scanDeliveryWith scans deliveryColumns followed by extra destinations.
func scanDeliveryWith(s scanner, extra ...any) (publish.Delivery, error) {
	var d publish.Delivery
	var dispatched, finished sql.NullTime
	err := s.Scan(append([]any{&d.ID, &d.ReleaseID, &d.SubscriberID, &d.State, &d.Round, &d.AttemptCount, &d.GiveUpAt,
		&d.CreatedAt, &dispatched, &finished, &d.LastError}, extra...)...)
	d.GiveUpAt, d.CreatedAt = d.GiveUpAt.UTC(), d.CreatedAt.UTC()
	d.DispatchedAt, d.FinishedAt = utcOrZero(dispatched), utcOrZero(finished)
	return d, err
}

// DispatchDeliveries is DispatchJobs for the delivery outbox: it hands up to limit pending
// deliveries to enqueue, those never dispatched and those dispatched before redispatchBefore
// (their task may be lost; the task id makes a second enqueue harmless), and marks them
// dispatched.
func (db *DB) DispatchDeliveries(ctx context.Context, limit int, redispatchBefore time.Time, enqueue func(publish.Delivery) error) (int, error) {
	// The relay sweeps at every submission, and deliveries are rare beside them: one plain read
	// finds the outbox empty, where the locked batch cost a transaction (three round trips).
	// A delivery committed just after it was kicked for by its own commit's Dispatch.
	var pending bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries
		WHERE state = $1 AND (dispatched_at IS NULL OR dispatched_at < $2))`,
		publish.DeliveryPending, redispatchBefore.UTC()).Scan(&pending); err != nil || !pending {
		if err != nil {
			err = fmt.Errorf("store: dispatch deliveries: %w", err)
		}
		return 0, err
	}
	n, err := dispatchOutbox(ctx, db, "deliveries", limit, `SELECT `+deliveryColumns+` FROM deliveries d
		WHERE d.state = $1 AND (d.dispatched_at IS NULL OR d.dispatched_at < $2)
		ORDER BY d.id LIMIT $3`, params{publish.DeliveryPending, redispatchBefore.UTC(), limit},
		scanDelivery, func(d publish.Delivery) int64 { return d.ID }, enqueue)
	if err != nil {
		return n, fmt.Errorf("store: dispatch deliveries: %w", err)
	}
	return n, nil
}

// Outgoing returns a delivery with its subscriber, its release and what the subscriber's
// channel holds of the article in the other languages, or tarjuma.ErrNotFound. What it holds in
// the release's language (Placement) is left out: it is read under the lease, by
// LeasePlacement.
func (db *DB) Outgoing(ctx context.Context, deliveryID int64) (publish.Outgoing, error) {
	var o publish.Outgoing
	var err error
	o.Delivery, err = scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = $1`, deliveryID))
	if err == nil {
		o.Subscriber, err = scanSubscriber(db.read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s WHERE s.id = $1`, o.SubscriberID))
	}
	if err == nil {
		o.Release, err = scanRelease(db.read.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+` WHERE r.id = $1`, o.ReleaseID))
	}
	if err == nil {
		err = db.read.QueryRowContext(ctx, `SELECT priority FROM articles WHERE id = $1`, o.Release.Version.ArticleID).Scan(&o.Release.Priority)
	}
	if err == nil {
		o.Release.Entities, err = db.entities(ctx, o.Release.Version)
	}
	if err == nil {
		o.Siblings, err = placements(ctx, db.read, o.SubscriberID, o.Release.Version.ArticleID)
		delete(o.Siblings, o.Release.Version.Lang)
	}
	if err != nil {
		return publish.Outgoing{}, fmt.Errorf("store: %w", notFound(err, "delivery %d", deliveryID))
	}
	return o, nil
}

// entityKinds are the glossary's kinds of term that are people, organisations and places.
var entityKinds = map[glossary.Kind]publish.EntityKind{
	glossary.KindPerson:       publish.EntityPerson,
	glossary.KindOrganization: publish.EntityOrganisation,
	glossary.KindPlace:        publish.EntityPlace,
}

// entities returns the people, organisations and places of the glossary that v's source text
// names, in the order the text first names them, each under the name the glossary gives it in
// v's language (its Arabic spelling when the desk keeps it untranslated). Terms deleted from
// the glossary since are left out: the glossary no longer vouches for them.
func (db *DB) entities(ctx context.Context, v tarjuma.Version) ([]publish.Entity, error) {
	var ids []any
	seen := map[string]bool{}
	for _, s := range v.Segments {
		for _, t := range s.Terms {
			if !seen[t.TermID] {
				seen[t.TermID] = true
				ids = append(ids, t.TermID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var p params
	terms, err := queryTerms(ctx, db.read, `SELECT term FROM glossary_terms WHERE id IN (`+p.list(ids...)+`)`, p...)
	if err != nil {
		return nil, err
	}
	byID := map[string]glossary.Term{}
	for _, t := range terms {
		byID[t.ID] = t
	}
	var out []publish.Entity
	for _, id := range ids {
		t, ok := byID[id.(string)]
		kind, entity := entityKinds[t.Kind]
		if !ok || !entity {
			continue
		}
		name := t.Targets[v.Lang].Preferred
		if (t.DoNotTranslate || name == "") && len(t.Arabic) > 0 {
			name = t.Arabic[0]
		}
		out = append(out, publish.Entity{Kind: kind, TermID: t.ID, Name: name})
	}
	return out, nil
}

// RecordAttempt logs an attempt at a pending delivery and applies its outcome: delivered (and
// the release published once nobody else is waited for), failed, still pending, or gone (the
// subscriber disabled and all its pending deliveries cancelled). An attempt at a delivery that
// is no longer pending is logged but changes nothing: a redelivery or a deletion overtook it.
// The channel state the attempt left (a.State) is kept in every case, as the channel holds it,
// and the delivery's lease on it (LeasePlacement) is freed.
func (db *DB) RecordAttempt(ctx context.Context, a publish.Attempt, outcome publish.Outcome) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// Attempts at the deliveries of one release take turns, on the release's row lock. Each
		// settles the release when its delivery was the last pending; two committing side by
		// side would each still see the other's pending (read committed), and neither would.
		if _, err := tx.ExecContext(ctx, `UPDATE releases SET published_at = published_at
			WHERE id = (SELECT release_id FROM deliveries WHERE id = $1)`, a.DeliveryID); err != nil {
			return err
		}
		at := now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, error)
			VALUES ($1, $2, $3, $4, $5)`, a.DeliveryID, a.At.UTC().Truncate(time.Microsecond), a.StatusCode,
			a.Latency.Milliseconds(), a.Error); err != nil {
			return notFound(err, "delivery %d", a.DeliveryID)
		}
		if a.State != nil {
			if err := savePlacement(ctx, tx, a.DeliveryID, a.State); err != nil {
				return err
			}
		}
		if err := freePlacement(ctx, tx, a.DeliveryID); err != nil {
			return err
		}
		state := outcome.State()
		finished := sql.NullTime{Time: at, Valid: state != publish.DeliveryPending}
		var releaseID, subscriberID int64
		err := tx.QueryRowContext(ctx, `UPDATE deliveries SET state = $2, finished_at = $3, last_error = $4,
			attempts = attempts + 1 WHERE id = $1 AND state = $5 RETURNING release_id, subscriber_id`,
			a.DeliveryID, state, finished, a.Error, publish.DeliveryPending).Scan(&releaseID, &subscriberID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		case outcome == publish.OutcomeGone:
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET disabled_at = $2, disabled_reason = $3
				WHERE id = $1 AND disabled_at IS NULL`, subscriberID, at, publish.DisabledGone); err != nil {
				return err
			}
			if err := cancelDeliveries(ctx, tx, subscriberID, "subscriber disabled", at); err != nil {
				return err
			}
		}
		return settle(ctx, tx, at, []any{releaseID})
	})
	if err != nil {
		return fmt.Errorf("store: record attempt at delivery %d: %w", a.DeliveryID, err)
	}
	return nil
}

// Redeliver sends a delivery that is done (delivered or failed) again under the same
// webhook-id, with a fresh publish.DeliveryWindow; a pending one is returned as it is.
// tarjuma.ErrConflict when its subscriber is deleted or disabled or it was cancelled;
// tarjuma.ErrNotFound when it does not exist.
func (db *DB) Redeliver(ctx context.Context, id int64) (publish.Delivery, error) {
	var d publish.Delivery
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, `UPDATE deliveries SET state = $2, round = round + 1,
			give_up_at = $3, dispatched_at = NULL, finished_at = NULL
			WHERE id = $1 AND state IN ($4, $5) AND EXISTS (SELECT 1 FROM subscribers s
				WHERE s.id = deliveries.subscriber_id AND s.deleted_at IS NULL AND s.disabled_at IS NULL)
			RETURNING `+unqualified(deliveryColumns), id, publish.DeliveryPending, publish.GiveUpAt(at), publish.DeliveryDelivered, publish.DeliveryFailed))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if d, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = $1`, id)); err != nil {
			return notFound(err, "delivery %d", id)
		}
		if d.State != publish.DeliveryPending {
			return fmt.Errorf("delivery %d is %s or its subscriber is gone: %w", id, d.State, tarjuma.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return publish.Delivery{}, fmt.Errorf("store: redeliver %d: %w", id, err)
	}
	return d, nil
}

// Deliveries returns the deliveries of every release of a translation with their attempts,
// newest first. tarjuma.ErrNotFound when the translation does not exist.
func (db *DB) Deliveries(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]publish.DeliveryLog, error) {
	logs, err := func() ([]publish.DeliveryLog, error) {
		if _, err := translation(ctx, db.read, articleID, lang); err != nil {
			return nil, err
		}
		logs, err := queryAll(ctx, db.read, func(s scanner) (publish.DeliveryLog, error) {
			var l publish.DeliveryLog
			var err error
			l.Delivery, err = scanDeliveryWith(s, &l.SubscriberURL, &l.Version, &l.Event)
			return l, err
		}, `SELECT `+deliveryColumns+`, s.url, r.version, r.event
			FROM deliveries d JOIN releases r ON r.id = d.release_id JOIN subscribers s ON s.id = d.subscriber_id
			WHERE r.article_id = $1 AND r.lang = $2 ORDER BY d.id DESC`, articleID, lang)
		if err != nil || len(logs) == 0 {
			return []publish.DeliveryLog{}, err
		}
		byID := map[int64]*publish.DeliveryLog{}
		var p params
		ids := make([]any, len(logs))
		for i := range logs {
			byID[logs[i].ID], ids[i] = &logs[i], logs[i].ID
		}
		attempts, err := queryAll(ctx, db.read, func(s scanner) (publish.Attempt, error) {
			var a publish.Attempt
			var ms int64
			err := s.Scan(&a.DeliveryID, &a.At, &a.StatusCode, &ms, &a.Error)
			a.At, a.Latency = a.At.UTC(), time.Duration(ms)*time.Millisecond
			return a, err
		}, `SELECT delivery_id, attempted_at, status_code, latency_ms, error
			FROM delivery_attempts WHERE delivery_id IN (`+p.list(ids...)+`) ORDER BY id`, p...)
		if err != nil {
			return nil, err
		}
		for _, a := range attempts {
			byID[a.DeliveryID].Attempts = append(byID[a.DeliveryID].Attempts, a)
		}
		return logs, err
	}()
	if err != nil {
		return nil, fmt.Errorf("store: deliveries of %d/%s: %w", articleID, lang, err)
	}
	return logs, nil
}
