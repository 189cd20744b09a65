package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"

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
//
// committing (nil: none) is called once the record can only be lost with the database itself,
// and the caller sends the engine request from there: the record and the request cannot be
// made atomic, so what matters is how long a process killed between them takes to cross. On
// PostgreSQL that is as the COMMIT leaves, before its answer: waiting for the answer would
// add the time the Go runtime takes to notice it, up to milliseconds on a busy worker, in
// which a kill counts a request never sent. A COMMIT that then fails leaves the request sent
// and not counted, and RecordUsage returns the error. On SQLite, in process, it is once
// committed.
func (db *DB) RecordUsage(ctx context.Context, articleID int64, lang tarjuma.Lang, provider string, characters, requests int, committing func()) error {
	if committing == nil {
		committing = func() {}
	}
	args := []any{articleID, lang, provider, characters, requests, now()}
	var err error
	if db.dialect == postgres {
		err = db.recordUsagePostgres(ctx, args, committing)
	} else if _, err = db.write.ExecContext(ctx, addUsage, args...); err == nil {
		committing()
	}
	if err != nil {
		return fmt.Errorf("store: record mt usage of article %d/%s by %s: %w", articleID, lang, provider, err)
	}
	return nil
}

const addUsage = `INSERT INTO mt_usage (article_id, lang, provider, characters, requests, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6)
	ON CONFLICT (article_id, lang, provider) DO UPDATE SET
		characters = mt_usage.characters + excluded.characters,
		requests = mt_usage.requests + excluded.requests,
		updated_at = excluded.updated_at`

// recordUsagePostgres adds the usage in a transaction on one connection driven through pgx's
// own protocol layer, which can send the COMMIT and call committing before reading its answer.
func (db *DB) recordUsagePostgres(ctx context.Context, args []any, committing func()) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c := driverConn.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, addUsage, args...); err != nil {
			tx.Rollback(ctx)
			return err
		}
		// Exec writes the COMMIT out before it returns; its answer is read below.
		commit := c.PgConn().Exec(ctx, "COMMIT")
		committing()
		results, err := commit.ReadAll()
		if err == nil && (len(results) != 1 || results[0].CommandTag.String() != "COMMIT") {
			err = fmt.Errorf("commit answered %v", results)
		}
		return err
	})
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
