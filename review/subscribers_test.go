package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

var shownSecretField = regexp.MustCompile(`id="secret-value"[^>]*value="(whsec_[^"]+)"`)

// shownSecret is the secret a page shows once, "" when it shows none.
func shownSecret(body string) string {
	if m := shownSecretField.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1]) // the template writes + as &#43;
	}
	return ""
}

// showsSecret reports whether a page has secret anywhere, escaped or not.
func showsSecret(body, secret string) bool {
	return strings.Contains(html.UnescapeString(body), secret)
}

func TestSubscriberPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.signedIn(t, "admin")
		if resp := admin.get("/subscribers"); !strings.Contains(resp.body, `href="/subscribers" aria-current="page"`) ||
			!strings.Contains(resp.body, "0 subscribers") {
			t.Fatalf("empty list: %d\n%s", resp.status, resp.body)
		}

		resp := admin.post("/subscribers", url.Values{"url": {"ftp://receiver.example"}, "description": {strings.Repeat("x", 501)}})
		if resp.status != http.StatusUnprocessableEntity {
			t.Errorf("bad subscriber: %d, want 422", resp.status)
		}
		for _, want := range []string{"absolute http or https URL", "Choose at least one language", "longer than 500 characters", `value="ftp://receiver.example"`} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("refused subscriber lacks %q", want)
			}
		}
		resp = admin.post("/subscribers", url.Values{"url": {"http://127.0.0.1:8080/hook"}, "lang": {"tg"}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "private, loopback or local address") {
			t.Errorf("private receiver: %d, want 422 with the guard's message", resp.status)
		}

		resp = admin.post("/subscribers", url.Values{"url": {receiverURL}, "lang": {"tg", "ru"}, "description": {"Сайт <b>x</b>"}})
		if resp.status != http.StatusSeeOther || resp.location != "/subscribers?done=created" || strings.Contains(resp.location, "whsec_") {
			t.Fatalf("add subscriber: %d to %q, want 303 to the list (post/redirect/get), no secret in the URL", resp.status, resp.location)
		}
		if showsSecret(resp.body, "whsec_") {
			t.Error("the redirect's body carries a secret")
		}
		// The secret rides to the next page in a cookie no script reads, sent to the list alone,
		// for five minutes at most; the page deletes it.
		if c := resp.header.Get("Set-Cookie"); !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") ||
			!strings.Contains(c, "Path=/subscribers") || !strings.Contains(c, "Max-Age=300") {
			t.Errorf("secret cookie %q", c)
		}
		resp = admin.get(resp.location)
		if c := resp.header.Get("Set-Cookie"); !strings.Contains(c, "tarjuma_new_secret=;") || !strings.Contains(c, "Max-Age=0") {
			t.Errorf("the page that shows the secret does not delete its cookie: %q", c)
		}
		secret := shownSecret(resp.body)
		if secret == "" || !strings.Contains(resp.body, "shown only this once") {
			t.Fatalf("the new secret is not shown with its warning\n%s", resp.body)
		}
		if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("page with a secret: Cache-Control %q, want no-store", cc)
		}
		subs, err := f.db.Subscribers(ctx)
		if err != nil || len(subs) != 1 {
			t.Fatalf("subscribers %v, %v; want one", subs, err)
		}
		sub := subs[0]
		if sub.Secret != secret || sub.URL != receiverURL || sub.CreatedBy != "admin@desk.test" ||
			len(sub.Langs) != 2 || sub.Langs[0] != tarjuma.Tajik || sub.Langs[1] != tarjuma.Russian {
			t.Errorf("stored subscriber %+v, want the form's with the secret shown", sub)
		}

		// A reload of the page the redirect led to shows the list, not the secret again, and
		// registers nothing more.
		list := admin.get("/subscribers?done=created")
		if showsSecret(list.body, secret) || strings.Contains(list.body, `id="secret"`) {
			t.Error("the list shows the secret again")
		}
		if subs, _ := f.db.Subscribers(ctx); len(subs) != 1 {
			t.Errorf("%d subscribers after a reload, want 1", len(subs))
		}
		for _, want := range []string{receiverURL, "Сайт &lt;b&gt;x&lt;/b&gt;", "Tajik, Russian", "1 subscriber", "Active"} {
			if !strings.Contains(list.body, want) {
				t.Errorf("list lacks %q", want)
			}
		}

		rotatePath := "/subscribers/" + itoa64(sub.ID) + "/rotate"
		resp = admin.post(rotatePath, nil)
		if resp.status != http.StatusSeeOther || resp.location != "/subscribers?done=rotated" {
			t.Fatalf("rotate: %d to %q, want 303 to the list", resp.status, resp.location)
		}
		resp = admin.get(resp.location)
		rotated := shownSecret(resp.body)
		if resp.status != http.StatusOK || rotated == "" || rotated == secret || showsSecret(resp.body, secret) {
			t.Fatalf("rotate: %d, want the new secret shown and not the old one\n%s", resp.status, resp.body)
		}
		if subs, _ := f.db.Subscribers(ctx); subs[0].Secret != rotated || subs[0].PreviousSecret != secret {
			t.Errorf("after rotation secret %q, previous %q; want the new one and the old one", subs[0].Secret, subs[0].PreviousSecret)
		}
		list = admin.get("/subscribers")
		if showsSecret(list.body, rotated) || showsSecret(list.body, secret) || !strings.Contains(list.body, "The previous secret also signs until") {
			t.Error("after rotation the list must show the grace period and neither secret")
		}

		deletePath := "/subscribers/" + itoa64(sub.ID) + "/delete"
		if resp := admin.post(deletePath, nil); resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "Nothing was deleted") {
			t.Errorf("unconfirmed delete: %d, want 422", resp.status)
		}
		if subs, _ := f.db.Subscribers(ctx); len(subs) != 1 {
			t.Fatal("an unconfirmed delete removed the subscriber")
		}
		resp = admin.post(deletePath, url.Values{"confirm": {"yes"}})
		if resp.status != http.StatusSeeOther || resp.location != "/subscribers?done=deleted" {
			t.Fatalf("delete: %d to %q", resp.status, resp.location)
		}
		if subs, _ := f.db.Subscribers(ctx); len(subs) != 0 {
			t.Errorf("%d subscribers after deleting the only one", len(subs))
		}
		if resp := admin.get(resp.location); !strings.Contains(resp.body, "Subscriber deleted") || strings.Contains(resp.body, receiverURL) {
			t.Error("after deleting: want the notice and no row")
		}
		if resp := admin.post(rotatePath, nil); resp.status != http.StatusNotFound {
			t.Errorf("rotate a deleted subscriber: %d, want 404", resp.status)
		}
	})
}

