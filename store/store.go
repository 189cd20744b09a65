// Package store owns all persistence: articles and their source revisions, translations and
// their immutable versions, the transactional outboxes of translation jobs and webhook
// deliveries, the publishing records (subscribers, releases, attempts; their types are
// publish's), the glossary and the engines' renderings of it, users, sessions, API tokens, MT
// usage and the translation memory. One type, DB, serves SQLite (modernc.org/sqlite, the
// zero-config default) and PostgreSQL (pgx), chosen by the URL given to Open; both pass one
// contract test suite.
//
// Most statements are shared: both backends accept $n placeholders, RETURNING and ON CONFLICT,
// and the small differences (row locks, SKIP LOCKED, array parameters) are fragments in
// dialect. A few writes differ whole, for speed: on PostgreSQL one statement does in one round
// trip what SQLite, whose single writer costs no round trip, does as a transaction of several,
// and the worker's two hot writes are also batched (see batcher). Such a write keeps all its
// variants side by side in its file: the SQLite one, the PostgreSQL one and the batch.
// Times are written in UTC truncated to microseconds, so what is read back equals what was
// written on either backend.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the database of one deployment. It is safe for concurrent use.
type DB struct {
	dialect dialect
	// write takes every transaction and write. On SQLite it is a single connection, so writers
	// queue in Go instead of failing with SQLITE_BUSY; on PostgreSQL it is the pool.
	write *sql.DB
	// read serves plain reads: a pool of read-only connections on SQLite (WAL lets them run
	// beside the writer), the same pool as write on PostgreSQL.
	read *sql.DB
	// starts and saves group the worker's concurrent writes into one statement and commit each
	// (see batcher); PostgreSQL only, nil on SQLite, whose writes cost no round trip or fsync each.
	starts *batcher[startTranslating, started]
	saves  *batcher[machineSave, machineSaved]
	// stored is told of every version once it is committed (OnVersionStored); nil: nobody is.
	stored func(tarjuma.Version)
}

// Option changes how Open sets up the DB.
type Option func(*DB)

// OnVersionStored has fn called with every version the DB stores, machine or human, once,
// after its commit and with its flags as readers will get them; a save that stores nothing (a
// re-run task, a conflict) calls nothing. cmd counts the QA flags with it (qa.Metrics.Count),
// so the metrics see exactly what was stored, whichever door stored it.
func OnVersionStored(fn func(tarjuma.Version)) Option { return func(db *DB) { db.stored = fn } }

// versionStored returns v as it reads back (flags derived for segments stored without them)
// and tells the OnVersionStored function of it.
func (db *DB) versionStored(v tarjuma.Version) tarjuma.Version {
	v.Segments = slices.Clone(v.Segments)
	withFlags(v.Segments)
	if db.stored != nil {
		db.stored(v)
	}
	return v
}

// dialect is every difference between the backends that the SQL has to know about.
type dialect struct {
	name string // "sqlite" or "postgres", also the folder of its migrations
	// forUpdate locks a row read before it is changed. SQLite needs none: its transactions
	// begin immediate and hold the only write lock.
	forUpdate string
	// skipLocked lets concurrent outbox relays pass over each other's jobs; empty on SQLite,
	// whose relay does not hold a transaction while it enqueues.
	skipLocked string
	// lockMigrations serialises processes that migrate at the same time.
	lockMigrations string
	// arrays: the database takes a list of values as one array parameter.
	arrays bool
	// memoryByMD5: the translation memory is unique by the md5 of its key, not the key itself,
	// because a PostgreSQL btree entry holds at most 2704 bytes and a key is a whole sentence.
	// SQLite indexes keys of any length.
	memoryByMD5 bool
}

var (
	sqlite   = dialect{name: "sqlite"}
	postgres = dialect{
		name:       "postgres",
		forUpdate:  " FOR UPDATE",
		skipLocked: " FOR UPDATE SKIP LOCKED",
		// The key is arbitrary but fixed: "tarjuma" in ASCII.
		lockMigrations: "SELECT pg_advisory_xact_lock(32758241338682721)",
		arrays:         true,
		memoryByMD5:    true,
	}
)

