package glossary

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

// utf16WithBOM encodes s as UTF-16 with a byte order mark, as terminology tools export.
func utf16WithBOM(s string, order binary.ByteOrder) []byte {
	var b bytes.Buffer
	units := utf16.Encode([]rune("\uFEFF" + s))
	for _, u := range units {
		_ = binary.Write(&b, order, u)
	}
	return b.Bytes()
}

// TestReadUTF16 reads the round-trip files saved as UTF-16 (both byte orders) and wants the
// same terms as from their UTF-8 originals.
func TestReadUTF16(t *testing.T) {
	for _, tc := range []struct {
		file string
		read func(r *bytes.Reader) ([]Term, error)
	}{
		{"testdata/roundtrip.tbx", func(r *bytes.Reader) ([]Term, error) { return ReadTBX(r) }},
		{"testdata/roundtrip.csv", func(r *bytes.Reader) ([]Term, error) { return ReadCSV(r) }},
	} {
		utf8Bytes, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		want, err := tc.read(bytes.NewReader(utf8Bytes))
		if err != nil {
			t.Fatalf("%s as UTF-8: %v", tc.file, err)
		}
		text := string(utf8Bytes)
		if strings.HasSuffix(tc.file, ".tbx") {
			text = strings.Replace(text, `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
		}
		for name, order := range map[string]binary.ByteOrder{"LE": binary.LittleEndian, "BE": binary.BigEndian} {
			t.Run(tc.file+" UTF-16"+name, func(t *testing.T) {
				got, err := tc.read(bytes.NewReader(utf16WithBOM(text, order)))
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("terms differ from the UTF-8 file's (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestTBXOtherEncodingRefused: an encoding the reader cannot honour is a problem on line 1,
// not a failure of the server.
func TestTBXOtherEncodingRefused(t *testing.T) {
	_, err := ReadTBX(strings.NewReader(`<?xml version="1.0" encoding="windows-1256"?><tbx></tbx>`))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Code != CodeSyntax || ve.Problems[0].Line != 1 {
		t.Fatalf("got %v, want one syntax problem on line 1", err)
	}
}

// TestImportProblemsCapped: a file wrong on every line reports MaxProblems problems and how
// many more there are.
func TestImportProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,kind,ar,tg,ru,en,note\n")
	const rows = 250
	for i := range rows {
		fmt.Fprintf(&b, "Bad_ID_%d,organization,وزارة %d,Вазорат,Министерство,Ministry,\n", i, i)
	}
	_, err := ReadCSV(strings.NewReader(b.String()))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	if len(ve.Problems) != MaxProblems+1 {
		t.Fatalf("%d problems, want %d and one counting the rest", len(ve.Problems), MaxProblems+1)
	}
	if p := ve.Problems[MaxProblems-1]; p.Line != MaxProblems+1 || p.Code != CodeBadID {
		t.Errorf("last listed problem %+v, want bad_id on line %d", p, MaxProblems+1)
	}
	if last := ve.Problems[MaxProblems]; last.Code != CodeMoreProblems || last.Arg != fmt.Sprint(rows-MaxProblems) {
		t.Errorf("last problem %+v, want %s with %d", last, CodeMoreProblems, rows-MaxProblems)
	}
	// The message lists the first ten and counts every other problem, listed or not.
	if msg := ve.Error(); !strings.HasSuffix(msg, fmt.Sprintf("; and %d more", rows-10)) || strings.Count(msg, "glossary.bad_id") != 10 {
		t.Errorf("message %q, want ten problems and \"; and %d more\"", msg, rows-10)
	}
}
