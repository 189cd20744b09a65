// Package api owns tarjuma's JSON API: the routes and who may call them, the request and
// response shapes (DTOs), input validation, the mapping of domain errors to HTTP statuses, the
// probes and the metrics endpoint. It documents itself in openapi.yaml, which a test keeps in
// step with the routes. Every write is a desk action (package desk), which holds the rules;
// reads go to package store.
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// Check is one dependency /readyz asks about; cmd passes the database and Redis pings.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// Config holds the Server's dependencies; cmd builds them.
type Config struct {
	DB *store.DB
	// Desk carries out every write; cmd passes the one the pages share. Nil: one of the
	// Server's own over DB, which wakes no relay.
	Desk   *desk.Desk
	Logger *slog.Logger // nil: discard
	// Registerer receives the API's collectors and Gatherer feeds /metrics; cmd passes one
	// registry as both so the worker's collectors show up too. Both nil: a private registry.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer
	// MaxBodyBytes caps request bodies; 0 means defaultMaxBodyBytes.
	MaxBodyBytes int64
	// DevToken, when non-empty, is accepted as an admin bearer token. Only cmd's dev mode sets
	// it, like Vault's dev root token, so a fresh checkout can be driven without minting tokens.
	DevToken string
	Checks   []Check
	// Feeds configures the polling API and the Atom feeds; zero values take the defaults.
	Feeds FeedConfig
}

// defaultMaxBodyBytes is generous for a news article (a long feature is about 100 KiB of
// Arabic) while bounding what one request can make the server buffer.
const defaultMaxBodyBytes = 1 << 20

// Server is the API as an http.Handler, with its own mux and middleware.
type Server struct {
	db          *store.DB
	desk        *desk.Desk
	log         *slog.Logger
	maxBody     int64
	devToken    string
	checks      []Check
	feeds       FeedConfig
	metrics     http.Handler
	submissions *prometheus.CounterVec
	durations   *prometheus.HistogramVec
	mux         *http.ServeMux
	handler     http.Handler
}

// New builds the Server and registers its collectors on cfg.Registerer.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = defaultMaxBodyBytes
	}
	if cfg.Registerer == nil && cfg.Gatherer == nil {
		reg := prometheus.NewRegistry()
		cfg.Registerer, cfg.Gatherer = reg, reg
	}
	if cfg.Desk == nil {
		cfg.Desk = desk.New(desk.Config{DB: cfg.DB})
	}
	s := &Server{
		db:       cfg.DB,
		desk:     cfg.Desk,
		log:      cfg.Logger,
		maxBody:  cfg.MaxBodyBytes,
		devToken: cfg.DevToken,
		checks:   cfg.Checks,
		feeds:    cfg.Feeds.withDefaults(),
		metrics:  promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}),
		submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_api_submissions_total",
			Help: "Article submissions by outcome: created, duplicate (external id or idempotency key seen before) or rejected.",
		}, []string{"outcome"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tarjuma_api_request_duration_seconds",
			Help:    "Time to answer API requests, by route pattern and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "code"}),
		mux: http.NewServeMux(),
	}
	cfg.Registerer.MustRegister(s.submissions, s.durations)
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.adapt(rt))
	}
	s.handler = s.middleware(http.HandlerFunc(s.dispatch))
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the mux patterns the Server answers, so cmd can mount it next to other
// handlers and a test can hold openapi.yaml to them.
func (s *Server) Routes() []string {
	var patterns []string
	for _, rt := range s.routes() {
		patterns = append(patterns, rt.pattern)
	}
	return patterns
}

// route is one endpoint and who may call it.
type route struct {
	pattern string
	roles   []tarjuma.Role // nil: no token asked (probes and scraping come from the platform)
	handle  handlerFunc
}

