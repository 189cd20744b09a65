package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/tarjuma/tarjuma"
)

// LookupRenderings returns how the engine renders each glossary spelling (keys are
// glossary.Normalize of the Arabic) under the glossary version, for those it has been asked.
func (db *DB) LookupRenderings(ctx context.Context, provider string, lang tarjuma.Lang, glossaryVersion int64, keys []string) (map[string]string, error) {
	found := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += memoryBatch {
		batch := keys[start:min(start+memoryBatch, len(keys))]
		p := params{provider, lang, glossaryVersion}
		pairs, err := queryAll(ctx, db.read, func(s scanner) ([2]string, error) {
			var kv [2]string
			return kv, s.Scan(&kv[0], &kv[1])
		}, `SELECT source_key, rendering FROM term_renderings
			WHERE provider = $1 AND lang = $2 AND glossary_version = $3 AND `+db.oneOf(&p, "source_key", batch), p...)
		if err != nil {
			return nil, fmt.Errorf("store: lookup renderings %s/%s: %w", provider, lang, err)
		}
		for _, kv := range pairs {
			found[kv[0]] = kv[1]
		}
	}
	return found, nil
}

// SaveRenderings stores renderings under the glossary version and drops the engine's renderings
// under older versions, which are no longer asked for.
func (db *DB) SaveRenderings(ctx context.Context, provider string, lang tarjuma.Lang, glossaryVersion int64, renderings map[string]string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM term_renderings WHERE provider = $1 AND lang = $2 AND glossary_version < $3`,
			provider, lang, glossaryVersion); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO term_renderings (provider, lang, glossary_version, source_key, rendering)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (provider, lang, glossary_version, source_key) DO UPDATE SET rendering = excluded.rendering`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, key := range slices.Sorted(maps.Keys(renderings)) {
			if _, err := stmt.ExecContext(ctx, provider, lang, glossaryVersion, key, renderings[key]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save renderings %s/%s: %w", provider, lang, err)
	}
	return nil
}
