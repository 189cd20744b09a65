// Package openai is the engine for OpenAI-compatible chat completion servers (OpenAI, vLLM,
// Ollama, llama.cpp): a batch goes in as JSON segments with ids and the glossary terms each one
// contains, and must come back as JSON naming every id once. Only POST /chat/completions is
// used, which every such server speaks, so net/http and encoding/json suffice.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

// Config holds what an Engine needs.
type Config struct {
	// BaseURL is the API root including its version, such as https://api.openai.com/v1 or
	// http://localhost:11434/v1 (Ollama).
	BaseURL string
	// Model is sent with every request and names the engine ("openai:<model>").
	Model string
	// Key is the bearer token; local servers usually need none.
	Key string
	// HTTPClient defaults to a client with a five-minute timeout: http.DefaultClient has none,
	// and a local model on a busy GPU can take minutes for a long batch. New uses a copy whose
	// transport translate.GateTransport wraps.
	HTTPClient *http.Client
}

// Engine implements translate.Engine over chat completions. It is safe for concurrent use.
type Engine struct {
	url    string
	model  string
	key    string
	client *http.Client
}

// New returns an engine for the model at cfg.BaseURL.
func New(cfg Config) *Engine {
	client := http.Client{Timeout: 5 * time.Minute}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	client.Transport = translate.GateTransport(client.Transport)
	return &Engine{
		url:    strings.TrimSuffix(cfg.BaseURL, "/") + "/chat/completions",
		model:  cfg.Model,
		key:    cfg.Key,
		client: &client,
	}
}

// Name is the provider name in configuration, metrics and origins.
func (e *Engine) Name() string { return "openai:" + e.model }

// GatesUsage implements translate.WireGatedEngine: New gates the client's transport.
func (e *Engine) GatesUsage() {}

// Limits keep the answer within what models can write in one go. The answer is about as long
// as the question, and 12,000 Arabic code points come back as roughly 14,000 Cyrillic ones:
// 5–7K tokens with the JSON around them, under the 8K output cap of many hosted models and
// inside the 16K context a local server is typically run with. A news article of 4–6K
// characters still goes in one request. Forty ids is as many as models track reliably; a batch
// that loses some is split anyway (see Send).
func (e *Engine) Limits() translate.Limits {
	return translate.Limits{MaxTexts: 40, MaxRunes: 12_000}
}

// languageNames name the languages in the prompt; Tajik needs its script said, or models
// answer in Persian script.
var languageNames = map[tarjuma.Lang]string{
	tarjuma.Tajik:   "Tajik (Cyrillic script)",
	tarjuma.Russian: "Russian",
	tarjuma.English: "English",
}

// Supports reports Arabic into each target language. The prompt asks for the do-not-translate
// spans to be kept and carries the glossary terms, so both capabilities hold for every pair.
func (e *Engine) Supports(source, target tarjuma.Lang) (translate.Capabilities, bool) {
	if _, ok := languageNames[target]; source != tarjuma.Arabic || !ok {
		return translate.Capabilities{}, false
	}
	return translate.Capabilities{HTML: true, Glossary: true, Instructions: true}, true
}

// Send translates req.Texts. An answer that loses, repeats or garbles segments would be
// retried whole by the provider and most likely fail the same way, since models drop segments
// from batches that are too long for them; so Send itself retries such a batch once as two
// halves, each halved again if it fails, down to single texts. Each halving costs at most the
// batch's characters once more, and Send gives up at the first single text that still fails,
// so a model that never answers properly costs about twice the characters, not a request per
// text.
func (e *Engine) Send(ctx context.Context, req translate.Request) ([]string, error) {
	if _, ok := e.Supports(req.Source, req.Target); !ok {
		return nil, e.permanent(fmt.Errorf("%s→%s is not supported", req.Source, req.Target))
	}
	return e.send(ctx, req, req.Texts)
}

