package translate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

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
	Renderings RenderingStore              // nil: engines' renderings of terms are kept in the process only
	Routes     map[tarjuma.Lang][]Provider // engines to try in order, per target language
	Logger     *slog.Logger                // nil: discard
	Registerer prometheus.Registerer       // nil: metrics are kept but not exported
}

// Translator fills segments from the translation memory first and sends the rest to the engine
// chain routed by target language, falling back along the chain when an engine fails or cannot
// serve the request. It never invents text: what nothing could translate keeps its source and
// the untranslated origin. It is safe for concurrent use.
type Translator struct {
	memory      MemoryStore
	renderStore RenderingStore
	cache       renderingCache
	routes      map[tarjuma.Lang][]Provider
	log         *slog.Logger
	failures    *prometheus.CounterVec
	terms       *prometheus.CounterVec
}

// NewTranslator builds a Translator and registers its metrics with cfg.Registerer. What is sent
// to each engine is counted by the providers NewProvider builds.
func NewTranslator(cfg Config) *Translator {
	log := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	f := promauto.With(cfg.Registerer)
	return &Translator{
		memory:      cfg.Memory,
		renderStore: cfg.Renderings,
		routes:      maps.Clone(cfg.Routes),
		log:         log,
		failures: f.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_mt_errors_total",
			Help: "Failed calls to each MT provider, after its own retries, including answers with the wrong number of texts.",
		}, []string{"provider"}),
		terms: f.NewCounterVec(prometheus.CounterOpts{
			Name: "tarjuma_glossary_terms_total",
			Help: "Glossary terms machine-translated, per target language and how they got in: locked, instructed, replaced (found in the engine's sentence and put in the desk's form) or fallback (not found; locked and flagged).",
		}, []string{"lang", "method"}),
	}
}

// Job says what a Translate call is for: the language pair, and what the engines and the cost
// accounting need to know about the article.
type Job struct {
	ArticleID      int64 // 0 when the segments belong to no article
	Source, Target tarjuma.Lang
	// Terms is the glossary the segments' Terms were marked with; nil without a glossary.
	Terms           *glossary.Matcher
	GlossaryVersion int64
}

// Translate returns segs with Text and Origin filled for every segment whose Origin is empty;
// segments that already carry an origin (reused from an earlier version) are kept as they are.
// All segments the memory misses go to the engine in one request. Their glossary terms (the
// segments' Terms) go in as the engine and the language allow (see termPlan): in English locked
// in do-not-translate spans holding the desk's form; in Russian and Tajik given with their forms
// to an engine that follows instructions, or else found in the engine's sentence and replaced
// by the desk's form in the same case. Each term's TermSpan records how. Engines that cannot
// translate the pair, or HTML when it is needed, are skipped. The error is the last engine's
// when every engine tried failed; it is permanent (see IsPermanent) only when every failure was.
func (t *Translator) Translate(ctx context.Context, job Job, segs []tarjuma.Segment) ([]tarjuma.Segment, error) {
	out := slices.Clone(segs)
	var todo []int
	for i, s := range out {
		if s.Origin == "" {
			todo = append(todo, i)
			out[i].Terms = slices.Clone(s.Terms) // the methods are written into them
		}
	}
	todo, err := t.fromMemory(ctx, job.Source, job.Target, out, todo)
	if err != nil {
		return nil, err
	}
	if len(todo) == 0 {
		return out, nil
	}
	translated, err := t.fromEngines(ctx, job, out, todo)
	if err != nil {
		if tooLong := (*tooLongError)(nil); errors.As(err, &tooLong) {
			err = fmt.Errorf("segment %s: %w", out[todo[tooLong.index]].ID, err)
		}
		return nil, err
	}
	if !translated {
		for _, idx := range todo {
			out[idx].Text, out[idx].Origin = out[idx].Source, tarjuma.OriginUntranslated
		}
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
		keys[i] = glossary.MemoryKey(segs[idx].Source)
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

// fromEngines tries the chain for job.Target in order, each engine with the request its
// capabilities call for, and fills the segments at todo from the first complete answer; false
// and no error when no engine of the chain could be asked.
func (t *Translator) fromEngines(ctx context.Context, job Job, segs []tarjuma.Segment, todo []int) (bool, error) {
	allPermanent := true
	var err error
	for _, p := range t.routes[job.Target] {
		caps, ok := p.Supports(job.Source, job.Target)
		plan := planTerms(job, segs, todo, caps)
		if missing := missingCapability(caps, ok, plan.req.HTML); missing != "" {
			t.log.InfoContext(ctx, "mt engine skipped", "provider", p.Name(),
				"source", job.Source, "target", job.Target, "missing", missing)
			continue
		}
		var texts []string
		texts, err = t.call(ctx, p, plan.req)
		if err == nil {
			return true, t.finish(ctx, p, plan, texts)
		}
		if ctx.Err() != nil {
			return false, err // the task is over; the next engine would be cancelled too
		}
		permanent := IsPermanent(err)
		allPermanent = allPermanent && permanent
		t.log.WarnContext(ctx, "mt engine failed, trying the next one",
			"provider", p.Name(), "target", job.Target, "segments", len(todo),
			"permanent", permanent, "error", err)
	}
	if err != nil && !allPermanent && IsPermanent(err) {
		// An earlier engine failed for a reason that may pass, so the task is worth retrying.
		err = &Error{Err: err}
	}
	return false, err
}

// missingCapability names what an engine lacks for a request, or returns "" when it can serve it.
func missingCapability(caps Capabilities, supported, html bool) string {
	switch {
	case !supported:
		return "language pair"
	case html && !caps.HTML:
		return "html"
	}
	return ""
}

// call sends the request to one engine and rejects an answer with the wrong number of texts:
// the texts could not be matched to their segments.
func (t *Translator) call(ctx context.Context, p Provider, req Request) ([]string, error) {
	texts, err := p.Translate(ctx, req)
	if err == nil && len(texts) != len(req.Texts) {
		err = &Error{Provider: p.Name(), Err: fmt.Errorf("returned %d texts for %d", len(texts), len(req.Texts))}
	}
	if err != nil {
		t.failures.WithLabelValues(p.Name()).Inc()
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
