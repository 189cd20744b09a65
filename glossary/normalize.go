package glossary

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the form of s that matching compares: NFKC (which unfolds presentation
// forms and lam-alef ligatures), then
//   - tashkeel and every other combining mark, the superscript alef and tatweel removed;
//   - أ إ آ ٱ ٲ ٳ → ا, ى ی ئ → ي, ؤ → و, ة ە ہ ۀ ۂ ۃ ھ → ه, ک ڪ → ك, ۓ → ے; the high hamza ٴ removed;
//   - format characters removed: ZWNJ, ZWJ, LRM, RLM, ALM, bidi embeddings and isolates, BOM;
//   - any run of whitespace (line breaks, NBSP, ZWSP included) → one space;
//   - Arabic-Indic and Persian digits → ASCII; dashes → "-"; double quotes and guillemets → '"'.
//
// Normalize is idempotent. It is for comparing, never for storing: stored text keeps its bidi
// marks and diacritics.
func Normalize(s string) string {
	it := normIter{src: s}
	b := make([]byte, 0, len(s))
	for {
		f, ok := it.next()
		if !ok {
			return string(b)
		}
		b = utf8.AppendRune(b, f.r)
	}
}

// Mapped is a normalised text with, for every byte of it, the span of the original text it
// stands for, so that a match found in Text can be reported in the original exactly.
type Mapped struct {
	Text string
	// Starts[i] and Ends[i] bound the original bytes that produced Text[i]. Marks and tatweel
	// belong to the letter before them; removed format characters belong to nothing. Both are
	// non-decreasing and fall on rune boundaries of the original.
	Starts, Ends []int
}

// NormalizeMap is Normalize with the map back to s.
func NormalizeMap(s string) Mapped {
	it := normIter{src: s}
	var b []byte
	var starts, ends []int
	for {
		f, ok := it.next()
		if !ok {
			return Mapped{Text: string(b), Starts: starts, Ends: ends}
		}
		n := len(b)
		b = utf8.AppendRune(b, f.r)
		for range len(b) - n {
			starts = append(starts, f.start)
			ends = append(ends, f.end)
		}
	}
}

// Source returns the span of the original text that Text[i:j] stands for (i < j).
func (m Mapped) Source(i, j int) (start, end int) { return m.Starts[i], m.Ends[j-1] }

// normIter yields the normalised form of src rune by rune, each with the span of src it stands
// for. It is the only implementation of the normalisation: Normalize, NormalizeMap and the
// tokenizer all read from it, so terms and texts are folded the same way.
//
// Most runes take the fast path: they are "inert" (NFKC leaves them alone and they compose with
// nothing that could follow) and are folded on their own. Anything else starts a slow run, which
// takes the rune before it unless that is whitespace or a format character (so compositions
// across the boundary happen) and the marks and format characters after it; the run is
// normalised as a whole and all its output maps to the whole run.
//
// It folds a batch of runes at a time into buf, so that the per-rune work is one tight loop and
// next, which every rune of every text goes through, is small enough to inline.
type normIter struct {
	src       string
	pos       int
	lastSpace bool // the last rune yielded was a space, so more whitespace is dropped
	buf       []folded
	next0     int // the first rune of buf not yet yielded
}

// folded is one rune of output and the span of src it stands for.
type folded struct {
	r          rune
	start, end int
}

// batch is how many runes fill folds at a time: enough to amortise the call.
const batch = 64

func (it *normIter) next() (folded, bool) {
	if it.next0 < len(it.buf) {
		it.next0++
		return it.buf[it.next0-1], true
	}
	if !it.fill() {
		return folded{}, false
	}
	it.next0 = 1
	return it.buf[0], true
}

// fill folds the next batch of runes into buf and reports whether there are any.
func (it *normIter) fill() bool {
	it.buf, it.next0 = it.buf[:0], 0
	src := it.src
	i := it.pos
	r, size := rune(0), 0 // the rune at i, when already decoded while looking ahead
	for len(it.buf) < batch && i < len(src) {
		if size == 0 {
			r, size = decode(src, i)
		}
		end := i + size
		f := quickFold(r)
		size = 0
		// Look ahead: marks after r belong to it, and a rune that is not inert takes r into its
		// slow run, unless r is whitespace or a format character, which compose with nothing.
		for f != slow && end < len(src) {
			next, n := decode(src, end)
			g := quickFold(next)
			if g == attach {
				end += n
				continue
			}
			if g == slow && f != ' ' && f != drop {
				f, end = slow, end+n
				break
			}
			r, size = next, n
			break
		}
		if f == slow {
			i = it.slow(i, end)
			continue
		}
		if f == attach { // a mark with no letter to carry it
			f = drop
		}
		it.emit(f, i, end)
		i = end
	}
	it.pos = i
	return len(it.buf) > 0
}

// emit adds a folded rune to buf, dropping what fold removes and whitespace after whitespace.
func (it *normIter) emit(r rune, start, end int) {
	switch {
	case r < 0:
		return
	case r == ' ':
		if it.lastSpace {
			return
		}
		it.lastSpace = true
	default:
		it.lastSpace = false
	}
	it.buf = append(it.buf, folded{r, start, end})
}

// slow normalises the run that starts at i and includes src[i:end], extended over what could
// still combine with it, and returns where the run ends.
func (it *normIter) slow(i, end int) int {
	src := it.src
	for end < len(src) {
		r, n := decode(src, end)
		if f := quickFold(r); f != slow && f != attach && f != drop {
			break
		}
		end += n
	}
	it.emitRun(i, end)
	return end
}

// maxSplitRun bounds the runs emitRun splits: splitting costs a normalisation per rune, and a
// long run (a paragraph in presentation forms) is rare.
const maxSplitRun = 64

// emitRun emits the normalisation of src[i:end], each piece with the smallest span of src it
// comes from: the run is cut wherever normalising its two sides apart gives the same text, so a
// letter next to an ellipsis, an emoji, a flag or a presentation form keeps a span of its own
// and a match ends where the term ends.
func (it *normIter) emitRun(i, end int) {
	src := it.src
	whole := canonical(src[i:end])
	start := i
	if utf8.RuneCountInString(src[i:end]) <= maxSplitRun {
		_, size := utf8.DecodeRuneInString(src[i:])
		for k := i + size; k < end; k += size {
			_, size = utf8.DecodeRuneInString(src[k:])
			head := canonical(src[start:k])
			if !strings.HasPrefix(whole, head) || head+canonical(src[k:end]) != whole {
				continue
			}
			for _, r := range head {
				it.emit(r, start, k)
			}
			whole, start = whole[len(head):], k
		}
	}
	for _, r := range whole {
		it.emit(r, start, end)
	}
}

// canonical folds NFKC(s) until nothing changes: removing a mark or a joiner can bring together
// two characters NFKC composes (a Hangul L and V jamo, say), and the result must be a fixed point
// for Normalize to be idempotent. Every round after the first only composes, so it ends.
func canonical(s string) string {
	for {
		t := foldString(norm.NFKC.String(s))
		if t == s {
			return t
		}
		s = t
	}
}

func foldString(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		f := fold(r)
		if f < 0 || f == ' ' && space {
			continue
		}
		space = f == ' '
		b.WriteRune(f)
	}
	return b.String()
}

