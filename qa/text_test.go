package qa

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

func fl(kind tarjuma.FlagKind, args ...string) tarjuma.Flag {
	return tarjuma.Flag{Kind: kind, Args: args}
}

// TestTextChecks holds the new checks to hand-worked segments. Where a text is wrong, what it
// should be comes from the reference named on the case, never from the code under test.
func TestTextChecks(t *testing.T) {
	for _, tc := range []struct {
		name, source, text string
		lang               tarjuma.Lang
		want               []tarjuma.Flag
	}{
		// Legacy glyphs. The Tajik alphabet (Decree of the Government of Tajikistan No. 330 of
		// 2 August 2004, its Unicode table; the 2021 orthography rules) writes Ғ U+0492, Ӣ U+04E2,
		// Қ U+049A, Ӯ U+04EE, Ҳ U+04B2, Ҷ U+04B6; the pre-Unicode fonts left Ѓ Ї Ќ Ў Њ Љ in their
		// place (FIELD-NOTES; the issue). "Ҷумҳурии Тоҷикистон" is the glossary's spelling.
		{"legacy glyphs, one flag a word", "جمهورية طاجيكستان", "Љумњурии Тољикистон", tarjuma.Tajik,
			[]tarjuma.Flag{fl(LegacyGlyph, "Љумњурии", "Ҷумҳурии"), fl(LegacyGlyph, "Тољикистон", "Тоҷикистон")}},
		{"every legacy pair", "نص", "Ѓафуров ќарор рўз тоҷикї", tarjuma.Tajik,
			[]tarjuma.Flag{fl(LegacyGlyph, "Ѓафуров", "Ғафуров"), fl(LegacyGlyph, "ќарор", "қарор"),
				fl(LegacyGlyph, "рўз", "рӯз"), fl(LegacyGlyph, "тоҷикї", "тоҷикӣ")}},
		{"a repeated word is one flag", "نص", "ќарор ва ќарор", tarjuma.Tajik,
			[]tarjuma.Flag{fl(LegacyGlyph, "ќарор", "қарор")}},
		// A legacy glyph is not also a look-alike: the word with both is one flag, mended whole
		// (Latin c U+0063 for Cyrillic с U+0441).
		{"legacy glyph and a Latin letter in one word", "طاجيكستان", "Тољикиcтон", tarjuma.Tajik,
			[]tarjuma.Flag{fl(LegacyGlyph, "Тољикиcтон", "Тоҷикистон")}},

		// Look-alikes: Unicode intentional.txt (UTS #39) pairs o U+006F / о U+043E, c U+0063 /
		// с U+0441, е U+0435 / e U+0065.
		{"Latin o inside a Russian word", "في موسكو", "Встреча прошла в Мoскве", tarjuma.Russian,
			[]tarjuma.Flag{fl(MixedScript, "Мoскве", "Москве")}},
		{"Latin c for the preposition с", "مع الرئيس", "Встреча c президентом", tarjuma.Russian,
			[]tarjuma.Flag{fl(MixedScript, "c", "с")}},
		{"Latin letter without a look-alike: flagged, no fix", "مرحبا", "прuвет", tarjuma.Russian,
			[]tarjuma.Flag{fl(MixedScript, "прuвет")}},
		{"Cyrillic е inside an English word", "الرئيس", "The Prеsident spoke", tarjuma.English,
			[]tarjuma.Flag{fl(MixedScript, "Prеsident", "President")}},
		// Latin words are words of their own in Russian news: brands, Roman numerals, with a
		// hyphen to a Russian ending (Мильчин, Чельцова, § 4.1.3 on hyphenated compounds).
		{"Latin words beside Cyrillic ones", "نص", "Apple и Google в XX веке: SMS-сообщение с Google", tarjuma.Russian, nil},

		// Arabic script in a Cyrillic target: one flag for a stretch, covering its marks and
		// digits (Persian ZWNJ included), so they are not flagged again.
		{"Persian words left in Tajik", "قال: نحن مستعدون ٣ أيام", "Ӯ гуфт: «ما آماده‌ایم، ۳ روز» ва рафт.", tarjuma.Tajik,
			[]tarjuma.Flag{fl(ForeignScript, "ما آماده‌ایم، ۳ روز")}},
		{"untranslated is one flag, not also its script", "قتل ٣", "قتل ٣", tarjuma.Tajik,
			[]tarjuma.Flag{fl(Untranslated)}},

		// Arabic digits, written as Russian and English typography write numbers: decimal
		// comma and a no-break space between thousands in Russian (Мильчин, Чельцова, § 7.1.2),
		// decimal point and comma in English (Chicago Manual of Style, 17th ed., § 9.56).
		{"Arabic-Indic digits in Russian", "٣٫٥ و١٬٠٠٠", "3,5 и ١٬٠٠٠", tarjuma.Russian,
			[]tarjuma.Flag{fl(ArabicDigits, "١٬٠٠٠", "1\u00a0000")}},
		{"Arabic-Indic digits in English", "٣٫٥", "grew by ٣٫٥ percent", tarjuma.English,
			[]tarjuma.Flag{fl(ArabicDigits, "٣٫٥", "3.5")}},

		// Arabic marks (Unicode 15.0, Arabic block) for , ; ?
		{"Arabic question mark and comma", "لماذا، وكيف؟", "Почему، и как؟", tarjuma.Russian,
			[]tarjuma.Flag{fl(ArabicPunctuation, "،", ","), fl(ArabicPunctuation, "؟", "?")}},

		// Brackets and quotes: «ёлочки» with „лапками“ inside (Мильчин, Чельцова, § 5.12.4).
		{"bracket left open", "قال (في بيان)", "Сказал (в заявлении", tarjuma.Russian,
			[]tarjuma.Flag{fl(Unbalanced, "(")}},
		{"quote style changed is no finding", `قال "نعم"`, "сказал «да»", tarjuma.Russian, nil},
		{"nested quotes", `قال "نعم"`, "«Он сказал „да“»", tarjuma.Russian, nil},
		{"English quotes", `قال "نعم"`, "He said “yes”", tarjuma.English, nil},
		{"quote opened in the source too", "«قال إن", "«Он сказал, что", tarjuma.Russian, nil},
		{"closing guillemet added", "نعم", "да»", tarjuma.Russian, []tarjuma.Flag{fl(Unbalanced, "»")}},

		// A question stays a question.
		{"question mark lost", "هل ستشارك؟", "Примет ли участие.", tarjuma.Russian, []tarjuma.Flag{fl(EndPunctuation, "?")}},
		{"question mark kept", "هل ستشارك؟", "Примет ли участие?", tarjuma.Russian, nil},
		{"exclamation inside quotes", "قال: «لا»!", "Он сказал: «Нет!»", tarjuma.Russian, nil},

		// Spacing: no space before , . ; : ! ? (Мильчин, Чельцова, § 7.1.1); one space
		// between words.
		{"space before a comma", "قال إن", "Он сказал , что", tarjuma.Russian, []tarjuma.Flag{fl(SpaceBeforePunctuation, ",")}},
		{"double space", "قال إن", "Он  сказал, что", tarjuma.Russian, []tarjuma.Flag{fl(DoubleSpace)}},
		{"two spaces before a comma are the comma's", "قال إن", "Он сказал  , что", tarjuma.Russian,
			[]tarjuma.Flag{fl(SpaceBeforePunctuation, ",")}},
		{"an ellipsis after a space is no finding", "قال", "Он сказал ...", tarjuma.Russian, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flags(tarjuma.Segment{Source: tc.source, Text: tc.text, Origin: tarjuma.OriginHuman}, tc.lang)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(flagsEqual)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNumberWords: a number spelt out on one side answers the same number in digits on the
// other; a word never raises a flag of its own. Numerals after Wright's Arabic grammar
// (§§ 318–324: ثلاثة 3, with the proclitic و), Русская грамматика (1980) § 1380 (тремя is the
// instrumental of три), and Tajik (панҷ 5).
func TestNumberWords(t *testing.T) {
	for _, tc := range []struct {
		name, source, text string
		lang               tarjuma.Lang
		want               []tarjuma.Flag
	}{
		{"Arabic word, digits in Russian", "قتل ثلاثة أشخاص", "Погибли 3 человека", tarjuma.Russian, nil},
		{"with a proclitic", "قتل اثنان وثلاثة جرحى", "Погибли 2, ранены 3", tarjuma.Russian, nil},
		{"digits, Russian word inflected", "التقى ٣ وزراء", "Встретился с тремя министрами", tarjuma.Russian, nil},
		{"digits, Tajik word", "٥ أشخاص", "панҷ нафар", tarjuma.Tajik, nil},
		{"digits, English word", "٥ أشخاص", "five people", tarjuma.English, nil},
		{"a word of another value does not answer", "قتل ٣", "Погибли четыре", tarjuma.Russian,
			[]tarjuma.Flag{fl(NumberMissing, "3")}},
		{"a word alone raises nothing", "قتل شخص", "Погиб один человек", tarjuma.Russian, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flags(tarjuma.Segment{Source: tc.source, Text: tc.text, Origin: tarjuma.OriginHuman}, tc.lang)
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(flagsEqual)); diff != "" {
				t.Errorf("flags (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNumbersInTerms: a number inside a glossary term is the glossary's; one token never
// raises a number flag and a term flag both.
func TestNumbersInTerms(t *testing.T) {
	target := "Встреча Группа-7 прошла"
	start := len("Встреча ")
	seg := tarjuma.Segment{Source: "اجتماع المجموعة", Text: target, Origin: tarjuma.OriginHuman,
		Checks: []tarjuma.TermCheck{{TermID: "g7", Result: string(glossary.FindingWrongCase), Form: "Группа-7", Suggestion: "Группы-7",
			Start: start, End: start + len("Группа-7")}}}
	if got := Flags(seg); !flagsEqual(got, []tarjuma.Flag{fl(TermWrongCase, "Группа-7", "Группы-7")}) {
		t.Errorf("term span in the target: %+v, want the term's flag alone", got)
	}
	seg.Checks = nil
	if got := Flags(seg); !flagsEqual(got, []tarjuma.Flag{fl(NumberExtra, "7")}) {
		t.Errorf("without the term: %+v, want number_extra 7", got)
	}
	src := "قرار ٢٤٢ لمجلس الأمن"
	seg = tarjuma.Segment{Source: src, Text: "Резолюция Совета Безопасности", Origin: tarjuma.OriginHuman,
		Terms: []tarjuma.TermSpan{{TermID: "res242", Start: 0, End: len("قرار ٢٤٢")}}}
	if got := Flags(seg); len(got) != 0 {
		t.Errorf("term span in the source: %+v, want none", got)
	}
}

// TestCheckScriptBeforeTerm: a name typed with a Latin a (U+0061) for а (U+0430) is one
// problem: the look-alike, whose fix also satisfies the glossary, not also a missing term. A
// name really missing is still a term flag.
func TestCheckScriptBeforeTerm(t *testing.T) {
	terms, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	m := glossary.NewMatcher(terms, time.Now())
	segs := []tarjuma.Segment{
		{ID: "p1", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Заявил Эмомали Рaхмон."},
		{ID: "p2", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Заявил Рaхмонов."},
		{ID: "p3", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Эмомалӣ Раҳмон гуфт."},
		{ID: "p4", Source: "قال إمام علي رحمان", Origin: tarjuma.OriginHuman, Text: "Эмомалї Рањмон гуфт."},
	}
	Check(m, segs[:2], tarjuma.Russian)
	Check(m, segs[2:], tarjuma.Tajik)
	want := [][]tarjuma.Flag{
		{fl(MixedScript, "Рaхмон", "Рахмон")},
		{fl(MixedScript, "Рaхмонов", "Рахмонов"), fl(TermMissing, "Эмомали Рахмон")},
		{},
		{fl(LegacyGlyph, "Эмомалї", "Эмомалӣ"), fl(LegacyGlyph, "Рањмон", "Раҳмон")},
	}
	for i, seg := range segs {
		if !flagsEqual(want[i], seg.Flags) {
			t.Errorf("%s: flags %+v, want %+v", seg.ID, seg.Flags, want[i])
		}
	}
}

// TestEmptyIsOneFlag: an empty text is the empty flag, not also every glossary term missing.
func TestEmptyIsOneFlag(t *testing.T) {
	terms, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	segs := []tarjuma.Segment{{ID: "p1", Source: "قال إمام علي رحمان ٣ مرات", Origin: tarjuma.OriginHuman, Text: " "}}
	Check(glossary.NewMatcher(terms, time.Now()), segs, tarjuma.Russian)
	if !flagsEqual(segs[0].Flags, []tarjuma.Flag{fl(Empty)}) {
		t.Errorf("flags %+v, want empty alone", segs[0].Flags)
	}
}

// TestFix: the one-click fix mends exactly what its flag names, written as the references
// above say; a flag a person has to decide, or one the text does not carry, changes nothing.
func TestFix(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		lang       tarjuma.Lang
		flag       tarjuma.Flag
		want       string
		ok         bool
	}{
		{"legacy glyphs of a word, every time", "Љумњурии Тољикистон ва Љумњурии", tarjuma.Tajik,
			fl(LegacyGlyph, "Љумњурии", "Ҷумҳурии"), "Ҷумҳурии Тољикистон ва Ҷумҳурии", true},
		{"look-alike", "в Мoскве", tarjuma.Russian, fl(MixedScript, "Мoскве", "Москве"), "в Москве", true},
		// The preposition only: the Latin c of "c++" stays.
		{"preposition only", "Встреча c президентом о c++", tarjuma.Russian, fl(MixedScript, "c", "с"), "Встреча с президентом о c++", true},
		{"Arabic digits", "погибли ٣٫٥ тыс.", tarjuma.Russian, fl(ArabicDigits, "٣٫٥", "3,5"), "погибли 3,5 тыс.", true},
		{"Arabic comma", "Во-первых، да، нет", tarjuma.Russian, fl(ArabicPunctuation, "،", ","), "Во-первых, да, нет", true},
		{"double spaces", "Он  сказал   это", tarjuma.Russian, fl(DoubleSpace), "Он сказал это", true},
		{"space before marks", "Он сказал , что да !", tarjuma.Russian, fl(SpaceBeforePunctuation, ","), "Он сказал, что да!", true},
		{"no fix known", "прuвет", tarjuma.Russian, fl(MixedScript, "прuвет"), "прuвет", false},
		{"unbalanced needs a person", "Сказал (в", tarjuma.Russian, fl(Unbalanced, "("), "Сказал (в", false},
		{"a flag the text does not carry", "в Москве", tarjuma.Russian, fl(MixedScript, "Мoскве", "Москве"), "в Москве", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Fix(tc.text, tc.lang, tc.flag)
			if got != tc.want || ok != tc.ok {
				t.Errorf("Fix = %q, %v; want %q, %v", got, ok, tc.want, tc.ok)
			}
			if ok {
				for _, f := range flags(tarjuma.Segment{Source: "x", Text: got, Origin: tarjuma.OriginHuman}, tc.lang) {
					if sameFlag(f, tc.flag) {
						t.Errorf("the fixed text still carries %+v", f)
					}
				}
			}
		})
	}
}

// TestBlocksNewKinds: what a reader sees as wrong text blocks approval; typography asks.
func TestBlocksNewKinds(t *testing.T) {
	for k, want := range map[tarjuma.FlagKind]bool{
		LegacyGlyph: true, MixedScript: true, ForeignScript: true, ArabicDigits: true, ArabicPunctuation: true,
		Unbalanced: true, EndPunctuation: false, SpaceBeforePunctuation: false, DoubleSpace: false,
	} {
		if Blocks(k) != want {
			t.Errorf("Blocks(%s) = %v, want %v", k, !want, want)
		}
		if !Dismissable(k) {
			t.Errorf("%s is a judgement and must be dismissable", k)
		}
	}
}
