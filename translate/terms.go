package translate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// RenderingStore keeps how each engine renders each glossary spelling on its own, per glossary
// version, so that finding a term in the engine's sentence costs one lookup per term, engine and
// language, paid once. It is declared here so translate does not depend on the store;
// *store.DB satisfies it.
type RenderingStore interface {
	// LookupRenderings returns the renderings known for the keys (glossary.Normalize of an
	// Arabic spelling); missing keys are absent from the map.
	LookupRenderings(ctx context.Context, provider string, lang tarjuma.Lang, glossaryVersion int64, keys []string) (map[string]string, error)
	SaveRenderings(ctx context.Context, provider string, lang tarjuma.Lang, glossaryVersion int64, renderings map[string]string) error
}

// termPlan is how one engine gets a batch's glossary terms and how they come back: locked in
// do-not-translate spans (English, and terms kept in Arabic), given with their forms to an
// engine that follows instructions, or left to the engine and then found in its sentence and
// replaced by the desk's form in the same case (Russian and Tajik with Google or DeepL).
type termPlan struct {
	job    Job
	segs   []tarjuma.Segment
	todo   []int
	method tarjuma.TermMethod // for the terms that are not kept in Arabic
	req    Request
}

// planTerms decides how the terms of the segments at todo go to an engine with caps, and builds
// its request: HTML only when some term goes locked.
func planTerms(job Job, segs []tarjuma.Segment, todo []int, caps Capabilities) *termPlan {
	p := &termPlan{job: job, segs: segs, todo: todo, method: tarjuma.TermLocked}
	if job.Terms != nil && inflect.Inflects(job.Target) {
		p.method = tarjuma.TermReplaced
		if caps.Instructions {
			p.method = tarjuma.TermInstructed
		}
	}
	p.req = Request{Source: job.Source, Target: job.Target, Texts: make([]string, len(todo)),
		GlossaryVersion: job.GlossaryVersion, ArticleID: job.ArticleID}
	locked := make([][]glossary.Match, len(todo))
	for i, idx := range todo {
		locked[i] = p.locked(segs[idx], nil)
		p.req.HTML = p.req.HTML || len(locked[i]) > 0
	}
	for i, idx := range todo {
		p.req.Texts[i] = segs[idx].Source
		if p.req.HTML {
			p.req.Texts[i] = job.Terms.Protect(segs[idx].Source, locked[i], job.Target)
		}
	}
	if p.req.HTML && caps.Glossary && p.method == tarjuma.TermLocked || p.method == tarjuma.TermInstructed {
		p.req.Glossary = glossaryEntries(job.Terms, segs, todo, job.Target, p.method == tarjuma.TermInstructed)
	}
	return p
}

// locked returns the matches of seg that go to the engine locked: all under TermLocked, the
// terms kept in Arabic otherwise, and those also for which extra says so.
func (p *termPlan) locked(seg tarjuma.Segment, extra func(k int) bool) []glossary.Match {
	if p.job.Terms == nil {
		return nil
	}
	var out []glossary.Match
	for k, mt := range glossary.SpanMatches(seg) {
		term, _ := p.job.Terms.Term(mt.TermID)
		if p.method == tarjuma.TermLocked || term.DoNotTranslate || extra != nil && extra(k) {
			out = append(out, mt)
		}
	}
	return out
}

// glossaryEntries lists the terms found in the segments at todo for engines with glossaries of
// their own or that follow instructions: each spelling as it appears in the source once, with
// the desk's form in lang (the spelling itself for a term kept untranslated), and with every
// form of it when withForms.
func glossaryEntries(m *glossary.Matcher, segs []tarjuma.Segment, todo []int, lang tarjuma.Lang, withForms bool) []GlossaryEntry {
	var entries []GlossaryEntry
	seen := map[string]bool{}
	for _, idx := range todo {
		s := segs[idx]
		for _, span := range s.Terms {
			source := s.Source[span.Start:span.End]
			term, ok := m.Term(span.TermID)
			if !ok || seen[source] {
				continue
			}
			e := GlossaryEntry{Source: source, Target: term.Targets[lang].Preferred}
			if term.DoNotTranslate {
				e.Target = source
			} else if withForms {
				p := term.Paradigm(lang, e.Target)
				for _, f := range inflect.FormsOf(lang) {
					if text, ok := p.Forms[f]; ok && !slices.Contains(e.Forms, text) {
						e.Forms = append(e.Forms, text)
					}
				}
			}
			if e.Target != "" {
				seen[source] = true
				entries = append(entries, e)
			}
		}
	}
	return entries
}

