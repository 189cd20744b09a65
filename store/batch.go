package store

import (
	"context"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
)

// The worker's two writes per task (StartTranslating, SaveMachineVersion) each cost PostgreSQL a
// statement start and a commit (a WAL flush); at fifty tasks in flight those, not the work, fill
// the CPU. A batcher is group commit done by the application: concurrent callers of one write
// join a queue, and whatever queued while the previous batch was in flight goes to the database
// as one multi-row statement, so one commit. Each caller still blocks until its own row is
// committed and gets its own result, so a task still returns only after its write is durable.
// Nothing waits on a timer: a lone caller is sent at once, which keeps latency where it was.
//
// A batch statement that fails as a whole (an item the batch query cannot take, a deadlock, a
// lost connection) is not the failure of every item in it: each item is then run on its own
// with its caller's context, so one bad item fails only itself.

const (
	// maxBatch bounds one statement: enough for the worker's default concurrency several times
	// over, small enough that one slow batch does not hold many tasks.
	maxBatch = 64
	// batchFlights is how many batches of one kind may be in flight at once. One makes the
	// largest batches (measured: 1150 tasks/s against 1100 with two in flight).
	batchFlights = 1
	// batchTimeout bounds a batch statement, which runs detached from its callers' contexts so
	// that one caller giving up does not cancel the others' writes.
	batchTimeout = 30 * time.Second
)

// batchCall is one caller's item and, once done is closed, its result.
type batchCall[In, Out any] struct {
	ctx  context.Context
	in   In
	out  Out
	err  error
	done chan struct{}
}

// batcher groups concurrent calls of one write. many runs a batch of two or more items in one
// statement and returns a result for each item (ok false: the batch could not answer for that
// item, which one then runs alone) or an error for the whole batch; one runs a single item.
type batcher[In, Out any] struct {
	many func(ctx context.Context, ins []In) (outs []Out, ok []bool, err error)
	one  func(ctx context.Context, in In) (Out, error)

	mu      sync.Mutex
	pending []*batchCall[In, Out]
	flights int
}

// do runs in through the batch and waits for its result or ctx. A caller whose ctx ends while
// its batch is in flight returns ctx.Err() at once; its row may still commit, as a statement
// cancelled in flight may, which is why every write batched here is idempotent.
func (b *batcher[In, Out]) do(ctx context.Context, in In) (Out, error) {
	c := &batchCall[In, Out]{ctx: ctx, in: in, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, c)
	start := b.flights < batchFlights
	if start {
		b.flights++
	}
	b.mu.Unlock()
	if start {
		go b.fly()
	}
	select {
	case <-c.done:
		return c.out, c.err
	case <-ctx.Done():
		var zero Out
		return zero, ctx.Err()
	}
}

// fly sends batches until nothing is pending.
func (b *batcher[In, Out]) fly() {
	for {
		b.mu.Lock()
		n := min(len(b.pending), maxBatch)
		if n == 0 {
			b.flights--
			b.mu.Unlock()
			return
		}
		calls := b.pending[:n:n]
		b.pending = append([]*batchCall[In, Out](nil), b.pending[n:]...)
		b.mu.Unlock()
		b.send(calls)
	}
}

