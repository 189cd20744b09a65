package glossary

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestTBXRoundTrip writes term bases as TBX and reads them back: CSV → TBX → CSV gives the
// same CSV, for the file that uses every column and for the starter base. The TBX of the first
// is kept as testdata/roundtrip.tbx (regenerate with -update) to show what other tools get.
func TestTBXRoundTrip(t *testing.T) {
	csvIn, err := os.ReadFile("testdata/roundtrip.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, csv, golden string
	}{
		{"roundtrip.csv", string(csvIn), "testdata/roundtrip.tbx"},
		{"starter.csv", starterCSV, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			terms, err := ReadCSV(strings.NewReader(c.csv))
			if err != nil {
				t.Fatal(err)
			}
			var tbx bytes.Buffer
			if err := WriteTBX(&tbx, terms); err != nil {
				t.Fatal(err)
			}
			if c.golden != "" {
				compareGolden(t, c.golden, tbx.Bytes())
			}
			back, err := ReadTBX(bytes.NewReader(tbx.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			var before, after bytes.Buffer
			if err := WriteCSV(&before, terms); err != nil {
				t.Fatal(err)
			}
			if err := WriteCSV(&after, back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before.String(), after.String()); diff != "" {
				t.Errorf("CSV → TBX → CSV (-before +after):\n%s", diff)
			}
		})
	}
}

// TestTBXKeepsHistory checks what only TBX carries: who changed a term and when.
func TestTBXKeepsHistory(t *testing.T) {
	terms := []Term{{
		ID: "dushanbe", Kind: KindPlace, Arabic: []string{"دوشنبه"},
		Targets: map[tarjuma.Lang]Forms{
			tarjuma.Tajik: {Preferred: "Душанбе"}, tarjuma.Russian: {Preferred: "Душанбе"}, tarjuma.English: {Preferred: "Dushanbe"},
		},
		UpdatedBy: "terminologist", UpdatedAt: time.Date(2024, 3, 21, 10, 0, 0, 0, time.UTC),
	}}
	var tbx bytes.Buffer
	if err := WriteTBX(&tbx, terms); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTBX(&tbx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(terms, back); diff != "" {
		t.Errorf("(-written +read):\n%s", diff)
	}
}

// TestReadTBX2 reads a TBX 2 (martif) file as other tools export it: tig elements, regional
// language tags, a preferred term that is not listed first, deprecated and superseded terms,
// a language the desk does not publish and a subject field that is not a kind.
func TestReadTBX2(t *testing.T) {
	f, err := os.Open("testdata/martif.tbx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms, err := ReadTBX(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []Term{
		{
			ID: "rahmon", Kind: KindPerson, Arabic: []string{"إمام علي رحمان", "إمام على رحمان"},
			Targets: map[tarjuma.Lang]Forms{
				tarjuma.Russian: {Preferred: "Эмомали Рахмон", Accepted: []string{"Рахмон"}},
				tarjuma.Tajik:   {Preferred: "Эмомалӣ Раҳмон"},
				tarjuma.English: {Preferred: "Emomali Rahmon"},
			},
		},
		{
			ID: "un", Kind: KindOther, Note: "subjectField: Politics\nfrom the UN terminology database",
			Arabic: []string{"الأمم المتحدة"},
			Targets: map[tarjuma.Lang]Forms{
				tarjuma.Tajik:   {Preferred: "Созмони Милали Муттаҳид"},
				tarjuma.Russian: {Preferred: "Организация Объединенных Наций"},
				tarjuma.English: {Preferred: "United Nations", Accepted: []string{"UN"}},
			},
		},
	}
	if diff := cmp.Diff(want, terms); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// compareGolden compares got with a golden file, rewriting it first under -update.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("differs from %s (-want +got):\n%s", path, diff)
	}
}
