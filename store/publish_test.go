package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

func subscribe(t *testing.T, db *DB, url string, langs ...tarjuma.Lang) publish.Subscriber {
	t.Helper()
	s, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: url, Langs: langs, Secret: "whsec_" + url, CreatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func approve(t *testing.T, db *DB, id int64, lang tarjuma.Lang, version int) {
	t.Helper()
	// The machine drafts these tests approve are unconfirmed; the approval rule is not under test.
	if err := db.Approve(t.Context(), id, lang, version, "rustam", "", &Override{Reason: "test fixture"}); err != nil {
		t.Fatal(err)
	}
}

// pendingDeliveries dispatches every pending delivery, as a relay presuming all tasks lost would.
func pendingDeliveries(t *testing.T, db *DB) []publish.Delivery {
	t.Helper()
	var ds []publish.Delivery
	if _, err := db.DispatchDeliveries(t.Context(), 100, time.Now().Add(time.Hour), func(d publish.Delivery) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}

func wantStatus(t *testing.T, db *DB, id int64, lang tarjuma.Lang, want tarjuma.Status) {
	t.Helper()
	if tr, err := db.Translation(t.Context(), id, lang); err != nil || tr.Status != want {
		t.Errorf("%d/%s is %s (%v), want %s", id, lang, tr.Status, err, want)
	}
}

func record(t *testing.T, db *DB, d publish.Delivery, status int, outcome publish.Outcome) {
	t.Helper()
	if err := db.RecordAttempt(t.Context(), publish.Attempt{DeliveryID: d.ID, At: time.Now(), StatusCode: status, Latency: 12 * time.Millisecond}, outcome); err != nil {
		t.Fatal(err)
	}
}

func TestApproveWithoutSubscribersPublishes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		subscribe(t, db, "https://en.example/hook", tarjuma.English) // another language's
		a := create(t, db, submission("p-1"))
		translate(t, db, a.ID, tarjuma.Russian, 1)
		approve(t, db, a.ID, tarjuma.Russian, 1)
		wantStatus(t, db, a.ID, tarjuma.Russian, tarjuma.StatusPublished)
		if ds := pendingDeliveries(t, db); len(ds) != 0 {
			t.Errorf("deliveries %+v, want none", ds)
		}
		rs, err := db.LatestPublished(t.Context(), tarjuma.Russian, 10, time.Now())
		if err != nil || len(rs) != 1 || rs[0].Event != publish.EventPublished || rs[0].Version.Number != 1 || rs[0].ApprovedBy != "rustam" ||
			rs[0].ExternalID != "p-1" || rs[0].PublishedAt.IsZero() || rs[0].Version.Title() != "Summit" {
			t.Errorf("LatestPublished = %+v, %v", rs, err)
		}
	})
}

