package google

import (
	"context"
	"fmt"
	"maps"
	"strings"

	apiv3 "cloud.google.com/go/translate/apiv3"
	"cloud.google.com/go/translate/apiv3/translatepb"
	"google.golang.org/api/option"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

const v3Name = "google-v3"

// V3Config configures the Advanced (v3) engine.
type V3Config struct {
	Project  string
	Location string // default "global"; glossaries live in a region and need that region here
	// Endpoint is host:port, passed to option.WithEndpoint; empty means Google's default.
	Endpoint string
	// Glossaries names a native glossary per target language
	// ("projects/P/locations/L/glossaries/G"). Languages without one are translated without.
	Glossaries map[tarjuma.Lang]string
	// ClientOptions come last, so they can override credentials and dialling (tests use
	// option.WithoutAuthentication and an insecure gRPC dial).
	ClientOptions []option.ClientOption
}

// V3 is Google Cloud Translation Advanced through the apiv3 gRPC client. It uses Google's
// default NMT model: v3 glossaries are not supported by the Translation LLM model.
type V3 struct {
	client     *apiv3.TranslationClient
	parent     string
	glossaries map[tarjuma.Lang]string
}

// NewV3 dials the v3 service. Glossaries are checked against the location here, because Google
// refuses a glossary from another region on every request.
func NewV3(ctx context.Context, cfg V3Config) (*V3, error) {
	if cfg.Project == "" {
		return nil, fmt.Errorf("%s: project is required", v3Name)
	}
	if cfg.Location == "" {
		cfg.Location = "global"
	}
	for lang, name := range cfg.Glossaries {
		if !lang.Valid() {
			return nil, fmt.Errorf("%s: glossary for unknown target language %q", v3Name, lang)
		}
		if !strings.HasPrefix(name, "projects/") || !strings.Contains(name, "/locations/"+cfg.Location+"/glossaries/") {
			return nil, fmt.Errorf("%s: glossary %q for %s is not a glossary in location %s", v3Name, name, lang, cfg.Location)
		}
	}
	var opts []option.ClientOption
	if cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(cfg.Endpoint))
	}
	opts = append(opts, cfg.ClientOptions...)
	client, err := apiv3.NewTranslationClient(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v3Name, err)
	}
	return &V3{
		client:     client,
		parent:     "projects/" + cfg.Project + "/locations/" + cfg.Location,
		glossaries: maps.Clone(cfg.Glossaries),
	}, nil
}

// Close closes the gRPC connection.
func (e *V3) Close() error { return e.client.Close() }

// Name implements translate.Engine.
func (e *V3) Name() string { return v3Name }

// Limits implements translate.Engine. v3 takes 1024 strings and refuses over 30K code points,
// but Google recommends 5K per request: larger requests are slower and time out more often,
// and a retry then resends all of it.
func (e *V3) Limits() translate.Limits {
	return translate.Limits{MaxTexts: 1024, MaxRunes: 5_000}
}

// Supports implements translate.Engine: Glossary is true only where a native glossary is
// configured for the target.
func (e *V3) Supports(source, target tarjuma.Lang) (translate.Capabilities, bool) {
	if !supported(source, target) {
		return translate.Capabilities{}, false
	}
	return translate.Capabilities{HTML: true, Glossary: e.glossaries[target] != ""}, true
}

// Send implements translate.Engine with one TranslateText call.
func (e *V3) Send(ctx context.Context, req translate.Request) ([]string, error) {
	if !supported(req.Source, req.Target) {
		return nil, &translate.Error{Provider: v3Name, Permanent: true,
			Err: fmt.Errorf("unsupported language pair %s→%s", req.Source, req.Target)}
	}
	if len(req.Texts) == 0 {
		return []string{}, nil
	}
	mime := "text/plain"
	if req.HTML {
		mime = "text/html"
	}
	r := &translatepb.TranslateTextRequest{
		Parent:             e.parent,
		Contents:           req.Texts,
		MimeType:           mime,
		SourceLanguageCode: string(req.Source),
		TargetLanguageCode: string(req.Target),
	}
	// The native glossary fixes each term's form; the Translator asks for it (req.Glossary) only
	// where a fixed form is right, not where it finds and inflects the terms itself.
	glossary := ""
	if len(req.Glossary) > 0 {
		glossary = e.glossaries[req.Target]
	}
	if glossary != "" {
		r.GlossaryConfig = &translatepb.TranslateTextGlossaryConfig{Glossary: glossary}
	}
	resp, err := e.client.TranslateText(ctx, r)
	if err != nil {
		return nil, classifyV3(err)
	}
	// With a glossary Google answers twice, without and with it; only the latter applies it.
	got := resp.GetTranslations()
	if glossary != "" {
		got = resp.GetGlossaryTranslations()
	}
	if len(got) != len(req.Texts) {
		return nil, shortResponse(v3Name, len(got), len(req.Texts))
	}
	out := make([]string, len(got))
	for i, t := range got {
		out[i] = t.GetTranslatedText()
	}
	return out, nil
}

// classifyV3 turns a gRPC failure into a *translate.Error. ResourceExhausted is the per-minute
// quota unless its details speak of a daily limit; the wait comes from RetryInfo, gRPC's
// counterpart of Retry-After. Bad credentials, unsupported languages and malformed requests
// cannot succeed on retry; everything else (Unavailable, DeadlineExceeded, Internal, transport
// failures) can.
func classifyV3(err error) error {
	te := &translate.Error{Provider: v3Name, Err: err}
	st, ok := status.FromError(err)
	if !ok {
		return te
	}
	switch st.Code() {
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.NotFound,
		codes.FailedPrecondition, codes.OutOfRange, codes.Unimplemented:
		te.Permanent = true
		return te
	}
	text := st.Message()
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.RetryInfo:
			te.RetryAfter = d.GetRetryDelay().AsDuration()
		case *errdetails.QuotaFailure:
			for _, v := range d.GetViolations() {
				text += " " + v.GetDescription()
			}
		}
	}
	if st.Code() == codes.ResourceExhausted && isDaily(text) {
		te.Permanent, te.RetryAfter = true, 0
	}
	return te
}
