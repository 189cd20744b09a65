package qa

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/numeral"
)

// finding is one problem a text check found: the flag it raises and the edits of the text
// that fix it (none when a person has to decide).
type finding struct {
	flag  tarjuma.Flag
	edits []edit
}

// edit replaces text[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

// textFindings runs the checks that read the target's letters and punctuation, in the order
// their flags come: script (legacy glyphs, mixed Latin and Cyrillic, Arabic letters, Arabic
// digits), then punctuation (Arabic marks, brackets and quotes, the end of a question or an
// exclamation), then spacing. Findings with the same flag are one (their edits joined), and
// each stretch of text answers to one check: letters and digits inside an Arabic-script run
// are that run's, and spaces before a mark are the mark's, not a double space.
func textFindings(seg tarjuma.Segment, lang tarjuma.Lang) []finding {
	text := seg.Text
	var out []finding
	add := func(f finding) {
		if i := slices.IndexFunc(out, func(g finding) bool { return sameFlag(g.flag, f.flag) }); i >= 0 {
			out[i].edits = append(out[i].edits, f.edits...)
			return
		}
		out = append(out, f)
	}
	ws := words(text)
	runs := arabicRuns(text, ws)
	inRun := func(i int) bool {
		return slices.ContainsFunc(runs, func(s span) bool { return i >= s.start && i < s.end })
	}
	for k, w := range ws {
		if inRun(w.start) {
			continue
		}
		if f, ok := scriptFinding(text, ws, k, lang); ok {
			add(f)
		}
	}
	for _, r := range runs {
		add(finding{flag: tarjuma.Flag{Kind: ForeignScript, Args: []string{text[r.start:r.end]}}})
	}
	for _, n := range numberTokens(text) {
		if written := text[n.start:n.end]; !inRun(n.start) && hasArabicDigit(written) {
			fixed := latinDigits(written, lang)
			add(finding{flag: tarjuma.Flag{Kind: ArabicDigits, Args: []string{written, fixed}}, edits: []edit{{n.start, n.end, fixed}}})
		}
	}
	for i, r := range text {
		if repl, ok := arabicMarks[r]; ok && !inRun(i) && (i == 0 || !inRun(i-1)) {
			add(finding{flag: tarjuma.Flag{Kind: ArabicPunctuation, Args: []string{string(r), repl}},
				edits: []edit{{i, i + utf8.RuneLen(r), repl}}})
		}
	}
	for _, c := range unbalanced(seg.Source, text) {
		add(finding{flag: tarjuma.Flag{Kind: Unbalanced, Args: []string{c}}})
	}
	if mark, ok := lostEnd(seg.Source, text); ok {
		add(finding{flag: tarjuma.Flag{Kind: EndPunctuation, Args: []string{mark}}})
	}
	for _, f := range spacing(text) {
		add(f)
	}
	return out
}

// sameFlag reports whether a and b are one flag: one kind, the same args.
func sameFlag(a, b tarjuma.Flag) bool { return a.Kind == b.Kind && slices.Equal(a.Args, b.Args) }

// word is a run of letters (and their combining marks) in a text, with its letters by script.
type word struct {
	start, end            int
	cyr, lat, arab, glyph int // glyph: legacy Tajik glyphs, counted in cyr too
}

// words cuts s into its words.
func words(s string) []word {
	var out []word
	var w *word
	for i, r := range s {
		if !unicode.IsLetter(r) && !(w != nil && unicode.IsMark(r)) {
			w = nil
			continue
		}
		if w == nil {
			out = append(out, word{start: i})
			w = &out[len(out)-1]
		}
		w.end = i + utf8.RuneLen(r)
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			w.cyr++
			if _, ok := legacyGlyphs[r]; ok {
				w.glyph++
			}
		case unicode.Is(unicode.Latin, r):
			w.lat++
		case unicode.Is(unicode.Arabic, r):
			w.arab++
		}
	}
	return out
}

