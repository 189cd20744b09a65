package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/ninjstest"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
)

// dispatch is a delivery of r to sub with the channel's earlier state.
func dispatch(sub publish.Subscriber, creds string, r publish.Release, state []byte) publish.Dispatch {
	return publish.Dispatch{Outgoing: publish.Outgoing{Delivery: publish.Delivery{ID: 5}, Subscriber: sub, Release: r, Placement: state},
		Credentials: []byte(creds)}
}

// TestConnectorsWithdraw: through the connectors the publish task calls, a release creates the
// post or messages and hands back their state; the withdrawal of the article, given that
// state, unpublishes the WordPress post and deletes the Telegram messages.
func TestConnectorsWithdraw(t *testing.T) {
	wp, wpClient, _ := newWordPress(t)
	tg, tgClient := newTelegram(t, nil)
	conns := publish.NewConnectors(publish.ConnectorsConfig{WordPress: wpClient, Telegram: tgClient})
	withdrawal := release(tarjuma.Russian, "Заголовок", "Текст.")
	withdrawal.Event, withdrawal.Notice = publish.EventWithdrawn, "Материал отозван редакцией."

	site := publish.Subscriber{Kind: publish.KindWordPress, URL: wordpresstest.SiteURL, Settings: []byte(`{}`), Langs: []tarjuma.Lang{tarjuma.Russian}}
	siteCreds := `{"username":"desk","app_password":"` + wordpresstest.Editor.AppPassword + `"}`
	conn, err := conns.For(publish.KindWordPress)
	if err != nil {
		t.Fatal(err)
	}
	res := conn.Deliver(t.Context(), dispatch(site, siteCreds, release(tarjuma.Russian, "Заголовок", "Текст."), nil))
	if !res.Acknowledged() || len(res.State) == 0 || len(wp.Posts()) != 1 || wp.Posts()[0].Status != "publish" {
		t.Fatalf("publish: %+v, posts %+v", res, wp.Posts())
	}
	if res := conn.Deliver(t.Context(), dispatch(site, siteCreds, withdrawal, res.State)); !res.Acknowledged() {
		t.Fatalf("withdraw: %+v", res)
	}
	if posts := wp.Posts(); len(posts) != 1 || posts[0].Status != publish.WordPressWithdrawnStatus {
		t.Errorf("posts after the withdrawal: %+v; want the one post, status %s", posts, publish.WordPressWithdrawnStatus)
	}

	channel := publish.Subscriber{Kind: publish.KindTelegram, Settings: []byte(`{"chat_id":"` + telegramtest.DefaultChatName + `"}`)}
	channelCreds := `{"bot_token":"` + tgToken + `"}`
	if conn, err = conns.For(publish.KindTelegram); err != nil {
		t.Fatal(err)
	}
	res = conn.Deliver(t.Context(), dispatch(channel, channelCreds, release(tarjuma.Russian, "Заголовок", "Текст."), nil))
	if !res.Acknowledged() || len(tg.Messages(telegramtest.DefaultChatName)) != 1 {
		t.Fatalf("publish: %+v, messages %+v", res, tg.Messages(telegramtest.DefaultChatName))
	}
	res = conn.Deliver(t.Context(), dispatch(channel, channelCreds, withdrawal, res.State))
	if !res.Acknowledged() || string(res.State) != `{"message_ids":null}` || len(tg.Messages(telegramtest.DefaultChatName)) != 0 {
		t.Errorf("withdraw: %+v, state %s, messages %+v; want every message deleted", res, res.State, tg.Messages(telegramtest.DefaultChatName))
	}

	// Credentials that do not parse are the channel's fault: no call is made.
	calls := len(tg.Calls())
	if res := conn.Check(t.Context(), channel, []byte(`{}`)); res.Err == nil || len(tg.Calls()) != calls {
		t.Errorf("check without a token: %+v, %d calls", res, len(tg.Calls())-calls)
	}
}

