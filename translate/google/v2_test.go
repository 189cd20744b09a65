package google

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/translate/google/googletest"
	"github.com/tarjuma/tarjuma/translate/internal/enginetest"
)

// v2Call is what the stand-in saw of one request.
type v2Call struct {
	Method, Path, RequestURI, Key string
	Body                          googletest.V2Body
}

// v2Stub speaks the v2 REST protocol at /language/translate/v2; reply writes the answer.
type v2Stub struct {
	mu    sync.Mutex
	calls []v2Call
	reply func(w http.ResponseWriter, b googletest.V2Body)
}

func (s *v2Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b googletest.V2Body
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, v2Call{r.Method, r.URL.Path, r.RequestURI, r.URL.Query().Get("key"), b})
	reply := s.reply
	s.mu.Unlock()
	reply(w, b)
}

func (s *v2Stub) Calls() []v2Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]v2Call(nil), s.calls...)
}

// answer replies with the given translations in the v2 response shape.
func answer(texts ...string) func(http.ResponseWriter, googletest.V2Body) {
	return func(w http.ResponseWriter, _ googletest.V2Body) { googletest.WriteV2(w, texts...) }
}

// googleError replies the way Google's front end reports errors.
func googleError(code int, header map[string]string, reason, message string) func(http.ResponseWriter, googletest.V2Body) {
	return func(w http.ResponseWriter, _ googletest.V2Body) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
			"code":    code,
			"message": message,
			"errors":  []map[string]string{{"message": message, "domain": "usageLimits", "reason": reason}},
		}})
	}
}

func newV2Stub(t *testing.T, reply func(http.ResponseWriter, googletest.V2Body)) (*V2, *v2Stub) {
	t.Helper()
	stub := &v2Stub{reply: reply}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	e, err := NewV2(t.Context(), V2Config{APIKey: "test-key", Endpoint: srv.URL + "/language/translate/"})
	if err != nil {
		t.Fatal(err)
	}
	return e, stub
}

func TestV2Success(t *testing.T) {
	e, stub := newV2Stub(t, answer("Президент Тоҷикистон имрӯз сафар кард.", "Душанбе"))
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Tajik,
		Texts: []string{"سافر رئيس طاجيكستان اليوم.", "دوشنبه"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Президент Тоҷикистон имрӯз сафар кард.", "Душанбе"}, got); diff != "" {
		t.Errorf("translations (-want +got):\n%s", diff)
	}
	calls := stub.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d requests, want exactly 1", len(calls))
	}
	c := calls[0]
	if c.Method != http.MethodPost || c.Path != "/language/translate/v2" || c.Key != "test-key" {
		t.Errorf("request %s %s key=%q, want POST /language/translate/v2 key=test-key", c.Method, c.Path, c.Key)
	}
	if diff := cmp.Diff([]string{"سافر رئيس طاجيكستان اليوم.", "دوشنبه"}, c.Body.Data.Q); diff != "" {
		t.Errorf("q (-want +got):\n%s", diff)
	}
	if c.Body.Data.Source != "ar" || c.Body.Data.Target != "tg" || c.Body.Data.Format != "text" {
		t.Errorf("source %q target %q format %q, want ar tg text", c.Body.Data.Source, c.Body.Data.Target, c.Body.Data.Format)
	}
}

func TestV2TextGoesInBodyNotURL(t *testing.T) {
	long := strings.Repeat("ع", 5000)
	e, stub := newV2Stub(t, answer("ok"))
	if _, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{long}}); err != nil {
		t.Fatal(err)
	}
	c := stub.Calls()[0]
	// Percent-encoded, the text alone would make a 30,000-byte URL.
	if len(c.RequestURI) > 200 {
		t.Errorf("request URI is %d bytes, want the text out of it: %.200s", len(c.RequestURI), c.RequestURI)
	}
	if len(c.Body.Data.Q) != 1 || c.Body.Data.Q[0] != long {
		t.Errorf("the 5,000-character text did not arrive intact in the body")
	}
}

func TestV2FormatAndEntities(t *testing.T) {
	const escaped = "It&#39;s &quot;news&quot; &amp; more &lt;3"
	for _, tc := range []struct {
		html       bool
		wantFormat string
		want       string
	}{
		{false, "text", `It's "news" & more <3`},
		{true, "html", escaped},
	} {
		t.Run(tc.wantFormat, func(t *testing.T) {
			e, stub := newV2Stub(t, answer(escaped))
			got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English,
				Texts: []string{"إنها أخبار"}, HTML: tc.html})
			if err != nil {
				t.Fatal(err)
			}
			if f := stub.Calls()[0].Body.Data.Format; f != tc.wantFormat {
				t.Errorf("format %q, want %q", f, tc.wantFormat)
			}
			if got[0] != tc.want {
				t.Errorf("got %q, want %q", got[0], tc.want)
			}
		})
	}
}

func TestV2GlossarySpansPassThrough(t *testing.T) {
	in := `التقى <span translate="no">Эмомали Рахмон</span> بالوفد.`
	out := `<span translate="no">Эмомали Рахмон</span> бо ҳайат мулоқот кард.`
	e, stub := newV2Stub(t, answer(out))
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Tajik,
		Texts: []string{in}, HTML: true})
	if err != nil {
		t.Fatal(err)
	}
	if sent := stub.Calls()[0].Body.Data.Q[0]; sent != in {
		t.Errorf("sent %q, want %q", sent, in)
	}
	if got[0] != out {
		t.Errorf("got %q, want %q", got[0], out)
	}
}

