package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

// TestGlossaryMatchCLI holds `tarjuma glossary match` to its contract: one JSON object per line,
// byte offsets into stdin, text equal to those bytes.
func TestGlossaryMatchCLI(t *testing.T) {
	dir := t.TempDir()
	csvFile := writeFile(t, dir, "terms.csv", "id,kind,ar,tg,ru,en,note\n"+
		"un,organization,الأمم المتحدة,Созмони Милали Муттаҳид,Организация Объединённых Наций,United Nations,\n"+
		"kyrgyzstan,place,قيرغيزستان,Қирғизистон,Киргизия,Kyrgyzstan,\n")
	input := "قال متحدث باسم للأمم المتحدة\nإن وفدا وقيرغيزستان اتفقا."
	var out bytes.Buffer
	err := run(context.Background(), []string{"glossary", "match", "--glossary", csvFile}, env{}.get, strings.NewReader(input), &out)
	if err != nil {
		t.Fatal(err)
	}
	type match struct {
		Term       string
		Start, End int
		Text       string
	}
	var got []match
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var m match
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if m.Start < 0 || m.End > len(input) || input[m.Start:m.End] != m.Text {
			t.Errorf("match %+v: text is not input[start:end]", m)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0].Term != "un" || got[0].Text != "لأمم المتحدة" || got[1].Term != "kyrgyzstan" || got[1].Text != "قيرغيزستان" {
		t.Errorf("matches = %+v, want the UN without its لل proclitic and Kyrgyzstan without و", got)
	}
}

// TestGlossaryMatchCLIStarter runs the default (starter) term base over the sample article: the
// president's name and title are found.
func TestGlossaryMatchCLIStarter(t *testing.T) {
	title, body := tarjuma.SampleArticle()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"glossary", "match"}, env{}.get, strings.NewReader(title+"\n"+body), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "إمام علي رحمان") || !strings.Contains(out.String(), "رئيس جمهورية طاجيكستان") {
		t.Errorf("starter glossary missed the president in the sample:\n%s", out.String())
	}
}

func TestGlossaryImportExportCLI(t *testing.T) {
	dir := t.TempDir()
	vars := env{"TARJUMA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "t.db")}
	csv := "id,kind,ar,tg,ru,en,note\nkhujand,place,خجند,Хуҷанд,Худжанд,Khujand,\n"
	csvFile := writeFile(t, dir, "terms.csv", csv)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"glossary", "import", csvFile}, vars.get, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "imported 1 terms; glossary version 1") {
		t.Errorf("import said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"glossary", "export", "--format", "tbx"}, vars.get, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Хуҷанд") || !strings.Contains(out.String(), "<tbx") {
		t.Errorf("TBX export lacks the term:\n%s", out.String())
	}
	bad := writeFile(t, dir, "bad.csv", csv+"x,planet,خ,,,,\n")
	err := run(context.Background(), []string{"glossary", "import", bad}, vars.get, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("bad file: %v, want an error naming line 3", err)
	}
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
