package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/api"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/review"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/worker"
)

// app holds the dependencies every subcommand shares: the database, the queue connection, the
// metrics registry and the outbox relay.
type app struct {
	cfg      config
	log      *slog.Logger
	db       *store.DB
	redis    asynq.RedisConnOpt
	registry *prometheus.Registry
	client   *asynq.Client
	rdb      redis.UniversalClient // readiness pings, the login throttle and Telegram's rate limits; asynq keeps its own connections
	relay    *worker.Relay
	// desk carries out the writes of both doors, the API and the pages.
	desk *desk.Desk
	// connectors send to each kind of channel, for the worker and the desk's tests alike;
	// sealer opens their credentials (nil: no TARJUMA_SECRET_KEY, and none stored).
	connectors publish.Connectors
	sealer     *publish.Sealer
	// auth signs people in to the pages and checks the current password of a password change
	// through either door, with one login throttle.
	auth *auth.Auth

	// providers are the MT engines TARJUMA_MT and TARJUMA_MT_<LANG> may name, by name.
	providers map[string]translate.Provider
	closers   []io.Closer // of engines that hold connections
}

// openApp connects to the database (migrating it) and prepares the queue connection.
func openApp(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	if cfg.RedisURL == "" {
		return nil, errors.New("TARJUMA_REDIS_URL is not set (only dev and demo start an embedded Redis)")
	}
	redisOpt, err := redisConnOpt(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("TARJUMA_REDIS_URL: %w", err)
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every version this process stores counts its QA flags once, whichever door stored it.
	db, err := openDB(ctx, cfg, log, store.OnVersionStored(qa.NewMetrics(registry).Count))
	if err != nil {
		return nil, err
	}
	sealer, err := openSealer(ctx, db, cfg.Publish.SecretKey)
	if err != nil {
		db.Close()
		return nil, err
	}
	client := asynq.NewClient(redisOpt)
	rdb, ok := redisOpt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		db.Close()
		return nil, errors.New("TARJUMA_REDIS_URL: unexpected redis client type")
	}
	relay := worker.NewRelay(worker.RelayConfig{
		DB:         db,
		Client:     client,
		Redis:      rdb,
		Logger:     log,
		Redispatch: cfg.Redispatch,
		Retention:  cfg.TaskRetention,
		Timeout:    cfg.TaskTimeout,
		Registerer: registry,
	})
	// One desk for both doors; its glossary cache is the worker's too, so each glossary
	// version is built once per process.
	au := auth.New(auth.Config{DB: db, Redis: rdb, Logger: log, TrustedProxies: cfg.TrustedProxies,
		Secure: strings.HasPrefix(cfg.Publish.PublicURL, "https://")})
	connectors := cfg.connectors(rdb)
	d := desk.New(desk.Config{DB: db, Waker: relay, Auth: au, AllowPrivateWebhooks: cfg.Publish.AllowPrivate,
		RotationGrace: cfg.Publish.RotationGrace, Connectors: connectors, Sealer: sealer})
	return &app{cfg: cfg, log: log, db: db, redis: redisOpt, registry: registry, client: client, rdb: rdb, relay: relay, desk: d, auth: au,
		connectors: connectors, sealer: sealer, providers: map[string]translate.Provider{}}, nil
}

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg config, log *slog.Logger, opts ...store.Option) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.databaseURL(), opts...)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	log.Info("database ready", "dialect", db.Dialect(), "migrations_applied", applied)
	return db, nil
}

func (a *app) Close() {
	for _, c := range a.closers {
		c.Close()
	}
	a.client.Close()
	a.rdb.Close()
	a.db.Close()
}

// pingRedis is the readiness check for the queue.
func (a *app) pingRedis(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }

