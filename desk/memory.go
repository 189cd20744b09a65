package desk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/diff"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/memory"
	"github.com/tarjuma/tarjuma/store"
)

// Freshness of the in-process memory index. The database is the memory's truth, shared by every
// replica; each keeps an index and reads what changed since it last looked, at most every
// memoryRefresh. Each read goes back memoryOverlap before the newest change it saw, because a
// write stamps its time before it commits: an import of 100,000 units can commit seconds after
// an approval stamped later was read. Entries read twice are replaced by themselves.
const (
	memoryRefresh = 2 * time.Second
	memoryOverlap = time.Minute
)

// memoryIndex is the desk's in-process copy of the translation memory (see memory.Index).
type memoryIndex struct {
	mu      sync.Mutex // one refresh at a time
	index   *memory.Index
	loaded  bool
	checked time.Time // when the store was last asked
	newest  time.Time // the newest updated_at read
}

// memory returns the index, first reading what changed in the store if it was last asked more
// than memoryRefresh ago, or if force.
func (d *Desk) memory(ctx context.Context, force bool) (*memory.Index, error) {
	m := d.tm
	m.mu.Lock()
	defer m.mu.Unlock()
	now := d.now()
	if m.loaded && !force && now.Sub(m.checked) < memoryRefresh {
		return m.index, nil
	}
	since := time.Time{}
	if m.loaded {
		since = m.newest.Add(-memoryOverlap)
	}
	changed, err := d.db.MemoryChangedSince(ctx, since)
	if err != nil {
		return nil, err
	}
	entries := make([]memory.Entry, 0, len(changed))
	for _, e := range changed {
		if e.Source != tarjuma.Arabic {
			continue
		}
		entries = append(entries, memory.Entry{Source: e.Key, Lang: e.Target, Text: e.Text, Changed: e.UpdatedAt})
		if e.UpdatedAt.After(m.newest) {
			m.newest = e.UpdatedAt
		}
	}
	m.index.Add(entries...)
	m.loaded, m.checked = true, now
	return m.index, nil
}

// MemoryImport is what an import did: translations added (a source new in its language),
// updated (a new text for a source), unchanged (stored already), and skipped (in a language the
// desk does not translate into, of a <tu> with a problem, or repeated later in the file, which
// wins), with the problems found.
type MemoryImport struct {
	Added, Updated, Unchanged, Skipped int
	Problems                           []memory.Problem
}

// ImportMemory reads a TMX 1.4b file from Arabic and merges its translations into the
// translation memory. Only admins may: an imported translation fills every later draft of its
// sentence on its own, the way an approved one does, so a bulk import is a decision about the
// desk's wording, like a glossary import, not a review of one text.
func (d *Desk) ImportMemory(ctx context.Context, a Actor, r io.Reader) (MemoryImport, error) {
	if err := allow(isAdmin(a), a, "import a translation memory"); err != nil {
		return MemoryImport{}, err
	}
	read, err := memory.ReadTMX(r)
	if fe := (*memory.FormatError)(nil); errors.As(err, &fe) {
		kind := tarjuma.ErrInvalid
		if fe.Code == "invalid_text" {
			kind = ErrMalformed
		}
		e := refuse(kind, fe.Code, "", "%s", fe.Error())
		e.Err = fe
		return MemoryImport{}, e
	}
	if err != nil {
		return MemoryImport{}, err
	}
	res := MemoryImport{Skipped: read.Skipped, Problems: read.Problems}
	type slot struct {
		lang tarjuma.Lang
		key  string
	}
	last := map[slot]int{}
	for i, e := range read.Entries {
		last[slot{e.Lang, e.Source}] = i
	}
	var entries []store.MemoryEntry
	for i, e := range read.Entries {
		if last[slot{e.Lang, e.Source}] != i {
			res.Skipped++
			continue
		}
		entries = append(entries, store.MemoryEntry{Source: tarjuma.Arabic, Target: e.Lang, Key: e.Source, Text: e.Text})
	}
	counts, err := d.db.ImportMemory(ctx, entries)
	if err != nil {
		return MemoryImport{}, err
	}
	res.Added, res.Updated, res.Unchanged = counts.Added, counts.Updated, counts.Unchanged
	if _, err := d.memory(ctx, true); err != nil {
		return MemoryImport{}, fmt.Errorf("refresh the memory index: %w", err)
	}
	return res, nil
}

