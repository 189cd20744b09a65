package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tarjuma/tarjuma"
)

// TestBatchStatements drives the multi-row statements directly with the cases a batch can mix:
// each item must get the answer it would get alone.
func TestBatchStatements(t *testing.T) {
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
// which then run alone, and a caller that gave up is not written for.
func TestBatcherFallsBackToOne(t *testing.T) {
	var mu sync.Mutex
	alone := map[int]bool{}
	b := &batcher[int, int]{
		many: func(context.Context, []int) ([]int, []bool, error) { return nil, nil, errors.New("batch failed") },
		one: func(_ context.Context, in int) (int, error) {
			mu.Lock()
			alone[in] = true
			mu.Unlock()
			if in == 3 {
				return 0, errors.New("item 3 fails")
			}
			return in * 10, nil
		},
	}
	var wg sync.WaitGroup
	var outs [8]int
	var errs [8]error
	for i := range 8 {
		wg.Go(func() { outs[i], errs[i] = b.do(t.Context(), i) })
	}
	wg.Wait()
	for i := range 8 {
		if i == 3 {
			if errs[i] == nil {
				t.Errorf("item 3: no error")
			}
			continue
		}
		if errs[i] != nil || outs[i] != i*10 {
			t.Errorf("item %d = %d, %v; want %d", i, outs[i], errs[i], i*10)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.do(ctx, 100); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: err = %v", err)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if alone[100] {
		t.Errorf("a cancelled caller's item was written")
	}
}
