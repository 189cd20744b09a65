package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// fakeWaker counts wake-ups; the relay behind the real one is worker's to test.
type fakeWaker struct{ n atomic.Int64 }

func (f *fakeWaker) Wake() { f.n.Add(1) }

const (
	testDevToken = "dev-token-for-api-tests"
	testMaxBody  = 64 << 10 // small, so the 413 case needs no megabyte of text
)

// testEnv is a Server on a real, migrated database with one token per role.
type testEnv struct {
	db     *store.DB
	srv    *Server
	waker  *fakeWaker
	tokens map[tarjuma.Role]string
}

// eachDB runs f once per database testenv offers: SQLite always, PostgreSQL when configured.
// Each database is fresh (a new file, a new schema), so tests can count what is stored.
func eachDB(t *testing.T, f func(t *testing.T, e *testEnv)) {
	t.Helper()
	testenv.EachDB(t, newTestEnv, f)
}

func newTestEnv(t *testing.T, url string) *testEnv {
	t.Helper()
	ctx := t.Context()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	e := &testEnv{
		db:     db,
		waker:  &fakeWaker{},
		tokens: map[tarjuma.Role]string{},
	}
	for _, role := range []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer} {
		secret, _, err := db.CreateToken(ctx, string(role)+"-token", role)
		if err != nil {
			t.Fatalf("create %s token: %v", role, err)
		}
		e.tokens[role] = secret
	}
	reg := prometheus.NewRegistry() // its own, so counts start at zero
	e.srv = New(Config{
		DB:           db,
		Desk:         desk.New(desk.Config{DB: db, Waker: e.waker}),
		Registerer:   reg,
		Gatherer:     reg,
		MaxBodyBytes: testMaxBody,
		DevToken:     testDevToken,
	})
	return e
}

// do sends a request to srv; auth is the whole Authorization header value ("" for none).
func do(t *testing.T, srv http.Handler, method, path, auth, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func bearer(token string) string { return "Bearer " + token }

// as sends a request with role's token.
func (e *testEnv) as(t *testing.T, role tarjuma.Role, method, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, e.srv, method, path, bearer(e.tokens[role]), body, header...)
}

// decode parses a response body, failing the test on a status other than want.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, want int) T {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, want, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

// wantError checks status, code and (when non-empty) a part of the message, and that the
// code is one openapi.yaml lists.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, msgPart string) {
	t.Helper()
	got := decode[errorBody](t, rec, status)
	if got.Error.Code != code {
		t.Errorf("error code %q, want %q (message %q)", got.Error.Code, code, got.Error.Message)
	}
	if !strings.Contains(got.Error.Message, msgPart) {
		t.Errorf("error message %q does not contain %q", got.Error.Message, msgPart)
	}
	if !slices.Contains(openAPIErrorCodes(t), code) {
		t.Errorf("error code %q is missing from openapi.yaml's Error schema", code)
	}
}

// storedArticles counts the articles in the database, straight from the store.
func (e *testEnv) storedArticles(t *testing.T) int {
	t.Helper()
	all, err := e.db.ListArticles(t.Context(), store.ArticleFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("list articles: %v", err)
	}
	return len(all)
}

// wantStored fails unless the database holds exactly n articles.
func (e *testEnv) wantStored(t *testing.T, n int) {
	t.Helper()
	if got := e.storedArticles(t); got != n {
		t.Errorf("%d articles stored, want %d", got, n)
	}
}

// sample returns the Arabic wire story of testdata: first line title, the rest body.
func sample(t *testing.T) (title, body string) {
	t.Helper()
	b, err := os.ReadFile("../testdata/summit-ar.txt")
	if err != nil {
		t.Fatal(err)
	}
	title, body, _ = strings.Cut(string(b), "\n")
	return title, body
}

// jsonOf encodes v for a request body.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// submit POSTs an article as an editor and returns it, failing unless it was created.
func (e *testEnv) submit(t *testing.T, req map[string]any, header ...string) articleJSON {
	t.Helper()
	return decode[articleJSON](t, e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, req), header...), http.StatusAccepted)
}

// shortArticle is a small valid submission; n makes its text distinct.
func shortArticle(n int) map[string]any {
	return map[string]any{
		"title": "قمة دول آسيا الوسطى " + strings.Repeat("ب", n+1),
		"body":  "شارك رئيس جمهورية طاجيكستان في الاجتماع التشاوري الرابع.\nوتحدث عن التعاون الإقليمي.",
	}
}

// openAPIDoc is the part of openapi.yaml the tests hold the code to.
type openAPIDoc struct {
	Paths      map[string]map[string]yaml.Node `yaml:"paths"`
	Components struct {
		Schemas struct {
			Error struct {
				Properties struct {
					Error struct {
						Properties struct {
							Code struct {
								Enum []string `yaml:"enum"`
							} `yaml:"code"`
						} `yaml:"properties"`
					} `yaml:"error"`
				} `yaml:"properties"`
			} `yaml:"Error"`
		} `yaml:"schemas"`
	} `yaml:"components"`
}

// loadOpenAPI reads openapi.yaml once for all tests.
var loadOpenAPI = sync.OnceValues(func() (openAPIDoc, error) {
	var doc openAPIDoc
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		return doc, err
	}
	return doc, yaml.Unmarshal(b, &doc)
})

func openAPI(t *testing.T) openAPIDoc {
	t.Helper()
	doc, err := loadOpenAPI()
	if err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	return doc
}

func openAPIErrorCodes(t *testing.T) []string {
	t.Helper()
	return openAPI(t).Components.Schemas.Error.Properties.Error.Properties.Code.Enum
}
