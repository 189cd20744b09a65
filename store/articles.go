package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// NewArticle is a submission as the API accepted it.
type NewArticle struct {
	ExternalID     string // optional; a second submission with the same one returns the first
	IdempotencyKey string // optional; same contract as ExternalID
	RequestHash    string // fingerprint of the request body, compared when IdempotencyKey repeats
	Title          string
	Body           string
	TargetLangs    []tarjuma.Lang
	Priority       tarjuma.Priority
	Author         string
	// EmbargoUntil, when set, holds every channel back until then (see Embargo).
	EmbargoUntil time.Time
}

// An article is read with the title and body of its latest source revision.
const (
	articleColumns = `a.id, COALESCE(a.external_id, ''), a.revision, r.title, r.body, a.target_langs,
		a.priority, a.created_by, a.created_at, a.updated_at, a.embargo_until`
	articleFrom = ` FROM articles a JOIN source_revisions r ON r.article_id = a.id AND r.number = a.revision`
)

func scanArticle(s scanner) (tarjuma.Article, error) {
	var a tarjuma.Article
	var langs string
	var embargo sql.NullTime
	err := s.Scan(&a.ID, &a.ExternalID, &a.Revision, &a.Title, &a.Body, &langs,
		&a.Priority, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt, &embargo)
	if err != nil {
		return tarjuma.Article{}, err
	}
	a.EmbargoUntil = utcOrZero(embargo)
	for _, l := range strings.Split(langs, ",") {
		a.TargetLangs = append(a.TargetLangs, tarjuma.Lang(l))
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, nil
}

func loadArticle(ctx context.Context, q querier, id int64) (tarjuma.Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleColumns+articleFrom+` WHERE a.id = $1`, id))
	return a, notFound(err, "article %d", id)
}

// CreateArticle stores the article, its source revision 1, one queued translation per target
// language and one outbox job per translation, atomically. When ExternalID or IdempotencyKey
// already names an article it stores nothing and returns that article with created false; a
// repeated IdempotencyKey with a different RequestHash is tarjuma.ErrIdempotencyMismatch.
func (db *DB) CreateArticle(ctx context.Context, a NewArticle) (tarjuma.Article, bool, error) {
	if len(a.TargetLangs) == 0 {
		return tarjuma.Article{}, false, fmt.Errorf("store: create article: no target language: %w", tarjuma.ErrInvalid)
	}
	insert := db.insertArticleStatement
	if db.dialect.name == sqlite.name {
		// Replays are common (retrying clients, feeds resent): answer them without taking
		// SQLite's only write lock. On PostgreSQL the insert's conflict answers them.
		article, err := existingArticle(ctx, db.read, a)
		if !errors.Is(err, tarjuma.ErrNotFound) {
			return article, false, wrapCreate(err)
		}
		insert = db.insertArticleTx
	}
	at := now()
	id, err := insert(ctx, a, at)
	if err != nil {
		return tarjuma.Article{}, false, wrapCreate(err)
	}
	if id == 0 {
		article, err := existingArticle(ctx, db.read, a)
		return article, false, wrapCreate(err)
	}
	// Everything read back would be what was just written (the embargo to the column's microsecond).
	var embargo time.Time
	if !a.EmbargoUntil.IsZero() {
		embargo = a.EmbargoUntil.UTC().Truncate(time.Microsecond)
	}
	return tarjuma.Article{ID: id, ExternalID: a.ExternalID, Revision: 1, Title: a.Title, Body: a.Body,
		TargetLangs: slices.Clone(a.TargetLangs), Priority: a.Priority, CreatedBy: a.Author, CreatedAt: at, UpdatedAt: at,
		EmbargoUntil: embargo}, true, nil
}

