package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// The events a delivery announces: the first publication of a translation, or a newer approved
// version of one already published.
const (
	EventPublished = "translation.published"
	EventUpdated   = "translation.updated"
)

// DeliveryWindow is how long a delivery is tried before it is marked failed, counted from its
// creation or its last redelivery.
const DeliveryWindow = 24 * time.Hour

// DeliveryState is where one delivery of a release to one subscriber stands.
type DeliveryState string

// The delivery states. Pending deliveries are in the outbox or being retried; cancelled ones
// were for a subscriber that was deleted or answered 410 Gone.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliveryDelivered DeliveryState = "delivered"
	DeliveryFailed    DeliveryState = "failed"
	DeliveryCancelled DeliveryState = "cancelled"
)

// NewSubscriber is a receiver of webhooks as an admin registered it. Secret is the signing
// secret the caller generated ("whsec_…").
type NewSubscriber struct {
	URL         string
	Langs       []tarjuma.Lang
	Description string
	Secret      string
	CreatedBy   string
}

// Subscriber is a receiver of webhooks. Its secrets are here only so the worker can sign; the
// API never shows them after creation or rotation.
type Subscriber struct {
	ID             int64
	URL            string
	Langs          []tarjuma.Lang
	Description    string
	Secret         string
	PreviousSecret string    // signs beside Secret until PreviousUntil, after a rotation
	PreviousUntil  time.Time // zero when there is no previous secret
	DisabledAt     time.Time // zero while enabled; set when the receiver answered 410 Gone
	DisabledReason string
	CreatedBy      string
	CreatedAt      time.Time
}

// SigningSecrets returns the secrets that sign a delivery sent at t: the current one, and the
// previous one during its grace period, so a receiver can switch secrets without losing any.
func (s Subscriber) SigningSecrets(t time.Time) []string {
	secrets := []string{s.Secret}
	if s.PreviousSecret != "" && t.Before(s.PreviousUntil) {
		secrets = append(secrets, s.PreviousSecret)
	}
	return secrets
}

// Release is one approved version of a translation with what receivers need of it.
// PublishedAt is zero until every subscriber for its language has acknowledged it.
type Release struct {
	ID          int64
	Event       string // EventPublished or EventUpdated
	ExternalID  string // the article's
	Version     tarjuma.Version
	ApprovedBy  string
	ApprovedAt  time.Time
	PublishedAt time.Time
}

// Delivery is one release sent to one subscriber: an outbox row and the state of its sending.
// Its ID is the webhook-id receivers dedup on; Round grows with every redelivery.
type Delivery struct {
	ID           int64
	ReleaseID    int64
	SubscriberID int64
	State        DeliveryState
	Round        int
	AttemptCount int // attempts over all rounds
	GiveUpAt     time.Time
	CreatedAt    time.Time
	DispatchedAt time.Time // zero until handed to the queue
	FinishedAt   time.Time // zero while pending
	LastError    string
}

// Attempt is one try at sending a delivery. StatusCode is 0 when no response came.
type Attempt struct {
	DeliveryID int64
	At         time.Time
	StatusCode int
	Latency    time.Duration
	Error      string
}

// Outcome is what an attempt means for its delivery.
type Outcome int

// The outcomes of an attempt.
const (
	OutcomeRetry     Outcome = iota // failed; the delivery stays pending for another attempt
	OutcomeDelivered                // acknowledged with a 2xx
	OutcomeFailed                   // failed, and no attempt is left before the give-up time
	OutcomeGone                     // 410 Gone: the subscriber is disabled, its deliveries cancelled
)

// Outgoing is everything the worker needs to send one delivery.
type Outgoing struct {
	Delivery
	Subscriber Subscriber
	Release    Release
}

// DeliveryLog is a delivery with its attempts, for the desk to see.
type DeliveryLog struct {
	Delivery
	SubscriberURL string
	Version       int
	Event         string
	Attempts      []Attempt
}

const subscriberColumns = `s.id, s.url, s.langs, s.description, s.secret, s.previous_secret, s.previous_until,
	s.disabled_at, s.disabled_reason, s.created_by, s.created_at`

func scanSubscriber(sc scanner) (Subscriber, error) {
	var s Subscriber
	var langs string
	var until, disabled sql.NullTime
	err := sc.Scan(&s.ID, &s.URL, &langs, &s.Description, &s.Secret, &s.PreviousSecret, &until,
		&disabled, &s.DisabledReason, &s.CreatedBy, &s.CreatedAt)
	s.Langs = splitLangs(langs)
	s.PreviousUntil, s.DisabledAt, s.CreatedAt = utcOrZero(until), utcOrZero(disabled), s.CreatedAt.UTC()
	return s, err
}

