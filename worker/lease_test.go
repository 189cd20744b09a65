package worker

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
	"github.com/tarjuma/tarjuma/store"
)

// holdPosts keeps the WordPress stand-in's post requests in flight until the returned release
// is called (at the latest when the test ends), so a test can act while a publish is under way.
func holdPosts(t *testing.T, wp *wordpresstest.Server) (release func()) {
	t.Helper()
	hold := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(hold) }) }
	t.Cleanup(release)
	wp.Inject(wordpresstest.Fault{Route: postsRoute, Hold: hold})
	return release
}

// awaitCall waits until calls() lists call, the request in flight at the stand-in.
func awaitCall(t *testing.T, calls func() []string, call string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(calls(), call) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s reached the stand-in; calls %v", call, calls())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sendAsync runs the publish task of d in the background; the returned channel gives its error,
// and is closed with none when the task's goroutine ended without returning.
func (f *channelFixture) sendAsync(t *testing.T, h *PublishHandler, d publish.Delivery) <-chan error {
	t.Helper()
	task, err := NewPublishTask(d, 0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		defer close(done)
		done <- h.ProcessTask(t.Context(), task)
	}()
	return done
}

// patient returns a copy of h whose WordPress and webhook connectors wait up to a minute for an
// answer, for a request a test holds at the receiver while it acts.
func patient(h *PublishHandler) *PublishHandler {
	p := *h
	p.connectors = publish.NewConnectors(publish.ConnectorsConfig{
		Sender:    publish.NewSender(publish.SenderConfig{AllowPrivate: true, Timeout: time.Minute}),
		WordPress: publish.NewWordPressClient(publish.WordPressConfig{AllowPrivate: true, Timeout: time.Minute}),
	})
	return &p
}

// wantWait checks that err asks the task to come back soon, having tried nothing: another
// delivery to the channel holds the lease.
func wantWait(t *testing.T, err error) {
	t.Helper()
	var wait *retryAfterError
	var held *store.LeaseHeldError
	if !errors.As(err, &wait) || !wait.wait || !errors.As(err, &held) || wait.after > leaseWait || isFailure(err) {
		t.Fatalf("ProcessTask = %v; want a wait of at most %v for the lease, not counted as a failure", err, leaseWait)
	}
}

const postsRoute = "POST /wp-json/wp/v2/posts"

// TestConcurrentDeliveriesMakeOnePost: a story's delivery is in flight at a WordPress site (the
// create request held there) when its correction is approved. The correction's delivery waits
// for the first, calling nothing and recording no attempt, then updates the post the first made:
// one post, corrected. And an old version's retry coming after its correction went out is
// cancelled, so the site keeps the correction.
func TestConcurrentDeliveriesMakeOnePost(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		creds := `{"username":"desk","app_password":"` + wordpresstest.Editor.AppPassword + `"}`
		t.Run("correction while the story is in flight", func(t *testing.T) {
			wp := wordpresstest.New()
			f := newChannelFixture(t, db, publish.KindWordPress, wp.Start(t), `{}`, creds, "")
			f.approve(t)
			release := holdPosts(t, wp)
			first := f.pending(t)[0]
			done := f.sendAsync(t, patient(f.handler), first)
			awaitCall(t, wp.Calls, postsRoute)

			f.correct(t, "Summit in Dushanbe — corrected")
			ds := slices.DeleteFunc(f.pending(t), func(d publish.Delivery) bool { return d.ID == first.ID })
			if len(ds) != 1 {
				t.Fatalf("pending deliveries besides the one in flight: %+v", ds)
			}
			correction := ds[0]
			calls := len(wp.Calls())
			wantWait(t, f.resend(t, correction))
			if n := len(wp.Calls()) - calls; n != 0 {
				t.Errorf("the waiting correction made %d calls to the site", n)
			}
			if l := f.logOf(t, correction.ID); l.State != publish.DeliveryPending || len(l.Attempts) != 0 {
				t.Errorf("waiting correction %s with %d attempts; want pending with none", l.State, len(l.Attempts))
			}

			release()
			if err := <-done; err != nil {
				t.Fatalf("the first delivery: %v", err)
			}
			if err := f.resend(t, correction); err != nil {
				t.Fatalf("the correction: %v", err)
			}
			posts := wp.Posts()
			if len(posts) != 1 || posts[0].Title != "Summit in Dushanbe — corrected" {
				t.Errorf("posts %+v; want one, corrected", posts)
			}
			for _, id := range []int64{first.ID, correction.ID} {
				if l := f.logOf(t, id); l.State != publish.DeliveryDelivered || len(l.Attempts) != 1 {
					t.Errorf("delivery %d %s with %d attempts; want delivered after one", id, l.State, len(l.Attempts))
				}
			}
		})
		t.Run("old version retried after the correction", func(t *testing.T) {
			wp := wordpresstest.New()
			f := newChannelFixture(t, db, publish.KindWordPress, wp.Start(t), `{}`, creds, "")
			f.approve(t)
			wp.Inject(wordpresstest.Fault{Route: postsRoute, Status: 503})
			old, err := f.send(t)
			var retry *retryAfterError
			if !errors.As(err, &retry) || len(wp.Posts()) != 0 {
				t.Fatalf("first attempt: %v, posts %+v; want a retry, no post", err, wp.Posts())
			}
			f.correct(t, "Summit in Dushanbe — corrected")
			ds := f.pending(t)
			for _, d := range ds {
				if d.ID != old.ID {
					if err := f.resend(t, d); err != nil {
						t.Fatal(err)
					}
				}
			}
			calls := len(wp.Calls())
			if err := f.resend(t, old); err != nil {
				t.Fatalf("old version's retry: %v", err)
			}
			if posts := wp.Posts(); len(posts) != 1 || posts[0].Title != "Summit in Dushanbe — corrected" || len(wp.Calls()) != calls {
				t.Errorf("posts %+v after the old version's retry (%d calls); want the correction untouched", posts, len(wp.Calls())-calls)
			}
			if l := f.logOf(t, old.ID); l.State != publish.DeliveryCancelled || !strings.Contains(l.LastError, "superseded by version 2") {
				t.Errorf("old version's delivery %s (%q); want cancelled, superseded", l.State, l.LastError)
			}
		})
	})
}

