package glossary

import (
	"errors"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestProtect(t *testing.T) {
	m := starterMatcher(t, Term{ID: "samsung", Kind: KindOther, Arabic: []string{"سامسونج"}, DoNotTranslate: true})
	for _, c := range readCases[struct{ Name, Text, Lang, Want string }](t, "testdata/protect.jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			html := m.Protect(c.Text, m.Match(c.Text), tarjuma.Lang(c.Lang))
			if html != c.Want {
				t.Errorf("Protect(%q) =\n%s\nwant\n%s", c.Text, html, c.Want)
			}
			// An engine that changes nothing gives back the text with the fixed forms.
			back, err := Unprotect(html)
			if err != nil {
				t.Fatalf("Unprotect(Protect(…)): %v", err)
			}
			if want := unprotectedWant(t, c.Want); back != want {
				t.Errorf("Unprotect(Protect(%q)) = %q, want %q", c.Text, back, want)
			}
		})
	}
}

// unprotectedWant is what the expected HTML reads as plain text.
func unprotectedWant(t *testing.T, html string) string {
	t.Helper()
	s, err := Unprotect(html)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestProtectSkipsBadMatches(t *testing.T) {
	m := starterMatcher(t)
	seg := "أفغانستان وطاجيكستان"
	ms := m.Match(seg)
	bad := append([]Match{{TermID: "no-such-term", Start: 0, End: 4}, {TermID: "afghanistan", Start: 0, End: 999}}, ms...)
	bad = append(bad, ms[0]) // overlaps what came before
	want := m.Protect(seg, ms, tarjuma.English)
	if got := m.Protect(seg, bad, tarjuma.English); got != want {
		t.Errorf("Protect with bad matches = %q, want %q", got, want)
	}
}

func TestUnprotect(t *testing.T) {
	for _, c := range readCases[struct {
		Name, HTML, Want string
		Err              bool
	}](t, "testdata/unprotect.jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Unprotect(c.HTML)
			switch {
			case c.Err && !errors.Is(err, ErrMalformed):
				t.Errorf("Unprotect(%q) = %q, %v; want ErrMalformed", c.HTML, got, err)
			case !c.Err && err != nil:
				t.Errorf("Unprotect(%q): %v", c.HTML, err)
			case !c.Err && got != c.Want:
				t.Errorf("Unprotect(%q) = %q, want %q", c.HTML, got, c.Want)
			}
		})
	}
}