// arabicRuns returns the stretches of s written in Arabic script: its words with Arabic
// letters, joined across the spaces, Arabic punctuation and digits between them, so an Arabic
// phrase left in the target is one finding.
func arabicRuns(s string, ws []word) []span {
	var out []span
	for _, w := range ws {
		if w.arab == 0 {
			continue
		}
		if n := len(out); n > 0 && strings.TrimFunc(s[out[n-1].end:w.start], joinsArabic) == "" {
			out[n-1].end = w.end
			continue
		}
		out = append(out, span{w.start, w.end})
	}
	return out
}

// joinsArabic reports what may stand between two Arabic words of one run.
func joinsArabic(r rune) bool {
	_, mark := arabicMarks[r]
	_, digit := numeral.Digit(r)
	return unicode.IsSpace(r) || mark || digit || r == '٫' || r == '٬' || r == '\u200c' // ZWNJ, inside Persian words
}

// legacyGlyphs maps the letters that Tajik typed with the pre-Unicode fonts comes out as to
// the Tajik letters meant. Those fonts put the six Tajik letters in the Windows-1251 slots of
// Macedonian, Serbian, Ukrainian and Belarusian letters of a similar shape (Ѓ 0x81, Љ 0x8A,
// Њ 0x8C, Ќ 0x8D, Ў 0xA1, Ї 0xAF and their lower cases), which is what such text keeps when
// it is read as Windows-1251; none of them belongs to the Tajik or Russian alphabet.
var legacyGlyphs = map[rune]rune{
	'Ѓ': 'Ғ', 'ѓ': 'ғ', 'Ї': 'Ӣ', 'ї': 'ӣ', 'Ќ': 'Қ', 'ќ': 'қ',
	'Ў': 'Ӯ', 'ў': 'ӯ', 'Љ': 'Ҷ', 'љ': 'ҷ', 'Њ': 'Ҳ', 'њ': 'ҳ',
}

// latinToCyrillic maps the Latin letters that look like a letter of the Russian and Tajik
// alphabets to that letter: the Latin–Cyrillic pairs of Unicode's intentional.txt (UTS #39)
// whose Cyrillic side is in those alphabets, and Y for У, their one capital look-alike there.
var latinToCyrillic = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у',
	'A': 'А', 'B': 'В', 'C': 'С', 'E': 'Е', 'H': 'Н', 'K': 'К', 'M': 'М', 'O': 'О', 'P': 'Р',
	'T': 'Т', 'X': 'Х', 'Y': 'У',
}

// cyrillicToLatin is latinToCyrillic the other way, for a Cyrillic letter in a Latin word.
var cyrillicToLatin = func() map[rune]rune {
	m := map[rune]rune{}
	for l, c := range latinToCyrillic {
		m[c] = l
	}
	return m
}()

// scriptFinding checks word k of ws: a legacy Tajik glyph; Latin and Cyrillic letters mixed in
// it; a lone Latin letter that looks like a Cyrillic preposition (с, о, у, а, К) between
// Cyrillic words, or the other way round. One word gives at most one finding, the legacy glyph
// first: its fix mends the word's look-alikes too.
func scriptFinding(text string, ws []word, k int, lang tarjuma.Lang) (finding, bool) {
	w := ws[k]
	s := text[w.start:w.end]
	toCyrillic := func(s string) (string, bool) {
		ok := true
		return strings.Map(func(r rune) rune {
			if c, found := legacyGlyphs[r]; found {
				return c
			}
			if unicode.Is(unicode.Latin, r) {
				c, found := latinToCyrillic[r]
				ok = ok && found
				if found {
					return c
				}
			}
			return r
		}, s), ok
	}
	toLatin := func(s string) (string, bool) {
		ok := true
		return strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cyrillic, r) {
				l, found := cyrillicToLatin[r]
				ok = ok && found
				if found {
					return l
				}
			}
			return r
		}, s), ok
	}
	fix := func(kind tarjuma.FlagKind, fixed string, ok bool) (finding, bool) {
		if !ok || fixed == s {
			return finding{flag: tarjuma.Flag{Kind: kind, Args: []string{s}}}, true
		}
		return finding{flag: tarjuma.Flag{Kind: kind, Args: []string{s, fixed}}, edits: []edit{{w.start, w.end, fixed}}}, true
	}
	switch {
	case w.glyph > 0:
		fixed, _ := toCyrillic(s)
		return fix(LegacyGlyph, fixed, true)
	case w.cyr > 0 && w.lat > 0:
		convert := toLatin
		if w.cyr > w.lat || (w.cyr == w.lat && lang != tarjuma.English) {
			convert = toCyrillic
		}
		fixed, ok := convert(s)
		return fix(MixedScript, fixed, ok)
	case utf8.RuneCountInString(s) == 1:
		r, _ := utf8.DecodeRuneInString(s)
		lone := func(other func(word) bool) bool {
			prev, next := k > 0 && other(ws[k-1]), k+1 < len(ws) && other(ws[k+1])
			return (prev || k == 0) && next
		}
		cyrillicOnly := func(w word) bool { return w.cyr > 0 && w.lat == 0 && w.arab == 0 }
		latinOnly := func(w word) bool { return w.lat > 0 && w.cyr == 0 && w.arab == 0 }
		if c, ok := latinToCyrillic[r]; ok && strings.ContainsRune("acoyACOYK", r) && lone(cyrillicOnly) {
			return fix(MixedScript, string(c), true)
		}
		if l, ok := cyrillicToLatin[r]; ok && w.cyr == 1 && lang == tarjuma.English && lone(latinOnly) {
			return fix(MixedScript, string(l), true)
		}
	}
	return finding{}, false
}

