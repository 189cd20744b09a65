package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/alicebob/miniredis/v2"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/store"
)

// runServe runs the HTTP API and the outbox relay.
func runServe(ctx context.Context, cfg config, args []string) error {
	return runApp(ctx, cfg, args, "serve", cfg.Addr, "listen address (TARJUMA_ADDR)",
		func(a *app, addr string) (parts, error) {
			web, err := a.webHandler("")
			return parts{http: web, addr: addr}, err
		})
}

// runWorker runs the asynq worker and the outbox relay, which sweeps up jobs a crashed API
// process committed but never enqueued.
func runWorker(ctx context.Context, cfg config, args []string) error {
	return runApp(ctx, cfg, args, "worker", cfg.WorkerAddr, "listen address for /healthz and /metrics (TARJUMA_WORKER_ADDR); empty: none",
		func(a *app, addr string) (parts, error) {
			ws, err := a.workerServer(ctx)
			if err != nil {
				return parts{}, err
			}
			p := parts{worker: ws}
			if addr != "" {
				p.http, p.addr = a.metricsHandler(), addr
			}
			return p, nil
		})
}

// runApp is what serve and worker share: an --addr flag, the app open for the command's life,
// and the parts build makes of it running until ctx ends.
func runApp(ctx context.Context, cfg config, args []string, name, addrDefault, addrUsage string, build func(a *app, addr string) (parts, error)) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	addr := fs.String("addr", addrDefault, addrUsage)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := build(a, *addr)
	if err != nil {
		return err
	}
	return a.runParts(ctx, p)
}

// runDev runs API, relay and worker in one process on embedded defaults: an in-process Redis
// unless TARJUMA_REDIS_URL is set, SQLite in --data unless TARJUMA_DATABASE_URL is set. With
// demoOut set it is `tarjuma demo`: it also submits the sample article and prints a summary.
func runDev(ctx context.Context, cfg config, args []string, demoOut io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	data := fs.String("data", cfg.DataDir, "folder for the SQLite database (TARJUMA_DATA)")
	devToken := fs.String("dev-token", "", "accept this bearer token as an admin (dev mode only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.DataDir = *data
	// On one machine the webhook receivers under test are local.
	cfg.Publish.AllowPrivate = true
	if cfg.Publish.SecretKey == "" {
		key, err := devSecretKey(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.Publish.SecretKey = key
	}
	log := cfg.logger()
	if cfg.RedisURL == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		defer mr.Close()
		cfg.RedisURL = "redis://" + mr.Addr()
		log.Info("embedded redis started", "addr", mr.Addr())
	}
	if demoOut != nil && *devToken == "" {
		*devToken = "dev-" + rand.Text()
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if demoOut != nil {
		if err := loadStarterGlossary(ctx, a.db, demoOut); err != nil {
			return fmt.Errorf("starter glossary: %w", err)
		}
		if err := createDemoUser(ctx, a.db, *addr, demoOut); err != nil {
			return fmt.Errorf("demo user: %w", err)
		}
	}
	ws, err := a.workerServer(ctx)
	if err != nil {
		return err
	}
	web, err := a.webHandler(*devToken)
	if err != nil {
		return err
	}
	p := parts{http: web, addr: *addr, worker: ws}
	if demoOut != nil {
		p.onReady = func(addr string) {
			go func() {
				if err := runDemo(ctx, "http://"+addr, *devToken, demoOut); err != nil && ctx.Err() == nil {
					log.Error("demo failed", "error", err)
				}
			}()
		}
	}
	return a.runParts(ctx, p)
}

// runMigrate applies pending migrations and says which.
func runMigrate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments")
	}
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database %s is up to date\n", db.Dialect())
	return nil
}

const tokenUsage = `usage:
  tarjuma token create --name NAME (--role ROLE | --user EMAIL) [--expires-in DURATION]
  tarjuma token list                 every token: id, name, role, user, created, last used, expires
  tarjuma token revoke ID            the token stops working at its next request`

