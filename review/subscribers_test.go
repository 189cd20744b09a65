package review

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
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
		if resp.status != http.StatusCreated {
			t.Fatalf("add subscriber: %d\n%s", resp.status, resp.body)
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

		list := admin.get("/subscribers")
		if showsSecret(list.body, secret) || strings.Contains(list.body, `id="secret"`) {
			t.Error("the list shows the secret again")
		}
		for _, want := range []string{receiverURL, "Сайт &lt;b&gt;x&lt;/b&gt;", "Tajik, Russian", "1 subscriber", "Active"} {
			if !strings.Contains(list.body, want) {
				t.Errorf("list lacks %q", want)
			}
		}

		rotatePath := "/subscribers/" + itoa64(sub.ID) + "/rotate"
		resp = admin.post(rotatePath, nil)
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
		if resp.status != http.StatusSeeOther || resp.location != "/subscribers?deleted=1" {
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
	if resp := admin.post("/subscribers", url.Values{"url": {"http://127.0.0.1:8080/hook"}, "lang": {"en"}}); resp.status != http.StatusCreated {
		t.Errorf("private receiver when allowed: %d, want 201\n%s", resp.status, resp.body)
	}
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
