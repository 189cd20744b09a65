package main

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
)

// config is everything tarjuma reads from the environment. Each field names its variable; the
// README's configuration table lists the same set.
type config struct {
	DatabaseURL string // TARJUMA_DATABASE_URL; empty: SQLite in the data folder
	RedisURL    string // TARJUMA_REDIS_URL; empty: embedded Redis (dev and demo only)
	Addr        string // TARJUMA_ADDR, the HTTP listen address of serve
	WorkerAddr  string // TARJUMA_WORKER_ADDR, /healthz and /metrics of worker; empty: none
	DataDir     string // TARJUMA_DATA, where the default SQLite file lives
	// The numbers below are zero when their variable is unset: the package that uses each one
	// holds its default (api, worker, publish, translate), so a default is written once.
	MaxBodyBytes    int64          // TARJUMA_MAX_BODY_BYTES
	Concurrency     int            // TARJUMA_WORKER_CONCURRENCY
	TaskTimeout     time.Duration  // TARJUMA_TASK_TIMEOUT
	TaskRetention   time.Duration  // TARJUMA_TASK_RETENTION
	Redispatch      time.Duration  // TARJUMA_REDISPATCH_AFTER
	ShutdownTimeout time.Duration  // TARJUMA_SHUTDOWN_TIMEOUT
	TrustedProxies  []netip.Prefix // TARJUMA_TRUSTED_PROXIES: peers whose X-Forwarded-For names the client
	MTChain         string         // TARJUMA_MT
	MTChainByLang   map[tarjuma.Lang]string
	MT              mtConfig
	Publish         republishConfig
	LogLevel        slog.Level // TARJUMA_LOG_LEVEL
	LogJSON         bool       // TARJUMA_LOG_FORMAT=json
}

// republishConfig configures republishing to subscribers and the feeds.
type republishConfig struct {
	PublicURL     string        // TARJUMA_PUBLIC_URL: how readers reach the server; https:// also makes cookies Secure
	FeedTitle     string        // TARJUMA_FEED_TITLE
	FeedAuthority string        // TARJUMA_FEED_TAG_AUTHORITY: tag: URI authority of feed ids, e.g. news.example.tj,2025
	Backoff       time.Duration // TARJUMA_WEBHOOK_BACKOFF: first retry delay of a delivery
	Timeout       time.Duration // TARJUMA_WEBHOOK_TIMEOUT: per delivery attempt
	RotationGrace time.Duration // TARJUMA_WEBHOOK_ROTATION_GRACE: how long a rotated-out secret still signs
	AllowPrivate  bool          // TARJUMA_WEBHOOK_ALLOW_PRIVATE: accept receivers on private or loopback addresses
	SecretKey     string        // TARJUMA_SECRET_KEY: seals channel credentials; dev and demo keep one in the data folder
	TelegramAPI   string        // TARJUMA_TELEGRAM_API_URL: the Bot API, or a proxy or stand-in of it
}

