package worker

import (
	"net/http"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
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