// ExportMemory writes the memory as TMX 1.4b: every translation, or those into lang. It
// returns how many translations it left out because XML cannot carry a character of theirs.
func (d *Desk) ExportMemory(ctx context.Context, w io.Writer, lang tarjuma.Lang) (skipped int, err error) {
	tw := memory.NewWriter(w, d.now())
	err = d.db.EachMemoryEntry(ctx, lang, func(e store.MemoryEntry) error {
		if e.Source != tarjuma.Arabic {
			return nil
		}
		return tw.Add(memory.Entry{Source: e.Key, Lang: e.Target, Text: e.Text, Changed: e.UpdatedAt})
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return tw.Skipped, fmt.Errorf("export memory: %w", err)
	}
	return tw.Skipped, nil
}

// SearchMemory is the concordance: approved translations whose Arabic source or text holds
// the words of q (see memory.Index.Search), offset and limit paging them.
func (d *Desk) SearchMemory(ctx context.Context, q string, lang tarjuma.Lang, offset, limit int) ([]memory.Hit, int, error) {
	x, err := d.memory(ctx, false)
	if err != nil {
		return nil, 0, err
	}
	hits, total := x.Search(q, lang, offset, limit)
	return hits, total, nil
}

// The origins of suggestions.
const (
	SuggestRepetition = "repetition"
	SuggestMemory     = "memory"
	SuggestMachine    = "machine"
	SuggestGlossary   = "glossary"
)

// maxMemorySuggestions is how many memory matches a segment is offered: a panel of a handful,
// like MateCat's three and memoQ's five.
const maxMemorySuggestions = 5

// Suggestion is something a translator may insert into a segment; the desk never inserts one
// itself (a fuzzy match one word off can say the opposite).
type Suggestion struct {
	Text   string
	Source string // the Arabic the text translates: the memory's sentence, or the term as written
	// Score is a memory match's similarity to the segment's source, 0–100 (memory.Threshold
	// explains it), and 100 for a repetition; suggestions from elsewhere carry 0.
	Score  int
	Origin string // SuggestRepetition, SuggestMemory, SuggestMachine or SuggestGlossary
	// Diff turns the memory's source into the segment's, word by word.
	Diff []diff.Span
	// Adapted lists the numbers and glossary terms changed in a memory match's text to fit
	// the segment (memory.Adapt).
	Adapted []memory.Replacement
	// TermID and Forms are a glossary entry's: its id and every form the desk accepts,
	// the preferred one first.
	TermID  string
	Forms   []string
	Segment string    // a repetition's: the segment of this article whose text it is
	Changed time.Time // when a memory match was last written
}

// Suggestions are what the translator of one segment may insert, best first, and the other
// segments of the article with the same source sentence (its repetitions), which a fix to
// this one may be applied to.
type Suggestions struct {
	Suggestions []Suggestion
	Repeats     []string
}

// Suggestions lists what the translator of a segment may insert: the text she saved or
// confirmed at a repetition of its sentence elsewhere in the article, memory matches scoring
// at least memory.Threshold best first (adapted where only numbers and glossary terms
// differ), then the machine draft, then the glossary's entries for the terms of the segment's
// source. tarjuma.ErrNotFound when the translation or segment does not exist.
func (d *Desk) Suggestions(ctx context.Context, articleID int64, lang tarjuma.Lang, segmentID string) (Suggestions, error) {
	versions, err := d.db.Versions(ctx, articleID, lang)
	if err != nil {
		return Suggestions{}, err
	}
	if len(versions) == 0 {
		return Suggestions{}, fmt.Errorf("translation %d/%s has no version yet: %w", articleID, lang, tarjuma.ErrNotFound)
	}
	latest := versions[len(versions)-1]
	i := slices.IndexFunc(latest.Segments, func(s tarjuma.Segment) bool { return s.ID == segmentID })
	if i < 0 {
		return Suggestions{}, fmt.Errorf("segment %q of %d/%s: %w", segmentID, articleID, lang, tarjuma.ErrNotFound)
	}
	seg := latest.Segments[i]
	var out Suggestions
	out.Suggestions, out.Repeats = repetitions(latest.Segments, i)
	x, err := d.memory(ctx, false)
	if err != nil {
		return Suggestions{}, err
	}
	g, _, err := d.glossary.Current(ctx)
	if err != nil {
		return Suggestions{}, err
	}
	var segTerms []memory.TermAt
	for _, m := range x.Fuzzy(seg.Source, lang, maxMemorySuggestions) {
		sg := Suggestion{Text: m.Text, Source: m.Source, Score: m.Score, Origin: SuggestMemory,
			Diff: diff.Words(m.Source, seg.Source), Adapted: m.Adapted, Changed: m.Changed}
		if m.Adapted == nil && m.Score < 99 && g != nil {
			if segTerms == nil {
				segTerms = termsAt(g, seg.Source, lang)
			}
			if text, changed, ok := memory.Adapt(m.Text, m.Source, seg.Source, termsAt(g, m.Source, lang), segTerms); ok {
				sg.Text, sg.Adapted = text, changed
			}
		}
		out.Suggestions = append(out.Suggestions, sg)
	}
	if text, ok := machineDraft(versions, seg); ok {
		out.Suggestions = append(out.Suggestions, Suggestion{Text: text, Source: seg.Source, Origin: SuggestMachine})
	}
	if g != nil {
		out.Suggestions = append(out.Suggestions, termSuggestions(g, seg.Source, lang)...)
	}
	return out, nil
}

// repetitions finds the segments other than segs[i] with the same source sentence. It
// suggests the texts a translator gave them, confirmed ones first, then saved ones, each in
// the article's order and each text once: the fix she made to the first is offered at the
// others. Drafts nobody touched (machine or memory text, unconfirmed) are not offered.
func repetitions(segs []tarjuma.Segment, i int) ([]Suggestion, []string) {
	key := glossary.MemoryKey(segs[i].Source)
	var repeats []string
	var confirmed, saved []Suggestion
	for j, s := range segs {
		if j == i || glossary.MemoryKey(s.Source) != key {
			continue
		}
		repeats = append(repeats, s.ID)
		fixed := s.Status == tarjuma.SegmentConfirmed || s.Origin == tarjuma.OriginHuman
		if !fixed || s.Origin == tarjuma.OriginUntranslated || s.Text == segs[i].Text {
			continue
		}
		sg := Suggestion{Text: s.Text, Source: s.Source, Score: 100, Origin: SuggestRepetition, Segment: s.ID}
		if s.Status == tarjuma.SegmentConfirmed {
			confirmed = append(confirmed, sg)
		} else {
			saved = append(saved, sg)
		}
	}
	var out []Suggestion
	for _, sg := range append(confirmed, saved...) {
		if !slices.ContainsFunc(out, func(o Suggestion) bool { return o.Text == sg.Text }) {
			out = append(out, sg)
		}
	}
	return out, repeats
}

// machineDraft is the newest machine text of seg's source among the versions.
func machineDraft(versions []tarjuma.Version, seg tarjuma.Segment) (string, bool) {
	for _, v := range slices.Backward(versions) {
		for _, s := range v.Segments {
			if s.ID == seg.ID && s.Source == seg.Source && s.Origin.IsMachine() {
				return s.Text, true
			}
		}
	}
	return "", false
}

// termSuggestions lists the glossary's entries for the terms in source, each once.
func termSuggestions(g *glossary.Matcher, source string, lang tarjuma.Lang) []Suggestion {
	var out []Suggestion
	seen := map[string]bool{}
	for _, match := range g.Match(source) {
		t, ok := g.Term(match.TermID)
		if !ok || seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		forms := termForms(t, lang, match.Text)
		if len(forms) == 0 {
			continue
		}
		out = append(out, Suggestion{Text: forms[0], Source: match.Text, Origin: SuggestGlossary, TermID: t.ID, Forms: forms})
	}
	return out
}

// termsAt finds the glossary's terms in source with the forms of their translations in lang
// by grammatical form, for memory.Adapt. A term kept in Arabic is its own translation.
func termsAt(g *glossary.Matcher, source string, lang tarjuma.Lang) []memory.TermAt {
	var out []memory.TermAt
	for _, match := range g.Match(source) {
		t, ok := g.Term(match.TermID)
		if !ok {
			continue
		}
		at := memory.TermAt{Start: match.Start, End: match.End, ID: t.ID}
		if t.DoNotTranslate {
			at.Forms = []memory.TermForm{{Form: string(inflect.Nom), Text: match.Text}}
		}
		for _, p := range t.Paradigms(lang) {
			for _, f := range inflect.FormsOf(lang) {
				if text := p.Forms[f]; text != "" {
					at.Forms = append(at.Forms, memory.TermForm{Form: string(f), Text: text})
				}
			}
		}
		out = append(out, at)
	}
	return out
}

// termForms lists the forms of t the desk accepts in lang, the preferred one first: the
// spellings and every grammatical form of each, or the Arabic as written for a term kept in
// Arabic.
func termForms(t glossary.Term, lang tarjuma.Lang, written string) []string {
	if t.DoNotTranslate {
		return []string{written}
	}
	var forms []string
	add := func(s string) {
		if s != "" && !slices.Contains(forms, s) {
			forms = append(forms, s)
		}
	}
	for _, p := range t.Paradigms(lang) {
		add(p.Lemma)
		for _, f := range inflect.FormsOf(lang) {
			add(p.Forms[f])
		}
	}
	return forms
}