// finish turns the engine's answers into the segments' texts and records how each term got in.
// Under TermReplaced it finds each term's rendering in the answer and puts the desk's form in
// its place; the segments where some term cannot be found are asked again with those terms
// locked, and the desk's form is put in the case the word before decides, or flagged.
func (t *Translator) finish(ctx context.Context, p Provider, plan *termPlan, texts []string) error {
	plain := make([]string, len(texts))
	for i, text := range texts {
		var err error
		if plain[i], err = unprotect(plan.req, p.Name(), plan.segs[plan.todo[i]].ID, text); err != nil {
			return err
		}
	}
	for _, idx := range plan.todo {
		plan.segs[idx].Origin = tarjuma.MachineOrigin(p.Name())
		for k := range plan.segs[idx].Terms {
			plan.segs[idx].Terms[k].Method = plan.method
		}
	}
	if plan.method == tarjuma.TermReplaced {
		plain = t.place(ctx, p, plan, plain)
	}
	for i, idx := range plan.todo {
		seg := &plan.segs[idx]
		seg.Text = plain[i]
		for k := range seg.Terms {
			if term, _ := plan.job.Terms.Term(seg.Terms[k].TermID); term.DoNotTranslate {
				seg.Terms[k].Method = tarjuma.TermLocked
			}
			t.terms.WithLabelValues(string(plan.job.Target), string(seg.Terms[k].Method)).Inc()
		}
	}
	return nil
}

// unprotect turns an HTML answer back into text; a broken answer is never stored, and another
// attempt may get a good one.
func unprotect(req Request, provider, segID, text string) (string, error) {
	if !req.HTML {
		return text, nil
	}
	plain, err := glossary.Unprotect(text)
	if err != nil {
		return "", &Error{Provider: provider, Err: fmt.Errorf("malformed HTML in the answer for segment %s: %w", segID, err)}
	}
	return plain, nil
}

// place replaces the engine's renderings of the terms with the desk's forms (see
// glossary.Matcher.Place) and handles what it cannot find.
func (t *Translator) place(ctx context.Context, p Provider, plan *termPlan, texts []string) []string {
	m := plan.job.Terms
	var spellings []string
	for _, idx := range plan.todo {
		seg := plan.segs[idx]
		for _, k := range plan.placeable(seg, nil) {
			spellings = append(spellings, m.Spelling(glossary.SpanMatches(seg)[k]))
		}
	}
	renderings := t.renderings(ctx, p, plan.job, spellings)
	type unplaced struct {
		i       int    // index into texts
		missing []bool // per term of the segment
	}
	var retry []unplaced
	for i, idx := range plan.todo {
		var missing []bool
		texts[i], missing = plan.placeTerms(&plan.segs[idx], texts[i], renderings, nil)
		if slices.Contains(missing, true) {
			retry = append(retry, unplaced{i, missing})
		}
	}
	if len(retry) == 0 {
		return texts
	}
	caps, _ := p.Supports(plan.job.Source, plan.job.Target)
	var again []string
	req := plan.req
	req.Glossary, req.HTML, req.Texts = nil, caps.HTML, nil
	if caps.HTML {
		for _, r := range retry {
			seg := plan.segs[plan.todo[r.i]]
			req.Texts = append(req.Texts, m.Protect(seg.Source, plan.locked(seg, func(k int) bool { return r.missing[k] }), plan.job.Target))
		}
		var err error
		if again, err = t.call(ctx, p, req); err != nil {
			t.log.WarnContext(ctx, "mt: asking again with the unfound terms locked failed; they stay flagged",
				"provider", p.Name(), "target", plan.job.Target, "error", err)
			again = nil
		}
	}
	for n, r := range retry {
		seg := &plan.segs[plan.todo[r.i]]
		var ids []string
		for k, miss := range r.missing {
			if miss {
				seg.Terms[k].Method = tarjuma.TermFallback
				ids = append(ids, seg.Terms[k].TermID)
			}
		}
		if again == nil {
			continue
		}
		text, locked, err := glossary.UnprotectLocked(again[n])
		if err != nil {
			continue // keep the first answer, its terms flagged
		}
		text = m.Decline(text, locked, ids, plan.job.Target)
		// The other terms are found again in the new answer; one lost there is flagged too.
		texts[r.i], _ = plan.placeTerms(seg, text, renderings, r.missing)
	}
	return texts
}

