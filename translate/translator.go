package translate

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

// MemoryChain is the engine chain spec naming no engine: segments the translation memory cannot
// fill stay untranslated. It is the offline default.
const MemoryChain = "memory"

// Config holds a Translator's dependencies.
type Config struct {
	Memory     MemoryStore                 // nil: no translation memory
	Routes     map[tarjuma.Lang][]Provider // engines to try in order, per target language
	Logger     *slog.Logger                // nil: discard
	Registerer prometheus.Registerer       // nil: metrics are kept but not exported
}

// Translator fills segments from the translation memory first and sends the rest to the engine
// chain routed by target language, falling back along the chain when an engine fails. It never
// invents text: what nothing could translate keeps its source and the untranslated origin.
// It is safe for concurrent use.
type Translator struct {
	memory   MemoryStore
	routes   map[tarjuma.Lang][]Provider
	log      *slog.Logger
	chars    *prometheus.CounterVec
	requests *prometheus.CounterVec
	failures *prometheus.CounterVec
}

// NewTranslator builds a Translator and registers its metrics with cfg.Registerer.
func NewTranslator(cfg Config) *Translator {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := promauto.With(cfg.Registerer)
	return &Translator{
		memory: cfg.Memory,
		routes: maps.Clone(cfg.Routes),
		log:    log,
		chars: f.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_mt_characters_total",
			Help: "Characters (code points) sent to each MT engine; engines bill by them.",
		}, []string{"provider"}),
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_mt_requests_total",
			Help: "Batch requests sent to each MT engine.",
		}, []string{"provider"}),
		failures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_mt_errors_total",
			Help: "Failed MT engine requests, including responses with the wrong number of texts.",
		}, []string{"provider"}),
	}
}

// Translate returns segs with Text and Origin filled for every segment whose Origin is empty;
// segments that already carry an origin (reused from an earlier version) are kept as they are.
// All segments the memory misses go to the engine in one request. With a term base, that
// request is HTML in which every glossary term of a segment (its Terms) is replaced by the
// desk's target form inside a do-not-translate span, so the engine cannot alter it; the spans,
// and any markup the engine added, are removed from its answer. The error is the last engine's
// when every engine of the chain failed; it is permanent (see IsPermanent) only when every
// failure was.
func (t *Translator) Translate(ctx context.Context, source, target tarjuma.Lang, segs []tarjuma.Segment, terms *glossary.Matcher) ([]tarjuma.Segment, error) {
	out := slices.Clone(segs)
	var todo []int
	for i, s := range out {
		if s.Origin == "" {
			todo = append(todo, i)
		}
	}
	todo, err := t.fromMemory(ctx, source, target, out, todo)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return out, nil
	}
	req := Request{Source: source, Target: target, Texts: make([]string, len(todo)), HTML: terms != nil}
	for i, idx := range todo {
		req.Texts[i] = out[idx].Source
		if terms != nil {
			req.Texts[i] = terms.Protect(out[idx].Source, glossary.SpanMatches(out[idx]), target)
		}
	}
	texts, provider, err := t.fromEngines(ctx, req)
	if err != nil {
		return nil, err
	}
	for i, idx := range todo {
		if texts == nil {
			out[idx].Text, out[idx].Origin = out[idx].Source, tarjuma.OriginUntranslated
			continue
		}
		text := texts[i]
		if req.HTML {
			if text, err = glossary.Unprotect(text); err != nil {
				// A broken answer is never stored; another attempt may get a good one.
				return nil, &Error{Provider: provider, Err: fmt.Errorf("malformed HTML in the answer for segment %s: %w", out[idx].ID, err)}
			}
		}
		out[idx].Text, out[idx].Origin = text, tarjuma.MachineOrigin(provider)
	}
	return out, nil
}

// fromMemory fills the segments at todo that the memory knows and returns the indices still to
// translate.
func (t *Translator) fromMemory(ctx context.Context, source, target tarjuma.Lang, segs []tarjuma.Segment, todo []int) ([]int, error) {
	if t.memory == nil || len(todo) == 0 {
		return todo, nil
	}
	keys := make([]string, len(todo)) // keys[i] belongs to todo[i]
	for i, idx := range todo {
		keys[i] = MemoryKey(segs[idx].Source)
	}
	unique := slices.Compact(slices.Sorted(slices.Values(keys)))
	hits, err := t.memory.LookupMemory(ctx, source, target, unique)
	if err != nil {
		return nil, fmt.Errorf("translation memory %s→%s: %w", source, target, err)
	}
	rest := todo[:0] // filtered in place: each index is read before its slot is reused
	for i, idx := range todo {
		if text, ok := hits[keys[i]]; ok {
			segs[idx].Text, segs[idx].Origin = text, tarjuma.OriginMemory
		} else {
			rest = append(rest, idx)
		}
	}
	return rest, nil
}

// fromEngines tries the chain for req.Target in order and returns the first complete answer
// with the engine's name; nil texts and no error when the chain is empty.
func (t *Translator) fromEngines(ctx context.Context, req Request) (texts []string, provider string, err error) {
	allPermanent := true
	for _, p := range t.routes[req.Target] {
		texts, err = t.call(ctx, p, req)
		if err == nil {
			return texts, p.Name(), nil
		}
		if ctx.Err() != nil {
			return nil, "", err // the task is over; the next engine would be cancelled too
		}
		permanent := IsPermanent(err)
		allPermanent = allPermanent && permanent
		t.log.WarnContext(ctx, "mt engine failed, trying the next one",
			"provider", p.Name(), "target", req.Target, "segments", len(req.Texts),
			"permanent", permanent, "err", err)
	}
	if err != nil && !allPermanent && IsPermanent(err) {
		// An earlier engine failed for a reason that may pass, so the task is worth retrying.
		err = &Error{Err: err}
	}
	return nil, "", err
}

// call sends one batch to one engine, counting it, and rejects an answer with the wrong number
// of texts: the texts could not be matched to their segments.
func (t *Translator) call(ctx context.Context, p Provider, req Request) ([]string, error) {
	name := p.Name()
	chars := 0
	for _, s := range req.Texts {
		chars += utf8.RuneCountInString(s)
	}
	t.requests.WithLabelValues(name).Inc()
	t.chars.WithLabelValues(name).Add(float64(chars))
	texts, err := p.Translate(ctx, req)
	if err == nil && len(texts) != len(req.Texts) {
		err = &Error{Provider: name, Err: fmt.Errorf("returned %d texts for %d", len(texts), len(req.Texts))}
	}
	if err != nil {
		t.failures.WithLabelValues(name).Inc()
		return nil, err
	}
	return texts, nil
}

// ParseChain turns a comma-separated list of engine names ("deepl,google") into the chain a
// route tries in order. MemoryChain ("memory") names no engine, since the memory is always
// consulted first.
func ParseChain(spec string, available map[string]Provider) ([]Provider, error) {
	var chain []Provider
	for name := range strings.SplitSeq(spec, ",") {
		name = strings.TrimSpace(name)
		if name == "" || name == MemoryChain {
			continue
		}
		p, ok := available[name]
		if !ok {
			known := append(slices.Sorted(maps.Keys(available)), MemoryChain)
			return nil, fmt.Errorf("unknown MT engine %q (known: %s): %w", name, strings.Join(known, ", "), tarjuma.ErrInvalid)
		}
		chain = append(chain, p)
	}
	return chain, nil
}
