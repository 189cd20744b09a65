package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/tarjuma/tarjuma"
)

// logLines decodes the JSON log lines a test's logger wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(buf.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

func jsonLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestMiddleware(t *testing.T) {
	var logs bytes.Buffer
	srv := New(Config{Logger: jsonLogger(&logs)})

	t.Run("request id", func(t *testing.T) {
		for _, tc := range []struct{ name, sent string }{
			{"none", ""},
			{"with a space", "abc def"},
			{"with a line break", "abc\ndef"},
			{"too long", strings.Repeat("a", maxRequestIDLen+1)},
		} {
			rec := do(t, srv, "GET", "/healthz", "", "", "X-Request-Id", tc.sent)
			if got := rec.Header().Get("X-Request-Id"); got == "" || got == tc.sent {
				t.Errorf("%s: X-Request-Id %q, want a generated one", tc.name, got)
			}
		}
		logs.Reset()
		rec := do(t, srv, "GET", "/healthz", "", "", "X-Request-Id", "lb-4f2a")
		if got := rec.Header().Get("X-Request-Id"); got != "lb-4f2a" {
			t.Errorf("X-Request-Id %q, want the caller's lb-4f2a", got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("X-Content-Type-Options %q, want nosniff", got)
		}
		lines := logLines(t, &logs)
		if len(lines) != 1 {
			t.Fatalf("%d log lines, want 1 access line", len(lines))
		}
		for key, want := range map[string]any{"request_id": "lb-4f2a", "method": "GET", "path": "/healthz", "status": 200.0} {
			if lines[0][key] != want {
				t.Errorf("access log %s = %v, want %v", key, lines[0][key], want)
			}
		}
		if _, ok := lines[0]["duration"]; !ok {
			t.Error("access log has no duration")
		}
	})

	t.Run("panic", func(t *testing.T) {
		logs.Reset()
		h := srv.middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
		rec := do(t, h, "GET", "/api/v1/articles", "", "", "X-Request-Id", "req-1")
		wantError(t, rec, http.StatusInternalServerError, "internal", "internal error")
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Error("no nosniff header on the 500")
		}
		lines := logLines(t, &logs)
		if len(lines) != 2 || lines[0]["panic"] != "boom" || lines[0]["request_id"] != "req-1" || lines[1]["status"] != 500.0 {
			t.Errorf("log %v, want the panic with request_id then a 500 access line", lines)
		}
	})

	t.Run("unmatched", func(t *testing.T) {
		wantError(t, do(t, srv, "GET", "/api/v2/nothing", "", ""), http.StatusNotFound, "not_found", "")
		rec := do(t, srv, "DELETE", "/api/v1/articles", "", "")
		wantError(t, rec, http.StatusMethodNotAllowed, "method_not_allowed", "")
		if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
			t.Errorf("Allow %q, want GET and POST", allow)
		}
	})
}

func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		logged bool
	}{
		{"not found", fmt.Errorf("article 3: %w", tarjuma.ErrNotFound), 404, "not_found", false},
		{"conflict", fmt.Errorf("update: %w", tarjuma.ErrConflict), 409, "conflict", false},
		{"invalid", fmt.Errorf("title too long: %w", tarjuma.ErrInvalid), 422, "invalid", false},
		{"idempotency mismatch", fmt.Errorf("create: %w", tarjuma.ErrIdempotencyMismatch), 422, "idempotency_mismatch", false},
		{"api error", fmt.Errorf("wrapped: %w", errorf(http.StatusTeapot, "teapot", "short and stout")), 418, "teapot", false},
		{"internal", fmt.Errorf("list articles: %w", errors.New("connection refused to 10.0.0.7")), 500, "internal", true},
		{"stale is ours, not the client's", fmt.Errorf("save: %w", tarjuma.ErrStale), 500, "internal", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := New(Config{Logger: jsonLogger(&logs)})
			req := httptest.NewRequest("GET", "/api/v1/articles", nil)
			req = req.WithContext(context.WithValue(req.Context(), requestIDKey, "req-9"))
			rec := httptest.NewRecorder()
			srv.writeError(rec, req, tc.err)

			got := decode[errorBody](t, rec, tc.status)
			if got.Error.Code != tc.code {
				t.Errorf("code %q, want %q", got.Error.Code, tc.code)
			}
			lines := logLines(t, &logs)
			if !tc.logged {
				if len(lines) != 0 {
					t.Errorf("client error logged: %v", lines)
				}
				return
			}
			if got.Error.Message != "internal error" {
				t.Errorf("message %q leaks details", got.Error.Message)
			}
			if len(lines) != 1 || lines[0]["request_id"] != "req-9" || lines[0]["error"] != tc.err.Error() {
				t.Errorf("log %v, want one line with request_id req-9 and the error", lines)
			}
		})
	}
}