func TestDeliveriesLifeCycle(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site := subscribe(t, db, "https://site.example/hook", tarjuma.Tajik, tarjuma.Russian)
		partner := subscribe(t, db, "https://partner.example/hook", tarjuma.Tajik)
		subscribe(t, db, "https://en.example/hook", tarjuma.English)
		deleted := subscribe(t, db, "https://old.example/hook", tarjuma.Tajik)
		if err := db.DeleteSubscriber(ctx, deleted.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteSubscriber(ctx, deleted.ID); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		if subs, err := db.Subscribers(ctx); err != nil || len(subs) != 3 || !slices.Equal(subs[0].Langs, site.Langs) {
			t.Errorf("Subscribers = %+v, %v", subs, err)
		}

		a := create(t, db, submission("p-2"))
		v1 := translate(t, db, a.ID, tarjuma.Tajik, 1)
		approve(t, db, a.ID, tarjuma.Tajik, 1)
		wantStatus(t, db, a.ID, tarjuma.Tajik, tarjuma.StatusApproved)
		ds := pendingDeliveries(t, db)
		if len(ds) != 2 || ds[0].SubscriberID != site.ID || ds[1].SubscriberID != partner.ID || ds[0].Round != 1 ||
			ds[0].GiveUpAt.Sub(ds[0].CreatedAt) != publish.DeliveryWindow {
			t.Fatalf("deliveries %+v, want one each to site and partner", ds)
		}
		if n, err := db.DispatchDeliveries(ctx, 100, time.Now().Add(-time.Hour), func(publish.Delivery) error { return nil }); n != 0 || err != nil {
			t.Errorf("dispatched again before redispatch time: %d, %v", n, err)
		}

		record(t, db, ds[0], 500, publish.OutcomeRetry)
		record(t, db, ds[0], 200, publish.OutcomeDelivered)
		wantStatus(t, db, a.ID, tarjuma.Tajik, tarjuma.StatusApproved) // partner has not acknowledged
		record(t, db, ds[1], 200, publish.OutcomeDelivered)
		wantStatus(t, db, a.ID, tarjuma.Tajik, tarjuma.StatusPublished)
		record(t, db, ds[1], 200, publish.OutcomeDelivered) // a late duplicate changes nothing
		if ds := pendingDeliveries(t, db); len(ds) != 0 {
			t.Errorf("pending after acknowledgement: %+v", ds)
		}

		logs, err := db.Deliveries(ctx, a.ID, tarjuma.Tajik)
		if err != nil || len(logs) != 2 {
			t.Fatalf("Deliveries = %+v, %v", logs, err)
		}
		siteLog := logs[1] // newest first
		if siteLog.SubscriberURL != site.URL || siteLog.State != publish.DeliveryDelivered || siteLog.Attempts[0].StatusCode != 500 ||
			len(siteLog.Attempts) != 2 || siteLog.AttemptCount != 2 || siteLog.Attempts[1].Latency != 12*time.Millisecond || siteLog.Event != publish.EventPublished {
			t.Errorf("site's delivery log %+v", siteLog)
		}
		if _, err := db.Deliveries(ctx, a.ID+100, tarjuma.Tajik); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("deliveries of no translation: %v", err)
		}

		// A newer version of a published translation is an update.
		v2, err := db.SaveHumanVersion(ctx, humanEdit(v1, "nigora", "Саммит"))
		if err != nil {
			t.Fatal(err)
		}
		approve(t, db, a.ID, tarjuma.Tajik, v2.Number)
		ds = pendingDeliveries(t, db)
		o, err := db.Outgoing(ctx, ds[0].ID)
		if err != nil || o.Release.Event != publish.EventUpdated || o.Release.Version.Number != 2 || o.Subscriber.URL != site.URL || o.Release.ExternalID != "p-2" {
			t.Errorf("Outgoing = %+v, %v", o, err)
		}

		// 410 from the partner: disabled, its deliveries cancelled, and the release no longer waits for it.
		record(t, db, ds[0], 204, publish.OutcomeDelivered)
		record(t, db, ds[1], 410, publish.OutcomeGone)
		wantStatus(t, db, a.ID, tarjuma.Tajik, tarjuma.StatusPublished)
		subs, _ := db.Subscribers(ctx)
		if subs[1].ID != partner.ID || subs[1].DisabledAt.IsZero() || subs[1].DisabledReason == "" {
			t.Errorf("partner after 410: %+v", subs[1])
		}
		if _, err := db.Redeliver(ctx, ds[1].ID); !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("redeliver to a disabled subscriber: %v, want ErrConflict", err)
		}

		// Redelivery: same id, next round, a fresh window.
		d, err := db.Redeliver(ctx, ds[0].ID)
		if err != nil || d.ID != ds[0].ID || d.Round != 2 || d.State != publish.DeliveryPending || !d.DispatchedAt.IsZero() {
			t.Errorf("Redeliver = %+v, %v", d, err)
		}
		if again, err := db.Redeliver(ctx, ds[0].ID); err != nil || again.Round != 2 {
			t.Errorf("redeliver a pending delivery: %+v, %v; want it as it is", again, err)
		}
		if ds := pendingDeliveries(t, db); len(ds) != 1 || ds[0].Round != 2 {
			t.Errorf("after redeliver: %+v", ds)
		}
		if _, err := db.Redeliver(ctx, 9999); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("redeliver nothing: %v", err)
		}
	})
}

