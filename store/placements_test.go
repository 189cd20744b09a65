package store

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// leaseFixture is an article translated into Russian, approved once, and one subscriber: its
// one delivery pending.
func leaseFixture(t *testing.T, db *DB, externalID string) (tarjuma.Article, publish.Delivery) {
	t.Helper()
	for _, s := range mustSubscribers(t, db) {
		if err := db.DeleteSubscriber(t.Context(), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	subscribe(t, db, "https://site.example/hook", tarjuma.Russian)
	a := create(t, db, submission(externalID))
	translate(t, db, a.ID, tarjuma.Russian, 1)
	approve(t, db, a.ID, tarjuma.Russian, 1)
	ds := pendingDeliveries(t, db)
	if len(ds) != 1 {
		t.Fatalf("deliveries %+v, want one", ds)
	}
	return a, ds[0]
}

func mustSubscribers(t *testing.T, db *DB) []publish.Subscriber {
	t.Helper()
	subs, err := db.Subscribers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

// correct saves and approves a new version of a's Russian translation, and returns its delivery.
func correct(t *testing.T, db *DB, a tarjuma.Article, title string) publish.Delivery {
	t.Helper()
	vs, err := db.Versions(t.Context(), a.ID, tarjuma.Russian)
	if err != nil {
		t.Fatal(err)
	}
	v, err := db.SaveHumanVersion(t.Context(), humanEdit(vs[0], "nigora", title))
	if err != nil {
		t.Fatal(err)
	}
	approve(t, db, a.ID, tarjuma.Russian, v.Number)
	for _, d := range pendingDeliveries(t, db) {
		if o, err := db.Outgoing(t.Context(), d.ID); err == nil && o.Release.Version.Number == v.Number {
			return d
		}
	}
	t.Fatalf("no delivery of version %d", v.Number)
	return publish.Delivery{}
}

func recordState(t *testing.T, db *DB, d publish.Delivery, state string, outcome publish.Outcome) {
	t.Helper()
	if err := db.RecordAttempt(t.Context(), publish.Attempt{DeliveryID: d.ID, At: time.Now(), StatusCode: 200, State: []byte(state)}, outcome); err != nil {
		t.Fatal(err)
	}
}

func deliveryLog(t *testing.T, db *DB, a tarjuma.Article, id int64) publish.DeliveryLog {
	t.Helper()
	logs, err := db.Deliveries(t.Context(), a.ID, tarjuma.Russian)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no delivery %d", id)
	return publish.DeliveryLog{}
}

// One delivery of an article and language to a channel at a time: the first takes the lease
// and reads the channel's state under it; a correction's delivery finds it held (and by whom)
// until the first is recorded, then reads what the first left; only the holder saves progress;
// an expired lease is taken over; the same delivery may take its own lease again.
func TestLeasePlacementOneDeliveryAtATime(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, d1 := leaseFixture(t, db, "lease-1")
		if st, err := db.LeasePlacement(ctx, d1.ID, time.Minute); err != nil || st != nil {
			t.Fatalf("first lease = %q, %v; want no state yet", st, err)
		}
		if st, err := db.LeasePlacement(ctx, d1.ID, time.Minute); err != nil || st != nil {
			t.Fatalf("the holder's lease again (its retry) = %q, %v", st, err)
		}
		if err := db.SaveProgress(ctx, d1.ID, []byte(`{"message_ids":[11]}`)); err != nil {
			t.Fatal(err)
		}

		d2 := correct(t, db, a, "Саммит")
		before := time.Now()
		_, err := db.LeasePlacement(ctx, d2.ID, time.Minute)
		var held *LeaseHeldError
		if !errors.As(err, &held) || held.Holder != d1.ID || held.Until.Before(before.Add(50*time.Second)) {
			t.Fatalf("correction's lease = %v; want held by %d for about a minute", err, d1.ID)
		}
		if err := db.SaveProgress(ctx, d2.ID, []byte(`{"message_ids":[99]}`)); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("progress of a delivery without the lease: %v, want ErrLeaseLost", err)
		}

		recordState(t, db, d1, `{"message_ids":[11,12]}`, publish.OutcomeDelivered)
		st, err := db.LeasePlacement(ctx, d2.ID, -time.Second) // taken, and already expired
		if err != nil || string(st) != `{"message_ids":[11,12]}` {
			t.Fatalf("correction's lease after the first was recorded = %q, %v; want the state it left", st, err)
		}

		// d2's lease has run out (its worker died, say) when the article is withdrawn: the
		// withdrawal's delivery takes it over, d2's late progress is refused, and d2's late
		// record leaves the withdrawal's lease alone.
		if _, _, err := db.Withdraw(ctx, a.ID, "editor", "иск", nil); err != nil {
			t.Fatal(err)
		}
		ds := pendingDeliveries(t, db)
		if len(ds) != 1 {
			t.Fatalf("withdrawal deliveries %+v, want one", ds)
		}
		w := ds[0]
		if st, err := db.LeasePlacement(ctx, w.ID, time.Minute); err != nil || string(st) != `{"message_ids":[11,12]}` {
			t.Fatalf("withdrawal's lease over an expired one = %q, %v", st, err)
		}
		if err := db.SaveProgress(ctx, d2.ID, []byte(`{"message_ids":[99]}`)); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("progress after the lease was taken over: %v, want ErrLeaseLost", err)
		}
		recordState(t, db, d2, `{"message_ids":[11,12]}`, publish.OutcomeRetry)
		if err := db.SaveProgress(ctx, w.ID, []byte(`{"message_ids":[12]}`)); err != nil {
			t.Errorf("the withdrawal's progress after d2's late record: %v; want its lease still held", err)
		}
		if _, err := db.LeasePlacement(ctx, d2.ID, time.Minute); !errors.Is(err, ErrDeliverySettled) {
			t.Errorf("lease of a delivery the withdrawal cancelled: %v, want ErrDeliverySettled", err)
		}
		if _, err := db.LeasePlacement(ctx, w.ID+1000, time.Minute); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("lease of no delivery: %v", err)
		}
	})
}