// mtConfig configures the MT engines; only the engines a chain names are built.
type mtConfig struct {
	Concurrency    int                     // TARJUMA_MT_CONCURRENCY: requests in flight per engine
	CharsPerMinute int                     // TARJUMA_MT_CHARS_PER_MINUTE: per engine; Google's default quota is 6M
	GoogleAPI      string                  // TARJUMA_GOOGLE_API: v2 or v3
	GoogleAPIKey   string                  // TARJUMA_GOOGLE_API_KEY (v2); empty: Application Default Credentials
	GoogleProject  string                  // TARJUMA_GOOGLE_PROJECT (v3)
	GoogleLocation string                  // TARJUMA_GOOGLE_LOCATION (v3)
	GoogleEndpoint string                  // TARJUMA_GOOGLE_ENDPOINT, passed unchanged as option.WithEndpoint
	GoogleGlossary map[tarjuma.Lang]string // TARJUMA_GOOGLE_GLOSSARY_TG/RU/EN: v3 glossary resources
	DeepLKey       string                  // TARJUMA_DEEPL_KEY
	DeepLURL       string                  // TARJUMA_DEEPL_URL: empty picks the API for the key
	OpenAIBaseURL  string                  // TARJUMA_OPENAI_BASE_URL
	OpenAIModel    string                  // TARJUMA_OPENAI_MODEL
	OpenAIKey      string                  // TARJUMA_OPENAI_KEY
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map in tests).
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		DatabaseURL:   getenv("TARJUMA_DATABASE_URL"),
		RedisURL:      getenv("TARJUMA_REDIS_URL"),
		Addr:          orDefault(getenv("TARJUMA_ADDR"), "127.0.0.1:8080"),
		WorkerAddr:    getenv("TARJUMA_WORKER_ADDR"),
		DataDir:       orDefault(getenv("TARJUMA_DATA"), "data"),
		MTChain:       orDefault(getenv("TARJUMA_MT"), "memory"),
		MTChainByLang: map[tarjuma.Lang]string{},
		LogJSON:       getenv("TARJUMA_LOG_FORMAT") == "json",
		Publish: republishConfig{
			PublicURL:     getenv("TARJUMA_PUBLIC_URL"),
			FeedTitle:     getenv("TARJUMA_FEED_TITLE"),
			FeedAuthority: getenv("TARJUMA_FEED_TAG_AUTHORITY"),
			SecretKey:     getenv("TARJUMA_SECRET_KEY"),
			TelegramAPI:   cmp.Or(getenv("TARJUMA_TELEGRAM_API_URL"), publish.DefaultTelegramAPIURL),
		},
		MT: mtConfig{
			GoogleAPI:      orDefault(getenv("TARJUMA_GOOGLE_API"), "v3"),
			GoogleAPIKey:   getenv("TARJUMA_GOOGLE_API_KEY"),
			GoogleProject:  getenv("TARJUMA_GOOGLE_PROJECT"),
			GoogleLocation: getenv("TARJUMA_GOOGLE_LOCATION"),
			GoogleEndpoint: getenv("TARJUMA_GOOGLE_ENDPOINT"),
			GoogleGlossary: map[tarjuma.Lang]string{},
			DeepLKey:       getenv("TARJUMA_DEEPL_KEY"),
			DeepLURL:       getenv("TARJUMA_DEEPL_URL"),
			OpenAIBaseURL:  orDefault(getenv("TARJUMA_OPENAI_BASE_URL"), "https://api.openai.com/v1"),
			OpenAIModel:    getenv("TARJUMA_OPENAI_MODEL"),
			OpenAIKey:      getenv("TARJUMA_OPENAI_KEY"),
		},
	}
	for _, lang := range tarjuma.TargetLangs() {
		if v := getenv("TARJUMA_MT_" + strings.ToUpper(string(lang))); v != "" {
			c.MTChainByLang[lang] = v
		}
		if v := getenv("TARJUMA_GOOGLE_GLOSSARY_" + strings.ToUpper(string(lang))); v != "" {
			c.MT.GoogleGlossary[lang] = v
		}
	}
	var errs []string
	// Unset numbers stay zero, which every package reads as "my default".
	intVar := func(name string) int64 {
		v := getenv(name)
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%q: want a positive whole number", name, v))
		}
		return max(n, 0)
	}
	durationVar := func(name string) time.Duration {
		v := getenv(name)
		if v == "" {
			return 0
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Sprintf("%s=%q: want a positive duration such as 30s or 5m", name, v))
		}
		return max(d, 0)
	}
	c.MaxBodyBytes = intVar("TARJUMA_MAX_BODY_BYTES")
	c.Concurrency = int(intVar("TARJUMA_WORKER_CONCURRENCY"))
	c.TaskTimeout = durationVar("TARJUMA_TASK_TIMEOUT")
	c.TaskRetention = durationVar("TARJUMA_TASK_RETENTION")
	c.Redispatch = durationVar("TARJUMA_REDISPATCH_AFTER")
	c.ShutdownTimeout = durationVar("TARJUMA_SHUTDOWN_TIMEOUT")
	c.Publish.Backoff = durationVar("TARJUMA_WEBHOOK_BACKOFF")
	c.Publish.Timeout = durationVar("TARJUMA_WEBHOOK_TIMEOUT")
	c.Publish.RotationGrace = durationVar("TARJUMA_WEBHOOK_ROTATION_GRACE")
	switch v := getenv("TARJUMA_WEBHOOK_ALLOW_PRIVATE"); v {
	case "", "0", "false":
	case "1", "true":
		c.Publish.AllowPrivate = true
	default:
		errs = append(errs, fmt.Sprintf("TARJUMA_WEBHOOK_ALLOW_PRIVATE=%q: want true or false", v))
	}
	c.MT.Concurrency = int(intVar("TARJUMA_MT_CONCURRENCY"))
	c.MT.CharsPerMinute = int(intVar("TARJUMA_MT_CHARS_PER_MINUTE"))
	if c.MT.GoogleAPI != "v2" && c.MT.GoogleAPI != "v3" {
		errs = append(errs, fmt.Sprintf("TARJUMA_GOOGLE_API=%q: want v2 or v3", c.MT.GoogleAPI))
	}
	for _, v := range strings.Split(getenv("TARJUMA_TRUSTED_PROXIES"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		p, err := parsePrefix(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("TARJUMA_TRUSTED_PROXIES: %q: want a CIDR such as 10.0.0.0/8 or an address", v))
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	if v := getenv("TARJUMA_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("TARJUMA_LOG_LEVEL=%q: want debug, info, warn or error", v))
		}
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// databaseURL is the configured database, or the SQLite file in the data folder.
func (c config) databaseURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "tarjuma.db")
}

