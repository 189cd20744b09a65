package memory

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

// TMX 1.4b (https://www.gala-global.org/tmx-14b). What is read and written:
//   - <tmx version> holds one <header> and then one <body>; the header's required attributes
//     are creationtool, creationtoolversion, segtype, o-tmf, adminlang, srclang and datatype;
//   - a <tu> holds (<note>|<prop>)* and then <tuv>+; a <tuv> holds (<note>|<prop>)* and then
//     one <seg>, and needs xml:lang (TMX 1.1 wrote lang, which is read too);
//   - dates are YYYYMMDDThhmmssZ in UTC;
//   - in a <seg>, <bpt>, <ept>, <ph>, <it> and <ut> hold the native codes of formatting (an
//     HTML tag, a placeholder) and are dropped; <hi> holds text and is kept, as is the text
//     around them.

// DateLayout is TMX's date format.
const DateLayout = "20060102T150405Z"

// FormatError refuses a whole file: it is not TMX the desk can read. Code is stable for
// clients (unsupported_encoding, invalid_text, invalid_tmx, source_not_arabic).
type FormatError struct {
	Code    string
	Line    int // 0 when the problem has no line
	Message string
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return e.Message
}

// Problem is one <tu> that was skipped, and why.
type Problem struct {
	TU   int    `json:"tu"` // 1-based position in the body
	Line int    `json:"line"`
	Code string `json:"code"` // no_source, empty_source, empty_translation, source_not_arabic, duplicate_language, more_problems
	Arg  string `json:"arg,omitempty"`
}

// Read is what a TMX file holds for the desk.
type Read struct {
	Entries []Entry // one per translation into tg, ru or en, in file order
	// Skipped counts the translations not taken: in other languages, or of a <tu> with a problem.
	Skipped  int
	Problems []Problem // at most glossary.MaxProblems, then one more_problems with the count
}

var declaredEncoding = regexp.MustCompile(`^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']`)

// decode returns the file as UTF-8: UTF-8 with or without a BOM, or UTF-16 LE or BE with a
// BOM, which is how Trados and memoQ write. Anything else is refused, not guessed.
func decode(raw []byte) (string, error) {
	var text string
	switch {
	case bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}):
		text = string(raw[3:])
	case bytes.HasPrefix(raw, []byte{0xFF, 0xFE}), bytes.HasPrefix(raw, []byte{0xFE, 0xFF}):
		var err error
		if text, err = fromUTF16(raw[2:], raw[0] == 0xFF); err != nil {
			return "", err
		}
	case len(raw) >= 2 && (raw[0] == 0 || raw[1] == 0):
		return "", &FormatError{Code: "unsupported_encoding", Message: "the file looks like UTF-16 without a byte order mark; save it as UTF-8 or as UTF-16 with a BOM"}
	default:
		text = string(raw)
	}
	if m := declaredEncoding.FindStringSubmatch(text); m != nil {
		switch strings.ToLower(m[1]) {
		case "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "utf16":
		default:
			return "", &FormatError{Code: "unsupported_encoding", Line: 1,
				Message: fmt.Sprintf("the file is declared as %s; save it as UTF-8 or UTF-16", m[1])}
		}
	}
	if err := tarjuma.CheckText("tmx", text); err != nil {
		var p *tarjuma.TextProblem
		errors.As(err, &p)
		return "", &FormatError{Code: "invalid_text", Line: 1 + strings.Count(text[:p.Offset], "\n"), Message: err.Error()}
	}
	return text, nil
}

// fromUTF16 decodes UTF-16 and refuses unpaired surrogates, which a decoder would silently
// turn into U+FFFD.
func fromUTF16(b []byte, little bool) (string, error) {
	if len(b)%2 != 0 {
		return "", &FormatError{Code: "unsupported_encoding", Message: "the UTF-16 file has an odd number of bytes"}
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if little {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000:
			i++
		case u >= 0xD800 && u < 0xE000:
			return "", &FormatError{Code: "invalid_text", Message: fmt.Sprintf("the UTF-16 file has an unpaired surrogate at byte %d", 2*i+2)}
		}
	}
	return string(utf16.Decode(units)), nil
}

// ReadTMX reads a TMX 1.4b file whose source language is Arabic. A file that is not one is a
// *FormatError; a <tu> that cannot be taken is skipped with a Problem, so one odd unit in a
// memory of 100,000 does not keep the rest out.
func ReadTMX(r io.Reader) (Read, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Read{}, fmt.Errorf("read tmx: %w", err)
	}
	text, err := decode(raw)
	if err != nil {
		return Read{}, err
	}
	d := xml.NewDecoder(strings.NewReader(text))
	// Already UTF-8: the declaration may still say UTF-16, which was decoded above.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	p := tmxParser{d: d}
	out, err := p.parse()
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			line, _ := d.InputPos()
			err = &FormatError{Code: "invalid_tmx", Line: line, Message: err.Error()}
		}
		return Read{}, err
	}
	out.Problems = capProblems(out.Problems)
	return out, nil
}

