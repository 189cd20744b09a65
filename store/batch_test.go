package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/tarjuma/tarjuma"
)

// TestBatchStatements drives the multi-row statements directly with the cases a batch can mix:
// each item must get the answer it would get alone.
func TestBatchStatements(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		if db.saves == nil {
			t.Skip("batching is PostgreSQL's")
		}
		ctx := t.Context()
		var ids []int64
		for i := range 4 {
			ids = append(ids, create(t, db, submission(fmt.Sprint("batch-", i))).ID)
		}
		starts := []startTranslating{
			{ids[0], tarjuma.Tajik, 1}, {ids[1], tarjuma.Tajik, 1}, {ids[0], tarjuma.Tajik, 1}, // a duplicate
			{ids[2], tarjuma.Tajik, 2}, {999, tarjuma.Tajik, 1}, // a future revision, a missing article
		}
		got, ok, err := db.startBatch(ctx, starts)
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, false, false, false}; fmt.Sprint(ok) != fmt.Sprint(want) {
			t.Fatalf("start batch ok = %v, want %v", ok, want)
		}
		for i := range 2 {
			want, err := db.SourceRevision(ctx, ids[i], 1)
			if err != nil {
				t.Fatal(err)
			}
			if s := got[i]; s.t.Status != tarjuma.StatusTranslating || s.t.ArticleID != ids[i] || s.r != want {
				t.Errorf("start batch item %d = %+v", i, s)
			}
		}

		saves := []machineSave{
			{machineVersionFor(ids[0], tarjuma.Tajik, 1, "a"), `[]`},
			{machineVersionFor(ids[1], tarjuma.Tajik, 1, "b"), `[]`},
			{machineVersionFor(ids[0], tarjuma.Tajik, 1, "c"), `[]`}, // a second save of the same revision
			{machineVersionFor(ids[3], tarjuma.Tajik, 1, "d"), `[]`}, // queued: may not become needs_review
		}
		for i := range saves {
			saves[i].v.Author, saves[i].v.Machine = tarjuma.MachineAuthor, true
		}
		saved, ok, err := db.saveMachineBatch(ctx, saves)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, true, false, false} {
			if !ok[i] || saved[i].created != want || (want && saved[i].number != 1) {
				t.Errorf("save batch item %d = %+v ok %v, want created %v", i, saved[i], ok[i], want)
			}
		}
		for _, id := range ids[:2] {
			tr, err := db.Translation(ctx, id, tarjuma.Tajik)
			if err != nil || tr.Status != tarjuma.StatusNeedsReview || tr.LatestVersion != 1 {
				t.Errorf("translation %d = %+v, %v; want needs_review at version 1", id, tr, err)
			}
			if vs, err := db.Versions(ctx, id, tarjuma.Tajik); err != nil || len(vs) != 1 {
				t.Errorf("versions of %d = %d, %v; want 1", id, len(vs), err)
			}
		}
	})
}

