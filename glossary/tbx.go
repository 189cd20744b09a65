package glossary

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tarjuma/tarjuma"
)

// TBX-Basic (ISO 30042:2019, DCA style) has no data categories for the term kind, validity
// dates or the do-not-translate flag. The kind goes into subjectField, the closest concept-level
// category; the rest into concept-level notes with a "tarjuma:" prefix, so files stay valid
// TBX-Basic and other tools show them as notes.
const (
	// The schemas TBX-Basic files name, so that validators and editors find them.
	tbxModels = `<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBXcoreStructV03_TBX-Basic_integrated.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>` + "\n" +
		`<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBX-Basic_DCA.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>` + "\n"

	tbxPreferred  = "preferredTerm-admn-sts"
	tbxAdmitted   = "admittedTerm-admn-sts"
	tbxDeprecated = "deprecatedTerm-admn-sts"
	tbxSuperseded = "supersededTerm-admn-sts"

	tbxNotePrefix = "tarjuma:"
	tbxValidFrom  = "valid_from"
	tbxValidUntil = "valid_until"
	tbxDNT        = "dnt"
	// tbxForms starts a term-level note with the term's grammatical forms (see formsText):
	// TBX-Basic has no data category for inflected forms.
	tbxForms = "forms "
)

type tbxDocument struct {
	XMLName xml.Name   `xml:"urn:iso:std:iso:30042:ed-2 tbx"`
	Type    string     `xml:"type,attr"`
	Style   string     `xml:"style,attr"`
	Lang    string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Source  string     `xml:"tbxHeader>fileDesc>sourceDesc>p"`
	Entries []tbxEntry `xml:"text>body>conceptEntry"`
}

// tbxEntry is a conceptEntry, or a TBX 2 (martif) termEntry when reading; the TBX 2 element
// names are read but never written.
type tbxEntry struct {
	ID          string          `xml:"id,attr"`
	Descrips    []tbxTyped      `xml:"descrip"`
	DescripGrps []tbxDescripGrp `xml:"descripGrp"`
	Notes       []string        `xml:"note"`
	Transacs    []tbxTransac    `xml:"transacGrp"`
	Langs       []tbxLang       `xml:"langSec"`
	LangSets    []tbxLang       `xml:"langSet"`
}

type tbxDescripGrp struct {
	Descrip tbxTyped `xml:"descrip"`
}

type tbxTyped struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

type tbxTransac struct {
	Transac tbxTyped  `xml:"transac"`
	Note    *tbxTyped `xml:"transacNote"`
	Date    string    `xml:"date,omitempty"`
}

