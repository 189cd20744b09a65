package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/translate/internal/enginetest"
)

// standIn speaks the chat completions protocol: it checks each request, decodes the segments
// of the user message and answers with whatever reply makes of them.
type standIn struct {
	t     *testing.T
	key   string
	reply func(w http.ResponseWriter, segs []segment)

	mu       sync.Mutex
	requests []chatRequest
	batches  [][]segment
}

func newStandIn(t *testing.T, key string, reply func(http.ResponseWriter, []segment)) (*standIn, *Engine) {
	s := &standIn{t: t, key: key, reply: reply}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, New(Config{BaseURL: srv.URL + "/v1/", Model: "qwen2.5:14b", Key: key, HTTPClient: srv.Client()})
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		s.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	want := ""
	if s.key != "" {
		want = "Bearer " + s.key
	}
	if got := r.Header.Get("Authorization"); got != want {
		s.t.Errorf("Authorization = %q, want %q", got, want)
	}
	raw, _ := io.ReadAll(r.Body)
	var req chatRequest
	if err := json.Unmarshal(raw, &req); err != nil || len(req.Messages) != 2 {
		s.t.Fatalf("request %s: %v", raw, err)
	}
	if !strings.Contains(string(raw), `"temperature":0`) || req.ResponseFormat.Type != "json_object" || req.Model != "qwen2.5:14b" {
		s.t.Errorf("request %s: want model, temperature 0 and JSON mode", raw)
	}
	var segs []segment
	if err := json.Unmarshal([]byte(req.Messages[1].Content), &segs); err != nil {
		s.t.Fatalf("user message %q: %v", req.Messages[1].Content, err)
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.batches = append(s.batches, segs)
	s.mu.Unlock()
	s.reply(w, segs)
}

// content answers with a chat completion whose message is content.
func content(w http.ResponseWriter, content, finish string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion",
		"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": content}, "finish_reason": finish}},
	})
}

// translations answers with the given id → text pairs, in the given order.
func translations(w http.ResponseWriter, pairs ...string) {
	var a answer
	for i := 0; i < len(pairs); i += 2 {
		a.Translations = append(a.Translations, struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		}{pairs[i], pairs[i+1]})
	}
	b, _ := json.Marshal(a)
	content(w, string(b), "stop")
}

// echo "translates" each segment into itself with a marker, the way a model that keeps the
// spans would.
func echo(w http.ResponseWriter, segs []segment) {
	var pairs []string
	for _, s := range segs {
		pairs = append(pairs, s.ID, "ru:"+s.Text)
	}
	translations(w, pairs...)
}

func request(target tarjuma.Lang, texts ...string) translate.Request {
	return translate.Request{Source: tarjuma.Arabic, Target: target, Texts: texts}
}

func TestSend(t *testing.T) {
	s, e := newStandIn(t, "sk-test", func(w http.ResponseWriter, segs []segment) {
		// Out of order, as models sometimes answer.
		translations(w, "s2", "Делегация прибыла в Душанбе.", "s1", "Президент Эмомали Рахмон сказал.")
	})
	req := request(tarjuma.Russian, "قال الرئيس إمام علي رحمان.", "وصل الوفد إلى دوشنبه.")
	req.Glossary = []translate.GlossaryEntry{
		{Source: "إمام علي رحمان", Target: "Эмомали Рахмон", Forms: []string{"Эмомали Рахмон", "Эмомали Рахмона", "Эмомали Рахмону", "Эмомали Рахмоном", "Эмомали Рахмоне"}},
		{Source: "دوشنبه", Target: "Душанбе", Forms: []string{"Душанбе"}},
		{Source: "طاجيكستان", Target: "Таджикистан"},
	}
	got, err := e.Send(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Президент Эмомали Рахмон сказал.", "Делегация прибыла в Душанбе."}, got); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
	wantSegs := []segment{
		{ID: "s1", Text: req.Texts[0], Terms: []term{{"إمام علي رحمان", "Эмомали Рахмон", req.Glossary[0].Forms}}},
		{ID: "s2", Text: req.Texts[1], Terms: []term{{"دوشنبه", "Душанбе", []string{"Душанбе"}}}},
	}
	if diff := cmp.Diff([][]segment{wantSegs}, s.batches); diff != "" {
		t.Errorf("segments sent (-want +got):\n%s", diff)
	}
	if sys := s.requests[0].Messages[0]; sys.Role != "system" || !strings.Contains(sys.Content, "Arabic news into Russian") ||
		!strings.Contains(sys.Content, `<span translate="no">`) || !strings.Contains(sys.Content, "JSON only") ||
		!strings.Contains(sys.Content, `lists "forms"`) {
		t.Errorf("system prompt %q", sys.Content)
	}
}

func TestNameAndSupports(t *testing.T) {
	e := New(Config{BaseURL: "http://localhost:11434/v1", Model: "qwen2.5:14b"})
	if e.Name() != "openai:qwen2.5:14b" {
		t.Errorf("Name = %q", e.Name())
	}
	for _, target := range []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian, tarjuma.English} {
		if caps, ok := e.Supports(tarjuma.Arabic, target); !ok || !caps.HTML || !caps.Glossary {
			t.Errorf("Supports(ar, %s) = %+v, %v", target, caps, ok)
		}
	}
	if _, ok := e.Supports(tarjuma.Russian, tarjuma.English); ok {
		t.Error("Supports(ru, en) = true")
	}
	if _, err := e.Send(context.Background(), translate.Request{Source: tarjuma.Russian, Target: tarjuma.English, Texts: []string{"x"}}); !translate.IsPermanent(err) {
		t.Errorf("unsupported pair: %v, want permanent", err)
	}
}

