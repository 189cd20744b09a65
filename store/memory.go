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
}

// memoryBatch bounds the keys of one lookup query, well under both backends' limits on
// parameters (SQLite 32766, PostgreSQL 65535).
const memoryBatch = 500

// LookupMemory returns the stored target text for each key that has one.
func (db *DB) LookupMemory(ctx context.Context, source, target tarjuma.Lang, keys []string) (map[string]string, error) {
	found := make(map[string]string)
	for start := 0; start < len(keys); start += memoryBatch {
		batch := keys[start:min(start+memoryBatch, len(keys))]
		p := params{source, target}
		// An md5 shared by another key (never by chance) finds that key's entry, which no
		// caller asks the map for: a miss, never another sentence's text.
		rows, err := db.read.QueryContext(ctx, `SELECT key, text FROM translation_memory
			WHERE source_lang = $1 AND target_lang = $2 AND `+db.oneOf(&p, db.memoryIndexed(), db.asMemoryIndexed(batch)), p...)
		if err != nil {
			return nil, fmt.Errorf("store: lookup memory %s→%s: %w", source, target, err)
		}
		entries, err := collect(rows, func(s scanner) (MemoryEntry, error) {
			var e MemoryEntry
			return e, s.Scan(&e.Key, &e.Text)
		})
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
