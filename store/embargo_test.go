package store

import (
	"errors"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// ChangeEmbargo keeps a history of the changes; setting the embargo it has changes nothing; a
// lifted embargo starts a new round of the deliveries it held, with a give-up time counted
// from now, and opens the feed; a withdrawn article and an unknown one are refused.
func TestChangeEmbargo(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		subscribe(t, db, "https://site.example/hook", tarjuma.Russian)
		until := time.Now().Add(6 * time.Hour).UTC().Truncate(time.Second)
		n := submission("emb-1")
		n.EmbargoUntil = until
		a := create(t, db, n)
		translate(t, db, a.ID, tarjuma.Russian, 1)
		approve(t, db, a.ID, tarjuma.Russian, 1)
		held := pendingDeliveries(t, db)
		if len(held) != 1 || !held[0].GiveUpAt.Equal(publish.GiveUpAt(until)) {
			t.Fatalf("held deliveries %+v", held)
		}

		if c, changed, err := db.ChangeEmbargo(ctx, a.ID, until, "editor"); err != nil || changed || c != (EmbargoChange{Until: until}) {
			t.Errorf("the same embargo again: %+v, %v, %v; want no change and no change recorded", c, changed, err)
		}
		c, changed, err := db.ChangeEmbargo(ctx, a.ID, time.Time{}, "editor")
		if err != nil || !changed || !c.Until.IsZero() || c.By != "editor" || c.At.IsZero() {
			t.Fatalf("lift: %+v, %v, %v", c, changed, err)
		}
		released := pendingDeliveries(t, db) // handed to the relay again, in a new round
		if len(released) != 1 || released[0].Round != held[0].Round+1 || released[0].GiveUpAt.Before(c.At) ||
			released[0].GiveUpAt.After(publish.GiveUpAt(c.At)) {
			t.Errorf("after the lift %+v; want round %d, giving up one window from now", released, held[0].Round+1)
		}
		if again, changed, err := db.ChangeEmbargo(ctx, a.ID, time.Time{}, "admin"); err != nil || changed || again != c {
			t.Errorf("lifting again: %+v, %v, %v; want the last change, %+v", again, changed, err, c)
		}
		if cs, err := db.EmbargoChanges(ctx, a.ID); err != nil || len(cs) != 1 || cs[0] != c {
			t.Errorf("history %+v, %v; want the lift alone", cs, err)
		}
		record(t, db, released[0], 200, publish.OutcomeDelivered)
		if rs, err := db.LatestPublished(ctx, tarjuma.Russian, 10, time.Now()); err != nil || len(rs) != 1 || !rs[0].EmbargoedUntil.IsZero() {
			t.Errorf("feed after the lift: %+v, %v", rs, err)
		}

		if _, _, err := db.ChangeEmbargo(ctx, 999, until, "editor"); !errors.Is(err, tarjuma.ErrNotFound) {
			t.Errorf("unknown article: %v, want not found", err)
		}
		if _, _, err := db.Withdraw(ctx, a.ID, "editor", "иск", nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ChangeEmbargo(ctx, a.ID, until, "editor"); !errors.Is(err, ErrWithdrawn) {
			t.Errorf("withdrawn article: %v, want ErrWithdrawn", err)
		}
		if cs, err := db.EmbargoChanges(ctx, a.ID); err != nil || len(cs) != 1 {
			t.Errorf("refusals were recorded: %+v, %v", cs, err)
		}
	})
}

// Only webhooks sign, so only they hold a secret: one without, or another kind with one, is
// refused.
func TestSubscriberSecretOnlyForWebhooks(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		for _, n := range []publish.NewSubscriber{
			{URL: "https://site.example/hook", Langs: []tarjuma.Lang{tarjuma.Russian}, CreatedBy: "admin"},
			{Kind: publish.KindTelegram, Settings: []byte(`{"chat_id":"@akhbor"}`), Credentials: []byte("sealed"),
				Langs: []tarjuma.Lang{tarjuma.Russian}, Secret: "whsec_x", CreatedBy: "admin"},
			{Kind: publish.KindWordPress, URL: "https://site.example", Credentials: []byte("sealed"),
				Langs: []tarjuma.Lang{tarjuma.Russian}, Secret: "whsec_x", CreatedBy: "admin"},
		} {
			if _, err := db.CreateSubscriber(t.Context(), n); !errors.Is(err, tarjuma.ErrInvalid) {
				t.Errorf("%s with secret %q: %v, want invalid", n.Kind, n.Secret, err)
			}
		}
		tg, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{Kind: publish.KindTelegram, Settings: []byte(`{"chat_id":"@akhbor"}`),
			Credentials: []byte("sealed"), Langs: []tarjuma.Lang{tarjuma.Russian}, CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Subscriber(t.Context(), tg.ID); err != nil || got.Secret != "" {
			t.Errorf("telegram channel holds secret %q, %v", got.Secret, err)
		}
	})
}
