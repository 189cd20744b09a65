package glossary

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// Kind classifies a term; reviewers filter by it and the desk's style rules differ per kind.
type Kind string

// The kinds of term the desk keeps.
const (
	KindPerson       Kind = "person"
	KindTitle        Kind = "title"
	KindOrganization Kind = "organization"
	KindPlace        Kind = "place"
	KindEvent        Kind = "event"
	KindOther        Kind = "other"
)

// Kinds lists every kind, for validating filters.
func Kinds() []Kind {
	return []Kind{KindPerson, KindTitle, KindOrganization, KindPlace, KindEvent, KindOther}
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Forms are the spellings of a term in one target language: the one the desk publishes, and
// alternatives a reviewer lets through (an acronym, an older official form). Each spelling is
// held in the nominative; its other grammatical forms are generated (see Term.Paradigm), and
// Overrides corrects the generator once and for all where it is wrong or undecided.
type Forms struct {
	Preferred string
	Accepted  []string
	// Overrides maps a spelling (Preferred or one of Accepted) to the forms the terminologist
	// wrote for it: Overrides["Рахмон"][inflect.Ins] = "Рахмоном".
	Overrides map[string]map[inflect.Form]string
	// Stored holds, per spelling, the forms as the generator made them when the term was last
	// saved: a glossary version keeps its forms whatever a later generator would make of them.
	// The store fills it; a term built from a person's input has none and is generated afresh.
	Stored map[string]map[inflect.Form]string
}

// Term is one entry of the term base: a name or title and how the desk writes it in every
// target language.
type Term struct {
	ID     string // stable slug: lowercase ASCII letters and digits in words joined by single hyphens, starting with a letter
	Kind   Kind
	Arabic []string // source spellings met on the wire; matching folds the rest (hamza, ى/ي, ة/ه, …)
	// Targets holds the forms per target language. A term that is not DoNotTranslate needs a
	// preferred form in every language of tarjuma.TargetLangs.
	Targets map[tarjuma.Lang]Forms
	// DoNotTranslate keeps the source spelling in every target (a brand, a name the desk leaves
	// in Arabic script).
	DoNotTranslate bool
	Note           string
	// ValidFrom and ValidUntil bound when the term applies (a ministry renamed, an office
	// changing hands); zero means open. ValidUntil is exclusive.
	ValidFrom, ValidUntil time.Time
	UpdatedBy             string
	UpdatedAt             time.Time
}

// ActiveAt reports whether the term applies at t.
func (t Term) ActiveAt(at time.Time) bool {
	return (t.ValidFrom.IsZero() || !at.Before(t.ValidFrom)) &&
		(t.ValidUntil.IsZero() || at.Before(t.ValidUntil))
}

// Validate reports every defect of the term at once as a *ValidationError, so an editor fixes a
// form in one round.
func (t Term) Validate() error {
	if ps := t.problems(); len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
}

// maxIDLen keeps ids usable in URLs and file names.
const maxIDLen = 64

func (t Term) problems() []Problem {
	var ps []Problem
	add := func(field string, code Code, arg string) {
		ps = append(ps, Problem{ID: t.ID, Field: field, Code: code, Arg: arg})
	}
	if !validSlug(t.ID) {
		add("id", CodeBadID, t.ID)
	}
	// Text no door may store (tarjuma.CheckText) is reported once per field, without the
	// value, which would carry the NUL or broken bytes into the page or the log.
	for _, f := range t.texts() {
		if tarjuma.CheckText(f.field, f.value) != nil {
			add(f.field, CodeBadText, "")
		}
	}
	if !t.Kind.Valid() {
		add("kind", CodeBadKind, string(t.Kind))
	}
	if len(t.Arabic) == 0 {
		add("ar", CodeNoArabic, "")
	}
	for _, v := range t.Arabic {
		// A variant that normalises to nothing could never match and would hide a typo.
		if !cleanForm(v) || len(phraseWords(v)) == 0 {
			add("ar", CodeBadVariant, v)
		}
	}
	langs := make([]tarjuma.Lang, 0, len(t.Targets))
	for l := range t.Targets {
		langs = append(langs, l)
	}
	slices.Sort(langs)
	for _, l := range langs {
		if !l.Valid() {
			add(string(l), CodeBadLang, string(l))
		}
	}
	for _, l := range tarjuma.TargetLangs() {
		f := t.Targets[l]
		if f.Preferred == "" {
			if !t.DoNotTranslate || len(f.Accepted) > 0 {
				add(string(l), CodeNoPreferred, "")
			}
		} else if !cleanForm(f.Preferred) {
			add(string(l), CodeBadForm, f.Preferred)
		}
		for _, a := range f.Accepted {
			if !cleanForm(a) || a == f.Preferred {
				add(string(l), CodeBadForm, a)
			}
		}
		for _, spelling := range slices.Sorted(maps.Keys(f.Overrides)) {
			if spelling != f.Preferred && !slices.Contains(f.Accepted, spelling) {
				add(string(l), CodeBadOverride, spelling)
			}
			for _, form := range slices.Sorted(maps.Keys(f.Overrides[spelling])) {
				if text := f.Overrides[spelling][form]; !form.Valid(l) || !cleanForm(text) {
					add(string(l), CodeBadOverride, spelling+" "+string(form)+"="+text)
				}
			}
		}
	}
	if !t.ValidFrom.IsZero() && !t.ValidUntil.IsZero() && !t.ValidUntil.After(t.ValidFrom) {
		add("valid_until", CodeBadPeriod, formatTime(t.ValidUntil))
	}
	return ps
}

// texts lists the term's free text by field, for tarjuma.CheckText.
func (t Term) texts() []struct{ field, value string } {
	var out []struct{ field, value string }
	add := func(field string, values ...string) {
		for _, v := range values {
			out = append(out, struct{ field, value string }{field, v})
		}
	}
	add("note", t.Note)
	add("ar", t.Arabic...)
	for _, l := range slices.Sorted(maps.Keys(t.Targets)) {
		f := t.Targets[l]
		add(string(l), f.Preferred)
		add(string(l), f.Accepted...)
		for _, spelling := range slices.Sorted(maps.Keys(f.Overrides)) {
			for _, text := range f.Overrides[spelling] {
				add(string(l), text)
			}
		}
	}
	return out
}

// cleanForm reports whether s can be stored and exported as one list item: the CSV format
// separates alternatives with "|" and keeps one term per line.
func cleanForm(s string) bool {
	return s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s, "|\r\n")
}