func TestV2Errors(t *testing.T) {
	enginetest.CheckFailures(t, "google-v2", []enginetest.Failure[func(http.ResponseWriter, googletest.V2Body)]{
		{Name: "429 with Retry-After", Reply: googleError(429, map[string]string{"Retry-After": "7"}, "rateLimitExceeded", "Too many requests"), RetryAfter: 7 * time.Second},
		{Name: "500", Reply: googleError(500, nil, "backendError", "Internal error")},
		{Name: "503", Reply: googleError(503, nil, "backendError", "Service unavailable")},
		{Name: "403 keyInvalid", Reply: googleError(403, nil, "keyInvalid", "API key not valid. Please pass a valid API key."), Permanent: true},
		{Name: "401", Reply: googleError(401, nil, "authError", "Invalid Credentials"), Permanent: true},
		{Name: "403 userRateLimitExceeded", Reply: googleError(403, map[string]string{"Retry-After": "30"}, "userRateLimitExceeded", "User Rate Limit Exceeded"), RetryAfter: 30 * time.Second},
		{Name: "403 dailyLimitExceeded", Reply: googleError(403, nil, "dailyLimitExceeded", "Daily Limit Exceeded"), Permanent: true},
		{Name: "400 invalid language", Reply: googleError(400, nil, "invalid", "Invalid Value"), Permanent: true},
		{Name: "short response", Reply: answer("only one"), Text: "short response"},
		{Name: "long response", Reply: answer("one", "two", "three"), Text: "short response"},
		{Name: "malformed body", Reply: func(w http.ResponseWriter, _ googletest.V2Body) {
			_, _ = w.Write([]byte(`{"data": {"translations": [`))
		}},
	}, func(t *testing.T, reply func(http.ResponseWriter, googletest.V2Body)) ([]string, error) {
		e, _ := newV2Stub(t, reply)
		return e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian,
			Texts: []string{"واحد", "اثنان"}})
	})
}

// countingTransport counts the requests that went through a caller's own client.
type countingTransport struct {
	mu sync.Mutex
	n  int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestV2HTTPClientKeepsKey(t *testing.T) {
	stub := &v2Stub{reply: answer("Привет")}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	rt := &countingTransport{}
	e, err := NewV2(t.Context(), V2Config{APIKey: "k2", Endpoint: srv.URL + "/language/translate/",
		HTTPClient: &http.Client{Transport: rt, Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"مرحبا"}}); err != nil {
		t.Fatal(err)
	}
	if rt.n != 1 {
		t.Errorf("%d requests through the caller's client, want 1", rt.n)
	}
	if k := stub.Calls()[0].Key; k != "k2" {
		t.Errorf("key %q, want k2", k)
	}
}

// TestV2UsageGated: with the client NewV2 makes and with the caller's, a request is recorded
// at its body.
func TestV2UsageGated(t *testing.T) {
	for _, client := range []*http.Client{nil, {Timeout: 5 * time.Second}} {
		w := enginetest.WatchGate(&v2Stub{reply: answer("Привет")})
		srv := httptest.NewServer(w)
		t.Cleanup(srv.Close)
		e, err := NewV2(t.Context(), V2Config{APIKey: "k", Endpoint: srv.URL + "/language/translate/", HTTPClient: client})
		if err != nil {
			t.Fatal(err)
		}
		enginetest.CheckUsageGated(t, e, w, translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"مرحبا"}},
			"/language/translate/v2")
	}
}

func TestV2NoRequestNeeded(t *testing.T) {
	e, stub := newV2Stub(t, answer())
	got, err := e.Send(t.Context(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian})
	if err != nil || len(got) != 0 {
		t.Errorf("empty request: got %q, %v; want no texts and no error", got, err)
	}
	got, err = e.Send(t.Context(), translate.Request{Source: tarjuma.Russian, Target: tarjuma.English, Texts: []string{"привет"}})
	enginetest.CheckError(t, got, err, "google-v2", true, 0, "unsupported")
	if n := len(stub.Calls()); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

func TestV2Capabilities(t *testing.T) {
	e, _ := newV2Stub(t, answer())
	if e.Name() != "google-v2" {
		t.Errorf("Name() = %q", e.Name())
	}
	if l := e.Limits(); l.MaxTexts != 128 || l.MaxBytes == 0 || l.MaxBytes > 100_000 {
		t.Errorf("Limits() = %+v, want 128 texts and at most 100K bytes", l)
	}
	for _, target := range tarjuma.TargetLangs() {
		c, ok := e.Supports(tarjuma.Arabic, target)
		if !ok || !c.HTML || c.Glossary {
			t.Errorf("Supports(ar, %s) = %+v, %v; want HTML without glossary", target, c, ok)
		}
	}
	if _, ok := e.Supports(tarjuma.English, tarjuma.Arabic); ok {
		t.Error("Supports(en, ar) = true, want false")
	}
}

// TestV2Timeout: the stand-in answers only after the caller's deadline has passed (once the
// test is over), so the deadline is what ends the call.
func TestV2Timeout(t *testing.T) {
	late := make(chan struct{})
	defer close(late)
	e, _ := newV2Stub(t, func(w http.ResponseWriter, b googletest.V2Body) {
		<-late
		answer("late")(w, b)
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got, err := e.Send(ctx, translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English, Texts: []string{"متأخر"}})
	enginetest.CheckError(t, got, err, "google-v2", false, 0, "deadline")
}
