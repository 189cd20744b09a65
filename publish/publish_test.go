package publish

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

// verify checks a request the way the Standard Webhooks specification tells receivers to,
// written from the specification rather than from Sign: HMAC-SHA256 keyed with the base64 part
// of the secret over "id.timestamp.body", compared with each "v1," signature of the header, and
// the timestamp within five minutes.
func verify(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil {
		return err
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp too far off")
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.%s", h.Get("webhook-id"), ts, body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		version, b64, _ := strings.Cut(sig, ",")
		got, err := base64.StdEncoding.DecodeString(b64)
		if version == "v1" && err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

func TestSpecExample(t *testing.T) {
	// The example of the Standard Webhooks specification and its reference libraries.
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	got, err := Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), body)
	if err != nil || got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("Sign = %q, %v; want the specification's signature", got, err)
	}
	for _, bad := range []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!", "whsec_"} {
		if _, err := Sign(bad, "id", time.Now(), body); err == nil {
			t.Errorf("Sign with secret %q succeeded", bad)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 || a == b {
		t.Errorf("NewSecret = %q, %q: want whsec_ and base64 of 32 random bytes", a, b)
	}
}

// receiver records the requests it gets and answers with answer.
type receiver struct {
	requests []*http.Request
	bodies   [][]byte
	answer   func(w http.ResponseWriter, r *http.Request)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.requests = append(rc.requests, r)
	rc.bodies = append(rc.bodies, body)
	rc.answer(w, r)
}

func TestSendSignsAndRotates(t *testing.T) {
	rc := &receiver{answer: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	oldSecret, newSecret := NewSecret(), NewSecret()
	s := NewSender(SenderConfig{AllowPrivate: true})
	body := []byte(`{"type":"translation.published"}`)

	res := s.Send(t.Context(), Message{URL: srv.URL, ID: "dlv_1", Secrets: []string{newSecret, oldSecret}, Body: body})
	if !res.Acknowledged() || res.Err != nil || res.StatusCode != 204 {
		t.Fatalf("Send = %+v, want acknowledged", res)
	}
	h := rc.requests[0].Header
	if h.Get("webhook-id") != "dlv_1" || h.Get("Content-Type") != "application/json" || string(rc.bodies[0]) != string(body) {
		t.Errorf("headers %v body %s", h, rc.bodies[0])
	}
	for _, secret := range []string{newSecret, oldSecret} {
		if err := verify(secret, h, rc.bodies[0], time.Now()); err != nil {
			t.Errorf("during the grace period: %v", err)
		}
	}
	if n := len(strings.Fields(h.Get("webhook-signature"))); n != 2 {
		t.Errorf("%d signatures, want 2 during rotation", n)
	}
	if err := verify(NewSecret(), h, rc.bodies[0], time.Now()); err == nil {
		t.Error("a stranger's secret verified")
	}
	if err := verify(newSecret, h, rc.bodies[0], time.Now().Add(6*time.Minute)); err == nil {
		t.Error("a replay six minutes later verified")
	}

	s.Send(t.Context(), Message{URL: srv.URL, ID: "dlv_1", Secrets: []string{newSecret}, Body: body})
	h = rc.requests[1].Header
	if verify(newSecret, h, rc.bodies[1], time.Now()) != nil || verify(oldSecret, h, rc.bodies[1], time.Now()) == nil {
		t.Error("after the grace period only the new secret may verify")
	}
}

func TestSendFailures(t *testing.T) {
	for _, tc := range []struct {
		name       string
		answer     func(w http.ResponseWriter, r *http.Request)
		status     int
		retryAfter time.Duration
		gone       bool
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, 500, 0, false},
		{"retry after seconds", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(503)
		}, 503, 2 * time.Minute, false},
		{"gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(410) }, 410, 0, true},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/moved" {
				t.Error("the redirect was followed")
			}
			http.Redirect(w, r, "/moved", http.StatusPermanentRedirect)
		}, 308, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &receiver{answer: tc.answer}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			res := NewSender(SenderConfig{AllowPrivate: true}).Send(t.Context(), Message{URL: srv.URL, ID: "dlv_2", Secrets: []string{NewSecret()}, Body: []byte("{}")})
			if res.Acknowledged() || res.Err == nil || res.StatusCode != tc.status || res.Gone() != tc.gone {
				t.Errorf("Send = %+v, want a failure with status %d", res, tc.status)
			}
			if res.RetryAfter != tc.retryAfter {
				t.Errorf("RetryAfter %v, want %v", res.RetryAfter, tc.retryAfter)
			}
			if len(rc.requests) != 1 {
				t.Errorf("%d requests, want 1", len(rc.requests))
			}
		})
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	res := NewSender(SenderConfig{AllowPrivate: true, Timeout: 100 * time.Millisecond}).
		Send(context.Background(), Message{URL: srv.URL, ID: "dlv_3", Secrets: []string{NewSecret()}, Body: []byte("{}")})
	if res.Acknowledged() || res.Err == nil || res.StatusCode != 0 {
		t.Errorf("Send to a hanging receiver = %+v, want a timeout", res)
	}
}

