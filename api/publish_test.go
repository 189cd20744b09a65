package api

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

func TestSubscribers(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		created := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers",
			`{"url": "https://site.example/hooks/tarjuma", "langs": ["tg", "ru"], "description": "сайт"}`), http.StatusCreated)
		if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Secret) != len("whsec_")+44 || created.ID == 0 ||
			len(created.Langs) != 2 || created.CreatedBy != "admin-token" {
			t.Errorf("created %+v", created)
		}
		for _, tc := range []struct{ body, code string }{
			{`{"url": "https://127.0.0.1/hook", "langs": ["tg"]}`, "invalid_url"},
			{`{"url": "http://169.254.169.254/latest", "langs": ["tg"]}`, "invalid_url"},
			{`{"url": "http://localhost:9000/", "langs": ["tg"]}`, "invalid_url"},
			{`{"url": "ftp://site.example/", "langs": ["tg"]}`, "invalid_url"},
			{`{"url": "https://site.example/", "langs": []}`, "invalid_lang"},
			{`{"url": "https://site.example/", "langs": ["ar"]}`, "invalid_lang"},
			{`{"url": "https://site.example/", "langs": ["tg", "tg"]}`, "invalid_lang"},
			{`{"url": "https://site.example/", "langs": ["tg"], "description": "` + strings.Repeat("x", 501) + `"}`, "invalid_text"},
		} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", tc.body), http.StatusUnprocessableEntity, tc.code, "")
		}

		rotated := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", fmt.Sprintf("/api/v1/subscribers/%d/rotate", created.ID), ""), http.StatusOK)
		if rotated.Secret == created.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.PreviousSecretExpiresAt == nil ||
			rotated.PreviousSecretExpiresAt.Sub(time.Now()) < 23*time.Hour {
			t.Errorf("rotated %+v", rotated)
		}
		rec := e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/subscribers", "")
		list := decode[struct{ Subscribers []subscriberJSON }](t, rec, http.StatusOK)
		if len(list.Subscribers) != 1 || strings.Contains(rec.Body.String(), "whsec_") || strings.Contains(rec.Body.String(), "secret\"") {
			t.Errorf("list shows secrets or is wrong: %s", rec.Body)
		}
		if rec := e.as(t, tarjuma.RoleAdmin, "DELETE", fmt.Sprintf("/api/v1/subscribers/%d", created.ID), ""); rec.Code != http.StatusNoContent {
			t.Errorf("delete: %d %s", rec.Code, rec.Body)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "DELETE", fmt.Sprintf("/api/v1/subscribers/%d", created.ID), ""), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", fmt.Sprintf("/api/v1/subscribers/%d/rotate", created.ID), ""), http.StatusNotFound, "not_found", "")

		dev := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker, AllowPrivateWebhooks: true}), DevToken: testDevToken})
		decode[subscriberSecretJSON](t, do(t, dev, "POST", "/api/v1/subscribers", bearer(testDevToken),
			`{"url": "http://127.0.0.1:9000/hook", "langs": ["en"]}`), http.StatusCreated)
	})
}

func TestDeliveriesAndRedeliver(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		sub, path := deliveredArticle(t, e, "https://site.example/hook")
		got := decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK)
		if len(got.Deliveries) != 1 {
			t.Fatalf("deliveries %+v", got)
		}
		d := got.Deliveries[0]
		if d.SubscriberID != sub.ID || d.State != publish.DeliveryPending || d.WebhookID != fmt.Sprintf("dlv_%d", d.ID) ||
			d.Event != "translation.published" || d.Version != 1 || d.Attempts == nil {
			t.Errorf("delivery %+v", d)
		}
		if err := e.db.RecordAttempt(t.Context(), publish.Attempt{DeliveryID: d.ID, At: time.Now(), Error: "refused"}, publish.OutcomeFailed); err != nil {
			t.Fatal(err)
		}
		before := e.waker.n.Load()
		again := decode[deliveryJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", fmt.Sprintf("/api/v1/deliveries/%d/redeliver", d.ID), ""), http.StatusAccepted)
		if again.ID != d.ID || again.Round != 2 || again.State != publish.DeliveryPending || e.waker.n.Load() != before+1 {
			t.Errorf("redelivered %+v; relay woken %d times", again, e.waker.n.Load()-before)
		}
		got = decode[struct{ Deliveries []deliveryLogJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", path, ""), http.StatusOK)
		if a := got.Deliveries[0].Attempts; len(a) != 1 || a[0].Error != "refused" || a[0].StatusCode != 0 {
			t.Errorf("attempts %+v", a)
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/deliveries/999/redeliver", ""), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/articles/999/translations/tg/deliveries", ""), http.StatusNotFound, "not_found", "")
	})
}

