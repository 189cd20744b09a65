package store

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// A withdrawal queues one delivery of event withdrawn per channel that received the language,
// none to a channel that never had it, cancels what had not arrived, leaves the feed, refuses
// later approvals, and is recorded once however often it is asked for.
func TestWithdrawQueuesOneDeliveryPerChannelThatGotIt(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site := subscribe(t, db, "https://site.example/hook", tarjuma.Russian, tarjuma.Tajik)
		partner := subscribe(t, db, "https://partner.example/hook", tarjuma.Russian)
		slow := subscribe(t, db, "https://slow.example/hook", tarjuma.Tajik)
		a := create(t, db, submission("w-1"))
		translate(t, db, a.ID, tarjuma.Russian, 1)
		translate(t, db, a.ID, tarjuma.Tajik, 1)
		approve(t, db, a.ID, tarjuma.Russian, 1)
		approve(t, db, a.ID, tarjuma.Tajik, 1)
		for _, d := range pendingDeliveries(t, db) {
			if d.SubscriberID != slow.ID { // slow never acknowledges the Tajik story
				record(t, db, d, 200, publish.OutcomeDelivered)
			}
		}
		if rs, err := db.LatestPublished(ctx, tarjuma.Russian, 10, time.Now()); err != nil || len(rs) != 1 {
			t.Fatalf("feed before the withdrawal: %+v, %v", rs, err)
		}

		notices := map[tarjuma.Lang]string{tarjuma.Russian: "Материал отозван: иск", tarjuma.Tajik: "Мавод бозхонд шуд: даъво"}
		w, created, err := db.Withdraw(ctx, a.ID, "editor", "иск", notices)
		if err != nil || !created || w.By != "editor" || w.Reason != "иск" || w.At.IsZero() {
			t.Fatalf("Withdraw = %+v, %v, %v", w, created, err)
		}
		ds := pendingDeliveries(t, db)
		got := map[int64][]tarjuma.Lang{}
		for _, d := range ds {
			o, err := db.Outgoing(ctx, d.ID)
			if err != nil || o.Release.Event != publish.EventWithdrawn || o.Release.Notice != notices[o.Release.Version.Lang] ||
				o.Release.Version.Number != 1 {
				t.Errorf("withdrawal delivery %+v: %+v, %v", d, o.Release, err)
			}
			got[d.SubscriberID] = append(got[d.SubscriberID], o.Release.Version.Lang)
			// Retried until done: a channel down for days still gets it (README, a week).
			if days := d.GiveUpAt.Sub(w.At).Hours() / 24; days < 7 {
				t.Errorf("withdrawal delivery %d gives up %.1f days after the withdrawal, want a week", d.ID, days)
			}
		}
		for _, d := range ds {
			record(t, db, d, 200, publish.OutcomeDelivered)
		}
		if len(ds) != 3 || len(got[site.ID]) != 2 || len(got[partner.ID]) != 1 || got[partner.ID][0] != tarjuma.Russian || len(got[slow.ID]) != 0 {
			t.Errorf("withdrawal deliveries by subscriber %v (%d), want site ru+tg, partner ru, slow none", got, len(ds))
		}
		logs, err := db.Deliveries(ctx, a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		var cancelled, withdrawals int
		for _, l := range logs {
			if l.SubscriberID == slow.ID && l.State == publish.DeliveryCancelled {
				cancelled++
			}
			if l.Event == publish.EventWithdrawn {
				withdrawals++
			}
		}
		if cancelled != 1 || withdrawals != 1 {
			t.Errorf("Tajik log: %d cancelled to slow, %d withdrawals; want 1 and 1: %+v", cancelled, withdrawals, logs)
		}
		if rs, err := db.LatestPublished(ctx, tarjuma.Russian, 10, time.Now()); err != nil || len(rs) != 0 {
			t.Errorf("feed after the withdrawal: %+v, %v", rs, err)
		}

		again, created, err := db.Withdraw(ctx, a.ID, "admin", "другая причина", notices)
		if err != nil || created || again != w {
			t.Errorf("second Withdraw = %+v, %v, %v; want the first, not created", again, created, err)
		}
		if ds := pendingDeliveries(t, db); len(ds) != 0 {
			t.Errorf("second withdrawal queued %+v", ds)
		}
		if got, err := db.Withdrawn(ctx, a.ID); err != nil || got == nil || *got != w {
			t.Errorf("Withdrawn = %+v, %v", got, err)
		}

		v1, err := db.Version(ctx, a.ID, tarjuma.Russian, 1)
		if err != nil {
			t.Fatal(err)
		}
		v2, err := db.SaveHumanVersion(ctx, humanEdit(v1, "nigora", "Саммит"))
		if err != nil {
			t.Fatal(err)
		}
		err = db.Approve(ctx, a.ID, tarjuma.Russian, v2.Number, "rustam", "", &Override{Reason: "again"})
		if !errors.Is(err, ErrWithdrawn) || !errors.Is(err, tarjuma.ErrConflict) {
			t.Errorf("approval after the withdrawal: %v, want ErrWithdrawn", err)
		}
		if _, _, err := db.Withdraw(ctx, a.ID+100, "editor", "x", nil); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("withdraw no article: %v", err)
		}
		other := create(t, db, submission("w-2"))
		if got, err := db.Withdrawn(ctx, other.ID); err != nil || got != nil {
			t.Errorf("Withdrawn of a live article = %+v, %v", got, err)
		}
	})
}