// A correction's delivery supersedes the version it corrects: an old version's delivery still
// pending (retrying) when the correction has gone out is cancelled when it comes for its lease,
// and the channel keeps the correction.
func TestLeasePlacementSupersededByCorrection(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, d1 := leaseFixture(t, db, "lease-2")
		record(t, db, d1, 503, publish.OutcomeRetry)
		d2 := correct(t, db, a, "Саммит")
		if _, err := db.LeasePlacement(ctx, d2.ID, time.Minute); err != nil {
			t.Fatal(err)
		}
		recordState(t, db, d2, `{"post_id":5}`, publish.OutcomeDelivered)
		if st, err := db.LeasePlacement(ctx, d1.ID, time.Minute); !errors.Is(err, ErrDeliverySettled) || st != nil {
			t.Fatalf("old version's lease = %q, %v; want ErrDeliverySettled", st, err)
		}
		if l := deliveryLog(t, db, a, d1.ID); l.State != publish.DeliveryCancelled || l.LastError != "superseded by version 2" {
			t.Errorf("old version's delivery %s (%q), want cancelled, superseded by version 2", l.State, l.LastError)
		}
		if _, err := db.Redeliver(ctx, d1.ID); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("redelivering the superseded delivery: %v, want a conflict", err)
		}
		o, err := db.Outgoing(ctx, d2.ID)
		if err != nil || o.Placement != nil {
			t.Fatalf("Outgoing = %+v, %v; the placement is read under the lease only", o.Placement, err)
		}
		wantStatus(t, db, a.ID, tarjuma.Russian, tarjuma.StatusPublished)
		rs, err := db.LatestPublished(ctx, tarjuma.Russian, 10, time.Now())
		if err != nil || len(rs) != 1 || rs[0].Version.Number != 2 {
			t.Errorf("feed %+v, %v; want version 2", rs, err)
		}
	})
}

// Two deliveries of one article and language to one channel asking for the lease at the same
// moment: exactly one gets it, whichever it is, the other is told who holds it.
func TestLeasePlacementConcurrent(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		for i := range 5 {
			// Two pending deliveries of one release, neither superseding the other: the lease
			// alone keeps them apart.
			_, d1 := leaseFixture(t, db, "lease-c"+string(rune('0'+i)))
			var twin int64
			if err := db.write.QueryRowContext(ctx, `INSERT INTO deliveries (release_id, subscriber_id, state, give_up_at, created_at)
				SELECT release_id, subscriber_id, state, give_up_at, created_at FROM deliveries WHERE id = $1 RETURNING id`,
				d1.ID).Scan(&twin); err != nil {
				t.Fatal(err)
			}
			ids := []int64{d1.ID, twin}
			errs := make([]error, 2)
			var start, done sync.WaitGroup
			start.Add(1)
			for j, id := range ids {
				done.Go(func() {
					start.Wait()
					_, errs[j] = db.LeasePlacement(ctx, id, time.Minute)
				})
			}
			start.Done()
			done.Wait()
			var held *LeaseHeldError
			switch {
			case errs[0] == nil && errors.As(errs[1], &held) && held.Holder == ids[0]:
			case errs[1] == nil && errors.As(errs[0], &held) && held.Holder == ids[1]:
			default:
				t.Errorf("round %d: leases of %v = %v; want exactly one, the other held by it", i, ids, errs)
			}
		}
	})
}

