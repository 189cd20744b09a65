// Package deepl is the DeepL engine: one POST /v2/translate per batch over DeepL's JSON API, in
// HTML mode when glossary terms are protected, with a native glossary per target language where
// DeepL offers one for the pair. There is no official Go client, and the protocol is small
// enough that net/http and encoding/json keep it visible.
package deepl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

const (
	proURL  = "https://api.deepl.com"
	freeURL = "https://api-free.deepl.com"

	// maxBody is DeepL's limit on the size of one request body.
	maxBody = 128 << 10
	// maxTextBytes leaves 8 KiB of maxBody for the JSON around the texts and for escaping: the
	// quotes of every translate="no" attribute grow by a byte each, and the envelope with 50
	// texts is under 400 bytes.
	maxTextBytes = maxBody - 8<<10
)

// Config holds what an Engine needs.
type Config struct {
	// Key is the DeepL authentication key; keys of the free plan end in ":fx".
	Key string
	// BaseURL defaults to the API Pro or API Free host, chosen by the key, since a key works
	// only on its own plan's host. Tests pass a stand-in server's URL.
	BaseURL string
	// HTTPClient defaults to a client with a two-minute timeout: http.DefaultClient has none,
	// and a stalled connection would hold a worker until the task itself times out. New uses a
	// copy whose transport translate.GateTransport wraps.
	HTTPClient *http.Client
}

// Engine implements translate.Engine for DeepL. It is safe for concurrent use.
type Engine struct {
	key    string
	base   string
	client *http.Client

	now func() time.Time // replaced in tests that age retired glossaries

	// mu guards the glossary state and is held while a glossary is created.
	mu         sync.Mutex
	glossaries map[tarjuma.Lang]*glossaryState
	retired    []retiredGlossary
}

// New returns a DeepL engine.
func New(cfg Config) *Engine {
	base := cfg.BaseURL
	if base == "" {
		base = proURL
		if strings.HasSuffix(cfg.Key, ":fx") {
			base = freeURL
		}
	}
	client := http.Client{Timeout: 2 * time.Minute}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	client.Transport = translate.GateTransport(client.Transport)
	return &Engine{
		key:        cfg.Key,
		base:       strings.TrimSuffix(base, "/"),
		client:     &client,
		now:        time.Now,
		glossaries: make(map[tarjuma.Lang]*glossaryState),
	}
}

// Name is the provider name in configuration, metrics and origins.
func (e *Engine) Name() string { return "deepl" }

// GatesUsage implements translate.WireGatedEngine: New gates the client's transport.
func (e *Engine) GatesUsage() {}

// Limits are DeepL's: 50 texts and a 128 KiB body per request.
func (e *Engine) Limits() translate.Limits {
	return translate.Limits{MaxTexts: 50, MaxBytes: maxTextBytes}
}

// targets is what DeepL offers for each of our languages from Arabic. English is EN-GB, the
// spelling of the international wires (Reuters, AFP, BBC) an English desk here edits alongside;
// DeepL refuses a bare "EN" target. Tajik is one of DeepL's beta languages: plain text only, and
// only when the request opts in to beta languages.
var targets = map[tarjuma.Lang]struct {
	code string
	caps translate.Capabilities
	beta bool
}{
	tarjuma.Russian: {code: "RU", caps: translate.Capabilities{HTML: true, Glossary: true}},
	tarjuma.English: {code: "EN-GB", caps: translate.Capabilities{HTML: true, Glossary: true}},
	tarjuma.Tajik:   {code: "TG", beta: true},
}

// Supports reports the pairs DeepL serves from Arabic.
func (e *Engine) Supports(source, target tarjuma.Lang) (translate.Capabilities, bool) {
	t, ok := targets[target]
	if source != tarjuma.Arabic || !ok {
		return translate.Capabilities{}, false
	}
	return t.caps, true
}

type translateRequest struct {
	Text        []string `json:"text"`
	SourceLang  string   `json:"source_lang"`
	TargetLang  string   `json:"target_lang"`
	TagHandling string   `json:"tag_handling,omitempty"`
	GlossaryID  string   `json:"glossary_id,omitempty"`
	Beta        bool     `json:"enable_beta_languages,omitempty"`
}