// placeTerms places the terms of seg in text, all but those skip marks (locked in text), and
// records how each went in: replaced, or fallback when placed by a guess. It returns the text
// and which terms were not found; those keep their method for the caller to decide.
func (p *termPlan) placeTerms(seg *tarjuma.Segment, text string, renderings map[string]string, skip []bool) (string, []bool) {
	missing := make([]bool, len(seg.Terms))
	ks := p.placeable(*seg, skip)
	if len(ks) == 0 {
		return text, missing
	}
	all := glossary.SpanMatches(*seg)
	occ := make([]glossary.Match, len(ks))
	for j, k := range ks {
		occ[j] = all[k]
	}
	text, placed := p.job.Terms.Place(text, occ, p.job.Target, renderings)
	for j, k := range ks {
		switch placed[j] {
		case glossary.Placed:
			seg.Terms[k].Method = tarjuma.TermReplaced
		case glossary.Guessed:
			seg.Terms[k].Method = tarjuma.TermFallback
		default:
			missing[k] = true
			seg.Terms[k].Method = tarjuma.TermFallback
		}
	}
	return text, missing
}

// placeable returns the indices of the terms of seg that Place should find: every term not kept
// in Arabic and not marked in skip.
func (p *termPlan) placeable(seg tarjuma.Segment, skip []bool) []int {
	var out []int
	for k, mt := range glossary.SpanMatches(seg) {
		if term, _ := p.job.Terms.Term(mt.TermID); !term.DoNotTranslate && (skip == nil || !skip[k]) {
			out = append(out, k)
		}
	}
	return out
}

// renderings returns how the engine renders each spelling on its own, keyed by
// glossary.Normalize: from the process's cache, then the store, then one request for the rest,
// which is remembered in both. A failed lookup leaves those terms to be found by the desk's
// own forms or flagged; it fails nothing.
func (t *Translator) renderings(ctx context.Context, p Provider, job Job, spellings []string) map[string]string {
	out := map[string]string{}
	byKey := map[string]string{}
	for _, s := range spellings {
		byKey[glossary.Normalize(s)] = s
	}
	var keys []string
	for key := range byKey {
		if r, ok := t.cache.get(p.Name(), job.Target, job.GlossaryVersion, key); ok {
			out[key] = r
		} else {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	if len(keys) > 0 && t.renderStore != nil {
		found, err := t.renderStore.LookupRenderings(ctx, p.Name(), job.Target, job.GlossaryVersion, keys)
		if err != nil {
			t.log.WarnContext(ctx, "looking up term renderings", "provider", p.Name(), "error", err)
		}
		keys = slices.DeleteFunc(keys, func(key string) bool {
			r, ok := found[key]
			if ok {
				out[key] = r
				t.cache.put(p.Name(), job.Target, job.GlossaryVersion, key, r)
			}
			return ok
		})
	}
	if len(keys) == 0 {
		return out
	}
	req := Request{Source: job.Source, Target: job.Target, Texts: make([]string, len(keys)),
		GlossaryVersion: job.GlossaryVersion, ArticleID: job.ArticleID}
	for i, key := range keys {
		req.Texts[i] = byKey[key]
	}
	texts, err := t.call(ctx, p, req)
	if err != nil {
		t.log.WarnContext(ctx, "asking the engine how it renders terms", "provider", p.Name(), "terms", len(keys), "error", err)
		return out
	}
	fresh := make(map[string]string, len(keys))
	for i, key := range keys {
		r := strings.TrimRightFunc(strings.TrimSpace(texts[i]), func(r rune) bool { return unicode.IsPunct(r) && r != ')' && r != '»' })
		fresh[key], out[key] = r, r
		t.cache.put(p.Name(), job.Target, job.GlossaryVersion, key, r)
	}
	if t.renderStore != nil {
		if err := t.renderStore.SaveRenderings(ctx, p.Name(), job.Target, job.GlossaryVersion, fresh); err != nil {
			t.log.WarnContext(ctx, "saving term renderings", "provider", p.Name(), "error", err)
		}
	}
	return out
}

// renderingCache keeps renderings in the process, for the newest glossary version only: an
// older version's renderings are no longer asked for.
type renderingCache struct {
	mu      sync.Mutex
	version int64
	byKey   map[string]string
}

// maxCachedRenderings bounds the cache; past it, it starts again from the store.
const maxCachedRenderings = 200_000

func (c *renderingCache) get(provider string, lang tarjuma.Lang, version int64, key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version {
		return "", false
	}
	r, ok := c.byKey[provider+"\x00"+string(lang)+"\x00"+key]
	return r, ok
}

func (c *renderingCache) put(provider string, lang tarjuma.Lang, version int64, key, rendering string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version < c.version {
		return
	}
	if version > c.version || c.byKey == nil || len(c.byKey) >= maxCachedRenderings {
		c.version, c.byKey = version, map[string]string{}
	}
	c.byKey[provider+"\x00"+string(lang)+"\x00"+key] = rendering
}
