package review

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
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
// what should be there.
type flag struct {
	ID   string
	Arg  string
	Want string
}

// analyse builds the editor row of seg: the glossary terms and adherence are computed afresh
// against the current glossary (m; nil when it is empty), as a CAT tool's live QA would, so a
// term added since the machine draft is already checked.
func analyse(i int, seg tarjuma.Segment, m *glossary.Matcher, lang tarjuma.Lang) segmentView {
	v := segmentView{Index: i, ID: seg.ID, Text: seg.Text}
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
		m.CheckSegments(segs, lang)
	} else {
		segs[0].Terms, segs[0].Checks = nil, nil
	}
	seg = segs[0]
	v.Source = sourcePieces(seg, m, lang)
	results := map[string][]string{}
	for _, c := range seg.Checks {
		results[c.TermID] = append(results[c.TermID], c.Result)
		found := ""
		if c.Start >= 0 && c.End <= len(seg.Text) {
			found = seg.Text[c.Start:c.End]
		}
		want := c.Suggestion
		if want == "" {
			want = c.Form
		}
		switch glossary.FindingKind(c.Result) {
		case glossary.FindingMissing:
			v.Flags = append(v.Flags, flag{ID: "flag.term_missing", Arg: c.Form})
		case glossary.FindingUnexpected:
			v.Flags = append(v.Flags, flag{ID: "flag.term_unexpected", Arg: c.Form})
		case glossary.FindingWrongForm:
			v.Flags = append(v.Flags, flag{ID: "flag.term_wrong_form", Arg: found, Want: want})
		case glossary.FindingWrongCase:
			v.Flags = append(v.Flags, flag{ID: "flag.term_wrong_case", Arg: found, Want: want})
		case glossary.FindingUnverified:
			v.Flags = append(v.Flags, flag{ID: "flag.term_unverified", Arg: found})
		}
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
	v.Flags = append(textFlags(seg), v.Flags...)
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

// textFlags are the checks that need no glossary: an empty or untranslated target (the open
// issues that block an approval, as tarjuma.Segment.TextIssue defines them), numbers that
// differ from the source's, and bidi controls.
func textFlags(seg tarjuma.Segment) []flag {
	var flags []flag
	switch issue := seg.TextIssue(); issue {
	case tarjuma.IssueEmpty, tarjuma.IssueUntranslated:
		flags = append(flags, flag{ID: "flag." + string(issue)})
	default:
		missing, extra := numberMismatch(seg.Source, seg.Text)
		for _, n := range missing {
			flags = append(flags, flag{ID: "flag.number_missing", Arg: n})
		}
		for _, n := range extra {
			flags = append(flags, flag{ID: "flag.number_extra", Arg: n})
		}
	}
	if hasBidiControl(seg.Text) || hasBidiControl(seg.Source) {
		flags = append(flags, flag{ID: "flag.bidi"})
	}
	return flags
}

// numberMismatch returns the numbers of source missing from target and those of target not in
// source, each as often as it is unmatched.
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

// digit maps ASCII, Arabic-Indic (٠–٩) and Extended Arabic-Indic (۰–۹, Persian and Urdu) digits
// to their value, so ٢٠٢٤ in the source matches 2024 in the target.
func digit(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= 0x0660 && r <= 0x0669:
		return byte('0' + r - 0x0660), true
	case r >= 0x06F0 && r <= 0x06F9:
		return byte('0' + r - 0x06F0), true
	}
	return 0, false
}

// numbers returns the numbers in s in a canonical form: ASCII digits, no grouping, "." as the
// decimal mark. Grouping is ٬ (Arabic thousands separator), a space, no-break space or narrow
// no-break space, or a comma, each followed by exactly three digits; the decimal mark is ٫
// (Arabic decimal separator), "." or a comma followed by other than three digits (Russian and
// Tajik write 3,5). So "1,000", "1 000", "١٬٠٠٠" and "1000" are one number, "٣٫٥" and "3,5" another.
func numbers(s string) []string {
	var out []string
	var cur []byte
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if d, ok := digit(r); ok {
			cur = append(cur, d)
			continue
		}
		if len(cur) == 0 {
			continue
		}
		run := digitsAhead(s[i:])
		switch {
		case run == 0:
			flush()
		case r == '٬' || r == ' ' || r == 0x00A0 || r == 0x202F:
			if run != 3 {
				flush()
			}
		case r == ',':
			if run != 3 {
				cur = append(cur, '.')
			}
		case r == '٫' || r == '.':
			cur = append(cur, '.')
		default:
			flush()
		}
	}
	flush()
	return out
}

// digitsAhead counts the digits at the start of s.
func digitsAhead(s string) int {
	n := 0
	for _, r := range s {
		if _, ok := digit(r); !ok {
			break
		}
		n++
	}
	return n
}