// CreatedTranslations returns the translations CreateArticle stored with a new article a, as they
// were when it committed: one queued translation of revision 1 per target language, in order.
// The API answers a submission with them instead of reading back what it just wrote.
func CreatedTranslations(a tarjuma.Article) []tarjuma.Translation {
	ts := make([]tarjuma.Translation, len(a.TargetLangs))
	for i, lang := range a.TargetLangs {
		ts[i] = tarjuma.Translation{ArticleID: a.ID, Lang: lang, Status: tarjuma.StatusQueued, SourceRevision: 1, UpdatedAt: a.CreatedAt}
	}
	return ts
}

// insertArticle inserts the row of a new article and returns its id, or inserts nothing and
// returns no row when its external id or idempotency key is taken: DO NOTHING rather than a
// unique-violation error, so that a concurrent submission of the same article is answered with
// the one stored. Its parameters are articleParams.
const insertArticle = `INSERT INTO articles (external_id, idempotency_key, request_hash,
	revision, target_langs, priority, created_by, created_at, updated_at, embargo_until)
	VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $7, $8) ON CONFLICT DO NOTHING RETURNING id`

func articleParams(a NewArticle, at time.Time) params {
	langs := make([]string, len(a.TargetLangs))
	for i, l := range a.TargetLangs {
		langs[i] = string(l)
	}
	return params{optional(a.ExternalID), optional(a.IdempotencyKey), a.RequestHash,
		strings.Join(langs, ","), a.Priority, a.Author, at, sql.NullTime{Time: a.EmbargoUntil.UTC(), Valid: !a.EmbargoUntil.IsZero()}}
}

