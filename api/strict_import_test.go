package api

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tarjuma/tarjuma"
)

func TestGlossaryImportEncodings(t *testing.T) {
	tbx, err := os.ReadFile("../glossary/testdata/roundtrip.tbx")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(tbx), `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
	var utf16LE bytes.Buffer
	for _, u := range utf16.Encode([]rune("\uFEFF" + text)) {
		_ = binary.Write(&utf16LE, binary.LittleEndian, u)
	}
	eachDB(t, func(t *testing.T, e *testEnv) {
		got := decode[struct {
			Imported int `json:"imported"`
		}](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import", utf16LE.String(), "Content-Type", "application/x-tbx+xml"), http.StatusOK)
		if got.Imported == 0 {
			t.Errorf("imported %d terms from the UTF-16 TBX", got.Imported)
		}
		version := e.glossaryVersion(t)

		csvWithNUL := "id,kind,ar,tg,ru,en,note\n" +
			"president,title,رئيس الجمهورية,Президент,Президент,President,\n" +
			"ministry,organization,وزارة,Вазорат,Министерство,Ministry,a note\x00with a NUL\n"
		rec := e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/glossary/import", csvWithNUL, "Content-Type", "text/csv")
		wantError(t, rec, http.StatusUnprocessableEntity, "invalid_glossary", "line 3: note: glossary.bad_text")
		if v := e.glossaryVersion(t); v != version {
			t.Errorf("glossary version %d after a refused import, want %d", v, version)
		}
	})
}
