package main

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
)

// TestConfigDocumented keeps the README's configuration table, docker-compose.yml and the code
// that reads the environment in step: every variable the code reads is in the table, and the
// compose file sets no variable the code does not know.
func TestConfigDocumented(t *testing.T) {
	source, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(TARJUMA_[A-Z_]*[A-Z])"`).FindAllStringSubmatch(string(source), -1) {
		read[m[1]] = true
	}
	// Variables read as a prefix plus a language.
	for _, prefix := range []string{"TARJUMA_MT_", "TARJUMA_GOOGLE_GLOSSARY_"} {
		if !strings.Contains(string(source), `"`+prefix+`" + strings.ToUpper(string(lang))`) {
			t.Errorf("config.go no longer reads %s<LANG>; update this test", prefix)
		}
		for _, lang := range []string{"TG", "RU", "EN"} {
			read[prefix+lang] = true
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "| `TARJUMA_") {
			continue
		}
		cell := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("`(TARJUMA_[A-Z_]+)`").FindAllStringSubmatch(cell, -1) {
			documented[m[1]] = true
		}
		for _, m := range regexp.MustCompile("`_([A-Z]+)`").FindAllStringSubmatch(cell, -1) { // `_RU` after a full name
			first := regexp.MustCompile("`(TARJUMA_[A-Z_]+_)[A-Z]+`").FindStringSubmatch(cell)
			documented[first[1]+m[1]] = true
		}
	}
	for name := range read {
		if !documented[name] {
			t.Errorf("%s is read by config.go but missing from the README's configuration table", name)
		}
	}
	compose, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(TARJUMA_[A-Z_]+):`).FindAllStringSubmatch(string(compose), -1) {
		if !read[m[1]] {
			t.Errorf("docker-compose.yml sets %s, which tarjuma does not read", m[1])
		}
	}
	// Compose interpolates every service before it applies profiles, so a required ${VAR:?}
	// in a setup service would stop a plain `docker compose up` that never runs it.
	for _, service := range regexp.MustCompile(`(?m)^  [a-z-]+:\n(?:(?:    .*)?\n)*`).FindAllString(string(compose), -1) {
		if strings.Contains(service, "profiles:") && strings.Contains(service, ":?") {
			t.Errorf("docker-compose.yml: a service behind a profile requires a variable (${VAR:?}), which breaks every `up`:\n%s", service)
		}
	}
	for _, cmd := range regexp.MustCompile(`command: \["([a-z]+)"\]`).FindAllStringSubmatch(string(compose), -1) {
		if !slices.Contains([]string{"serve", "worker", "migrate"}, cmd[1]) {
			t.Errorf("docker-compose.yml runs unknown command %q", cmd[1])
		}
	}
}

// TestRedisConnOpt covers the three forms of TARJUMA_REDIS_URL the README documents and the
// master credentials tarjuma adds to asynq's Sentinel form.
func TestRedisConnOpt(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want asynq.RedisConnOpt
	}{
		{"redis://:secret@redis.internal:6379/2", asynq.RedisClientOpt{Addr: "redis.internal:6379", Password: "secret", DB: 2}},
		{"redis-sentinel://:sentinel-secret@s1:26379,s2:26379?master=tarjuma&password=master-secret&db=3",
			asynq.RedisFailoverClientOpt{MasterName: "tarjuma", SentinelAddrs: []string{"s1:26379", "s2:26379"},
				SentinelPassword: "sentinel-secret", Password: "master-secret", DB: 3}},
		{"redis-sentinel://watcher:sentinel-secret@s1:26379?master=tarjuma&username=app&password=p%40ss",
			asynq.RedisFailoverClientOpt{MasterName: "tarjuma", SentinelAddrs: []string{"s1:26379"},
				SentinelUsername: "watcher", SentinelPassword: "sentinel-secret", Username: "app", Password: "p@ss"}},
	} {
		got, err := redisConnOpt(tc.url)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("redisConnOpt(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}

	got, err := redisConnOpt("rediss://redis.internal:6380")
	if opt, ok := got.(asynq.RedisClientOpt); err != nil || !ok || opt.TLSConfig == nil || opt.TLSConfig.ServerName != "redis.internal" {
		t.Errorf("rediss:// = %+v, %v; want TLS to redis.internal", got, err)
	}

	for url, want := range map[string]string{
		"redis-sentinel://s1:26379":                         "master=NAME is missing",
		"redis-sentinel://s1:26379?master=m&db=two":         `db="two"`,
		"redis-sentinel://s1:26379?master=m&db=-1":          `db="-1"`,
		"redis-sentinel://s1:26379?master=m&sentinel=extra": `unknown parameter "sentinel"`,
		"http://redis.internal:6379":                        "unsupported uri scheme",
	} {
		if _, err := redisConnOpt(url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("redisConnOpt(%q) error = %v, want one saying %q", url, err, want)
		}
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	for _, tc := range []struct {
		value   string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, false},
		{" 10.1.2.3/8 , 192.0.2.7,fd00::/8 ", []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8"}, false},
		{"2001:db8::1", []string{"2001:db8::1/128"}, false},
		{"10.0.0.0/33", nil, true},
		{"proxy.internal", nil, true},
		{"::ffff:10.0.0.0/104", nil, true},
	} {
		cfg, err := loadConfig(func(name string) string {
			if name == "TARJUMA_TRUSTED_PROXIES" {
				return tc.value
			}
			return ""
		})
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "TARJUMA_TRUSTED_PROXIES") {
				t.Errorf("%q: error %v, want one naming TARJUMA_TRUSTED_PROXIES", tc.value, err)
			}
			continue
		}
		var got []string
		for _, p := range cfg.TrustedProxies {
			got = append(got, p.String())
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%q: %v, %v; want %v", tc.value, got, err, tc.want)
		}
	}
}

// TestHelpWithMalformedConfig: help is what someone with a broken configuration reaches for,
// so it must not read the configuration; every other command names the bad variable.
func TestHelpWithMalformedConfig(t *testing.T) {
	broken := func(name string) string {
		if name == "TARJUMA_TASK_TIMEOUT" {
			return "soon"
		}
		return ""
	}
	var out strings.Builder
	if err := run(t.Context(), []string{"help"}, broken, nil, &out); err != nil {
		t.Fatalf("help with a malformed configuration: %v", err)
	}
	if !strings.Contains(out.String(), "serve") {
		t.Errorf("help printed %q, want the usage", out.String())
	}
	err := run(t.Context(), []string{"migrate"}, broken, nil, &out)
	if err == nil || !strings.Contains(err.Error(), `TARJUMA_TASK_TIMEOUT="soon"`) {
		t.Errorf("migrate with a malformed configuration: %v, want an error naming the variable", err)
	}
}

// TestUnsetNumbersTakePackageDefaults: cmd writes no default of its own for a number; an
// unset variable reaches the package as zero, and a bad one is refused rather than zeroed.
func TestUnsetNumbersTakePackageDefaults(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxBodyBytes != 0 || cfg.Concurrency != 0 || cfg.TaskTimeout != 0 || cfg.TaskRetention != 0 ||
		cfg.Redispatch != 0 || cfg.ShutdownTimeout != 0 || cfg.Publish.Backoff != 0 || cfg.Publish.Timeout != 0 ||
		cfg.Publish.RotationGrace != 0 || cfg.MT.Concurrency != 0 || cfg.MT.CharsPerMinute != 0 || cfg.MT.GoogleLocation != "" {
		t.Errorf("unset variables gave %+v, want zero values for the packages' defaults", cfg)
	}
	for name, value := range map[string]string{"TARJUMA_WORKER_CONCURRENCY": "-3", "TARJUMA_WEBHOOK_TIMEOUT": "0s"} {
		_, err := loadConfig(func(n string) string {
			if n == name {
				return value
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, value, err)
		}
	}
}
