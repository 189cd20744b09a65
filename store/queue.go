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
	Lang tarjuma.Lang
	// Langs, when set, keeps translations into these languages (a translator's own); Lang,
	// when set too, narrows further.
	Langs        []tarjuma.Lang
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
	// Machine is true while the latest version is the pipeline's: nobody has saved a draft.
	Machine bool
	// Assignee is the email of who claimed or was assigned the translation, "" for nobody.
	Assignee string
	// Segments are the latest version's segments, and Dismissals that version's dismissed
	// flags, for counting what is open.
	Segments   []tarjuma.Segment
	Dismissals []tarjuma.Dismissal
}

// queueConditions is the WHERE clause shared by the queue and its counts. Status is left out
// when withStatus is false, so the counts show every status under the other filters.
func (db *DB) queueConditions(p *params, f QueueFilter, withStatus bool) string {
	where := []string{"1 = 1"}
	if f.Lang != "" {
		where = append(where, "t.lang = "+p.add(f.Lang))
	}
	if f.Langs != nil {
		langs := make([]string, len(f.Langs))
		for i, l := range f.Langs {
			langs[i] = string(l)
		}
		if len(langs) == 0 {
			langs = []string{""} // no languages: nothing, rather than an empty IN list
		}
		where = append(where, db.oneOf(p, "t.lang", langs))
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
	where := db.queueConditions(&p, f, true)
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	items, err := queryAll(ctx, db.read, func(s scanner) (QueueItem, error) {
		var it QueueItem
		var segments string
		if err := s.Scan(&it.ArticleID, &it.Title, &it.Lang, &it.Status, &it.Priority, &it.LatestVersion, &it.UpdatedAt, &segments,
			&it.Machine, &it.Assignee); err != nil {
			return it, err
		}
		it.UpdatedAt = it.UpdatedAt.UTC()
		var err error
		it.Segments, err = decodeSegments(segments)
		it.Progress = tarjuma.Version{Segments: it.Segments}.Progress()
		return it, err
	}, `SELECT t.article_id, r.title, t.lang, t.status, a.priority,
			t.latest_version, t.updated_at, COALESCE(v.segments, '[]'), COALESCE(v.machine, false), COALESCE(u.email, '')
		FROM translations t
		JOIN articles a ON a.id = t.article_id
		JOIN source_revisions r ON r.article_id = a.id AND r.number = a.revision
		LEFT JOIN versions v ON v.article_id = t.article_id AND v.lang = t.lang AND v.number = t.latest_version
		LEFT JOIN assignments s ON s.article_id = t.article_id AND s.lang = t.lang
		LEFT JOIN users u ON u.id = s.user_id
		WHERE `+where+`
		ORDER BY CASE a.priority WHEN 'urgent' THEN 0 WHEN 'default' THEN 1 ELSE 2 END, t.updated_at, t.article_id, t.position
		LIMIT `+p.add(limit), p...)
	if err == nil {
		err = db.queueDismissals(ctx, f, items)
	}
	if err != nil {
		return nil, fmt.Errorf("store: review queue: %w", err)
	}
	return items, nil
}

// queueDismissals attaches to items the dismissed flags of their latest versions, read in one
// query under the queue's filters.
func (db *DB) queueDismissals(ctx context.Context, f QueueFilter, items []QueueItem) error {
	if len(items) == 0 {
		return nil
	}
	type dismissal struct {
		articleID int64
		lang      tarjuma.Lang
		d         tarjuma.Dismissal
	}
	var p params
	ds, err := queryAll(ctx, db.read, func(s scanner) (dismissal, error) {
		var d dismissal
		var args string
		if err := s.Scan(&d.articleID, &d.lang, &d.d.SegmentID, &d.d.Flag.Kind, &args); err != nil {
			return d, err
		}
		return d, json.Unmarshal([]byte(args), &d.d.Flag.Args)
	}, `SELECT d.article_id, d.lang, d.segment, d.kind, d.args FROM flag_dismissals d
		JOIN translations t ON t.article_id = d.article_id AND t.lang = d.lang AND t.latest_version = d.version
		WHERE `+db.queueConditions(&p, f, true), p...)
	if err != nil {
		return err
	}
	for _, d := range ds {
		for i := range items {
			if items[i].ArticleID == d.articleID && items[i].Lang == d.lang {
				items[i].Dismissals = append(items[i].Dismissals, d.d)
			}
		}
	}
	return nil
}

// QueueCounts counts the translations in each status under f's language and age filters (its
// status is ignored), for the queue's status tabs.
func (db *DB) QueueCounts(ctx context.Context, f QueueFilter) (map[tarjuma.Status]int, error) {
	var p params
	rows, err := db.read.QueryContext(ctx, `SELECT t.status, COUNT(*) FROM translations t
		WHERE `+db.queueConditions(&p, f, false)+` GROUP BY t.status`, p...)
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
