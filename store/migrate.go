package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file of the database's dialect.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's migrations in order; fs.ReadDir sorts by name, and the
// names start with the zero-padded version.
func (d dialect) migrations() ([]migration, error) {
	dir := "migrations/" + d.name
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		prefix, _, _ := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(prefix)
		if err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: version, name: e.Name(), sql: string(text)})
	}
	return ms, nil
}

// Migrate applies the embedded migrations that have not been applied yet, in order, each in
// its own transaction, and records them. It returns the versions it applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	ms, err := db.dialect.migrations()
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	var applied []int
	for _, m := range ms {
		var done bool
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			var err error
			done, err = db.applyMigration(ctx, tx, m)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migrate %s: %w", m.name, err)
		}
		if done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// applyMigration applies m unless it is recorded, and reports whether it did. The check runs
// under the migration lock, so two processes starting together apply each migration once.
func (db *DB) applyMigration(ctx context.Context, tx *sql.Tx, m migration) (bool, error) {
	if db.dialect.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, db.dialect.lockMigrations); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMP WITH TIME ZONE NOT NULL)`); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, m.version, now()); err != nil {
		return false, err
	}
	return true, nil
}
