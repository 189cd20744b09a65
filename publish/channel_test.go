package publish_test

import (
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
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
