package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/alicebob/miniredis/v2"

	"github.com/tarjuma/tarjuma"
)

// runServe runs the HTTP API and the outbox relay.
func runServe(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", cfg.Addr, "listen address (TARJUMA_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.logger()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	web, err := a.webHandler("")
	if err != nil {
		return err
	}
	return a.runParts(ctx, parts{http: web, addr: *addr})
}

// runWorker runs the asynq worker and the outbox relay, which sweeps up jobs a crashed API
// process committed but never enqueued.
func runWorker(ctx context.Context, cfg config, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	addr := fs.String("addr", cfg.WorkerAddr, "listen address for /healthz and /metrics (TARJUMA_WORKER_ADDR); empty: none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := cfg.logger()
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ws, err := a.workerServer(ctx)
	if err != nil {
		return err
	}
	p := parts{worker: ws}
	if *addr != "" {
		p.http, p.addr = a.metricsHandler(), *addr
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

// runToken handles `token create --role R --name N`: the secret is printed once and only its
// hash is stored.
func runToken(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: tarjuma token create --role ROLE --name NAME")
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	role := fs.String("role", "", "admin, editor, translator or reviewer")
	name := fs.String("name", "", "who or what uses the token")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if !tarjuma.Role(*role).Valid() || *name == "" {
		return fmt.Errorf("token create needs --role (admin, editor, translator or reviewer) and --name")
	}
	db, err := openDB(ctx, cfg, cfg.logger())
	if err != nil {
		return err
	}
	defer db.Close()
	secret, tok, err := db.CreateToken(ctx, *name, tarjuma.Role(*role))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	fmt.Fprintf(os.Stderr, "token %d (%s, %s) created; the secret above is not stored and cannot be shown again\n", tok.ID, tok.Name, tok.Role)
	return nil
}
