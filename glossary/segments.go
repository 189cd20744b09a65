package glossary

import "github.com/tarjuma/tarjuma"

// MarkTerms records in every segment the terms its source contains, so the engine request can
// protect them and the reviewer's screen can show them, translated or not.
func (m *Matcher) MarkTerms(segs []tarjuma.Segment) {
	for i := range segs {
		segs[i].Terms = nil
		for _, match := range m.Match(segs[i].Source) {
			segs[i].Terms = append(segs[i].Terms, tarjuma.TermSpan{TermID: match.TermID, Start: match.Start, End: match.End})
		}
	}
}

// CheckSegments records how every translated segment keeps to the glossary (see Check), from
// the terms MarkTerms found. Untranslated segments get no checks: their text is the source.
func (m *Matcher) CheckSegments(segs []tarjuma.Segment, lang tarjuma.Lang) {
	for i, s := range segs {
		segs[i].Checks = nil
		if s.Origin == tarjuma.OriginUntranslated {
			continue
		}
		for _, f := range m.Check(SpanMatches(s), s.Text, lang) {
			segs[i].Checks = append(segs[i].Checks, tarjuma.TermCheck{TermID: f.TermID, Result: string(f.Kind), Form: f.Form, Start: f.Start, End: f.End})
		}
	}
}

// Annotate marks the terms of every segment and checks its text against them, as every stored
// version needs. A nil matcher (an empty glossary) clears both.
func (m *Matcher) Annotate(segs []tarjuma.Segment, lang tarjuma.Lang) {
	if m == nil {
		for i := range segs {
			segs[i].Terms, segs[i].Checks = nil, nil
		}
		return
	}
	m.MarkTerms(segs)
	m.CheckSegments(segs, lang)
}

// SpanMatches turns a segment's recorded term spans back into matches.
func SpanMatches(s tarjuma.Segment) []Match {
	matches := make([]Match, len(s.Terms))
	for i, span := range s.Terms {
		matches[i] = Match{TermID: span.TermID, Start: span.Start, End: span.End, Text: s.Source[span.Start:span.End]}
	}
	return matches
}