func TestFailedDeliveryHoldsBackUntilSubscriberDeleted(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		sub := subscribe(t, db, "https://site.example/hook", tarjuma.English)
		a := create(t, db, submission("p-3"))
		translate(t, db, a.ID, tarjuma.English, 1)
		approve(t, db, a.ID, tarjuma.English, 1)
		ds := pendingDeliveries(t, db)
		record(t, db, ds[0], 500, publish.OutcomeFailed)
		wantStatus(t, db, a.ID, tarjuma.English, tarjuma.StatusApproved)
		if err := db.DeleteSubscriber(t.Context(), sub.ID); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, db, a.ID, tarjuma.English, tarjuma.StatusPublished)
	})
}

func TestRotateSubscriberSecret(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		s := subscribe(t, db, "https://site.example/hook", tarjuma.English)
		until := time.Now().Add(time.Hour)
		r, err := db.RotateSubscriberSecret(t.Context(), s.ID, "whsec_new", until)
		if err != nil || r.Secret != "whsec_new" || r.PreviousSecret != s.Secret || !r.PreviousUntil.Equal(until.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("Rotate = %+v, %v", r, err)
		}
		if got := r.SigningSecrets(time.Now()); !slices.Equal(got, []string{"whsec_new", s.Secret}) {
			t.Errorf("secrets during grace %v", got)
		}
		if got := r.SigningSecrets(until.Add(time.Second)); !slices.Equal(got, []string{"whsec_new"}) {
			t.Errorf("secrets after grace %v", got)
		}
		if _, err := db.RotateSubscriberSecret(t.Context(), 999, "x", until); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("rotate nothing: %v", err)
		}
	})
}

func TestListPublished(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		var ids []int64
		for i := range 5 {
			a := create(t, db, submission("pub-"+string(rune('a'+i))))
			translate(t, db, a.ID, tarjuma.Russian, 1)
			approve(t, db, a.ID, tarjuma.Russian, 1)
			translate(t, db, a.ID, tarjuma.English, 1)
			approve(t, db, a.ID, tarjuma.English, 1)
			ids = append(ids, a.ID)
		}
		var got []int64
		f := PublishedFilter{Lang: tarjuma.Russian, Limit: 2}
		for range 10 {
			page, err := db.ListPublished(t.Context(), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				got = append(got, r.Version.ArticleID)
				if r.Version.Lang != tarjuma.Russian {
					t.Errorf("language filter let %s through", r.Version.Lang)
				}
			}
			if len(page) < f.Limit {
				break
			}
			f.After, f.AfterID = page[len(page)-1].PublishedAt, page[len(page)-1].ID
		}
		if !slices.Equal(got, ids) {
			t.Errorf("pages gave articles %v, want %v once each in order", got, ids)
		}
		all, err := db.ListPublished(t.Context(), PublishedFilter{})
		if err != nil || len(all) != 10 {
			t.Errorf("all languages: %d, %v", len(all), err)
		}
		later, err := db.ListPublished(t.Context(), PublishedFilter{Since: time.Now().Add(time.Minute)})
		if err != nil || len(later) != 0 {
			t.Errorf("since the future: %d, %v", len(later), err)
		}
	})
}

// TestConcurrentAcknowledgementsPublish acknowledges the two deliveries of each release at the
// same moment, as two workers do: the release must be published however the two transactions
// interleave. Each saw the other's delivery still pending, and neither published it, in about
// one release in ten of the chaos soak.
func TestConcurrentAcknowledgementsPublish(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		subscribe(t, db, "https://site.example/hook", tarjuma.Russian)
		subscribe(t, db, "https://partner.example/hook", tarjuma.Russian)
		for round := range 20 {
			a := create(t, db, submission(fmt.Sprint("both-", round)))
			translate(t, db, a.ID, tarjuma.Russian, 1)
			approve(t, db, a.ID, tarjuma.Russian, 1)
			ds := pendingDeliveries(t, db)
			if len(ds) != 2 {
				t.Fatalf("deliveries %+v, want two", ds)
			}
			var wg sync.WaitGroup
			gate := make(chan struct{})
			for _, d := range ds {
				wg.Go(func() {
					<-gate
					if err := db.RecordAttempt(t.Context(), publish.Attempt{DeliveryID: d.ID, At: time.Now(), StatusCode: 204}, publish.OutcomeDelivered); err != nil {
						t.Error(err)
					}
				})
			}
			close(gate)
			wg.Wait()
			wantStatus(t, db, a.ID, tarjuma.Russian, tarjuma.StatusPublished)
		}
	})
}
