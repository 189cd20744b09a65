package glossary

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// The CSV columns: the seven other tools rely on, and the optional ones that carry the rest of a
// term so an export imports back unchanged.
var (
	csvColumns      = []string{"id", "kind", "ar", "tg", "ru", "en", "note"}
	csvExtraColumns = []string{"valid_from", "valid_until", "dnt"}
	csvFormsColumns = []string{formsColumn(tarjuma.Tajik), formsColumn(tarjuma.Russian)}
)

// csvLangs are the target columns, in header order.
var csvLangs = []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian, tarjuma.English}

// listSep separates Arabic variants, and a target's preferred form from its accepted ones.
const listSep = "|"

// ReadCSV reads a term base in the desk's CSV format: the header id,kind,ar,tg,ru,en,note,
// optionally followed by any of valid_from, valid_until (YYYY-MM-DD or RFC 3339), dnt
// (true/false), tg_forms and ru_forms; "|" separates the Arabic variants and, in a target
// column, the preferred form from the accepted ones. A forms cell holds, for each of the
// language's spellings in the same order and separated by "|", its grammatical forms as
// "gen=…; dat=…" (see formsText); forms that differ from the generated ones become overrides,
// and an empty cell or group leaves the generated forms. One leading "'" is removed from every
// cell, undoing the escape WriteCSV adds (see escapeCell); a cell without one is read as it is,
// so files from other tools, which do not escape, import unchanged. The file may be UTF-8, or
// UTF-16 with a byte order mark (as spreadsheets save "Unicode text"); a UTF-8 one is skipped. On any problem it returns nil and a
// *ValidationError listing every bad row by line, so nothing is half-imported.
func ReadCSV(r io.Reader) ([]Term, error) {
	cr := csv.NewReader(decodeBOM(r))
	cr.FieldsPerRecord = -1 // counted here, so one short row does not hide the rest
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ValidationError{Problems: []Problem{{Line: 1, Code: CodeBadHeader}}}
		}
		p, err := parseProblem(err)
		if err != nil {
			return nil, err
		}
		return nil, &ValidationError{Problems: []Problem{p}}
	}
	header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	extra, ok := csvExtraIndex(header)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{Line: 1, Code: CodeBadHeader, Arg: strings.Join(header, ",")}}}
	}
	var got parsed
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil { // broken quoting: the reader cannot tell where rows start any more
			p, err := parseProblem(err)
			if err != nil {
				return nil, err
			}
			got.problems = append(got.problems, p)
			break
		}
		line, _ := cr.FieldPos(0)
		// Trimmed before the escape is removed, so a value that begins with a tab or CR keeps it.
		for i := range rec {
			rec[i] = unescapeCell(strings.TrimSpace(rec[i]))
		}
		if bad := textProblems(cr, rec, header); len(bad) > 0 {
			got.problems = append(got.problems, bad...)
			continue // the row cannot be stored; its other problems would only repeat these
		}
		if len(rec) != len(header) {
			got.problems = append(got.problems, Problem{Line: line, ID: rec[0], Code: CodeFieldCount, Arg: strconv.Itoa(len(rec))})
			continue
		}
		t, rowProblems := termFromRow(rec, extra)
		got.add(t, line, rowProblems)
	}
	return finish(got.terms, got.lines, got.problems)
}

// textProblems returns a problem for each cell of rec that tarjuma.CheckText refuses, naming
// its column and the line it starts on, but not its value.
func textProblems(cr *csv.Reader, rec, header []string) []Problem {
	var ps []Problem
	id := rec[0]
	if tarjuma.CheckText("id", id) != nil {
		id = ""
	}
	for i, cell := range rec {
		col := strconv.Itoa(i + 1)
		if i < len(header) {
			col = header[i]
		}
		if tarjuma.CheckText(col, cell) != nil {
			line, _ := cr.FieldPos(i)
			ps = append(ps, Problem{Line: line, ID: id, Field: col, Code: CodeBadText})
		}
	}
	return ps
}

// parseProblem turns a CSV parse error into a problem; any other error is the reader failing
// and is returned as it is.
func parseProblem(err error) (Problem, error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return Problem{}, fmt.Errorf("glossary: reading CSV: %w", err)
	}
	return Problem{Line: pe.Line, Code: CodeSyntax, Arg: pe.Err.Error()}, nil
}

// csvExtraIndex checks the header and returns where each optional column is (-1 if absent).
func csvExtraIndex(header []string) (map[string]int, bool) {
	if len(header) < len(csvColumns) || !slices.Equal(header[:len(csvColumns)], csvColumns) {
		return nil, false
	}
	idx := map[string]int{}
	for _, c := range slices.Concat(csvExtraColumns, csvFormsColumns) {
		idx[c] = -1
	}
	for i, c := range header[len(csvColumns):] {
		if seen, known := idx[c]; !known || seen >= 0 {
			return nil, false
		}
		idx[c] = len(csvColumns) + i
	}
	return idx, true
}

