// Package qa owns the quality checks of a translation version: glossary adherence, numbers
// (digits of every script and number words), empty and untranslated text, the target's script
// (legacy Tajik glyphs, Latin look-alikes in Cyrillic words, Arabic letters and digits),
// punctuation (Arabic marks, brackets and quotes, a lost question mark), spacing, and bidi
// controls. It exists so that the checks run once, when a
// version is stored (the worker for machine versions, the desk for a person's), and the API,
// the review pages, webhooks and metrics all serve those stored results instead of each
// computing its own. It does no I/O.
package qa

import (
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

// The flag kinds. The text checks come first in a segment's flags, then the glossary's in the
// order of its checks. Args per kind: none for empty, untranslated and bidi; the number (ASCII
// digits, "." as decimal mark) for number_missing and number_extra; the glossary form expected
// for term_missing and the form found for term_unexpected; the text found and the desk's form
// for term_wrong_form and term_wrong_case; the text found for term_unverified. The text checks
// of text.go: for legacy_glyph and mixed_script the word found and, when the check knows it, the
// word meant; for foreign_script the Arabic-script stretch; for arabic_digits and
// arabic_punctuation what was written and the target's way of writing it; for unbalanced the
// first unpaired bracket or quote; for end_punctuation the source's final mark; for
// space_before_punctuation the first mark a space precedes; none for double_space.
const (
	Empty         = tarjuma.FlagKind(tarjuma.IssueEmpty)
	Untranslated  = tarjuma.FlagKind(tarjuma.IssueUntranslated)
	NumberMissing = tarjuma.FlagKind("number_missing")
	NumberExtra   = tarjuma.FlagKind("number_extra")
	Bidi          = tarjuma.FlagKind("bidi")

	LegacyGlyph            = tarjuma.FlagKind("legacy_glyph")
	MixedScript            = tarjuma.FlagKind("mixed_script")
	ForeignScript          = tarjuma.FlagKind("foreign_script")
	ArabicDigits           = tarjuma.FlagKind("arabic_digits")
	ArabicPunctuation      = tarjuma.FlagKind("arabic_punctuation")
	Unbalanced             = tarjuma.FlagKind("unbalanced")
	EndPunctuation         = tarjuma.FlagKind("end_punctuation")
	SpaceBeforePunctuation = tarjuma.FlagKind("space_before_punctuation")
	DoubleSpace            = tarjuma.FlagKind("double_space")

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
//
// One problem gives one flag: a term that is only missing because a word of it is written with
// a legacy glyph or a Latin look-alike (the script flag's fix would mend it) is not flagged as
// a term too; so Check asks the glossary again about the text with the script fixed.
func Check(m *glossary.Matcher, segs []tarjuma.Segment, lang tarjuma.Lang) {
	m.Annotate(segs, lang)
	for i := range segs {
		segs[i].Flags = flags(segs[i], lang)
		if m == nil || len(segs[i].Checks) == 0 {
			continue
		}
		fixed := segs[i]
		for _, f := range segs[i].Flags {
			if f.Kind == LegacyGlyph || f.Kind == MixedScript {
				fixed.Text, _ = Fix(fixed.Text, lang, f)
			}
		}
		if fixed.Text == segs[i].Text {
			continue
		}
		fixed.Terms, fixed.Checks = nil, nil
		one := []tarjuma.Segment{fixed}
		m.Annotate(one, lang)
		segs[i].Flags = slices.DeleteFunc(segs[i].Flags, func(f tarjuma.Flag) bool {
			return strings.HasPrefix(string(f.Kind), "term_") && !slices.ContainsFunc(one[0].Checks, func(c tarjuma.TermCheck) bool {
				g, ok := termFlag(c, one[0].Text)
				return ok && g.Kind == f.Kind && (len(g.Args) == 0 || len(f.Args) == 0 || g.Args[len(g.Args)-1] == f.Args[len(f.Args)-1])
			})
		})
	}
}

// Flags returns the flags of a segment whose glossary checks are done (seg.Checks): never nil,
// so a checked segment without findings is told from one never checked. The store calls it
// alone for versions stored before the flags were: their glossary checks were stored, and the
// rest needs only the text (read as no particular target language: the one choice that needs
// it, which way a look-alike letter is mended, goes by the word's majority).
func Flags(seg tarjuma.Segment) []tarjuma.Flag { return flags(seg, "") }

// flags is Flags with the target language known. An empty or untranslated text is one flag
// and no other check of the text reads it: not the numbers, not the glossary (every term of
// an empty text is missing, which says nothing more).
func flags(seg tarjuma.Segment, lang tarjuma.Lang) []tarjuma.Flag {
	flags := []tarjuma.Flag{}
	add := func(kind tarjuma.FlagKind, args ...string) {
		flags = append(flags, tarjuma.Flag{Kind: kind, Args: args})
	}
	issue := seg.TextIssue()
	switch issue {
	case tarjuma.IssueEmpty, tarjuma.IssueUntranslated:
		add(tarjuma.FlagKind(issue))
	default:
		missing, extra := numberMismatch(seg, lang)
		for _, n := range missing {
			add(NumberMissing, n)
		}
		for _, n := range extra {
			add(NumberExtra, n)
		}
		for _, f := range textFindings(seg, lang) {
			flags = append(flags, f.flag)
		}
	}
	if hasBidiControl(seg.Text) || hasBidiControl(seg.Source) {
		add(Bidi)
	}
	for _, c := range seg.Checks {
		if issue != "" {
			break
		}
		if f, ok := termFlag(c, seg.Text); ok {
			flags = append(flags, f)
		}
	}
	return flags
}

// termFlag is the flag of a glossary finding c about text, if it is flagged.
func termFlag(c tarjuma.TermCheck, text string) (tarjuma.Flag, bool) {
	found := ""
	if c.Start >= 0 && c.Start <= c.End && c.End <= len(text) {
		found = text[c.Start:c.End]
	}
	want := c.Suggestion
	if want == "" {
		want = c.Form
	}
	switch kind := glossary.FindingKind(c.Result); kind {
	case glossary.FindingMissing, glossary.FindingUnexpected:
		return tarjuma.Flag{Kind: tarjuma.FlagKind("term_" + kind), Args: []string{c.Form}}, true
	case glossary.FindingWrongForm, glossary.FindingWrongCase:
		return tarjuma.Flag{Kind: tarjuma.FlagKind("term_" + kind), Args: []string{found, want}}, true
	case glossary.FindingUnverified:
		return tarjuma.Flag{Kind: TermUnverified, Args: []string{found}}, true
	}
	return tarjuma.Flag{}, false
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

// Blocks reports whether a flag of kind k keeps a version from being approved without an
// override: what would publish something wrong (a number, a glossary name, an invisible
// direction control, Arabic or nothing, letters a reader or a search engine takes for others,
// Arabic digits or marks, an unpaired bracket or quote). term_unverified does not block: it
// asks the translator to check a case, and her confirming the segment is that check; nor do
// the typographic ones (spacing, a question or exclamation mark rephrased away), which are
// judgements for the reviewer to see.
func Blocks(k tarjuma.FlagKind) bool {
	switch k {
	case Empty, Untranslated, NumberMissing, NumberExtra, Bidi, TermMissing, TermUnexpected, TermWrongForm, TermWrongCase,
		LegacyGlyph, MixedScript, ForeignScript, ArabicDigits, ArabicPunctuation, Unbalanced:
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