// insertArticleStatement is CreateArticle's write on PostgreSQL in one statement, one round trip
// instead of seven (BEGIN, five inserts, COMMIT); the foreign keys are checked at its end. It
// returns the new id, or 0 when the article exists.
func (db *DB) insertArticleStatement(ctx context.Context, a NewArticle, at time.Time) (int64, error) {
	p := articleParams(a, at)
	title, body, queued := p.add(a.Title), p.add(a.Body), p.add(tarjuma.StatusQueued)
	langs := make([]string, len(a.TargetLangs))
	for i, lang := range a.TargetLangs {
		langs[i] = "(" + p.add(lang) + ", " + strconv.Itoa(i) + ")"
	}
	var id int64
	err := db.write.QueryRowContext(ctx, `WITH a AS (`+insertArticle+`),
		r AS (INSERT INTO source_revisions (article_id, number, title, body, author, created_at)
			SELECT id, 1, `+title+`, `+body+`, $6, $7 FROM a),
		l (lang, position) AS (VALUES `+strings.Join(langs, ", ")+`),
		t AS (INSERT INTO translations (article_id, lang, position, status, source_revision, updated_at)
			SELECT a.id, l.lang, l.position, `+queued+`, 1, $7 FROM a, l),
		j AS (INSERT INTO jobs (article_id, lang, source_revision, priority, created_at)
			SELECT a.id, l.lang, 1, $5, $7 FROM a, l ORDER BY l.position)
		SELECT id FROM a`, p...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// insertArticleTx is CreateArticle's write on SQLite, whose statements cost no round trip and
// which has no INSERT inside WITH. It returns the new id, or 0 when the article exists.
func (db *DB) insertArticleTx(ctx context.Context, a NewArticle, at time.Time) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, insertArticle, articleParams(a, at)...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := insertRevision(ctx, tx, id, 1, a.Title, a.Body, a.Author, at); err != nil {
			return err
		}
		p := params{id, tarjuma.StatusQueued, at}
		rows := make([]string, len(a.TargetLangs))
		for i, lang := range a.TargetLangs {
			rows[i] = "($1, " + p.add(lang) + ", " + strconv.Itoa(i) + ", $2, 1, $3)"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO translations (article_id, lang, position, status,
			source_revision, updated_at) VALUES `+strings.Join(rows, ", "), p...); err != nil {
			return fmt.Errorf("translations: %w", err)
		}
		return insertJobs(ctx, tx, id, at)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

func wrapCreate(err error) error {
	if err != nil {
		return fmt.Errorf("store: create article: %w", err)
	}
	return nil
}

// existingArticle returns the article an earlier submission with a's idempotency key or external
// id created, or tarjuma.ErrNotFound. The key is checked first because only it carries a request
// hash to compare.
func existingArticle(ctx context.Context, q querier, a NewArticle) (tarjuma.Article, error) {
	if a.IdempotencyKey != "" {
		var id int64
		var hash string
		err := q.QueryRowContext(ctx, `SELECT id, request_hash FROM articles WHERE idempotency_key = $1`,
			a.IdempotencyKey).Scan(&id, &hash)
		switch {
		case err == nil && hash != a.RequestHash:
			return tarjuma.Article{}, fmt.Errorf("idempotency key %q was used for another request: %w",
				a.IdempotencyKey, tarjuma.ErrIdempotencyMismatch)
		case err == nil:
			return loadArticle(ctx, q, id)
		case !errors.Is(err, sql.ErrNoRows):
			return tarjuma.Article{}, err
		}
	}
	if a.ExternalID != "" {
		var id int64
		err := q.QueryRowContext(ctx, `SELECT id FROM articles WHERE external_id = $1`, a.ExternalID).Scan(&id)
		switch {
		case err == nil:
			return loadArticle(ctx, q, id)
		case !errors.Is(err, sql.ErrNoRows):
			return tarjuma.Article{}, err
		}
	}
	return tarjuma.Article{}, tarjuma.ErrNotFound
}

func insertRevision(ctx context.Context, tx *sql.Tx, articleID int64, n int, title, body, author string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO source_revisions (article_id, number, title, body, author, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, articleID, n, title, body, author, at)
	if err != nil {
		return fmt.Errorf("source revision %d: %w", n, err)
	}
	return nil
}

// insertJobs writes the outbox job of every translation of the article, for the revision each
// now targets.
func insertJobs(ctx context.Context, tx *sql.Tx, articleID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (article_id, lang, source_revision, priority, created_at)
		SELECT t.article_id, t.lang, t.source_revision, a.priority, $2
		FROM translations t JOIN articles a ON a.id = t.article_id
		WHERE t.article_id = $1 ORDER BY t.position`, articleID, at)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return nil
}

// Article returns the article at its latest revision, or tarjuma.ErrNotFound.
func (db *DB) Article(ctx context.Context, id int64) (tarjuma.Article, error) {
	a, err := loadArticle(ctx, db.read, id)
	if err != nil {
		return tarjuma.Article{}, fmt.Errorf("store: %w", err)
	}
	return a, nil
}

// ArticleFilter selects articles for a page of ListArticles. Status and Lang match articles
// having a translation in that status and/or language. Before is the cursor: only ids below it
// (0 for the first page). Newest first.
type ArticleFilter struct {
	Status tarjuma.Status
	Lang   tarjuma.Lang
	Before int64
	Limit  int
}

// defaultPageSize is the page size of ListArticles when the filter names none.
const defaultPageSize = 50

// ListArticles returns one page of articles, newest first.
func (db *DB) ListArticles(ctx context.Context, f ArticleFilter) ([]tarjuma.Article, error) {
	var p params
	var where, match []string
	if f.Before > 0 {
		where = append(where, "a.id < "+p.add(f.Before))
	}
	if f.Status != "" {
		match = append(match, "t.status = "+p.add(f.Status))
	}
	if f.Lang != "" {
		match = append(match, "t.lang = "+p.add(f.Lang))
	}
	if len(match) > 0 {
		// One translation has to match both, not one the status and another the language.
		where = append(where, "EXISTS (SELECT 1 FROM translations t WHERE t.article_id = a.id AND "+
			strings.Join(match, " AND ")+")")
	}
	query := `SELECT ` + articleColumns + articleFrom
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	query += " ORDER BY a.id DESC LIMIT " + p.add(limit)

	articles, err := queryAll(ctx, db.read, scanArticle, query, p...)
	if err != nil {
		return nil, fmt.Errorf("store: list articles: %w", err)
	}
	return articles, nil
}

// queryAll runs query and scans every row it returns, so callers wrap a single error.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, v)
	}
	return all, rows.Err()
}

