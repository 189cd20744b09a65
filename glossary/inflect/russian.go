package inflect

import (
	"github.com/tarjuma/tarjuma"
	"slices"
	"strings"
	"unicode/utf8"
)

// cases are the Russian forms in the order of a word's endings below.
var cases = []Form{Nom, Gen, Dat, Acc, Ins, Prep}

// wordForms are the six forms of one word, in the order of cases.
type wordForms [6]string

// fixed is a word that stays the same in every case: an indeclinable name, an abbreviation, a
// genitive complement.
func fixed(w string) wordForms { return wordForms{w, w, w, w, w, w} }

// endings builds the forms of stem+ending; acc is given apart because it depends on animacy.
func endings(stem, nom, gen, dat, acc, ins, prep string) wordForms {
	return wordForms{stem + nom, stem + gen, stem + dat, stem + acc, stem + ins, stem + prep}
}

// russian builds the cases of a Russian noun phrase. Appositions joined by a dash
// ("Основатель мира и национального единства – Лидер нации") decline each.
func russian(lemma string, c Class) Paradigm {
	if !cyrillic(lemma) {
		return unchanged(tarjuma.Russian, lemma)
	}
	var pieces []string
	rest := lemma
	for {
		i := indexDash(rest)
		if i == nil {
			pieces = append(pieces, rest)
			break
		}
		pieces = append(pieces, rest[:i.start], rest[i.start:i.end])
		rest = rest[i.end:]
	}
	p := Paradigm{Lemma: lemma, Forms: map[Form]string{}}
	for k, piece := range pieces {
		var forms []wordForms
		if k%2 == 1 || k > 0 && !capitalized(piece) {
			// The dash, and a lower-case complement after it (Совет глав государств –
			// учредителей …), which is no apposition.
			forms = []wordForms{fixed(piece)}
		} else {
			var plural bool
			var why string
			forms, plural, why = russianPhrase(piece, c)
			if why != "" {
				return undecided(lemma, why)
			}
			p.Plural = p.Plural || plural
		}
		for i, f := range cases {
			for _, w := range forms {
				p.Forms[f] += w[i]
			}
		}
	}
	if !strings.ContainsAny(lemma, "ёЁ") {
		// A desk that writes its spellings without ё (as most Russian print does) gets its
		// endings without ё too: Днем, Кремлем.
		for f, text := range p.Forms {
			p.Forms[f] = noYo.Replace(text)
		}
	}
	return p
}

var noYo = strings.NewReplacer("ё", "е", "Ё", "Е")

type span struct{ start, end int }

// indexDash finds the first spaced dash (" – ", " — ", " - ") that joins two appositions, or
// returns nil.
func indexDash(s string) *span {
	best := -1
	var sep string
	for _, d := range []string{" – ", " — ", " - "} {
		if i := strings.Index(s, d); i >= 0 && (best < 0 || i < best) {
			best, sep = i, d
		}
	}
	if best < 0 {
		return nil
	}
	return &span{best, best + len(sep)}
}

// russianPhrase declines one noun phrase, returning the forms of each word with the spaces
// kept in the words. It tells whether the phrase is plural, or why it cannot decide.
func russianPhrase(phrase string, c Class) (forms []wordForms, plural bool, why string) {
	words := strings.Split(phrase, " ")
	if c.Person {
		forms, why = personForms(words)
	} else {
		forms, plural, why = nounPhraseForms(words, c.Animate)
	}
	if why != "" {
		return nil, false, why
	}
	for i := range forms[:len(forms)-1] {
		for k := range forms[i] {
			forms[i][k] += " "
		}
	}
	return forms, plural, why
}

