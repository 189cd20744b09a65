package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// BenchmarkApprovalToChannels measures what issue 14 holds republishing to: from an approval
// to every channel's acknowledgement (the release's published_at, set when the last delivery
// is acknowledged), p50, p95 and max over a burst of approvals spread over Tajik, Russian and
// English. Each language has 3 channels: a webhook (English's with the ninjs payload), a
// WordPress site (wordpresstest, its REST wire format) and a Telegram channel (telegramtest, one
// chat per language, answering a 21st message within a minute with 429 and retry_after). Every
// stand-in answers after 100 ms over a real socket, reached by the connectors' own HTTP clients.
// Two worker servers (asynq servers with the translate and publish handlers, each with its own
// connectors and Redis client, as two processes have) share one Redis, so Telegram's rate
// limiter is shared across processes. The relay, asynq and the handlers run at their default
// settings; SQLite, real Redis.
//
//   - burst=50: 17/17/16 approvals; 3 of each language's articles are long enough for two
//     Telegram messages, so the chats get 20, 20 and 19 messages: Telegram's limit for a
//     minute, sent a second apart as its FAQ asks, so the last goes about 19 s after the
//     first. Issue 14's target is p95 ≤ 60 s.
//   - burst=150: 50 approvals per language, 9 of them long: 59 messages per chat, three windows
//     of the chat limit. The limiter holds the messages rather than earn 429s, and the p95 is
//     bounded by the chat's 20 a minute, a second apart (the 59th at 140 s at best). A delivery whose chat has no
//     room within a few seconds gives its asynq worker back and comes back when it has, so the
//     chats, not the workers, bound it (before that, waits for a slot held all 20 workers and
//     the p95 was about 255 s).
//
// Besides the quantiles it reports the messages in each chat, the delivery attempts retried
// (failures; a wait for the chat's room is none) and the stand-in's 429s; both bursts fail if
// it answered any 429 for its rate limit. Run with -benchtime=1x: one burst each.
func BenchmarkApprovalToChannels(b *testing.B) {
	b.Run("burst=50", func(b *testing.B) { benchApprovalToChannels(b, []int{17, 17, 16}, 3) })
	b.Run("burst=150", func(b *testing.B) { benchApprovalToChannels(b, []int{50, 50, 50}, 9) })
}

// benchLangs are the languages of the bursts, each with its Telegram chat.
var benchLangs = []struct {
	lang tarjuma.Lang
	chat telegramtest.Chat
}{
	{tarjuma.Tajik, telegramtest.Chat{ID: -1001000000001, Username: "tarjuma_tg", Type: "channel", Title: "Tarjuma TG", BotStatus: "administrator", CanPost: true}},
	{tarjuma.Russian, telegramtest.Chat{ID: telegramtest.DefaultChatID, Username: strings.TrimPrefix(telegramtest.DefaultChatName, "@")}},
	{tarjuma.English, telegramtest.Chat{ID: -1001000000003, Username: "tarjuma_en", Type: "channel", Title: "Tarjuma EN", BotStatus: "administrator", CanPost: true}},
}

// benchLatency is how long every stand-in takes to answer.
const benchLatency = 100 * time.Millisecond

