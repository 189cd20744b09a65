// Command tarjuma is the one binary of the pipeline: the HTTP API (serve), the asynq worker
// (worker), both on embedded defaults (dev, demo), database migrations (migrate), API tokens
// (token create, list, revoke), desk accounts (user add, password, disable, enable,
// signout) and republishing channels (subscriber add, list, enable, disable, test). It is
// the only place that reads configuration and builds dependencies.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

const usage = `tarjuma translates Arabic news articles into Tajik, Russian and English.

Usage:
  tarjuma dev     [--addr HOST:PORT] [--data DIR] [--dev-token T]   API and worker in one process
  tarjuma demo    [--addr HOST:PORT] [--data DIR] [--dev-token T]   dev, plus the sample article
  tarjuma serve   [--addr HOST:PORT]                                the HTTP API
  tarjuma worker                                                    the asynq worker
  tarjuma migrate                                                   apply database migrations
  tarjuma token create --name N --role ROLE [--expires-in D]        print a new API token once
  tarjuma token create --name N --user EMAIL [--expires-in D]       one acting as the user; D e.g. 720h
  tarjuma token list                                                list tokens (never their secrets)
  tarjuma token revoke ID                                           revoke a token at once
  tarjuma user add --email E --role ROLE [--langs tg,ru] < PASSWORD create a user, print its id
  tarjuma user password EMAIL < PASSWORD                            set a password, end their sessions
  tarjuma user disable|enable EMAIL                                 disabling ends sessions and tokens
  tarjuma user signout EMAIL                                        end every session of the user
  tarjuma subscriber add --url U --langs tg,ru [--payload ninjs]   register a webhook, print its secret once
  tarjuma subscriber list                                           list channels (never their secrets)
  tarjuma subscriber enable|disable|test ID                         re-enable, stop, or check a channel
  tarjuma glossary match [--glossary FILE.csv]                      glossary terms in stdin, as JSON lines
  tarjuma glossary import [--replace] FILE                          load a CSV or TBX term base
  tarjuma glossary export [--format csv|tbx]                        print the term base
  tarjuma providers check                                           call each configured MT engine once

Configuration comes from TARJUMA_* environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		// The last word stays in the log's format, so a JSON log is JSON to the end.
		if cfg, cfgErr := loadConfig(os.Getenv); cfgErr == nil && cfg.LogJSON {
			cfg.logger().Error("tarjuma failed", "error", err)
		} else {
			fmt.Fprintln(os.Stderr, "tarjuma:", err)
		}
		os.Exit(1)
	}
}

// redisLogger is go-redis's logging interface over slog. go-redis logs only what went wrong
// (failed dials, bad pool state), so every line is a warning.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, args ...any) {
	l.log.WarnContext(ctx, strings.TrimPrefix(fmt.Sprintf(format, args...), "redis: "))
}

// run dispatches a subcommand; stdout gets what the command prints for people (tokens, the demo
// summary), logs go to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "help", "-h", "--help":
		// Before the configuration is read: help is what someone with a malformed one needs.
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return fmt.Errorf("%w (tarjuma help lists the variables)", err)
	}
	// go-redis (asynq's client and our readiness pings use it) prints its own messages, dial
	// failures during an outage above all, to stderr as plain text through one process-wide
	// logger with no constructor option; pointing it at slog here is the only way to keep
	// TARJUMA_LOG_FORMAT=json output all JSON. It is an atomic swap in go-redis, so each run
	// (tests call run many times) may set it.
	redis.SetLogger(redisLogger{cfg.logger().With("component", "redis")})
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, cfg, args)
	case "worker":
		return runWorker(ctx, cfg, args)
	case "dev":
		return runDev(ctx, cfg, args, nil)
	case "demo":
		return runDev(ctx, cfg, args, stdout)
	case "migrate":
		return runMigrate(ctx, cfg, args, stdout)
	case "token":
		return runToken(ctx, cfg, args, stdout)
	case "user":
		return runUser(ctx, cfg, args, stdin, stdout)
	case "glossary":
		return runGlossary(ctx, cfg, args, stdin, stdout)
	case "subscriber":
		return runSubscriber(ctx, cfg, args, stdout)
	case "providers":
		return runProviders(ctx, cfg, args, stdout)
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
