package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// readJSON reads the request body (at most s.maxBody bytes) and decodes it strictly into dst:
// valid UTF-8, one JSON value, no unknown fields. It returns the raw bytes for fingerprinting.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, dst any) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "body_too_large", "request body is larger than %d bytes", mbe.Limit)
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	// encoding/json would silently turn invalid bytes into U+FFFD and store mangled text.
	if !utf8.Valid(raw) {
		return nil, errorf(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		// A type error would otherwise name our Go structs; say which field instead.
		if ute := (*json.UnmarshalTypeError)(nil); errors.As(err, &ute) {
			return nil, errorf(http.StatusBadRequest, "invalid_json", "field %q has the wrong type (got JSON %s)", ute.Field, ute.Value)
		}
		return nil, errorf(http.StatusBadRequest, "invalid_json", "request body is not valid JSON for this endpoint: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errorf(http.StatusBadRequest, "invalid_json", "request body has data after the JSON value")
	}
	return raw, nil
}

// checkSource enforces what the pipeline needs of an Arabic source: a title and a body with
// visible text, no NUL (PostgreSQL text cannot hold it), and mostly Arabic letters, so a
// pasted Russian or English article is refused up front instead of being "translated".
func checkSource(title, body string) error {
	for _, f := range []struct{ name, value string }{{"title", title}, {"body", body}} {
		if strings.TrimSpace(f.value) == "" {
			return errorf(http.StatusUnprocessableEntity, "empty_field", "%s must not be empty", f.name)
		}
		if err := checkNoNUL(f.name, f.value); err != nil {
			return err
		}
	}
	return checkArabic(title + "\n" + body)
}

func checkNoNUL(field, value string) error {
	if strings.IndexByte(value, 0) >= 0 {
		return errorf(http.StatusUnprocessableEntity, "invalid_text", "%s contains a NUL character", field)
	}
	return nil
}

// checkArabic requires Arabic to be the script of more than half of the letters of text.
// Letters only: digits, punctuation and diacritics say nothing about the language.
func checkArabic(text string) error {
	arabic, total := 0, 0
	var counts map[string]int // letters of the other scripts, made on the first one
	for _, r := range text {
		switch {
		case r < 0x80:
			if 'a' <= r|0x20 && r|0x20 <= 'z' {
				counts = count(counts, "Latin")
				total++
			}
		case r >= 0x0620 && r <= 0x064A && r != 0x0640:
			// The Arabic letters in one comparison: the bulk of a 1 MiB article, which the tables
			// below would search rune by rune. The tatweel (U+0640) is of the Common script.
			arabic++
			total++
		case unicode.IsLetter(r):
			if name := scriptOf(r); name == "Arabic" {
				arabic++
			} else {
				counts = count(counts, name)
			}
			total++
		}
	}
	const msg = "source must be Arabic script; "
	if total == 0 {
		return errorf(http.StatusUnprocessableEntity, "not_arabic", msg+"found no letters")
	}
	if 2*arabic > total {
		return nil
	}
	if arabic > 0 {
		counts["Arabic"] = arabic // not nil: at most half of the letters are Arabic
	}
	scripts := make([]string, 0, len(counts))
	for name := range counts {
		scripts = append(scripts, name)
	}
	slices.Sort(scripts) // MaxFunc keeps the first of equals: ties resolve alphabetically
	top := slices.MaxFunc(scripts, func(a, b string) int { return counts[a] - counts[b] })
	if top == "Arabic" {
		return errorf(http.StatusUnprocessableEntity, "not_arabic", msg+"only %d%% of letters are Arabic", percent(counts[top], total))
	}
	return errorf(http.StatusUnprocessableEntity, "not_arabic", msg+"found mostly %s (%d%% of letters)", top, percent(counts[top], total))
}

// count adds one to counts[name], making the map on first use.
func count(counts map[string]int, name string) map[string]int {
	if counts == nil {
		counts = map[string]int{}
	}
	counts[name]++
	return counts
}

func percent(n, total int) int { return (100*n + total/2) / total }

// scriptOf names the Unicode script of r. The scripts the desk meets are tried first so that a
// 1 MiB article does not walk the whole table for every letter.
func scriptOf(r rune) string {
	for _, s := range []struct {
		name  string
		table *unicode.RangeTable
	}{{"Arabic", unicode.Arabic}, {"Cyrillic", unicode.Cyrillic}, {"Latin", unicode.Latin}} {
		if unicode.Is(s.table, r) {
			return s.name
		}
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name // scripts are disjoint, so map order does not matter
		}
	}
	return "Unknown"
}