func (e *Engine) send(ctx context.Context, req translate.Request, texts []string) ([]string, error) {
	if len(texts) == 0 {
		return []string{}, nil
	}
	out, err := e.complete(ctx, req, texts)
	var bad *badAnswer
	if !errors.As(err, &bad) {
		return out, err
	}
	if len(texts) == 1 {
		return nil, &translate.Error{Provider: e.Name(), Permanent: bad.tooLong, Err: bad}
	}
	half := len(texts) / 2
	first, err := e.send(ctx, req, texts[:half])
	if err != nil {
		return nil, err
	}
	second, err := e.send(ctx, req, texts[half:])
	if err != nil {
		return nil, err
	}
	return append(first, second...), nil
}

// badAnswer is an answer that does not give each segment exactly one text, or a batch too long
// for the model: a smaller batch may succeed.
type badAnswer struct {
	reason string
	// tooLong: the model's context or output limit was hit, which a single text will hit
	// again however often it is sent.
	tooLong bool
}

func (b *badAnswer) Error() string { return b.reason }

type segment struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Terms []term `json:"terms,omitempty"`
}

type term struct {
	Source string   `json:"source"`
	Target string   `json:"target"`
	Forms  []string `json:"forms,omitempty"` // every grammatical form of target, where the language inflects
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model          string    `json:"model"`
	Temperature    float64   `json:"temperature"` // 0, sent explicitly: servers default higher
	Messages       []message `json:"messages"`
	ResponseFormat struct {
		Type string `json:"type"`
	} `json:"response_format"`
}

type chatResponse struct {
	Choices []struct {
		Message      message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
}

type answer struct {
	Translations []struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	} `json:"translations"`
}

// complete makes one chat completion request for texts.
func (e *Engine) complete(ctx context.Context, req translate.Request, texts []string) ([]string, error) {
	segs := make([]segment, len(texts))
	for i, text := range texts {
		segs[i] = segment{ID: "s" + strconv.Itoa(i+1), Text: text, Terms: termsIn(text, req.Glossary)}
	}
	user, err := translate.EncodeJSON(segs)
	if err != nil {
		return nil, e.permanent(err)
	}
	body := chatRequest{
		Model: e.model,
		Messages: []message{
			{Role: "system", Content: systemPrompt(req)},
			{Role: "user", Content: string(user)},
		},
	}
	body.ResponseFormat.Type = "json_object"
	payload, err := translate.EncodeJSON(body)
	if err != nil {
		return nil, e.permanent(err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return nil, e.permanent(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if e.key != "" {
		hr.Header.Set("Authorization", "Bearer "+e.key)
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		return nil, e.retryable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, e.statusError(resp)
	}
	var chat chatResponse
	if err := json.NewDecoder(resp.Body).Decode(&chat); err != nil {
		return nil, e.retryable(fmt.Errorf("malformed response: %w", err))
	}
	if len(chat.Choices) == 0 {
		return nil, e.retryable(errors.New("response without choices"))
	}
	choice := chat.Choices[0]
	if choice.FinishReason == "length" {
		return nil, &badAnswer{reason: "answer cut off at the model's output limit", tooLong: true}
	}
	return parseAnswer(choice.Message.Content, len(texts))
}

// parseAnswer checks that content names every segment s1…sN exactly once with a text.
func parseAnswer(content string, n int) ([]string, error) {
	var a answer
	if err := json.Unmarshal([]byte(stripFence(content)), &a); err != nil {
		return nil, &badAnswer{reason: "answer is not the JSON asked for: " + err.Error()}
	}
	out := make([]string, n)
	for _, tr := range a.Translations {
		i, err := strconv.Atoi(strings.TrimPrefix(tr.ID, "s"))
		switch {
		case err != nil || !strings.HasPrefix(tr.ID, "s") || i < 1 || i > n:
			return nil, &badAnswer{reason: fmt.Sprintf("answer has unknown id %q", tr.ID)}
		case out[i-1] != "":
			return nil, &badAnswer{reason: fmt.Sprintf("answer repeats id %s", tr.ID)}
		case strings.TrimSpace(tr.Text) == "":
			return nil, &badAnswer{reason: fmt.Sprintf("answer has no text for %s", tr.ID)}
		}
		out[i-1] = tr.Text
	}
	for i, text := range out {
		if text == "" {
			return nil, &badAnswer{reason: fmt.Sprintf("answer lacks id s%d", i+1)}
		}
	}
	return out, nil
}

// stripFence removes the ``` fence some local models put around JSON even in JSON mode.
func stripFence(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "```") {
		return s
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "```"), "json")
	return strings.TrimSuffix(strings.TrimSpace(s), "```")
}

// termsIn returns the glossary entries whose source occurs in text, so each segment carries
// only its own terms and the prompt stays small.
func termsIn(text string, glossary []translate.GlossaryEntry) []term {
	var out []term
	for _, g := range glossary {
		if g.Source != "" && strings.Contains(text, g.Source) {
			out = append(out, term{Source: g.Source, Target: g.Target, Forms: g.Forms})
		}
	}
	return out
}

func systemPrompt(req translate.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "You translate Arabic news into %s for a news desk.\n", languageNames[req.Target])
	b.WriteString("The user sends a JSON array of segments, each with an \"id\", a \"text\" and sometimes \"terms\": " +
		"required translations, use the \"target\" form for each \"source\" that occurs in the text, inflected only if grammar demands it.\n" +
		"When a term lists \"forms\", they are the desk's spelling of the term in every grammatical case: write exactly the one " +
		"the sentence needs (the case a preposition or verb governs, -ро for a Tajik direct object, -и before a Tajik izofa), never another spelling.\n" +
		"Translate each segment on its own: never merge, split, skip or reorder segments.\n")
	if req.HTML {
		b.WriteString("Texts are HTML: keep entities such as &amp; as they are.\n")
	}
	b.WriteString("Keep every <span translate=\"no\">…</span> exactly as given, tags and content unchanged.\n" +
		"Keep all numbers and dates as in the source.\n" +
		"Return JSON only, in the form {\"translations\":[{\"id\":\"s1\",\"text\":\"…\"}]}, with every id exactly once.")
	return b.String()
}

