package inflect

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// fleetingVowel lists the nouns whose last vowel drops in the oblique cases (День → Дня,
// Египет → Египта, Посол → Посла): no ending tells them apart from Совет or Рахмон. stressed
// marks an ending under stress, which is spelled -ом/-ём after ц and ь.
var fleetingVowel = map[string]struct {
	stem     string
	soft     bool
	stressed bool
}{
	"день": {"дн", true, true}, "египет": {"египт", false, false}, "посол": {"посл", false, true},
	"павел": {"павл", false, false}, "лев": {"льв", false, true}, "пётр": {"петр", false, true},
	"петр": {"петр", false, true}, "орёл": {"орл", false, true}, "отец": {"отц", false, true},
	"дворец": {"дворц", false, true}, "конец": {"конц", false, true}, "угол": {"угл", false, true},
	"ветер": {"ветр", false, false}, "узел": {"узл", false, true}, "сон": {"сн", false, true},
	"рот": {"рт", false, true}, "лоб": {"лб", false, true}, "купец": {"купц", false, true},
	"боец": {"бойц", false, true}, "владелец": {"владельц", false, false}, "хребет": {"хребт", false, true},
	"огонь": {"огн", true, true},
}

// stressedSoft lists masculine nouns in -ь whose instrumental is stressed: Кремлём, Секретарём.
var stressedSoft = []string{"кремль", "рубль", "царь", "секретарь", "календарь", "словарь", "корабль", "король"}

// indeclinableCommon lists borrowed nouns in -о/-е/-ю that do not decline (бюро, коммюнике).
var indeclinableCommon = []string{"бюро", "кино", "радио", "метро", "депо", "табло", "казино", "трио", "кафе",
	"шоссе", "ателье", "пюре", "резюме", "коммюнике", "турне", "интервью", "жюри", "кредо", "евро", "вето", "эмбарго"}

// Soft-sign nouns: their gender decides their endings, and their ending mostly tells it.
var (
	masculineSoftSuffixes = []string{"тель", "арь", "ырь", "ярь", "бль", "мль"}
	feminineSoftSuffixes  = []string{"ость", "есть", "асть", "знь", "чь", "шь", "жь", "щь"}
	feminineSoft          = []string{"сибирь", "русь", "обь", "тверь", "пермь", "площадь", "сеть", "связь", "власть",
		"часть", "мощь", "ночь", "речь", "дочь", "тетрадь", "мысль", "жизнь", "кровь", "любовь", "соль", "печать", "беларусь"}
	masculineSoftNouns = []string{"день", "кремль", "рубль", "царь", "путь", "игорь", "король", "лагерь", "госпиталь",
		"автомобиль", "январь", "февраль", "апрель", "июль", "сентябрь", "октябрь", "ноябрь", "декабрь", "гость", "вождь", "дождь", "зверь", "конь", "израиль",
		"куль", "коль"} // куль, коль: Turkic lakes (Иссык-Куль)
)

// feminineGenitivePlural lists plural nouns in -ы whose genitive has no ending (сил, стран):
// their singular is feminine in -а, which the plural no longer shows.
var feminineGenitivePlural = []string{"сил", "стран", "глав", "филиппин", "мальдив", "багам", "сейшел", "канар",
	"альп", "афин", "карпат", "татр", "гор", "вод", "игр"}

// masculinePluralA lists plurals in -а whose genitive is -ов (Острова → Островов); the others
// are neuter (войска → войск, государства → государств).
var masculinePluralA = []string{"острова", "города", "берега", "леса", "округа", "дома", "века"}

// chineseSurnames are Chinese and Korean surnames, which Russian leaves undeclined before the
// given name: only a given name in a consonant declines (Си Цзиньпина), Ван И not at all.
var chineseSurnames = []string{"ван", "ли", "си", "чжан", "лю", "чэнь", "ян", "хуан", "чжао", "у", "чжоу", "сюй",
	"сунь", "ма", "чжу", "ху", "го", "хэ", "линь", "ло", "хань", "цинь", "вэй", "дин", "мао", "дэн", "цзян", "вэнь",
	"ким", "пак", "мун", "юн", "ли", "чхве", "чон"}

