package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tarjuma/tarjuma"
)

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
	if limit <= 0 {
		return 0, nil // PostgreSQL refuses a negative LIMIT, SQLite reads it as no limit
	}
	// On PostgreSQL the batch stays locked in a transaction until it is marked. SQLite has one
	// writer, which must not wait on the queue: there the batch is read from the read pool and
	// each job marked on its own, and concurrent relays may enqueue a job twice, which the
	// queue's task-id dedup absorbs.
	src, mark := querier(db.read), querier(db.write)
	var tx *sql.Tx
	if db.dialect.skipLocked != "" {
		var err error
		if tx, err = db.write.BeginTx(ctx, nil); err != nil {
			return 0, fmt.Errorf("store: dispatch jobs: begin: %w", err)
		}
		defer tx.Rollback()
		src, mark = tx, tx
	}
	p := params{redispatchBefore.UTC(), limit}
	rows, err := src.QueryContext(ctx, `SELECT j.id, j.article_id, j.lang, j.source_revision, j.priority,
			j.created_at, j.dispatched_at
		FROM jobs j
		WHERE j.dispatched_at IS NULL
			OR (j.dispatched_at < $1 AND EXISTS (SELECT 1 FROM translations t
				WHERE t.article_id = j.article_id AND t.lang = j.lang AND t.source_revision = j.source_revision
				AND t.status IN (`+p.list(tarjuma.StatusQueued, tarjuma.StatusTranslating)+`)))
		ORDER BY CASE j.priority WHEN 'urgent' THEN 0 WHEN 'default' THEN 1 ELSE 2 END, j.id
		LIMIT $2`+db.dialect.skipLocked, p...)
	if err != nil {
		return 0, fmt.Errorf("store: dispatch jobs: %w", err)
	}
	jobs, err := collect(rows, scanJob)
	if err != nil {
		return 0, fmt.Errorf("store: dispatch jobs: %w", err)
	}
	var enqueued []any
	var enqueueErr error
	for _, j := range jobs {
		if enqueueErr = enqueue(j); enqueueErr != nil {
			enqueueErr = fmt.Errorf("store: dispatch job %d: %w", j.ID, enqueueErr)
			break
		}
		enqueued = append(enqueued, j.ID)
	}
	// One statement marks the batch: a round trip per job cost more than the enqueue. On SQLite a
	// crash before it only means these jobs are enqueued again, which the task ids absorb.
	if len(enqueued) > 0 {
		var m params
		if _, err := mark.ExecContext(ctx, `UPDATE jobs SET dispatched_at = `+m.add(now())+`
			WHERE id IN (`+m.list(enqueued...)+`)`, m...); err != nil {
			return 0, fmt.Errorf("store: mark %d jobs dispatched: %w", len(enqueued), err)
		}
	}
	if tx != nil {
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("store: dispatch jobs: commit: %w", err)
		}
	}
	return len(enqueued), enqueueErr
}

func scanJob(s scanner) (Job, error) {
	var j Job
	var dispatched sql.NullTime
	err := s.Scan(&j.ID, &j.ArticleID, &j.Lang, &j.SourceRevision, &j.Priority, &j.CreatedAt, &dispatched)
	j.CreatedAt = j.CreatedAt.UTC()
	if dispatched.Valid {
		j.DispatchedAt = dispatched.Time.UTC()
	}
	return j, err
}