// Migration 0016 rebuilds releases on SQLite: the releases, deliveries and attempts of a
// database made before it survive, and deliveries still refer to the new table.
func TestWithdrawalsMigrationKeepsReleasesOnSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, err := Open(ctx, "sqlite:"+t.TempDir()+"/old.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ms, err := db.dialect.migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version >= 16 {
			break
		}
		if err := db.inTx(ctx, func(tx *sql.Tx) error { _, err := db.applyMigration(ctx, tx, m); return err }); err != nil {
			t.Fatalf("migration %s: %v", m.name, err)
		}
	}
	// Today's CreateArticle writes embargo_until: lend the old table the column for it, then
	// take it away again, leaving the shape 0016 starts from.
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE articles ADD COLUMN embargo_until TIMESTAMP`); err != nil {
		t.Fatal(err)
	}
	a := create(t, db, submission("m-1"))
	translate(t, db, a.ID, tarjuma.Russian, 1)
	if _, err := db.write.ExecContext(ctx, `ALTER TABLE articles DROP COLUMN embargo_until`); err != nil {
		t.Fatal(err)
	}
	s := subscribe(t, db, "https://site.example/hook", tarjuma.Russian)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO releases (id, article_id, lang, version, event, approved_by, approved_at, published_at)
			VALUES (7, $1, 'ru', 1, 'translation.published', 'rustam', $2, $2)`,
		`INSERT INTO deliveries (id, release_id, subscriber_id, state, give_up_at, created_at) VALUES (9, 7, $3, 'delivered', $2, $2)`,
		`INSERT INTO delivery_attempts (delivery_id, attempted_at, status_code, latency_ms) VALUES (9, $2, 200, 5)`,
	} {
		if _, err := db.write.ExecContext(ctx, q, a.ID, at, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate over data: %v", err)
	}
	logs, err := db.Deliveries(ctx, a.ID, tarjuma.Russian)
	if err != nil || len(logs) != 1 || logs[0].ID != 9 || logs[0].ReleaseID != 7 || logs[0].Event != publish.EventPublished || len(logs[0].Attempts) != 1 {
		t.Fatalf("Deliveries after the migration = %+v, %v", logs, err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO deliveries (release_id, subscriber_id, state, give_up_at, created_at)
		VALUES (70, $1, 'pending', $2, $2)`, s.ID, at); err == nil {
		t.Error("a delivery of no release was stored: deliveries no longer refers to releases")
	}
	if _, created, err := db.Withdraw(ctx, a.ID, "editor", "legal", nil); err != nil || !created {
		t.Errorf("Withdraw after the migration: %v, %v", created, err)
	}
	if ds := pendingDeliveries(t, db); len(ds) != 1 || ds[0].SubscriberID != s.ID {
		t.Errorf("withdrawal deliveries %+v, want one to the subscriber that had it", ds)
	}
}

// An embargoed article stays out of the feed until its embargo ends, on the caller's clock,
// even when approved and published before.
func TestEmbargoHoldsTheFeed(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		na := submission("e-1")
		na.EmbargoUntil = until
		a := create(t, db, na)
		translate(t, db, a.ID, tarjuma.Russian, 1)
		approve(t, db, a.ID, tarjuma.Russian, 1)
		if got, err := db.Embargo(ctx, a.ID); err != nil || !got.Equal(until) {
			t.Errorf("Embargo = %v, %v; want %v", got, err, until)
		}
		for _, c := range []struct {
			at   time.Time
			want int
		}{{until.Add(-time.Second), 0}, {until, 1}, {until.Add(time.Minute), 1}} {
			if rs, err := db.LatestPublished(ctx, tarjuma.Russian, 10, c.at); err != nil || len(rs) != c.want {
				t.Errorf("feed at %v: %d entries, %v; want %d", c.at, len(rs), err, c.want)
			}
		}
		free := create(t, db, submission("e-2"))
		if got, err := db.Embargo(ctx, free.ID); err != nil || !got.IsZero() {
			t.Errorf("Embargo of an article without one = %v, %v", got, err)
		}
		if _, err := db.Embargo(ctx, free.ID+100); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("Embargo of no article: %v", err)
		}
	})
}