// nounPhraseForms declines a title, an organisation, a place or an event: the adjectives before
// the head agree with it, the head declines, and whatever follows the head is a complement
// (a genitive, an official name in apposition, an indeclinable) that stays as it is.
func nounPhraseForms(words []string, animate bool) ([]wordForms, bool, string) {
	head := 0
	for head < len(words)-1 && (isAdjective(words, head) && !isPreposition(words[head+1]) || words[head] == "и" && head > 0) {
		head++
	}
	plural := isPluralHead(words, head)
	forms := make([]wordForms, len(words))
	for i, w := range words {
		switch {
		case i > head:
			forms[i] = fixed(w)
		case i < head && w == "и":
			forms[i] = fixed(w)
		case i < head || isAdjective(words, i) && !isNounInIe(w):
			forms[i] = lastPart(w, func(part string) wordForms { return adjective(part, animate) })
		default:
			var why string
			forms[i], why = nounHead(w, plural, animate)
			if why != "" {
				return nil, false, why
			}
		}
	}
	return forms, plural, ""
}

// isPreposition reports whether w is a preposition, which after an adjective shows the
// adjective to be the head (Уполномоченный по правам человека).
func isPreposition(w string) bool {
	return slices.Contains([]string{"по", "при", "в", "во", "на", "с", "со", "за", "для", "о", "об", "от", "до", "из", "у", "к"}, w)
}

// lastPart declines the part of a hyphenated word after its last hyphen (Премьер-министр,
// Нью-Йорк, Горно-Бадахшанская); a word without a hyphen declines whole.
func lastPart(w string, decline func(string) wordForms) wordForms {
	i := strings.LastIndexByte(w, '-')
	f := decline(w[i+1:])
	for k := range f {
		f[k] = w[:i+1] + f[k]
	}
	return f
}

// nounHead declines the head noun of a non-personal phrase.
func nounHead(w string, plural, animate bool) (wordForms, string) {
	if plural {
		return lastPartOr(w, func(part string) (wordForms, string) { return pluralNoun(part, animate) })
	}
	if capitalized(w) && !strings.Contains(w, "-") && foreignIndeclinable(w) {
		return fixed(w), ""
	}
	return lastPartOr(w, func(part string) (wordForms, string) { return noun(part, animate, false) })
}

// lastPartOr is lastPart for a declension that may be undecided.
func lastPartOr(w string, decline func(string) (wordForms, string)) (wordForms, string) {
	var why string
	f := lastPart(w, func(part string) wordForms {
		var f wordForms
		f, why = decline(part)
		return f
	})
	return f, why
}

// afterVowelA reports a foreign name in -а after a vowel (Гарсиа, аш-Шараа), which Russian does
// not decline; -ия is a Russian ending and declines.
func afterVowelA(l string) bool {
	return strings.HasSuffix(l, "а") && strings.ContainsRune("аеоуэ", lastRune(strings.TrimSuffix(l, "а")))
}

// indeclinablePlaces are names that look plural but are one indeclinable place.
var indeclinablePlaces = []string{"алматы", "атырау", "актобе"}

// foreignIndeclinable reports whether a capitalised word is a foreign name ending in a vowel
// that Russian does not decline (Душанбе, Баку, Токио, Сочи), as opposed to a Russian noun in
// -о/-е (Министерство, Управление).
func foreignIndeclinable(w string) bool {
	l := strings.ToLower(w)
	if slices.Contains(indeclinablePlaces, l) {
		return true
	}
	switch lastRune(l) {
	case 'о', 'е', 'и', 'у', 'ю', 'э', 'ё':
		return !hasAnySuffix(l, "ство", "ие", "ье", "ище")
	}
	return afterVowelA(l)
}

// isAdjective reports whether words[i] is an adjective (or a participle) by its nominative
// ending. A word in -ие is an adjective only before a plural noun, since most are neuter nouns
// (Управление делами, Собрание).
func isAdjective(words []string, i int) bool {
	w := strings.ToLower(words[i])
	if i := strings.LastIndexByte(w, '-'); i >= 0 {
		w = w[i+1:]
	}
	if utf8.RuneCountInString(w) < 4 {
		return false
	}
	switch {
	case hasAnySuffix(w, "ый", "ой", "ая", "яя", "ое", "ее", "ые"):
		return true
	case strings.HasSuffix(w, "ий"):
		return adjectiveInIj(w)
	case strings.HasSuffix(w, "ие"):
		next := strings.ToLower(words[min(i+1, len(words)-1)])
		return i+1 < len(words) && (hasAnySuffix(next, "ые", "ие") || looksNominativePlural(next))
	}
	return false
}

