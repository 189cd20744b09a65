package qa

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/numeral"
)

// number is a number written in digits in a text: its bytes and its canonical value.
type number struct {
	start, end int
	value      string
}

// numberMismatch returns the numbers of seg's source missing from its text and those of its
// text not in the source, each as often as it is unmatched, in numbers' canonical form. A
// number inside a glossary term (a source span of seg.Terms, a target span of seg.Checks) is
// the glossary's to check, so one token never raises both a number and a term flag. A number
// written as a word on the other side ("ثلاثة" for 3, "три" for ٣) answers a missing or extra
// one; words never raise a flag themselves, since "один" or "واحد" are as often not numbers.
func numberMismatch(seg tarjuma.Segment, lang tarjuma.Lang) (missing, extra []string) {
	var inTerm, inCheck []span
	for _, t := range seg.Terms {
		inTerm = append(inTerm, span{t.Start, t.End})
	}
	for _, c := range seg.Checks {
		if c.Start >= 0 && c.Start < c.End {
			inCheck = append(inCheck, span{c.Start, c.End})
		}
	}
	src := valuesOutside(numberTokens(seg.Source), inTerm)
	tgt := valuesOutside(numberTokens(seg.Text), inCheck)
	want := map[string]int{}
	for _, n := range src {
		want[n]++
	}
	for _, n := range tgt {
		if want[n] > 0 {
			want[n]--
			continue
		}
		extra = append(extra, n)
	}
	for _, n := range src {
		if want[n] > 0 {
			want[n]--
			missing = append(missing, n)
		}
	}
	missing = answered(missing, numberWords(seg.Text, lang))
	extra = answered(extra, numberWords(seg.Source, tarjuma.Arabic))
	return missing, extra
}

// answered drops from ns the numbers that words (values by count) spell out, each word once.
func answered(ns []string, words map[string]int) []string {
	var out []string
	for _, n := range ns {
		if words[n] > 0 {
			words[n]--
			continue
		}
		out = append(out, n)
	}
	return out
}

// span is a byte range of a text.
type span struct{ start, end int }

// valuesOutside returns the values of ns that do not overlap any of spans.
func valuesOutside(ns []number, spans []span) []string {
	var out []string
	for _, n := range ns {
		inside := false
		for _, s := range spans {
			if n.start < s.end && s.start < n.end {
				inside = true
				break
			}
		}
		if !inside {
			out = append(out, n.value)
		}
	}
	return out
}

// numbers returns the numbers in s in numeral.Scan's canonical form, so "1,000", "1 000",
// "١٬٠٠٠" and "1000" are one number.
func numbers(s string) []string { return valuesOutside(numberTokens(s), nil) }

// numberTokens returns the numbers written in digits in s.
func numberTokens(s string) []number {
	var out []number
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := numeral.Digit(r); !ok {
			i += size
			continue
		}
		end, value := numeral.Scan(s, i)
		out = append(out, number{i, end, value})
		i = end
	}
	return out
}

// numberWords counts the numbers s spells as single words, by canonical value. lang picks the
// word list (Arabic for a source; "" tries every target language's).
func numberWords(s string, lang tarjuma.Lang) map[string]int {
	out := map[string]int{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
		if v, ok := numberWord(w, lang); ok {
			out[v]++
		}
	}
	return out
}

// numberWord is the value of w if it is a number word of lang.
func numberWord(w string, lang tarjuma.Lang) (string, bool) {
	if lang == tarjuma.Arabic {
		n := glossary.Normalize(w)
		// Proclitics (و ف ب ل, then the article ال) attach to the numeral: "وثلاثة", "بالعشرين".
		for _, p := range []string{"", "و", "ف", "ب", "ل", "ال", "وال", "بال", "فال", "لل"} {
			if rest, ok := strings.CutPrefix(n, p); ok && rest != "" {
				if v, ok := arabicNumberWords[rest]; ok {
					return v, true
				}
			}
		}
		return "", false
	}
	w = strings.ToLower(strings.ReplaceAll(w, "ё", "е"))
	for _, l := range []tarjuma.Lang{tarjuma.Russian, tarjuma.Tajik, tarjuma.English} {
		if lang != "" && lang != l {
			continue
		}
		if v, ok := targetNumberWords[l][w]; ok {
			return v, true
		}
	}
	return "", false
}

