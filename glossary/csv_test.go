package glossary

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	in, err := os.ReadFile("testdata/roundtrip.csv")
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
		t.Errorf("written back (-read +written):\n%s", diff)
	}
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