// adjectiveInIj tells adjectives in -ий (Ближний, Горький, Высший) from nouns (Дмитрий).
func adjectiveInIj(w string) bool {
	return hasAnySuffix(w, "кий", "гий", "хий", "жий", "ший", "чий", "щий", "ний")
}

// isNounInIe reports a neuter noun in -ие standing where an adjective could (Управление делами).
func isNounInIe(w string) bool { return strings.HasSuffix(strings.ToLower(w), "ие") }

// looksNominativePlural reports whether w ends as a plural noun in the nominative does.
func looksNominativePlural(w string) bool {
	l := strings.ToLower(w)
	return hasAnySuffix(l, "ы", "и") && !hasAnySuffix(l, "ами", "ями", "ими", "ыми")
}

// isPluralHead reports whether the head is plural: a noun in -ы, or one in -и after a plural
// adjective (Объединённые Нации).
func isPluralHead(words []string, head int) bool {
	w := strings.ToLower(words[head])
	if isAbbreviation(words[head]) {
		return false
	}
	if slices.Contains(indeclinablePlaces, w) {
		return false
	}
	if hasAnySuffix(w, "ы", "ства", "аи", "еи") {
		return true // Нидерланды; государства, as a glossary's nominative cannot be a genitive
	}
	return head > 0 && hasAnySuffix(strings.ToLower(words[head-1]), "ые", "ие")
}

// adjective declines an adjective or participle in the gender and number its nominative shows.
func adjective(w string, animate bool) wordForms {
	l := strings.ToLower(w)
	stem := trimRunes(w, 2)
	ls := trimRunes(l, 2)
	k := lastRune(ls)
	velar := k == 'к' || k == 'г' || k == 'х'
	sibilant := k == 'ж' || k == 'ш' || k == 'ч' || k == 'щ' || k == 'ц'
	soft := strings.HasSuffix(l, "яя") || strings.HasSuffix(l, "ее") || strings.HasSuffix(l, "ий") && !velar && !sibilant
	switch {
	case hasAnySuffix(l, "ые", "ие"):
		i := "ы"
		if strings.HasSuffix(l, "ие") {
			i = "и"
		}
		acc := w
		if animate {
			acc = stem + i + "х"
		}
		return wordForms{w, stem + i + "х", stem + i + "м", acc, stem + i + "ми", stem + i + "х"}
	case hasAnySuffix(l, "ая", "яя"):
		switch {
		case soft:
			return endings(stem, "яя", "ей", "ей", "юю", "ей", "ей")
		case sibilant:
			return endings(stem, "ая", "ей", "ей", "ую", "ей", "ей")
		}
		return endings(stem, "ая", "ой", "ой", "ую", "ой", "ой")
	case hasAnySuffix(l, "ое", "ее"):
		nom := w[len(stem):]
		if soft || sibilant && strings.HasSuffix(l, "ее") {
			return endings(stem, nom, "его", "ему", nom, "им", "ем")
		}
		if velar || sibilant {
			return endings(stem, nom, "ого", "ому", nom, "им", "ом")
		}
		return endings(stem, nom, "ого", "ому", nom, "ым", "ом")
	}
	// Masculine: -ый, -ой, -ий.
	nom := w[len(stem):]
	var f wordForms
	switch {
	case soft || sibilant && strings.HasSuffix(l, "ий"):
		f = endings(stem, nom, "его", "ему", "", "им", "ем")
	case velar || sibilant:
		f = endings(stem, nom, "ого", "ому", "", "им", "ом")
	default:
		f = endings(stem, nom, "ого", "ому", "", "ым", "ом")
	}
	f[3] = w
	if animate {
		f[3] = f[1]
	}
	return f
}