// TestSubscriberPrivateAllowed: with AllowPrivateWebhooks (dev), a receiver on the desk's own
// machine is accepted, as the API accepts it.
func TestSubscriberPrivateAllowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db", func(c *Config) {
		c.Desk = desk.New(desk.Config{DB: c.DB, AllowPrivateWebhooks: true})
	})
	admin := f.signedIn(t, "admin")
	if resp := admin.post("/subscribers", url.Values{"url": {"http://127.0.0.1:8080/hook"}, "lang": {"en"}}); resp.status != http.StatusSeeOther {
		t.Errorf("private receiver when allowed: %d, want 303\n%s", resp.status, resp.body)
	}
}

// TestSubscriberLifecycle disables a subscriber by hand, enables it again and tests it against
// a receiver that checks the ping's signature, from the buttons of its row.
func TestSubscriberLifecycle(t *testing.T) {
	t.Parallel()
	var answer atomic.Int32
	answer.Store(http.StatusNoContent)
	var secret atomic.Value
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ping struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(body, &ping); err != nil || ping.Type != "ping" || !strings.HasPrefix(r.Header.Get("webhook-id"), "ping_") ||
			!validSignature(secret.Load().(string), r.Header, body) {
			t.Errorf("receiver: %s %q, webhook-id %q, signature %q", body, ping.Type, r.Header.Get("webhook-id"), r.Header.Get("webhook-signature"))
		}
		w.WriteHeader(int(answer.Load()))
	}))
	t.Cleanup(receiver.Close)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db", func(c *Config) {
		c.Desk = desk.New(desk.Config{DB: c.DB, AllowPrivateWebhooks: true})
	})
	sub, err := f.db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: receiver.URL + "/hook", Langs: []tarjuma.Lang{tarjuma.English},
		Payload: publish.PayloadNinjs, Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	secret.Store(sub.Secret)
	admin, editor := f.signedIn(t, "admin"), f.signedIn(t, "editor")
	row := "/subscribers/" + itoa64(sub.ID)
	for _, action := range []string{"/test", "/disable", "/enable"} {
		if resp := editor.post(row+action, nil); resp.status != http.StatusForbidden {
			t.Errorf("editor %s: %d, want 403", action, resp.status)
		}
	}
	act := func(action string) string {
		t.Helper()
		resp := admin.post(row+action, nil)
		if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.location, "/subscribers?done=") {
			t.Fatalf("%s: %d to %q", action, resp.status, resp.location)
		}
		return admin.get(resp.location).body
	}
	page := act("/disable")
	if got, _ := f.db.Subscriber(t.Context(), sub.ID); got.DisabledAt.IsZero() || got.DisabledReason != "disabled by admin@desk.test" {
		t.Errorf("after disable: %+v", got)
	}
	for _, want := range []string{"Subscriber disabled", "Disabled by an admin", `action="` + row + `/enable"`, "IPTC ninjs 3.1"} {
		if !strings.Contains(page, want) {
			t.Errorf("disabled row lacks %q", want)
		}
	}
	page = act("/enable")
	if got, _ := f.db.Subscriber(t.Context(), sub.ID); !got.DisabledAt.IsZero() {
		t.Errorf("after enable: disabled at %v", got.DisabledAt)
	}
	if !strings.Contains(page, "Subscriber enabled") || !strings.Contains(page, `action="`+row+`/disable"`) {
		t.Error("enabled row lacks its notice or the disable button")
	}
	page = act("/test")
	for _, want := range []string{"Last test:", "passed", "HTTP 204"} {
		if !strings.Contains(page, want) {
			t.Errorf("after a passed test the row lacks %q", want)
		}
	}
	answer.Store(http.StatusUnauthorized)
	page = act("/test")
	for _, want := range []string{"failed", "HTTP 401", "receiver answered 401 Unauthorized"} {
		if !strings.Contains(page, want) {
			t.Errorf("after a failed test the row lacks %q", want)
		}
	}
	if resp := admin.post("/subscribers/99/test", nil); resp.status != http.StatusNotFound {
		t.Errorf("test an unknown subscriber: %d, want 404", resp.status)
	}
}