// slow serves h after latency, as a distant server answers; a request given up meanwhile gets
// nothing.
func slow(h http.Handler, latency time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(latency):
			h.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// benchApprovalToChannels approves counts[i] articles in benchLangs[i] at once, the first long
// of each language's long enough for two Telegram messages, and reports how long each took to
// reach every channel.
func benchApprovalToChannels(b *testing.B, counts []int, long int) {
	targets := testenv.Redises(b)
	redisURL := targets[len(targets)-1].URL
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := store.Open(ctx, "sqlite:"+b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	sealer, err := publish.ParseKey(publish.NewKey())
	if err != nil {
		b.Fatal(err)
	}
	serve := func(h http.Handler) string {
		srv := httptest.NewServer(slow(h, benchLatency))
		b.Cleanup(srv.Close)
		return srv.URL
	}
	webhooks := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tg := telegramtest.New(tgToken)
	for _, l := range benchLangs {
		if l.chat.ID != telegramtest.DefaultChatID { // New made that one
			tg.AddChat(l.chat)
		}
	}
	tgAPI := serve(tg)
	subscribe := func(kind publish.Kind, payload publish.Payload, url, settings, creds string, lang tarjuma.Lang) {
		b.Helper()
		var sealed []byte
		if creds != "" {
			if sealed, err = sealer.Seal(kind, []byte(creds)); err != nil {
				b.Fatal(err)
			}
		}
		var secret string
		if kind.Signed() {
			secret = publish.NewSecret()
		}
		if _, err := db.CreateSubscriber(ctx, publish.NewSubscriber{Kind: kind, Payload: payload, URL: url, Settings: json.RawMessage(settings),
			Credentials: sealed, Langs: []tarjuma.Lang{lang}, Secret: secret, CreatedBy: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	for _, l := range benchLangs {
		payload := publish.PayloadTarjuma
		if l.lang == tarjuma.English {
			payload = publish.PayloadNinjs
		}
		subscribe(publish.KindWebhook, payload, webhooks+"/"+string(l.lang), "", "", l.lang)
		subscribe(publish.KindWordPress, "", serve(wordpresstest.New()), `{}`,
			`{"username":"desk","app_password":"`+wordpresstest.Editor.AppPassword+`"}`, l.lang)
		subscribe(publish.KindTelegram, "", "", `{"chat_id":"@`+l.chat.Username+`"}`, `{"bot_token":"`+tgToken+`"}`, l.lang)
	}

	log := slog.New(slog.DiscardHandler)
	client := asynq.NewClient(opt)
	defer client.Close()
	engine := &stubEngine{}
	routes := map[tarjuma.Lang][]translate.Provider{}
	for _, l := range benchLangs {
		routes[l.lang] = []translate.Provider{engine}
	}
	for range 2 { // two worker processes
		srv := NewServer(ServerConfig{Redis: opt, ShutdownTimeout: time.Second, Logger: log, Registerer: prometheus.NewRegistry(),
			Handler: NewTranslateHandler(TranslateHandlerConfig{DB: db, Logger: log, Translator: translate.NewTranslator(translate.Config{
				Memory: db, Routes: routes, Logger: log})}),
			Publish: NewPublishHandler(PublishHandlerConfig{DB: db, Logger: log, Sealer: sealer,
				Connectors: publish.NewConnectors(publish.ConnectorsConfig{
					Sender:    publish.NewSender(publish.SenderConfig{AllowPrivate: true}),
					WordPress: publish.NewWordPressClient(publish.WordPressConfig{AllowPrivate: true}),
					Telegram:  publish.NewTelegramClient(publish.TelegramConfig{APIURL: tgAPI, Redis: newRedisClient(b, targets)}),
				})})})
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		defer srv.Shutdown()
	}
	relay := NewRelay(RelayConfig{DB: db, Client: client, Logger: log})
	relayDone := make(chan error, 1)
	go func() { relayDone <- relay.Run(ctx) }()
	defer func() { cancel(); <-relayDone }()

	// A wire story of about 2,800 characters fits one Telegram message; twice that takes two.
	title, body := tarjuma.SampleArticle()
	longBody := body + "\n" + body
	var latencies []time.Duration
	retries := 0 // attempts after a delivery's first: a chat held past the wait, or a failure
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		var burst []benchApproval
		for li, l := range benchLangs {
			for i := range counts[li] {
				text := body
				if i < long {
					text = longBody
				}
				a, _, err := db.CreateArticle(ctx, store.NewArticle{Title: fmt.Sprintf("%s (%d)", title, i), Body: text,
					ExternalID: fmt.Sprintf("bench-%d-%s-%d", n, l.lang, i), TargetLangs: []tarjuma.Lang{l.lang},
					Priority: tarjuma.PriorityDefault, Author: "bench"})
				if err != nil {
					b.Fatal(err)
				}
				burst = append(burst, benchApproval{id: a.ID, lang: l.lang})
			}
		}
		relay.Wake()
		versions := waitFor(b, db, burst, tarjuma.StatusNeedsReview)
		b.StartTimer()
		for i, a := range burst {
			if err := db.Approve(ctx, a.id, a.lang, versions[i], "bench", "", &store.Override{Reason: "bench"}); err != nil {
				b.Fatal(err)
			}
			relay.Wake() // as the desk does after an approval
		}
		waitFor(b, db, burst, tarjuma.StatusPublished)
		b.StopTimer()
		for _, a := range burst {
			logs, err := db.Deliveries(ctx, a.id, a.lang)
			if err != nil {
				b.Fatal(err)
			}
			for _, d := range logs {
				retries += d.AttemptCount - 1
			}
		}
		for _, l := range benchLangs {
			rs, err := db.ListPublished(ctx, store.PublishedFilter{Lang: l.lang, Limit: 1000})
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range rs {
				if slices.Contains(burst, benchApproval{id: r.Version.ArticleID, lang: l.lang}) {
					latencies = append(latencies, r.PublishedAt.Sub(r.ApprovedAt))
				}
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(latencies)
	quantile := func(q float64) float64 { return latencies[int(q*float64(len(latencies)-1))].Seconds() }
	b.ReportMetric(quantile(0.5), "p50_s")
	b.ReportMetric(quantile(0.95), "p95_s")
	b.ReportMetric(latencies[len(latencies)-1].Seconds(), "max_s")
	b.ReportMetric(float64(len(latencies)), "approvals")
	for _, l := range benchLangs {
		b.ReportMetric(float64(len(tg.Messages("@"+l.chat.Username))), "tg_msgs_"+string(l.lang))
	}
	b.ReportMetric(float64(retries), "retries")
	b.ReportMetric(float64(tg.RateLimited()), "tg_429")
	b.ReportMetric(0, "ns/op")
	if n := tg.RateLimited(); n != 0 {
		b.Fatalf("the Telegram stand-in answered %d messages with 429 for its rate limit; want none", n)
	}
}

// benchApproval is one translation approved in a burst.
type benchApproval struct {
	id   int64
	lang tarjuma.Lang
}

// waitFor polls until every translation has status want, and returns their latest version
// numbers. A benchmark may poll; the deadline keeps a stuck pipeline from hanging it.
func waitFor(b *testing.B, db *store.DB, burst []benchApproval, want tarjuma.Status) []int {
	b.Helper()
	const within = 10 * time.Minute
	deadline := time.Now().Add(within)
	versions := make([]int, len(burst))
	for i := 0; i < len(burst); {
		tr, err := db.Translation(context.Background(), burst[i].id, burst[i].lang)
		switch {
		case err != nil:
			b.Fatal(err)
		case tr.Status == want:
			versions[i] = tr.LatestVersion
			i++
		case time.Now().After(deadline):
			b.Fatalf("article %d (%s) is %s after %v, want %s", burst[i].id, burst[i].lang, tr.Status, within, want)
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	return versions
}
