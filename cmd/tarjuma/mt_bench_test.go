package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/store"
)

// BenchmarkMTBatch translates a batch of 50 news-length articles through the Google v2 engine
// against a stand-in that takes 100 ms per request, once with an empty translation memory and
// once with the shared sentences already approved, and reports requests and characters sent and
// the wall time against the bound the provider's concurrency limit sets:
// requests × 100 ms ÷ TARJUMA_MT_CONCURRENCY.
func BenchmarkMTBatch(b *testing.B) {
	const articles, latency, concurrency = 50, 100 * time.Millisecond, 4
	for _, withMemory := range []bool{false, true} {
		b.Run(fmt.Sprintf("memory=%v", withMemory), func(b *testing.B) {
			for range b.N {
				var received engineCounts
				var chars atomic.Int64
				standIn := googleV2StandIn(b, &received)
				slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					time.Sleep(latency)
					chars.Add(r.ContentLength)
					standIn.Config.Handler.ServeHTTP(w, r)
				}))
				vars := backends(b)[0]
				vars["TARJUMA_MT"] = "google"
				vars["TARJUMA_GOOGLE_API"] = "v2"
				vars["TARJUMA_GOOGLE_API_KEY"] = "bench"
				vars["TARJUMA_GOOGLE_ENDPOINT"] = slow.URL + "/language/translate/"
				vars["TARJUMA_MT_CONCURRENCY"] = fmt.Sprint(concurrency)
				vars["TARJUMA_WORKER_CONCURRENCY"] = "50"
				base, a := startApp(b, vars, nil)
				title, body := tarjuma.SampleArticle()
				if withMemory {
					rememberSample(b, a.db, title, body)
				}
				start := time.Now()
				ids := make([]int64, articles)
				for i := range articles {
					// Every article is the wire story with a sentence of its own, as follow-ups are.
					own := fmt.Sprintf("وأضاف المتحدث في البيان رقم %d أن الاجتماع المقبل سيعقد في موعده.", i+1)
					var art articleView
					if code := call(b, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body + "\n" + own}, &art); code != 202 {
						b.Fatalf("submit: %d", code)
					}
					ids[i] = art.ID
				}
				for _, id := range ids {
					waitSettled(b, base, id, 1, 5*time.Minute)
				}
				wall := time.Since(start)
				slow.Close()
				bound := time.Duration(received.requests.Load()) * latency / concurrency
				b.ReportMetric(float64(received.requests.Load()), "requests")
				b.ReportMetric(float64(usageChars(b, a, ids)), "chars_sent")
				b.ReportMetric(float64(chars.Load()), "request_bytes")
				b.ReportMetric(wall.Seconds(), "wall_s")
				b.ReportMetric(bound.Seconds(), "bound_s")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// rememberSample approves, as a translator would have, every sentence of the sample in every
// language, so only each article's own sentence is left for the engine.
func rememberSample(b *testing.B, db *store.DB, title, body string) {
	var entries []store.MemoryEntry
	for _, seg := range tarjuma.SplitSource(title, body) {
		for _, lang := range tarjuma.TargetLangs() {
			entries = append(entries, store.MemoryEntry{Source: tarjuma.Arabic, Target: lang, Key: glossary.MemoryKey(seg.Source), Text: "approved " + string(lang)})
		}
	}
	if err := db.PutMemory(context.Background(), entries); err != nil {
		b.Fatal(err)
	}
}

// usageChars sums the characters the store accounted to the articles.
func usageChars(b *testing.B, a *app, ids []int64) int64 {
	var total int64
	for _, id := range ids {
		usage, err := a.db.ArticleUsage(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		for _, u := range usage {
			total += u.Characters
		}
	}
	return total
}