// arabicNumberWords are the cardinal numerals as words, both genders (the numerals 3–10 take
// ة with a masculine noun), nominative and oblique (-ون/-ين, -ان/-ين), after glossary.Normalize
// (ة → ه, أ → ا). After Wright, A Grammar of the Arabic Language, vol. 1 §§ 318–324.
var arabicNumberWords = func() map[string]string {
	m := map[string]string{}
	for v, ws := range map[string][]string{
		"1": {"واحد", "واحدة"}, "2": {"اثنان", "اثنين", "اثنتان", "اثنتين"},
		"3": {"ثلاث", "ثلاثة"}, "4": {"أربع", "أربعة"}, "5": {"خمس", "خمسة"}, "6": {"ست", "ستة"},
		"7": {"سبع", "سبعة"}, "8": {"ثمان", "ثماني", "ثمانية"}, "9": {"تسع", "تسعة"}, "10": {"عشر", "عشرة"},
		"20": {"عشرون", "عشرين"}, "30": {"ثلاثون", "ثلاثين"}, "40": {"أربعون", "أربعين"},
		"50": {"خمسون", "خمسين"}, "60": {"ستون", "ستين"}, "70": {"سبعون", "سبعين"},
		"80": {"ثمانون", "ثمانين"}, "90": {"تسعون", "تسعين"}, "100": {"مئة", "مائة"}, "1000": {"ألف"},
	} {
		for _, w := range ws {
			m[glossary.Normalize(w)] = v
		}
	}
	return m
}()

// targetNumberWords are the cardinal numerals of the target languages in every case form.
// Russian after Русская грамматика (АН СССР, 1980) §§ 1372–1390 (один, два/две, три, четыре
// decline on their own; пять … двадцать, тридцать as the third declension: -и, -ью; сорок,
// девяносто, сто: -а); ё is read as е. Tajik after Рустамов, Грамматикаи забони адабии
// ҳозираи тоҷик (1985), numerals (they do not decline). English: the cardinals.
var targetNumberWords = map[tarjuma.Lang]map[string]string{
	tarjuma.Russian: func() map[string]string {
		m := map[string]string{}
		add := func(v string, ws ...string) {
			for _, w := range ws {
				m[w] = v
			}
		}
		add("1", "один", "одна", "одно", "одного", "одной", "одному", "одним", "одном", "одну")
		add("2", "два", "две", "двух", "двум", "двумя")
		add("3", "три", "трех", "трем", "тремя")
		add("4", "четыре", "четырех", "четырем", "четырьмя")
		// The third-declension numerals: nominative -ь, oblique -и, instrumental -ью.
		for v, stem := range map[string]string{"5": "пят", "6": "шест", "7": "сем", "9": "девят", "10": "десят",
			"11": "одиннадцат", "12": "двенадцат", "13": "тринадцат", "14": "четырнадцат", "15": "пятнадцат",
			"16": "шестнадцат", "17": "семнадцат", "18": "восемнадцат", "19": "девятнадцат", "20": "двадцат", "30": "тридцат"} {
			add(v, stem+"ь", stem+"и", stem+"ью")
		}
		add("8", "восемь", "восьми", "восемью", "восьмью")
		add("40", "сорок", "сорока")
		add("90", "девяносто", "девяноста")
		add("100", "сто", "ста")
		return m
	}(),
	tarjuma.Tajik: {
		"як": "1", "ду": "2", "се": "3", "чор": "4", "панҷ": "5", "шаш": "6", "ҳафт": "7", "ҳашт": "8",
		"нӯҳ": "9", "даҳ": "10", "ёздаҳ": "11", "дувоздаҳ": "12", "сенздаҳ": "13", "чордаҳ": "14",
		"понздаҳ": "15", "шонздаҳ": "16", "ҳабдаҳ": "17", "ҳаждаҳ": "18", "нуздаҳ": "19", "бист": "20",
		"сӣ": "30", "чил": "40", "панҷоҳ": "50", "шаст": "60", "ҳафтод": "70", "ҳаштод": "80",
		"навад": "90", "сад": "100", "ҳазор": "1000",
	},
	tarjuma.English: {
		"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
		"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
		"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000",
	},
}
