package glossary

import (
	"strings"
	"testing"
	"unicode"

	"github.com/tarjuma/tarjuma"
)

func TestStarter(t *testing.T) {
	terms := starter(t)
	if len(terms) < 150 {
		t.Errorf("%d terms, want at least 150", len(terms))
	}
	kinds := map[Kind]int{}
	for _, term := range terms {
		kinds[term.Kind]++
		if term.DoNotTranslate {
			t.Errorf("%s: the starter base translates everything", term.ID)
		}
		for _, v := range term.Arabic {
			if !strings.ContainsFunc(v, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
				t.Errorf("%s: variant %q is not Arabic", term.ID, v)
			}
		}
		for _, l := range tarjuma.TargetLangs() {
			f := term.Targets[l]
			for _, form := range append([]string{f.Preferred}, f.Accepted...) {
				if bad := misspelt(l, form); bad != "" {
					t.Errorf("%s: %s form %q: %s", term.ID, l, form, bad)
				}
			}
		}
		if strings.Contains(term.Note, "uncertain") && !strings.Contains(term.Note, "uncertain: ") {
			t.Errorf("%s: say what is uncertain as \"uncertain: …\": %q", term.ID, term.Note)
		}
	}
	for _, k := range Kinds() {
		if kinds[k] == 0 {
			t.Errorf("no term of kind %s", k)
		}
	}
}

// misspelt catches forms written in the wrong alphabet: Tajik Cyrillic has no ц, щ, ы or ь
// (a sign of a Russian spelling), Russian has none of the Tajik letters, English is Latin.
func misspelt(l tarjuma.Lang, form string) string {
	switch l {
	case tarjuma.Tajik:
		if strings.ContainsAny(strings.ToLower(form), "цщыь") {
			return "letters Tajik does not have"
		}
	case tarjuma.Russian:
		if strings.ContainsAny(strings.ToLower(form), "ғӣқӯҳҷ") {
			return "Tajik letters in Russian"
		}
	case tarjuma.English:
		if strings.ContainsFunc(form, func(r rune) bool { return unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) }) {
			return "not Latin"
		}
	}
	return ""
}
