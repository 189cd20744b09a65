package store

import (
	"context"
	"database/sql"

	"github.com/tarjuma/tarjuma"
)

// placements returns what the subscriber's channel holds of the article, by language
// (channel_placements): the state each connector left there.
func placements(ctx context.Context, q querier, subscriberID, articleID int64) (map[tarjuma.Lang][]byte, error) {
	type placement struct {
		lang  tarjuma.Lang
		state string
	}
	rows, err := queryAll(ctx, q, func(s scanner) (placement, error) {
		var p placement
		err := s.Scan(&p.lang, &p.state)
		return p, err
	}, `SELECT lang, state FROM channel_placements WHERE subscriber_id = $1 AND article_id = $2`, subscriberID, articleID)
	if err != nil {
		return nil, err
	}
	out := make(map[tarjuma.Lang][]byte, len(rows))
	for _, p := range rows {
		out[p.lang] = []byte(p.state)
	}
	return out, nil
}

// savePlacement keeps state as what the channel of the delivery's subscriber holds of the
// delivery's article and language, replacing what was kept before. It is written whatever
// became of the delivery: the channel holds it, even if the attempt failed or was overtaken.
func savePlacement(ctx context.Context, tx *sql.Tx, deliveryID int64, state []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO channel_placements (subscriber_id, article_id, lang, state, updated_at)
		SELECT d.subscriber_id, r.article_id, r.lang, $2, $3 FROM deliveries d JOIN releases r ON r.id = d.release_id
		WHERE d.id = $1
		ON CONFLICT (subscriber_id, article_id, lang) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		deliveryID, string(state), now())
	return err
}
