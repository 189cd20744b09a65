package glossary

import (
	"errors"
	"fmt"
	"html"
	"strings"

	"github.com/tarjuma/tarjuma"
)

// Protect prepares one segment for an MT engine in HTML mode: every match becomes
// <span translate="no">FORM</span>, where FORM is the term's preferred form in the target
// language (the source spelling for a do-not-translate term), and the rest is HTML-escaped.
// Google, DeepL and Amazon leave such spans alone, so the engine translates around the fixed
// form. An attached proclitic stays outside the span for the engine to translate ("and",
// "for"). matches are m.Match(seg); matches of terms m does not know are left as text.
func (m *Matcher) Protect(seg string, matches []Match, lang tarjuma.Lang) string {
	var b strings.Builder
	pos := 0
	for _, mt := range matches {
		i, ok := m.byID[mt.TermID]
		if !ok || mt.Start < pos || mt.Start > mt.End || mt.End > len(seg) {
			continue
		}
		form := seg[mt.Start:mt.End]
		if t := m.terms[i]; !t.DoNotTranslate {
			form = t.Targets[lang].Preferred
		}
		b.WriteString(html.EscapeString(seg[pos:mt.Start]))
		b.WriteString(`<span translate="no">`)
		b.WriteString(html.EscapeString(form))
		b.WriteString(`</span>`)
		pos = mt.End
	}
	b.WriteString(html.EscapeString(seg[pos:]))
	return b.String()
}

// ErrMalformed is returned by Unprotect when an engine's output is not the markup Protect
// produces plus what engines are known to add; such output must not be stored.
var ErrMalformed = errors.New("glossary: malformed MT markup")

// inlineTags are the elements Unprotect unwraps: span from Protect, and the wrappers engines
// inject (Google adds font and b, and a direction/text-align style when going from RTL to LTR).
var inlineTags = map[string]bool{"span": true, "font": true, "b": true, "strong": true, "i": true, "em": true, "u": true, "bdi": true}

// Unprotect turns an engine's HTML-mode output back into plain text: it unwraps the spans
// Protect made and the inline elements engines inject (whatever their attributes), and
// unescapes entities. Unbalanced or unknown tags and stray "<" are an error wrapping
// ErrMalformed, so a broken response is never stored.
func Unprotect(s string) (string, error) {
	text, _, err := UnprotectLocked(s)
	return text, err
}

// Locked is where the content of a do-not-translate span ended up in the plain text.
type Locked struct{ Start, End int }

// UnprotectLocked is Unprotect that also says where each do-not-translate span's content is in
// the plain text, in the order of the answer, so the desk's form in it can be put in the case
// its position needs.
func UnprotectLocked(s string) (string, []Locked, error) {
	var b strings.Builder
	type element struct {
		name   string
		locked int // index into locked, or -1
	}
	var open []element
	var locked []Locked
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(s[i:]))
			break
		}
		b.WriteString(html.UnescapeString(s[i : i+lt]))
		i += lt
		name, closing, selfClosing, end, err := parseTag(s, i)
		if err != nil {
			return "", nil, err
		}
		switch {
		case !inlineTags[name]:
			return "", nil, fmt.Errorf("%w: unexpected <%s> at byte %d", ErrMalformed, name, i)
		case closing:
			if len(open) == 0 || open[len(open)-1].name != name {
				return "", nil, fmt.Errorf("%w: unbalanced </%s> at byte %d", ErrMalformed, name, i)
			}
			if k := open[len(open)-1].locked; k >= 0 {
				locked[k].End = b.Len()
			}
			open = open[:len(open)-1]
		case !selfClosing:
			e := element{name: name, locked: -1}
			if tag := strings.ToLower(s[i:end]); strings.Contains(tag, `translate="no"`) || strings.Contains(tag, `translate='no'`) {
				e.locked = len(locked)
				locked = append(locked, Locked{Start: b.Len()})
			}
			open = append(open, e)
		}
		i = end
	}
	if len(open) > 0 {
		return "", nil, fmt.Errorf("%w: <%s> not closed", ErrMalformed, open[len(open)-1].name)
	}
	return b.String(), locked, nil
}

// parseTag reads the tag that starts at s[i] == '<' and returns its lowercased name and the
// offset after its '>'. Attribute values may be quoted with either quote and contain '>'.
func parseTag(s string, i int) (name string, closing, selfClosing bool, end int, err error) {
	malformed := func(what string) error {
		return fmt.Errorf("%w: %s at byte %d", ErrMalformed, what, i)
	}
	j := i + 1
	if j < len(s) && s[j] == '/' {
		closing = true
		j++
	}
	k := j
	for k < len(s) && (isASCIILetter(s[k]) || k > j && '0' <= s[k] && s[k] <= '9') {
		k++
	}
	if k == j {
		return "", false, false, 0, malformed("stray <")
	}
	name = strings.ToLower(s[j:k])
	for k < len(s) {
		switch c := s[k]; {
		case c == '>':
			return name, closing, selfClosing, k + 1, nil
		case c == '/' && k+1 < len(s) && s[k+1] == '>' && !closing:
			selfClosing = true
			k++
		case c == '"' || c == '\'':
			q := strings.IndexByte(s[k+1:], c)
			if q < 0 {
				return "", false, false, 0, malformed("unterminated attribute")
			}
			k += q + 2
		case c == '<':
			return "", false, false, 0, malformed("unterminated tag")
		default:
			k++
		}
	}
	return "", false, false, 0, malformed("unterminated tag")
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
