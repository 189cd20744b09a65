package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// queueDeliveries records the approval of version v by approvedBy at `at` as a release and
// writes its outbox rows, one delivery per subscriber whose languages include v's; with no such
// subscriber the translation is published at once. It runs in the approval's transaction, so
// an approval is never without its deliveries. Approving the same version again sends it to the
// subscribers that have not had it.
//
// A withdrawn article is refused with ErrWithdrawn: checked here, in the approval's
// transaction, so no approval slips in beside a withdrawal.
func queueDeliveries(ctx context.Context, tx *sql.Tx, v tarjuma.Version, approvedBy string, at time.Time) error {
	// The no-op update locks the article's row, so an approval and a withdrawal take turns.
	var withdrawn bool
	var embargo sql.NullTime
	if err := tx.QueryRowContext(ctx, `UPDATE articles SET withdrawn_at = withdrawn_at WHERE id = $1
		RETURNING withdrawn_at IS NOT NULL, embargo_until`, v.ArticleID).Scan(&withdrawn, &embargo); err != nil {
		return fmt.Errorf("article %d: %w", v.ArticleID, err)
	}
	if withdrawn {
		return fmt.Errorf("article %d: %w", v.ArticleID, ErrWithdrawn)
	}
	event := publish.EventPublished
	var earlier int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM releases WHERE article_id = $1 AND lang = $2
		AND version < $3 AND published_at IS NOT NULL AND event <> $4`, v.ArticleID, v.Lang, v.Number, publish.EventWithdrawn).Scan(&earlier); err != nil {
		return fmt.Errorf("earlier releases: %w", err)
	}
	if earlier > 0 {
		event = publish.EventUpdated
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO releases (article_id, lang, version, event, approved_by, approved_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (article_id, lang, version) WHERE event <> 'translation.withdrawn' DO UPDATE SET approved_by = excluded.approved_by, approved_at = excluded.approved_at
		RETURNING id`, v.ArticleID, v.Lang, v.Number, event, approvedBy, at).Scan(&id)
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	// Languages are stored comma-separated; wrapping both sides in commas matches whole codes.
	// An embargoed delivery's window to succeed opens when the embargo ends, not before.
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (release_id, subscriber_id, state, give_up_at, created_at)
		SELECT $1, s.id, $2, $3, $4 FROM subscribers s
		WHERE s.deleted_at IS NULL AND s.disabled_at IS NULL AND ',' || s.langs || ',' LIKE $5
		AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.release_id = $1 AND d.subscriber_id = s.id AND d.state IN ($2, $6))
		ORDER BY s.id`, id, publish.DeliveryPending, publish.GiveUpAt(later(at, utcOrZero(embargo))), at, "%,"+string(v.Lang)+",%", publish.DeliveryDelivered); err != nil {
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
	p := params{at, publish.DeliveryPending, publish.DeliveryFailed}
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

const releaseColumns = `r.id, r.event, r.notice, COALESCE(a.external_id, ''), a.embargo_until, r.approved_by, r.approved_at, r.published_at,
	v.article_id, v.lang, v.number, v.segments, v.author, v.machine, v.source_revision, v.glossary_version, v.created_at`

const releaseFrom = ` FROM releases r JOIN articles a ON a.id = r.article_id
	JOIN versions v ON v.article_id = r.article_id AND v.lang = r.lang AND v.number = r.version`

func scanRelease(s scanner) (publish.Release, error) {
	var r publish.Release
	var published, embargo sql.NullTime
	var segments string
	v := &r.Version
	err := s.Scan(&r.ID, &r.Event, &r.Notice, &r.ExternalID, &embargo, &r.ApprovedBy, &r.ApprovedAt, &published,
		&v.ArticleID, &v.Lang, &v.Number, &segments, &v.Author, &v.Machine, &v.SourceRevision, &v.GlossaryVersion, &v.CreatedAt)
	if err != nil {
		return publish.Release{}, err
	}
	if v.Segments, err = decodeSegments(segments); err != nil {
		return publish.Release{}, fmt.Errorf("release %d segments: %w", r.ID, err)
	}
	r.ApprovedAt, r.PublishedAt, v.CreatedAt = r.ApprovedAt.UTC(), utcOrZero(published), v.CreatedAt.UTC()
	r.EmbargoedUntil = utcOrZero(embargo)
	return r, nil
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
func (db *DB) ListPublished(ctx context.Context, f PublishedFilter) ([]publish.Release, error) {
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
// lang, most recently published first: the entries of a feed. Withdrawn articles are left
// out, and embargoed ones until their embargo ends (at `at`, the caller's clock).
func (db *DB) LatestPublished(ctx context.Context, lang tarjuma.Lang, limit int, at time.Time) ([]publish.Release, error) {
	return db.releases(ctx, "latest published", `SELECT `+releaseColumns+releaseFrom+`
		WHERE r.lang = $1 AND r.published_at IS NOT NULL AND r.event <> $3
		AND a.withdrawn_at IS NULL AND (a.embargo_until IS NULL OR a.embargo_until <= $4)
		AND NOT EXISTS (SELECT 1 FROM releases n
			WHERE n.article_id = r.article_id AND n.lang = r.lang AND n.version > r.version AND n.published_at IS NOT NULL)
		ORDER BY r.published_at DESC, r.id DESC LIMIT $2`, params{lang, limit, publish.EventWithdrawn, at.UTC()})
}

func (db *DB) releases(ctx context.Context, what, query string, p params) ([]publish.Release, error) {
	rs, err := queryAll(ctx, db.read, scanRelease, query, p...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return rs, nil
}

// ErrWithdrawn refuses an approval of a withdrawn article: what was taken down everywhere
// must not go out again. It is a tarjuma.ErrConflict.
var ErrWithdrawn = fmt.Errorf("the article was withdrawn: %w", tarjuma.ErrConflict)

// Withdrawal is an article taken down everywhere: who did it, when and why.
type Withdrawal struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Withdraw records the withdrawal of an article and, in the same transaction, takes it down
// everywhere it went: for each language that was released, deliveries still pending or failed
// are cancelled (the story must not arrive now), and a release of event
// publish.EventWithdrawn, carrying notices[lang] for the readers, is queued with one delivery
// per active subscriber that may hold that language; with none it is published at once.
//
// A subscriber may hold it when a delivery of it was acknowledged, or was attempted at all (a
// receiver may have taken a story whose answer timed out; a WordPress site may have saved a post
// before failing), or when its channel has a placement of it: what a connector left there, or
// the lease of a delivery in flight now (LeasePlacement). That last one is cancelled here, yet
// its receiver may still acknowledge it; its withdrawal waits on the lease and follows it. A
// delivery never attempted and not in flight cannot be sent any more, and gets no withdrawal.
// Withdrawing a withdrawn article changes and queues nothing: it returns the first
// withdrawal with created false. tarjuma.ErrNotFound when the article does not exist.
func (db *DB) Withdraw(ctx context.Context, articleID int64, by, reason string, notices map[tarjuma.Lang]string) (w Withdrawal, created bool, err error) {
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, `UPDATE articles SET withdrawn_at = $2, withdrawn_by = $3, withdrawn_reason = $4
			WHERE id = $1 AND withdrawn_at IS NULL`, articleID, at, by, reason)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				w, err = withdrawal(ctx, tx, articleID)
			}
			return err
		}
		w, created = Withdrawal{By: by, At: at, Reason: reason}, true
		type released struct {
			lang    tarjuma.Lang
			version int
		}
		langs, err := queryAll(ctx, tx, func(s scanner) (released, error) {
			var r released
			return r, s.Scan(&r.lang, &r.version)
		}, `SELECT lang, MAX(version) FROM releases WHERE article_id = $1 AND event <> $2
			GROUP BY lang ORDER BY lang`, articleID, publish.EventWithdrawn)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = $1, finished_at = $2, last_error = $3
			WHERE state IN ($4, $5) AND release_id IN (SELECT id FROM releases WHERE article_id = $6)`,
			publish.DeliveryCancelled, at, "article withdrawn", publish.DeliveryPending, publish.DeliveryFailed, articleID); err != nil {
			return err
		}
		var ids []any
		for _, l := range langs {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO releases (article_id, lang, version, event, approved_by, approved_at, notice)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				articleID, l.lang, l.version, publish.EventWithdrawn, by, at, notices[l.lang]).Scan(&id); err != nil {
				return fmt.Errorf("withdrawal release: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (release_id, subscriber_id, state, give_up_at, created_at)
				SELECT $1, s.id, $2, $3, $4 FROM subscribers s
				WHERE s.deleted_at IS NULL AND s.disabled_at IS NULL AND (EXISTS (SELECT 1 FROM deliveries d
					JOIN releases r ON r.id = d.release_id
					WHERE d.subscriber_id = s.id AND (d.state = $5 OR d.attempts > 0) AND r.article_id = $6 AND r.lang = $7 AND r.event <> $8)
				OR EXISTS (SELECT 1 FROM channel_placements p WHERE p.subscriber_id = s.id AND p.article_id = $6 AND p.lang = $7))
				ORDER BY s.id`, id, publish.DeliveryPending, at.Add(publish.WithdrawalWindow), at,
				publish.DeliveryDelivered, articleID, l.lang, publish.EventWithdrawn); err != nil {
				return fmt.Errorf("withdrawal deliveries: %w", err)
			}
			ids = append(ids, id)
		}
		return settle(ctx, tx, at, ids)
	})
	if err != nil {
		return Withdrawal{}, false, fmt.Errorf("store: withdraw article %d: %w", articleID, err)
	}
	return w, created, nil
}

// Withdrawn returns the article's withdrawal, nil when it was not withdrawn, or
// tarjuma.ErrNotFound.
func (db *DB) Withdrawn(ctx context.Context, articleID int64) (*Withdrawal, error) {
	w, err := withdrawal(ctx, db.read, articleID)
	switch {
	case errors.Is(err, errNotWithdrawn):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("store: %w", err)
	}
	return &w, nil
}

var errNotWithdrawn = errors.New("not withdrawn")

func withdrawal(ctx context.Context, q querier, articleID int64) (Withdrawal, error) {
	var w Withdrawal
	var at sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT withdrawn_by, withdrawn_at, withdrawn_reason FROM articles WHERE id = $1`,
		articleID).Scan(&w.By, &at, &w.Reason)
	if err != nil {
		return Withdrawal{}, notFound(err, "article %d", articleID)
	}
	if !at.Valid {
		return Withdrawal{}, errNotWithdrawn
	}
	w.At = at.Time.UTC()
	return w, nil
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