func TestGuard(t *testing.T) {
	for addr, refused := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "169.254.169.254": true,
		"0.0.0.0": true, "224.0.0.1": true, "100.64.0.1": true, "::1": true, "fe80::1": true, "fc00::1": true,
		"::": true, "ff02::1": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"93.184.215.14": false, "2606:4700::1111": false, "8.8.8.8": false,
	} {
		err := CheckAddr(netip.MustParseAddr(addr))
		if (err != nil) != refused || (refused && !errors.Is(err, ErrPrivateAddress)) {
			t.Errorf("CheckAddr(%s) = %v, want refused=%v", addr, err, refused)
		}
	}
	for raw, refused := range map[string]bool{
		"https://news.example.tj/hooks": false, "http://news.example.tj:8080/x?y=1": false,
		"https://127.0.0.1/": true, "https://[::1]:8443/": true, "http://10.0.0.8/": true, "http://169.254.169.254/latest": true,
		"http://localhost:8080/": true, "http://api.localhost/": true, "http://127.1/": true, "http://2130706433/": true,
		"ftp://news.example.tj/": true, "https://user:pw@news.example.tj/": true, "/relative": true, "https:///nohost": true,
		"https://news.example.tj/#frag": true,
	} {
		if err := CheckURL(raw, false); (err != nil) != refused {
			t.Errorf("CheckURL(%q) = %v, want refused=%v", raw, err, refused)
		}
	}
	if err := CheckURL("http://127.0.0.1:9000/hook", true); err != nil {
		t.Errorf("CheckURL with private addresses allowed: %v", err)
	}
}

// TestSendRefusesPrivate dials loopback receivers, by IP and by a name resolving to loopback:
// refused by the dialer unless private addresses are allowed, and never reached.
func TestSendRefusesPrivate(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	for _, u := range []string{srv.URL, "http://localhost:" + port} {
		res := NewSender(SenderConfig{}).Send(t.Context(), Message{URL: u, ID: "dlv_4", Secrets: []string{NewSecret()}, Body: []byte("{}")})
		if !errors.Is(res.Err, ErrPrivateAddress) || res.StatusCode != 0 {
			t.Errorf("Send to %s = %+v, want refused as private", u, res)
		}
	}
	if hits != 0 {
		t.Errorf("the loopback receiver was reached %d times", hits)
	}
	if res := NewSender(SenderConfig{AllowPrivate: true}).Send(t.Context(), Message{URL: srv.URL, ID: "dlv_4", Secrets: []string{NewSecret()}, Body: []byte("{}")}); !res.Acknowledged() {
		t.Errorf("with private addresses allowed: %+v", res)
	}
}

func sampleItem(origin tarjuma.Origin) Item {
	return Item{ArticleID: 42, ExternalID: "wire-1", ApprovedBy: "rev@desk", ApprovedAt: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC),
		Version: tarjuma.Version{ArticleID: 42, Lang: tarjuma.Russian, Number: 2, GlossaryVersion: 7, Segments: []tarjuma.Segment{
			{ID: "title", Text: "Саммит <в> Душанбе", Origin: tarjuma.MachineOrigin("google")},
			{ID: "p1.s1", Text: "Лидеры встретились.", Origin: tarjuma.MachineOrigin("google")},
			{ID: "p1.s2", Text: "Они говорили & спорили.", Origin: origin},
			{ID: "p2.s1", Text: "Конец.", Origin: tarjuma.OriginMemory},
		}}}
}