func capProblems(ps []Problem) []Problem {
	if len(ps) <= glossary.MaxProblems {
		return ps
	}
	more := len(ps) - glossary.MaxProblems
	return append(ps[:glossary.MaxProblems:glossary.MaxProblems], Problem{Code: "more_problems", Arg: strconv.Itoa(more)})
}

type tmxParser struct {
	d       *xml.Decoder
	srclang string // the header's
}

func (p *tmxParser) parse() (Read, error) {
	var out Read
	root, err := p.next()
	if err != nil {
		return out, err
	}
	if root.Name.Local != "tmx" {
		return out, &FormatError{Code: "invalid_tmx", Line: 1, Message: fmt.Sprintf("the root element is <%s>, not <tmx>", root.Name.Local)}
	}
	if v := attr(root, "version"); !strings.HasPrefix(v, "1.") {
		return out, &FormatError{Code: "invalid_tmx", Line: 1, Message: fmt.Sprintf("TMX version %q; the desk reads 1.1 to 1.4b", v)}
	}
	units, sawHeader := 0, false
	for {
		el, err := p.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
		switch el.Name.Local {
		case "header":
			sawHeader = true
			p.srclang = attr(el, "srclang")
			if !arabicOrAll(p.srclang) {
				line, _ := p.d.InputPos()
				return out, &FormatError{Code: "source_not_arabic", Line: line,
					Message: fmt.Sprintf("the header's srclang is %q; the desk's memory translates from Arabic (ar, or *all* with an Arabic tuv)", p.srclang)}
			}
			if err := p.d.Skip(); err != nil {
				return out, err
			}
		case "body":
			if !sawHeader {
				return out, &FormatError{Code: "invalid_tmx", Message: "<body> before <header>"}
			}
		case "tu":
			units++
			if err := p.unit(el, units, &out); err != nil {
				return out, err
			}
		default:
			if err := p.d.Skip(); err != nil {
				return out, err
			}
		}
	}
	if !sawHeader {
		return out, &FormatError{Code: "invalid_tmx", Message: "no <header>"}
	}
	return out, nil
}

// next returns the next start element, or io.EOF.
func (p *tmxParser) next() (xml.StartElement, error) {
	for {
		tok, err := p.d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		if el, ok := tok.(xml.StartElement); ok {
			return el, nil
		}
	}
}

// unit reads one <tu> into out.
func (p *tmxParser) unit(tu xml.StartElement, n int, out *Read) error {
	line, _ := p.d.InputPos()
	problem := func(code, arg string) {
		out.Problems = append(out.Problems, Problem{TU: n, Line: line, Code: code, Arg: arg})
	}
	changed := parseDate(attr(tu, "changedate"), attr(tu, "creationdate"))
	type tuv struct {
		lang    string
		text    string
		changed time.Time
	}
	var tuvs []tuv
	for {
		tok, err := p.d.Token()
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.EndElement); ok {
			break
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != "tuv" {
			if err := p.d.Skip(); err != nil { // note, prop
				return err
			}
			continue
		}
		lang := attr(el, "lang") // xml:lang, or TMX 1.1's lang
		text, err := p.tuv()
		if err != nil {
			return err
		}
		tuvs = append(tuvs, tuv{lang: lang, text: text, changed: parseDate(attr(el, "changedate"), attr(el, "creationdate"))})
	}
	srclang := cmp0(attr(tu, "srclang"), p.srclang)
	if !arabicOrAll(srclang) {
		problem("source_not_arabic", srclang)
		out.Skipped += len(tuvs)
		return nil
	}
	var source string
	seen := map[tarjuma.Lang]bool{}
	var found []Entry
	skipped := 0
	for _, v := range tuvs {
		lang := primary(v.lang)
		switch {
		case lang == tarjuma.Arabic && !seen[lang]:
			source = v.text
		case seen[lang] && (lang == tarjuma.Arabic || lang.Valid()):
			problem("duplicate_language", v.lang)
			skipped++
		case lang.Valid():
			found = append(found, Entry{Lang: lang, Text: v.text, Changed: cmpTime(v.changed, changed)})
		default:
			skipped++ // a language the desk does not translate into
		}
		seen[lang] = true
	}
	switch {
	case !seen[tarjuma.Arabic]:
		problem("no_source", "")
		skipped += len(found)
	case tarjuma.Blank(source):
		problem("empty_source", "")
		skipped += len(found)
	default:
		key := glossary.MemoryKey(source)
		for _, e := range found {
			if tarjuma.Blank(e.Text) {
				problem("empty_translation", string(e.Lang))
				skipped++
				continue
			}
			e.Source = key
			out.Entries = append(out.Entries, e)
		}
	}
	out.Skipped += skipped
	return nil
}

