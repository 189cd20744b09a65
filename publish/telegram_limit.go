package publish

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Telegram's limit for a bot posting into one group or channel, as its FAQ states it: 20
// messages a minute. Going over it earns a 429 and a wait. (The overall limit, about 30 a
// second, needs more than 90 channels busy at once to matter, and is left to the 429s.)
const (
	telegramPerChat       = 20
	telegramPerChatWindow = time.Minute
)

// TelegramLimiter spaces a bot's calls so no 60-second window holds more than 20 into one chat.
// One limiter serves the whole worker process, so the deliveries of different articles to one
// channel share the chat's budget; a 429's retry_after holds the chat for everyone.
//
// It is a sliding window, not a token bucket: a bucket of 20 refilling one every 3 s lets 39
// messages through in a minute after an idle spell, which Telegram answers with 429.
type TelegramLimiter struct {
	mu    sync.Mutex
	chats map[string]*slidingWindow
}

// NewTelegramLimiter makes a limiter with nothing sent yet.
func NewTelegramLimiter() *TelegramLimiter {
	return &TelegramLimiter{chats: map[string]*slidingWindow{}}
}

// slidingWindow holds the times of the last n calls it allowed, oldest first, and how long a
// 429 asked to wait.
type slidingWindow struct {
	sent []time.Time
	hold time.Time
}

// next reserves the earliest time from now on when one more call keeps at most n calls in any
// window of length per, and no earlier than the last reserved: reservations in order keep the
// window's count right for calls still waiting to go.
func (w *slidingWindow) next(now time.Time, n int, per time.Duration) time.Time {
	t := now
	if w.hold.After(t) {
		t = w.hold
	}
	if k := len(w.sent); k > 0 && w.sent[k-1].After(t) {
		t = w.sent[k-1]
	}
	if len(w.sent) >= n {
		if free := w.sent[len(w.sent)-n].Add(per); free.After(t) {
			t = free
		}
	}
	return t
}

func (w *slidingWindow) take(t time.Time, n int) {
	w.sent = append(w.sent, t)
	if len(w.sent) > n {
		w.sent = w.sent[len(w.sent)-n:]
	}
}

// TelegramHeldError is a call the limiter would hold longer than the caller waits: the chat's
// budget is spent, or a 429 asked for a long pause. The delivery is to be tried again after
// RetryDelay, freeing the worker meanwhile.
type TelegramHeldError struct {
	Chat string
	Wait time.Duration
}

func (e *TelegramHeldError) Error() string {
	return fmt.Sprintf("telegram: chat %s is at its rate limit for another %v", e.Chat, e.Wait.Round(time.Second))
}

// RetryDelay is how long until the chat takes a message again.
func (e *TelegramHeldError) RetryDelay() time.Duration { return e.Wait }

// Permanent is false: the wait ends.
func (e *TelegramHeldError) Permanent() bool { return false }

// Wait blocks until a call into chat may go, and counts it. It returns early with ctx's error,
// and at once with a *TelegramHeldError when the call would wait longer than maxWait (it is
// then not counted). A call whose wait was cancelled keeps its place counted, which errs on the
// safe side.
func (l *TelegramLimiter) Wait(ctx context.Context, chat string, maxWait time.Duration) error {
	l.mu.Lock()
	now := time.Now()
	w := l.chats[chat]
	if w == nil {
		w = &slidingWindow{}
		l.chats[chat] = w
	}
	t := w.next(now, telegramPerChat, telegramPerChatWindow)
	if d := t.Sub(now); d > maxWait {
		l.mu.Unlock()
		return &TelegramHeldError{Chat: chat, Wait: d}
	}
	w.take(t, telegramPerChat)
	l.mu.Unlock()
	if d := t.Sub(now); d > 0 {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
	}
	return nil
}

// Hold keeps calls into chat waiting until until, as a 429's retry_after asks.
func (l *TelegramLimiter) Hold(chat string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.chats[chat]
	if w == nil {
		w = &slidingWindow{}
		l.chats[chat] = w
	}
	if until.After(w.hold) {
		w.hold = until
	}
}