// decode decodes the rune at s[i], with fast paths for ASCII and for the two-byte sequences
// Arabic and Cyrillic letters are.
func decode(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c-0xC2 < 0xE0-0xC2 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// Results of fold and quickFold that are not runes.
const (
	drop   rune = -1 // not part of the matched text: format and bidi controls
	attach rune = -2 // a mark or tatweel: not matched, but its bytes belong to the letter before it
	slow   rune = -3 // not inert: normalise with its neighbours
)

// quickFold is fold for inert runes and slow for the others, by table for the scripts of the
// desk's texts: it runs for every rune of every text.
func quickFold(r rune) rune {
	if uint32(r) < uint32(len(quickTable)) {
		return quickTable[r]
	}
	return quickFoldRest(r)
}

func quickFoldRest(r rune) rune {
	if !inert(r) {
		return slow
	}
	return fold(r)
}

var quickTable = func() (t [0x700]rune) {
	for r := range rune(len(t)) {
		if inert(r) {
			t[r] = fold(r)
		} else {
			t[r] = slow
		}
	}
	return t
}()

// fold maps one rune (already NFKC) to what matching compares.
func fold(r rune) rune {
	switch {
	case r < utf8.RuneSelf:
		if asciiSpace(r) {
			return ' '
		}
		return r
	case 0x600 <= r && r <= 0x6FF:
		return arabicFold[r-0x600]
	case r == '\u200B' || unicode.IsSpace(r): // a zero-width space still separates words
		return ' '
	case unicode.In(r, unicode.Mn, unicode.Me):
		return attach
	case unicode.Is(unicode.Cf, r):
		return drop
	case r == '−' || unicode.Is(unicode.Pd, r):
		return '-'
	case r == '«' || r == '»' || r == '“' || r == '”' || r == '„' || r == '‟':
		return '"'
	}
	return r
}

func asciiSpace(r rune) bool {
	return r == ' ' || '\t' <= r && r <= '\r'
}

// arabicFold is fold for the Arabic block, where nearly all the work is.
var arabicFold = func() (t [0x100]rune) {
	for i := range t {
		r := rune(0x600 + i)
		switch {
		case r == 'ـ' || r == 'ٴ' || unicode.Is(unicode.Mn, r): // tatweel and high hamza go with the marks
			t[i] = attach
		case unicode.Is(unicode.Cf, r): // ALM, number signs, end of ayah
			t[i] = drop
		case '٠' <= r && r <= '٩':
			t[i] = '0' + r - '٠'
		case '۰' <= r && r <= '۹':
			t[i] = '0' + r - '۰'
		default:
			t[i] = r
		}
	}
	// Letters a writer may use for one another. The hamza-carrying composites must fold to the
	// letter their decomposition starts with, so that a decomposed spelling (whose combining hamza
	// is removed) folds the same way.
	for to, froms := range map[rune]string{
		'ا': "أإآٱٲٳ",
		'ي': "ىیئ",
		'و': "ؤ",
		'ه': "ةەہۀۂۃھ",
		'ك': "کڪ",
		'ے': "ۓ",
	} {
		for _, from := range froms {
			t[from-0x600] = to
		}
	}
	return t
}()

// inert reports whether r can be folded on its own: NFKC leaves it alone (or maps it to what fold
// maps it to anyway), and it is not the second half of a composition, except the Arabic hamza
// and madda marks, which compose into letters that fold to the letter they sit on, as removing
// the mark does. The ranges are the scripts and punctuation of the desk's texts; everything else
// takes the slow path, which is correct for all input. TestInertRunes and TestFastPathPairs
// check this list against NFKC.
func inert(r rune) bool {
	switch {
	case r < 0x80:
		return true
	case r < 0xC0:
		return r == 0x85 || r == 0xA0 || r == 0xAB || r == 0xAD || r == 0xBB
	case r <= 0xFF, 0x400 <= r && r <= 0x4FF:
		return true
	case 0x600 <= r && r <= 0x6FF:
		return r < 0x675 || r > 0x678 // ٵ ٶ ٷ ٸ have compatibility decompositions
	case 0x2000 <= r && r <= 0x206F:
		return r <= 0x2016 || 0x2018 <= r && r <= 0x2023 || 0x2027 <= r && r <= 0x202F ||
			0x2060 <= r && r <= 0x2064 || r >= 0x2066
	}
	return r == 0xFEFF || r == utf8.RuneError
}