// validSlug reports whether id is a slug. It starts with a letter because TBX ids are XML ids.
func validSlug(id string) bool {
	if id == "" || len(id) > maxIDLen || id[0] < 'a' || id[0] > 'z' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-' && id[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

// clone copies t deeply, so a Matcher stays immutable whatever callers do with their terms.
func (t Term) clone() Term {
	t.Arabic = slices.Clone(t.Arabic)
	if t.Targets != nil {
		targets := make(map[tarjuma.Lang]Forms, len(t.Targets))
		for l, f := range t.Targets {
			targets[l] = Forms{Preferred: f.Preferred, Accepted: slices.Clone(f.Accepted),
				Overrides: cloneOverrides(f.Overrides), Stored: cloneOverrides(f.Stored)}
		}
		t.Targets = targets
	}
	return t
}

// Code is a message id for a problem, translated where it is shown (the domain holds no
// sentences meant for people).
type Code string

// The problems a term or an imported file can have; Problem.Arg carries the offending value.
const (
	CodeBadID        Code = "glossary.bad_id"        // not a slug
	CodeBadKind      Code = "glossary.bad_kind"      // not one of Kinds
	CodeNoArabic     Code = "glossary.no_arabic"     // no Arabic variant
	CodeBadVariant   Code = "glossary.bad_variant"   // empty, padded, multi-line, contains "|" or has no word
	CodeBadLang      Code = "glossary.bad_lang"      // a target language the desk does not publish
	CodeNoPreferred  Code = "glossary.no_preferred"  // a target language without a preferred form
	CodeBadForm      Code = "glossary.bad_form"      // a target form that cannot be stored, or repeats the preferred one
	CodeBadOverride  Code = "glossary.bad_override"  // an overridden form of no spelling of the term, of a form the language lacks, or not storable
	CodeBadPeriod    Code = "glossary.bad_period"    // valid_until not after valid_from
	CodeBadDate      Code = "glossary.bad_date"      // not YYYY-MM-DD or RFC 3339
	CodeBadFlag      Code = "glossary.bad_flag"      // dnt is not a boolean
	CodeDuplicateID  Code = "glossary.duplicate_id"  // Arg: the line of the first occurrence
	CodeConflict     Code = "glossary.conflict"      // an Arabic variant another term active at the same time has; Arg: its id
	CodeBadHeader    Code = "glossary.bad_header"    // CSV header not id,kind,ar,tg,ru,en,note[,valid_from,valid_until,dnt]
	CodeFieldCount   Code = "glossary.field_count"   // a CSV row with more or fewer fields than the header
	CodeSyntax       Code = "glossary.syntax"        // the file cannot be parsed past this line
	CodeBadText      Code = "glossary.bad_text"      // a NUL character or bytes that are not UTF-8 (tarjuma.CheckText)
	CodeMoreProblems Code = "glossary.more_problems" // the last of MaxProblems problems reported; Arg: how many more there are
)

// Problem is one defect of a term or of an imported row.
type Problem struct {
	Line  int    // line in the imported file; 0 for a term not read from a file
	ID    string // the term's id as given, when known
	Field string // column or language: "id", "kind", "ar", "tg", "valid_from", …
	Code  Code
	Arg   string
}

// ValidationError lists every problem found, so nothing is imported until all are fixed. It
// unwraps to tarjuma.ErrInvalid, which the API maps to a client error.
type ValidationError struct {
	Problems []Problem
}

// maxProblemsInMessage keeps the error string readable in logs; callers read Problems for all.
const maxProblemsInMessage = 10

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("glossary: invalid")
	ps, omitted := e.Problems, 0
	if n := len(ps); n > 0 && ps[n-1].Code == CodeMoreProblems {
		omitted, _ = strconv.Atoi(ps[n-1].Arg) // counted by capProblems, not listed
		ps = ps[:n-1]
	}
	for i, p := range ps {
		if i == maxProblemsInMessage {
			break
		}
		b.WriteString("; ")
		if p.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", p.Line)
		}
		fmt.Fprintf(&b, "%s: %s", p.Field, p.Code)
		if p.Arg != "" {
			fmt.Fprintf(&b, " %q", p.Arg)
		}
	}
	if rest := len(ps) + omitted - min(len(ps), maxProblemsInMessage); rest > 0 {
		fmt.Fprintf(&b, "; and %d more", rest)
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return tarjuma.ErrInvalid }
