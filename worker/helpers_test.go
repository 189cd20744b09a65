package worker

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// stubEngine is an MT engine that answers "[<lang>#<call>] <source>", so a test can tell which
// call produced a text, or fails with err, or blocks until the context ends.
type stubEngine struct {
	err   error
	block bool

	mu    sync.Mutex
	calls int
	texts int // texts received over all calls
}

func (e *stubEngine) Name() string { return "stub" }

func (e *stubEngine) Translate(ctx context.Context, req translate.Request) ([]string, error) {
	e.mu.Lock()
	e.calls++
	e.texts += len(req.Texts)
	call := e.calls
	e.mu.Unlock()
	if e.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	out := make([]string, len(req.Texts))
	for i, s := range req.Texts {
		out[i] = fmt.Sprintf("[%s#%d] %s", req.Target, call, s)
	}
	return out, nil
}

func (e *stubEngine) Supports(_, _ tarjuma.Lang) (translate.Capabilities, bool) {
	return translate.Capabilities{HTML: true}, true
}

// Texts returns how many texts the engine has been sent so far.
func (e *stubEngine) Texts() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.texts
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func openDB(t *testing.T, url string, opts ...store.Option) *store.DB {
	return storetest.Open(t, url, opts...)
}

func redisOpt(t *testing.T, url string) asynq.RedisConnOpt {
	t.Helper()
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// newRedisClient is a client of the last of targets (the real Redis when testenv has one),
// closed when the test ends.
func newRedisClient(t testing.TB, targets []testenv.Target) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(targets[len(targets)-1].URL)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}

// eachDB runs fn on every database testenv offers.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return openDB(t, url) }, fn)
}

// eachDBAndRedis runs fn on every pair of database and Redis testenv offers.
func eachDBAndRedis(t *testing.T, fn func(t *testing.T, db *store.DB, redis asynq.RedisConnOpt)) {
	for _, d := range testenv.Databases(t) {
		for _, r := range testenv.Redises(t) {
			t.Run(d.Name+"/"+r.Name, func(t *testing.T) { fn(t, openDB(t, d.URL), redisOpt(t, r.URL)) })
		}
	}
}

// newHandler builds a TranslateHandler that consults the database's memory and then engine,
// for every target language.
func newHandler(t *testing.T, db *store.DB, engine translate.Provider) *TranslateHandler {
	routes := map[tarjuma.Lang][]translate.Provider{}
	for _, l := range tarjuma.TargetLangs() {
		routes[l] = []translate.Provider{engine}
	}
	log := testLogger(t)
	return NewTranslateHandler(TranslateHandlerConfig{
		DB:         db,
		Translator: translate.NewTranslator(translate.Config{Memory: db, Routes: routes, Logger: log}),
		Logger:     log,
	})
}

func submit(t *testing.T, db *store.DB, title, body string) tarjuma.Article {
	t.Helper()
	a, _, err := db.CreateArticle(t.Context(), store.NewArticle{
		Title: title, Body: body, TargetLangs: tarjuma.TargetLangs(), Priority: tarjuma.PriorityDefault, Author: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func submitSample(t *testing.T, db *store.DB) tarjuma.Article {
	return submit(t, db, sampleTitle, sampleBody)
}

var sampleTitle, sampleBody = tarjuma.SampleArticle()

// process runs the handler on the task for (article, lang, rev), as asynq would.
func process(ctx context.Context, t *testing.T, h *TranslateHandler, articleID int64, lang tarjuma.Lang, rev int) error {
	t.Helper()
	task, err := NewTranslateTask(store.OutboxJob{ArticleID: articleID, Lang: lang, SourceRevision: rev}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h.ProcessTask(ctx, task)
}

// mustProcess is process for a task that has to succeed.
func mustProcess(t *testing.T, h *TranslateHandler, articleID int64, lang tarjuma.Lang, rev int) {
	t.Helper()
	if err := process(t.Context(), t, h, articleID, lang, rev); err != nil {
		t.Fatal(err)
	}
}

func versions(t *testing.T, db *store.DB, articleID int64, lang tarjuma.Lang) []tarjuma.Version {
	t.Helper()
	vs, err := db.Versions(t.Context(), articleID, lang)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func translation(t *testing.T, db *store.DB, articleID int64, lang tarjuma.Lang) tarjuma.Translation {
	t.Helper()
	tr, err := db.Translation(t.Context(), articleID, lang)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// startServer runs a worker server until the test ends.
func startServer(t *testing.T, redis asynq.RedisConnOpt, h *TranslateHandler, reg prometheus.Registerer) {
	srv := NewServer(ServerConfig{
		Redis: redis, Concurrency: 4, ShutdownTimeout: time.Second,
		Logger: testLogger(t), Registerer: reg, Handler: h,
	})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// startRelay runs an outbox relay until the test ends.
func startRelay(t *testing.T, db *store.DB, client *asynq.Client, cfg RelayConfig) *Relay {
	cfg.DB, cfg.Client, cfg.Logger = db, client, testLogger(t)
	if cfg.Interval == 0 {
		cfg.Interval = 100 * time.Millisecond
	}
	r := NewRelay(cfg)
	runUntilCleanup(t, r.Run)
	return r
}

// runUntilCleanup runs fn in a goroutine and, when the test ends, cancels it and waits for it.
func runUntilCleanup(t *testing.T, fn func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fn(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

func newClient(t *testing.T, redis asynq.RedisConnOpt) *asynq.Client {
	c := asynq.NewClient(redis)
	t.Cleanup(func() { c.Close() })
	return c
}