// noun declines a singular noun by the class its ending shows. masculine forces a soft-sign
// noun to be masculine, as a man's name is (Игорь).
func noun(w string, animate, masculine bool) (wordForms, string) {
	if isAbbreviation(w) {
		return fixed(w), ""
	}
	l := strings.ToLower(w)
	if fl, ok := fleetingVowel[l]; ok {
		stem := matchCase(w, fl.stem)
		if fl.soft {
			return masculineSoft(w, stem, animate, fl.stressed), ""
		}
		return masculineHard(w, stem, animate, fl.stressed), ""
	}
	if slices.Contains(indeclinableCommon, l) || strings.HasSuffix(l, "бюро") {
		return fixed(w), ""
	}
	switch last := lastRune(l); {
	case last == 'а':
		return firstDeclension(w, trimRunes(w, 1), "а"), ""
	case strings.HasSuffix(l, "ия"):
		stem := trimRunes(w, 2)
		return endings(stem, "ия", "ии", "ии", "ию", "ией", "ии"), ""
	case last == 'я':
		return firstDeclension(w, trimRunes(w, 1), "я"), ""
	case last == 'о':
		stem := trimRunes(w, 1)
		return endings(stem, "о", "а", "у", "о", "ом", "е"), ""
	case strings.HasSuffix(l, "ие"):
		stem := trimRunes(w, 2)
		return endings(stem, "ие", "ия", "ию", "ие", "ием", "ии"), ""
	case strings.HasSuffix(l, "ье"):
		stem := trimRunes(w, 2)
		return endings(stem, "ье", "ья", "ью", "ье", "ьем", "ье"), ""
	case last == 'е':
		stem := trimRunes(w, 1)
		if strings.ContainsRune("жшчщц", lastRune(strings.ToLower(stem))) {
			return endings(stem, "е", "а", "у", "е", "ем", "е"), ""
		}
		return endings(stem, "е", "я", "ю", "е", "ем", "е"), ""
	case last == 'ь':
		switch {
		case masculine || slices.Contains(masculineSoftNouns, l) || hasAnySuffix(l, masculineSoftSuffixes...):
			return masculineSoft(w, trimRunes(w, 1), animate, slices.Contains(stressedSoft, l)), ""
		case slices.Contains(feminineSoft, l) || hasAnySuffix(l, feminineSoftSuffixes...):
			stem := trimRunes(w, 1)
			return endings(stem, "ь", "и", "и", "ь", "ью", "и"), ""
		}
		return wordForms{}, UndecidedGender
	case strings.HasSuffix(l, "ий"):
		stem := trimRunes(w, 2)
		f := endings(stem, "ий", "ия", "ию", "ий", "ием", "ии")
		if animate {
			f[3] = f[1]
		}
		return f, ""
	case last == 'й':
		stem := trimRunes(w, 1)
		f := endings(stem, "й", "я", "ю", "й", "ем", "е")
		if animate {
			f[3] = f[1]
		}
		return f, ""
	case isConsonant(last):
		return masculineHard(w, w, animate, false), ""
	}
	return fixed(w), ""
}

// isConsonant reports whether r is a Russian consonant letter.
func isConsonant(r rune) bool {
	return strings.ContainsRune("бвгджзклмнпрстфхцчшщ", r)
}

// matchCase gives stem the capital of w when w has one.
func matchCase(w, stem string) string {
	if !capitalized(w) {
		return stem
	}
	r, size := utf8.DecodeRuneInString(stem)
	return strings.ToUpper(string(r)) + stem[size:]
}