func TestProbes(t *testing.T) {
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 127.0.0.1:6379: connection refused") }
	for _, tc := range []struct {
		name   string
		checks []Check
		status int
		want   readyJSON
	}{
		{"no checks", nil, 200, readyJSON{Status: "ok", Checks: map[string]string{}}},
		{"all up", []Check{{"database", up}, {"redis", up}}, 200,
			readyJSON{Status: "ok", Checks: map[string]string{"database": "ok", "redis": "ok"}}},
		{"redis down", []Check{{"database", up}, {"redis", down}}, 503,
			readyJSON{Status: "unavailable", Checks: map[string]string{"database": "ok", "redis": "failed"}}},
		{"all down", []Check{{"database", down}, {"redis", down}}, 503,
			readyJSON{Status: "unavailable", Checks: map[string]string{"database": "failed", "redis": "failed"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := New(Config{Checks: tc.checks, Logger: jsonLogger(&logs)})
			if got := decode[map[string]string](t, do(t, srv, "GET", "/healthz", "", ""), 200); got["status"] != "ok" {
				t.Errorf("healthz %v", got)
			}
			rec := do(t, srv, "GET", "/readyz", "", "")
			if diff := cmp.Diff(tc.want, decode[readyJSON](t, rec, tc.status)); diff != "" {
				t.Errorf("readyz (-want +got):\n%s", diff)
			}
			if strings.Contains(rec.Body.String(), "refused") {
				t.Error("readyz shows error details to anonymous callers")
			}
			for name, state := range tc.want.Checks {
				logged := strings.Contains(logs.String(), `"check":"`+name+`"`)
				if logged != (state == "failed") {
					t.Errorf("check %s is %s but logged=%v", name, state, logged)
				}
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		req := shortArticle(0)
		req["external_id"] = "m-1"
		e.submit(t, req)
		decode[articleJSON](t, e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, req)), http.StatusOK)
		e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", `{"title": ""}`)
		do(t, e.srv, "POST", "/api/v1/articles", "", "{}") // refused before it is a submission

		rec := do(t, e.srv, "GET", "/metrics", "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("metrics: status %d", rec.Code)
		}
		for _, line := range []string{
			`tarjuma_api_submissions_total{outcome="created"} 1`,
			`tarjuma_api_submissions_total{outcome="duplicate"} 1`,
			`tarjuma_api_submissions_total{outcome="rejected"} 1`,
			`tarjuma_api_request_duration_seconds_count{code="202",route="POST /api/v1/articles"} 1`,
			`tarjuma_api_request_duration_seconds_count{code="401",route="POST /api/v1/articles"} 1`,
		} {
			if !strings.Contains(rec.Body.String(), line+"\n") {
				t.Errorf("metrics lack %s", line)
			}
		}
	})
}

func TestNewDefaults(t *testing.T) {
	srv := New(Config{})
	if srv.maxBody != 1<<20 {
		t.Errorf("default body limit %d, want 1 MiB", srv.maxBody)
	}
	do(t, srv, "GET", "/healthz", "", "")
	if rec := do(t, srv, "GET", "/metrics", "", ""); !strings.Contains(rec.Body.String(), `tarjuma_api_request_duration_seconds_count{code="200",route="GET /healthz"} 1`) {
		t.Errorf("metrics on the private registry: status %d:\n%s", rec.Code, rec.Body)
	}
}

// TestOpenAPIMatchesRoutes fails when a route is served but undocumented or the reverse, and
// when the document's security disagrees with the route table (probes public, /api/ bearer).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := openAPI(t)
	documented := map[string]bool{} // "METHOD /path" → operation declares security: []
	for path, item := range doc.Paths {
		for method, op := range item {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options", "trace":
			default:
				continue // path-level parameters, summary, ...
			}
			var sec struct {
				Security *[]map[string][]string `yaml:"security"`
			}
			if err := op.Decode(&sec); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			documented[strings.ToUpper(method)+" "+path] = sec.Security != nil && len(*sec.Security) == 0
		}
	}
	srv := New(Config{})
	public := map[string]bool{}
	for _, rt := range srv.routes() {
		public[rt.pattern] = rt.roles == nil
	}
	for _, pattern := range srv.Routes() {
		docPublic, ok := documented[pattern]
		if !ok {
			t.Errorf("route %s is missing from openapi.yaml", pattern)
			continue
		}
		if docPublic != public[pattern] {
			t.Errorf("openapi.yaml: %s needs no token=%v, but the route table says %v", pattern, docPublic, public[pattern])
		}
		delete(documented, pattern)
	}
	for op := range documented {
		t.Errorf("openapi.yaml documents %s, which no route serves", op)
	}
}

// TestOpenAPIRefsResolve stands in for a validator: every local $ref must name a component.
func TestOpenAPIRefsResolve(t *testing.T) {
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	// lookup follows a JSON pointer such as #/components/schemas/Lang from the document root.
	lookup := func(ref string) bool {
		n := root.Content[0]
		for _, key := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			next := (*yaml.Node)(nil)
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next = n.Content[i+1]
				}
			}
			if next == nil {
				return false
			}
			n = next
		}
		return true
	}
	refs := 0
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 && c.Value == "$ref" {
				refs++
				if ref := n.Content[i+1].Value; !strings.HasPrefix(ref, "#/") || !lookup(ref) {
					t.Errorf("line %d: $ref %q does not resolve", c.Line, ref)
				}
			}
			walk(c)
		}
	}
	walk(&root)
	if refs == 0 {
		t.Error("no $ref found; is this the document?")
	}
}
