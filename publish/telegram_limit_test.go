package publish_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/publish"
)

// clockedRedis is a miniredis of one test whose clock is the caller's time.Now, moved on by
// advance: inside a synctest bubble, the bubble's fake clock. The limiter reads Redis's TIME, so
// this is how a test in a bubble sees Telegram's waits to the millisecond.
type clockedRedis struct {
	mr     *miniredis.Miniredis
	mu     sync.Mutex
	offset time.Duration
}

// fakeClockRedis starts a clockedRedis; in a bubble, call it before the bubble starts, since a
// server in the bubble would keep the fake clock from moving.
func fakeClockRedis(t *testing.T) *clockedRedis { return &clockedRedis{mr: miniredis.RunT(t)} }

// advance moves Redis's clock d ahead of the caller's.
func (r *clockedRedis) advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.offset += d
}

// client is a new connection to the server, as another worker process has; closed at cleanup.
func (r *clockedRedis) client(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: r.mr.Addr()})
	c.AddHook(r)
	t.Cleanup(func() { c.Close() })
	return c
}

func (r *clockedRedis) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook sets the server's clock before each command (scripts included).
func (r *clockedRedis) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.mu.Lock()
		r.mr.SetTime(time.Now().Add(r.offset))
		r.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (r *clockedRedis) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// eachRedis runs f with a Redis client factory for every Redis testenv offers (miniredis, and
// the real one in CI): each call of newClient is another connection, as another worker
// process would have. These tests run on Redis's own clock, so they assert the waits the
// limiter reserves, within the time the test itself took, rather than sleeping through them.
func eachRedis(t *testing.T, f func(t *testing.T, newClient func() *redis.Client)) {
	for _, target := range testenv.Redises(t) {
		t.Run(target.Name, func(t *testing.T) {
			opts, err := redis.ParseURL(target.URL)
			if err != nil {
				t.Fatal(err)
			}
			f(t, func() *redis.Client {
				c := redis.NewClient(opts)
				t.Cleanup(func() { c.Close() })
				return c
			})
		})
	}
}

// The window is Telegram's minute and the limiter's second of slack (telegram_limit.go).
const window = time.Minute + time.Second

// within fails the test unless got is in [want-slack, want]: a wait reserved for a slot at a
// fixed time shrinks by the time that passed since, never grows.
func within(t *testing.T, what string, got, want, slack time.Duration) {
	t.Helper()
	if got > want || got < want-slack {
		t.Errorf("%s: wait %v, want %v (less at most %v, the time since)", what, got, want, slack)
	}
}

// Two limiters on one Redis, as two worker processes have, share a chat's budget: the first 20
// calls go a second apart (0–19 s) whichever limiter takes them, the 21st waits until the first
// leaves the window (61 s); a call refused for its short patience is not counted, so 20 more
// still fit in the second window (61–80 s), and the 41st waits two windows. Another chat, and the same chat under another
// bot, have budgets of their own.
func TestTelegramLimiterSharedBudget(t *testing.T) {
	eachRedis(t, func(t *testing.T, newClient func() *redis.Client) {
		ls := []*publish.TelegramLimiter{publish.NewTelegramLimiter(newClient()), publish.NewTelegramLimiter(newClient())}
		ch := publish.TelegramChannel{ChatID: "@tarjuma_ru", BotToken: tgToken}
		start := time.Now()
		for i := range 20 {
			wait, err := ls[i%2].Reserve(t.Context(), ch, 20*time.Second)
			if err != nil {
				t.Fatalf("call %d: %v", i+1, err)
			}
			within(t, fmt.Sprintf("call %d", i+1), wait, time.Duration(i)*time.Second, time.Since(start))
		}
		for i := range 5 {
			err := ls[i%2].Wait(t.Context(), ch, 10*time.Second)
			var held *publish.TelegramHeldError
			if !errors.As(err, &held) || held.Chat != ch.ChatID || held.Permanent() {
				t.Fatalf("21st call with 10s patience: %v, want held", err)
			}
			within(t, "21st call refused", held.RetryDelay(), window, time.Since(start))
		}
		for i := range 20 {
			wait, err := ls[i%2].Reserve(t.Context(), ch, 3*time.Minute)
			if err != nil {
				t.Fatalf("call %d: %v", 21+i, err)
			}
			within(t, fmt.Sprintf("call %d", 21+i), wait, window+time.Duration(i)*time.Second, time.Since(start))
		}
		err := ls[0].Wait(t.Context(), ch, 0)
		var held *publish.TelegramHeldError
		if !errors.As(err, &held) {
			t.Fatalf("41st call: %v, want held", err)
		}
		within(t, "41st call", held.RetryDelay(), 2*window, time.Since(start))

		other := []publish.TelegramChannel{{ChatID: "@tarjuma_tg", BotToken: tgToken}, {ChatID: ch.ChatID, BotToken: "7000002:AAH4d8xkFJ-_kq8nV1rBbU0aZ2lQ3e4r5t6"}}
		for _, o := range other {
			if wait, err := ls[1].Reserve(t.Context(), o, 0); err != nil || wait != 0 {
				t.Errorf("chat %s, bot %.7s: wait %v, %v; want at once", o.ChatID, o.BotToken, wait, err)
			}
		}
	})
}