// masculineHard declines a masculine noun in a consonant (Рахмон, Худжанд, Президент). The
// instrumental is -ем after a hissing consonant or ц unless the ending is stressed.
func masculineHard(nom, stem string, animate, stressed bool) wordForms {
	ins := "ом"
	if strings.ContainsRune("жшчщц", lastRune(strings.ToLower(stem))) && !stressed {
		ins = "ем"
	}
	f := endings(stem, "", "а", "у", "", "ом", "е")
	f[0], f[3], f[4] = nom, nom, stem+ins
	if animate {
		f[3] = f[1]
	}
	return f
}

// masculineSoft declines a masculine noun in -ь (Председатель, Кремль, День → Дня).
func masculineSoft(nom, stem string, animate, stressed bool) wordForms {
	ins := "ем"
	if stressed {
		ins = "ём"
	}
	f := endings(stem, "", "я", "ю", "", ins, "е")
	f[0], f[3] = nom, nom
	if animate {
		f[3] = f[1]
	}
	return f
}

// firstDeclension declines a noun in -а or -я, of either gender (Москва, Глава, Никита, Земля).
// Spelling rules: ы is и after г к х ж ш ч щ, and an unstressed о is е after ж ш ч щ ц.
func firstDeclension(nom, stem, a string) wordForms {
	k := lastRune(strings.ToLower(stem))
	gen, ins := "ы", "ой"
	if a == "я" {
		gen, ins = "и", "ей"
	}
	if strings.ContainsRune("гкхжшчщ", k) {
		gen = "и"
	}
	if strings.ContainsRune("жшчщц", k) {
		ins = "ей"
	}
	acc := "у"
	if a == "я" {
		acc = "ю"
	}
	f := endings(stem, a, gen, "е", acc, ins, "е")
	f[0] = nom
	return f
}

// pluralNoun declines a plural head (Штаты, силы, Нации). The genitive has -ов after a
// masculine stem and no ending after a feminine one, which the plural does not show: the
// feminine ones the desk meets are listed, and a plural in -и other than -ии is left undecided.
func pluralNoun(w string, animate bool) (wordForms, string) {
	l := strings.ToLower(w)
	var f wordForms
	switch {
	case strings.HasSuffix(l, "ии"):
		stem := trimRunes(w, 1)
		f = endings(stem, "и", "й", "ям", "", "ями", "ях")
	case strings.HasSuffix(l, "ы"):
		stem := trimRunes(w, 1)
		gen := "ов"
		if slices.Contains(feminineGenitivePlural, strings.ToLower(stem)) {
			gen = ""
		}
		f = endings(stem, "ы", gen, "ам", "", "ами", "ах")
	case hasAnySuffix(l, "аи", "еи", "уи"):
		stem := trimRunes(w, 1)
		f = endings(stem, "и", "ев", "ям", "", "ями", "ях")
	case strings.HasSuffix(l, "а"):
		stem := trimRunes(w, 1)
		gen := ""
		if slices.Contains(masculinePluralA, l) {
			gen = "ов"
		}
		f = endings(stem, "а", gen, "ам", "", "ами", "ах")
	default:
		return wordForms{}, UndecidedPlural
	}
	f[3] = f[0]
	if animate {
		f[3] = f[1]
	}
	return f, ""
}

// personForms declines a personal name word by word, each part by its own class, all in the
// gender of the name.
func personForms(words []string) ([]wordForms, string) {
	female := isFemaleName(words)
	last := len(words) - 1
	for last > 0 && isParticle(words[last]) {
		last--
	}
	forms := make([]wordForms, len(words))
	for i, w := range words {
		f, why := personWord(w, female, i == last, i < last)
		if why != "" {
			return nil, why
		}
		forms[i] = f
	}
	return forms, ""
}

// Name particles stay as they are; the names around them decline (Мухаммеда бин Салмана).
var particles = []string{"бин", "ибн", "бен", "ибни", "аль", "ал", "ас", "ад", "ан", "ар", "аш", "ат", "аз", "эль",
	"фон", "дер", "де", "ван", "да", "ди", "дос", "дю", "ла", "ле", "оглы", "кызы", "Аль", "Эль"}

