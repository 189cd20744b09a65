package memory

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

func readFile(t *testing.T, name string) Read {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadTMX(f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func date(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A Trados-style export: UTF-16 LE with a BOM and CRLF, region subtags, header and unit props,
// a note, a language the desk does not translate into.
func TestReadTrados(t *testing.T) {
	got := readFile(t, "trados.tmx")
	want := Read{
		Entries: []Entry{
			{Source: "استقبل رئيس جمهورية طاجيكستان إمام علي رحمان وزير الخارجية الروسي", Lang: tarjuma.Russian,
				Text: "Президент Республики Таджикистан Эмомали Рахмон принял министра иностранных дел России", Changed: date("20250401T101010Z")},
			{Source: "قُتل ٥ أشخاص في حادث سير", Lang: tarjuma.Russian, Text: "5 человек погибли в ДТП", Changed: date("20250313T120000Z")},
			{Source: "قُتل ٥ أشخاص في حادث سير", Lang: tarjuma.Tajik, Text: "Дар садамаи нақлиётӣ 5 нафар ҳалок шуданд", Changed: date("20250313T120000Z")},
			{Source: "الطقس مشمس", Lang: tarjuma.English, Text: "The weather is sunny & warm", Changed: date("20250314T120000Z")},
		},
		Skipped: 1, // de-DE
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A MateCat-style export: UTF-8, inline tags in segments, props per unit, and two bad units.
func TestReadMateCat(t *testing.T) {
	got := readFile(t, "matecat.tmx")
	want := Read{
		Entries: []Entry{
			{Source: "افتتح الرئيس المدرسة الجديدة في دوشنبه", Lang: tarjuma.Tajik, Text: "Президент мактаби нав-ро дар Душанбе кушод", Changed: date("20250920T101112Z")},
			{Source: "شارك في القمة رؤساء دول آسيا الوسطى", Lang: tarjuma.English, Text: "The heads of state of Central Asia took part in the summit", Changed: date("20250920T101200Z")},
		},
		Skipped: 2,
		Problems: []Problem{
			{TU: 3, Line: 24, Code: "empty_source"},
			{TU: 4, Line: 28, Code: "no_source"},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func utf16Bytes(s string, big bool) []byte {
	units := utf16.Encode([]rune(s))
	out := []byte{0xFF, 0xFE}
	if big {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range units {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

const smallTMX = `<?xml version="1.0" encoding="%s"?>
<tmx version="1.4"><header creationtool="x" creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="%s" datatype="plaintext"/>
<body><tu><tuv xml:lang="ar"><seg>مرحبا بكم</seg></tuv><tuv xml:lang="ru"><seg>Добро пожаловать</seg></tuv></tu></body></tmx>`

func TestReadEncodings(t *testing.T) {
	doc := fmt.Sprintf(smallTMX, "UTF-16", "ar")
	want := []Entry{{Source: "مرحبا بكم", Lang: tarjuma.Russian, Text: "Добро пожаловать"}}
	for name, raw := range map[string][]byte{
		"utf-16 be":    utf16Bytes(doc, true),
		"utf-16 le":    utf16Bytes(doc, false),
		"utf-8":        []byte(fmt.Sprintf(smallTMX, "UTF-8", "ar")),
		"utf-8 bom":    append([]byte{0xEF, 0xBB, 0xBF}, fmt.Sprintf(smallTMX, "utf-8", "ar-EG")...),
		"*all* srclng": []byte(fmt.Sprintf(smallTMX, "UTF-8", "*all*")),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ReadTMX(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got.Entries); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRefuses(t *testing.T) {
	le := utf16Bytes(fmt.Sprintf(smallTMX, "UTF-16", "ar"), false)
	tests := []struct {
		name string
		raw  []byte
		code string
		line int
	}{
		{"utf-16 without a bom", le[2:], "unsupported_encoding", 0},
		{"windows-1256", []byte(fmt.Sprintf(smallTMX, "windows-1256", "ar")), "unsupported_encoding", 1},
		{"invalid utf-8", []byte(strings.Replace(fmt.Sprintf(smallTMX, "UTF-8", "ar"), "بكم", "\xff\xfe", 1)), "invalid_text", 3},
		{"nul", []byte(strings.Replace(fmt.Sprintf(smallTMX, "UTF-8", "ar"), "بكم", "\x00", 1)), "invalid_text", 3},
		{"unpaired surrogate", append(le[:len(le)-2:len(le)-2], 0x00, 0xD8), "invalid_text", 0},
		{"source in english", []byte(fmt.Sprintf(smallTMX, "UTF-8", "en-US")), "source_not_arabic", 2},
		{"not tmx", []byte(`<?xml version="1.0"?><martif type="TBX"/>`), "invalid_tmx", 1},
		{"broken xml", []byte(strings.Replace(fmt.Sprintf(smallTMX, "UTF-8", "ar"), "</seg></tuv></tu>", "</tuv></tu>", 1)), "invalid_tmx", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadTMX(bytes.NewReader(tc.raw))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want a *FormatError", err)
			}
			if fe.Code != tc.code || fe.Line != tc.line {
				t.Errorf("code %q line %d, want %q line %d (%v)", fe.Code, fe.Line, tc.code, tc.line, fe)
			}
		})
	}
}

// A file bad on every unit lists MaxProblems of them and counts the rest, as the glossary does.
func TestProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<tmx version="1.4"><header srclang="ar"/><body>`)
	const units = glossary.MaxProblems + 7
	for range units {
		b.WriteString(`<tu><tuv xml:lang="ru"><seg>Без источника</seg></tuv></tu>`)
	}
	b.WriteString(`</body></tmx>`)
	got, err := ReadTMX(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Problems) != glossary.MaxProblems+1 || got.Problems[glossary.MaxProblems] != (Problem{Code: "more_problems", Arg: "7"}) {
		t.Errorf("%d problems, last %+v", len(got.Problems), got.Problems[len(got.Problems)-1])
	}
	if got.Skipped != units || len(got.Entries) != 0 {
		t.Errorf("skipped %d, entries %d", got.Skipped, len(got.Entries))
	}
}

// roundTripEntries are texts that a careless writer or reader would change: markup characters,
// tashkeel and a right-to-left mark, line breaks and tabs, Tajik letters, a decomposed ё.
var roundTripEntries = []Entry{
	{Source: "قالَ الرئيسُ: \"السلام\" & <الوحدة>", Lang: tarjuma.English, Text: "The President said: \"peace\" & <unity>\n\tand more", Changed: date("20260101T000000Z")},
	{Source: "قالَ الرئيسُ: \"السلام\" & <الوحدة>", Lang: tarjuma.Russian, Text: "Президент сказал: «мир» & <единство>\r\nещё", Changed: date("20260102T030405Z")},
	{Source: "قالَ الرئيسُ: \"السلام\" & <الوحدة>", Lang: tarjuma.Tajik, Text: "Президент гуфт: «сулҳ» ва ваҳдат — ғ ӣ қ ӯ ҳ ҷ", Changed: date("20260103T000000Z")},
	{Source: "عاجل\u200f: وصول ٣ وزراء", Lang: tarjuma.Russian, Text: "Срочно: прибыли 3 министра, е\u0308ще", Changed: date("20260104T000000Z")},
}

func TestWriteReadRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, date("20260105T000000Z"))
	for _, e := range roundTripEntries {
		e.Source = glossary.MemoryKey(e.Source)
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkTMX(t, buf.Bytes())
	got, err := ReadTMX(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(roundTripEntries, got.Entries); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A control character XML 1.0 cannot carry is left out and counted, not replaced.
func TestWriterSkipsWhatXMLCannotCarry(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, time.Now())
	if err := w.Add(Entry{Source: "مرحبا", Lang: tarjuma.Russian, Text: "При\x01вет"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Skipped != 1 || strings.Contains(buf.String(), "<tu") {
		t.Errorf("skipped %d:\n%s", w.Skipped, buf.String())
	}
	checkTMX(t, buf.Bytes())
}

var tmxDate = regexp.MustCompile(`^\d{8}T\d{6}Z$`)

// checkTMX holds a document to the TMX 1.4b DTD's rules the desk writes by: <tmx version> with
// <header> and then <body> and nothing else; the header's required attributes
// (creationtool, creationtoolversion, segtype, o-tmf, adminlang, srclang, datatype) with the
// values the issue names; in <body> only <tu>; in a <tu> one or more <tuv> (the first the
// Arabic); in a <tuv> xml:lang and exactly one <seg>, holding only text; dates in the
// YYYYMMDDThhmmssZ form.
func checkTMX(t *testing.T, doc []byte) {
	t.Helper()
	type node struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Nodes   []node     `xml:",any"`
		Text    string     `xml:",chardata"`
	}
	var root node
	if err := xml.Unmarshal(doc, &root); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	attrs := func(n node) map[string]string {
		m := map[string]string{}
		for _, a := range n.Attrs {
			name := a.Name.Local
			if a.Name.Space == "http://www.w3.org/XML/1998/namespace" || a.Name.Space == "xml" {
				name = "xml:" + name
			}
			m[name] = a.Value
		}
		return m
	}
	checkDates := func(n node) {
		for k, v := range attrs(n) {
			if strings.HasSuffix(k, "date") && !tmxDate.MatchString(v) {
				t.Errorf("<%s %s=%q>: not a TMX date", n.XMLName.Local, k, v)
			}
		}
	}
	if root.XMLName.Local != "tmx" || attrs(root)["version"] != "1.4" {
		t.Fatalf("root <%s version=%q>", root.XMLName.Local, attrs(root)["version"])
	}
	if len(root.Nodes) != 2 || root.Nodes[0].XMLName.Local != "header" || root.Nodes[1].XMLName.Local != "body" {
		t.Fatalf("<tmx> must hold <header> then <body>, holds %d elements", len(root.Nodes))
	}
	header := attrs(root.Nodes[0])
	for k, v := range map[string]string{"creationtool": "tarjuma", "srclang": "ar", "adminlang": "en", "datatype": "plaintext", "segtype": "sentence"} {
		if header[k] != v {
			t.Errorf("header %s=%q, want %q", k, header[k], v)
		}
	}
	for _, k := range []string{"creationtoolversion", "o-tmf"} {
		if header[k] == "" {
			t.Errorf("header lacks the required %s", k)
		}
	}
	checkDates(root.Nodes[0])
	for _, tu := range root.Nodes[1].Nodes {
		if tu.XMLName.Local != "tu" {
			t.Fatalf("<body> holds <%s>", tu.XMLName.Local)
		}
		checkDates(tu)
		if len(tu.Nodes) == 0 {
			t.Errorf("a <tu> without <tuv>")
		}
		for i, tuv := range tu.Nodes {
			a := attrs(tuv)
			if tuv.XMLName.Local != "tuv" || a["xml:lang"] == "" {
				t.Errorf("<tu> holds <%s> with xml:lang %q", tuv.XMLName.Local, a["xml:lang"])
			}
			if i == 0 && a["xml:lang"] != "ar" {
				t.Errorf("the first <tuv> is %q, want the Arabic", a["xml:lang"])
			}
			checkDates(tuv)
			if len(tuv.Nodes) != 1 || tuv.Nodes[0].XMLName.Local != "seg" || len(tuv.Nodes[0].Nodes) != 0 {
				t.Errorf("a <tuv> must hold exactly one <seg> of text")
			}
		}
	}
}
