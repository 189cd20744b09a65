package inflect

import (
	"github.com/tarjuma/tarjuma"
	"strings"
	"unicode"
)

// tajik builds the forms of a Tajik phrase. Tajik marks the whole noun phrase once, on its last
// word: the object form takes -ро ("Эмомалӣ Раҳмонро", "Президенти Ҷумҳурии Тоҷикистонро") and
// the head of an izofa takes -и ("Тоҷикистони соҳибистиқлол"). The spelling follows the 2021
// orthography rules (Government Decree No. 268): a final ӣ is written и before a suffix
// (Марказӣ → Марказиро, Марказии); the izofa is written -и after a consonant and after а, е, о
// and у, and -йи after ӯ (гуфтугӯйи), which after a final й reads the same (ҷойи); an abbreviation or a closing quote takes the
// suffix after a hyphen (СҲШ-ро).
func tajik(lemma string) Paradigm {
	if !cyrillic(lemma) {
		return unchanged(tarjuma.Tajik, lemma)
	}
	last := lemma[strings.LastIndexAny(lemma, " ")+1:]
	p := Paradigm{Lemma: lemma, Forms: map[Form]string{Nom: lemma}, Plural: strings.HasSuffix(last, "ҳо")}
	p.Forms[Acc] = tajikSuffix(lemma, "ро")
	p.Forms[Ezafe] = tajikSuffix(lemma, "и")
	return p
}

// tajikSuffix attaches the object marker ("ро") or the izofa ("и") to the phrase's last word.
func tajikSuffix(phrase, suffix string) string {
	last := phrase[strings.LastIndexAny(phrase, " ")+1:]
	end := lastRune(phrase)
	switch {
	case isAbbreviation(last) || !unicode.IsLetter(end):
		return phrase + "-" + suffix
	case end == 'ӣ':
		return strings.TrimSuffix(phrase, "ӣ") + "и" + suffix
	case end == 'Ӣ':
		return strings.TrimSuffix(phrase, "Ӣ") + "И" + suffix
	case suffix == "и" && end == 'ӯ':
		return phrase + "йи"
	}
	return phrase + suffix
}
