package publish_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
)

const tgToken = "7000001:AAH4d8xkFJ-_kq8nV1rBbU0aZ2lQ3e4r5t6"

var tgChannel = publish.TelegramChannel{ChatID: telegramtest.DefaultChatName, BotToken: tgToken}

// newTelegram is a stand-in and a client talking to it without sockets, so that it can run in a
// synctest bubble, where waits are measured on the bubble's clock. Its rate limiter keeps its
// state in rdb, or in a Redis of its own on the caller's clock (fakeClockRedis) when rdb is
// nil; a test in a bubble passes one made outside it.
func newTelegram(t *testing.T, rdb redis.UniversalClient) (*telegramtest.Server, *publish.TelegramClient) {
	t.Helper()
	if rdb == nil {
		rdb = fakeClockRedis(t).client(t)
	}
	srv := telegramtest.New(tgToken)
	hc := srv.Client()
	hc.Timeout = 5 * time.Second
	return srv, publish.NewTelegramClient(publish.TelegramConfig{APIURL: telegramtest.BaseURL, HTTPClient: hc, Redis: rdb})
}

// words is n short Tajik words: 3n−1 characters.
func words(n int) string { return strings.TrimSuffix(strings.Repeat("ҳа ", n), " ") }

// longPost has n paragraphs of 3899 characters: two do not fit in one message, so it takes n
// messages (the title, 1 + 2, rides with the first).
func longPost(n int) publish.TelegramPost {
	p := publish.TelegramPost{Title: "Сарлавҳа"}
	for i := range n {
		p.Paragraphs = append(p.Paragraphs, string(rune('А'+i))+strings.TrimPrefix(words(1300), "ҳ"))
	}
	return p
}