type tbxLang struct {
	Lang  string    `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Terms []tbxTerm `xml:"termSec"`
	Tigs  []tbxTerm `xml:"tig"`
}

type tbxTerm struct {
	Term     string     `xml:"term"`
	Notes    []tbxTyped `xml:"termNote"`
	Comments []string   `xml:"note"`
}

// WriteTBX writes terms as a TBX-Basic document: one conceptEntry per term, a langSec per
// language (ar first), the preferred form as preferredTerm-admn-sts and the others as
// admittedTerm-admn-sts; UpdatedBy and UpdatedAt go into a transacGrp.
func WriteTBX(w io.Writer, terms []Term) error {
	doc := tbxDocument{Type: "TBX-Basic", Style: "dca", Lang: string(tarjuma.Arabic), Source: "tarjuma glossary"}
	for _, t := range terms {
		doc.Entries = append(doc.Entries, tbxFromTerm(t))
	}
	if _, err := io.WriteString(w, xml.Header+tbxModels); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func tbxFromTerm(t Term) tbxEntry {
	e := tbxEntry{ID: t.ID, Descrips: []tbxTyped{{Type: "subjectField", Value: string(t.Kind)}}}
	if t.Note != "" {
		e.Notes = append(e.Notes, t.Note)
	}
	if !t.ValidFrom.IsZero() {
		e.Notes = append(e.Notes, tbxNotePrefix+tbxValidFrom+"="+formatTime(t.ValidFrom))
	}
	if !t.ValidUntil.IsZero() {
		e.Notes = append(e.Notes, tbxNotePrefix+tbxValidUntil+"="+formatTime(t.ValidUntil))
	}
	if t.DoNotTranslate {
		e.Notes = append(e.Notes, tbxNotePrefix+tbxDNT)
	}
	if t.UpdatedBy != "" || !t.UpdatedAt.IsZero() {
		tr := tbxTransac{Transac: tbxTyped{Type: "transactionType", Value: "modification"}, Date: formatTime(t.UpdatedAt)}
		if t.UpdatedBy != "" {
			tr.Note = &tbxTyped{Type: "responsibility", Value: t.UpdatedBy}
		}
		e.Transacs = []tbxTransac{tr}
	}
	e.Langs = append(e.Langs, tbxLangSec(tarjuma.Arabic, t.Arabic))
	for _, l := range csvLangs {
		if forms := formList(t.Targets[l]); len(forms) > 0 {
			ls := tbxLangSec(l, forms)
			for i, p := range t.Paradigms(l) {
				if text := formsText(p, l); text != "" {
					ls.Terms[i].Comments = []string{tbxNotePrefix + tbxForms + text}
				}
			}
			e.Langs = append(e.Langs, ls)
		}
	}
	return e
}

// tbxLangSec writes forms with the first as preferred; for Arabic that is the variant the desk
// lists first.
func tbxLangSec(l tarjuma.Lang, forms []string) tbxLang {
	ls := tbxLang{Lang: string(l)}
	for i, f := range forms {
		status := tbxAdmitted
		if i == 0 {
			status = tbxPreferred
		}
		ls.Terms = append(ls.Terms, tbxTerm{Term: f, Notes: []tbxTyped{{Type: "administrativeStatus", Value: status}}})
	}
	return ls
}

// ReadTBX reads TBX-Basic (TBX 3 conceptEntry/langSec/termSec, and TBX 2 martif
// termEntry/langSet/tig), as written by WriteTBX or by other terminology tools. Languages other
// than ar, tg, ru and en are skipped, and so are deprecated and superseded terms; a subjectField
// that is not a kind makes the term "other" and is kept in the note. Like ReadCSV it returns
// nil and a *ValidationError with every problem by line if anything is wrong. The file may be
// UTF-8, or UTF-16 with a byte order mark.
func ReadTBX(r io.Reader) ([]Term, error) {
	dec := xml.NewDecoder(decodeBOM(r))
	// decodeBOM has already made UTF-8 of a file that starts with a UTF-16 byte order mark, as
	// terminology tools export TBX, so its declaration's encoding="UTF-16" is true of the file
	// and no longer of the bytes read; any other encoding is refused as a syntax problem.
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-16", "utf-16le", "utf-16be", "utf-8":
			return input, nil
		}
		return nil, &charsetError{label}
	}
	var got parsed
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p, err := xmlProblem(err)
			if err != nil {
				return nil, err
			}
			got.problems = append(got.problems, p)
			break
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "conceptEntry" && start.Name.Local != "termEntry" {
			continue
		}
		line, _ := dec.InputPos()
		var e tbxEntry
		if err := dec.DecodeElement(&e, &start); err != nil {
			p, err := xmlProblem(err)
			if err != nil {
				return nil, err
			}
			got.problems = append(got.problems, p)
			break
		}
		t, entryProblems := e.term()
		got.add(t, line, entryProblems)
	}
	return finish(got.terms, got.lines, got.problems)
}

// xmlProblem turns an XML syntax error into a problem; any other error is the reader failing
// and is returned as it is.
func xmlProblem(err error) (Problem, error) {
	var se *xml.SyntaxError
	var ce *charsetError
	if errors.As(err, &ce) { // in the declaration, which is on the first line
		return Problem{Line: 1, Code: CodeSyntax, Arg: ce.Error()}, nil
	}
	if !errors.As(err, &se) {
		return Problem{}, fmt.Errorf("glossary: reading TBX: %w", err)
	}
	return Problem{Line: se.Line, Code: CodeSyntax, Arg: se.Msg}, nil
}

func (e tbxEntry) term() (Term, []Problem) {
	t := Term{ID: strings.TrimSpace(e.ID), Kind: KindOther}
	var ps []Problem
	var notes []string
	descrips := e.Descrips
	for _, g := range e.DescripGrps {
		descrips = append(descrips, g.Descrip)
	}
	for _, d := range descrips {
		if d.Type != "subjectField" {
			continue
		}
		if k := Kind(strings.TrimSpace(d.Value)); k.Valid() {
			t.Kind = k
		} else {
			notes = append(notes, "subjectField: "+strings.TrimSpace(d.Value))
		}
	}
	for _, n := range e.Notes {
		rest, ours := strings.CutPrefix(strings.TrimSpace(n), tbxNotePrefix)
		key, value, _ := strings.Cut(rest, "=")
		switch {
		case !ours:
			notes = append(notes, strings.TrimSpace(n))
		case key == tbxDNT:
			t.DoNotTranslate = true
		case key == tbxValidFrom || key == tbxValidUntil:
			v, ok := parseTime(value)
			if !ok {
				ps = append(ps, Problem{ID: t.ID, Field: key, Code: CodeBadDate, Arg: value})
			}
			if key == tbxValidFrom {
				t.ValidFrom = v
			} else {
				t.ValidUntil = v
			}
		default:
			notes = append(notes, strings.TrimSpace(n))
		}
	}
	t.Note = strings.Join(notes, "\n")
	for _, tr := range e.Transacs {
		if tr.Note != nil && tr.Note.Type == "responsibility" {
			t.UpdatedBy = strings.TrimSpace(tr.Note.Value)
		}
		v, ok := parseTime(strings.TrimSpace(tr.Date))
		if !ok {
			ps = append(ps, Problem{ID: t.ID, Field: "date", Code: CodeBadDate, Arg: tr.Date})
		}
		t.UpdatedAt = v
	}
	for _, ls := range append(e.Langs, e.LangSets...) {
		forms, inflected := ls.forms()
		switch l := tarjuma.Lang(baseLang(ls.Lang)); {
		case len(forms) == 0:
		case l == tarjuma.Arabic:
			t.Arabic = append(t.Arabic, forms...)
		case l.Valid():
			if t.Targets == nil {
				t.Targets = make(map[tarjuma.Lang]Forms)
			}
			f, seen := t.Targets[l]
			all := forms
			if !seen {
				f.Preferred, forms = forms[0], forms[1:]
			}
			f.Accepted = append(f.Accepted, forms...)
			t.Targets[l] = f
			for i, text := range inflected {
				if text == "" {
					continue
				}
				given, ok := parseForms(text, l)
				if !ok {
					ps = append(ps, Problem{ID: t.ID, Field: string(l), Code: CodeBadOverride, Arg: text})
					continue
				}
				t.setForms(l, all[i], given)
			}
		}
	}
	return t, ps
}

// forms returns the usable terms of a language section, the preferred one first: the first
// marked preferredTerm, or else the first not deprecated; and for each, the grammatical forms
// its note gives ("" for none).
func (ls tbxLang) forms() (out, inflected []string) {
	preferred := -1
	for _, tt := range append(ls.Terms, ls.Tigs...) {
		status := ""
		for _, n := range tt.Notes {
			if n.Type == "administrativeStatus" {
				status = strings.TrimSpace(n.Value)
			}
		}
		form := strings.TrimSpace(tt.Term)
		if status == tbxDeprecated || status == tbxSuperseded || form == "" {
			continue
		}
		if status == tbxPreferred && preferred < 0 {
			preferred = len(out)
		}
		out = append(out, form)
		forms := ""
		for _, c := range tt.Comments {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(c), tbxNotePrefix+tbxForms); ok {
				forms = rest
			}
		}
		inflected = append(inflected, forms)
	}
	if preferred > 0 {
		out = append(append([]string{out[preferred]}, out[:preferred]...), out[preferred+1:]...)
		inflected = append(append([]string{inflected[preferred]}, inflected[:preferred]...), inflected[preferred+1:]...)
	}
	return out, inflected
}

// baseLang reduces a language tag to its primary subtag: "tg-Cyrl-TJ" → "tg".
func baseLang(tag string) string {
	base, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	return strings.ToLower(base)
}

// charsetError is a TBX file declaring an encoding ReadTBX does not read: the file's fault, so
// a problem on its first line rather than a failure to read.
type charsetError struct{ label string }

func (e *charsetError) Error() string {
	return fmt.Sprintf("encoding %q is not supported; save the file as UTF-8 or UTF-16", e.label)
}
