// Package store owns all persistence: articles and their source revisions, translations and
// their immutable versions, the transactional outbox of translation jobs, API tokens and the
// translation memory. One type, DB, serves SQLite (modernc.org/sqlite, the zero-config default)
// and PostgreSQL (pgx), chosen by the URL given to Open; both pass one contract test suite.
//
// THIS FILE IS A CONTRACT STUB written by the lead: the signatures and doc comments are fixed
// (api, worker and cmd are being written against them); the bodies are to be implemented.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/tarjuma/tarjuma"
)

var errTODO = errors.New("store: not implemented yet")

// DB is the database of one deployment. It is safe for concurrent use.
type DB struct{}

// Open connects to the database named by url: "postgres://…" or "postgresql://…" for
// PostgreSQL, "sqlite:PATH" (e.g. "sqlite:./data/tarjuma.db") for SQLite; the SQLite file's
// folder is created if missing. It does not migrate: call Migrate.
func Open(ctx context.Context, url string) (*DB, error) { return nil, errTODO }

// Close releases the connections.
func (db *DB) Close() error { return errTODO }

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return errTODO }

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return "" }

// Migrate applies the embedded migrations that have not been applied yet, in order, each in
// its own transaction, and records them. It returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) { return nil, errTODO }

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
}

// CreateArticle stores the article, its source revision 1, one queued translation per target
// language and one outbox job per translation, in one transaction. When ExternalID or
// IdempotencyKey already names an article it stores nothing and returns that article with
// created false; a repeated IdempotencyKey with a different RequestHash is
// tarjuma.ErrIdempotencyMismatch.
func (db *DB) CreateArticle(ctx context.Context, a NewArticle) (article tarjuma.Article, created bool, err error) {
	return tarjuma.Article{}, false, errTODO
}

// Article returns the article at its latest revision, or tarjuma.ErrNotFound.
func (db *DB) Article(ctx context.Context, id int64) (tarjuma.Article, error) {
	return tarjuma.Article{}, errTODO
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

// ListArticles returns one page of articles, newest first.
func (db *DB) ListArticles(ctx context.Context, f ArticleFilter) ([]tarjuma.Article, error) {
	return nil, errTODO
}

// UpdateArticleSource stores a new source revision when title or body differ from the latest
// one, re-queues every translation of the article for that revision and writes their outbox
// jobs, all in one transaction. An unchanged source stores nothing and returns the article as
// it is. tarjuma.ErrNotFound when the article does not exist.
func (db *DB) UpdateArticleSource(ctx context.Context, id int64, title, body, author string) (tarjuma.Article, error) {
	return tarjuma.Article{}, errTODO
}

// SourceRevision returns revision n of an article's source.
func (db *DB) SourceRevision(ctx context.Context, articleID int64, n int) (tarjuma.SourceRevision, error) {
	return tarjuma.SourceRevision{}, errTODO
}

// Translations returns the translations of one article in the order of its target languages.
func (db *DB) Translations(ctx context.Context, articleID int64) ([]tarjuma.Translation, error) {
	return nil, errTODO
}

// Translation returns one translation, or tarjuma.ErrNotFound.
func (db *DB) Translation(ctx context.Context, articleID int64, lang tarjuma.Lang) (tarjuma.Translation, error) {
	return tarjuma.Translation{}, errTODO
}

// StartTranslating moves a translation to translating for source revision rev. It returns
// tarjuma.ErrStale when the translation now targets another revision, and tarjuma.ErrConflict
// when the translation already has a version for rev or is in a state that cannot become
// translating (a worker re-running a finished task stops there).
func (db *DB) StartTranslating(ctx context.Context, articleID int64, lang tarjuma.Lang, rev int) (tarjuma.Translation, error) {
	return tarjuma.Translation{}, errTODO
}

// SaveMachineVersion stores v (Number is assigned: latest+1) as the pipeline's version for
// v.SourceRevision and moves the translation to needs_review, in one transaction. It is
// idempotent: when a machine version for that revision already exists it stores nothing and
// returns the existing one with created false. tarjuma.ErrStale when the translation now
// targets another revision.
func (db *DB) SaveMachineVersion(ctx context.Context, v tarjuma.Version) (saved tarjuma.Version, created bool, err error) {
	return tarjuma.Version{}, false, errTODO
}

// FailTranslation marks the translation for revision rev failed with a reason a person can read.
// tarjuma.ErrStale when the translation now targets another revision.
func (db *DB) FailTranslation(ctx context.Context, articleID int64, lang tarjuma.Lang, rev int, reason string) error {
	return errTODO
}

// Version returns version n of a translation, or tarjuma.ErrNotFound.
func (db *DB) Version(ctx context.Context, articleID int64, lang tarjuma.Lang, n int) (tarjuma.Version, error) {
	return tarjuma.Version{}, errTODO
}

// LatestVersion returns the newest version of a translation, or tarjuma.ErrNotFound when it
// has none yet.
func (db *DB) LatestVersion(ctx context.Context, articleID int64, lang tarjuma.Lang) (tarjuma.Version, error) {
	return tarjuma.Version{}, errTODO
}

// Versions returns every version of a translation, oldest first. tarjuma.ErrNotFound when the
// translation does not exist.
func (db *DB) Versions(ctx context.Context, articleID int64, lang tarjuma.Lang) ([]tarjuma.Version, error) {
	return nil, errTODO
}

// Job is an outbox row: one translation task to hand to the queue.
type Job struct {
	ID             int64
	ArticleID      int64
	Lang           tarjuma.Lang
	SourceRevision int
	Priority       tarjuma.Priority
	CreatedAt      time.Time
	DispatchedAt   time.Time // zero until dispatched
}

// DispatchJobs hands up to limit jobs to enqueue, one at a time, and marks each dispatched when
// enqueue returns nil. It takes jobs never dispatched, and jobs dispatched before redispatchBefore
// whose translation still waits (queued or translating) for that job's revision: those are the
// tasks Redis may have lost. On PostgreSQL concurrent callers skip each other's rows
// (FOR UPDATE SKIP LOCKED). It returns how many jobs were dispatched; an enqueue error stops the
// batch and is returned, leaving that job and the rest for the next call.
func (db *DB) DispatchJobs(ctx context.Context, limit int, redispatchBefore time.Time, enqueue func(Job) error) (int, error) {
	return 0, errTODO
}

// CreateToken makes a new API token with 256 random bits, stores only its SHA-256 and returns
// the secret, which cannot be recovered later.
func (db *DB) CreateToken(ctx context.Context, name string, role tarjuma.Role) (secret string, tok tarjuma.Token, err error) {
	return "", tarjuma.Token{}, errTODO
}

// LookupToken returns the token whose secret this is, or tarjuma.ErrNotFound.
func (db *DB) LookupToken(ctx context.Context, secret string) (tarjuma.Token, error) {
	return tarjuma.Token{}, errTODO
}

// MemoryEntry is one translation-memory pair; Key is the normalised source text.
type MemoryEntry struct {
	Source, Target tarjuma.Lang
	Key            string
	Text           string
}

// LookupMemory returns the stored target text for each key that has one.
func (db *DB) LookupMemory(ctx context.Context, source, target tarjuma.Lang, keys []string) (map[string]string, error) {
	return nil, errTODO
}

// PutMemory inserts or replaces translation-memory entries.
func (db *DB) PutMemory(ctx context.Context, entries []MemoryEntry) error { return errTODO }
