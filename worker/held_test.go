package worker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/store"
)

// TestTelegramHeldGivesTheWorkerBack: a burst has spent a Telegram chat's 20 messages a minute
// when a long story (several messages) is approved for the chat and for a webhook. On a server
// with one worker, the Telegram delivery, held for most of a minute, gives the worker back at
// once: the webhook delivery goes meanwhile. The held delivery records no attempt and uses no
// retry; asynq brings it back when the chat has room (the minute after the burst began), and
// the handler says so at once, without calling Telegram, whenever it is run early. When the
// chat has room, it sends the story: each part in the channel once. (Holding in the middle of
// a story, and carrying on from the message sent, is TestTelegramHeldStopsAndCarriesOn's.)
func TestTelegramHeldGivesTheWorkerBack(t *testing.T) {
	t.Parallel()
	eachDBAndRedis(t, func(t *testing.T, db *store.DB, ropt asynq.RedisConnOpt) {
		ctx := t.Context()
		rdb, ok := ropt.MakeRedisClient().(redis.UniversalClient)
		if !ok {
			t.Fatalf("asynq's Redis client is a %T", ropt.MakeRedisClient())
		}
		t.Cleanup(func() { rdb.Close() })
		tg := telegramtest.New(tgToken)
		api := tg.Start(t)
		f := newChannelFixture(t, db, publish.KindTelegram, "", `{"chat_id":"`+telegramtest.DefaultChatName+`"}`,
			`{"bot_token":"`+tgToken+`"}`, api)
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		t.Cleanup(hook.Close)
		if _, err := db.CreateSubscriber(ctx, publish.NewSubscriber{URL: hook.URL, Langs: []tarjuma.Lang{tarjuma.English},
			Secret: publish.NewSecret(), CreatedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
		// The fixture's client gives up any wait; this one waits as deployed (the default), its
		// limiter in the Redis the queue uses.
		h := *f.handler
		h.connectors = publish.NewConnectors(publish.ConnectorsConfig{
			Sender:   publish.NewSender(publish.SenderConfig{AllowPrivate: true}),
			Telegram: publish.NewTelegramClient(publish.TelegramConfig{APIURL: api, Timeout: 2 * time.Second, Redis: rdb}),
		})

		para := strings.Repeat("اجتمع قادة الدول في دوشنبه لمناقشة التعاون الإقليمي والأمن. ", 60)
		f.article = submit(t, db, "قمة دوشنبه", strings.Join([]string{para, para, para}, "\n\n"))
		mustProcess(t, newHandler(t, db, &stubEngine{}), f.article.ID, tarjuma.English, 1)
		f.version = versions(t, db, f.article.ID, tarjuma.English)[0]
		f.approve(t)
		var tgd, webhook publish.Delivery
		for _, d := range f.pending(t) {
			if d.SubscriberID == f.sub.ID {
				tgd = d
			} else {
				webhook = d
			}
		}
		o, err := db.Outgoing(ctx, tgd.ID)
		if err != nil || webhook.ID == 0 {
			t.Fatalf("deliveries: telegram %+v (%v), webhook %+v", tgd, err, webhook)
		}
		parts := publish.NewTelegramPost(o.Release.Item()).Messages()
		if len(parts) < 2 {
			t.Fatalf("the story makes %d messages; the test needs several", len(parts))
		}

		// The burst: 20 messages into the chat, a second apart, whose first leaves Telegram's
		// minute (and the limiter's second of slack) at spent+61s. Each reserves its slot and
		// gives up waiting for it at once; a wait given up keeps its place counted.
		const window = time.Minute + time.Second
		lim := publish.NewTelegramLimiter(rdb)
		spent := time.Now()
		for range 20 {
			wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			err := lim.Wait(wctx, publish.TelegramChannel{ChatID: telegramtest.DefaultChatName, BotToken: tgToken}, time.Minute)
			cancel()
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
		}
		spentEnd := time.Now()

		srv := NewServer(ServerConfig{Redis: ropt, Concurrency: 1, ShutdownTimeout: time.Second, Logger: testLogger(t),
			Handler: newHandler(t, db, &stubEngine{}), Publish: &h})
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		client := newClient(t, ropt)
		enqueue := func(d publish.Delivery) *asynq.Task {
			t.Helper()
			task, err := NewPublishTask(d, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.Enqueue(task); err != nil {
				t.Fatal(err)
			}
			return task
		}
		task := enqueue(tgd)
		enqueue(webhook) // behind the Telegram delivery, on the one worker

		// The webhook goes long before the chat has room.
		awaitDelivery(t, f, webhook.ID, time.Until(spent.Add(window/2)))
		inspector := asynq.NewInspector(ropt)
		t.Cleanup(func() { inspector.Close() })
		queue, taskID := string(tarjuma.PriorityDefault), fmt.Sprintf("publish:%d:%d", tgd.ID, tgd.Round)
		info, err := inspector.GetTaskInfo(queue, taskID)
		if err != nil {
			t.Fatal(err)
		}
		// asynq keeps retry times in whole seconds.
		earliest, latest := spent.Add(window-time.Second), spentEnd.Add(window+5*time.Second)
		if info.State != asynq.TaskStateRetry || info.Retried != 0 || info.NextProcessAt.Before(earliest) || info.NextProcessAt.After(latest) {
			t.Errorf("the held task is %s, retried %d, due at %v; want to retry, none counted, between %v and %v (the chat's room)",
				info.State, info.Retried, info.NextProcessAt.Format(time.TimeOnly), earliest.Format(time.TimeOnly), latest.Format(time.TimeOnly))
		}
		if msgs := tg.Messages(telegramtest.DefaultChatName); len(msgs) != 0 {
			t.Fatalf("%d messages in the chat while it is held; want none", len(msgs))
		}
		if l := f.logOf(t, tgd.ID); l.State != publish.DeliveryPending || len(l.Attempts) != 0 || l.AttemptCount != 0 {
			t.Errorf("held delivery %s with %d attempts (count %d); want pending with none", l.State, len(l.Attempts), l.AttemptCount)
		}

		// Run early, the handler is told how long is left and returns at once, calling
		// nothing: no failure to asynq, and its delay is the wait whatever the retry count.
		calls := len(tg.Calls())
		start := time.Now()
		err = h.ProcessTask(ctx, task)
		took, end := time.Since(start), time.Now()
		var wait *retryAfterError
		if !errors.As(err, &wait) || !wait.wait || isFailure(err) || !errors.Is(err, publish.ErrHeldByRateLimit) {
			t.Fatalf("ProcessTask while the chat is held = %v; want a wait for its rate limit", err)
		}
		if lo, hi := spent.Add(window).Sub(end)-time.Second, spentEnd.Add(window).Sub(start)+time.Second; wait.after < lo || wait.after > hi {
			t.Errorf("told to wait %v; want until the chat has room, in [%v, %v]", wait.after, lo, hi)
		}
		if took > 10*time.Second {
			t.Errorf("ProcessTask took %v; want it back at once, not waiting the %v", took, wait.after)
		}
		if d := retryDelay(7, err, task); d != wait.after {
			t.Errorf("asynq would retry in %v; want the wait, %v", d, wait.after)
		}
		if n := len(tg.Calls()) - calls; n != 0 {
			t.Errorf("the held delivery called Telegram %d times", n)
		}

		// The minute passes: the chat's window empties (as its keys expire). Run now, the
		// delivery sends the story.
		keys, err := rdb.Keys(ctx, "tarjuma:telegram:*").Result()
		if err != nil || len(keys) == 0 {
			t.Fatalf("the limiter's keys: %v, %v", keys, err)
		}
		if err := rdb.Del(ctx, keys...).Err(); err != nil {
			t.Fatal(err)
		}
		if err := inspector.RunTask(queue, taskID); err != nil {
			t.Fatal(err)
		}
		awaitDelivery(t, f, tgd.ID, 30*time.Second)
		msgs := tg.Messages(telegramtest.DefaultChatName)
		if len(msgs) != len(parts) {
			t.Fatalf("%d messages after the retry; want %d", len(msgs), len(parts))
		}
		for i, m := range msgs {
			if text, _, err := telegramtest.ParseHTML(parts[i]); err != nil || m.Text != text {
				t.Errorf("message %d is %.60q; want part %d, %.60q (%v)", i, m.Text, i, text, err)
			}
		}
		if got := tg.Calls()[calls:]; len(got) != len(parts) || slices.ContainsFunc(got, func(c string) bool { return c != "sendMessage" }) {
			t.Errorf("calls once the chat had room: %v; want %d sendMessage", got, len(parts))
		}
		if l := f.logOf(t, tgd.ID); len(l.Attempts) != 1 {
			t.Errorf("delivery with %d attempts; want the one that delivered", len(l.Attempts))
		}
		if info, err := inspector.GetTaskInfo(queue, taskID); err != nil || info.Retried != 0 {
			t.Errorf("the task after delivering: %+v, %v; want no retry counted", info, err)
		}
		if n := tg.RateLimited(); n != 0 {
			t.Errorf("the stand-in answered 429 %d times", n)
		}
	})
}

// awaitDelivery polls until delivery id is delivered, failing the test after within.
func awaitDelivery(t *testing.T, f *channelFixture, id int64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		l := f.logOf(t, id)
		if l.State == publish.DeliveryDelivered {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %d is %s after %v (%d attempts, %q); want delivered", id, l.State, within, len(l.Attempts), l.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