func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// CreateSubscriber stores a new subscriber. It receives deliveries of translations approved
// from now on.
func (db *DB) CreateSubscriber(ctx context.Context, n NewSubscriber) (Subscriber, error) {
	if n.URL == "" || n.Secret == "" || len(n.Langs) == 0 {
		return Subscriber{}, fmt.Errorf("store: create subscriber: url, secret and languages are required: %w", tarjuma.ErrInvalid)
	}
	s := Subscriber{URL: n.URL, Langs: n.Langs, Description: n.Description, Secret: n.Secret, CreatedBy: n.CreatedBy, CreatedAt: now()}
	err := db.write.QueryRowContext(ctx, `INSERT INTO subscribers (url, langs, description, secret, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		n.URL, joinLangs(n.Langs), n.Description, n.Secret, n.CreatedBy, s.CreatedAt).Scan(&s.ID)
	if err != nil {
		return Subscriber{}, fmt.Errorf("store: create subscriber: %w", err)
	}
	return s, nil
}

// Subscribers returns the subscribers not deleted, disabled ones included, oldest first.
func (db *DB) Subscribers(ctx context.Context) ([]Subscriber, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.deleted_at IS NULL ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	subs, err := collect(rows, scanSubscriber)
	if err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	return subs, nil
}

// RotateSubscriberSecret makes secret the subscriber's signing secret; the one it replaces keeps
// signing beside it until previousUntil. A secret older than that is dropped at once.
// tarjuma.ErrNotFound when the subscriber does not exist or was deleted.
func (db *DB) RotateSubscriberSecret(ctx context.Context, id int64, secret string, previousUntil time.Time) (Subscriber, error) {
	s, err := scanSubscriber(db.write.QueryRowContext(ctx, `UPDATE subscribers
		SET previous_secret = secret, previous_until = $2, secret = $3
		WHERE id = $1 AND deleted_at IS NULL RETURNING `+unqualified(subscriberColumns), id, previousUntil.UTC().Truncate(time.Microsecond), secret))
	if err != nil {
		return Subscriber{}, fmt.Errorf("store: rotate secret of subscriber %d: %w", id, notFound(err, "subscriber %d", id))
	}
	return s, nil
}

// DeleteSubscriber removes a subscriber: it gets nothing more, its pending deliveries are
// cancelled, and releases that waited only for it become published. Its delivery log stays.
// tarjuma.ErrNotFound when it does not exist or was deleted already.
func (db *DB) DeleteSubscriber(ctx context.Context, id int64) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, `UPDATE subscribers SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL`, id, at)
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

// cancelDeliveries cancels the subscriber's pending deliveries and publishes the releases that
// were waiting only for it, its failed deliveries included.
func cancelDeliveries(ctx context.Context, tx *sql.Tx, subscriberID int64, reason string, at time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT release_id FROM deliveries
		WHERE subscriber_id = $1 AND state IN ($2, $3)`, subscriberID, DeliveryPending, DeliveryFailed)
	if err != nil {
		return err
	}
	releases, err := collect(rows, func(s scanner) (any, error) {
		var id int64
		err := s.Scan(&id)
		return id, err
	})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = $2, finished_at = $3, last_error = $4
		WHERE subscriber_id = $1 AND state = $5`, subscriberID, DeliveryCancelled, at, reason, DeliveryPending); err != nil {
		return err
	}
	return settle(ctx, tx, at, releases)
}

// queueDeliveries records the approval of version v by approvedBy at `at` as a release and
// writes its outbox rows, one delivery per subscriber whose languages include v's; with no such
// subscriber the translation is published at once. It runs in the approval's transaction, so
// an approval is never without its deliveries. Approving the same version again sends it to the
// subscribers that have not had it.
func queueDeliveries(ctx context.Context, tx *sql.Tx, v tarjuma.Version, approvedBy string, at time.Time) error {
	event := EventPublished
	var earlier int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM releases WHERE article_id = $1 AND lang = $2
		AND version < $3 AND published_at IS NOT NULL`, v.ArticleID, v.Lang, v.Number).Scan(&earlier); err != nil {
		return fmt.Errorf("earlier releases: %w", err)
	}
	if earlier > 0 {
		event = EventUpdated
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO releases (article_id, lang, version, event, approved_by, approved_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (article_id, lang, version) DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at
		RETURNING id`, v.ArticleID, v.Lang, v.Number, event, approvedBy, at).Scan(&id)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	// Languages are stored comma-separated; wrapping both sides in commas matches whole codes.
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (release_id, subscriber_id, state, give_up_at, created_at)
		SELECT $1, s.id, $2, $3, $4 FROM subscribers s
		WHERE s.deleted_at IS NULL AND s.disabled_at IS NULL AND ',' || s.langs || ',' LIKE $5
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.release_id = $1 AND d.subscriber_id = s.id AND d.state IN ($2, $6))
		ORDER BY s.id`, id, DeliveryPending, at.Add(DeliveryWindow), at, "%,"+string(v.Lang)+",%", DeliveryDelivered); err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	return settle(ctx, tx, at, []any{id})
}