// send runs one batch and answers every call in it.
func (b *batcher[In, Out]) send(calls []*batchCall[In, Out]) {
	// A caller that already gave up is not written for: its task is being re-queued.
	live := calls[:0]
	for _, c := range calls {
		if err := c.ctx.Err(); err != nil {
			c.err = err
			close(c.done)
			continue
		}
		live = append(live, c)
	}
	alone := live
	if len(live) > 1 {
		ins := make([]In, len(live))
		for i, c := range live {
			ins[i] = c.in
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		outs, ok, err := b.many(ctx, ins)
		cancel()
		alone = nil
		for i, c := range live {
			if err != nil || !ok[i] {
				alone = append(alone, c)
				continue
			}
			c.out = outs[i]
			close(c.done)
		}
	}
	for _, c := range alone {
		c.out, c.err = b.one(c.ctx, c.in)
		close(c.done)
	}
}

// machineSave is one SaveMachineVersion on PostgreSQL: the version (Author and Machine set) and
// its encoded segments.
type machineSave struct {
	v        tarjuma.Version
	segments string
}

// machineSaved is what saveMachineStatement reports: the number and time the version was
// stored at, when created.
type machineSaved struct {
	number    int
	createdAt time.Time
	created   bool
}

// saveMachineBatch is saveMachineStatement for many versions in one statement and so one
// commit. Rows are locked in key order, so two batches cannot deadlock each other. A version
// the statement did not store (a re-run, a revision moved on, a second item for the same
// translation) is answered created false, exactly as saveMachineStatement would answer it alone,
// and SaveMachineVersion then reads why.
func (db *DB) saveMachineBatch(ctx context.Context, saves []machineSave) ([]machineSaved, []bool, error) {
	ids, langs, revs, segments, glossaries := make([]int64, len(saves)), make([]string, len(saves)),
		make([]int32, len(saves)), make([]string, len(saves)), make([]int64, len(saves))
	for i, s := range saves {
		ids[i], langs[i], revs[i], segments[i], glossaries[i] = s.v.ArticleID, string(s.v.Lang), int32(s.v.SourceRevision), s.segments, s.v.GlossaryVersion
	}
	at := now()
	p := params{ids, langs, revs, segments, glossaries, tarjuma.MachineAuthor, at, tarjuma.StatusNeedsReview}
	rows, err := db.write.QueryContext(ctx, `WITH i AS (
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bigint[])
				AS i (article_id, lang, source_revision, segments, glossary_version)
		), t AS (
			SELECT t.article_id, t.lang, t.latest_version, t.source_revision, i.segments, i.glossary_version
			FROM translations t JOIN i ON t.article_id = i.article_id AND t.lang = i.lang AND t.source_revision = i.source_revision
			WHERE `+p.mayBecome(statusUnindexed, tarjuma.StatusNeedsReview)+`
			ORDER BY t.article_id, t.lang
			FOR UPDATE OF t
		), v AS (
			INSERT INTO versions (`+versionColumns+`)
			SELECT article_id, lang, latest_version + 1, segments, $6, TRUE, source_revision, glossary_version, $7 FROM t
			ON CONFLICT DO NOTHING RETURNING article_id, lang, source_revision, number, created_at
		), u AS (
			UPDATE translations tr SET status = $8, failure_reason = '', latest_version = v.number, updated_at = $7
			FROM v WHERE tr.article_id = v.article_id AND tr.lang = v.lang
		), d AS (
			DELETE FROM jobs j USING v
			WHERE j.article_id = v.article_id AND j.lang = v.lang AND j.source_revision <= v.source_revision
		)
		SELECT article_id, lang, source_revision, number, created_at FROM v`, p...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct {
		id   int64
		lang string
		rev  int
	}
	stored := make(map[key]machineSaved, len(saves))
	for rows.Next() {
		var k key
		var s machineSaved
		if err := rows.Scan(&k.id, &k.lang, &k.rev, &s.number, &s.createdAt); err != nil {
			return nil, nil, err
		}
		s.createdAt, s.created = s.createdAt.UTC(), true
		stored[k] = s
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	outs, ok := make([]machineSaved, len(saves)), make([]bool, len(saves))
	for i, s := range saves {
		k := key{s.v.ArticleID, string(s.v.Lang), s.v.SourceRevision}
		outs[i], ok[i] = stored[k], true
		delete(stored, k) // a second item for the same translation was not stored
	}
	return outs, ok, nil
}

// statusUnindexed is a batch statement's test of a translation's status, written as an
// expression no index covers. Planned from the statistics of a table that grew since its last
// ANALYZE (a fresh desk, a burst), a plain status test looked cheaper through the status index
// than the primary key and made every batch read every waiting translation; this way the batch
// always finds its rows by key.
const statusUnindexed = "(t.status || '')"

// startTranslating is one StartTranslating call.
type startTranslating struct {
	articleID int64
	lang      tarjuma.Lang
	rev       int
}

// started is what StartTranslating returns.
type started struct {
	t tarjuma.Translation
	r tarjuma.SourceRevision
}

// startBatch is StartTranslating for many translations in one statement and so one commit.
// An item it did not move is answered ok false and run alone, which says why.
func (db *DB) startBatch(ctx context.Context, starts []startTranslating) ([]started, []bool, error) {
	ids, langs, revs := make([]int64, len(starts)), make([]string, len(starts)), make([]int32, len(starts))
	for i, s := range starts {
		ids[i], langs[i], revs[i] = s.articleID, string(s.lang), int32(s.rev)
	}
	p := params{ids, langs, revs, tarjuma.StatusTranslating, now()}
	rows, err := db.write.QueryContext(ctx, `WITH i AS (
			SELECT DISTINCT * FROM unnest($1::bigint[], $2::text[], $3::int[]) AS i (article_id, lang, source_revision)
		), u AS (
			UPDATE translations t SET status = $4, failure_reason = '', updated_at = $5
			FROM i WHERE t.article_id = i.article_id AND t.lang = i.lang AND t.source_revision = i.source_revision
			AND `+p.mayBecome(statusUnindexed, tarjuma.StatusTranslating)+`
			AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.article_id = i.article_id AND v.lang = i.lang AND v.source_revision = i.source_revision)
			RETURNING t.article_id, t.lang, t.status, t.failure_reason, t.source_revision, t.latest_version, t.updated_at
		)
		SELECT u.article_id, u.lang, u.status, u.failure_reason, u.source_revision, u.latest_version, u.updated_at,
			r.title, r.body, r.author, r.created_at
		FROM u JOIN source_revisions r ON r.article_id = u.article_id AND r.number = u.source_revision`, p...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	type key struct {
		id   int64
		lang tarjuma.Lang
	}
	moved := make(map[key]started, len(starts))
	for rows.Next() {
		var s started
		t, r := &s.t, &s.r
		if err := rows.Scan(&t.ArticleID, &t.Lang, &t.Status, &t.FailureReason, &t.SourceRevision, &t.LatestVersion, &t.UpdatedAt,
			&r.Title, &r.Body, &r.Author, &r.CreatedAt); err != nil {
			return nil, nil, err
		}
		r.ArticleID, r.Number = t.ArticleID, t.SourceRevision
		t.UpdatedAt, r.CreatedAt = t.UpdatedAt.UTC(), r.CreatedAt.UTC()
		moved[key{t.ArticleID, t.Lang}] = s
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	outs, ok := make([]started, len(starts)), make([]bool, len(starts))
	for i, s := range starts {
		k := key{s.articleID, s.lang}
		m, found := moved[k]
		if found && m.t.SourceRevision == s.rev {
			outs[i], ok[i] = m, true
			delete(moved, k) // a second item for the same translation runs alone and meets the conflict
		}
	}
	return outs, ok, nil
}