func texts(ms []telegramtest.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func ids(ms []telegramtest.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestTelegramPublishThenCorrect(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	srv, c := newTelegram(t, nil)
	post := publish.TelegramPost{Title: "Душанбе & Москва", Paragraphs: []string{"Первый абзац.", "Второй <абзац>."}}
	st, err := c.Publish(t.Context(), tgChannel, post, publish.TelegramState{}, "")
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages(tgChannel.ChatID)
	if diff := cmp.Diff([]string{"Душанбе & Москва\n\nПервый абзац.\n\nВторой <абзац>."}, texts(msgs)); diff != "" {
		t.Fatalf("channel (-want +got):\n%s", diff)
	}
	if want := "<b>Душанбе &amp; Москва</b>\n\nПервый абзац.\n\nВторой &lt;абзац&gt;."; msgs[0].HTML != want {
		t.Errorf("sent %q, want %q", msgs[0].HTML, want)
	}
	if diff := cmp.Diff([]int64{msgs[0].ID}, st.MessageIDs); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}

	// A correction edits the same message.
	post.Paragraphs[1] = "Второй абзац, исправленный."
	st2, err := c.Publish(t.Context(), tgChannel, post, st, "")
	if err != nil {
		t.Fatal(err)
	}
	msgs = srv.Messages(tgChannel.ChatID)
	if diff := cmp.Diff([]string{"Душанбе & Москва\n\nПервый абзац.\n\nВторой абзац, исправленный."}, texts(msgs)); diff != "" {
		t.Errorf("channel after the correction (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(st.MessageIDs, st2.MessageIDs); diff != "" || msgs[0].Edits != 1 {
		t.Errorf("state (-first +second):\n%s; edits %d, want 1", diff, msgs[0].Edits)
	}

	// The same version again (a retried task): the state knows the message says it already,
	// so Telegram is not called.
	calls := len(srv.Calls())
	if st3, err := c.Publish(t.Context(), tgChannel, post, st2, ""); err != nil || len(srv.Calls()) != calls || !cmp.Equal(st2, st3) {
		t.Errorf("the same version again: %v, %d calls, state %+v; want no call, the state as it was", err, len(srv.Calls())-calls, st3)
	}
	// With a state kept before it named the messages' texts, the message is edited, and
	// Telegram's "message is not modified" is success.
	if st3, err := c.Publish(t.Context(), tgChannel, post, publish.TelegramState{MessageIDs: st2.MessageIDs}, ""); err != nil || !cmp.Equal(st2, st3) {
		t.Errorf("identical edit: %v, state %+v; want success, the state with its digest", err, st3)
	}
	if got := srv.Calls(); len(got) != calls+1 || got[calls] != "editMessageText" || srv.Messages(tgChannel.ChatID)[0].Edits != 1 {
		t.Errorf("calls %v, edits %d; want one refused editMessageText and still 1 edit", got[calls:], srv.Messages(tgChannel.ChatID)[0].Edits)
	}
}

func TestTelegramCorrectionChangesMessageCount(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	srv, c := newTelegram(t, nil)
	st, err := c.Publish(t.Context(), tgChannel, longPost(3), publish.TelegramState{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{101, 102, 103}, st.MessageIDs); diff != "" {
		t.Fatalf("state (-want +got):\n%s", diff)
	}
	// Shorter: the third message is deleted, the first two stay.
	st, err = c.Publish(t.Context(), tgChannel, longPost(2), st, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{101, 102}, st.MessageIDs); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{101, 102}, ids(srv.Messages(tgChannel.ChatID))); diff != "" {
		t.Errorf("channel (-want +got):\n%s", diff)
	}
	// Longer: two more messages are sent after the two edited.
	st, err = c.Publish(t.Context(), tgChannel, longPost(4), st, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{101, 102, 104, 105}, st.MessageIDs); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	msgs := srv.Messages(tgChannel.ChatID)
	for i, m := range msgs {
		if want := longPost(4).Paragraphs[i]; !strings.HasSuffix(m.Text, want) {
			t.Errorf("message %d is %.20q…, want paragraph %d", m.ID, m.Text, i)
		}
	}
}

// A message older than 48 hours cannot be deleted by a bot: a correction that needs fewer
// messages replaces the surplus with the desk's notice, and without one says so.
func TestTelegramSurplusTooOldToDelete(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	srv, c := newTelegram(t, nil)
	st, err := c.Publish(t.Context(), tgChannel, longPost(2), publish.TelegramState{}, "")
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(49 * time.Hour)
	got, err := c.Publish(t.Context(), tgChannel, longPost(1), st, "")
	var te *publish.TelegramError
	if !errors.As(err, &te) || !te.Permanent() || !strings.Contains(err.Error(), "can't be deleted") {
		t.Fatalf("error %v, want a permanent \"can't be deleted\"", err)
	}
	if diff := cmp.Diff(st.MessageIDs, got.MessageIDs); diff != "" {
		t.Errorf("state after the failure (-want +got):\n%s", diff)
	}
	const notice = "Эта часть удалена при исправлении."
	got, err = c.Publish(t.Context(), tgChannel, longPost(1), st, notice)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{101}, got.MessageIDs); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if msgs := srv.Messages(tgChannel.ChatID); len(msgs) != 2 || msgs[1].Text != notice {
		t.Errorf("channel %q, want the second message replaced by the notice", texts(msgs))
	}
}

func TestTelegramWithdraw(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	t.Run("deleted", func(t *testing.T) {
		t.Parallel()
		srv, c := newTelegram(t, nil)
		st, err := c.Publish(t.Context(), tgChannel, longPost(2), publish.TelegramState{}, "")
		if err != nil {
			t.Fatal(err)
		}
		st, err = c.Withdraw(t.Context(), tgChannel, st, "")
		if err != nil || len(st.MessageIDs) != 0 {
			t.Fatalf("withdraw: state %v, %v; want no messages left", st, err)
		}
		if msgs := srv.Messages(tgChannel.ChatID); len(msgs) != 0 {
			t.Errorf("channel still has %q", texts(msgs))
		}
		// Again (a retried task): messages already gone count as deleted.
		if _, err := c.Withdraw(t.Context(), tgChannel, publish.TelegramState{MessageIDs: []int64{101, 102}}, ""); err != nil {
			t.Errorf("second withdrawal: %v", err)
		}
	})
	t.Run("too old", func(t *testing.T) {
		t.Parallel()
		srv, c := newTelegram(t, nil)
		st, err := c.Publish(t.Context(), tgChannel, longPost(2), publish.TelegramState{}, "")
		if err != nil {
			t.Fatal(err)
		}
		srv.Advance(72 * time.Hour)
		if _, err := c.Withdraw(t.Context(), tgChannel, st, ""); err == nil {
			t.Fatal("withdrawing undeletable messages without a notice succeeded")
		}
		const notice = "Материал отозван редакцией."
		for range 2 { // the second time, the edits change nothing, which is success
			got, err := c.Withdraw(t.Context(), tgChannel, st, notice)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(st.MessageIDs, got.MessageIDs); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		}
		if diff := cmp.Diff([]string{notice, notice}, texts(srv.Messages(tgChannel.ChatID))); diff != "" {
			t.Errorf("channel (-want +got):\n%s", diff)
		}
	})
}

func TestTelegramErrors(t *testing.T) {
	post := publish.TelegramPost{Title: "Хабар", Paragraphs: []string{"Матн."}}
	tests := []struct {
		name      string
		fault     telegramtest.Fault
		token     string
		code      int
		permanent bool
		retry     time.Duration
	}{
		{name: "wrong token", token: "7000001:wrong", code: 401, permanent: true},
		{name: "bot removed", fault: telegramtest.Fault{Status: 403}, code: 403, permanent: true},
		{name: "message too long", fault: telegramtest.Fault{Status: 400, Text: "Bad Request: message is too long"}, code: 400, permanent: true},
		{name: "server error", fault: telegramtest.Fault{Status: 500}, code: 500},
		{name: "bad gateway without JSON", fault: telegramtest.Fault{Status: 502, HeaderOnly: true}, code: 502},
		{name: "429 longer than the wait", fault: telegramtest.Fault{Status: 429, RetryAfter: 3600}, code: 429, retry: time.Hour},
		{name: "429 from a proxy", fault: telegramtest.Fault{Status: 429, RetryAfter: 7200, HeaderOnly: true}, code: 429, retry: 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fakeClockRedis(t)
			srv, c := newTelegram(t, r.client(t))
			if tt.fault.Status != 0 {
				srv.Inject(tt.fault)
			}
			ch := tgChannel
			if tt.token != "" {
				ch.BotToken = tt.token
			}
			st, err := c.Publish(t.Context(), ch, post, publish.TelegramState{}, "")
			var te *publish.TelegramError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a TelegramError", err)
			}
			if te.Code != tt.code || te.Permanent() != tt.permanent || te.RetryDelay() != tt.retry {
				t.Errorf("got code %d, permanent %v, retry after %v; want %d, %v, %v", te.Code, te.Permanent(), te.RetryDelay(), tt.code, tt.permanent, tt.retry)
			}
			if len(st.MessageIDs) != 0 || len(srv.Messages(tgChannel.ChatID)) != 0 {
				t.Errorf("state %v, channel %q: want nothing posted", st, texts(srv.Messages(tgChannel.ChatID)))
			}
			if tt.permanent {
				return
			}
			// Tried again later (after any hold a 429 put on the chat) with the state kept, the
			// delivery posts the article once.
			r.advance(3 * time.Hour)
			if st, err = c.Publish(t.Context(), ch, post, st, ""); err != nil || len(srv.Messages(tgChannel.ChatID)) != 1 {
				t.Errorf("retry: %v, channel %q; want one message", err, texts(srv.Messages(tgChannel.ChatID)))
			}
		})
	}
}

