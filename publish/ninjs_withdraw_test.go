package publish

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish/ninjstest"
)

// TestNinjsWithdrawalAndEmbargo: a withdrawal is the same object (uri) canceled, one version
// on, its body the notice; an embargo is carried as embargoedUntil (a date-time, in UTC), and
// both documents pass the schema.
func TestNinjsWithdrawalAndEmbargo(t *testing.T) {
	const authority = "news.example.tj,2025"
	published := ninjsRelease(2, tarjuma.PriorityDefault, tarjuma.OriginHuman)
	withdrawn := published
	withdrawn.Event, withdrawn.Notice = EventWithdrawn, "Редакция отозвала этот материал. Причина: иск"
	embargoed := published
	embargoed.EmbargoedUntil = time.Date(2026, 12, 6, 9, 0, 0, 0, time.FixedZone("TJT", 5*3600))

	type doc struct {
		URI, Version, PubStatus string
		EmbargoedUntil          *string
		Headlines, Bodies       []struct{ Role, ContentType, Value string }
	}
	read := func(r Release) doc {
		t.Helper()
		b, err := json.Marshal(NewNinjs(authority, r))
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range ninjstest.Validate(b) {
			t.Error(err)
		}
		var d doc
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	p, w, e := read(published), read(withdrawn), read(embargoed)
	if p.PubStatus != "usable" || p.EmbargoedUntil != nil || p.Version != "2" {
		t.Errorf("published: %+v", p)
	}
	if w.URI != p.URI || w.PubStatus != "canceled" || w.Version != "3" || len(w.Bodies) != 1 ||
		w.Bodies[0].Value != withdrawn.Notice || w.Bodies[0].ContentType != "text/plain" || w.Headlines[0].Value != p.Headlines[0].Value {
		t.Errorf("withdrawal: %+v", w)
	}
	if e.PubStatus != "usable" || e.EmbargoedUntil == nil || *e.EmbargoedUntil != "2026-12-06T04:00:00Z" {
		t.Errorf("embargoed: %+v (embargoedUntil %v)", e, e.EmbargoedUntil)
	}
}