// publishN approves n articles' Russian translations; with no subscriber each is published at once.
func publishN(t *testing.T, e *testEnv, n int) []int64 {
	var ids []int64
	for i := range n {
		a := e.submit(t, shortArticle(i))
		saveMachineVersion(t, e.db, a.ID, tarjuma.Russian, 1, "عنوان")
		if err := e.db.Approve(t.Context(), a.ID, tarjuma.Russian, 1, "rustam", "", fixtureOverride); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

func TestListPublished(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		ids := publishN(t, e, 3)
		type page struct {
			Items      []publishedJSON
			NextCursor *string `json:"next_cursor"`
		}
		first := decode[page](t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/published?lang=ru&limit=2", ""), http.StatusOK)
		if len(first.Items) != 2 || first.NextCursor == nil || first.Items[0].ArticleID != ids[0] || first.Items[1].ArticleID != ids[1] {
			t.Fatalf("first page %+v", first)
		}
		it := first.Items[0]
		if it.Event != "translation.published" || it.Lang != "ru" || it.ContentLang != "ru-x-mtfrom-ar" || !it.MachineOnly ||
			it.Title == "" || !strings.Contains(it.BodyHTML, "<p lang=\"ru-x-mtfrom-ar\">") || it.ApprovedBy != "rustam" || it.PublishedAt.IsZero() {
			t.Errorf("item %+v", it)
		}
		second := decode[page](t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/published?lang=ru&limit=2&cursor="+url.QueryEscape(*first.NextCursor), ""), http.StatusOK)
		if len(second.Items) != 1 || second.NextCursor != nil || second.Items[0].ArticleID != ids[2] {
			t.Errorf("second page %+v", second)
		}
		if p := decode[page](t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/published?lang=en", ""), http.StatusOK); len(p.Items) != 0 {
			t.Errorf("English items %+v", p.Items)
		}
		since := url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))
		if p := decode[page](t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/published?since="+since, ""), http.StatusOK); len(p.Items) != 0 {
			t.Errorf("items since the future %+v", p.Items)
		}
		for _, q := range []string{"lang=ar", "since=yesterday", "cursor=bm9wZQ", "limit=0", "limit=101"} {
			wantError(t, e.as(t, tarjuma.RoleReviewer, "GET", "/api/v1/published?"+q, ""), http.StatusBadRequest, "invalid_parameter", "")
		}
	})
}