// hasArabicDigit reports Arabic-Indic or Extended Arabic-Indic digits in s.
func hasArabicDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x0660 && r <= 0x06F9 && (r <= 0x0669 || r >= 0x06F0) }) >= 0
}

// latinDigits writes a number the way lang's typography does: ASCII digits; for Russian and
// Tajik a decimal comma and a no-break space between thousands (Мильчин, Чельцова,
// Справочник издателя и автора, 2009, § 7.1.2), for English a decimal point and a comma.
func latinDigits(s string, lang tarjuma.Lang) string {
	decimal, group := ",", "\u00a0"
	if lang == tarjuma.English {
		decimal, group = ".", ","
	}
	var b strings.Builder
	for _, r := range s {
		switch d, ok := numeral.Digit(r); {
		case ok:
			b.WriteByte(d)
		case r == '٫':
			b.WriteString(decimal)
		case r == '٬':
			b.WriteString(group)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// arabicMarks are the Arabic punctuation marks and their Latin counterparts (Unicode 15.0,
// Arabic block: U+060C ARABIC COMMA, U+061B ARABIC SEMICOLON, U+061F ARABIC QUESTION MARK,
// U+066A ARABIC PERCENT SIGN), which a Russian, Tajik or English text writes as , ; ? %.
var arabicMarks = map[rune]string{'،': ",", '؛': ";", '؟': "?", '٪': "%"}

// bracketClass names the pairs the balance check counts: round, square and curly brackets,
// and quotation marks of every style (one class, since a translation may change the style:
// "…" in the Arabic, «…» and „…“ in Russian and Tajik, “…” in English).
func bracketClass(r rune) (class int, opens, closes bool) {
	switch r {
	case '(':
		return 1, true, false
	case ')':
		return 1, false, true
	case '[':
		return 2, true, false
	case ']':
		return 2, false, true
	case '{':
		return 3, true, false
	case '}':
		return 3, false, true
	case '«', '„':
		return 4, true, false
	case '»':
		return 4, false, true
	case '“', '”', '"':
		return 4, true, true // which one it is depends on what is open
	}
	return 0, false, false
}

// balance is what is left unpaired in a text: per class, closers with no opener and openers
// never closed, and the first unpaired character of each class.
type balance struct {
	open, close [5]int
	first       [5]string
}

// pairs pairs the brackets and quotes of s. Quotes nest as Russian typography nests them,
// «… „…“ …» (Мильчин, Чельцова, Справочник издателя и автора, § 5.12.4): “ closes „ and
// otherwise opens (English), ” closes “ or „, a straight " closes an open " and otherwise opens.
func pairs(s string) balance {
	var b balance
	var stack []rune
	note := func(class int, r rune) {
		if b.first[class] == "" {
			b.first[class] = string(r)
		}
	}
	for _, r := range s {
		class, opens, closes := bracketClass(r)
		if class == 0 {
			continue
		}
		top := rune(0)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		matches := (r == ')' && top == '(') || (r == ']' && top == '[') || (r == '}' && top == '{') ||
			(r == '»' && top == '«') || (r == '“' && top == '„') || (r == '”' && (top == '“' || top == '„')) ||
			(r == '"' && top == '"')
		switch {
		case closes && matches:
			stack = stack[:len(stack)-1]
		case opens:
			stack = append(stack, r)
		default:
			b.close[class]++
			note(class, r)
		}
	}
	for _, r := range stack {
		class, _, _ := bracketClass(r)
		b.open[class]++
		note(class, r)
	}
	return b
}

// unbalanced returns, per class, the first unpaired bracket or quote of target that the
// source does not account for. A quotation often runs over several sentences, so a segment
// may well open a quote its source opens too; only what the translation adds is a finding.
func unbalanced(source, target string) []string {
	src, tgt := pairs(source), pairs(target)
	var out []string
	for c := 1; c < len(tgt.first); c++ {
		if tgt.open[c] > src.open[c] || tgt.close[c] > src.close[c] {
			out = append(out, tgt.first[c])
		}
	}
	return out
}

// lostEnd reports the question or exclamation mark that ends source when target does not end
// with it: a question translated as a statement changes what the sentence says. Closing
// quotes and brackets after the mark are read past.
func lostEnd(source, target string) (string, bool) {
	want := endMark(source)
	if want != '?' && want != '!' {
		return "", false
	}
	return string(want), endMark(target) != want
}

// endMark is the last character of s before trailing spaces, quotes and closing brackets,
// with the Arabic question mark read as "?".
func endMark(s string) rune {
	s = strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`»"”“’)]}`, r) })
	r, _ := utf8.DecodeLastRuneInString(s)
	if r == '؟' {
		return '?'
	}
	return r
}