// A withdrawal reaches the channels that may hold the story: one whose delivery is in flight
// (leased, no attempt recorded yet; the withdrawal waits for its lease and then reads what it
// left) and one whose attempt failed (the receiver may have taken it); not one whose delivery
// was never attempted nor started, which can no longer be made.
func TestWithdrawReachesDeliveriesInFlight(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		for _, s := range mustSubscribers(t, db) {
			if err := db.DeleteSubscriber(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
		}
		flight := subscribe(t, db, "https://flight.example/hook", tarjuma.Russian)
		failed := subscribe(t, db, "https://failed.example/hook", tarjuma.Russian)
		subscribe(t, db, "https://queued.example/hook", tarjuma.Russian)
		a := create(t, db, submission("lease-w"))
		translate(t, db, a.ID, tarjuma.Russian, 1)
		approve(t, db, a.ID, tarjuma.Russian, 1)
		var inFlight publish.Delivery
		for _, d := range pendingDeliveries(t, db) {
			switch d.SubscriberID {
			case flight.ID:
				inFlight = d
				if _, err := db.LeasePlacement(ctx, d.ID, time.Minute); err != nil {
					t.Fatal(err)
				}
			case failed.ID:
				record(t, db, d, 504, publish.OutcomeRetry)
			}
		}
		if _, _, err := db.Withdraw(ctx, a.ID, "editor", "иск", nil); err != nil {
			t.Fatal(err)
		}
		got := map[int64]publish.Delivery{}
		for _, d := range pendingDeliveries(t, db) {
			got[d.SubscriberID] = d
		}
		if len(got) != 2 || got[flight.ID].ID == 0 || got[failed.ID].ID == 0 {
			t.Fatalf("withdrawal deliveries by subscriber %v; want the one in flight and the one attempted", got)
		}
		w := got[flight.ID]
		var held *LeaseHeldError
		if _, err := db.LeasePlacement(ctx, w.ID, time.Minute); !errors.As(err, &held) || held.Holder != inFlight.ID {
			t.Fatalf("withdrawal's lease while the story is in flight: %v; want held by %d", err, inFlight.ID)
		}
		// The receiver acknowledges the story: the delivery stays cancelled, what the channel
		// holds is kept, and the withdrawal goes next, with it.
		recordState(t, db, inFlight, `{"post_id":8}`, publish.OutcomeDelivered)
		if l := deliveryLog(t, db, a, inFlight.ID); l.State != publish.DeliveryCancelled {
			t.Errorf("the story's delivery is %s after its late acknowledgement, want cancelled", l.State)
		}
		if st, err := db.LeasePlacement(ctx, w.ID, time.Minute); err != nil || string(st) != `{"post_id":8}` {
			t.Errorf("withdrawal's lease after the story = %q, %v", st, err)
		}
	})
}

// A delivery that waits (its channel's rate limit holds it) frees its lease without an
// attempt: it stays pending with none logged, the channel's state it saved is kept (or
// replaced by the one it gives), and another delivery may take the lease at once.
func TestReleasePlacementRecordsNoAttempt(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		a, d1 := leaseFixture(t, db, "release-1")
		if _, err := db.LeasePlacement(ctx, d1.ID, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveProgress(ctx, d1.ID, []byte(`{"message_ids":[11]}`)); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleasePlacement(ctx, d1.ID, nil); err != nil {
			t.Fatal(err)
		}
		if l := deliveryLog(t, db, a, d1.ID); l.State != publish.DeliveryPending || len(l.Attempts) != 0 || l.AttemptCount != 0 || l.LastError != "" {
			t.Errorf("delivery after its release: %s, %d attempts logged, count %d, error %q; want pending, none", l.State, len(l.Attempts), l.AttemptCount, l.LastError)
		}
		if st, err := db.LeasePlacement(ctx, d1.ID, time.Minute); err != nil || string(st) != `{"message_ids":[11]}` {
			t.Fatalf("lease after the release = %q, %v; want the progress saved before it", st, err)
		}
		if err := db.ReleasePlacement(ctx, d1.ID, []byte(`{"message_ids":[11,12]}`)); err != nil {
			t.Fatal(err)
		}
		d2 := correct(t, db, a, "Саммит")
		if st, err := db.LeasePlacement(ctx, d2.ID, time.Minute); err != nil || string(st) != `{"message_ids":[11,12]}` {
			t.Errorf("another delivery's lease after the release = %q, %v; want it free, with the state given", st, err)
		}
	})
}
