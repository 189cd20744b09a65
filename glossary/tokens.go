package glossary

import (
	"unicode"
	"unicode/utf8"
)

// token is a word or a punctuation mark of a normalised text. Its normalised form is
// tokenizer.buf[lo:hi]; it covers text[start:end]. inner[k] is where its rune k+1 starts in the
// text, so a match can begin after a proclitic of up to three letters.
type token struct {
	lo, hi     int
	start, end int
	inner      [3]int
}

// tokenizer cuts a text into tokens: words are runs of letters, digits and marks; every other
// rune that is not a space is a token of its own, so punctuation never glues to a word and a
// term's right edge is the end of a word. Its buffers are reused between texts.
type tokenizer struct {
	buf    []byte
	toks   []token
	folded []folded // the normaliser's batch buffer, kept between texts
}

// scan tokenizes text; lower folds case (and ё to е) for target-language texts.
func (tz *tokenizer) scan(text string, lower bool) {
	tz.buf, tz.toks = tz.buf[:0], tz.toks[:0]
	it := normIter{src: text, buf: tz.folded[:0]}
	var cur token
	runes := 0 // runes in cur; 0 when no word is open
	closeWord := func() {
		if runes > 0 {
			cur.hi = len(tz.buf)
			tz.toks = append(tz.toks, cur)
			runes = 0
		}
	}
	for {
		f, ok := it.next()
		if !ok {
			break
		}
		r, start, end := f.r, f.start, f.end
		if lower {
			r = lowerRune(r)
		}
		switch {
		case r == ' ':
			closeWord()
		case isWord(r):
			if runes == 0 {
				cur = token{lo: len(tz.buf), start: start}
			} else if runes <= len(cur.inner) {
				cur.inner[runes-1] = start
			}
			runes++
			if 0x80 <= r && r < 0x800 { // Arabic and Cyrillic letters, without a call
				tz.buf = append(tz.buf, byte(0xC0|r>>6), byte(0x80|r&0x3F))
			} else {
				tz.buf = utf8.AppendRune(tz.buf, r)
			}
			cur.end = end
		default:
			closeWord()
			lo := len(tz.buf)
			tz.buf = utf8.AppendRune(tz.buf, r)
			tz.toks = append(tz.toks, token{lo: lo, hi: len(tz.buf), start: start, end: end})
		}
	}
	closeWord()
	tz.folded = it.buf
}

// word returns token i's normalised form without copying; the compiler does not allocate for
// map lookups and comparisons of string(word(i)).
func (tz *tokenizer) word(i int) []byte {
	t := tz.toks[i]
	return tz.buf[t.lo:t.hi]
}

// words returns the normalised tokens of text as strings, for building indexes.
func (tz *tokenizer) words(text string, lower bool) []string {
	tz.scan(text, lower)
	out := make([]string, len(tz.toks))
	for i := range tz.toks {
		out[i] = string(tz.word(i))
	}
	return out
}

// phraseWords returns the normalised words of an Arabic variant, as the matcher sees it.
func phraseWords(s string) []string {
	var tz tokenizer
	return tz.words(s, false)
}

func isWord(r rune) bool {
	if uint32(r) < uint32(len(wordTable)) {
		return wordTable[r]
	}
	return isWordRest(r)
}

func isWordRest(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// wordTable is isWord by table for the scripts of the desk's texts.
var wordTable = func() (t [0x700]bool) {
	for r := range rune(len(t)) {
		t[r] = isWordRest(r)
	}
	return t
}()

// lowerRune folds case for comparing target texts; ё is folded to е because Russian writes it
// optionally ("Объединённых" and "Объединенных" are the same word), and the letters of legacy
// Tajik fonts to today's, so the check finds a form spelled with them and can say so.
func lowerRune(r rune) rune {
	r = unicode.ToLower(r)
	switch r {
	case 'ё':
		return 'е'
	case 'ќ': // the legacy Tajik letters of pre-Unicode fonts, as today's
		return 'қ'
	case 'њ':
		return 'ҳ'
	case 'љ':
		return 'ҷ'
	case 'ї':
		return 'ӣ'
	case 'ў':
		return 'ӯ'
	}
	return r
}
