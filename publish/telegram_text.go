package publish

import (
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// TelegramMessageLimit is the most text one Telegram message holds: 4,096 characters after
// entity parsing, that is of the text a reader sees, tags gone and entities decoded. Telegram
// counts in UTF-16 code units (its entity offsets do), so a character outside the BMP counts 2.
const TelegramMessageLimit = 4096

// TelegramPost is an article as a Telegram channel shows it: the title in bold, then the
// paragraphs, separated by blank lines (Telegram's HTML has no <p> or <br>; newlines are kept).
type TelegramPost struct {
	Title      string
	Paragraphs []string
}

// NewTelegramPost is what a channel shows of it.
func NewTelegramPost(it Item) TelegramPost {
	return TelegramPost{Title: it.Version.Title(), Paragraphs: it.Paragraphs()}
}

// tgEscaper escapes the three characters Telegram's HTML parse mode requires escaped in text.
// Quotes need no escaping outside attributes, and leaving them keeps the text as written.
var tgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// HTML is the post in Telegram's HTML subset, in one piece, however long.
func (p TelegramPost) HTML() string {
	var blocks []string
	if t := strings.TrimSpace(p.Title); t != "" {
		blocks = append(blocks, "<b>"+tgEscaper.Replace(t)+"</b>")
	}
	for _, para := range p.Paragraphs {
		if para = strings.TrimSpace(para); para != "" {
			blocks = append(blocks, tgEscaper.Replace(para))
		}
	}
	return strings.Join(blocks, "\n\n")
}

// Messages is the post split into the messages that carry it, in order.
func (p TelegramPost) Messages() []string {
	return SplitTelegramHTML(p.HTML(), TelegramMessageLimit)
}

// tgToken is a piece of Telegram HTML: a tag, an entity or one character of text. Width is how
// much of a message's length it takes, in UTF-16 code units; tags take none.
type tgToken struct {
	raw   string
	width int
	tag   string // the tag's name, for tags
	open  bool   // an opening tag
}

func (t tgToken) isText(s string) bool { return t.tag == "" && t.raw == s }

// tokenizeTelegramHTML cuts s into tags, entities and characters. It expects what
// TelegramPost.HTML makes, well-formed markup; a '<' or '&' that starts no tag or entity is
// taken as a character, as it is shown.
func tokenizeTelegramHTML(s string) []tgToken {
	toks := make([]tgToken, 0, utf8.RuneCountInString(s))
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if end := tagEnd(s, i); end > 0 {
				raw := s[i:end]
				name := strings.TrimPrefix(raw[1:len(raw)-1], "/")
				if k := strings.IndexAny(name, " \t\n"); k >= 0 {
					name = name[:k]
				}
				toks = append(toks, tgToken{raw: raw, tag: strings.ToLower(name), open: raw[1] != '/'})
				i = end
				continue
			}
		case '&':
			if end := strings.IndexByte(s[i:min(len(s), i+12)], ';'); end > 1 {
				raw := s[i : i+end+1]
				if dec := html.UnescapeString(raw); dec != raw {
					toks = append(toks, tgToken{raw: raw, width: utf16Len(dec)})
					i += end + 1
					continue
				}
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		toks = append(toks, tgToken{raw: s[i : i+size], width: utf16.RuneLen(r)})
		i += size
	}
	return toks
}

// tagEnd is the index just past the tag starting at s[i], or 0 when none does; a '>' inside a
// quoted attribute value does not end it.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		case c == '<':
			return 0
		}
	}
	return 0
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// TelegramTextLen is the length Telegram gives an HTML message: its visible text in UTF-16 code
// units.
func TelegramTextLen(s string) int {
	n := 0
	for _, t := range tokenizeTelegramHTML(s) {
		n += t.width
	}
	return n
}

// Where a message may end, best first: between paragraphs, at a line break, between words.
const (
	breakParagraph = iota
	breakLine
	breakWord
	breakKinds
)

// tgBreak is a place to end a message: before token cut, the next one starting at token resume,
// with the tags open there closed and reopened.
type tgBreak struct {
	cut, resume int
	open        []tgToken
}

// SplitTelegramHTML splits s, Telegram HTML, into messages of at most limit (see
// TelegramTextLen). Each message ends at the last paragraph break that fits, or failing one at
// the last line break, or failing that between two words; a single word longer than a message
// is cut. A message never ends inside a tag or an entity: formatting open where it ends is
// closed there and reopened at the start of the next one. Whitespace at the ends of a message
// is dropped, as Telegram drops it.
func SplitTelegramHTML(s string, limit int) []string {
	toks := tokenizeTelegramHTML(s)
	var out []string
	var open []tgToken // tags open where the next message starts
	i := 0
	for {
		for i < len(toks) && isSpace(toks[i]) {
			i++
		}
		if i == len(toks) {
			return out
		}
		var best [breakKinds]*tgBreak
		stack := append([]tgToken(nil), open...)
		width, j := 0, i
		for ; j < len(toks); j++ {
			t := toks[j]
			if kind, n := breakAt(toks, j); n > 0 && j > i {
				best[kind] = &tgBreak{cut: j, resume: j + n, open: append([]tgToken(nil), stack...)}
			}
			if width > 0 && width+t.width > limit { // a character wider than limit still goes
				break
			}
			width += t.width
			switch {
			case t.tag != "" && t.open:
				stack = append(stack, t)
			case t.tag != "" && len(stack) > 0:
				stack = stack[:len(stack)-1]
			}
		}
		brk := &tgBreak{cut: j, resume: j, open: stack} // the whole rest, or a word cut
		if j < len(toks) {
			for _, b := range best {
				if b != nil {
					brk = b
					break
				}
			}
		}
		end := brk.cut
		for end > i && isSpace(toks[end-1]) {
			end--
		}
		var b strings.Builder
		for _, t := range open {
			b.WriteString(t.raw)
		}
		for _, t := range toks[i:end] {
			b.WriteString(t.raw)
		}
		for k := len(brk.open) - 1; k >= 0; k-- {
			b.WriteString("</" + brk.open[k].tag + ">")
		}
		out = append(out, b.String())
		i, open = brk.resume, brk.open
	}
}

func isSpace(t tgToken) bool { return t.isText(" ") || t.isText("\n") }

// breakAt says whether a message may end before toks[j], and how many tokens the break itself
// takes (0: no break there).
func breakAt(toks []tgToken, j int) (kind, n int) {
	switch {
	case toks[j].isText("\n") && j+1 < len(toks) && toks[j+1].isText("\n"):
		return breakParagraph, 2
	case toks[j].isText("\n"):
		return breakLine, 1
	case toks[j].isText(" "):
		return breakWord, 1
	}
	return 0, 0
}
