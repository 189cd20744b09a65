// Package inflect generates the grammatical forms of glossary terms in Russian and Tajik: the
// six cases of a Russian noun phrase and the Tajik object and izofa forms. A glossary holds its
// names and titles in the nominative, and a news sentence mostly needs another form
// ("встретился с Президентом Республики Таджикистан", "Эмомалӣ Раҳмонро"), so enforcing and
// checking a term needs every form of it. The rules are the declension classes of the grammars,
// not a dictionary, so a name the desk adds declines without being listed; where the rules
// cannot decide the head of a phrase, the paradigm says so instead of guessing, and the
// terminologist overrides a form in the glossary.
package inflect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
)

// Form names a grammatical form of a term.
type Form string

// The forms: the Russian cases (in the term's own number), and the Tajik forms an editor writes.
const (
	Nom   Form = "nom"   // ru nominative; tg the base form
	Gen   Form = "gen"   // ru genitive
	Dat   Form = "dat"   // ru dative
	Acc   Form = "acc"   // ru accusative; tg the object form with -ро
	Ins   Form = "ins"   // ru instrumental
	Prep  Form = "prep"  // ru prepositional, without the preposition
	Ezafe Form = "ezafe" // tg the head of an izofa, with -и
)

// FormsOf lists the forms a language has, in the order they are shown; nil for a language whose
// terms do not inflect.
func FormsOf(lang tarjuma.Lang) []Form {
	switch lang {
	case tarjuma.Russian:
		return []Form{Nom, Gen, Dat, Acc, Ins, Prep}
	case tarjuma.Tajik:
		return []Form{Nom, Acc, Ezafe}
	}
	return nil
}

// Inflects reports whether terms of lang have forms beyond the one the glossary holds.
func Inflects(lang tarjuma.Lang) bool { return FormsOf(lang) != nil }

// Valid reports whether f is a form of lang.
func (f Form) Valid(lang tarjuma.Lang) bool {
	for _, g := range FormsOf(lang) {
		if g == f {
			return true
		}
	}
	return false
}

// Class is what the generator needs to know of a term besides its text.
type Class struct {
	Person  bool // a personal name: every part declines, and its gender decides how
	Animate bool // a person or a title: the Russian accusative of masculines and plurals is the genitive
}

// Paradigm is every form of one spelling of a term.
type Paradigm struct {
	Lemma  string
	Forms  map[Form]string // every form of FormsOf(lang); only Nom when Undecided
	Plural bool            // the term is plural (Соединённые Штаты): its cases are the plural ones
	// Undecided says why the generator would be guessing (the head noun's gender, a plural it
	// cannot tell); empty when the forms follow from the rules.
	Undecided string
}

// Reasons a paradigm is undecided.
const (
	UndecidedGender = "gender" // a noun in -ь whose gender its ending does not tell
	UndecidedPlural = "plural" // a plural whose genitive the rules cannot tell
)

// Generate returns the paradigm of a term's spelling in lang. Languages that do not inflect get
// a paradigm with the lemma alone.
func Generate(lang tarjuma.Lang, lemma string, c Class) Paradigm {
	switch lang {
	case tarjuma.Russian:
		return russian(lemma, c)
	case tarjuma.Tajik:
		return tajik(lemma)
	}
	return Paradigm{Lemma: lemma, Forms: map[Form]string{Nom: lemma}}
}

// unchanged is the paradigm of a lemma that keeps its spelling in every form: a name in Latin
// script (a brand in a Russian text) is not declined.
func unchanged(lang tarjuma.Lang, lemma string) Paradigm {
	p := Paradigm{Lemma: lemma, Forms: map[Form]string{}}
	for _, f := range FormsOf(lang) {
		p.Forms[f] = lemma
	}
	return p
}

// undecided is the paradigm of a lemma whose forms the rules cannot tell.
func undecided(lemma, why string) Paradigm {
	return Paradigm{Lemma: lemma, Forms: map[Form]string{Nom: lemma}, Undecided: why}
}

// isAbbreviation reports whether w is an abbreviation written in capitals (ООН, СҲШ, ШОС),
// which neither language declines.
func isAbbreviation(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// cyrillic reports whether every letter of s is Cyrillic.
func cyrillic(s string) bool {
	seen := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.Is(unicode.Cyrillic, r) {
				return false
			}
			seen = true
		}
	}
	return seen
}

// capitalized reports whether w starts with a capital letter.
func capitalized(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// trimSuffix cuts the last n runes of s.
func trimRunes(s string, n int) string {
	for ; n > 0 && s != ""; n-- {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// hasAnySuffix reports whether s ends in one of the suffixes.
func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}
