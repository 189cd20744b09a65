package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// QueueFilter selects translations for the review desk's queue. Empty fields select everything;
// WaitingSince keeps translations whose status last changed before it (how long they have waited).
type QueueFilter struct {
	Lang         tarjuma.Lang
	Status       tarjuma.Status
	WaitingSince time.Time
	Limit        int
}

// QueueItem is one translation in the queue, with the source title it is listed under.
type QueueItem struct {
	ArticleID     int64
	Title         string // the Arabic title of the latest source revision
	Lang          tarjuma.Lang
	Status        tarjuma.Status
	Priority      tarjuma.Priority
	LatestVersion int
	UpdatedAt     time.Time // when the status last changed
	// Progress is the latest version's confirmed segments and words; zero before the first.
	Progress tarjuma.Progress
}

// queueConditions is the WHERE clause shared by the queue and its counts. Status is left out
// when withStatus is false, so the counts show every status under the other filters.
func queueConditions(p *params, f QueueFilter, withStatus bool) string {
	where := []string{"1 = 1"}
	if f.Lang != "" {
		where = append(where, "t.lang = "+p.add(f.Lang))
	}
	if withStatus && f.Status != "" {
		where = append(where, "t.status = "+p.add(f.Status))
	}
	if !f.WaitingSince.IsZero() {
		where = append(where, "t.updated_at < "+p.add(f.WaitingSince.UTC()))
	}
	return strings.Join(where, " AND ")
}

// ReviewQueue returns the translations f selects, urgent work first and then the longest
// waiting, so the desk works through the queue from the top.
func (db *DB) ReviewQueue(ctx context.Context, f QueueFilter) ([]QueueItem, error) {
	var p params
	where := queueConditions(&p, f, true)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	items, err := queryAll(ctx, db.read, func(s scanner) (QueueItem, error) {
		var it QueueItem
		var segments string
		if err := s.Scan(&it.ArticleID, &it.Title, &it.Lang, &it.Status, &it.Priority, &it.LatestVersion, &it.UpdatedAt, &segments); err != nil {
			return it, err
		}
		it.UpdatedAt = it.UpdatedAt.UTC()
		var err error
		it.Progress, err = progressOf(segments)
		return it, err
	}, `SELECT t.article_id, r.title, t.lang, t.status, a.priority,
			t.latest_version, t.updated_at, COALESCE(v.segments, '[]')
		FROM translations t
		JOIN articles a ON a.id = t.article_id
		JOIN source_revisions r ON r.article_id = a.id AND r.number = a.revision
		LEFT JOIN versions v ON v.article_id = t.article_id AND v.lang = t.lang AND v.number = t.latest_version
		WHERE `+where+`
		ORDER BY CASE a.priority WHEN 'urgent' THEN 0 WHEN 'default' THEN 1 ELSE 2 END, t.updated_at, t.article_id, t.position
		LIMIT `+p.add(limit), p...)
	if err != nil {
		return nil, fmt.Errorf("store: review queue: %w", err)
	}
	return items, nil
}

// QueueCounts counts the translations in each status under f's language and age filters (its
// status is ignored), for the queue's status tabs.
func (db *DB) QueueCounts(ctx context.Context, f QueueFilter) (map[tarjuma.Status]int, error) {
	var p params
	rows, err := db.read.QueryContext(ctx, `SELECT t.status, COUNT(*) FROM translations t
		WHERE `+queueConditions(&p, f, false)+` GROUP BY t.status`, p...)
	if err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	defer rows.Close()
	counts := map[tarjuma.Status]int{}
	for rows.Next() {
		var s tarjuma.Status
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("store: queue counts: %w", err)
		}
		counts[s] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue counts: %w", err)
	}
	return counts, nil
}

// progressOf counts the confirmed segments and words of a version's stored segments. It reads
// only what the count needs, not the glossary checks and flags a full decode derives, so the
// queue stays cheap with long articles.
func progressOf(segments string) (tarjuma.Progress, error) {
	var stored []storedSegment
	if err := json.Unmarshal([]byte(segments), &stored); err != nil {
		return tarjuma.Progress{}, fmt.Errorf("segments: %w", err)
	}
	v := tarjuma.Version{Segments: make([]tarjuma.Segment, len(stored))}
	for i, s := range stored {
		v.Segments[i] = tarjuma.Segment{Source: s.Source, Status: s.status()}
	}
	return v.Progress(), nil
}