// validSignature checks a Standard Webhooks v1 signature as the specification tells receivers
// to, written from it rather than with package publish.
func validSignature(secret string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.%s", h.Get("webhook-id"), h.Get("webhook-timestamp"), body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	return slices.Contains(strings.Fields(h.Get("webhook-signature")), want)
}

func TestRedeliver(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a, d := f.publishDraft(t)
		path := "/review/" + itoa64(a.ID) + "/tg"
		redeliver := path + "/deliveries/" + itoa64(d.ID) + "/redeliver"
		admin, translator := f.signedIn(t, "admin"), f.signedIn(t, "translator")

		page := translator.get(path)
		for _, want := range []string{`id="deliveries"`, "https://receiver.example/…", `HTTP 500`, `HTTP 204`, "120 ms", "receiver answered 500",
			"Delivered", "first publication", "dlv_" + itoa64(d.ID)} {
			if !strings.Contains(page.body, want) {
				t.Errorf("deliveries lack %q", want)
			}
		}
		if strings.Contains(page.body, `class="redeliver"`) {
			t.Error("a translator sees the redeliver button")
		}
		if resp := translator.post(redeliver, nil); resp.status != http.StatusForbidden {
			t.Errorf("translator redelivers: %d, want 403", resp.status)
		}

		admin.get(path)
		woken := f.enqueued.Load()
		resp := admin.post(redeliver, nil)
		if resp.status != http.StatusSeeOther || resp.location != path+"?done=redelivered#deliveries" {
			t.Fatalf("redeliver: %d to %q\n%s", resp.status, resp.location, resp.body)
		}
		if f.enqueued.Load() != woken+1 {
			t.Error("redelivering did not wake the relay")
		}
		logs, err := f.db.Deliveries(ctx, a.ID, tarjuma.Tajik)
		if err != nil || logs[0].State != publish.DeliveryPending || logs[0].Round != d.Round+1 {
			t.Fatalf("after redelivery: %+v, %v; want pending in the next round", logs, err)
		}
		if resp := admin.get(resp.location); !strings.Contains(resp.body, "queued again") || !strings.Contains(resp.body, "Retried until") {
			t.Error("after redelivery: want the notice and the pending state")
		}

		// A delivery is redelivered only from its own translation's page.
		if resp := admin.post("/review/1/tg/deliveries/"+itoa64(d.ID)+"/redeliver", nil); resp.status != http.StatusNotFound {
			t.Errorf("redeliver through another translation: %d, want 404", resp.status)
		}
		// Deleting the subscriber cancels the delivery, which cannot be sent again.
		if err := f.db.DeleteSubscriber(ctx, d.SubscriberID); err != nil {
			t.Fatal(err)
		}
		if resp := admin.post(redeliver, nil); resp.status != http.StatusConflict || !strings.Contains(resp.body, "cannot be sent again") {
			t.Errorf("redeliver a cancelled delivery: %d, want 409 with the reason", resp.status)
		}
	})
}