// runToken handles `token create|list|revoke`, as an admin would through the API. A new
// token's secret is printed once and only its hash is stored.
func runToken(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, cfg, args[1:], stdout)
	case "list":
		if len(args) != 1 {
			return errors.New(tokenUsage)
		}
		return withDB(ctx, cfg, func(db *store.DB) error { return listTokens(ctx, db, stdout) })
	case "revoke":
		if len(args) != 2 {
			return errors.New(tokenUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("token revoke: %q is not a token id", args[1])
		}
		return withDB(ctx, cfg, func(db *store.DB) error {
			err := auth.RevokeToken(ctx, db, operator, id)
			if errors.Is(err, tarjuma.ErrNotFound) {
				return fmt.Errorf("token revoke: no token %d", id)
			}
			if err != nil {
				return fmt.Errorf("token revoke: %w", err)
			}
			fmt.Fprintf(stdout, "token %d revoked\n", id)
			return nil
		})
	}
	return errors.New(tokenUsage)
}

// operator is who runs the CLI: someone with the database's URL, trusted as an admin.
var operator = tarjuma.User{Role: tarjuma.RoleAdmin}

// withDB opens and migrates the database for one command and closes it after.
func withDB(ctx context.Context, cfg config, f func(db *store.DB) error) error {
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db)
}

func runTokenCreate(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	role := fs.String("role", "", "admin, editor, translator or reviewer; for --user, theirs")
	name := fs.String("name", "", "who or what uses the token")
	email := fs.String("user", "", "the email of the user the token acts as (with their role and languages)")
	expiresIn := fs.Duration("expires-in", 0, "how long the token works, e.g. 720h for 30 days; 0 for ever")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || (*role == "" && *email == "") || fs.NArg() > 0 {
		return errors.New(tokenUsage)
	}
	return withDB(ctx, cfg, func(db *store.DB) error {
		nt := auth.NewToken{Name: *name, Role: tarjuma.Role(*role), ExpiresIn: *expiresIn}
		if *email != "" {
			u, err := db.UserByEmail(ctx, *email)
			if errors.Is(err, tarjuma.ErrNotFound) {
				return fmt.Errorf("token create: no user %s", store.NormalizeEmail(*email))
			}
			if err != nil {
				return fmt.Errorf("token create: %w", err)
			}
			nt.UserID = u.ID
		}
		secret, c, err := auth.CreateToken(ctx, db, nt)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintln(stdout, secret)
		expires := "never expires"
		if !c.Token.ExpiresAt.IsZero() {
			expires = "expires " + c.Token.ExpiresAt.Format(time.RFC3339)
		}
		fmt.Fprintf(os.Stderr, "token %d (%s, %s) created, %s; the secret above is not stored and cannot be shown again\n",
			c.Token.ID, c.Token.Name, c.Token.Role, expires)
		return nil
	})
}

// listTokens prints every token as a table; never a secret, which the store does not have.
func listTokens(ctx context.Context, db *store.DB, stdout io.Writer) error {
	cs, err := auth.ListTokens(ctx, db, operator)
	if err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tUSER\tCREATED\tLAST USED\tEXPIRES")
	for _, c := range cs {
		user := "-"
		if c.User != nil {
			user = c.User.Email
		}
		expires := when(c.Token.ExpiresAt)
		if !c.Token.ExpiresAt.IsZero() && !c.Token.ExpiresAt.After(now) {
			expires += " (expired)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Token.ID, printable(c.Token.Name), c.Token.Role, user,
			when(c.Token.CreatedAt), when(c.Token.LastUsedAt), expires)
	}
	return tw.Flush()
}

// when is t for a table cell: RFC 3339 in UTC, "-" for none.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// printable quotes a name holding tabs, line breaks or other controls, which would break the
// table (names come through the API, which allows them).
func printable(s string) string {
	if strings.ContainsFunc(s, unicode.IsControl) {
		return strconv.Quote(s)
	}
	return s
}