// routes is the one place that lists the API's endpoints and their permissions.
func (s *Server) routes() []route {
	readers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer}
	writers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor}
	admins := []tarjuma.Role{tarjuma.RoleAdmin}
	// Who may store a version of a draft; translators further only in their languages.
	drafters := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleTranslator, tarjuma.RoleReviewer}
	reviewers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleReviewer}
	return []route{
		{"POST /api/v1/articles", writers, s.createArticle},
		{"GET /api/v1/articles", readers, s.listArticles},
		{"GET /api/v1/articles/{id}", readers, onID(s.getArticle)},
		{"PUT /api/v1/articles/{id}", writers, onID(s.updateArticle)},
		{"GET /api/v1/articles/{id}/usage", readers, onID(s.getUsage)},
		{"POST /api/v1/articles/{id}/withdraw", writers, onID(s.withdrawArticle)},
		{"PUT /api/v1/articles/{id}/embargo", writers, onID(s.setEmbargo)},
		{"DELETE /api/v1/articles/{id}/embargo", writers, onID(s.liftEmbargo)},
		{"GET /api/v1/articles/{id}/translations/{lang}", readers, onTranslation(s.getTranslation)},
		{"GET /api/v1/articles/{id}/translations/{lang}/versions", readers, onTranslation(s.listVersions)},
		{"GET /api/v1/articles/{id}/translations/{lang}/versions/{n}", readers, onTranslation(s.getVersion)},
		{"POST /api/v1/articles/{id}/translations/{lang}/versions", drafters, onTranslation(s.saveVersion)},
		{"POST /api/v1/articles/{id}/translations/{lang}/approve", reviewers, onTranslation(s.approve)},
		{"POST /api/v1/articles/{id}/translations/{lang}/reject", reviewers, onTranslation(s.reject)},
		{"GET /api/v1/articles/{id}/translations/{lang}/events", readers, onTranslation(s.listReviewEvents)},
		{"POST /api/v1/articles/{id}/translations/{lang}/versions/{n}/segments/{segment}/dismissals", drafters, onTranslation(s.dismissFlag)},
		{"POST /api/v1/articles/{id}/translations/{lang}/versions/{n}/revert", drafters, onTranslation(s.revertVersion)},
		{"GET /api/v1/glossary/terms", readers, s.listTerms},
		{"POST /api/v1/glossary/terms", admins, s.createTerm},
		{"GET /api/v1/glossary/terms/{id}", readers, s.getTerm},
		{"PUT /api/v1/glossary/terms/{id}", admins, s.updateTerm},
		{"DELETE /api/v1/glossary/terms/{id}", admins, s.deleteTerm},
		{"POST /api/v1/glossary/import", admins, s.importTerms},
		{"GET /api/v1/glossary/export", readers, s.exportTerms},
		{"POST /api/v1/users", admins, s.createUser},
		{"POST /api/v1/tokens", admins, s.createToken},
		// Credentials: the desk lets non-admins reach only their own tokens, password and sessions.
		{"GET /api/v1/tokens", readers, s.listTokens},
		{"DELETE /api/v1/tokens/{id}", readers, onID(s.revokeToken)},
		{"POST /api/v1/users/{id}/disable", admins, onID(s.disableUser)},
		{"POST /api/v1/users/{id}/enable", admins, onID(s.enableUser)},
		{"POST /api/v1/users/{id}/password", readers, onID(s.setPassword)},
		{"POST /api/v1/sessions/revoke", readers, s.revokeSessions},
		{"POST /api/v1/subscribers", admins, s.createSubscriber},
		{"GET /api/v1/subscribers", admins, s.listSubscribers},
		{"DELETE /api/v1/subscribers/{id}", admins, onID(s.deleteSubscriber)},
		{"POST /api/v1/subscribers/{id}/rotate", admins, onID(s.rotateSecret)},
		{"POST /api/v1/subscribers/{id}/enable", admins, onID(s.enableSubscriber)},
		{"POST /api/v1/subscribers/{id}/disable", admins, onID(s.disableSubscriber)},
		{"POST /api/v1/subscribers/{id}/test", admins, onID(s.testSubscriber)},
		{"GET /api/v1/articles/{id}/translations/{lang}/deliveries", readers, onTranslation(s.listDeliveries)},
		{"POST /api/v1/deliveries/{id}/redeliver", admins, onID(s.redeliver)},
		{"GET /api/v1/published", readers, s.listPublished},
		// The translation memory: a bulk import decides the desk's wording as a glossary import
		// does (admins); what it holds is approved text every role reads.
		{"POST /api/v1/memory/import", admins, s.importMemory},
		{"GET /api/v1/memory/export", readers, s.exportMemory},
		{"GET /api/v1/memory/search", readers, s.searchMemory},
		{"GET /api/v1/articles/{id}/translations/{lang}/segments/{segment}/suggestions", readers, onTranslation(s.listSuggestions)},
		{"POST /api/v1/articles/{id}/translations/{lang}/segments/{segment}/check", drafters, onTranslation(s.checkSegment)},
		// Comments and assignment (the desk checks languages and who may release whose work).
		{"GET /api/v1/articles/{id}/translations/{lang}/comments", readers, onTranslation(s.listComments)},
		{"POST /api/v1/articles/{id}/translations/{lang}/comments", readers, onTranslation(s.createComment)},
		{"GET /api/v1/articles/{id}/translations/{lang}/assignment", readers, onTranslation(s.getAssignment)},
		{"POST /api/v1/articles/{id}/translations/{lang}/claim", drafters, onTranslation(s.claim)},
		{"POST /api/v1/articles/{id}/translations/{lang}/assign", writers, onTranslation(s.assign)},
		{"POST /api/v1/articles/{id}/translations/{lang}/release", readers, onTranslation(s.release)},
		{"GET /feeds/{feed}", nil, s.feed},
		{"GET /healthz", nil, s.healthz},
		{"GET /readyz", nil, s.readyz},
		{"GET /metrics", nil, s.serveMetrics},
	}
}
