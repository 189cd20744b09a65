// Package qa owns the quality checks of a translation version: glossary adherence, numbers,
// empty and untranslated text, bidi controls. It exists so that the checks run once, when a
// version is stored (the worker for machine versions, the desk for a person's), and the API,
// the review pages, webhooks and metrics all serve those stored results instead of each
// computing its own. It does no I/O.
package qa

import (
	"strings"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/numeral"
)

// The flag kinds. The text checks come first in a segment's flags, then the glossary's in the
// order of its checks. Args per kind: none for empty, untranslated and bidi; the number (ASCII
// digits, "." as decimal mark) for number_missing and number_extra; the glossary form expected
// for term_missing and the form found for term_unexpected; the text found and the desk's form
// for term_wrong_form and term_wrong_case; the text found for term_unverified.
const (
	Empty          = tarjuma.FlagKind(tarjuma.IssueEmpty)
	Untranslated   = tarjuma.FlagKind(tarjuma.IssueUntranslated)
	NumberMissing  = tarjuma.FlagKind("number_missing")
	NumberExtra    = tarjuma.FlagKind("number_extra")
	Bidi           = tarjuma.FlagKind("bidi")
	TermMissing    = tarjuma.FlagKind("term_" + glossary.FindingMissing)
	TermUnexpected = tarjuma.FlagKind("term_" + glossary.FindingUnexpected)
	TermWrongForm  = tarjuma.FlagKind("term_" + glossary.FindingWrongForm)
	TermWrongCase  = tarjuma.FlagKind("term_" + glossary.FindingWrongCase)
	TermUnverified = tarjuma.FlagKind("term_" + glossary.FindingUnverified)
)

// Check runs every check on the segments of a version about to be stored: it marks the
// glossary terms of each source and checks the text against them (glossary.Matcher.Annotate;
// m nil for an empty glossary), then records the segment's flags. Every path that stores a
// version calls it, so what is stored is what is served.
func Check(m *glossary.Matcher, segs []tarjuma.Segment, lang tarjuma.Lang) {
	m.Annotate(segs, lang)
	for i := range segs {
		segs[i].Flags = Flags(segs[i])
	}
}

// Flags returns the flags of a segment whose glossary checks are done (seg.Checks): never nil,
// so a checked segment without findings is told from one never checked. The store calls it
// alone for versions stored before the flags were: their glossary checks were stored, and the
// rest needs only the text.
func Flags(seg tarjuma.Segment) []tarjuma.Flag {
	flags := []tarjuma.Flag{}
	add := func(kind tarjuma.FlagKind, args ...string) {
		flags = append(flags, tarjuma.Flag{Kind: kind, Args: args})
	}
	switch issue := seg.TextIssue(); issue {
	case tarjuma.IssueEmpty, tarjuma.IssueUntranslated:
		add(tarjuma.FlagKind(issue))
	default:
		missing, extra := numberMismatch(seg.Source, seg.Text)
		for _, n := range missing {
			add(NumberMissing, n)
		}
		for _, n := range extra {
			add(NumberExtra, n)
		}
	}
	if hasBidiControl(seg.Text) || hasBidiControl(seg.Source) {
		add(Bidi)
	}
	for _, c := range seg.Checks {
		found := ""
		if c.Start >= 0 && c.Start <= c.End && c.End <= len(seg.Text) {
			found = seg.Text[c.Start:c.End]
		}
		want := c.Suggestion
		if want == "" {
			want = c.Form
		}
		switch kind := glossary.FindingKind(c.Result); kind {
		case glossary.FindingMissing, glossary.FindingUnexpected:
			add(tarjuma.FlagKind("term_"+kind), c.Form)
		case glossary.FindingWrongForm, glossary.FindingWrongCase:
			add(tarjuma.FlagKind("term_"+kind), found, want)
		case glossary.FindingUnverified:
			add(TermUnverified, found)
		}
	}
	return flags
}

// IsBidiControl reports the embedding, override and isolate controls (U+202A–U+202E,
// U+2066–U+2069), which can make text read differently from how it is stored (CVE-2021-42574).
// LRM, RLM and ALM are left alone: Arabic text uses them legitimately and they reorder nothing
// around them.
func IsBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// hasBidiControl reports whether s contains one of the controls IsBidiControl names.
func hasBidiControl(s string) bool { return strings.IndexFunc(s, IsBidiControl) >= 0 }

// numberMismatch returns the numbers of source missing from target and those of target not in
// source, each as often as it is unmatched, in numbers' canonical form.
func numberMismatch(source, target string) (missing, extra []string) {
	want := map[string]int{}
	for _, n := range numbers(source) {
		want[n]++
	}
	for _, n := range numbers(target) {
		if want[n] > 0 {
			want[n]--
			continue
		}
		extra = append(extra, n)
	}
	for _, n := range numbers(source) {
		if want[n] > 0 {
			want[n]--
			missing = append(missing, n)
		}
	}
	return missing, extra
}

// numbers returns the numbers in s in numeral.Scan's canonical form, so "1,000", "1 000",
// "١٬٠٠٠" and "1000" are one number.
func numbers(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := numeral.Digit(r); !ok {
			i += size
			continue
		}
		end, value := numeral.Scan(s, i)
		out = append(out, value)
		i = end
	}
	return out
}

// Blocks reports whether a flag of kind k keeps a version from being approved without an
// override: what would publish something wrong (a number, a glossary name, an invisible
// direction control, Arabic or nothing). term_unverified does not block: it asks the
// translator to check a case, and her confirming the segment is that check.
func Blocks(k tarjuma.FlagKind) bool {
	switch k {
	case Empty, Untranslated, NumberMissing, NumberExtra, Bidi, TermMissing, TermUnexpected, TermWrongForm, TermWrongCase:
		return true
	}
	return false
}

// Dismissable reports whether a flag of kind k may be dismissed as a false positive. Empty and
// untranslated are facts of the text, not judgements a check can get wrong: publishing them
// anyway is an approval override, recorded with the approval.
func Dismissable(k tarjuma.FlagKind) bool { return k != Empty && k != Untranslated }

// OpenIssues returns what keeps v from being approved, segment by segment in order, title
// included: an empty or untranslated text, a segment nobody confirmed, and each blocking flag
// (Blocks) no dismissal answers. nil when there is nothing. The store's approval and the
// desk's approve form both ask here, so the reviewer is shown exactly what blocks.
func OpenIssues(v tarjuma.Version, dismissed []tarjuma.Dismissal) []tarjuma.Issue {
	var out []tarjuma.Issue
	for _, s := range v.Segments {
		if k := s.TextIssue(); k != "" {
			out = append(out, tarjuma.Issue{SegmentID: s.ID, Kind: k})
		}
		if s.Status != tarjuma.SegmentConfirmed {
			out = append(out, tarjuma.Issue{SegmentID: s.ID, Kind: tarjuma.IssueUnconfirmed})
		}
		for _, f := range s.Flags {
			if f.Kind == Empty || f.Kind == Untranslated || !Blocks(f.Kind) || IsDismissed(dismissed, s.ID, f) {
				continue // the text issue above already says empty or untranslated
			}
			out = append(out, tarjuma.Issue{SegmentID: s.ID, Kind: tarjuma.IssueKind(f.Kind), Args: f.Args})
		}
	}
	return out
}

// IsDismissed reports whether one of ds dismisses flag f of segment id.
func IsDismissed(ds []tarjuma.Dismissal, id string, f tarjuma.Flag) bool {
	for _, d := range ds {
		if d.Dismisses(id, f) {
			return true
		}
	}
	return false
}