type translateResponse struct {
	Translations []struct {
		Text string `json:"text"`
	} `json:"translations"`
}

// Send translates req.Texts in one request, with the desk's glossary when DeepL has glossaries
// for the pair.
func (e *Engine) Send(ctx context.Context, req translate.Request) ([]string, error) {
	caps, ok := e.Supports(req.Source, req.Target)
	if !ok {
		return nil, e.permanent(fmt.Errorf("%s→%s is not a DeepL pair", req.Source, req.Target))
	}
	if req.HTML && !caps.HTML {
		// As plain text the do-not-translate spans would be translated or mangled.
		return nil, e.permanent(fmt.Errorf("no tag handling for %s→%s", req.Source, req.Target))
	}
	if len(req.Texts) == 0 {
		return []string{}, nil
	}
	t := targets[req.Target]
	body := translateRequest{Text: req.Texts, SourceLang: "AR", TargetLang: t.code, Beta: t.beta}
	if req.HTML {
		body.TagHandling = "html"
	}
	var glossaryID string
	if caps.Glossary && len(req.Glossary) > 0 {
		var err error
		// The glossary's requests are not the translation the usage gate is for.
		if glossaryID, err = e.glossary(translate.WithoutGate(ctx), req.Target, req.GlossaryVersion, req.Glossary); err != nil {
			return nil, err
		}
		body.GlossaryID = glossaryID
	}
	payload, err := translate.EncodeJSON(body)
	if err != nil {
		return nil, e.permanent(err)
	}
	if len(payload) > maxBody {
		return nil, e.permanent(fmt.Errorf("request of %d bytes is over DeepL's %d", len(payload), maxBody))
	}
	resp, err := e.do(ctx, http.MethodPost, "/v2/translate", payload)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound && glossaryID != "" {
		// Deleted behind our back (another process, a person): create it again next time.
		e.forget(glossaryID)
		return nil, &translate.Error{Provider: e.Name(), Err: fmt.Errorf("glossary %s not found", glossaryID)}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, e.statusError(resp)
	}
	var out translateResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, e.retryable(fmt.Errorf("malformed response: %w", err))
	}
	if len(out.Translations) != len(req.Texts) {
		return nil, e.retryable(fmt.Errorf("short response: %d texts for %d", len(out.Translations), len(req.Texts)))
	}
	texts := make([]string, len(out.Translations))
	for i, tr := range out.Translations {
		texts[i] = tr.Text
	}
	return texts, nil
}

// do sends one request; a transport failure (refused connection, timeout) is retryable.
func (e *Engine) do(ctx context.Context, method, path string, body []byte) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, e.base+path, r)
	if err != nil {
		return nil, e.permanent(err)
	}
	hr.Header.Set("Authorization", "DeepL-Auth-Key "+e.key)
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		return nil, e.retryable(err)
	}
	return resp, nil
}

// statusError turns a failed response into an *translate.Error: DeepL's 456 means the plan's
// character quota is used up, which no retry fixes before the billing period renews.
func (e *Engine) statusError(resp *http.Response) *translate.Error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	var body struct {
		Message string `json:"message"`
		Detail  string `json:"detail"`
	}
	msg := strings.TrimSpace(string(raw))
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		msg = strings.TrimSpace(body.Message + " " + body.Detail)
	}
	err := &translate.Error{Provider: e.Name(), Err: fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests:
		err.RetryAfter = tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case code == 456:
		err.Err = fmt.Errorf("quota exceeded: %w", err.Err)
		err.Permanent = true
	case code == http.StatusRequestTimeout || code >= 500:
	default: // 400 bad request, 403 bad key, 413 too large…: the same request fails the same way
		err.Permanent = true
	}
	return err
}

func (e *Engine) permanent(err error) error {
	return &translate.Error{Provider: e.Name(), Permanent: true, Err: err}
}

func (e *Engine) retryable(err error) error {
	return &translate.Error{Provider: e.Name(), Err: err}
}
