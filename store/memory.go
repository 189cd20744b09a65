package store

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
)

// MemoryEntry is one translation-memory pair; Key is the normalised source text.
type MemoryEntry struct {
	Source, Target tarjuma.Lang
	Key            string
	Text           string
	// UpdatedAt is when the entry was last written, as read back; writes stamp their own time.
	UpdatedAt time.Time
}

// memoryBatch bounds the keys of one lookup query, well under both backends' limits on
// parameters (SQLite 32766, PostgreSQL 65535).
const memoryBatch = 500

// LookupMemory returns the stored target text for each key that has one.
func (db *DB) LookupMemory(ctx context.Context, source, target tarjuma.Lang, keys []string) (map[string]string, error) {
	return db.lookupMemory(ctx, db.read, source, target, keys)
}

// lookupMemory is LookupMemory on q, a transaction's or the read pool.
func (db *DB) lookupMemory(ctx context.Context, q querier, source, target tarjuma.Lang, keys []string) (map[string]string, error) {
	found := make(map[string]string)
	for start := 0; start < len(keys); start += memoryBatch {
		batch := keys[start:min(start+memoryBatch, len(keys))]
		p := params{source, target}
		// An md5 shared by another key (never by chance) finds that key's entry, which no
		// caller asks the map for: a miss, never another sentence's text.
		entries, err := queryAll(ctx, q, func(s scanner) (MemoryEntry, error) {
			var e MemoryEntry
			return e, s.Scan(&e.Key, &e.Text)
		}, `SELECT key, text FROM translation_memory
			WHERE source_lang = $1 AND target_lang = $2 AND `+db.oneOf(&p, db.memoryIndexed(), db.asMemoryIndexed(batch)), p...)
		if err != nil {
			return nil, fmt.Errorf("store: lookup memory %s→%s: %w", source, target, err)
		}
		for _, e := range entries {
			found[e.Key] = e.Text
		}
	}
	return found, nil
}

// PutMemory inserts or replaces translation-memory entries.
func (db *DB) PutMemory(ctx context.Context, entries []MemoryEntry) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error { return db.putMemory(ctx, tx, entries, now()) })
	if err != nil {
		return fmt.Errorf("store: put memory: %w", err)
	}
	return nil
}

// putMemory writes entries inside tx, so an approval and what it teaches the memory commit
// together. An entry replaces the one the unique index matches, key and text together.
func (db *DB) putMemory(ctx context.Context, tx *sql.Tx, entries []MemoryEntry, at time.Time) error {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO translation_memory (source_lang, target_lang, key, text, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (source_lang, target_lang, `+db.memoryIndexed()+`)
		DO UPDATE SET key = excluded.key, text = excluded.text, updated_at = excluded.updated_at`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range entries {
		if _, err := stmt.ExecContext(ctx, e.Source, e.Target, e.Key, e.Text, at); err != nil {
			return fmt.Errorf("memory entry %s→%s: %w", e.Source, e.Target, err)
		}
	}
	return nil
}

// memoryIndexed is the expression the memory's unique index is on: the key, or its md5 where
// the dialect indexes md5(key).
func (db *DB) memoryIndexed() string {
	if db.dialect.memoryByMD5 {
		return "md5(key)"
	}
	return "key"
}

// asMemoryIndexed turns keys into values of memoryIndexed: their md5 in hex, or themselves.
func (db *DB) asMemoryIndexed(keys []string) []string {
	if !db.dialect.memoryByMD5 {
		return keys
	}
	digests := make([]string, len(keys))
	for i, k := range keys {
		sum := md5.Sum([]byte(k))
		digests[i] = hex.EncodeToString(sum[:])
	}
	return digests
}

// MemoryImport counts what an import did to the memory.
type MemoryImport struct {
	Added, Updated, Unchanged int
}

// ImportMemory writes entries (each key at most once per language) in one transaction and
// counts them as added (a new key in its language), updated (a different text) or unchanged
// (the text stored already, which is not rewritten, so its updated_at stays).
func (db *DB) ImportMemory(ctx context.Context, entries []MemoryEntry) (MemoryImport, error) {
	var res MemoryImport
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res = MemoryImport{}
		type pair struct{ source, target tarjuma.Lang }
		keys := map[pair][]string{}
		for _, e := range entries {
			p := pair{e.Source, e.Target}
			keys[p] = append(keys[p], e.Key)
		}
		stored := map[pair]map[string]string{}
		for p, ks := range keys {
			found, err := db.lookupMemory(ctx, tx, p.source, p.target, ks)
			if err != nil {
				return err
			}
			stored[p] = found
		}
		var changed []MemoryEntry
		for _, e := range entries {
			text, ok := stored[pair{e.Source, e.Target}][e.Key]
			switch {
			case !ok:
				res.Added++
			case text != e.Text:
				res.Updated++
			default:
				res.Unchanged++
				continue
			}
			changed = append(changed, e)
		}
		return db.putMemory(ctx, tx, changed, now())
	})
	if err != nil {
		return MemoryImport{}, fmt.Errorf("store: import memory: %w", err)
	}
	return res, nil
}

const memoryColumns = `source_lang, target_lang, key, text, updated_at`

func scanMemory(s scanner) (MemoryEntry, error) {
	var e MemoryEntry
	err := s.Scan(&e.Source, &e.Target, &e.Key, &e.Text, &e.UpdatedAt)
	e.UpdatedAt = e.UpdatedAt.UTC()
	return e, err
}

// EachMemoryEntry calls fn with every entry into target ("" for every language), ordered by
// key and then language, so that a source's translations come together. It streams: the
// memory can be larger than one wants to hold twice.
func (db *DB) EachMemoryEntry(ctx context.Context, target tarjuma.Lang, fn func(MemoryEntry) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memoryColumns+` FROM translation_memory
		WHERE $1 = '' OR target_lang = $1 ORDER BY key, target_lang`, target)
	if err != nil {
		return fmt.Errorf("store: memory entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanMemory(rows)
		if err != nil {
			return fmt.Errorf("store: memory entries: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: memory entries: %w", err)
	}
	return nil
}

// MemoryChangedSince returns the entries written at or after since, oldest first: what an
// in-process copy of the memory has to add to catch up.
func (db *DB) MemoryChangedSince(ctx context.Context, since time.Time) ([]MemoryEntry, error) {
	entries, err := queryAll(ctx, db.read, scanMemory, `SELECT `+memoryColumns+` FROM translation_memory
		WHERE updated_at >= $1 ORDER BY updated_at`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: memory changed since %s: %w", since, err)
	}
	return entries, nil
}
