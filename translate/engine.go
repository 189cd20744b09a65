package translate

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/tarjuma/tarjuma"
)

// Engine is what an engine subpackage (google, deepl, openai) implements: one request to the
// engine's API, within the engine's limits. NewProvider turns an Engine into a Provider by adding
// what every engine needs the same way: batching at the limits, a concurrency limit, a rate
// limit in characters per minute, retries with backoff that honour Retry-After, and accounting
// of characters sent. Keeping those out of the engines keeps each engine to its wire protocol.
type Engine interface {
	// Name is the provider name in configuration, metrics and origins ("google-v3", "deepl",
	// "openai:<model>").
	Name() string
	// Limits says how much one request may carry.
	Limits() Limits
	// Supports reports whether the engine translates source to target, and how.
	Supports(source, target tarjuma.Lang) (Capabilities, bool)
	// Send makes one request: exactly one text back per text of req, in order. It returns an
	// *Error: Permanent for what retrying cannot fix (credentials, unsupported language, quota
	// exhausted for the day), RetryAfter when the engine said how long to wait.
	Send(ctx context.Context, req Request) ([]string, error)
}

// Limits bound one request. Zero means no limit of that kind.
type Limits struct {
	MaxTexts int // texts per request
	MaxBytes int // UTF-8 bytes of all texts together
	MaxRunes int // code points of all texts together
}

// Capabilities say what an engine can do for a language pair.
type Capabilities struct {
	// HTML: the engine translates HTML and leaves <span translate="no"> alone, which is how
	// glossary terms are protected.
	HTML bool
	// Glossary: the engine applies a glossary of its own (Request.Glossary) for this pair.
	Glossary bool
	// Instructions: the engine follows instructions (a language model), so a term can be given
	// with its forms and the instruction to inflect it as the sentence needs, instead of being
	// locked in its nominative.
	Instructions bool
}

// GlossaryEntry is one source→target pair of the desk's glossary, for engines with native
// glossaries or that follow instructions.
type GlossaryEntry struct {
	Source, Target string
	// Forms are every grammatical form of Target, for an engine that follows instructions in a
	// language whose terms inflect; empty otherwise.
	Forms []string
}

// EncodeJSON marshals v for an engine's request body without Go's HTML escaping: protected
// spans must arrive as <span translate="no">, not as \u003cspan\u003e, which counts six bytes
// a character against a request limit and which a model would read instead of the span it
// must keep.
func EncodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