// settle marks published the given releases that no delivery holds back any more (none pending
// or failed to a subscriber still active), and moves their translations from approved to
// published when the release is of the latest version.
func settle(ctx context.Context, tx *sql.Tx, at time.Time, releaseIDs []any) error {
	if len(releaseIDs) == 0 {
		return nil
	}
	p := params{at, DeliveryPending, DeliveryFailed}
	if _, err := tx.ExecContext(ctx, `UPDATE releases SET published_at = $1
		WHERE published_at IS NULL AND id IN (`+p.list(releaseIDs...)+`)
		AND NOT EXISTS (SELECT 1 FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.release_id = releases.id AND d.state IN ($2, $3)
			AND s.deleted_at IS NULL AND s.disabled_at IS NULL)`, p...); err != nil {
		return fmt.Errorf("publish releases: %w", err)
	}
	p = params{tarjuma.StatusPublished, at, tarjuma.StatusApproved}
	if _, err := tx.ExecContext(ctx, `UPDATE translations SET status = $1, updated_at = $2
		WHERE status = $3 AND EXISTS (SELECT 1 FROM releases r WHERE r.article_id = translations.article_id
			AND r.lang = translations.lang AND r.version = translations.latest_version
			AND r.published_at IS NOT NULL AND r.id IN (`+p.list(releaseIDs...)+`))`, p...); err != nil {
		return fmt.Errorf("publish translations: %w", err)
	}
	return nil
}

// unqualified drops the table alias from a column list, for RETURNING, where SQLite accepts
// no alias.
func unqualified(columns string) string {
	return strings.NewReplacer("d.", "", "s.", "").Replace(columns)
}

const deliveryColumns = `d.id, d.release_id, d.subscriber_id, d.state, d.round, d.attempts, d.give_up_at,
	d.created_at, d.dispatched_at, d.finished_at, d.last_error`

func scanDelivery(s scanner) (Delivery, error) { return scanDeliveryWith(s) }

