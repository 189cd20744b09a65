package worker

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
	"github.com/tarjuma/tarjuma/store"
)

// tgToken is the stand-in bot's token, in BotFather's form.
const tgToken = "7000001:AAFakeTokenForTheStandInBot_0123"

// channelFixture is an article translated into English and one channel subscriber for it (a
// WordPress site or a Telegram channel, each a stand-in), with a publish handler whose
// connectors reach the stand-ins.
type channelFixture struct {
	db      *store.DB
	article tarjuma.Article
	sub     publish.Subscriber
	handler *PublishHandler
	version tarjuma.Version // the latest
}

func newChannelFixture(t *testing.T, db *store.DB, kind publish.Kind, siteURL, settings, creds string, tgAPI string) *channelFixture {
	t.Helper()
	f := &channelFixture{db: db}
	subs, err := db.Subscribers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if err := db.DeleteSubscriber(t.Context(), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	sealer, err := publish.ParseKey(publish.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sealer.Seal(kind, []byte(creds))
	if err != nil {
		t.Fatal(err)
	}
	f.sub, err = db.CreateSubscriber(t.Context(), publish.NewSubscriber{Kind: kind, URL: siteURL, Settings: json.RawMessage(settings),
		Credentials: sealed, Langs: []tarjuma.Lang{tarjuma.English}, CreatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	f.handler = NewPublishHandler(PublishHandlerConfig{DB: db, Backoff: time.Millisecond, Logger: testLogger(t), Sealer: sealer,
		Connectors: publish.NewConnectors(publish.ConnectorsConfig{
			Sender:    publish.NewSender(publish.SenderConfig{AllowPrivate: true}),
			WordPress: publish.NewWordPressClient(publish.WordPressConfig{AllowPrivate: true, Timeout: 2 * time.Second}),
			// A wait longer than the second between two messages ends the attempt, so a 429's
			// retry_after (tens of seconds here) is the delivery policy's to honour, not a
			// sleep in the test. The rate limits are in a Redis of this fixture's own, so no
			// other test's hold reaches it.
			Telegram: publish.NewTelegramClient(publish.TelegramConfig{APIURL: tgAPI, Timeout: 2 * time.Second, MaxWait: 2 * time.Second,
				Redis: newRedisClient(t, testenv.Redises(t))}),
		})})
	f.article = submitSample(t, db)
	if err := process(t.Context(), t, newHandler(t, db, &stubEngine{}), f.article.ID, tarjuma.English, 1); err != nil {
		t.Fatal(err)
	}
	f.version = versions(t, db, f.article.ID, tarjuma.English)[0]
	return f
}

// approve approves the latest version; the approval rule is not under test here.
func (f *channelFixture) approve(t *testing.T) {
	t.Helper()
	if err := f.db.Approve(t.Context(), f.article.ID, tarjuma.English, f.version.Number, "rustam", "", &store.Override{Reason: "test fixture"}); err != nil {
		t.Fatal(err)
	}
}

// correct saves a version whose title is title, and approves it.
func (f *channelFixture) correct(t *testing.T, title string) {
	t.Helper()
	segs := append([]tarjuma.Segment(nil), f.version.Segments...)
	segs[0].Text, segs[0].Origin = title, tarjuma.OriginHuman
	v, err := f.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: f.article.ID, Lang: tarjuma.English,
		BaseVersion: f.version.Number, Segments: segs, Author: "nigora"})
	if err != nil {
		t.Fatal(err)
	}
	f.version = v
	f.approve(t)
}

// pending returns the pending deliveries, as a relay presuming every task lost would enqueue them.
func (f *channelFixture) pending(t *testing.T) []publish.Delivery {
	t.Helper()
	var ds []publish.Delivery
	if _, err := f.db.DispatchDeliveries(t.Context(), 10, time.Now().Add(time.Hour), func(d publish.Delivery) error {
		ds = append(ds, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ds
}

// send runs the publish task of the one pending delivery, as asynq would on its first try.
func (f *channelFixture) send(t *testing.T) (publish.Delivery, error) {
	t.Helper()
	ds := f.pending(t)
	if len(ds) != 1 {
		t.Fatalf("deliveries %+v; want one", ds)
	}
	return ds[0], f.resend(t, ds[0])
}

func (f *channelFixture) resend(t *testing.T, d publish.Delivery) error {
	t.Helper()
	task, err := NewPublishTask(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.handler.ProcessTask(t.Context(), task)
}

// logOf returns the log of delivery id.
func (f *channelFixture) logOf(t *testing.T, id int64) publish.DeliveryLog {
	t.Helper()
	logs, err := f.db.Deliveries(t.Context(), f.article.ID, tarjuma.English)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logs {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no delivery %d in %+v", id, logs)
	return publish.DeliveryLog{}
}

// TestPublishWordPress publishes through the real publish task to the WordPress stand-in: the
// first approval creates one post, a correction updates that post (no second copy), and
// refused credentials fail the delivery at once, saying what to check.
func TestPublishWordPress(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("create then correct", func(t *testing.T) {
			wp := wordpresstest.New()
			site := wp.Start(t)
			f := newChannelFixture(t, db, publish.KindWordPress, site, `{}`,
				`{"username":"desk","app_password":"`+wordpresstest.Editor.AppPassword+`"}`, "")
			f.approve(t)
			d, err := f.send(t)
			if err != nil {
				t.Fatal(err)
			}
			posts := wp.Posts()
			if len(posts) != 1 || posts[0].Title != f.version.Title() || posts[0].Status != "publish" || posts[0].Author != wordpresstest.Editor.ID {
				t.Fatalf("posts after the first approval: %+v; want one published post titled %q by the editor", posts, f.version.Title())
			}
			if l := f.logOf(t, d.ID); l.State != publish.DeliveryDelivered {
				t.Errorf("delivery %+v, want delivered", l)
			}
			first := posts[0].ID

			f.correct(t, "Summit in Dushanbe — corrected")
			d2, err := f.send(t)
			if err != nil {
				t.Fatal(err)
			}
			posts = wp.Posts()
			if len(posts) != 1 || posts[0].ID != first || posts[0].Title != "Summit in Dushanbe — corrected" {
				t.Errorf("posts after the correction: %+v; want post %d alone, retitled", posts, first)
			}
			if l := f.logOf(t, d2.ID); l.State != publish.DeliveryDelivered || l.Version != 2 || l.Event != publish.EventUpdated {
				t.Errorf("correction's delivery %+v", l)
			}
		})
		t.Run("refused credentials fail at once", func(t *testing.T) {
			wp := wordpresstest.New()
			site := wp.Start(t)
			f := newChannelFixture(t, db, publish.KindWordPress, site, `{}`, `{"username":"desk","app_password":"wrong wrong wrong"}`, "")
			f.approve(t)
			d, err := f.send(t)
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("ProcessTask = %v; want the delivery given up (SkipRetry)", err)
			}
			l := f.logOf(t, d.ID)
			if l.State != publish.DeliveryFailed || len(l.Attempts) != 1 || l.Attempts[0].StatusCode != http.StatusUnauthorized ||
				!strings.Contains(l.LastError, "application password") {
				t.Errorf("delivery %s, attempts %+v, error %q; want failed after one 401 naming the application password", l.State, l.Attempts, l.LastError)
			}
			if len(wp.Posts()) != 0 {
				t.Error("a post was made with refused credentials")
			}
		})
	})
}

// TestPublishTelegram publishes through the real publish task to the Bot API stand-in: the
// first approval sends the article's messages, a correction edits the same messages, a 429's
// retry_after holds every attempt until it is over, and a refused token fails
// the delivery at once.
func TestPublishTelegram(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		settings := `{"chat_id":"` + telegramtest.DefaultChatName + `"}`
		t.Run("send then correct", func(t *testing.T) {
			tg := telegramtest.New(tgToken)
			api := tg.Start(t)
			f := newChannelFixture(t, db, publish.KindTelegram, "", settings, `{"bot_token":"`+tgToken+`"}`, api)
			f.approve(t)
			if _, err := f.send(t); err != nil {
				t.Fatal(err)
			}
			msgs := tg.Messages(telegramtest.DefaultChatName)
			if len(msgs) == 0 || !strings.Contains(msgs[0].Text, f.version.Title()) {
				t.Fatalf("messages after the first approval: %+v; want the article, its title first", msgs)
			}
			var ids []int64
			for _, m := range msgs {
				ids = append(ids, m.ID)
			}

			f.correct(t, "Summit in Dushanbe — corrected")
			d2, err := f.send(t)
			if err != nil {
				t.Fatal(err)
			}
			after := tg.Messages(telegramtest.DefaultChatName)
			if len(after) != len(ids) || after[0].ID != ids[0] || !strings.Contains(after[0].Text, "Summit in Dushanbe — corrected") || after[0].Edits != 1 {
				t.Errorf("messages after the correction: %+v; want messages %v, the first edited once to the new title", after, ids)
			}
			if l := f.logOf(t, d2.ID); l.State != publish.DeliveryDelivered || l.Version != 2 {
				t.Errorf("correction's delivery %+v", l)
			}
		})
		t.Run("429 retry_after honoured", func(t *testing.T) {
			tg := telegramtest.New(tgToken)
			api := tg.Start(t)
			f := newChannelFixture(t, db, publish.KindTelegram, "", settings, `{"bot_token":"`+tgToken+`"}`, api)
			tg.Inject(telegramtest.Fault{Method: "sendMessage", Status: http.StatusTooManyRequests, RetryAfter: 40})
			f.approve(t)
			d, err := f.send(t)
			var ra *retryAfterError
			if !errors.As(err, &ra) || ra.after < 40*time.Second {
				t.Fatalf("ProcessTask = %v; want a retry no sooner than the 40 s Telegram asked", err)
			}
			if l := f.logOf(t, d.ID); l.State != publish.DeliveryPending || len(l.Attempts) != 1 || l.Attempts[0].StatusCode != http.StatusTooManyRequests {
				t.Errorf("delivery %+v; want pending after one 429", l)
			}
			if len(tg.Messages(telegramtest.DefaultChatName)) != 0 {
				t.Error("a message was posted by the refused call")
			}
			// An attempt made before the wait is over (a redelivery, another article for the
			// same chat) does not call Telegram: the chat is held for everyone. That is a wait
			// for the rest of the 40 s, not another failed attempt.
			calls := len(tg.Calls())
			err = f.resend(t, d)
			if !errors.As(err, &ra) || !ra.wait || isFailure(err) || ra.after < 30*time.Second || ra.after > 40*time.Second || len(tg.Calls()) != calls {
				t.Errorf("early retry: %v, Telegram called %d times more; want a wait for the rest of the 40 s, uncalled", err, len(tg.Calls())-calls)
			}
			if l := f.logOf(t, d.ID); l.State != publish.DeliveryPending || len(l.Attempts) != 1 {
				t.Errorf("delivery %+v; want pending after the one attempt that got the 429", l)
			}
		})
		t.Run("refused token fails at once", func(t *testing.T) {
			tg := telegramtest.New(tgToken)
			api := tg.Start(t)
			f := newChannelFixture(t, db, publish.KindTelegram, "", settings, `{"bot_token":"7000001:AAAnotherTokenThatIsNotTheBots_99"}`, api)
			f.approve(t)
			d, err := f.send(t)
			if !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("ProcessTask = %v; want the delivery given up (SkipRetry)", err)
			}
			if l := f.logOf(t, d.ID); l.State != publish.DeliveryFailed || len(l.Attempts) != 1 || l.Attempts[0].StatusCode != http.StatusUnauthorized {
				t.Errorf("delivery %+v; want failed after one 401", l)
			}
		})
	})
}