// tuv reads the <seg> of a <tuv> up to its end and returns the segment's text.
func (p *tmxParser) tuv() (string, error) {
	var text string
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.EndElement:
			return text, nil
		case xml.StartElement:
			if tok.Name.Local != "seg" {
				if err := p.d.Skip(); err != nil {
					return "", err
				}
				continue
			}
			if text, err = p.seg(); err != nil {
				return "", err
			}
		}
	}
}

// seg returns the text of a <seg>, keeping <hi>'s content and dropping the native codes.
func (p *tmxParser) seg() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			b.Write(tok)
		case xml.StartElement:
			if tok.Name.Local == "hi" {
				depth++
				continue
			}
			if err := p.d.Skip(); err != nil { // bpt, ept, ph, it, ut and their sub
				return "", err
			}
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil
			}
			depth--
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// primary maps a language tag (ru-RU, tg-Cyrl-TJ, EN_us) to its primary subtag.
func primary(tag string) tarjuma.Lang {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return tarjuma.Lang(tag)
}

func arabicOrAll(srclang string) bool {
	return srclang == "*all*" || primary(srclang) == tarjuma.Arabic
}

func cmp0(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func cmpTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}

// parseDate reads the first of dates that is a TMX date; zero when none is.
func parseDate(dates ...string) time.Time {
	for _, s := range dates {
		if t, err := time.Parse(DateLayout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// Writer streams a TMX 1.4b document: a header, then one <tu> per source with a <tuv> for the
// Arabic and one per translation.
type Writer struct {
	w       *bufio.Writer
	source  string
	pending []Entry
	// Skipped counts translations left out because their text holds a character XML 1.0
	// cannot carry (a control character other than tab and line breaks), which any writer
	// would have to replace.
	Skipped int
}

// NewWriter starts the document; created is the header's creationdate. Nothing reaches w
// before a few kilobytes are written or Close, so a failure at the start can still be answered
// with an error instead of half a document.
func NewWriter(w io.Writer, created time.Time) *Writer {
	tw := &Writer{w: bufio.NewWriterSize(w, 32<<10)}
	fmt.Fprintf(tw.w, `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
<header creationtool="tarjuma" creationtoolversion="1" datatype="plaintext" segtype="sentence" adminlang="en" srclang="ar" o-tmf="tarjuma" creationdate="%s"/>
<body>
`, created.UTC().Format(DateLayout))
	return tw
}

// Add adds a translation; entries of one source must come together.
func (tw *Writer) Add(e Entry) error {
	if !xmlSafe(e.Source) || !xmlSafe(e.Text) {
		tw.Skipped++
		return nil
	}
	if e.Source != tw.source {
		if err := tw.flush(); err != nil {
			return err
		}
		tw.source = e.Source
	}
	tw.pending = append(tw.pending, e)
	return nil
}

// Close ends the document.
func (tw *Writer) Close() error {
	if err := tw.flush(); err != nil {
		return err
	}
	tw.w.WriteString("</body>\n</tmx>\n")
	return tw.w.Flush()
}

// flush writes the <tu> of the pending translations.
func (tw *Writer) flush() error {
	if len(tw.pending) == 0 {
		return nil
	}
	var changed time.Time
	for _, e := range tw.pending {
		if e.Changed.After(changed) {
			changed = e.Changed
		}
	}
	w := tw.w
	fmt.Fprintf(w, "<tu changedate=\"%s\">\n<tuv xml:lang=\"ar\"><seg>", changed.UTC().Format(DateLayout))
	if err := xml.EscapeText(w, []byte(tw.source)); err != nil {
		return err
	}
	w.WriteString("</seg></tuv>\n")
	for _, e := range tw.pending {
		fmt.Fprintf(w, "<tuv xml:lang=\"%s\" changedate=\"%s\"><seg>", e.Lang, e.Changed.UTC().Format(DateLayout))
		if err := xml.EscapeText(w, []byte(e.Text)); err != nil {
			return err
		}
		w.WriteString("</seg></tuv>\n")
	}
	w.WriteString("</tu>\n")
	tw.pending = tw.pending[:0]
	return nil
}

// xmlSafe reports whether every character of s may appear in an XML 1.0 document.
func xmlSafe(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
