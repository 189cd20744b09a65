package review

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// The suggestions and memory pages work without script, answer signed-out visitors with the
// sign-in page and unknown segments with the not-found page, and keep Arabic and Tajik text
// byte-exact, including in the text an insert button carries.
func TestSuggestionAndMemoryPages(t *testing.T) {
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	const tajik = "Роҳбарон соли 2023 дар Душанбе ҷамъ омаданд."
	if err := f.db.PutMemory(t.Context(), []store.MemoryEntry{{Source: tarjuma.Arabic, Target: tarjuma.Tajik,
		Key: "اجتمع القادة عام ٢٠٢٣ في دوشنبه.", Text: tajik}}); err != nil {
		t.Fatal(err)
	}
	anon := f.signedIn(t, "")
	for _, path := range []string{"/memory?q=x", "/review/1/tg/segments/p1.s1/suggestions"} {
		if resp := anon.get(path); resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.location, "/login") {
			t.Errorf("%s signed out: %d %q", path, resp.status, resp.location)
		}
	}
	c := f.signedIn(t, "translator")
	// p1.s1 is "اجتمع القادة عام ٢٠٢٤ في دوشنبه." with a memory match one number off: adapted
	// to 2024 and scoring 99.
	resp := c.get("/review/1/tg/segments/p1.s1/suggestions")
	if resp.status != http.StatusOK {
		t.Fatalf("suggestions: %d", resp.status)
	}
	want := strings.Replace(tajik, "2023", "2024", 1)
	for _, s := range []string{`data-origin="memory" data-score="99" data-key="1"`, `data-text="` + want + `" data-mode="whole"`,
		`<bdi dir="ltr">2023 → 2024</bdi>`, `data-origin="glossary"`, `data-mode="cursor"`} {
		if !strings.Contains(resp.body, s) {
			t.Errorf("suggestions page lacks %s", s)
		}
	}
	if resp := c.get("/review/1/tg/segments/p9.s9/suggestions"); resp.status != http.StatusNotFound {
		t.Errorf("unknown segment: %d", resp.status)
	}
	// A word inside a longer one (دوشنبه in "في دوشنبه.") and a Tajik word without case.
	for _, q := range []string{"دوشنبه", "душанбе"} {
		resp := c.get("/memory?lang=tg&q=" + url.QueryEscape(q))
		if resp.status != http.StatusOK || !strings.Contains(resp.body, tajik) || strings.Count(resp.body, `class="hit`) != 1 {
			t.Errorf("memory page for %q: %d\n%s", q, resp.status, resp.body)
		}
	}
	if resp := c.get("/memory?lang=ru&q=" + url.QueryEscape("دوشنبه")); strings.Contains(resp.body, tajik) {
		t.Error("a Tajik translation found in Russian")
	}
}
