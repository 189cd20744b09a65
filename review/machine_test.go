package review

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma/locale"
)

// markup is a tag, whose class names are not text a reader sees.
var markup = regexp.MustCompile(`<[^>]*>`)

// TestDeskNamesTheMachineInEveryLanguage opens the fixture's machine draft, its editor and its
// history, in each interface language: the pipeline's version is named in that language, never
// by the author field's English "machine".
func TestDeskNamesTheMachineInEveryLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	messages, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	c := f.signedIn(t, "reviewer")
	for _, lang := range messages.Langs() {
		c.lang = lang
		want := messages.Messages(lang)["history.machine"].Text
		for _, path := range []string{"/review/1/tg", "/review/1/tg/history"} {
			body := c.get(path).body
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: no %q", lang, path, want)
			}
			text := strings.ToLower(markup.ReplaceAllString(body, " "))
			if i := strings.Index(text, "machine"); lang != "en" && i >= 0 {
				t.Errorf("%s %s: the page says \"machine\": …%s…", lang, path, text[max(0, i-60):min(len(text), i+20)])
			}
		}
	}
}
