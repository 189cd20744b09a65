package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestGlossaryImportCLIText holds `tarjuma glossary import` to the rule every door applies: a
// NUL in a CSV note is refused naming its line and column, with nothing imported, and a TBX
// saved as UTF-16 with a byte order mark is imported.
func TestGlossaryImportCLIText(t *testing.T) {
	dir := t.TempDir()
	vars := env{"TARJUMA_DATABASE_URL": "sqlite:" + filepath.Join(dir, "t.db")}
	bad := writeFile(t, dir, "nul.csv", "id,kind,ar,tg,ru,en,note\nkhujand,place,خجند,Хуҷанд,Худжанд,Khujand,\ndushanbe,place,دوشنبه,Душанбе,Душанбе,Dushanbe,capital\x00\n")
	var out bytes.Buffer
	err := run(context.Background(), []string{"glossary", "import", bad}, vars.get, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "line 3: note: glossary.bad_text") {
		t.Errorf("CSV with a NUL: %v, want line 3: note: glossary.bad_text", err)
	}

	tbx, err := os.ReadFile("../../glossary/testdata/roundtrip.tbx")
	if err != nil {
		t.Fatal(err)
	}
	var utf16LE bytes.Buffer
	for _, u := range utf16.Encode([]rune("\uFEFF" + strings.Replace(string(tbx), `encoding="UTF-8"`, `encoding="UTF-16"`, 1))) {
		_ = binary.Write(&utf16LE, binary.LittleEndian, u)
	}
	file := writeFile(t, dir, "terms.tbx", utf16LE.String())
	out.Reset()
	if err := run(context.Background(), []string{"glossary", "import", file}, vars.get, nil, &out); err != nil {
		t.Fatalf("UTF-16 TBX: %v", err)
	}
	if !strings.Contains(out.String(), "glossary version 1") {
		t.Errorf("import said %q; the refused CSV must not have made a version", out.String())
	}
}
