package publish

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

func TestOutcomeState(t *testing.T) {
	for _, tc := range []struct {
		outcome Outcome
		want    DeliveryState
	}{
		{OutcomeRetry, "pending"},
		{OutcomeDelivered, "delivered"},
		{OutcomeFailed, "failed"},
		{OutcomeGone, "cancelled"},
		{OutcomeWait, "pending"},
	} {
		if got := tc.outcome.State(); got != tc.want {
			t.Errorf("Outcome(%d).State() = %q, want %q", tc.outcome, got, tc.want)
		}
	}
}

func TestGiveUpAt(t *testing.T) {
	at := time.Date(2025, 3, 1, 23, 30, 0, 0, time.UTC)
	if got, want := GiveUpAt(at), time.Date(2025, 3, 2, 23, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("GiveUpAt(%v) = %v, want %v: a delivery is tried for a day", at, got, want)
	}
}

func TestReleaseItem(t *testing.T) {
	approved := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	v := tarjuma.Version{ArticleID: 7, Lang: tarjuma.Tajik, Number: 3,
		Segments: []tarjuma.Segment{{ID: "t", Text: "Хабар", Origin: tarjuma.OriginHuman}}}
	r := Release{ID: 12, Event: EventUpdated, ExternalID: "p-7", Version: v, ApprovedBy: "rustam",
		ApprovedAt: approved, PublishedAt: approved.Add(time.Minute)}
	it := r.Item()
	if it.ArticleID != 7 || it.ExternalID != "p-7" || it.ApprovedBy != "rustam" || !it.ApprovedAt.Equal(approved) ||
		it.Version.Number != 3 || it.Version.Segments[0].Text != "Хабар" {
		t.Errorf("Item() = %+v", it)
	}
}

func TestSigningSecrets(t *testing.T) {
	until := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	s := Subscriber{Secret: "whsec_new", PreviousSecret: "whsec_old", PreviousUntil: until}
	if got := s.SigningSecrets(until.Add(-time.Second)); len(got) != 2 || got[0] != "whsec_new" || got[1] != "whsec_old" {
		t.Errorf("during the grace period: %q, want both secrets, the new one first", got)
	}
	if got := s.SigningSecrets(until); len(got) != 1 || got[0] != "whsec_new" {
		t.Errorf("at the end of the grace period: %q, want the new secret only", got)
	}
}

func TestBackoff(t *testing.T) {
	const base, limit = 30 * time.Second, 6 * time.Hour
	for n := range 70 {
		step := limit
		if n < 20 {
			step = min(base<<n, limit)
		}
		if d := Backoff(base, n); d < step/2 || d > step {
			t.Errorf("retry %d: %v outside [%v, %v]", n, d, step/2, step)
		}
	}
}

func TestJudge(t *testing.T) {
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	d := Delivery{ID: 1, State: DeliveryPending, GiveUpAt: now.Add(time.Hour)}
	refused := Result{Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name     string
		res      Result
		retried  int
		lastTry  bool
		want     Outcome
		min, max time.Duration // bounds of the delay before the next attempt
	}{
		{name: "2xx", res: Result{StatusCode: http.StatusNoContent}, want: OutcomeDelivered},
		{name: "410 even on the last try", res: Result{StatusCode: http.StatusGone, Err: errors.New("gone")}, lastTry: true, want: OutcomeGone},
		{name: "first failure", res: refused, want: OutcomeRetry, min: 15 * time.Second, max: 30 * time.Second},
		{name: "third failure", res: refused, retried: 2, want: OutcomeRetry, min: 60 * time.Second, max: 120 * time.Second},
		{name: "Retry-After longer than the backoff", res: Result{StatusCode: http.StatusServiceUnavailable, RetryAfter: 20 * time.Minute,
			Err: errors.New("503")}, want: OutcomeRetry, min: 20 * time.Minute, max: 20 * time.Minute},
		{name: "Retry-After past the give-up time", res: Result{StatusCode: http.StatusTooManyRequests, RetryAfter: 2 * time.Hour,
			Err: errors.New("429")}, want: OutcomeFailed},
		{name: "backoff past the give-up time", res: refused, retried: 8, want: OutcomeFailed}, // 30s<<8 is over 2h
		{name: "no retry left", res: refused, lastTry: true, want: OutcomeFailed},
		{name: "refused credentials fail at once", res: channelResult(&WordPressError{Status: http.StatusUnauthorized, Code: "incorrect_password"}),
			want: OutcomeFailed},
		{name: "a misconfigured channel fails at once", res: channelResult(&ChannelConfigError{errors.New("no bot token")}), want: OutcomeFailed},
		{name: "a 429 is not permanent", res: channelResult(&TelegramError{Code: http.StatusTooManyRequests, RetryAfter: 40 * time.Second,
			Description: "Too Many Requests: retry after 40"}), want: OutcomeRetry, min: 40 * time.Second, max: 40 * time.Second},
		// A chat at its rate limit is a wait of exactly the time until it has room, however
		// many failures came before (no backoff); one that would end after the give-up time,
		// or on the queue's last try, is a failure as any other.
		{name: "held by the channel's rate limit", res: channelResult(&TelegramHeldError{Chat: "@tarjuma_ru", Wait: 43 * time.Second}),
			retried: 7, want: OutcomeWait, min: 43 * time.Second, max: 43 * time.Second},
		{name: "held past the give-up time", res: channelResult(&TelegramHeldError{Chat: "@tarjuma_ru", Wait: 61 * time.Minute}),
			want: OutcomeFailed},
		{name: "held on the last try", res: channelResult(&TelegramHeldError{Chat: "@tarjuma_ru", Wait: time.Minute}),
			lastTry: true, want: OutcomeFailed},
		{name: "another error is no wait", res: Result{Err: errors.New("503"), RetryAfter: time.Minute}, want: OutcomeRetry,
			min: time.Minute, max: time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, delay := d.Judge(tc.res, 30*time.Second, tc.retried, tc.lastTry, now)
			if got != tc.want || delay < tc.min || delay > tc.max {
				t.Errorf("Judge = %v, %v; want %v with a delay in [%v, %v]", got, delay, tc.want, tc.min, tc.max)
			}
		})
	}
}