// TestSpansPreserved: the prompt carries the spans as markup, not as JSON escapes the model
// would have to see through, and what the model keeps comes back byte for byte.
func TestSpansPreserved(t *testing.T) {
	s, e := newStandIn(t, "", echo)
	text := `قال <span translate="no">Эмомалӣ Раҳмон</span> &amp; ғ қ ӯ ҳ ҷ`
	req := request(tarjuma.Tajik, text)
	req.HTML = true
	got, err := e.Send(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "ru:"+text {
		t.Errorf("got %q", got[0])
	}
	user := s.requests[0].Messages[1].Content
	if !strings.Contains(user, `<span translate=\"no\">Эмомалӣ Раҳмон</span>`) {
		t.Errorf("user message %s: want the span as markup", user)
	}
	if sys := s.requests[0].Messages[0].Content; !strings.Contains(sys, "Tajik (Cyrillic script)") || !strings.Contains(sys, "HTML") {
		t.Errorf("system prompt %q", sys)
	}
}

// TestSplitsBatchesTheModelGetsWrong drives a model that loses or repeats ids in batches of
// more than two: the batch is halved until each half comes back whole.
func TestSplitsBatchesTheModelGetsWrong(t *testing.T) {
	tests := []struct {
		name  string
		reply func(http.ResponseWriter, []segment)
		calls []int // batch sizes sent
	}{{
		name: "missing id",
		reply: func(w http.ResponseWriter, segs []segment) {
			if len(segs) > 2 {
				segs = segs[:len(segs)-1]
			}
			echo(w, segs)
		},
		calls: []int{4, 2, 2},
	}, {
		name: "duplicated id",
		reply: func(w http.ResponseWriter, segs []segment) {
			if len(segs) > 1 {
				segs = append(segs, segs[0])
			}
			echo(w, segs)
		},
		calls: []int{4, 2, 1, 1, 2, 1, 1},
	}, {
		name: "context window exceeded",
		reply: func(w http.ResponseWriter, segs []segment) {
			if len(segs) > 2 {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}`)
				return
			}
			echo(w, segs)
		},
		calls: []int{4, 2, 2},
	}, {
		name: "answer cut off",
		reply: func(w http.ResponseWriter, segs []segment) {
			if len(segs) > 2 {
				content(w, `{"translations":[{"id":"s1","text":"ru:`, "length")
				return
			}
			echo(w, segs)
		},
		calls: []int{4, 2, 2},
	}}
	texts := []string{"واحد", "اثنان", "ثلاثة", "أربعة"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := newStandIn(t, "", tt.reply)
			got, err := e.Send(context.Background(), request(tarjuma.Russian, texts...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"ru:واحد", "ru:اثنان", "ru:ثلاثة", "ru:أربعة"}, got); diff != "" {
				t.Errorf("texts (-want +got):\n%s", diff)
			}
			var sizes []int
			for _, b := range s.batches {
				sizes = append(sizes, len(b))
			}
			if diff := cmp.Diff(tt.calls, sizes); diff != "" {
				t.Errorf("batch sizes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGivesUpAtTheFirstFailingText: a model that never answers properly costs one request per
// halving, not one per text, and the error is retryable.
func TestGivesUpAtTheFirstFailingText(t *testing.T) {
	s, e := newStandIn(t, "", func(w http.ResponseWriter, _ []segment) {
		translations(w, "s9", "чужой")
	})
	_, err := e.Send(context.Background(), request(tarjuma.English, "١", "٢", "٣", "٤"))
	var te *translate.Error
	if !errors.As(err, &te) || te.Permanent || !strings.Contains(err.Error(), `unknown id "s9"`) {
		t.Errorf("err = %v, want a retryable *translate.Error about s9", err)
	}
	if len(s.batches) != 3 {
		t.Errorf("%d requests, want 3 (4, 2, 1 texts)", len(s.batches))
	}
}

func TestFencedJSONAccepted(t *testing.T) {
	_, e := newStandIn(t, "", func(w http.ResponseWriter, _ []segment) {
		content(w, "```json\n{\"translations\":[{\"id\":\"s1\",\"text\":\"One\"}]}\n```", "stop")
	})
	if got, err := e.Send(context.Background(), request(tarjuma.English, "واحد")); err != nil || got[0] != "One" {
		t.Errorf("Send = %v, %v", got, err)
	}
}

func TestErrors(t *testing.T) {
	status := enginetest.Status[[]segment]
	enginetest.CheckFailures(t, "openai:qwen2.5:14b", []enginetest.Failure[func(http.ResponseWriter, []segment)]{
		{Name: "rate limited", Reply: status(429, "12", `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`), RetryAfter: 12 * time.Second, Text: "Rate limit reached"},
		{Name: "out of credit", Reply: status(429, "", `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`), Permanent: true, Text: "quota"},
		{Name: "bad key", Reply: status(401, "", `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`), Permanent: true, Text: "HTTP 401"},
		{Name: "forbidden", Reply: status(403, "", `{"error":{"message":"Country not supported"}}`), Permanent: true, Text: "HTTP 403"},
		{Name: "unknown model", Reply: status(404, "", `{"error":{"message":"model \"x\" not found","type":"api_error","code":404}}`), Permanent: true, Text: "not found"},
		{Name: "server error", Reply: status(500, "", `{"error":{"message":"The server had an error"}}`), Text: "HTTP 500"},
		{Name: "bad gateway", Reply: status(502, "", "<html>bad gateway</html>"), Text: "bad gateway"},
		{Name: "text too long for the model", Reply: status(400, "", `{"error":{"message":"the request exceeds the available context size","type":"exceed_context_size_error","code":400}}`), Permanent: true, Text: "too long"},
		{Name: "invalid JSON content", Reply: func(w http.ResponseWriter, _ []segment) { content(w, "Конечно! Вот перевод:", "stop") }, Text: "not the JSON"},
		{Name: "empty text", Reply: func(w http.ResponseWriter, _ []segment) { translations(w, "s1", " ") }, Text: "no text for s1"},
		{Name: "answer cut off", Reply: func(w http.ResponseWriter, _ []segment) { content(w, `{"translations":[`, "length") }, Permanent: true, Text: "cut off"},
		{Name: "no choices", Reply: status(200, "", `{"choices":[]}`), Text: "without choices"},
		{Name: "malformed response", Reply: status(200, "", `{"choices":`), Text: "malformed"},
	}, func(t *testing.T, reply func(http.ResponseWriter, []segment)) ([]string, error) {
		_, e := newStandIn(t, "", reply)
		return e.Send(context.Background(), request(tarjuma.Russian, "نص"))
	})
}

func TestUsageGated(t *testing.T) {
	s := &standIn{t: t, reply: echo}
	w := enginetest.WatchGate(s)
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	e := New(Config{BaseURL: srv.URL + "/v1/", Model: "qwen2.5:14b", HTTPClient: srv.Client()})
	enginetest.CheckUsageGated(t, e, w, request(tarjuma.Russian, "نص"), "/v1/chat/completions")
}

func TestTimeoutIsRetryable(t *testing.T) {
	srv := enginetest.Unresponsive(t)
	e := New(Config{BaseURL: srv.URL, Model: "m", HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	got, err := e.Send(context.Background(), request(tarjuma.Russian, "نص"))
	// Over a transport that is not net/http's own (the usage gate's), the client's timeout
	// shows as its own error or as its context's deadline, whichever net/http notices first.
	enginetest.CheckError(t, got, err, "openai:m", false, 0, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q, want the client's deadline", err)
	}
}
