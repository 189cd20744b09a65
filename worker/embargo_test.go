package worker

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// editor is who changes embargoes in these tests, through the desk as both doors do.
var editor = desk.Actor{User: tarjuma.User{Email: "editor@desk.test", Role: tarjuma.RoleEditor}, Name: "editor@desk.test"}

// embargoedFixture is newPublishFixture's receiver with an approved English translation of an
// article embargoed until `until`.
func embargoedFixture(t *testing.T, db *store.DB, until time.Time, answers ...func(w http.ResponseWriter, r *http.Request)) *publishFixture {
	t.Helper()
	f := newPublishFixture(t, db, answers...)
	a, _, err := db.CreateArticle(t.Context(), store.NewArticle{Title: sampleTitle, Body: sampleBody,
		TargetLangs: tarjuma.TargetLangs(), Priority: tarjuma.PriorityDefault, Author: "test", EmbargoUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	if err := process(t.Context(), t, newHandler(t, db, &stubEngine{}), a.ID, tarjuma.English, 1); err != nil {
		t.Fatal(err)
	}
	f.article = a
	f.approve(t)
	return f
}

// TestEmbargoLiftedPublishesAtOnce runs approval → relay → asynq → handler with the article
// under a three-hour embargo: the task is held in asynq's retry queue until then. Lifting the
// embargo through the desk must deliver the story now, not in three hours: the relay, woken
// by the desk, enqueues the delivery's new round, and the held task of the old one, when it
// wakes, finds nothing to do.
func TestEmbargoLiftedPublishesAtOnce(t *testing.T) {
	t.Parallel()
	eachDBAndRedis(t, func(t *testing.T, db *store.DB, redis asynq.RedisConnOpt) {
		f := embargoedFixture(t, db, time.Now().Add(3*time.Hour), status(http.StatusNoContent))
		srv := NewServer(ServerConfig{Redis: redis, Concurrency: 2, ShutdownTimeout: time.Second, Logger: testLogger(t),
			Handler: newHandler(t, db, &stubEngine{}), Publish: f.handler})
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		relay := startRelay(t, db, newClient(t, redis), RelayConfig{})
		relay.Wake()

		// The first round's task ran and now waits in the retry queue for the embargo's end.
		held := f.log(t)
		inspector := asynq.NewInspector(redis)
		t.Cleanup(func() { inspector.Close() })
		taskID := fmt.Sprintf("publish:%d:%d", held.ID, held.Round)
		deadline := time.Now().Add(30 * time.Second)
		for {
			info, err := inspector.GetTaskInfo(string(tarjuma.PriorityDefault), taskID)
			if err == nil && info.State == asynq.TaskStateRetry {
				if wait := time.Until(info.NextProcessAt); wait < 2*time.Hour {
					t.Fatalf("the held task comes back in %v, want when the embargo ends (in about 3h)", wait)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task %s not held for the embargo: %+v, %v", taskID, info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if ids, _ := f.hook.state(); len(ids) != 0 {
			t.Fatalf("the receiver got %d requests during the embargo", len(ids))
		}

		d := desk.New(desk.Config{DB: db, Waker: relay})
		c, err := d.LiftEmbargo(t.Context(), editor, f.article.ID)
		if err != nil || !c.Until.IsZero() || c.By != editor.Name {
			t.Fatalf("LiftEmbargo = %+v, %v", c, err)
		}
		deadline = time.Now().Add(30 * time.Second)
		for translation(t, db, f.article.ID, tarjuma.English).Status != tarjuma.StatusPublished {
			if time.Now().After(deadline) {
				t.Fatalf("not published after the embargo was lifted; delivery %+v", f.log(t))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if ids, acks := f.hook.state(); len(ids) != 1 || acks != 1 {
			t.Errorf("receiver got webhook-ids %v with %d acks, want one delivery", ids, acks)
		}
		if l := f.log(t); l.State != publish.DeliveryDelivered || l.Round != held.Round+1 || len(l.Attempts) != 1 {
			t.Errorf("delivery %s round %d with %d attempts, want delivered in round %d with one", l.State, l.Round, len(l.Attempts), held.Round+1)
		}
		// The old round's task, woken early here, does nothing: its round is over.
		if err := inspector.RunTask(string(tarjuma.PriorityDefault), taskID); err != nil {
			t.Fatal(err)
		}
		deadline = time.Now().Add(30 * time.Second)
		for {
			info, err := inspector.GetTaskInfo(string(tarjuma.PriorityDefault), taskID)
			if err == nil && info.State == asynq.TaskStateCompleted {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the old round's task did not complete: %+v, %v", info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if ids, _ := f.hook.state(); len(ids) != 1 {
			t.Errorf("the old round's task sent again: %d requests", len(ids))
		}
	})
}

// TestEmbargoMoved changes the embargo of a held delivery without the queue, task by task. A
// lengthened embargo keeps the held task, which on waking reads the new time and waits again,
// and moves the give-up time with it, so a long embargo does not fail the delivery; ninjs's
// embargoedUntil says the new time. A shortened one, still in the future, starts a new round
// whose task waits only until the new time; the old round's task does nothing.
func TestEmbargoMoved(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		first := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
		f := embargoedFixture(t, db, first, status(http.StatusNoContent))
		d := desk.New(desk.Config{DB: db})
		before, task := f.task(t)
		wantHeld := func(task *asynq.Task, until time.Time) {
			t.Helper()
			left := time.Until(until)
			err := f.handler.ProcessTask(t.Context(), task)
			if !errors.Is(err, errEmbargoed) {
				t.Fatalf("task returned %v, want held by the embargo", err)
			}
			if wait := retryDelay(0, err, task); wait > left || wait < left-time.Minute {
				t.Errorf("the task comes back in %v, want when the embargo ends (in %v)", wait, left)
			}
		}
		wantHeld(task, first)

		longer := first.Add(47 * time.Hour)
		c, err := d.SetEmbargo(t.Context(), editor, f.article.ID, longer.In(time.FixedZone("", 5*3600)).Format(time.RFC3339))
		if err != nil || !c.Until.Equal(longer) || c.By != editor.Name {
			t.Fatalf("SetEmbargo = %+v, %v", c, err)
		}
		l := f.log(t)
		if l.Round != before.Round {
			t.Errorf("a lengthened embargo started round %d; the held task (round %d) waits again by itself", l.Round, before.Round)
		}
		if want := publish.GiveUpAt(longer); !l.GiveUpAt.Equal(want) {
			t.Errorf("give-up time %v, want %v: one window after the new end", l.GiveUpAt, want)
		}
		o, err := db.Outgoing(t.Context(), l.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := publish.NewNinjs("desk.test", o.Release)
		if n.EmbargoedUntil == nil || !n.EmbargoedUntil.Equal(longer) {
			t.Errorf("ninjs embargoedUntil %v, want %v", n.EmbargoedUntil, longer)
		}
		wantHeld(task, longer) // the held task woke at the old time

		shorter := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		if _, err := d.SetEmbargo(t.Context(), editor, f.article.ID, shorter.Format(time.RFC3339)); err != nil {
			t.Fatal(err)
		}
		again, next := f.task(t)
		if again.Round != before.Round+1 {
			t.Fatalf("a shortened embargo left the delivery in round %d, want %d", again.Round, before.Round+1)
		}
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Errorf("the old round's task returned %v, want nil (nothing to do)", err)
		}
		wantHeld(next, shorter)
		if ids, _ := f.hook.state(); len(ids) != 0 {
			t.Errorf("the receiver got %d requests during the embargo", len(ids))
		}
		if l := f.log(t); l.State != publish.DeliveryPending || len(l.Attempts) != 0 || !l.GiveUpAt.Equal(publish.GiveUpAt(shorter)) {
			t.Errorf("delivery %s, %d attempts, gives up at %v; want pending, none, %v", l.State, len(l.Attempts), l.GiveUpAt, publish.GiveUpAt(shorter))
		}
	})
}
