package publish

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish/ninjstest"
)

// ninjsRelease is version n of article 7 in Russian: a title and two paragraphs, every
// segment's origin as given, naming a person, an organisation, a place and a title (which ninjs
// has no list for).
func ninjsRelease(n int, p tarjuma.Priority, origins ...tarjuma.Origin) Release {
	segs := []tarjuma.Segment{
		{ID: "title", Text: "Рахмон встретился с делегацией ШОС"},
		{ID: "p1.s1", Text: "Эмомали Рахмон принял делегацию в Душанбе."},
		{ID: "p1.s2", Text: "Стороны обсудили «сотрудничество» & торговлю."},
		{ID: "p2.s1", Text: "Визит продлится <три> дня."},
	}
	for i := range segs {
		segs[i].Origin = origins[i%len(origins)]
	}
	return Release{
		ID: 1, Event: EventPublished, ExternalID: "wire-42",
		Version:    tarjuma.Version{ArticleID: 7, Lang: tarjuma.Russian, Number: n, Segments: segs},
		ApprovedBy: "rustam", ApprovedAt: time.Date(2026, 12, 5, 10, 30, 0, 0, time.UTC), Priority: p,
		Entities: []Entity{
			{Kind: EntityPerson, TermID: "emomali-rahmon", Name: "Эмомали Рахмон"},
			{Kind: EntityOrganisation, TermID: "sco", Name: "ШОС"},
			{Kind: EntityPlace, TermID: "dushanbe", Name: "Душанбе"},
		},
	}
}

func TestNinjsAgainstSchema(t *testing.T) {
	machine, human := tarjuma.MachineOrigin("google"), tarjuma.OriginHuman
	const authority = "news.example.tj,2025"
	for _, tc := range []struct {
		name     string
		release  Release
		urgency  int    // ninjs 1 (highest) to 9: urgent 3, default 5, bulk 7
		language string // BCP 47, with the machine-translation label when no person edited
		source   string // IPTC digital source type; "" for none
	}{
		{"machine only, urgent", ninjsRelease(1, tarjuma.PriorityUrgent, machine), 3, "ru-x-mtfrom-ar",
			"http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"},
		{"machine edited by a person", ninjsRelease(2, tarjuma.PriorityDefault, machine, human), 5, "ru",
			"http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"},
		{"written by people, bulk", ninjsRelease(3, tarjuma.PriorityBulk, human, tarjuma.OriginMemory), 7, "ru", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := json.Marshal(NewNinjs(authority, tc.release))
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range ninjstest.Validate(doc) {
				t.Error(err)
			}
			var got struct {
				URI, Type, Version, VersionCreated, PubStatus, Language string
				Urgency                                                 int
				Headlines, Bodies                                       []struct{ Role, ContentType, Value string }
				People, Organisations, Places                           []struct{ Name, URI string }
				AltIDs                                                  []struct{ Role, Value string } `json:"altIds"`
				DigitalSourceType                                       *struct{ URI string }
			}
			if err := json.Unmarshal(doc, &got); err != nil {
				t.Fatal(err)
			}
			// The same uri for every version of the article in Russian: the Atom entry's id.
			if got.URI != "tag:news.example.tj,2025:article/7/ru" || got.Type != "text" ||
				got.Version != fmt.Sprint(tc.release.Version.Number) || got.VersionCreated != "2026-12-05T10:30:00Z" || got.PubStatus != "usable" {
				t.Errorf("uri %q type %q version %q created %q status %q", got.URI, got.Type, got.Version, got.VersionCreated, got.PubStatus)
			}
			if got.Urgency != tc.urgency || got.Language != tc.language {
				t.Errorf("urgency %d language %q, want %d %q", got.Urgency, got.Language, tc.urgency, tc.language)
			}
			if (got.DigitalSourceType == nil) != (tc.source == "") || got.DigitalSourceType != nil && got.DigitalSourceType.URI != tc.source {
				t.Errorf("digitalSourceType %+v, want %q", got.DigitalSourceType, tc.source)
			}
			if len(got.Headlines) != 1 || got.Headlines[0].Role != "main" || got.Headlines[0].Value != "Рахмон встретился с делегацией ШОС" {
				t.Errorf("headlines %+v", got.Headlines)
			}
			wantText := "Эмомали Рахмон принял делегацию в Душанбе. Стороны обсудили «сотрудничество» & торговлю.\n\nВизит продлится <три> дня."
			if len(got.Bodies) != 2 || got.Bodies[0].Role != "main" || got.Bodies[0].ContentType != "text/plain" || got.Bodies[0].Value != wantText ||
				got.Bodies[1].Role != "main" || got.Bodies[1].ContentType != "application/xhtml+xml" {
				t.Fatalf("bodies %+v", got.Bodies)
			}
			// The XHTML body is well-formed XML whose text is the plain body's.
			dec := xml.NewDecoder(strings.NewReader("<div>" + got.Bodies[1].Value + "</div>"))
			var paras []string
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("XHTML body %q: %v", got.Bodies[1].Value, err)
				}
				if cd, ok := tok.(xml.CharData); ok && strings.TrimSpace(string(cd)) != "" {
					paras = append(paras, string(cd))
				}
			}
			if strings.Join(paras, "\n\n") != wantText {
				t.Errorf("XHTML paragraphs %q, want the plain body's", paras)
			}
			if len(got.People) != 1 || got.People[0] != (struct{ Name, URI string }{"Эмомали Рахмон", "tag:news.example.tj,2025:glossary/emomali-rahmon"}) ||
				len(got.Organisations) != 1 || got.Organisations[0].URI != "tag:news.example.tj,2025:glossary/sco" ||
				len(got.Places) != 1 || got.Places[0].Name != "Душанбе" {
				t.Errorf("people %+v organisations %+v places %+v", got.People, got.Organisations, got.Places)
			}
			if len(got.AltIDs) != 1 || got.AltIDs[0].Value != "wire-42" {
				t.Errorf("altIds %+v", got.AltIDs)
			}
		})
	}
}

