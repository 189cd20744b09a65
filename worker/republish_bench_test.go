package worker

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// BenchmarkApprovalToChannels measures what issue 14 holds republishing to: from an approval
// to every channel's acknowledgement (the release's published_at, set when the last delivery
// is acknowledged), p50 and p95 over bursts of 50 approvals, with 3 channels for the language,
// each a stand-in answering after 100 ms, through the real relay, asynq and publish handler at
// their default settings. The channels are webhooks (one of them ninjs) until the WordPress and
// Telegram connectors are wired. Run with -benchtime=1x for one burst; SQLite, real Redis.
func BenchmarkApprovalToChannels(b *testing.B) {
	const burst, channels, latency = 50, 3, 100 * time.Millisecond
	targets := testenv.Redises(b)
	opt, err := asynq.ParseRedisURI(targets[len(targets)-1].URL)
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
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(latency):
			w.WriteHeader(http.StatusNoContent)
		case <-r.Context().Done():
		}
	}))
	defer standIn.Close()
	for i := range channels {
		payload := publish.PayloadTarjuma
		if i == 1 {
			payload = publish.PayloadNinjs
		}
		if _, err := db.CreateSubscriber(ctx, publish.NewSubscriber{Kind: publish.KindWebhook, Payload: payload,
			URL: fmt.Sprintf("%s/channel-%d", standIn.URL, i), Langs: []tarjuma.Lang{tarjuma.English},
			Secret: publish.NewSecret(), CreatedBy: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	client := asynq.NewClient(opt)
	defer client.Close()
	engine := &stubEngine{}
	translator := NewTranslateHandler(TranslateHandlerConfig{DB: db, Logger: log, Translator: translate.NewTranslator(translate.Config{
		Memory: db, Routes: map[tarjuma.Lang][]translate.Provider{tarjuma.English: {engine}}, Logger: log})})
	srv := NewServer(ServerConfig{Redis: opt, ShutdownTimeout: time.Second, Logger: log, Registerer: prometheus.NewRegistry(),
		Handler: translator, Publish: NewPublishHandler(PublishHandlerConfig{DB: db, Logger: log,
			Connectors: publish.NewConnectors(publish.ConnectorsConfig{Sender: publish.NewSender(publish.SenderConfig{AllowPrivate: true})})})})
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown()
	relay := NewRelay(RelayConfig{DB: db, Client: client, Logger: log})
	relayDone := make(chan error, 1)
	go func() { relayDone <- relay.Run(ctx) }()
	defer func() { cancel(); <-relayDone }()

	var latencies []time.Duration
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		ids := make([]int64, burst)
		for i := range ids {
			a, _, err := db.CreateArticle(ctx, store.NewArticle{Title: sampleTitle, Body: sampleBody, ExternalID: fmt.Sprintf("bench-%d-%d", n, i),
				TargetLangs: []tarjuma.Lang{tarjuma.English}, Priority: tarjuma.PriorityDefault, Author: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = a.ID
		}
		relay.Wake()
		versions := waitFor(b, db, ids, tarjuma.StatusNeedsReview)
		b.StartTimer()
		for i, id := range ids {
			if err := db.Approve(ctx, id, tarjuma.English, versions[i], "bench", "", &store.Override{Reason: "bench"}); err != nil {
				b.Fatal(err)
			}
			relay.Wake() // as the desk does after an approval
		}
		waitFor(b, db, ids, tarjuma.StatusPublished)
		b.StopTimer()
		rs, err := db.ListPublished(ctx, store.PublishedFilter{Lang: tarjuma.English, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if slices.Contains(ids, r.Version.ArticleID) {
				latencies = append(latencies, r.PublishedAt.Sub(r.ApprovedAt))
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(latencies)
	quantile := func(q float64) float64 { return latencies[int(q*float64(len(latencies)-1))].Seconds() }
	b.ReportMetric(quantile(0.5), "p50_s")
	b.ReportMetric(quantile(0.95), "p95_s")
	b.ReportMetric(float64(len(latencies)), "approvals")
	b.ReportMetric(0, "ns/op")
}

// waitFor polls until every article's English translation has status want, and returns their
// latest version numbers. A benchmark may poll; the deadline keeps a stuck pipeline from
// hanging it.
func waitFor(b *testing.B, db *store.DB, ids []int64, want tarjuma.Status) []int {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	versions := make([]int, len(ids))
	for i := 0; i < len(ids); {
		tr, err := db.Translation(context.Background(), ids[i], tarjuma.English)
		switch {
		case err != nil:
			b.Fatal(err)
		case tr.Status == want:
			versions[i] = tr.LatestVersion
			i++
		case time.Now().After(deadline):
			b.Fatalf("article %d is %s after 5 minutes, want %s", ids[i], tr.Status, want)
		default:
			time.Sleep(10 * time.Millisecond)
		}
	}
	return versions
}
