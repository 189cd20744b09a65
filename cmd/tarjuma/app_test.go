package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

// testDevToken is the admin token the test apps accept.
const testDevToken = "test-dev-token"

// env is a fake environment for loadConfig.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// startApp runs API, relay and worker in this process against the given database and Redis, as
// `tarjuma dev` does, and returns the API's base URL. providers are added to the engines
// TARJUMA_MT may name.
func startApp(t testing.TB, vars env, providers map[string]translate.Provider) (string, *app) {
	t.Helper()
	cfg, err := loadConfig(vars.get)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for name, p := range providers {
		a.providers[name] = p
	}
	ws, err := a.workerServer(ctx)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	web, err := a.webHandler(testDevToken)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- a.runParts(ctx, parts{http: web, addr: "127.0.0.1:0", worker: ws,
			onReady: func(addr string) { ready <- addr }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app stopped with %v", err)
		}
		a.Close()
	})
	select {
	case addr := <-ready:
		return "http://" + addr, a
	case err := <-done:
		t.Fatalf("app did not start: %v", err)
	}
	return "", nil
}

// testWriter sends log lines to t.Log so they show with -v next to the test that wrote them.
type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// call sends one API request with the dev token and decodes a JSON answer into out (when not nil).
func call(t testing.TB, method, url string, body any, out any) int {
	t.Helper()
	code, raw := send(t, method, url, body)
	if out != nil && code < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, raw)
		}
	}
	return code
}

// send sends one API request with the dev token and returns the status and the body, whatever
// the status.
func send(t testing.TB, method, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testDevToken)
	resp, raw := roundTrip(t, http.DefaultClient, req)
	return resp.StatusCode, raw
}

// roundTrip sends req through c and reads the whole response, failing the test when either
// fails.
func roundTrip(t testing.TB, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, raw
}

// articleView is the part of the article JSON the tests read.
type articleView struct {
	ID           int64 `json:"id"`
	Translations []struct {
		Lang           string `json:"lang"`
		Status         string `json:"status"`
		SourceRevision int    `json:"source_revision"`
		LatestVersion  int    `json:"latest_version"`
	} `json:"translations"`
}

// translationView is the part of the translation JSON the tests read.
type translationView struct {
	Status        string `json:"status"`
	LatestVersion *struct {
		Number         int    `json:"number"`
		Title          string `json:"title"`
		TitleSource    string `json:"title_source"`
		TitleOrigin    string `json:"title_origin"`
		SourceRevision int    `json:"source_revision"`
		Segments       []struct {
			ID     string `json:"id"`
			Source string `json:"source"`
			Text   string `json:"text"`
			Origin string `json:"origin"`
		} `json:"segments"`
	} `json:"latest_version"`
}

// waitSettled polls the article until no translation is queued or translating at revision rev.
func waitSettled(t testing.TB, base string, id int64, rev int, within time.Duration) articleView {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var a articleView
		if code := call(t, "GET", fmt.Sprintf("%s/api/v1/articles/%d", base, id), nil, &a); code != 200 {
			t.Fatalf("GET article: %d", code)
		}
		settled := len(a.Translations) > 0
		for _, tr := range a.Translations {
			if tr.SourceRevision != rev || tr.Status == string(tarjuma.StatusQueued) || tr.Status == string(tarjuma.StatusTranslating) {
				settled = false
			}
		}
		if settled {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("translations not settled after %v: %+v", within, a.Translations)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestUnmatchedAPIRequestsAnswerJSON holds the mounted app, not only api.Server, to the API's
// error format: an unknown /api/ path or a wrong method must not fall through to the outer
// mux's plain text, while the review pages beside the API still answer.
func TestUnmatchedAPIRequestsAnswerJSON(t *testing.T) {
	base, _ := startApp(t, backends(t)[0], nil)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"DELETE", "/api/v1/articles", http.StatusMethodNotAllowed, "method_not_allowed"},
		{"GET", "/api/v2/articles", http.StatusNotFound, "not_found"},
		{"GET", "/api/", http.StatusNotFound, "not_found"},
	} {
		code, raw := send(t, tc.method, base+tc.path, nil)
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		err := json.Unmarshal(raw, &body)
		if code != tc.status || err != nil || body.Error.Code != tc.code {
			t.Errorf("%s %s: status %d, error code %q (%v); want %d and %q", tc.method, tc.path, code, body.Error.Code, err, tc.status, tc.code)
		}
	}
	resp, err := http.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /login: status %d, %s; the review pages must still answer", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// Outside /api/, an unknown path is the desk's not-found page, with the security headers
	// every page has, not the outer mux's bare text.
	resp, err = http.Get(base + "/no/such/page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /no/such/page: status %d, %s; want the desk's 404 page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("GET /no/such/page: no %s header", h)
		}
	}
}