// scanDeliveryWith scans deliveryColumns followed by extra destinations.
func scanDeliveryWith(s scanner, extra ...any) (Delivery, error) {
	var d Delivery
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
func (db *DB) DispatchDeliveries(ctx context.Context, limit int, redispatchBefore time.Time, enqueue func(Delivery) error) (int, error) {
	// The relay sweeps at every submission, and deliveries are rare beside them: one plain read
	// finds the outbox empty, where the locked batch cost a transaction (three round trips).
	// A delivery committed just after it was kicked for by its own commit's Dispatch.
	var pending bool
	if err := db.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM deliveries
		WHERE state = $1 AND (dispatched_at IS NULL OR dispatched_at < $2))`,
		DeliveryPending, redispatchBefore.UTC()).Scan(&pending); err != nil || !pending {
		if err != nil {
			err = fmt.Errorf("store: dispatch deliveries: %w", err)
		}
		return 0, err
	}
	n, err := dispatchOutbox(ctx, db, "deliveries", limit, `SELECT `+deliveryColumns+` FROM deliveries d
		WHERE d.state = $1 AND (d.dispatched_at IS NULL OR d.dispatched_at < $2)
		ORDER BY d.id LIMIT $3`, params{DeliveryPending, redispatchBefore.UTC(), limit},
		scanDelivery, func(d Delivery) int64 { return d.ID }, enqueue)
	if err != nil {
		return n, fmt.Errorf("store: dispatch deliveries: %w", err)
	}
	return n, nil
}

const releaseColumns = `r.id, r.event, COALESCE(a.external_id, ''), r.approved_by, r.approved_at, r.published_at,
	v.article_id, v.lang, v.number, v.segments, v.author, v.machine, v.source_revision, v.glossary_version, v.created_at`

const releaseFrom = ` FROM releases r JOIN articles a ON a.id = r.article_id
	JOIN versions v ON v.article_id = r.article_id AND v.lang = r.lang AND v.number = r.version`

func scanRelease(s scanner) (Release, error) {
	var r Release
	var published sql.NullTime
	var segments string
	v := &r.Version
	err := s.Scan(&r.ID, &r.Event, &r.ExternalID, &r.ApprovedBy, &r.ApprovedAt, &published,
		&v.ArticleID, &v.Lang, &v.Number, &segments, &v.Author, &v.Machine, &v.SourceRevision, &v.GlossaryVersion, &v.CreatedAt)
	if err != nil {
		return Release{}, err
	}
	if v.Segments, err = decodeSegments(segments); err != nil {
		return Release{}, fmt.Errorf("release %d segments: %w", r.ID, err)
	}
	r.ApprovedAt, r.PublishedAt, v.CreatedAt = r.ApprovedAt.UTC(), utcOrZero(published), v.CreatedAt.UTC()
	return r, nil
}

// Outgoing returns a delivery with its subscriber and release, or tarjuma.ErrNotFound.
func (db *DB) Outgoing(ctx context.Context, deliveryID int64) (Outgoing, error) {
	var o Outgoing
	var err error
	o.Delivery, err = scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = $1`, deliveryID))
	if err == nil {
		o.Subscriber, err = scanSubscriber(db.read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s WHERE s.id = $1`, o.SubscriberID))
	}
	if err == nil {
		o.Release, err = scanRelease(db.read.QueryRowContext(ctx, `SELECT `+releaseColumns+releaseFrom+` WHERE r.id = $1`, o.ReleaseID))
	}
	if err != nil {
		return Outgoing{}, fmt.Errorf("store: %w", notFound(err, "delivery %d", deliveryID))
	}
	return o, nil
}

// RecordAttempt logs an attempt at a pending delivery and applies its outcome: delivered (and
// the release published once nobody else is waited for), failed, still pending, or gone (the
// subscriber disabled and all its pending deliveries cancelled). An attempt at a delivery that
// is no longer pending is logged but changes nothing: a redelivery or a deletion overtook it.
func (db *DB) RecordAttempt(ctx context.Context, a Attempt, outcome Outcome) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms, error)
			VALUES ($1, $2, $3, $4, $5)`, a.DeliveryID, a.At.UTC().Truncate(time.Microsecond), a.StatusCode,
			a.Latency.Milliseconds(), a.Error); err != nil {
			return notFound(err, "delivery %d", a.DeliveryID)
		}
		state, finished := DeliveryPending, sql.NullTime{}
		switch outcome {
		case OutcomeDelivered:
			state, finished = DeliveryDelivered, sql.NullTime{Time: at, Valid: true}
		case OutcomeFailed:
			state, finished = DeliveryFailed, sql.NullTime{Time: at, Valid: true}
		case OutcomeGone:
			state, finished = DeliveryCancelled, sql.NullTime{Time: at, Valid: true}
		}
		var releaseID, subscriberID int64
		err := tx.QueryRowContext(ctx, `UPDATE deliveries SET state = $2, finished_at = $3, last_error = $4,
			attempts = attempts + 1 WHERE id = $1 AND state = $5 RETURNING release_id, subscriber_id`,
			a.DeliveryID, state, finished, a.Error, DeliveryPending).Scan(&releaseID, &subscriberID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		case outcome == OutcomeGone:
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET disabled_at = $2, disabled_reason = $3
				WHERE id = $1 AND disabled_at IS NULL`, subscriberID, at, "the receiver answered 410 Gone"); err != nil {
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
// webhook-id, with a fresh DeliveryWindow; a pending one is returned as it is.
// tarjuma.ErrConflict when its subscriber is deleted or disabled or it was cancelled;
// tarjuma.ErrNotFound when it does not exist.
func (db *DB) Redeliver(ctx context.Context, id int64) (Delivery, error) {
	var d Delivery
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, `UPDATE deliveries SET state = $2, round = round + 1,
			give_up_at = $3, dispatched_at = NULL, finished_at = NULL
			WHERE id = $1 AND state IN ($4, $5) AND EXISTS (SELECT 1 FROM subscribers s
				WHERE s.id = deliveries.subscriber_id AND s.deleted_at IS NULL AND s.disabled_at IS NULL)
			RETURNING `+unqualified(deliveryColumns), id, DeliveryPending, at.Add(DeliveryWindow), DeliveryDelivered, DeliveryFailed))
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if d, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = $1`, id)); err != nil {
			return notFound(err, "delivery %d", id)
		}
		if d.State != DeliveryPending {
			return fmt.Errorf("delivery %d is %s or its subscriber is gone: %w", id, d.State, tarjuma.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("store: redeliver %d: %w", id, err)
	}
	return d, nil
}