// dyingConnector stands for a worker process that dies just after the connector saved its
// progress for the first time: runtime.Goexit ends the task's goroutine there, so nothing after
// it runs and the attempt is never recorded, as when the process is killed.
type dyingConnector struct{ publish.Connector }

func (c dyingConnector) Deliver(ctx context.Context, d publish.Dispatch) publish.Result {
	save := d.Save
	d.Save = func(ctx context.Context, state []byte) error {
		if err := save(ctx, state); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	}
	return c.Connector.Deliver(ctx, d)
}

// TestTelegramRetryAfterCrashSendsNoMessageTwice: a long article goes to Telegram as several
// messages. The worker dies after the first was sent; the retry leaves that one (its state says
// what it holds) and sends only the rest, so the channel has each part once.
func TestTelegramRetryAfterCrashSendsNoMessageTwice(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		tg := telegramtest.New(tgToken)
		f := newChannelFixture(t, db, publish.KindTelegram, "", `{"chat_id":"`+telegramtest.DefaultChatName+`"}`,
			`{"bot_token":"`+tgToken+`"}`, tg.Start(t))
		para := strings.Repeat("اجتمع قادة الدول في دوشنبه لمناقشة التعاون الإقليمي والأمن. ", 60)
		f.article = submit(t, db, "قمة دوشنبه", strings.Join([]string{para, para, para}, "\n\n"))
		mustProcess(t, newHandler(t, db, &stubEngine{}), f.article.ID, tarjuma.English, 1)
		f.version = versions(t, db, f.article.ID, tarjuma.English)[0]
		f.approve(t)
		d := f.pending(t)[0]
		o, err := db.Outgoing(t.Context(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		parts := publish.NewTelegramPost(o.Release.Item()).Messages()
		if len(parts) < 3 {
			t.Fatalf("the article makes %d messages; the test needs several", len(parts))
		}

		dying := *f.handler
		dying.connectors = publish.Connectors{publish.KindTelegram: dyingConnector{f.handler.connectors[publish.KindTelegram]}}
		if err, returned := <-f.sendAsync(t, &dying, d); returned {
			t.Fatalf("the dying task returned %v; want it to die after the first message", err)
		}
		if msgs := tg.Messages(telegramtest.DefaultChatName); len(msgs) != 1 {
			t.Fatalf("%d messages when the worker died; want the first only", len(msgs))
		}
		if l := f.logOf(t, d.ID); len(l.Attempts) != 0 || l.State != publish.DeliveryPending {
			t.Fatalf("delivery %s with %d attempts after the crash; want pending, none recorded", l.State, len(l.Attempts))
		}
		first := tg.Messages(telegramtest.DefaultChatName)[0].ID

		if err := f.resend(t, d); err != nil {
			t.Fatalf("retry: %v", err)
		}
		msgs := tg.Messages(telegramtest.DefaultChatName)
		if len(msgs) != len(parts) || msgs[0].ID != first {
			t.Fatalf("%d messages after the retry, the first %d; want %d, the first still %d", len(msgs), msgs[0].ID, len(parts), first)
		}
		for i, m := range msgs {
			if text, _, err := telegramtest.ParseHTML(parts[i]); err != nil || m.Text != text {
				t.Errorf("message %d is %.60q; want part %d, %.60q (%v)", i, m.Text, i, text, err)
			}
		}
		if l := f.logOf(t, d.ID); l.State != publish.DeliveryDelivered || len(l.Attempts) != 1 {
			t.Errorf("delivery %s with %d attempts; want delivered after the retry's one", l.State, len(l.Attempts))
		}
	})
}