// TestPubStatuses: each publication status a document can carry (usable now; withheld and
// canceled for withdrawals) is one the schema allows.
func TestPubStatuses(t *testing.T) {
	for _, st := range []PubStatus{PubUsable, PubWithheld, PubCanceled} {
		n := NewNinjs("news.example.tj,2025", ninjsRelease(1, tarjuma.PriorityDefault, tarjuma.OriginHuman))
		n.PubStatus = st
		doc, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, err := range ninjstest.Validate(doc) {
			t.Errorf("%s: %v", st, err)
		}
	}
}

// TestNinjsValidatorRefuses shows the schema check can fail: each document breaks one
// constraint of the schema.
func TestNinjsValidatorRefuses(t *testing.T) {
	for _, doc := range []string{
		`{"type": "text"}`,                        // uri is required
		`{"uri": "article-7"}`,                    // not an absolute URI
		`{"uri": "tag:x,2025:a", "type": "news"}`, // not a newsObjectType
		`{"uri": "tag:x,2025:a", "pubStatus": "published"}`,
		`{"uri": "tag:x,2025:a", "urgency": 0}`,
		`{"uri": "tag:x,2025:a", "urgency": 4.5}`,
		`{"uri": "tag:x,2025:a", "version": 2}`,
		`{"uri": "tag:x,2025:a", "versionCreated": "5 Dec 2026"}`,
		`{"uri": "tag:x,2025:a", "version_created": "2026-12-05T10:30:00Z"}`, // snake_case, as before ninjs 2.0
		`{"uri": "tag:x,2025:a", "headlines": [{"role": "main"}]}`,           // value is required
		`{"uri": "tag:x,2025:a", "bodies": [{"value": "x", "mimetype": "text/plain"}]}`,
		`{"uri": "tag:x,2025:a", "people": [{"name": "x", "uri": "emomali"}]}`,
		`{"uri": "tag:x,2025:a", "digitalSourceType": {"uri": "http://cv.iptc.org/x", "code": "x"}}`,
	} {
		if errs := ninjstest.Validate([]byte(doc)); len(errs) == 0 {
			t.Errorf("%s passed the schema check", doc)
		}
	}
}

// TestWebhookNinjsPayload: a webhook subscriber asking for ninjs gets the bare document, signed
// as the event is; one asking for nothing in particular gets the event.
func TestWebhookNinjsPayload(t *testing.T) {
	var got []byte
	var header http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		header = r.Header.Clone()
	}))
	defer srv.Close()
	conn, err := NewConnectors(ConnectorsConfig{Sender: NewSender(SenderConfig{AllowPrivate: true})}).For(KindWebhook)
	if err != nil {
		t.Fatal(err)
	}
	secret := NewSecret()
	for _, payload := range []Payload{PayloadNinjs, PayloadTarjuma} {
		d := Dispatch{Outgoing: Outgoing{Delivery: Delivery{ID: 12},
			Subscriber: Subscriber{Kind: KindWebhook, Payload: payload, URL: srv.URL, Secret: secret},
			Release:    ninjsRelease(1, tarjuma.PriorityDefault, tarjuma.MachineOrigin("google"))}}
		if res := conn.Deliver(t.Context(), d); !res.Acknowledged() {
			t.Fatalf("%s: %+v", payload, res)
		}
		if err := verify(secret, header, got, time.Now()); err != nil || header.Get("webhook-id") != "dlv_12" {
			t.Errorf("%s: signature %v, webhook-id %q", payload, err, header.Get("webhook-id"))
		}
		var doc map[string]any
		if err := json.Unmarshal(got, &doc); err != nil {
			t.Fatal(err)
		}
		switch _, isEvent := doc["data"]; {
		case payload == PayloadNinjs && (isEvent || doc["uri"] != "tag:tarjuma.invalid,2025:article/7/ru"):
			t.Errorf("ninjs payload %s", got)
		case payload == PayloadNinjs:
			for _, err := range ninjstest.Validate(got) {
				t.Error(err)
			}
		case payload == PayloadTarjuma && (!isEvent || doc["type"] != EventPublished):
			t.Errorf("tarjuma payload %s", got)
		}
	}
}