// TestBatchedWritesConcurrently runs many workers' writes at once, so that they share batches,
// some of them twice for the same translation, and checks each gets its own answer.
func TestBatchedWritesConcurrently(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		const n = 40
		var ids [n]int64
		for i := range n {
			ids[i] = create(t, db, submission(fmt.Sprint("many-", i))).ID
		}
		var created [2 * n]bool
		var errs [2 * n]error
		var wg sync.WaitGroup
		for i := range 2 * n { // every article twice
			wg.Go(func() {
				id := ids[i%n]
				_, _, err := db.StartTranslating(t.Context(), id, tarjuma.Tajik, 1)
				if err != nil && !errors.Is(err, tarjuma.ErrConflict) {
					errs[i] = err
					return
				}
				_, created[i], errs[i] = db.SaveMachineVersion(t.Context(), machineVersionFor(id, tarjuma.Tajik, 1, fmt.Sprint(i)))
				if errors.Is(errs[i], tarjuma.ErrConflict) {
					errs[i] = nil // started after the other had saved
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if created[i] == created[i+n] {
				t.Errorf("article %d: created %v and %v, want exactly one", ids[i], created[i], created[i+n])
			}
			if vs, err := db.Versions(t.Context(), ids[i], tarjuma.Tajik); err != nil || len(vs) != 1 {
				t.Errorf("versions of %d = %d, %v; want 1", ids[i], len(vs), err)
			}
		}
	})
}

// TestBatcherFallsBackToOne: a batch statement that fails as a whole does not fail its items,
// which then run alone. The test holds the batcher's one flight on a first item until seven
// more have queued behind it, so they are sent as one batch; synctest.Wait returns once every
// goroutine of the test is blocked, which is when they have all queued.
func TestBatcherFallsBackToOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, log := gatedBatcher()
		var wg sync.WaitGroup
		var outs [8]int
		var errs [8]error
		for i := range 8 {
			wg.Go(func() { outs[i], errs[i] = b.do(t.Context(), i) })
			if i == 0 {
				synctest.Wait() // item 0 is in flight, held at the gate
			}
		}
		synctest.Wait()
		close(log.gate)
		wg.Wait()
		for i := range 8 {
			if i == 3 {
				if errs[i] == nil || errs[i].Error() != "item 3 fails" {
					t.Errorf("item 3: err = %v, want its own error", errs[i])
				}
				continue
			}
			if errs[i] != nil || outs[i] != i*10 {
				t.Errorf("item %d = %d, %v; want %d", i, outs[i], errs[i], i*10)
			}
		}
		if len(log.batches) != 1 || !slices.Equal(slices.Sorted(slices.Values(log.batches[0])), []int{1, 2, 3, 4, 5, 6, 7}) {
			t.Errorf("batches sent %v, want one of items 1 to 7", log.batches)
		}
		if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(log.sorted(), want) {
			t.Errorf("items run alone %v, want %v", log.sorted(), want)
		}
	})
}

// TestBatcherCancelledCaller: a caller that gives up while its item waits for the flight ahead
// returns at once, and its item is then written neither in a batch nor alone.
func TestBatcherCancelledCaller(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, log := gatedBatcher()
		var wg sync.WaitGroup
		wg.Go(func() { b.do(t.Context(), 0) })
		synctest.Wait() // item 0 is in flight, held at the gate
		ctx, cancel := context.WithCancel(t.Context())
		var err error
		wg.Go(func() { _, err = b.do(ctx, 100) })
		wg.Go(func() { b.do(t.Context(), 1) })
		synctest.Wait() // items 100 and 1 are queued
		cancel()
		synctest.Wait()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller, its item still queued: err = %v, want context.Canceled at once", err)
		}
		close(log.gate)
		wg.Wait()
		synctest.Wait() // the flight has ended
		if len(log.batches) != 0 || !slices.Equal(log.sorted(), []int{0, 1}) {
			t.Errorf("sent batches %v and alone %v, want items 0 and 1 alone and nothing of 100", log.batches, log.sorted())
		}
	})
}

// batchLog is what a gatedBatcher was asked to write.
type batchLog struct {
	gate    chan struct{} // item 0 is held until it is closed
	mu      sync.Mutex
	batches [][]int
	alone   []int
}

func (l *batchLog) sorted() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(slices.Values(l.alone))
}

// gatedBatcher is a batcher whose batch statement always fails and whose single statement
// answers item*10 (item 3 fails), and holds item 0 until the log's gate is closed.
func gatedBatcher() (*batcher[int, int], *batchLog) {
	log := &batchLog{gate: make(chan struct{})}
	return &batcher[int, int]{
		many: func(_ context.Context, ins []int) ([]int, []bool, error) {
			log.mu.Lock()
			log.batches = append(log.batches, slices.Clone(ins))
			log.mu.Unlock()
			return nil, nil, errors.New("batch failed")
		},
		one: func(_ context.Context, in int) (int, error) {
			if in == 0 {
				<-log.gate
			}
			log.mu.Lock()
			log.alone = append(log.alone, in)
			log.mu.Unlock()
			if in == 3 {
				return 0, errors.New("item 3 fails")
			}
			return in * 10, nil
		},
	}, log
}
