package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

const subscriberUsage = `usage:
  tarjuma subscriber add --url URL --langs tg,ru [--kind webhook] [--payload tarjuma|ninjs] [--description D]
  tarjuma subscriber add --kind wordpress --url SITE --username U --app-password P --langs ru
                         [--status publish|draft|pending|private] [--category-id N] [--author-id N] [--polylang auto|off]
  tarjuma subscriber add --kind telegram --chat-id @channel --bot-token T --langs ru
                                      register a channel; a webhook's signing secret is printed once
                                      (credentials are sealed with TARJUMA_SECRET_KEY)
  tarjuma subscriber list             every channel: id, kind, payload, state, last test, URL, languages
  tarjuma subscriber enable ID        let a channel disabled by 410 Gone or by hand receive again
  tarjuma subscriber disable ID       stop deliveries to a channel, cancelling its pending ones
  tarjuma subscriber test ID          check a channel without publishing; fails when the channel does`

// cliActor is who runs the CLI, as the desk records it: an admin (see operator).
var cliActor = desk.Actor{User: operator, Name: "cli"}

// runSubscriber handles `subscriber add|list|enable|disable|test` through the desk, with the
// rules and results of the API and the pages.
func runSubscriber(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(subscriberUsage)
	}
	switch cmd := args[0]; cmd {
	case "add":
		return runSubscriberAdd(ctx, cfg, args[1:], stdout)
	case "list":
		if len(args) != 1 {
			return errors.New(subscriberUsage)
		}
		return withDB(ctx, cfg, func(db *store.DB) error { return listSubscribers(ctx, db, stdout) })
	case "enable", "disable", "test":
		if len(args) != 2 {
			return errors.New(subscriberUsage)
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("subscriber %s: %q is not a subscriber id", cmd, args[1])
		}
		return withDB(ctx, cfg, func(db *store.DB) error {
			d, err := cliDesk(ctx, cfg, db)
			if err != nil {
				return fmt.Errorf("subscriber %s: %w", cmd, err)
			}
			act := map[string]func(context.Context, desk.Actor, int64) (publish.Subscriber, error){
				"enable": d.EnableSubscriber, "disable": d.DisableSubscriber, "test": d.TestSubscriber}[cmd]
			sub, err := act(ctx, cliActor, id)
			if errors.Is(err, tarjuma.ErrNotFound) {
				return fmt.Errorf("subscriber %s: no subscriber %d", cmd, id)
			}
			if err != nil {
				return fmt.Errorf("subscriber %s: %w", cmd, err)
			}
			if cmd != "test" {
				fmt.Fprintf(stdout, "subscriber %d %sd\n", id, cmd)
				return nil
			}
			fmt.Fprintf(stdout, "subscriber %d: %s\n", id, checkCell(sub.Check))
			if !sub.Check.OK() {
				return fmt.Errorf("subscriber test: subscriber %d failed the test", id)
			}
			return nil
		})
	}
	return errors.New(subscriberUsage)
}

// cliDesk is the desk the subscriber commands act through: the server's rules, connectors and
// key, without the queue (enabling a channel enqueues nothing) and without Redis (a test of a
// channel posts nothing, so Telegram's rate limiter is not consulted).
func cliDesk(ctx context.Context, cfg config, db *store.DB) (*desk.Desk, error) {
	sealer, err := openSealer(ctx, db, cfg.Publish.SecretKey)
	if err != nil {
		return nil, err
	}
	return desk.New(desk.Config{DB: db, AllowPrivateWebhooks: cfg.Publish.AllowPrivate, RotationGrace: cfg.Publish.RotationGrace,
		Connectors: cfg.connectors(nil), Sealer: sealer}), nil
}

