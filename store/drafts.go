package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Draft is a segment's text as a person typed it and has not yet saved as a version (the desk
// autosaves it as she types), with the version she edited it from.
type Draft struct {
	SegmentID   string
	Text        string
	BaseVersion int
	UpdatedAt   time.Time
}

// PutDraft keeps d as user's draft of a segment of a translation, replacing the one before.
// The translation must exist (tarjuma.ErrNotFound otherwise); whether the segment does is the
// desk's to check.
func (db *DB) PutDraft(ctx context.Context, userID, articleID int64, lang tarjuma.Lang, d Draft) (Draft, error) {
	d.UpdatedAt = now()
	res, err := db.write.ExecContext(ctx, `INSERT INTO drafts (user_id, article_id, lang, segment, text, base_version, updated_at)
		SELECT $1, article_id, lang, $4, $5, $6, $7 FROM translations WHERE article_id = $2 AND lang = $3
		ON CONFLICT (user_id, article_id, lang, segment) DO UPDATE
		SET text = excluded.text, base_version = excluded.base_version, updated_at = excluded.updated_at`,
		userID, articleID, lang, d.SegmentID, d.Text, d.BaseVersion, d.UpdatedAt)
	if err == nil {
		if k, rerr := res.RowsAffected(); rerr == nil && k == 0 {
			err = fmt.Errorf("translation %d/%s: %w", articleID, lang, tarjuma.ErrNotFound)
		}
	}
	if err != nil {
		return Draft{}, fmt.Errorf("store: draft of segment %q of %d/%s: %w", d.SegmentID, articleID, lang, err)
	}
	return d, nil
}

// Drafts returns user's drafts of a translation, by segment id.
func (db *DB) Drafts(ctx context.Context, userID, articleID int64, lang tarjuma.Lang) (map[string]Draft, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT segment, text, base_version, updated_at FROM drafts
		WHERE user_id = $1 AND article_id = $2 AND lang = $3`, userID, articleID, lang)
	if err != nil {
		return nil, fmt.Errorf("store: drafts of %d/%s: %w", articleID, lang, err)
	}
	defer rows.Close()
	out := map[string]Draft{}
	for rows.Next() {
		var d Draft
		if err := rows.Scan(&d.SegmentID, &d.Text, &d.BaseVersion, &d.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: drafts of %d/%s: %w", articleID, lang, err)
		}
		d.UpdatedAt = d.UpdatedAt.UTC()
		out[d.SegmentID] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: drafts of %d/%s: %w", articleID, lang, err)
	}
	return out, nil
}

// DeleteDrafts removes user's drafts of the given segments of a translation, once they are
// saved; no segments removes all of the translation's. A draft that is gone is no error.
func (db *DB) DeleteDrafts(ctx context.Context, userID, articleID int64, lang tarjuma.Lang, segments ...string) error {
	q := `DELETE FROM drafts WHERE user_id = $1 AND article_id = $2 AND lang = $3`
	args := []any{userID, articleID, lang}
	if len(segments) > 0 {
		q += ` AND segment IN (`
		for i, s := range segments {
			if i > 0 {
				q += ", "
			}
			args = append(args, s)
			q += fmt.Sprintf("$%d", len(args))
		}
		q += `)`
	}
	if _, err := db.write.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: delete drafts of %d/%s: %w", articleID, lang, err)
	}
	return nil
}