// termFromRow reads one record whose cells are already trimmed and unescaped.
func termFromRow(rec []string, extra map[string]int) (Term, []Problem) {
	t := Term{
		ID:     rec[0],
		Kind:   Kind(rec[1]),
		Arabic: splitList(rec[2]),
		Note:   rec[6],
	}
	for i, l := range csvLangs {
		if list := splitList(rec[3+i]); len(list) > 0 {
			if t.Targets == nil {
				t.Targets = make(map[tarjuma.Lang]Forms)
			}
			f := Forms{Preferred: list[0]}
			if len(list) > 1 {
				f.Accepted = list[1:]
			}
			t.Targets[l] = f
		}
	}
	var ps []Problem
	cell := func(col string) string {
		if i := extra[col]; i >= 0 {
			return rec[i]
		}
		return ""
	}
	date := func(col string) time.Time {
		v, ok := parseTime(cell(col))
		if !ok {
			ps = append(ps, Problem{ID: t.ID, Field: col, Code: CodeBadDate, Arg: cell(col)})
		}
		return v
	}
	t.ValidFrom, t.ValidUntil = date("valid_from"), date("valid_until")
	if s := cell("dnt"); s != "" {
		dnt, err := strconv.ParseBool(s)
		if err != nil {
			ps = append(ps, Problem{ID: t.ID, Field: "dnt", Code: CodeBadFlag, Arg: s})
		}
		t.DoNotTranslate = dnt
	}
	for _, l := range formsLangs {
		if c := cell(formsColumn(l)); !t.SetFormsCell(l, c) {
			ps = append(ps, Problem{ID: t.ID, Field: formsColumn(l), Code: CodeBadOverride, Arg: c})
		}
	}
	return t, ps
}

// splitList splits a cell at "|"; an empty cell is an empty list, an empty item stays so that
// validation reports it.
func splitList(cell string) []string {
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	list := strings.Split(cell, listSep)
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return list
}

// formulaLead are the characters that make a spreadsheet read a cell as a formula (OWASP's
// list: = + - @ TAB CR), and the quote that escapes them.
const formulaLead = "=+-@\t\r'"

// escapeCell prefixes "'" to a cell a spreadsheet would run as a formula: an exported glossary
// is opened in Excel or LibreOffice by people other than those who wrote the terms, and a
// note like "=HYPERLINK(…)" must show as text there. A cell that already starts with "'" is
// prefixed too, so that ReadCSV, which strips exactly one, gives back every value exactly.
func escapeCell(s string) string {
	if s != "" && strings.ContainsRune(formulaLead, rune(s[0])) {
		return "'" + s
	}
	return s
}

// unescapeCell undoes escapeCell: it removes one leading "'", never more, and nothing else.
func unescapeCell(s string) string {
	return strings.TrimPrefix(s, "'")
}

// WriteCSV writes terms in the order given, in the format ReadCSV reads. Every cell that a
// spreadsheet would take for a formula, or that starts with "'", is written with a "'" before it
// (see escapeCell). The optional columns
// are written only when some term needs them, so plain term bases keep the seven-column header;
// the forms columns, with every form of every Tajik and Russian spelling, whenever a term has
// a spelling in those languages.
func WriteCSV(w io.Writer, terms []Term) error {
	extra := slices.ContainsFunc(terms, func(t Term) bool {
		return !t.ValidFrom.IsZero() || !t.ValidUntil.IsZero() || t.DoNotTranslate
	})
	forms := slices.ContainsFunc(terms, func(t Term) bool {
		return slices.ContainsFunc(formsLangs, func(l tarjuma.Lang) bool { return t.Targets[l].Preferred != "" })
	})
	header := csvColumns
	if extra {
		header = slices.Concat(header, csvExtraColumns)
	}
	if forms {
		header = slices.Concat(header, csvFormsColumns)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, t := range terms {
		rec := []string{t.ID, string(t.Kind), strings.Join(t.Arabic, listSep)}
		for _, l := range csvLangs {
			f := t.Targets[l]
			rec = append(rec, strings.Join(formList(f), listSep))
		}
		rec = append(rec, t.Note)
		if extra {
			dnt := ""
			if t.DoNotTranslate {
				dnt = "true"
			}
			rec = append(rec, formatTime(t.ValidFrom), formatTime(t.ValidUntil), dnt)
		}
		if forms {
			for _, l := range formsLangs {
				rec = append(rec, t.FormsCell(l))
			}
		}
		for i := range rec {
			rec[i] = escapeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formList is a target's forms, preferred first.
func formList(f Forms) []string {
	if f.Preferred == "" && len(f.Accepted) == 0 {
		return nil
	}
	return append([]string{f.Preferred}, f.Accepted...)
}