func runSubscriberAdd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("subscriber add", flag.ContinueOnError)
	kind := fs.String("kind", string(publish.KindWebhook), "webhook, wordpress or telegram")
	payload := fs.String("payload", string(publish.PayloadTarjuma), "a webhook's body: tarjuma (our event) or ninjs (IPTC ninjs 3.1)")
	rawURL := fs.String("url", "", "the receiver's https URL, or a WordPress site's root")
	var n desk.NewSubscriber
	fs.StringVar(&n.Username, "username", "", "wordpress: the user posts are made as")
	fs.StringVar(&n.AppPassword, "app-password", "", "wordpress: an application password of that user")
	fs.StringVar(&n.WordPress.Status, "status", "", "wordpress: the status of new posts (publish when unset)")
	fs.Int64Var(&n.WordPress.CategoryID, "category-id", 0, "wordpress: the category of new posts")
	fs.Int64Var(&n.WordPress.AuthorID, "author-id", 0, "wordpress: the author of new posts")
	fs.StringVar(&n.WordPress.Polylang, "polylang", "", "wordpress: auto (link translations where Polylang runs) or off")
	fs.StringVar(&n.ChatID, "chat-id", "", "telegram: @channelname or the numeric id")
	fs.StringVar(&n.BotToken, "bot-token", "", "telegram: the bot's token from BotFather")
	langs := fs.String("langs", "", "target languages it receives, comma-separated")
	description := fs.String("description", "", "what the channel is, for the desk")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rawURL == "" && *kind != string(publish.KindTelegram) || *langs == "" || fs.NArg() > 0 {
		return errors.New(subscriberUsage)
	}
	n.Kind, n.Payload, n.URL, n.Description = publish.Kind(*kind), publish.Payload(*payload), *rawURL, *description
	for l := range strings.SplitSeq(*langs, ",") {
		n.Langs = append(n.Langs, tarjuma.Lang(strings.TrimSpace(l)))
	}
	return withDB(ctx, cfg, func(db *store.DB) error {
		d, err := cliDesk(ctx, cfg, db)
		if err != nil {
			return fmt.Errorf("subscriber add: %w", err)
		}
		sub, secret, err := d.AddSubscriber(ctx, cliActor, n)
		if err != nil {
			return fmt.Errorf("subscriber add: %w", err)
		}
		if secret == "" { // a channel that signs nothing (publish.Kind.Signed)
			fmt.Fprintf(os.Stderr, "subscriber %d (%s) added\n", sub.ID, sub.Kind)
			return nil
		}
		fmt.Fprintln(stdout, secret)
		fmt.Fprintf(os.Stderr, "subscriber %d (%s, %s) added; the signing secret above is shown only this once\n", sub.ID, sub.Kind, sub.Payload)
		return nil
	})
}

// listSubscribers prints every channel as a table; never a secret or credential.
func listSubscribers(ctx context.Context, db *store.DB, stdout io.Writer) error {
	subs, err := db.Subscribers(ctx)
	if err != nil {
		return fmt.Errorf("subscriber list: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tPAYLOAD\tSTATE\tLAST TEST\tLANGS\tURL")
	for _, s := range subs {
		state := "enabled"
		if !s.DisabledAt.IsZero() {
			state = "disabled since " + when(s.DisabledAt) + " (" + printable(s.DisabledReason) + ")"
		}
		langs := make([]string, len(s.Langs))
		for i, l := range s.Langs {
			langs[i] = string(l)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Kind, s.Payload, state, checkCell(s.Check),
			strings.Join(langs, ","), printable(s.URL))
	}
	return tw.Flush()
}

// checkCell says how a channel's last test went: "-" before the first.
func checkCell(c publish.CheckResult) string {
	switch {
	case c.At.IsZero():
		return "-"
	case c.OK():
		return fmt.Sprintf("passed %s (HTTP %d)", when(c.At), c.StatusCode)
	case c.StatusCode != 0:
		return fmt.Sprintf("failed %s (HTTP %d: %s)", when(c.At), c.StatusCode, printable(c.Error))
	}
	return fmt.Sprintf("failed %s (%s)", when(c.At), printable(c.Error))
}
