package publish_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/tarjuma/tarjuma/publish"
)

// The limiter lets 20 calls into a chat go at once, the 21st to 40th a minute later, the 41st
// two minutes later; another chat is not held back by the first, and a Hold delays the chat's
// next call to its end.
func TestTelegramLimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := publish.NewTelegramLimiter()
		start := time.Now()
		at := func(chat string) time.Duration {
			t.Helper()
			if err := l.Wait(t.Context(), chat, time.Hour); err != nil {
				t.Fatal(err)
			}
			return time.Since(start)
		}
		for i := range 41 {
			want := time.Duration(i/20) * time.Minute
			if got := at("@a"); got != want {
				t.Fatalf("call %d went at %v, want %v", i+1, got, want)
			}
		}
		if got := at("@b"); got != 2*time.Minute {
			t.Errorf("another chat's first call went at %v, want at once (2m0s)", got)
		}
		l.Hold("@b", time.Now().Add(30*time.Second))
		if got := at("@b"); got != 2*time.Minute+30*time.Second {
			t.Errorf("held chat's call went at %v, want 2m30s", got)
		}
		// A call that would wait past maxWait is refused at once and not counted.
		for range 19 {
			at("@c")
		}
		at("@c")
		err := l.Wait(t.Context(), "@c", 10*time.Second)
		if held, ok := err.(*publish.TelegramHeldError); !ok || held.RetryDelay() != time.Minute {
			t.Errorf("21st call with 10s patience: %v, want held for 1m", err)
		}
		if got := at("@c"); got != 3*time.Minute+30*time.Second {
			t.Errorf("21st call went at %v, want a minute after the first 20 (3m30s)", got)
		}
	})
}
