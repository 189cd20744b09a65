package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tarjuma/tarjuma"
)

// Usage is what was sent to one MT engine for one article's translation into one language, over
// all runs: the desk's MT cost per article.
type Usage struct {
	Lang       tarjuma.Lang
	Provider   string
	Characters int64 // code points, which is what engines bill
	Requests   int64
}

// RecordUsage adds what was sent to an engine, one request as translate records it, to the
// article's usage. The add is one statement, so concurrent requests of an article all count.
// Its arguments are plain values so that *DB serves as a translate.UsageRecorder.
func (db *DB) RecordUsage(ctx context.Context, articleID int64, lang tarjuma.Lang, provider string, characters, requests int) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO mt_usage (article_id, lang, provider, characters, requests, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (article_id, lang, provider) DO UPDATE SET
			characters = mt_usage.characters + excluded.characters,
			requests = mt_usage.requests + excluded.requests,
			updated_at = excluded.updated_at`,
		articleID, lang, provider, characters, requests, now())
	if err != nil {
		return fmt.Errorf("store: record mt usage of article %d/%s by %s: %w", articleID, lang, provider, err)
	}
	return nil
}

// ArticleUsage returns the article's usage by language, then engine; empty when nothing was
// sent to an engine, tarjuma.ErrNotFound when the article does not exist.
func (db *DB) ArticleUsage(ctx context.Context, articleID int64) ([]Usage, error) {
	// The outer join tells an article without usage (one row of NULLs) from no article (no row).
	all, err := queryAll(ctx, db.read, func(s scanner) (sql.Null[Usage], error) {
		var lang, provider sql.NullString
		var chars, requests sql.NullInt64
		err := s.Scan(&lang, &provider, &chars, &requests)
		return sql.Null[Usage]{V: Usage{tarjuma.Lang(lang.String), provider.String, chars.Int64, requests.Int64}, Valid: lang.Valid}, err
	}, `SELECT u.lang, u.provider, u.characters, u.requests
		FROM articles a LEFT JOIN mt_usage u ON u.article_id = a.id
		WHERE a.id = $1 ORDER BY u.lang, u.provider`, articleID)
	if err != nil {
		return nil, fmt.Errorf("store: mt usage of article %d: %w", articleID, err)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("store: mt usage of article %d: %w", articleID, tarjuma.ErrNotFound)
	}
	usage := []Usage{}
	for _, u := range all {
		if u.Valid {
			usage = append(usage, u.V)
		}
	}
	return usage, nil
}
