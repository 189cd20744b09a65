package publish

import (
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