// connectors are the channel connectors the configuration asks for: the worker sends with
// them, and the desk tests channels with them. rdb keeps Telegram's per-chat rate limits, one
// budget for every worker process; nil only where nothing is posted (checks do not use it).
func (c config) connectors(rdb redis.UniversalClient) publish.Connectors {
	return publish.NewConnectors(publish.ConnectorsConfig{
		Sender:       publish.NewSender(publish.SenderConfig{AllowPrivate: c.Publish.AllowPrivate, Timeout: c.Publish.Timeout}),
		TagAuthority: c.Publish.FeedAuthority,
		WordPress:    publish.NewWordPressClient(publish.WordPressConfig{AllowPrivate: c.Publish.AllowPrivate, Timeout: c.Publish.Timeout}),
		Telegram:     publish.NewTelegramClient(publish.TelegramConfig{APIURL: c.Publish.TelegramAPI, Timeout: c.Publish.Timeout, Redis: rdb}),
	})
}

// parsePrefix reads a CIDR, or a bare address as the prefix of that one address. An IPv4
// prefix written in IPv6 form (::ffff:10.0.0.0/104) is refused: client addresses are unmapped
// before they are compared, so it would never match.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() || p.Addr().Zone() != "" {
		return netip.Prefix{}, errors.New("IPv4-mapped or zoned prefix")
	}
	return p.Masked(), nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (c config) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogJSON {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// redisConnOpt reads TARJUMA_REDIS_URL. asynq parses redis://, rediss:// and
// redis-sentinel://[:sentinel-pass@]host1:26379,host2:26379?master=NAME, but its Sentinel form
// has no place for the master's own credentials or database, which a replicated Redis with
// requirepass needs; here they come from the query: username= and password= (go-redis's own
// failover URLs name them so) and db=. A Sentinel URL without master, or with a parameter it
// does not know, is refused rather than failing later on connect or silently ignored.
func redisConnOpt(rawURL string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(rawURL)
	if err != nil {
		return nil, err
	}
	failover, ok := opt.(asynq.RedisFailoverClientOpt)
	if !ok {
		return opt, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for name := range q {
		if !slices.Contains([]string{"master", "username", "password", "db"}, name) {
			return nil, fmt.Errorf("redis-sentinel URL: unknown parameter %q (known: master, username, password, db)", name)
		}
	}
	if failover.MasterName == "" {
		return nil, errors.New("redis-sentinel URL: master=NAME is missing")
	}
	failover.SentinelUsername = u.User.Username()
	failover.Username, failover.Password = q.Get("username"), q.Get("password")
	if v := q.Get("db"); v != "" {
		if failover.DB, err = strconv.Atoi(v); err != nil || failover.DB < 0 {
			return nil, fmt.Errorf("redis-sentinel URL: db=%q is not a database number", v)
		}
	}
	return failover, nil
}