// TestWebhookWithdrawal: a withdrawal reaches a webhook as the event translation.withdrawn,
// or as the article's ninjs document (the same uri, a version above the one withdrawn) with
// pubStatus canceled.
func TestWebhookWithdrawal(t *testing.T) {
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = io.ReadAll(r.Body) }))
	defer srv.Close()
	conn, err := NewConnectors(ConnectorsConfig{Sender: NewSender(SenderConfig{AllowPrivate: true})}).For(KindWebhook)
	if err != nil {
		t.Fatal(err)
	}
	r := ninjsRelease(2, tarjuma.PriorityDefault, tarjuma.OriginHuman)
	r.Event, r.Notice = EventWithdrawn, "Маводи мазкур бозхонда шуд."
	for _, payload := range []Payload{PayloadNinjs, PayloadTarjuma} {
		d := Dispatch{Outgoing: Outgoing{Delivery: Delivery{ID: 13},
			Subscriber: Subscriber{Kind: KindWebhook, Payload: payload, URL: srv.URL, Secret: NewSecret()}, Release: r}}
		if res := conn.Deliver(t.Context(), d); !res.Acknowledged() {
			t.Fatalf("%s: %+v", payload, res)
		}
		var doc map[string]any
		if err := json.Unmarshal(got, &doc); err != nil {
			t.Fatal(err)
		}
		switch {
		case payload == PayloadNinjs && (doc["pubStatus"] != "canceled" || doc["uri"] != "tag:tarjuma.invalid,2025:article/7/ru" || doc["version"] != "3"):
			// Version 2 was published; the cancellation supersedes it, so it is version 3.
			t.Errorf("ninjs withdrawal %s; want the article's uri, version 3, canceled", got)
		case payload == PayloadNinjs:
			for _, err := range ninjstest.Validate(got) {
				t.Error(err)
			}
		case payload == PayloadTarjuma && doc["type"] != "translation.withdrawn":
			t.Errorf("tarjuma withdrawal %s; want type translation.withdrawn", got)
		}
	}
}

// TestWebhookCheck: the test of a webhook is a signed ping, passed by any 2xx and failed by
// anything else, with the receiver's answer in the result.
func TestWebhookCheck(t *testing.T) {
	status := http.StatusNoContent
	secret := NewSecret()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ping struct {
			Type string
			Data struct {
				SubscriberID int64 `json:"subscriber_id"`
			}
		}
		if err := json.Unmarshal(body, &ping); err != nil || ping.Type != "ping" || ping.Data.SubscriberID != 5 ||
			!strings.HasPrefix(r.Header.Get("webhook-id"), "ping_") || verify(secret, r.Header, body, time.Now()) != nil {
			t.Errorf("ping %s, webhook-id %q", body, r.Header.Get("webhook-id"))
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	conn := NewConnectors(ConnectorsConfig{Sender: NewSender(SenderConfig{AllowPrivate: true})})[KindWebhook]
	sub := Subscriber{ID: 5, Kind: KindWebhook, URL: srv.URL, Secret: secret}
	if res := conn.Check(t.Context(), sub, nil); !res.Acknowledged() || res.StatusCode != http.StatusNoContent {
		t.Errorf("check of a receiver answering 204: %+v", res)
	}
	status = http.StatusUnauthorized
	if res := conn.Check(t.Context(), sub, nil); res.Acknowledged() || res.StatusCode != http.StatusUnauthorized || res.Err == nil {
		t.Errorf("check of a receiver answering 401: %+v", res)
	}
	guarded := NewConnectors(ConnectorsConfig{Sender: NewSender(SenderConfig{})})[KindWebhook]
	if res := guarded.Check(t.Context(), sub, nil); res.StatusCode != 0 || res.Err == nil || !strings.Contains(res.Err.Error(), "private") {
		t.Errorf("check of a loopback receiver without AllowPrivate: %+v", res)
	}
}

func TestConnectorsKinds(t *testing.T) {
	c := NewConnectors(ConnectorsConfig{Sender: NewSender(SenderConfig{})})
	for _, k := range []Kind{KindWebhook, KindWordPress, KindTelegram} {
		if _, err := c.For(k); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	if _, err := c.For("fax"); !errors.Is(err, ErrUnsupportedKind) {
		t.Errorf("fax: %v, want ErrUnsupportedKind", err)
	}
}