// statusError classifies a failed response. A 429 is usually a rate limit, but OpenAI also
// answers 429 "insufficient_quota" when the account is out of credit, which waiting does not
// fix. A 400 for a batch over the model's context window is a badAnswer, so Send splits it.
func (e *Engine) statusError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	var body struct {
		Error struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"` // a string at OpenAI, a number at some servers
		} `json:"error"`
	}
	msg := strings.TrimSpace(string(raw))
	var code string
	if json.Unmarshal(raw, &body) == nil && body.Error.Message != "" {
		msg = body.Error.Message
		code = strings.Trim(string(body.Error.Code), `"`)
	}
	status := resp.StatusCode
	if (status == http.StatusBadRequest || status == http.StatusRequestEntityTooLarge) && contextExceeded(code, body.Error.Type, msg) {
		return &badAnswer{reason: "batch too long for the model: " + msg, tooLong: true}
	}
	err := &translate.Error{Provider: e.Name(), Err: fmt.Errorf("HTTP %d: %s", status, msg)}
	switch {
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		err.Permanent = true
	case status == http.StatusTooManyRequests:
		err.RetryAfter = tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case status == http.StatusRequestTimeout || status >= 500:
	default: // 400, 401/403 bad key, 404 unknown model…: the same request fails the same way
		err.Permanent = true
	}
	return err
}

// contextExceeded recognises the context-window errors of OpenAI and vLLM
// (context_length_exceeded, "maximum context length") and llama.cpp (exceed_context_size_error).
func contextExceeded(code, typ, msg string) bool {
	return code == "context_length_exceeded" || typ == "exceed_context_size_error" ||
		strings.Contains(msg, "maximum context length") || strings.Contains(msg, "context size")
}

func (e *Engine) permanent(err error) error {
	return &translate.Error{Provider: e.Name(), Permanent: true, Err: err}
}

func (e *Engine) retryable(err error) error {
	return &translate.Error{Provider: e.Name(), Err: err}
}
