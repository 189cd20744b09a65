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
	"github.com/tarjuma/tarjuma/store"
)

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
	if _, err := cli("add", "--kind", "wordpress", "--url", "https://site.example", "--langs", "ru"); err == nil || !strings.Contains(err.Error(), "unsupported_kind") {
		t.Errorf("add a WordPress channel: %v, want unsupported_kind", err)
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
		URL: "https://api.telegram.org", Langs: []tarjuma.Lang{tarjuma.Tajik}, Secret: publish.NewSecret(), CreatedBy: "test"}); err != nil {
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
