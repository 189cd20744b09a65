package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
	"github.com/tarjuma/tarjuma/store"
)

// TestSubscriberCLIChannels adds a WordPress site and a Telegram channel (each a stand-in,
// the Bot API's found through TARJUMA_TELEGRAM_API_URL) and tests their credentials without
// publishing: right ones pass, a refused application password fails naming what to check.
func TestSubscriberCLIChannels(t *testing.T) {
	wp := wordpresstest.New()
	site := wp.Start(t)
	const token = "7000001:AAFakeTokenForTheStandInBot_0123"
	tg := telegramtest.New(token)
	vars := env{"TARJUMA_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "t.db"), "TARJUMA_WEBHOOK_ALLOW_PRIVATE": "true",
		"TARJUMA_SECRET_KEY": publish.NewKey(), "TARJUMA_TELEGRAM_API_URL": tg.Start(t)}
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"subscriber"}, args...), vars.get, nil, &out)
		return out.String(), err
	}
	for _, args := range [][]string{
		{"--kind", "wordpress", "--url", site, "--username", "desk", "--app-password", wordpresstest.Editor.AppPassword, "--status", "draft"},
		{"--kind", "telegram", "--chat-id", telegramtest.DefaultChatName, "--bot-token", token},
		{"--kind", "wordpress", "--url", site, "--username", "desk", "--app-password", "wrong wrong wrong"},
	} {
		if out, err := cli(append(append([]string{"add"}, args...), "--langs", "ru")...); err != nil || out != "" {
			t.Fatalf("add %v: %q, %v; want no secret printed (only webhooks sign)", args, out, err)
		}
	}
	for _, id := range []string{"1", "2"} {
		if out, err := cli("test", id); err != nil || !strings.Contains(out, "passed") {
			t.Errorf("test %s: %q, %v; want passed", id, out, err)
		}
	}
	if out, err := cli("test", "3"); err == nil || !strings.Contains(out, "HTTP 401") || !strings.Contains(out, "application password") {
		t.Errorf("test with a refused password: %q, %v; want a failure naming the application password", out, err)
	}
	if len(wp.Posts()) != 0 || len(tg.Messages(telegramtest.DefaultChatName)) != 0 {
		t.Error("a test published something")
	}
}

func TestSubscriberCLI(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusNoContent)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
	}))
	defer receiver.Close()
	vars := env{"TARJUMA_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "t.db"), "TARJUMA_WEBHOOK_ALLOW_PRIVATE": "true"}
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"subscriber"}, args...), vars.get, nil, &out)
		return out.String(), err
	}
	out, err := cli("add", "--url", receiver.URL+"/hook", "--langs", "tg, ru", "--payload", "ninjs", "--description", "Сайт")
	if err != nil || !strings.HasPrefix(out, "whsec_") {
		t.Fatalf("add: %q, %v; want the secret", out, err)
	}
	if _, err := cli("add", "--kind", "wordpress", "--url", "https://site.example", "--username", "desk", "--app-password", "abcd efgh",
		"--langs", "ru"); err == nil || !strings.Contains(err.Error(), "no_secret_key") {
		t.Errorf("add a WordPress channel without TARJUMA_SECRET_KEY: %v, want no_secret_key", err)
	}
	if out, err = cli("test", "1"); err != nil || !strings.Contains(out, "passed") || !strings.Contains(out, "HTTP 204") {
		t.Errorf("test: %q, %v", out, err)
	}
	status.Store(http.StatusInternalServerError)
	if out, err = cli("test", "1"); err == nil || !strings.Contains(out, "failed") || !strings.Contains(out, "HTTP 500") {
		t.Errorf("test of a failing receiver: %q, %v; want an error", out, err)
	}
	if out, err = cli("disable", "1"); err != nil || out != "subscriber 1 disabled\n" {
		t.Errorf("disable: %q, %v", out, err)
	}
	out, err = cli("list")
	if err != nil || !strings.Contains(out, "webhook  ninjs") || !strings.Contains(out, "disabled by cli") ||
		!strings.Contains(out, "tg,ru") || strings.Contains(out, "whsec_") {
		t.Errorf("list: %q, %v", out, err)
	}
	if out, err = cli("enable", "1"); err != nil || out != "subscriber 1 enabled\n" {
		t.Errorf("enable: %q, %v", out, err)
	}
	if _, err = cli("enable", "7"); err == nil || !strings.Contains(err.Error(), "no subscriber 7") {
		t.Errorf("enable an unknown subscriber: %v", err)
	}
	if _, err = cli("test", "x"); err == nil {
		t.Error("test x accepted")
	}
}

func TestSecretKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, err := devSecretKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := publish.ParseKey(key); err != nil {
		t.Fatalf("dev key %q: %v", key, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", fi, err)
	}
	if again, err := devSecretKey(dir); err != nil || again != key {
		t.Errorf("second run: %q, %v; want the kept key %q", again, err, key)
	}

	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	db, err := store.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s, err := openSealer(t.Context(), db, ""); s != nil || err != nil {
		t.Errorf("no key, no credentials: %v, %v; want neither", s, err)
	}
	sealer, _ := publish.ParseKey(key)
	blob, _ := sealer.Seal(publish.KindTelegram, []byte("bot-token"))
	if _, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{Kind: publish.KindTelegram, Credentials: blob,
		Langs: []tarjuma.Lang{tarjuma.Tajik}, CreatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := openSealer(t.Context(), db, key); err != nil {
		t.Errorf("the key that sealed them: %v", err)
	}
	if _, err := openSealer(t.Context(), db, publish.NewKey()); !errors.Is(err, publish.ErrWrongKey) {
		t.Errorf("another key: %v, want ErrWrongKey", err)
	}
	if _, err := openSealer(t.Context(), db, "short"); err == nil || !strings.Contains(err.Error(), "TARJUMA_SECRET_KEY must be") {
		t.Errorf("a malformed key: %v", err)
	}
	// serve refuses to start: credentials stored, no key.
	err = run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"},
		env{"TARJUMA_DATABASE_URL": dbURL, "TARJUMA_REDIS_URL": "redis://127.0.0.1:1"}.get, nil, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "TARJUMA_SECRET_KEY is not set") {
		t.Errorf("serve without the key: %v, want a refusal naming TARJUMA_SECRET_KEY", err)
	}
}