// webHandler serves the JSON API and the review desk's pages on one mux, compressed. devToken
// is accepted as an admin bearer token (dev mode only).
func (a *app) webHandler(devToken string) (http.Handler, error) {
	pub := a.cfg.Publish
	apiServer := api.New(api.Config{
		DB:           a.db,
		Desk:         a.desk,
		Logger:       a.log,
		Registerer:   a.registry,
		Gatherer:     a.registry,
		MaxBodyBytes: a.cfg.MaxBodyBytes,
		DevToken:     devToken,
		Feeds:        api.FeedConfig{FeedTagAuthority: pub.FeedAuthority, FeedTitle: pub.FeedTitle, PublicURL: pub.PublicURL},
		Checks: []api.Check{
			{Name: "database", Ping: a.db.Ping},
			{Name: "redis", Ping: a.pingRedis},
		},
	})
	messages, err := locale.New()
	if err != nil {
		return nil, err
	}
	pages := review.New(review.Config{
		DB:     a.db,
		Desk:   a.desk,
		Auth:   a.auth,
		Locale: messages,
		Logger: a.log,
	})
	mux := http.NewServeMux()
	for _, p := range apiServer.Routes() {
		mux.Handle(p, apiServer)
	}
	// The rest of /api/ too, so an unknown path or a wrong method gets the API's JSON 404 or 405
	// rather than this mux's plain text.
	mux.Handle("/api/", apiServer)
	for _, p := range pages.Routes() {
		mux.Handle(p, pages)
	}
	// Everything else too, so an unknown path gets the desk's not-found page with the security
	// headers every page has, not this mux's bare plain text.
	mux.Handle("/", pages)
	return compress(mux)
}

// compress gzips every answer over 1 KB, pages, static files and API JSON alike, for clients
// that accept it, with Vary: Accept-Encoding; gzhttp leaves small bodies, already-compressed
// types and answers that set their own Content-Encoding (the metrics) alone, and flushes
// through. Only gzip: it is what every client takes, and one encoding is one thing to measure.
func compress(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.EnableZstd(false))
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	return wrap(h), nil
}

// translator routes each target language to its configured provider chain.
func (a *app) translator(ctx context.Context) (*translate.Translator, error) {
	if err := a.buildProviders(ctx); err != nil {
		return nil, err
	}
	routes := map[tarjuma.Lang][]translate.Provider{}
	for _, lang := range tarjuma.TargetLangs() {
		spec := a.cfg.MTChain
		if s, ok := a.cfg.MTChainByLang[lang]; ok {
			spec = s
		}
		chain, err := translate.ParseChain(spec, a.providers)
		if err != nil {
			return nil, fmt.Errorf("machine translation for %s: %w", lang, err)
		}
		routes[lang] = chain
	}
	return translate.NewTranslator(translate.Config{
		Memory:     a.db,
		Renderings: a.db,
		Routes:     routes,
		Logger:     a.log,
		Registerer: a.registry,
	}), nil
}

// workerServer builds the asynq server with the translation handler.
func (a *app) workerServer(ctx context.Context) (*worker.Server, error) {
	tr, err := a.translator(ctx)
	if err != nil {
		return nil, err
	}
	return worker.NewServer(worker.ServerConfig{
		Redis:           a.redis,
		Concurrency:     a.cfg.Concurrency,
		ShutdownTimeout: a.cfg.ShutdownTimeout,
		Logger:          a.log,
		Registerer:      a.registry,
		Handler:         worker.NewTranslateHandler(worker.TranslateHandlerConfig{DB: a.db, Translator: tr, Glossary: a.desk.Glossary(), Logger: a.log}),
		Publish: worker.NewPublishHandler(worker.PublishHandlerConfig{
			DB:         a.db,
			Connectors: a.connectors,
			Sealer:     a.sealer,
			Backoff:    a.cfg.Publish.Backoff,
			Logger:     a.log,
		}),
	}), nil
}

// parts says which components a process runs.
type parts struct {
	http    http.Handler // served on addr when set
	addr    string
	worker  *worker.Server
	onReady func(addr string) // called once the listener is bound, with its real address
}

// runParts runs the relay and the given parts until ctx ends, then shuts them down in order:
// stop taking requests, let running tasks finish (asynq re-queues the rest), stop the relay.
func (a *app) runParts(ctx context.Context, p parts) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.relay.Run(ctx) })
	if p.worker != nil {
		if err := p.worker.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		g.Go(func() error {
			<-ctx.Done()
			p.worker.Shutdown()
			return nil
		})
	}
	if p.http != nil {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return err
		}
		srv := &http.Server{
			Handler:           p.http,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       time.Minute,
			WriteTimeout:      2 * time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		}
		a.log.Info("listening", "addr", ln.Addr().String())
		if p.onReady != nil {
			p.onReady(ln.Addr().String())
		}
		g.Go(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error {
			<-ctx.Done()
			shutdownCtx, cancel := context.WithTimeout(context.Background(), cmp.Or(a.cfg.ShutdownTimeout, worker.DefaultShutdownTimeout))
			defer cancel()
			return srv.Shutdown(shutdownCtx)
		})
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// metricsHandler serves /healthz and /metrics for processes without the API (the worker).
func (a *app) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	return mux
}