// sqlitePragmas are set on every SQLite connection: wait for locks instead of failing at once,
// WAL for readers beside the writer, enforced foreign keys, and NORMAL sync, which is safe in WAL.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// postgresMaxConns caps one process's connections: a worker at the default concurrency and the
// API fit in it, and PostgreSQL's default limit of 100 leaves room for a few such processes.
const postgresMaxConns = 24

// sqliteReaders is the size of SQLite's read pool; readers do not block each other in WAL mode.
const sqliteReaders = 8

// Open connects to the database named by url: "postgres://…" or "postgresql://…" for
// PostgreSQL, "sqlite:PATH" (e.g. "sqlite:./data/tarjuma.db") for SQLite; the SQLite file's
// folder is created if missing. It does not migrate: call Migrate.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	var db *DB
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool := sql.OpenDB(connector{stdlib.GetConnector(*cfg, stdlib.OptionShouldPing(pingBeforeReuse))})
		// database/sql keeps only 2 idle connections by default, so a busy worker would open and
		// close PostgreSQL connections (a process fork each) all the time.
		pool.SetMaxOpenConns(postgresMaxConns)
		pool.SetMaxIdleConns(postgresMaxConns)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db = &DB{dialect: postgres, write: pool, read: pool}
		db.starts, db.saves = db.startBatcher(), db.saveBatcher()
	case strings.HasPrefix(url, "sqlite:"):
		var err error
		if db, err = openSQLite(strings.TrimPrefix(url, "sqlite:")); err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
	default:
		return nil, errors.New(`store: open: the database URL must start with "postgres://", "postgresql://" or "sqlite:"`)
	}
	for _, o := range opts {
		o(db)
	}
	// The writer first: on SQLite it creates the file and switches it to WAL.
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", db.dialect.name, err)
	}
	return db, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "?") {
		// An in-memory database would differ between the writer and the readers.
		return nil, fmt.Errorf("want a file path without query, got %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	write, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	// Keep the readers open: a new SQLite connection re-reads the schema and pragmas.
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	return &DB{dialect: sqlite, write: write, read: read}, nil
}

// Close releases the connections.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	// The read pool, so that a long write transaction on SQLite does not look like an outage.
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name }

// querier is what *sql.DB and *sql.Tx have in common, so reads can run inside a transaction or
// outside one.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// inTx runs fn in a transaction on the writer and commits when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// now is the time written to the database: UTC, in the microseconds both backends keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// optional stores an empty string as NULL, for columns unique only when set.
func optional(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// utcOrZero reads a nullable time: NULL is the zero time.
func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// unqualified drops the table alias from a column list, for RETURNING, where SQLite accepts
// no alias.
func unqualified(columns string) string {
	return strings.NewReplacer("d.", "", "s.", "").Replace(columns)
}

// notFound turns sql.ErrNoRows into tarjuma.ErrNotFound, saying what was missing.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf(format+": %w", append(args, tarjuma.ErrNotFound)...)
	}
	return err
}

// params collects the arguments of a query whose shape depends on the input and hands out
// their $n placeholders.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// list adds each value and returns the placeholders separated by commas, for IN (…).
func (p *params) list(vs ...any) string {
	marks := make([]string, len(vs))
	for i, v := range vs {
		marks[i] = p.add(v)
	}
	return strings.Join(marks, ", ")
}

// oneOf adds values to p and returns the condition that column (or an expression) is one of
// them. PostgreSQL takes them as one array parameter, so the statement is the same, and prepared
// once, however many there are. SQLite has no arrays and takes a parameter each.
func (db *DB) oneOf(p *params, column string, values []string) string {
	if db.dialect.arrays {
		return column + " = ANY(" + p.add(values) + "::text[])"
	}
	in := make([]any, len(values))
	for i, v := range values {
		in[i] = v
	}
	return column + " IN (" + p.list(in...) + ")"
}
