package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
)

// OutboxJob is an outbox row: one translation task to hand to the queue.
type OutboxJob struct {
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
// tasks Redis may have lost. Each kind is read apart, oldest first, through its partial index
// in a plain index scan: a single OR over both became a bitmap scan, which never marks the index
// entries of rows already dispatched dead, so until autovacuum came every sweep walked every job
// of the backlog. Within a batch urgent jobs go first. On PostgreSQL concurrent callers skip each other's rows
// (FOR UPDATE SKIP LOCKED). It returns how many jobs were dispatched; an enqueue error stops the
// batch and is returned, leaving that job and the rest for the next call.
func (db *DB) DispatchJobs(ctx context.Context, limit int, redispatchBefore time.Time, enqueue func(OutboxJob) error) (int, error) {
	p := params{redispatchBefore.UTC(), limit}
	n, err := dispatchOutbox(ctx, db, "jobs", limit, `SELECT j.id, j.article_id, j.lang, j.source_revision, j.priority,
			j.created_at, j.dispatched_at
		FROM jobs j
		WHERE j.id IN (
			SELECT id FROM (SELECT id FROM jobs WHERE dispatched_at IS NULL ORDER BY id LIMIT $2) pending
			UNION ALL
			SELECT id FROM (SELECT id FROM jobs d WHERE d.dispatched_at < $1 AND EXISTS (SELECT 1 FROM translations t
				WHERE t.article_id = d.article_id AND t.lang = d.lang AND t.source_revision = d.source_revision
				AND t.status IN (`+p.list(tarjuma.StatusQueued, tarjuma.StatusTranslating)+`)) ORDER BY id LIMIT $2) lost)
			-- Said again of the row itself: a row another relay marked dispatched after this
			-- statement's snapshot is re-checked against these, not the IN list, once locked.
			AND (j.dispatched_at IS NULL OR j.dispatched_at < $1)
		ORDER BY CASE j.priority WHEN 'urgent' THEN 0 WHEN 'default' THEN 1 ELSE 2 END, j.id
		LIMIT $2`, p, scanJob, func(j OutboxJob) int64 { return j.ID }, enqueue)
	if err != nil {
		return n, fmt.Errorf("store: dispatch jobs: %w", err)
	}
	return n, nil
}

// dispatchOutbox is the relay's half of an outbox table (jobs, deliveries): it reads the rows
// query selects (its LIMIT is limit, one of p), hands them to enqueue one at a time and marks the ones
// enqueued dispatched. On PostgreSQL concurrent callers skip each other's rows (FOR UPDATE SKIP
// LOCKED, appended here). It returns how many rows were dispatched; an enqueue error stops the
// batch and is returned, leaving that row and the rest for the next call.
func dispatchOutbox[T any](ctx context.Context, db *DB, table string, limit int, query string, p params,
	scan func(scanner) (T, error), id func(T) int64, enqueue func(T) error) (int, error) {
	if limit <= 0 {
		return 0, nil // PostgreSQL refuses a negative LIMIT, SQLite reads it as no limit
	}
	// On PostgreSQL the batch stays locked in a transaction until it is marked. SQLite has one
	// writer, which must not wait on the queue: there the batch is read from the read pool and
	// marked on its own, and concurrent relays may enqueue a row twice, which the queue's
	// task-id dedup absorbs.
	src, mark := querier(db.read), querier(db.write)
	var tx *sql.Tx
	if db.dialect.skipLocked != "" {
		var err error
		if tx, err = db.write.BeginTx(ctx, nil); err != nil {
			return 0, fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback()
		src, mark = tx, tx
	}
	batch, err := queryAll(ctx, src, scan, query+db.dialect.skipLocked, p...)
	if err != nil {
		return 0, err
	}
	var enqueued []any
	var enqueueErr error
	for _, row := range batch {
		if enqueueErr = enqueue(row); enqueueErr != nil {
			enqueueErr = fmt.Errorf("%s row %d: %w", table, id(row), enqueueErr)
			break
		}
		enqueued = append(enqueued, id(row))
	}
	// One statement marks the batch: a round trip per row cost more than the enqueue. On SQLite a
	// crash before it only means these rows are enqueued again, which the task ids absorb.
	if len(enqueued) > 0 {
		var m params
		if _, err := mark.ExecContext(ctx, `UPDATE `+table+` SET dispatched_at = `+m.add(now())+`
			WHERE id IN (`+m.list(enqueued...)+`)`, m...); err != nil {
			return 0, fmt.Errorf("mark %d %s dispatched: %w", len(enqueued), table, err)
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("commit: %w", err)
		}
	}
	return len(enqueued), enqueueErr
}

func scanJob(s scanner) (OutboxJob, error) {
	var j OutboxJob
	var dispatched sql.NullTime
	err := s.Scan(&j.ID, &j.ArticleID, &j.Lang, &j.SourceRevision, &j.Priority, &j.CreatedAt, &dispatched)
	j.CreatedAt = j.CreatedAt.UTC()
	if dispatched.Valid {
		j.DispatchedAt = dispatched.Time.UTC()
	}
	return j, err
}
