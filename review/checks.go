package review

import (
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/qa"
)

// segmentView is one row of the editor: the source with its terms marked, the target, where
// the target came from and what a reviewer should look at.
type segmentView struct {
	Index    int
	ID       string
	Source   []sourcePiece
	Text     string // the target as the textarea shows it
	Origin   string // message id
	Provider string // the MT engine, for machine origins
	Terms    []termView
	Flags    []flag
	// Confirmed is the segment's status, the box the translator ticks.
	Confirmed bool
	// Theirs is, after a conflicting save, the text stored meanwhile when it differs from the
	// person's own, so they can compare before saving again.
	Theirs    string
	HasTheirs bool
}

// sourcePiece is a run of the source: plain text, or a glossary term with its required form.
type sourcePiece struct {
	Text     string
	TermID   string // "" for plain text
	Required string
}

// termView is a glossary term of the segment and how the target keeps to it.
type termView struct {
	ID       string
	Source   string
	Required string // the preferred target form; the source spelling for do-not-translate terms
	Result   string // glossary.FindingKind, "" while untranslated
}

// flag is one problem of a segment, as a message id and its arguments: what was found, and
// what should be there. Kind and Args are the stored flag's, which a dismissal names;
// Dismissed is the dismissal of it, if any.
type flag struct {
	ID          string
	Arg         string
	Want        string
	Kind        tarjuma.FlagKind
	Args        []string
	Dismissable bool
	Dismissed   *tarjuma.Dismissal
}

// flagView is the flag (or open issue) of kind with args as the page words it.
func flagView(kind tarjuma.FlagKind, args []string) flag {
	fl := flag{ID: "flag." + string(kind), Kind: kind, Args: args, Dismissable: qa.Dismissable(kind)}
	if len(args) > 0 {
		fl.Arg = args[0]
	}
	if len(args) > 1 {
		fl.Want = args[1]
	}
	return fl
}

// analyse builds the editor row of seg as stored: its flags and the terms' results are the
// version's, computed once when it was stored (package qa), so the page shows what the API and
// webhooks serve. The source's terms are marked against the current glossary (m; nil when it
// is empty), so a reviewer sees every term the desk has now highlighted with its form.
func analyse(i int, seg tarjuma.Segment, m *glossary.Matcher, lang tarjuma.Lang) segmentView {
	v := segmentView{Index: i, ID: seg.ID, Text: seg.Text, Confirmed: seg.Status == tarjuma.SegmentConfirmed}
	switch {
	case seg.Origin.IsMachine():
		v.Origin, v.Provider = "origin.machine", strings.TrimPrefix(string(seg.Origin), "mt:")
	case seg.Origin == tarjuma.OriginMemory, seg.Origin == tarjuma.OriginHuman, seg.Origin == tarjuma.OriginUntranslated:
		v.Origin = "origin." + string(seg.Origin)
	default:
		v.Origin = "origin.unknown"
	}
	segs := []tarjuma.Segment{seg}
	if m != nil {
		m.MarkTerms(segs)
	} else {
		segs[0].Terms = nil
	}
	v.Source = sourcePieces(segs[0], m, lang)
	results := map[string][]string{}
	for _, c := range seg.Checks {
		results[c.TermID] = append(results[c.TermID], c.Result)
	}
	for _, f := range seg.Flags {
		v.Flags = append(v.Flags, flagView(f.Kind, f.Args))
	}
	for _, p := range v.Source {
		if p.TermID == "" {
			continue
		}
		tv := termView{ID: p.TermID, Source: p.Text, Required: p.Required}
		if rs := results[p.TermID]; len(rs) > 0 {
			// Several occurrences of one term: a flagged result speaks for the row.
			tv.Result = rs[0]
			if k := slices.IndexFunc(rs, func(r string) bool { return glossary.FindingKind(r).Flagged() }); k >= 0 {
				tv.Result = rs[k]
			}
		}
		v.Terms = append(v.Terms, tv)
	}
	return v
}

// sourcePieces cuts the source at the term spans.
func sourcePieces(seg tarjuma.Segment, m *glossary.Matcher, lang tarjuma.Lang) []sourcePiece {
	spans := slices.Clone(seg.Terms)
	slices.SortFunc(spans, func(a, b tarjuma.TermSpan) int { return a.Start - b.Start })
	var out []sourcePiece
	at := 0
	for _, sp := range spans {
		if sp.Start < at || sp.End > len(seg.Source) || sp.Start >= sp.End {
			continue // overlapping or stale spans are not highlighted rather than garbled
		}
		if sp.Start > at {
			out = append(out, sourcePiece{Text: seg.Source[at:sp.Start]})
		}
		text := seg.Source[sp.Start:sp.End]
		out = append(out, sourcePiece{Text: text, TermID: sp.TermID, Required: requiredForm(m, seg, sp, lang)})
		at = sp.End
	}
	if at < len(seg.Source) {
		out = append(out, sourcePiece{Text: seg.Source[at:]})
	}
	return out
}

// requiredForm is the form the desk publishes a term in at this occurrence: the form the
// target has where the check found it right, the form its position needs where the context
// decides it (a preposition), and the preferred spelling otherwise.
func requiredForm(m *glossary.Matcher, seg tarjuma.Segment, span tarjuma.TermSpan, lang tarjuma.Lang) string {
	t, ok := m.Term(span.TermID)
	if !ok {
		return ""
	}
	for _, c := range seg.Checks {
		if c.TermID != span.TermID || c.SourceStart != span.Start {
			continue
		}
		switch {
		case c.Suggestion != "":
			return c.Suggestion
		case !glossary.FindingKind(c.Result).Flagged() && c.Start >= 0 && c.End <= len(seg.Text):
			return seg.Text[c.Start:c.End]
		}
	}
	if t.DoNotTranslate && t.Targets[lang].Preferred == "" {
		return seg.Source[span.Start:span.End]
	}
	return t.Targets[lang].Preferred
}
