package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
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
		var p *tarjuma.TextProblem
		if errors.As(tarjuma.CheckText("request body", string(raw)), &p) && p.Code == tarjuma.TextInvalidUTF8 {
			return nil, errorf(http.StatusBadRequest, "invalid_utf8", "%v", p)
		}
		return nil, errorf(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	// It does the same to an escaped lone UTF-16 surrogate such as \ud800.
	if esc := unpairedSurrogate(raw); esc != "" {
		return nil, errorf(http.StatusBadRequest, "invalid_utf8", "request contains an unpaired UTF-16 surrogate escape (%s); text must be valid Unicode", esc)
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

// unpairedSurrogate returns the first \uXXXX escape in raw JSON that is a UTF-16 surrogate
// not part of a high-low pair (for example "\ud800", or "\udc00" on its own), or "" if there is none.
// encoding/json decodes such an escape to U+FFFD without complaint, so the text stored would differ
// from the text sent. A backslash escapes exactly the next byte, so "\\ud800" is the valid text \ud800.
func unpairedSurrogate(raw []byte) string {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := hexEscape(raw[i:])
		if !ok {
			i++ // skip the escaped byte; malformed \u escapes are left to the JSON decoder
			continue
		}
		switch {
		case r >= 0xD800 && r < 0xDC00: // high surrogate: the next escape must be a low one
			if lo, ok := hexEscape(raw[i+6:]); ok && lo >= 0xDC00 && lo < 0xE000 {
				i += 11
				continue
			}
			return string(raw[i : i+6])
		case r >= 0xDC00 && r < 0xE000: // low surrogate without a high one before it
			return string(raw[i : i+6])
		}
		i += 5
	}
	return ""
}

// hexEscape decodes a \uXXXX escape at the start of b.
func hexEscape(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(n), err == nil
}

// checkSource answers tarjuma.CheckSource's verdict on a submission as a JSON error.
func checkSource(title, body string) error {
	var p *tarjuma.SourceProblem
	if !errors.As(tarjuma.CheckSource(title, body), &p) {
		return nil
	}
	switch p.Code {
	case tarjuma.SourceEmpty:
		return errorf(http.StatusUnprocessableEntity, "empty_field", "%s must not be empty", p.Field)
	case tarjuma.SourceNUL:
		return errorf(http.StatusUnprocessableEntity, "invalid_text", "%s", p.Error())
	}
	return errorf(http.StatusUnprocessableEntity, "not_arabic", "%s", p.Error())
}

// checkText answers tarjuma.CheckText's verdict on a field as a JSON error. The body was
// already refused if it was not UTF-8, so here it is a NUL, sent as the escape \u0000.
func checkText(field, value string) error {
	if err := tarjuma.CheckText(field, value); err != nil {
		return errorf(http.StatusUnprocessableEntity, "invalid_text", "%v", err)
	}
	return nil
}