func isParticle(w string) bool { return slices.Contains(particles, w) }

// Men's names in -а or -я: a first name in -а is otherwise a woman's.
var masculineA = []string{"никита", "илья", "фома", "лука", "кузьма", "савва", "данила", "хамза", "муса", "иса",
	"яхья", "мустафа", "абдулла", "абдуллах", "зия", "тоха", "ака", "мирза", "хода"}

// Compound first names whose first part Russian usage leaves undeclined (Абдель Фаттаха).
var undeclinedFirstParts = []string{"абдель", "абдул", "абд", "абу", "абдель-", "эль"}

// isFemaleName reports whether a name is a woman's: a feminine surname (-ова, -ина, -ская) or,
// without a masculine one (-ов, -ин, -ский), a first name in -а or -я.
func isFemaleName(words []string) bool {
	for _, w := range words {
		l := strings.ToLower(w)
		if hasAnySuffix(l, "ова", "ева", "ёва", "ина", "ына", "ская", "цкая") && utf8.RuneCountInString(l) > 4 {
			return true
		}
		if hasAnySuffix(l, "ов", "ев", "ёв", "ин", "ын", "ский", "цкий") {
			return false
		}
	}
	first := strings.ToLower(words[0])
	if i := strings.IndexByte(first, '-'); i >= 0 {
		first = first[:i]
	}
	return hasAnySuffix(first, "а", "я") && !slices.Contains(masculineA, first)
}

// personWord declines one word of a personal name. surname is the name's last word.
func personWord(w string, female, surname, beforeLast bool) (wordForms, string) {
	if isParticle(w) || isAbbreviation(w) {
		return fixed(w), ""
	}
	if strings.Contains(w, "-") {
		return hyphenatedName(w, female, surname)
	}
	l := strings.ToLower(w)
	if beforeLast && (slices.Contains(undeclinedFirstParts, l) || slices.Contains(chineseSurnames, l)) || strings.ContainsRune("оеиуюэы", lastRune(l)) || afterVowelA(l) {
		return fixed(w), "" // Абдель Фаттах; Лукашенко, Эмомали, Джо
	}
	if female {
		switch {
		case hasAnySuffix(l, "ова", "ева", "ёва", "ина", "ына") && surname && utf8.RuneCountInString(l) > 4:
			stem := trimRunes(w, 1)
			return endings(stem, "а", "ой", "ой", "у", "ой", "ой"), ""
		case hasAnySuffix(l, "ская", "цкая", "ая") && utf8.RuneCountInString(l) > 4:
			return adjective(w, true), ""
		case hasAnySuffix(l, "а", "я"):
			return noun(w, true, false)
		}
		return fixed(w), "" // Шмидт, Мурму: a woman's name in a consonant or another vowel
	}
	switch {
	case hasAnySuffix(l, "ский", "цкий", "ый") || surname && strings.HasSuffix(l, "ой") && utf8.RuneCountInString(l) > 4:
		return adjective(w, true), ""
	case surname && hasAnySuffix(l, "ых", "их"):
		return fixed(w), "" // Черных, Седых
	case surname && hasAnySuffix(l, "ов", "ев", "ёв", "ин", "ын") && !hasAnySuffix(l, "ддин", "пин", "цзин") && utf8.RuneCountInString(l) > 3:
		return endings(w, "", "а", "у", "а", "ым", "е"), "" // Путин → Путиным, Токаев → Токаевым
	}
	return noun(w, true, true)
}

// hyphenatedName declines the last part of a hyphenated name, as Russian usage does
// (Касым-Жомарта Токаева), and the name after an article (ас-Сиси, аль-Асада).
func hyphenatedName(w string, female, surname bool) (wordForms, string) {
	return lastPartOr(w, func(part string) (wordForms, string) { return personWord(part, female, surname, false) })
}