func TestItem(t *testing.T) {
	mt := sampleItem(tarjuma.MachineOrigin("google"))
	if mt.EditedByHuman() || !mt.MachineOnly() || mt.ContentLang() != "ru-x-mtfrom-ar" {
		t.Errorf("machine item: edited %v, machine only %v, lang %s", mt.EditedByHuman(), mt.MachineOnly(), mt.ContentLang())
	}
	if got := mt.Text(); got != "Лидеры встретились. Они говорили & спорили.\n\nКонец." {
		t.Errorf("Text = %q", got)
	}
	if got := mt.HTML(); got != "<p lang=\"ru-x-mtfrom-ar\">Лидеры встретились. Они говорили &amp; спорили.</p>\n<p lang=\"ru-x-mtfrom-ar\">Конец.</p>\n" {
		t.Errorf("HTML = %q", got)
	}
	edited := sampleItem(tarjuma.OriginHuman)
	if !edited.EditedByHuman() || edited.MachineOnly() || edited.ContentLang() != "ru" || strings.Contains(edited.HTML(), "lang=") {
		t.Errorf("edited item labelled as machine output: %s", edited.HTML())
	}
	d := NewEvent("translation.updated", edited)
	if d.Type != "translation.updated" || !d.Timestamp.Equal(edited.ApprovedAt) || d.Data.Version != 2 || d.Data.Title != "Саммит <в> Душанбе" ||
		d.Data.GlossaryVersion != 7 || !d.Data.EditedByHuman || d.Data.ApprovedBy != "rev@desk" || d.Data.ExternalID != "wire-1" {
		t.Errorf("NewEvent = %+v", d)
	}
}

// atomNS is the Atom namespace; the feed test decodes with it, so elements outside it fail.
const atomNS = "http://www.w3.org/2005/Atom"

type parsedFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID       string `xml:"http://www.w3.org/2005/Atom id"`
		Title    string `xml:"http://www.w3.org/2005/Atom title"`
		Updated  string `xml:"http://www.w3.org/2005/Atom updated"`
		Author   string `xml:"http://www.w3.org/2005/Atom author>name"`
		Category []struct {
			Term string `xml:"term,attr"`
		} `xml:"http://www.w3.org/2005/Atom category"`
		Rights  string `xml:"http://www.w3.org/2005/Atom rights"`
		Content struct {
			Type string `xml:"type,attr"`
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// checkAtom decodes an Atom document in the Atom namespace and checks what RFC 4287 requires
// of a feed and its entries.
func checkAtom(t *testing.T, doc []byte) parsedFeed {
	t.Helper()
	var f parsedFeed
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("feed is not Atom XML: %v\n%s", err, doc)
	}
	rfc3339 := func(what, v string) {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			t.Errorf("%s %q is not an RFC 3339 date: %v", what, v, err)
		}
	}
	if !strings.HasPrefix(f.ID, "tag:") || f.Title == "" {
		t.Errorf("feed id %q title %q", f.ID, f.Title)
	}
	rfc3339("feed updated", f.Updated)
	if len(f.Links) == 0 || f.Links[0].Rel != "self" || !strings.HasPrefix(f.Links[0].Href, "http") {
		t.Errorf("feed links %+v, want an absolute self link", f.Links)
	}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || e.Title == "" || e.Author == "" || e.Content.Type != "html" {
			t.Errorf("entry %+v lacks a required element", e)
		}
		rfc3339("entry updated", e.Updated)
	}
	return f
}

func TestWriteAtom(t *testing.T) {
	mt, edited := sampleItem(tarjuma.MachineOrigin("google")), sampleItem(tarjuma.OriginHuman)
	edited.ArticleID = 43
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	var buf strings.Builder
	err := WriteAtom(&buf, Feed{TagAuthority: "news.example.tj,2025", Title: "Desk", Lang: tarjuma.Russian,
		SelfURL: "https://news.example.tj/feeds/ru.atom", Entries: []Entry{{edited, at.Add(time.Hour)}, {mt, at}}})
	if err != nil {
		t.Fatal(err)
	}
	f := checkAtom(t, []byte(buf.String()))
	if f.ID != "tag:news.example.tj,2025:feeds/ru" || f.Updated != "2025-03-01T11:00:00Z" || len(f.Entries) != 2 {
		t.Fatalf("feed %+v", f)
	}
	e, m := f.Entries[0], f.Entries[1]
	if e.ID != "tag:news.example.tj,2025:article/43/ru" || e.Content.Lang != "ru" || len(e.Category) != 0 || e.Rights != "" {
		t.Errorf("edited entry %+v", e)
	}
	if m.Content.Lang != "ru-x-mtfrom-ar" || len(m.Category) != 1 || m.Rights == "" || !strings.Contains(m.Content.Body, `<p lang="ru-x-mtfrom-ar">`) {
		t.Errorf("machine entry not labelled: %+v", m)
	}
	if !strings.Contains(buf.String(), `xmlns="`+atomNS+`"`) {
		t.Error("no Atom default namespace")
	}
	var empty strings.Builder
	if err := WriteAtom(&empty, Feed{TagAuthority: "a.example,2025", Title: "Desk", Lang: tarjuma.English, SelfURL: "http://a.example/feeds/en.atom"}); err != nil {
		t.Fatal(err)
	}
	checkAtom(t, []byte(empty.String()))
}