// A failure after some messages went out returns the state with them, so the retry sends only
// the rest.
func TestTelegramPartialFailureKeepsState(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	srv, c := newTelegram(t, nil)
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Skip: 2, Status: 500})
	st, err := c.Publish(t.Context(), tgChannel, longPost(4), publish.TelegramState{}, "")
	if err == nil {
		t.Fatal("no error from the injected 500")
	}
	if diff := cmp.Diff([]int64{101, 102}, st.MessageIDs); diff != "" {
		t.Fatalf("state after the failure (-want +got):\n%s", diff)
	}
	st, err = c.Publish(t.Context(), tgChannel, longPost(4), st, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{101, 102, 103, 104}, ids(srv.Messages(tgChannel.ChatID))); diff != "" {
		t.Errorf("channel (-want +got):\n%s", diff)
	}
}

// A 429 within the client's patience is waited out for exactly retry_after, then the call is
// made again.
func TestTelegramRetryAfterHonoured(t *testing.T) {
	rdb := fakeClockRedis(t).client(t)
	synctest.Test(t, func(t *testing.T) {
		srv, c := newTelegram(t, rdb)
		srv.Inject(telegramtest.Fault{Method: "sendMessage", Status: 429, RetryAfter: 4})
		start := time.Now()
		st, err := c.Publish(t.Context(), tgChannel, publish.TelegramPost{Title: "Хабар"}, publish.TelegramState{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if elapsed := time.Since(start); elapsed != 4*time.Second {
			t.Errorf("took %v, want 4s", elapsed)
		}
		if diff := cmp.Diff([]string{"sendMessage", "sendMessage"}, srv.Calls()); diff != "" || len(st.MessageIDs) != 1 {
			t.Errorf("calls (-want +got):\n%s; state %v", diff, st)
		}
	})
}

// Three articles of 15 messages each go to one channel at once, through one client: 45
// messages, a second apart and 20 a window (Telegram's minute and the limiter's second of
// slack), go at 0–19 s, 61–80 s (each a window after the one 20 before it) and 122–126 s, and
// the stand-in, which refuses a 21st message within a minute, refuses none.
func TestTelegramRateLimitShared(t *testing.T) {
	rdb := fakeClockRedis(t).client(t)
	synctest.Test(t, func(t *testing.T) {
		srv := telegramtest.New(tgToken)
		c := publish.NewTelegramClient(publish.TelegramConfig{APIURL: telegramtest.BaseURL, HTTPClient: srv.Client(), MaxWait: 3 * time.Minute, Redis: rdb})
		start := time.Now()
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if _, err := c.Publish(t.Context(), tgChannel, longPost(15), publish.TelegramState{}, ""); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := srv.RateLimited(); n != 0 {
			t.Errorf("the stand-in answered 429 %d times", n)
		}
		if n := len(srv.Messages(tgChannel.ChatID)); n != 45 {
			t.Errorf("%d messages in the channel, want 45", n)
		}
		if elapsed := time.Since(start); elapsed != 2*time.Minute+6*time.Second {
			t.Errorf("took %v, want 2m6s", elapsed)
		}
	})
}

// Two clients, as two worker processes have, each with its own connection to the one Redis,
// share the channel's budget: 30 messages go a second apart at 0–19 s and 61–70 s, and the stand-in
// refuses none. (With a limiter per process, they overran it together.) The clients wait for
// their slots here, past the default few seconds, so the test sees the budget alone.
func TestTelegramRateLimitAcrossProcesses(t *testing.T) {
	r := fakeClockRedis(t)
	rdbs := []*redis.Client{r.client(t), r.client(t)}
	synctest.Test(t, func(t *testing.T) {
		srv := telegramtest.New(tgToken)
		start := time.Now()
		var wg sync.WaitGroup
		for _, rdb := range rdbs {
			c := publish.NewTelegramClient(publish.TelegramConfig{APIURL: telegramtest.BaseURL, HTTPClient: srv.Client(), MaxWait: 2 * time.Minute, Redis: rdb})
			wg.Go(func() {
				if _, err := c.Publish(t.Context(), tgChannel, longPost(15), publish.TelegramState{}, ""); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := srv.RateLimited(); n != 0 {
			t.Errorf("the stand-in answered 429 %d times", n)
		}
		if n := len(srv.Messages(tgChannel.ChatID)); n != 30 {
			t.Errorf("%d messages in the channel, want 30", n)
		}
		if elapsed := time.Since(start); elapsed != time.Minute+10*time.Second {
			t.Errorf("took %v, want 1m10s", elapsed)
		}
	})
}

// Without its Redis the limiter cannot tell whether the chat has room, so nothing is posted:
// the call fails as a retryable error, and Telegram is not called.
func TestTelegramLimiterUnavailable(t *testing.T) {
	r := fakeClockRedis(t)
	srv, c := newTelegram(t, r.client(t))
	r.mr.Close()
	_, err := c.Publish(t.Context(), tgChannel, publish.TelegramPost{Title: "Хабар"}, publish.TelegramState{}, "")
	var perm interface{ Permanent() bool }
	if !errors.Is(err, publish.ErrTelegramLimiterUnavailable) || errors.As(err, &perm) && perm.Permanent() {
		t.Errorf("error %v, want ErrTelegramLimiterUnavailable, retryable", err)
	}
	if calls := srv.Calls(); len(calls) != 0 {
		t.Errorf("Telegram was called: %q", calls)
	}
}

// A Bot API that never answers fails the attempt at the client's timeout, as a retryable error
// that does not show the token (it is part of the URL).
func TestTelegramTimeout(t *testing.T) {
	rdb := fakeClockRedis(t).client(t)
	synctest.Test(t, func(t *testing.T) {
		srv, c := newTelegram(t, rdb)
		srv.Inject(telegramtest.Fault{Hang: true})
		start := time.Now()
		_, err := c.Publish(t.Context(), tgChannel, publish.TelegramPost{Title: "Хабар"}, publish.TelegramState{}, "")
		if err == nil {
			t.Fatal("no error")
		}
		if elapsed := time.Since(start); elapsed != 5*time.Second {
			t.Errorf("gave up after %v, want the 5s timeout", elapsed)
		}
		var te *publish.TelegramError
		if errors.As(err, &te) {
			t.Errorf("error %v is an API answer, want a transport error", err)
		}
		if strings.Contains(err.Error(), tgToken) {
			t.Errorf("error %q shows the bot token", err)
		}
	})
}

func TestTelegramCheck(t *testing.T) {
	srv, c := newTelegram(t, nil)
	srv.AddChat(telegramtest.Chat{ID: -1002, Username: "readonly", Type: "channel", Title: "RO", BotStatus: "member"})
	got, err := c.Check(t.Context(), tgChannel)
	if err != nil {
		t.Fatal(err)
	}
	want := publish.TelegramCheck{BotUsername: "tarjuma_test_bot", ChatID: telegramtest.DefaultChatID, ChatTitle: "Tarjuma RU", ChatType: "channel"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		ch   publish.TelegramChannel
		want string
	}{
		{"wrong token", publish.TelegramChannel{ChatID: tgChannel.ChatID, BotToken: "1:bad"}, "401 Unauthorized (the bot token is wrong or was revoked)"},
		{"no such chat", publish.TelegramChannel{ChatID: "@nowhere", BotToken: tgToken}, "400 Bad Request: chat not found"},
		{"may not post", publish.TelegramChannel{ChatID: "-1002", BotToken: tgToken}, "make it an administrator who may post"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Check(t.Context(), tt.ch); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	if n := len(srv.Messages(tgChannel.ChatID)); n != 0 {
		t.Errorf("the check posted %d messages", n)
	}
}

// A 429 asking for longer than the client waits ends the attempt, and holds the chat: the next
// delivery to it does not call Telegram before the time is up but is told how long is left.
func TestTelegramLong429HoldsTheChat(t *testing.T) {
	rdb := fakeClockRedis(t).client(t)
	synctest.Test(t, func(t *testing.T) {
		srv, c := newTelegram(t, rdb)
		srv.Inject(telegramtest.Fault{Method: "sendMessage", Status: 429, RetryAfter: 3600})
		post := publish.TelegramPost{Title: "Хабар"}
		if _, err := c.Publish(t.Context(), tgChannel, post, publish.TelegramState{}, ""); err == nil {
			t.Fatal("no error from a 429 asking for an hour")
		}
		time.Sleep(10 * time.Minute)
		_, err := c.Publish(t.Context(), tgChannel, post, publish.TelegramState{}, "")
		var held *publish.TelegramHeldError
		if !errors.As(err, &held) || held.RetryDelay() != 50*time.Minute || held.Permanent() {
			t.Fatalf("error %v, want the chat held for 50 more minutes", err)
		}
		if diff := cmp.Diff([]string{"sendMessage"}, srv.Calls()); diff != "" {
			t.Errorf("calls (-want +got):\n%s", diff)
		}
	})
}

// A chat whose budget a burst has spent does not keep the worker for a minute: past the
// client's few seconds (DefaultTelegramMaxWait), the delivery stops at once, the messages sent
// so far saved and in its state, saying how long until the chat has room (ErrHeldByRateLimit,
// not permanent). Carried on after exactly that wait, it sends only the rest, and the
// stand-in refuses nothing.
func TestTelegramHeldStopsAndCarriesOn(t *testing.T) {
	rdb := fakeClockRedis(t).client(t)
	synctest.Test(t, func(t *testing.T) {
		srv, c := newTelegram(t, rdb)
		for range 19 { // a burst's 19 messages, a second apart: 0–18 s
			if _, err := c.Publish(t.Context(), tgChannel, publish.TelegramPost{Title: "Хабар"}, publish.TelegramState{}, ""); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(10 * time.Second) // to 28 s
		var saved [][]byte
		save := func(_ context.Context, b []byte) error {
			saved = append(saved, b)
			return nil
		}
		post := longPost(3)
		r := publish.Release{Version: tarjuma.Version{ArticleID: 1, Lang: tarjuma.Russian, Number: 1,
			Segments: []tarjuma.Segment{{ID: tarjuma.TitleSegmentID, Text: post.Title},
				{ID: "p1.s1", Text: post.Paragraphs[0]}, {ID: "p2.s1", Text: post.Paragraphs[1]}, {ID: "p3.s1", Text: post.Paragraphs[2]}}}}
		start := time.Now()
		res, state := c.DeliverRelease(t.Context(), tgChannel, r, nil, "", save)
		// The 20th slot goes to the first message, at once; the second's is the first one's of
		// the burst a window (61 s) on: 33 s from now.
		var held *publish.TelegramHeldError
		if !errors.As(res.Err, &held) || !errors.Is(res.Err, publish.ErrHeldByRateLimit) || held.Permanent() || !res.Held() {
			t.Fatalf("result %+v; want the chat held", res)
		}
		if res.RetryAfter != 33*time.Second || time.Since(start) != 0 {
			t.Errorf("held for %v after waiting %v; want told 33s at once", res.RetryAfter, time.Since(start))
		}
		first := srv.Messages(tgChannel.ChatID)[19].ID
		if len(saved) != 1 || string(saved[0]) != string(state) || !slices.Equal(stateIDs(t, state), []int64{first}) {
			t.Fatalf("saved %q, state %s; want the first message's id, saved once", saved, state)
		}
		calls := len(srv.Calls())

		// Back after exactly the wait (61 s), it finds the chat's slot free: the second message
		// goes at once, and the third at 62 s, a window after the burst's second: a second in
		// all, well within the client's few.
		time.Sleep(res.RetryAfter)
		start = time.Now()
		res, state = c.DeliverRelease(t.Context(), tgChannel, r, state, "", save)
		if !res.Acknowledged() || time.Since(start) != time.Second {
			t.Fatalf("carrying on: %+v after waiting %v; want it sent after 1s", res, time.Since(start))
		}
		msgs := srv.Messages(tgChannel.ChatID)[19:]
		if len(msgs) != 3 || msgs[0].ID != first || msgs[0].Edits != 0 {
			t.Errorf("the article's messages %v (first edited %d times); want 3, the first %d unchanged", ids(msgs), msgs[0].Edits, first)
		}
		// The first message is known to say its part: carrying on spends the chat's budget on
		// the two messages left, not on an edit that changes nothing.
		if diff := cmp.Diff([]string{"sendMessage", "sendMessage"}, srv.Calls()[calls:]); diff != "" {
			t.Errorf("calls carrying on (-want +got):\n%s", diff)
		}
		for i, m := range msgs {
			if !strings.HasSuffix(m.Text, post.Paragraphs[i]) {
				t.Errorf("message %d is %.20q…, want paragraph %d", m.ID, m.Text, i)
			}
		}
		if got, want := stateIDs(t, state), []int64{first, msgs[1].ID, msgs[2].ID}; !slices.Equal(got, want) {
			t.Errorf("state's messages %v, want %v", got, want)
		}
		if n := srv.RateLimited(); n != 0 {
			t.Errorf("the stand-in answered 429 %d times", n)
		}
	})
}

// stateIDs reads the message ids of a Telegram state's JSON.
func stateIDs(t *testing.T, raw []byte) []int64 {
	t.Helper()
	var st publish.TelegramState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state %s: %v", raw, err)
	}
	return st.MessageIDs
}