// UpdateArticleSource stores a new source revision when title or body differ from the latest
// one, re-queues every translation of the article for that revision and writes their outbox
// jobs, all in one transaction. An unchanged source stores nothing and returns the article as
// it is. base, when not 0, is the revision the edit was made from: tarjuma.ErrConflict when
// another revision was stored since, checked under the lock, so an editor's stale form never
// overwrites a colleague's correction. tarjuma.ErrNotFound when the article does not exist.
func (db *DB) UpdateArticleSource(ctx context.Context, id int64, base int, title, body, author string) (tarjuma.Article, error) {
	var a tarjuma.Article
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		// Locked, so two editors saving at once make revisions n+1 and n+2.
		var rev int
		err := tx.QueryRowContext(ctx, `SELECT revision FROM articles WHERE id = $1`+db.dialect.forUpdate, id).Scan(&rev)
		if err != nil {
			return notFound(err, "article %d", id)
		}
		if base != 0 && base != rev {
			return fmt.Errorf("article %d: source edited from revision %d, the latest is %d: %w", id, base, rev, tarjuma.ErrConflict)
		}
		if a, err = loadArticle(ctx, tx, id); err != nil {
			return err
		}
		if a.Title == title && a.Body == body {
			return nil
		}
		at := now()
		rev++
		if err := insertRevision(ctx, tx, id, rev, title, body, author, at); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET revision = $2, updated_at = $3 WHERE id = $1`, id, rev, at); err != nil {
			return err
		}
		// Queued is reachable from every status (tarjuma.Status.CanBecome), so no condition.
		_, err = tx.ExecContext(ctx, `UPDATE translations SET status = $2, failure_reason = '',
			source_revision = $3, updated_at = $4 WHERE article_id = $1`, id, tarjuma.StatusQueued, rev, at)
		if err != nil {
			return err
		}
		if err := insertJobs(ctx, tx, id, at); err != nil {
			return err
		}
		a, err = loadArticle(ctx, tx, id)
		return err
	})
	if err != nil {
		return tarjuma.Article{}, fmt.Errorf("store: update source of article %d: %w", id, err)
	}
	return a, nil
}

// SourceRevision returns revision n of an article's source.
func (db *DB) SourceRevision(ctx context.Context, articleID int64, n int) (tarjuma.SourceRevision, error) {
	if !storableNumber(n) {
		return tarjuma.SourceRevision{}, fmt.Errorf("store: source revision %d of article %d: %w", n, articleID, tarjuma.ErrNotFound)
	}
	r := tarjuma.SourceRevision{ArticleID: articleID, Number: n}
	err := db.read.QueryRowContext(ctx, `SELECT title, body, author, created_at FROM source_revisions
		WHERE article_id = $1 AND number = $2`, articleID, n).Scan(&r.Title, &r.Body, &r.Author, &r.CreatedAt)
	if err != nil {
		return tarjuma.SourceRevision{}, fmt.Errorf("store: %w", notFound(err, "source revision %d of article %d", n, articleID))
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// storableNumber reports whether n can be a version or revision number, which the schema keeps
// as a 32-bit integer. A larger one names no row, and PostgreSQL would answer it with an
// out-of-range error instead of no row, which a caller could only report as a failure of ours.
func storableNumber(n int) bool { return n >= 1 && n <= math.MaxInt32 }

// Embargo returns the time an article is embargoed until, zero when it is not.
// tarjuma.ErrNotFound when the article does not exist.
func (db *DB) Embargo(ctx context.Context, articleID int64) (time.Time, error) {
	var until sql.NullTime
	if err := db.read.QueryRowContext(ctx, `SELECT embargo_until FROM articles WHERE id = $1`, articleID).Scan(&until); err != nil {
		return time.Time{}, fmt.Errorf("store: %w", notFound(err, "article %d", articleID))
	}
	return utcOrZero(until), nil
}