// spacing finds spaces before a punctuation mark (Russian, Tajik and English typography alike
// set , . ; : ! ? and closing brackets and quotes against the word before them: Мильчин,
// Чельцова, § 7.1.1; The Chicago Manual of Style, 17th ed., § 6.7) and, elsewhere, runs of two
// or more spaces where one belongs. One flag each, whose fix mends every occurrence.
func spacing(text string) []finding {
	var before, double finding
	before.flag.Kind, double.flag.Kind = SpaceBeforePunctuation, DoubleSpace
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != ' ' && r != '\u00a0' {
			i += size
			continue
		}
		end := i
		n := 0
		for end < len(text) {
			r, size := utf8.DecodeRuneInString(text[end:])
			if r != ' ' && r != '\u00a0' {
				break
			}
			end += size
			n++
		}
		next, _ := utf8.DecodeRuneInString(text[end:])
		switch {
		case end < len(text) && strings.ContainsRune(",.;:!?)]}»”", next) && !strings.HasPrefix(text[end:], "..."):
			if before.flag.Args == nil {
				before.flag.Args = []string{string(next)}
			}
			before.edits = append(before.edits, edit{i, end, ""})
		case n > 1:
			double.edits = append(double.edits, edit{i, end, text[i : i+1]})
		}
		i = end
	}
	var out []finding
	for _, f := range []finding{before, double} {
		if len(f.edits) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// Fix returns text with the problem that flag f names mended, and true, when the check knows
// the mending (a legacy glyph or look-alike letter replaced, Arabic digits and marks written
// the target's way, spaces removed); false when a person has to decide. The flag must be one
// Check gives text in lang, or nothing is mended: a one-click fix changes only what was shown.
func Fix(text string, lang tarjuma.Lang, f tarjuma.Flag) (string, bool) {
	for _, fd := range textFindings(tarjuma.Segment{Text: text}, lang) {
		if !sameFlag(fd.flag, f) || len(fd.edits) == 0 {
			continue
		}
		edits := slices.Clone(fd.edits)
		slices.SortFunc(edits, func(a, b edit) int { return b.start - a.start })
		for _, e := range edits {
			text = text[:e.start] + e.repl + text[e.end:]
		}
		return text, true
	}
	return text, false
}