// TestWebhookWithdrawalCarriesNoText: a withdrawal reaches a webhook without the withdrawn
// story's text. Our payload is translation.withdrawn naming the story (article, external id,
// language, version) with the desk's notice, and nothing else; ninjs is the same uri canceled,
// its only body the notice (its headline stays, as ninjs asks of a canceled item).
func TestWebhookWithdrawalCarriesNoText(t *testing.T) {
	const title, body, notice = "Заголовок иска", "Текст, который отозвали.", "Материал отозван редакцией: иск."
	withdrawal := release(tarjuma.Russian, title, body)
	withdrawal.Event, withdrawal.Notice, withdrawal.ExternalID = publish.EventWithdrawn, notice, "ext-7"
	bodies := make(chan []byte, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	conn, err := publish.NewConnectors(publish.ConnectorsConfig{Sender: publish.NewSender(publish.SenderConfig{AllowPrivate: true})}).For(publish.KindWebhook)
	if err != nil {
		t.Fatal(err)
	}
	send := func(payload publish.Payload) []byte {
		t.Helper()
		sub := publish.Subscriber{Kind: publish.KindWebhook, URL: srv.URL, Payload: payload, Secret: publish.NewSecret()}
		if res := conn.Deliver(t.Context(), dispatch(sub, "", withdrawal, nil)); !res.Acknowledged() {
			t.Fatalf("%s withdrawal: %+v", payload, res)
		}
		return <-bodies
	}

	got := send(publish.PayloadTarjuma)
	var event struct {
		Type      string
		Timestamp time.Time
		Data      map[string]any
	}
	if err := json.Unmarshal(got, &event); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"article_id": 7.0, "external_id": "ext-7", "lang": "ru", "version": 2.0, "notice": notice,
		"withdrawn_by": "rustam", "withdrawn_at": "2025-12-05T15:53:20Z"}
	if event.Type != "translation.withdrawn" || !event.Timestamp.Equal(time.Unix(1764950000, 0)) || !maps.Equal(event.Data, want) {
		t.Errorf("withdrawal event %s\nwant type translation.withdrawn and data %v", got, want)
	}
	if bytes.Contains(got, []byte(title)) || bytes.Contains(got, []byte(body)) {
		t.Errorf("the withdrawal event carries the withdrawn text: %s", got)
	}

	got = send(publish.PayloadNinjs)
	for _, err := range ninjstest.Validate(got) {
		t.Error(err)
	}
	var n struct {
		PubStatus string
		Bodies    []struct{ Value string }
	}
	if err := json.Unmarshal(got, &n); err != nil {
		t.Fatal(err)
	}
	if n.PubStatus != "canceled" || len(n.Bodies) != 1 || n.Bodies[0].Value != notice || bytes.Contains(got, []byte(body)) {
		t.Errorf("ninjs withdrawal %s; want canceled, the notice its only body, none of the story's body", got)
	}
}

// TestWordPressSavesBeforeCreating: before it creates a post, the WordPress connector saves
// that one may exist. The site saves the post but the answer never comes, and the worker dies
// without recording the attempt: the retry, given only what was saved, finds the post by its
// marker and updates it, and the site has one post.
func TestWordPressSavesBeforeCreating(t *testing.T) {
	wp, wpClient, _ := newWordPress(t)
	conn, err := publish.NewConnectors(publish.ConnectorsConfig{WordPress: wpClient}).For(publish.KindWordPress)
	if err != nil {
		t.Fatal(err)
	}
	site := publish.Subscriber{Kind: publish.KindWordPress, URL: wordpresstest.SiteURL, Settings: []byte(`{}`), Langs: []tarjuma.Lang{tarjuma.Russian}}
	creds := `{"username":"desk","app_password":"` + wordpresstest.Editor.AppPassword + `"}`
	var saved []byte
	d := dispatch(site, creds, release(tarjuma.Russian, "Заголовок", "Текст."), nil)
	d.Save = func(_ context.Context, state []byte) error {
		saved = state
		return nil
	}
	wp.Inject(wordpresstest.Fault{Route: "POST /wp-json/wp/v2/posts", Commit: true, Hang: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond) // the worker dies while the request hangs
	defer cancel()
	if res := conn.Deliver(ctx, d); res.Acknowledged() || len(wp.Posts()) != 1 {
		t.Fatalf("first attempt: %+v, posts %+v; want no answer, the post saved", res, wp.Posts())
	}
	var st publish.WordPressState
	if err := json.Unmarshal(saved, &st); err != nil || !st.Unconfirmed || st.PostID != 0 {
		t.Fatalf("saved %s before creating (%v); want an unconfirmed post", saved, err)
	}

	retry := dispatch(site, creds, release(tarjuma.Russian, "Заголовок", "Текст, исправленный."), saved)
	res := conn.Deliver(t.Context(), retry)
	if posts := wp.Posts(); !res.Acknowledged() || len(posts) != 1 || posts[0].Content != "<!-- tarjuma-article-7-ru -->\n<p>Текст, исправленный.</p>\n" {
		t.Errorf("retry: %+v, posts %+v; want the one post, updated", res, posts)
	}
}