// atomFeed is what the feed test reads, by the Atom namespace: an element outside it is not
// found, so a wrong namespace fails the test.
type atomFeedDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Link    []struct {
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
		Content struct {
			Type string `xml:"type,attr"`
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Body string `xml:",chardata"`
		} `xml:"http://www.w3.org/2005/Atom content"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func TestFeed(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		ids := publishN(t, e, 2)
		srv := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker}), Feeds: FeedConfig{FeedTagAuthority: "news.example.tj,2025", PublicURL: "https://news.example.tj/"}})
		rec := do(t, srv, "GET", "/feeds/ru.atom", "", "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
			t.Fatalf("feed: %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
		var f atomFeedDoc
		if err := xml.Unmarshal(rec.Body.Bytes(), &f); err != nil {
			t.Fatalf("not Atom: %v", err)
		}
		if f.ID != "tag:news.example.tj,2025:feeds/ru" || f.Title == "" || len(f.Link) != 1 || f.Link[0].Rel != "self" ||
			f.Link[0].Href != "https://news.example.tj/feeds/ru.atom" || len(f.Entries) != 2 {
			t.Fatalf("feed %+v", f)
		}
		if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
			t.Errorf("updated %q: %v", f.Updated, err)
		}
		e0 := f.Entries[0] // newest first
		if e0.ID != fmt.Sprintf("tag:news.example.tj,2025:article/%d/ru", ids[1]) || e0.Title == "" || e0.Author == "" ||
			e0.Content.Type != "html" || e0.Content.Lang != "ru-x-mtfrom-ar" || len(e0.Category) != 1 || !strings.Contains(e0.Content.Body, "<p") {
			t.Errorf("entry %+v", e0)
		}
		if _, err := time.Parse(time.RFC3339, e0.Updated); err != nil {
			t.Errorf("entry updated %q: %v", e0.Updated, err)
		}

		etag, modified := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
		if etag == "" || modified == "" || rec.Header().Get("Cache-Control") == "" {
			t.Errorf("cache headers %v", rec.Header())
		}
		if rec := do(t, srv, "GET", "/feeds/ru.atom", "", "", "If-None-Match", etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d", rec.Code)
		}
		if rec := do(t, srv, "GET", "/feeds/ru.atom", "", "", "If-Modified-Since", modified); rec.Code != http.StatusNotModified {
			t.Errorf("If-Modified-Since: %d", rec.Code)
		}
		publishN(t, e, 1)
		if rec := do(t, srv, "GET", "/feeds/ru.atom", "", "", "If-None-Match", etag); rec.Code != http.StatusOK {
			t.Errorf("after a new publication If-None-Match gave %d, want the new feed", rec.Code)
		}

		var empty atomFeedDoc
		if rec := do(t, srv, "GET", "/feeds/en.atom", "", ""); rec.Code != http.StatusOK || xml.Unmarshal(rec.Body.Bytes(), &empty) != nil || len(empty.Entries) != 0 {
			t.Errorf("empty feed: %d %s", rec.Code, rec.Body)
		}
		for _, p := range []string{"/feeds/ar.atom", "/feeds/ru.rss", "/feeds/ru"} {
			wantError(t, do(t, srv, "GET", p, "", ""), http.StatusNotFound, "not_found", "")
		}
	})
}

// TestReceiverURLByRole: the deliveries API shows an admin the receiver's whole URL and every
// other role the host alone, since the path and query often hold the receiver's key. The
// subscribers API is admins' only, and shows it whole.
func TestReceiverURLByRole(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		const full = "https://hooks.example.org/tarjuma/in?key=s3cret"
		_, path := deliveredArticle(t, e, full)
		for _, tc := range []struct {
			role tarjuma.Role
			want string
		}{
			{tarjuma.RoleAdmin, full},
			{tarjuma.RoleEditor, "https://hooks.example.org/…"},
			{tarjuma.RoleTranslator, "https://hooks.example.org/…"},
			{tarjuma.RoleReviewer, "https://hooks.example.org/…"},
		} {
			t.Run(string(tc.role), func(t *testing.T) {
				rec := e.as(t, tc.role, "GET", path, "")
				got := decode[struct{ Deliveries []deliveryLogJSON }](t, rec, http.StatusOK)
				if len(got.Deliveries) != 1 || got.Deliveries[0].SubscriberURL != tc.want {
					t.Fatalf("deliveries %+v, want subscriber_url %q", got.Deliveries, tc.want)
				}
				if tc.role != tarjuma.RoleAdmin && (strings.Contains(rec.Body.String(), "s3cret") || strings.Contains(rec.Body.String(), "/tarjuma/in")) {
					t.Errorf("%s sees more than the host: %s", tc.role, rec.Body)
				}
			})
		}
		list := decode[struct{ Subscribers []subscriberJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/subscribers", ""), http.StatusOK)
		if len(list.Subscribers) != 1 || list.Subscribers[0].URL != full {
			t.Errorf("admin's subscriber list %+v", list.Subscribers)
		}
		for _, role := range []tarjuma.Role{tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer} {
			wantError(t, e.as(t, role, "GET", "/api/v1/subscribers", ""), http.StatusForbidden, "forbidden", "")
		}
	})
}

// TestFeedHost: the feed's self link comes from PublicURL when it is set, whatever Host the
// request names, and the feed may then be cached publicly. Without PublicURL it comes from the
// Host header, and a forged Host must not reach other readers through a shared cache: the
// response is private.
func TestFeedHost(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		publishN(t, e, 1)
		get := func(srv http.Handler, host string) (string, http.Header) {
			t.Helper()
			req := httptest.NewRequest("GET", "/feeds/ru.atom", nil)
			req.Host = host
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			var f atomFeedDoc
			if rec.Code != http.StatusOK || xml.Unmarshal(rec.Body.Bytes(), &f) != nil || len(f.Link) != 1 {
				t.Fatalf("feed: %d %s", rec.Code, rec.Body)
			}
			return f.Link[0].Href, rec.Header()
		}
		configured := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker}), Feeds: FeedConfig{PublicURL: "https://news.example.tj/"}})
		for _, host := range []string{"news.example.tj", "evil.example", "evil.example:8443"} {
			link, h := get(configured, host)
			if link != "https://news.example.tj/feeds/ru.atom" {
				t.Errorf("Host %s with PublicURL: self link %q", host, link)
			}
			if cc := h.Get("Cache-Control"); !strings.Contains(cc, "public") {
				t.Errorf("with PublicURL: Cache-Control %q, want public", cc)
			}
		}

		fromHost := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker})})
		link, h := get(fromHost, "evil.example")
		if link != "http://evil.example/feeds/ru.atom" {
			t.Errorf("without PublicURL: self link %q, want it from Host", link)
		}
		cc := h.Get("Cache-Control")
		varyHost := slices.ContainsFunc(h.Values("Vary"), func(v string) bool { return strings.Contains(strings.ToLower(v), "host") })
		if strings.Contains(cc, "public") && !varyHost {
			t.Errorf("a response built from the Host header is publicly cacheable: Cache-Control %q, Vary %q", cc, h.Values("Vary"))
		}
		if !strings.Contains(cc, "private") {
			t.Errorf("Cache-Control %q, want private", cc)
		}
		if h.Get("ETag") == "" {
			t.Errorf("private feed lost its ETag: %v", h)
		}
	})
}

// deliveredArticle adds a Tajik subscriber at url and an article whose Tajik version 1 is
// approved, which queues a delivery to it; it returns the subscriber and the path of the
// article's Tajik deliveries.
func deliveredArticle(t *testing.T, e *testEnv, url string) (subscriberSecretJSON, string) {
	t.Helper()
	sub := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers",
		`{"url": "`+url+`", "langs": ["tg"]}`), http.StatusCreated)
	a := e.submit(t, shortArticle(0))
	saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, "عنوان")
	if err := e.db.Approve(t.Context(), a.ID, tarjuma.Tajik, 1, "rustam", "", fixtureOverride); err != nil {
		t.Fatal(err)
	}
	return sub, fmt.Sprintf("/api/v1/articles/%d/translations/tg/deliveries", a.ID)
}
