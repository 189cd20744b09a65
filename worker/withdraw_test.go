package worker

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
	"github.com/tarjuma/tarjuma/store"
)

// TestPublishWithdrawal: after a story was delivered, its withdrawal reaches the same receiver
// as a signed webhook of event translation.withdrawn under a webhook-id of its own, and the
// delivery log keeps both.
func TestPublishWithdrawal(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newPublishFixture(t, db, status(http.StatusNoContent))
		f.approve(t)
		published, task := f.task(t)
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		if _, created, err := db.Withdraw(t.Context(), f.article.ID, "editor", "иск", map[tarjuma.Lang]string{tarjuma.English: "Withdrawn: a lawsuit"}); err != nil || !created {
			t.Fatalf("Withdraw: %v, %v", created, err)
		}
		withdrawal, task := f.task(t)
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		ids, acks := f.hook.state()
		if acks != 2 || len(ids) != 2 || ids[0] != publish.WebhookID(published.ID) || ids[1] != publish.WebhookID(withdrawal.ID) || ids[0] == ids[1] {
			t.Errorf("receiver got ids %v with %d acknowledgements; want the story's, then the withdrawal's", ids, acks)
		}
		if f.hook.event.Type != publish.EventWithdrawn || f.hook.event.Data.ArticleID != f.article.ID {
			t.Errorf("last event %+v, want %s of article %d", f.hook.event, publish.EventWithdrawn, f.article.ID)
		}
		logs, err := db.Deliveries(t.Context(), f.article.ID, tarjuma.English)
		if err != nil || len(logs) != 2 || logs[0].Event != publish.EventWithdrawn || logs[0].State != publish.DeliveryDelivered ||
			len(logs[0].Attempts) != 1 || logs[1].Event != publish.EventPublished {
			t.Errorf("delivery log %+v, %v", logs, err)
		}
	})
}

// TestWithdrawalFollowsDeliveryInFlight: the story's delivery is in flight (held at the
// receiver) when the article is withdrawn. Withdraw cancels it, but the receiver then
// acknowledges it; the withdrawal's delivery, queued because the story was in flight, waits for
// it without calling the receiver and then takes the story down: a WordPress post ends
// unpublished, a webhook receiver gets translation.withdrawn after the story.
func TestWithdrawalFollowsDeliveryInFlight(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		notices := map[tarjuma.Lang]string{tarjuma.English: "Withdrawn: a lawsuit"}
		t.Run("wordpress", func(t *testing.T) {
			wp := wordpresstest.New()
			f := newChannelFixture(t, db, publish.KindWordPress, wp.Start(t), `{}`,
				`{"username":"desk","app_password":"`+wordpresstest.Editor.AppPassword+`"}`, "")
			f.approve(t)
			release := holdPosts(t, wp)
			story := f.pending(t)[0]
			done := f.sendAsync(t, patient(f.handler), story)
			awaitCall(t, wp.Calls, postsRoute)

			if _, _, err := db.Withdraw(t.Context(), f.article.ID, "editor", "иск", notices); err != nil {
				t.Fatal(err)
			}
			ds := f.pending(t)
			if len(ds) != 1 || ds[0].ID == story.ID {
				t.Fatalf("pending after the withdrawal: %+v; want the withdrawal's delivery alone", ds)
			}
			withdrawal := ds[0]
			calls := len(wp.Calls())
			wantWait(t, f.resend(t, withdrawal))
			if n := len(wp.Calls()) - calls; n != 0 {
				t.Errorf("the waiting withdrawal made %d calls to the site", n)
			}

			release()
			if err := <-done; err != nil {
				t.Fatalf("the story's delivery: %v", err)
			}
			if posts := wp.Posts(); len(posts) != 1 || posts[0].Status != "publish" {
				t.Fatalf("posts once the story's request was answered: %+v; want it published", posts)
			}
			if err := f.resend(t, withdrawal); err != nil {
				t.Fatalf("the withdrawal: %v", err)
			}
			if posts := wp.Posts(); len(posts) != 1 || posts[0].Status != publish.WordPressWithdrawnStatus {
				t.Errorf("posts after the withdrawal: %+v; want the one post, status %s", posts, publish.WordPressWithdrawnStatus)
			}
			if l := f.logOf(t, withdrawal.ID); l.State != publish.DeliveryDelivered || l.Event != publish.EventWithdrawn || len(l.Attempts) != 1 {
				t.Errorf("withdrawal's delivery %+v; want delivered after one attempt", l)
			}
		})
		t.Run("webhook", func(t *testing.T) {
			arrived, hold := make(chan struct{}), make(chan struct{})
			var release sync.Once
			t.Cleanup(func() { release.Do(func() { close(hold) }) })
			f := newPublishFixture(t, db, func(w http.ResponseWriter, r *http.Request) {
				close(arrived)
				select {
				case <-hold:
				case <-r.Context().Done():
				}
				w.WriteHeader(http.StatusNoContent)
			}, status(http.StatusNoContent))
			f.approve(t)
			story, task := f.task(t)
			done := make(chan error, 1)
			go func() { done <- patient(f.handler).ProcessTask(t.Context(), task) }()
			select {
			case <-arrived:
			case <-time.After(10 * time.Second):
				t.Fatal("the story never reached the receiver")
			}
			if _, _, err := db.Withdraw(t.Context(), f.article.ID, "editor", "иск", notices); err != nil {
				t.Fatal(err)
			}
			withdrawal, wtask := f.task(t)
			wantWait(t, f.handler.ProcessTask(t.Context(), wtask))
			release.Do(func() { close(hold) })
			if err := <-done; err != nil {
				t.Fatalf("the story's delivery: %v", err)
			}
			if err := f.handler.ProcessTask(t.Context(), wtask); err != nil {
				t.Fatalf("the withdrawal: %v", err)
			}
			ids, acks := f.hook.state()
			if acks != 2 || len(ids) != 2 || ids[0] != publish.WebhookID(story.ID) || ids[1] != publish.WebhookID(withdrawal.ID) {
				t.Errorf("receiver got ids %v with %d acknowledgements; want the story's, then the withdrawal's", ids, acks)
			}
			if f.hook.event.Type != publish.EventWithdrawn || f.hook.event.Data.ArticleID != f.article.ID {
				t.Errorf("last event %s of article %d; want the withdrawal of article %d", f.hook.event.Type, f.hook.event.Data.ArticleID, f.article.ID)
			}
		})
	})
}
