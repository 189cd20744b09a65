package store

import (
	"context"
	"sync"
	"time"
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
//
// This file holds only the batcher. Each batched write keeps its batch statement beside its
// single ones, in the file of the write (StartTranslating and SaveMachineVersion in
// translations.go), so that a change to what the write does is made to every variant at once.

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
