package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tarjuma/tarjuma"
)

// VersionDismissal is a dismissal with the version it belongs to, for the history.
type VersionDismissal struct {
	Version int
	tarjuma.Dismissal
}

// DismissFlag records d against flag d.Flag of segment d.SegmentID in version n of a
// translation, which must be the latest (tarjuma.ErrConflict otherwise: a dismissal is made on
// what the person sees) and must carry that flag (tarjuma.ErrNotFound otherwise). A flag
// already dismissed in the version is tarjuma.ErrConflict. It returns d as stored, At set.
func (db *DB) DismissFlag(ctx context.Context, articleID int64, lang tarjuma.Lang, n int, d tarjuma.Dismissal) (tarjuma.Dismissal, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		t, err := db.lockTranslation(ctx, tx, articleID, lang)
		switch {
		case err != nil:
			return err
		case n < 1 || n > t.LatestVersion:
			return fmt.Errorf("version %d: %w", n, tarjuma.ErrNotFound)
		case n != t.LatestVersion:
			return fmt.Errorf("version %d is not the latest, %d: %w", n, t.LatestVersion, tarjuma.ErrConflict)
		}
		v, err := versionIn(ctx, tx, articleID, lang, n)
		if err != nil {
			return err
		}
		k := slices.IndexFunc(v.Segments, func(s tarjuma.Segment) bool { return s.ID == d.SegmentID })
		if k < 0 || !slices.ContainsFunc(v.Segments[k].Flags, func(f tarjuma.Flag) bool { return d.Dismisses(d.SegmentID, f) }) {
			return fmt.Errorf("flag %s %q of segment %q: %w", d.Flag.Kind, d.Flag.Args, d.SegmentID, tarjuma.ErrNotFound)
		}
		d.At = now()
		return insertDismissal(ctx, tx, articleID, lang, n, d)
	})
	if err != nil {
		return tarjuma.Dismissal{}, fmt.Errorf("store: dismiss flag of %d/%s version %d: %w", articleID, lang, n, err)
	}
	return d, nil
}

func insertDismissal(ctx context.Context, tx *sql.Tx, articleID int64, lang tarjuma.Lang, n int, d tarjuma.Dismissal) error {
	args, err := json.Marshal(append([]string{}, d.Flag.Args...))
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO flag_dismissals (article_id, lang, version, segment, kind, args, reason, actor, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
		articleID, lang, n, d.SegmentID, d.Flag.Kind, string(args), d.Reason, d.By, d.At)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return errors.Join(err, fmt.Errorf("flag %s of segment %q is already dismissed: %w", d.Flag.Kind, d.SegmentID, tarjuma.ErrConflict))
	}
	return nil
}

// carryDismissals copies base's dismissals to next wherever the segment's text is unchanged and
// still raises the flag: the person's judgement holds for the same text, and only for it.
func carryDismissals(ctx context.Context, tx *sql.Tx, base, next tarjuma.Version) error {
	ds, err := versionDismissals(ctx, tx, base.ArticleID, base.Lang, base.Number)
	if err != nil {
		return err
	}
	texts := make(map[string]string, len(base.Segments))
	for _, s := range base.Segments {
		texts[s.ID] = s.Text
	}
	for _, d := range ds {
		for _, s := range next.Segments {
			if s.ID != d.SegmentID || texts[s.ID] != s.Text || !slices.ContainsFunc(s.Flags, func(f tarjuma.Flag) bool { return d.Dismisses(s.ID, f) }) {
				continue
			}
			if err := insertDismissal(ctx, tx, next.ArticleID, next.Lang, next.Number, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// Dismissals returns the dismissed flags of every version of a translation, by version and
// then in the order they were dismissed, for the history.
func (db *DB) Dismissals(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]VersionDismissal, error) {
	ds, err := dismissals(ctx, db.read, articleID, lang, 0)
	if err != nil {
		return nil, fmt.Errorf("store: dismissals of %d/%s: %w", articleID, lang, err)
	}
	return ds, nil
}

// VersionDismissals returns the dismissed flags of version n of a translation.
func (db *DB) VersionDismissals(ctx context.Context, articleID int64, lang tarjuma.Lang, n int) ([]tarjuma.Dismissal, error) {
	ds, err := versionDismissals(ctx, db.read, articleID, lang, n)
	if err != nil {
		return nil, fmt.Errorf("store: dismissals of %d/%s version %d: %w", articleID, lang, n, err)
	}
	return ds, nil
}

func versionDismissals(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang, n int) ([]tarjuma.Dismissal, error) {
	ds, err := dismissals(ctx, q, articleID, lang, n)
	out := make([]tarjuma.Dismissal, len(ds))
	for i, d := range ds {
		out[i] = d.Dismissal
	}
	return out, err
}

// dismissals reads the dismissals of version n, or of every version when n is 0.
func dismissals(ctx context.Context, q querier, articleID int64, lang tarjuma.Lang, n int) ([]VersionDismissal, error) {
	return queryAll(ctx, q, func(s scanner) (VersionDismissal, error) {
		var d VersionDismissal
		var args string
		if err := s.Scan(&d.Version, &d.SegmentID, &d.Flag.Kind, &args, &d.Reason, &d.By, &d.At); err != nil {
			return d, err
		}
		d.At = d.At.UTC()
		if err := json.Unmarshal([]byte(args), &d.Flag.Args); err != nil {
			return d, fmt.Errorf("dismissal args: %w", err)
		}
		return d, nil
	}, `SELECT version, segment, kind, args, reason, actor, created_at FROM flag_dismissals
		WHERE article_id = $1 AND lang = $2 AND (version = $3 OR $3 = 0) ORDER BY version, id`, articleID, lang, n)
}
