package glossary

import "github.com/tarjuma/tarjuma"

// MarkTerms records in every segment the terms its source contains, so the engine request can
// protect them and the reviewer's screen can show them, translated or not. A term found where
// it was before keeps the method that translated it.
func (m *Matcher) MarkTerms(segs []tarjuma.Segment) {
	for i := range segs {
		before := segs[i].Terms
		segs[i].Terms = nil
		for _, match := range m.Match(segs[i].Source) {
			span := tarjuma.TermSpan{TermID: match.TermID, Start: match.Start, End: match.End}
			for _, b := range before {
				if b.TermID == span.TermID && b.Start == span.Start && b.End == span.End {
					span.Method = b.Method
				}
			}
			segs[i].Terms = append(segs[i].Terms, span)
		}
	}
}

// CheckSegments records how every translated segment keeps to the glossary (see Check), from
// the terms MarkTerms found. Untranslated segments get no checks: their text is the source. In
// a machine translation, a term the pipeline could only put in locked in its nominative
// (TermFallback) is flagged unverified even where the check finds it, since the case it needs
// is unknown.
func (m *Matcher) CheckSegments(segs []tarjuma.Segment, lang tarjuma.Lang) {
	for i, s := range segs {
		segs[i].Checks = nil
		if s.Origin == tarjuma.OriginUntranslated {
			continue
		}
		for _, f := range m.Check(SpanMatches(s), s.Text, lang) {
			if s.Origin.IsMachine() && !f.Kind.Flagged() && fellBack(s.Terms, f) {
				f.Kind = FindingUnverified
			}
			segs[i].Checks = append(segs[i].Checks, tarjuma.TermCheck{TermID: f.TermID, Result: string(f.Kind), Form: f.Form,
				Case: string(f.Case), Suggestion: f.Suggestion, Start: f.Start, End: f.End, SourceStart: f.SourceStart})
		}
	}
}

// fellBack reports whether the source occurrence f answers went in as a fallback.
func fellBack(spans []tarjuma.TermSpan, f Finding) bool {
	for _, s := range spans {
		if s.TermID == f.TermID && s.Start == f.SourceStart && s.Method == tarjuma.TermFallback {
			return true
		}
	}
	return false
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
