package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// TestChannelColumns: kind, payload, settings and sealed credentials round-trip; a subscriber
// made without a kind is a webhook of our payload, as the rows from before kinds are.
func TestChannelColumns(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		plain := subscribe(t, db, "https://plain.example/hook", tarjuma.Russian)
		if plain.Kind != publish.KindWebhook || plain.Payload != publish.PayloadTarjuma {
			t.Errorf("default subscriber: %s/%s, want webhook/tarjuma", plain.Kind, plain.Payload)
		}
		sealer, err := publish.ParseKey(publish.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		blob, err := sealer.Seal(publish.KindTelegram, []byte("123:секрет"))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := db.CreateSubscriber(ctx, publish.NewSubscriber{Kind: publish.KindTelegram, Payload: publish.PayloadTarjuma,
			Settings: []byte(`{"chat_id":"@akhbor"}`), Credentials: blob, Langs: []tarjuma.Lang{tarjuma.Tajik}, CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		ninjs, err := db.CreateSubscriber(ctx, publish.NewSubscriber{Payload: publish.PayloadNinjs, URL: "https://ninjs.example/in",
			Langs: []tarjuma.Lang{tarjuma.English}, Secret: "whsec_y", CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Subscriber(ctx, tg.ID)
		if err != nil || got.Kind != publish.KindTelegram || string(got.Settings) != `{"chat_id":"@akhbor"}` || !bytes.Equal(got.Credentials, blob) {
			t.Fatalf("Subscriber = %+v, %v", got, err)
		}
		if plain, err := db.Subscriber(ctx, ninjs.ID); err != nil || plain.Payload != publish.PayloadNinjs || plain.Credentials != nil ||
			string(plain.Settings) != "{}" {
			t.Errorf("ninjs webhook %+v, %v", plain, err)
		}
		sealed, err := db.SealedCredentials(ctx)
		if err != nil || len(sealed) != 1 || sealed[0].ID != tg.ID {
			t.Fatalf("SealedCredentials = %+v, %v; want the telegram channel alone", sealed, err)
		}
		if token, err := sealer.Open(sealed[0].Kind, sealed[0].Credentials); err != nil || string(token) != "123:секрет" {
			t.Errorf("opened %q, %v", token, err)
		}
		if err := db.DeleteSubscriber(ctx, tg.ID); err != nil {
			t.Fatal(err)
		}
		if sealed, err := db.SealedCredentials(ctx); err != nil || len(sealed) != 0 {
			t.Errorf("after delete SealedCredentials = %+v, %v; want none", sealed, err)
		}
	})
}

// TestSubscriberEnableDisable: disabling by hand cancels pending deliveries and keeps the
// subscriber out of later approvals until it is enabled; a 410's reason survives a second
// disable; tests are recorded.
func TestSubscriberEnableDisable(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		site := subscribe(t, db, "https://site.example/hook", tarjuma.Tajik)
		a := create(t, db, submission("e-1"))
		translate(t, db, a.ID, tarjuma.Tajik, 1)
		approve(t, db, a.ID, tarjuma.Tajik, 1)
		if ds := pendingDeliveries(t, db); len(ds) != 1 {
			t.Fatalf("deliveries %+v, want one", ds)
		}
		off, err := db.DisableSubscriber(ctx, site.ID, publish.DisabledByHand+"admin@desk.test")
		if err != nil || off.DisabledAt.IsZero() || off.DisabledReason != "disabled by admin@desk.test" {
			t.Fatalf("DisableSubscriber = %+v, %v", off, err)
		}
		if ds := pendingDeliveries(t, db); len(ds) != 0 {
			t.Errorf("pending after disable: %+v", ds)
		}
		wantStatus(t, db, a.ID, tarjuma.Tajik, tarjuma.StatusPublished) // nobody else waited for
		again, err := db.DisableSubscriber(ctx, site.ID, "disabled by someone else")
		if err != nil || !again.DisabledAt.Equal(off.DisabledAt) || again.DisabledReason != off.DisabledReason {
			t.Errorf("second disable: %+v, %v; want the first one kept", again, err)
		}

		b := create(t, db, submission("e-2"))
		translate(t, db, b.ID, tarjuma.Tajik, 1)
		approve(t, db, b.ID, tarjuma.Tajik, 1)
		if ds := pendingDeliveries(t, db); len(ds) != 0 {
			t.Errorf("a disabled subscriber got %+v", ds)
		}
		on, err := db.EnableSubscriber(ctx, site.ID)
		if err != nil || !on.DisabledAt.IsZero() || on.DisabledReason != "" {
			t.Fatalf("EnableSubscriber = %+v, %v", on, err)
		}
		c := create(t, db, submission("e-3"))
		translate(t, db, c.ID, tarjuma.Tajik, 1)
		approve(t, db, c.ID, tarjuma.Tajik, 1)
		if ds := pendingDeliveries(t, db); len(ds) != 1 || ds[0].SubscriberID != site.ID {
			t.Errorf("after enable: deliveries %+v, want one to the site", ds)
		}

		at := time.Date(2026, 12, 5, 15, 0, 0, 0, time.UTC)
		tested, err := db.RecordCheck(ctx, site.ID, publish.CheckResult{At: at, StatusCode: 401, Error: "receiver answered 401 Unauthorized"})
		if err != nil || !tested.Check.At.Equal(at) || tested.Check.StatusCode != 401 || tested.Check.OK() {
			t.Errorf("RecordCheck = %+v, %v", tested.Check, err)
		}
		if err := db.DeleteSubscriber(ctx, site.ID); err != nil {
			t.Fatal(err)
		}
		for name, f := range map[string]func() error{
			"enable":  func() error { _, err := db.EnableSubscriber(ctx, site.ID); return err },
			"disable": func() error { _, err := db.DisableSubscriber(ctx, site.ID, "x"); return err },
			"check":   func() error { _, err := db.RecordCheck(ctx, site.ID, publish.CheckResult{At: at}); return err },
			"get":     func() error { _, err := db.Subscriber(ctx, site.ID); return err },
		} {
			if err := f(); !errors.Is(err, tarjuma.ErrNotFound) {
				t.Errorf("%s a deleted subscriber: %v, want ErrNotFound", name, err)
			}
		}
	})
}