// Deliveries returns the deliveries of every release of a translation with their attempts,
// newest first. tarjuma.ErrNotFound when the translation does not exist.
func (db *DB) Deliveries(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]DeliveryLog, error) {
	logs, err := func() ([]DeliveryLog, error) {
		if _, err := translation(ctx, db.read, articleID, lang); err != nil {
			return nil, err
		}
		rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+`, s.url, r.version, r.event
			FROM deliveries d JOIN releases r ON r.id = d.release_id JOIN subscribers s ON s.id = d.subscriber_id
			WHERE r.article_id = $1 AND r.lang = $2 ORDER BY d.id DESC`, articleID, lang)
		if err != nil {
			return nil, err
		}
		logs, err := collect(rows, func(s scanner) (DeliveryLog, error) {
			var l DeliveryLog
			var err error
			l.Delivery, err = scanDeliveryWith(s, &l.SubscriberURL, &l.Version, &l.Event)
			return l, err
		})
		if err != nil || len(logs) == 0 {
			return []DeliveryLog{}, err
		}
		byID := map[int64]*DeliveryLog{}
		var p params
		ids := make([]any, len(logs))
		for i := range logs {
			byID[logs[i].ID], ids[i] = &logs[i], logs[i].ID
		}
		rows, err = db.read.QueryContext(ctx, `SELECT delivery_id, attempted_at, status_code, latency_ms, error
			FROM delivery_attempts WHERE delivery_id IN (`+p.list(ids...)+`) ORDER BY id`, p...)
		if err != nil {
			return nil, err
		}
		attempts, err := collect(rows, func(s scanner) (Attempt, error) {
			var a Attempt
			var ms int64
			err := s.Scan(&a.DeliveryID, &a.At, &a.StatusCode, &ms, &a.Error)
			a.At, a.Latency = a.At.UTC(), time.Duration(ms)*time.Millisecond
			return a, err
		})
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

// PublishedFilter selects a page of ListPublished: releases of Lang (all languages when empty)
// published at or after Since, after the cursor (After, AfterID) of the previous page.
type PublishedFilter struct {
	Lang    tarjuma.Lang
	Since   time.Time
	After   time.Time
	AfterID int64
	Limit   int
}

// ListPublished returns published releases oldest first, for systems that poll for changes;
// every published version is one item, its Event saying whether it was the first.
func (db *DB) ListPublished(ctx context.Context, f PublishedFilter) ([]Release, error) {
	var p params
	where := []string{"r.published_at IS NOT NULL"}
	if f.Lang != "" {
		where = append(where, "r.lang = "+p.add(f.Lang))
	}
	if !f.Since.IsZero() {
		where = append(where, "r.published_at >= "+p.add(f.Since.UTC()))
	}
	if f.AfterID > 0 {
		after := p.add(f.After.UTC())
		where = append(where, "(r.published_at > "+after+" OR (r.published_at = "+after+" AND r.id > "+p.add(f.AfterID)+"))")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	return db.releases(ctx, "list published", `SELECT `+releaseColumns+releaseFrom+` WHERE `+strings.Join(where, " AND ")+`
		ORDER BY r.published_at, r.id LIMIT `+p.add(limit), p)
}

// LatestPublished returns the newest published version of up to limit translations into
// lang, most recently published first: the entries of a feed.
func (db *DB) LatestPublished(ctx context.Context, lang tarjuma.Lang, limit int) ([]Release, error) {
	return db.releases(ctx, "latest published", `SELECT `+releaseColumns+releaseFrom+`
		WHERE r.lang = $1 AND r.published_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM releases n
			WHERE n.article_id = r.article_id AND n.lang = r.lang AND n.version > r.version AND n.published_at IS NOT NULL)
		ORDER BY r.published_at DESC, r.id DESC LIMIT $2`, params{lang, limit})
}

func (db *DB) releases(ctx context.Context, what, query string, p params) ([]Release, error) {
	rows, err := db.read.QueryContext(ctx, query, p...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	rs, err := collect(rows, scanRelease)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return rs, nil
}