// TestSubscriberDisabled: a receiver that answered 410 Gone is listed as disabled, with why and
// what to do.
func TestSubscriberDisabled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	ctx := context.Background()
	_, d := f.publishDraft(t)
	if _, err := f.db.Redeliver(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RecordAttempt(ctx, publish.Attempt{DeliveryID: d.ID, At: time.Now(), StatusCode: http.StatusGone}, publish.OutcomeGone); err != nil {
		t.Fatal(err)
	}
	resp := f.signedIn(t, "admin").get("/subscribers")
	for _, want := range []string{`class="status status-disabled"`, "answered 410 Gone, so nothing more is sent"} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("disabled subscriber: list lacks %q", want)
		}
	}
}

// TestReceiverURLByRole: the editor's delivery log shows an admin the receiver's whole URL and
// every other role the host alone, as the API does; the path and query often hold a key.
func TestReceiverURLByRole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		const keyed = "https://hooks.example.org/tarjuma/in?key=s3cret"
		a, _ := f.publishDraft(t) // delivered to receiverURL
		ctx := context.Background()
		if _, err := f.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: keyed, Langs: []tarjuma.Lang{tarjuma.Tajik},
			Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"}); err != nil {
			t.Fatal(err)
		}
		// Another article, approved now, goes to both receivers.
		a = f.createDraft(t, "keyed", sourceTitle, sourceBody, draftSegments())
		if err := f.db.Approve(ctx, a.ID, tarjuma.Tajik, 1, "reviewer@desk.test", "", fixtureOverride); err != nil {
			t.Fatal(err)
		}
		path := "/review/" + itoa64(a.ID) + "/tg"
		for _, who := range []string{"admin", "editor", "translator", "ru-only", "reviewer"} {
			t.Run(who, func(t *testing.T) {
				page := f.signedIn(t, who).get(path)
				if page.status != http.StatusOK {
					t.Fatalf("GET %s: %d", path, page.status)
				}
				body := html.UnescapeString(page.body)
				want, hidden := []string{keyed, receiverURL}, []string{}
				if who != "admin" {
					want = []string{"https://hooks.example.org/…", "https://receiver.example/…"}
					hidden = []string{"s3cret", "/tarjuma/in", receiverURL}
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("%s's page lacks %q", who, w)
					}
				}
				for _, h := range hidden {
					if strings.Contains(body, h) {
						t.Errorf("%s's page shows %q", who, h)
					}
				}
			})
		}
	})
}
