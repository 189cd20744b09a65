package google

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	translatev2 "google.golang.org/api/translate/v2"
	htransport "google.golang.org/api/transport/http"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

const v2Name = "google-v2"

// V2Config configures the Basic (v2) engine.
type V2Config struct {
	// APIKey authenticates with an API key; empty means Application Default Credentials.
	APIKey string
	// Endpoint is the base URL, passed unchanged to option.WithEndpoint (for example
	// "https://translation.googleapis.com/language/translate/"); empty means Google's default.
	Endpoint string
	// HTTPClient carries the requests, for timeouts and tests; the credentials above are
	// layered under it, so a custom client does not silently drop the key, and
	// translate.GateTransport over them.
	HTTPClient *http.Client
}

// V2 is Google Cloud Translation Basic through google.golang.org/api/translate/v2, whose
// Translations.Translate POSTs the text as JSON. The v2 client in cloud.google.com/go/translate
// is avoided on purpose: it puts the text into a GET URL, and percent-encoded Arabic (about six
// bytes a character) makes URLs that front ends refuse after a few hundred words.
type V2 struct {
	svc *translatev2.Service
}

// NewV2 builds the v2 engine. Credentials are resolved here, so a missing key or ADC fails at
// startup rather than on the first article.
func NewV2(ctx context.Context, cfg V2Config) (*V2, error) {
	creds := option.WithScopes(translatev2.CloudTranslationScope)
	if cfg.APIKey != "" {
		creds = option.WithAPIKey(cfg.APIKey)
	}
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	// The library uses an explicit client as it is, without credentials, so they go under the
	// client's own transport; and the client is explicit so that its transport is gated.
	client := http.Client{Transport: defaultTransport()}
	if cfg.HTTPClient != nil {
		client = *cfg.HTTPClient
	}
	if client.Transport == nil {
		client.Transport = http.DefaultTransport
	}
	rt, err := htransport.NewTransport(ctx, client.Transport, creds)
	if err != nil {
		return nil, fmt.Errorf("%s: credentials: %w", v2Name, err)
	}
	client.Transport = translate.GateTransport(rt)
	opts = append(opts, option.WithHTTPClient(&client))
	svc, err := translatev2.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v2Name, err)
	}
	return &V2{svc: svc}, nil
}

// defaultTransport is the transport the library would make for itself (bar the client
// certificates of Google's mTLS endpoints): http.DefaultTransport with more idle connections per
// host, so that every request in flight keeps its connection, and HTTP/2 pings that find a
// dead idle connection before a request is put on it.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 100
	t.HTTP2 = &http.HTTP2Config{SendPingTimeout: 31 * time.Second}
	return t
}

// Name implements translate.Engine.
func (e *V2) Name() string { return v2Name }

// GatesUsage implements translate.WireGatedEngine: the client NewV2 makes is gated.
func (e *V2) GatesUsage() {}

// Limits implements translate.Engine. v2 takes at most 128 texts and refuses requests over
// 100K bytes. The batcher counts the texts' UTF-8 bytes, but the body is JSON: each text adds
// quotes and a comma, the request adds {"data":{...}} with target, source and format, and
// Go's encoder writes <, > and & as six-byte \u escapes, which HTML mode is full of (about 22
// extra bytes per <span translate="no"> element). Budgeting 90,000 bytes of text leaves 10K for
// that: the framing of 128 texts is under 500 bytes and the rest covers some 400 protected
// spans, more than a news batch holds.
func (e *V2) Limits() translate.Limits {
	return translate.Limits{MaxTexts: 128, MaxBytes: 90_000}
}

// Supports implements translate.Engine: HTML mode keeps glossary spans; v2 has no glossaries.
func (e *V2) Supports(source, target tarjuma.Lang) (translate.Capabilities, bool) {
	if !supported(source, target) {
		return translate.Capabilities{}, false
	}
	return translate.Capabilities{HTML: true}, true
}

// Send implements translate.Engine with one Translations.Translate call.
func (e *V2) Send(ctx context.Context, req translate.Request) ([]string, error) {
	if !supported(req.Source, req.Target) {
		return nil, &translate.Error{Provider: v2Name, Permanent: true,
			Err: fmt.Errorf("unsupported language pair %s→%s", req.Source, req.Target)}
	}
	if len(req.Texts) == 0 {
		// Google answers an empty q with 400, which would read as a permanent failure.
		return []string{}, nil
	}
	format := "text"
	if req.HTML {
		format = "html"
	}
	resp, err := e.svc.Translations.Translate(&translatev2.TranslateTextRequest{
		Q:      req.Texts,
		Source: string(req.Source),
		Target: string(req.Target),
		Format: format,
	}).Context(ctx).Do()
	if err != nil {
		return nil, classifyV2(err, time.Now())
	}
	if len(resp.Translations) != len(req.Texts) {
		return nil, shortResponse(v2Name, len(resp.Translations), len(req.Texts))
	}
	out := make([]string, len(req.Texts))
	for i, t := range resp.Translations {
		if t == nil {
			return nil, shortResponse(v2Name, i, len(req.Texts))
		}
		out[i] = t.TranslatedText
		if !req.HTML {
			// v2 escapes plain-text answers as HTML (&#39;, &quot;, &amp;) even with
			// format=text; HTML answers are HTML and stay as they are.
			out[i] = html.UnescapeString(out[i])
		}
	}
	return out, nil
}

// classifyV2 turns a v2 failure into a *translate.Error. Google reports the per-minute quota as
// 429 or as 403 "User Rate Limit Exceeded" (rateLimitExceeded), both worth waiting for; the
// daily quota and every other 4xx (bad key, API not enabled, unsupported language, text
// refused) cannot succeed on retry. Errors that are not HTTP answers — network failures,
// timeouts, undecodable bodies — are retryable.
func classifyV2(err error, now time.Time) error {
	te := &translate.Error{Provider: v2Name, Err: err}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return te
	}
	var text strings.Builder
	text.WriteString(gerr.Message)
	for _, item := range gerr.Errors {
		text.WriteString(" " + item.Reason + " " + item.Message)
	}
	detail := strings.ToLower(text.String())
	switch {
	case isDaily(detail):
		te.Permanent = true
	case gerr.Code == http.StatusTooManyRequests, gerr.Code == http.StatusRequestTimeout, gerr.Code >= 500,
		gerr.Code == http.StatusForbidden && (strings.Contains(detail, "ratelimitexceeded") || strings.Contains(detail, "rate limit exceeded")):
		te.RetryAfter = tarjuma.RetryAfter(gerr.Header.Get("Retry-After"), now)
	case gerr.Code >= 400:
		te.Permanent = true
	}
	return te
}