// A 429's hold, set through one limiter, keeps the chat waiting in the other; a shorter hold
// does not shorten it, and a hold on one chat leaves the others alone.
func TestTelegramLimiterSharedHold(t *testing.T) {
	eachRedis(t, func(t *testing.T, newClient func() *redis.Client) {
		a, b := publish.NewTelegramLimiter(newClient()), publish.NewTelegramLimiter(newClient())
		ch := publish.TelegramChannel{ChatID: "-1001234567890", BotToken: tgToken}
		start := time.Now()
		if err := a.Hold(t.Context(), ch, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := b.Hold(t.Context(), ch, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		wait, err := b.Reserve(t.Context(), ch, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		within(t, "held chat", wait, 30*time.Second, time.Since(start))
		err = a.Wait(t.Context(), ch, time.Second)
		var held *publish.TelegramHeldError
		if !errors.As(err, &held) {
			t.Fatalf("held chat with 1s patience: %v, want held", err)
		}
		// The next slot is a second after the one just reserved at the hold's end.
		within(t, "held chat refused", held.RetryDelay(), 31*time.Second, time.Since(start))
		if wait, err := a.Reserve(t.Context(), publish.TelegramChannel{ChatID: "@tarjuma_en", BotToken: tgToken}, 0); err != nil || wait != 0 {
			t.Errorf("another chat: wait %v, %v; want at once", wait, err)
		}
	})
}

// The keys expire: the window once its last reservation has left it, the hold when it ends,
// so a chat no longer posted to leaves nothing in Redis.
func TestTelegramLimiterKeysExpire(t *testing.T) {
	eachRedis(t, func(t *testing.T, newClient func() *redis.Client) {
		rdb := newClient()
		l := publish.NewTelegramLimiter(rdb)
		ch := publish.TelegramChannel{ChatID: "@tarjuma_ru", BotToken: tgToken}
		for range 21 {
			if _, err := l.Reserve(t.Context(), ch, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Hold(t.Context(), ch, 90*time.Second); err != nil {
			t.Fatal(err)
		}
		windowKey, holdKey := publish.TelegramKeys(ch)
		// The 21st reservation is a window on; its key lives a window beyond it.
		if ttl := rdb.PTTL(t.Context(), windowKey).Val(); ttl > 2*window || ttl < 2*window-5*time.Second {
			t.Errorf("window key expires in %v, want about %v", ttl, 2*window)
		}
		if ttl := rdb.PTTL(t.Context(), holdKey).Val(); ttl > 90*time.Second || ttl < 85*time.Second {
			t.Errorf("hold key expires in %v, want about 90s", ttl)
		}
		if n := rdb.ZCard(t.Context(), windowKey).Val(); n != 20 {
			t.Errorf("window keeps %d reservations, want the last 20", n)
		}
	})
}

// Without Redis, or with one that does not answer, no call is let through: the wait fails
// with ErrTelegramLimiterUnavailable, which is not a hold (the delivery is retried as after any
// failed attempt).
func TestTelegramLimiterUnavailableRefuses(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	ch := publish.TelegramChannel{ChatID: "@tarjuma_ru", BotToken: tgToken}
	for name, l := range map[string]*publish.TelegramLimiter{"none": publish.NewTelegramLimiter(nil), "not answering": publish.NewTelegramLimiter(down)} {
		err := l.Wait(t.Context(), ch, time.Minute)
		var held *publish.TelegramHeldError
		if !errors.Is(err, publish.ErrTelegramLimiterUnavailable) || errors.As(err, &held) {
			t.Errorf("%s: wait: %v, want ErrTelegramLimiterUnavailable", name, err)
		}
		if err := l.Hold(t.Context(), ch, time.Second); !errors.Is(err, publish.ErrTelegramLimiterUnavailable) {
			t.Errorf("%s: hold: %v, want ErrTelegramLimiterUnavailable", name, err)
		}
	}
}
