package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
)

// readJSON reads the request body (at most s.maxBody bytes) and decodes it strictly into dst:
// a JSON Content-Type (or none), valid UTF-8, one JSON value, no key twice, no unknown fields. It returns the raw bytes for fingerprinting.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, dst any) ([]byte, error) {
	if err := jsonContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
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
	if err := duplicateKey(raw); err != nil {
		return nil, err
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

// jsonContentType accepts application/json, with charset=utf-8 or without a charset, and a
// missing Content-Type (curl -d and many scripts send none, and the body is still checked as
// JSON). Anything else, a form or text/plain say, is refused rather than guessed at: a body
// sent as another type was probably not meant for this endpoint.
func jsonContentType(ct string) error {
	if ct == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"Content-Type %q is not accepted; send application/json (UTF-8)", ct)
}

// duplicateKey refuses an object that names a key twice, or names keys that differ only in
// ASCII case ("title" and "Title"). encoding/json keeps the last of two equal keys and matches
// struct fields case-insensitively, so either would let a request say two things and have the
// server silently pick one, and an intermediary that picks the other (a proxy, a log, a
// signature check) would see a different request. Keys outside ASCII are compared exactly:
// every field name is ASCII, and map keys such as glossary spellings may legitimately differ
// in case only. It walks the tokens before decoding; syntax errors are left to the decoder.
func duplicateKey(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		keys      map[string]string // folded key → key as sent; nil for an array
		expectKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the decoder reports with more context
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.expectKey {
			if key, ok := tok.(string); ok {
				folded := foldASCII(key)
				if first, dup := top.keys[folded]; dup {
					if first == key {
						return errorf(http.StatusBadRequest, "duplicate_key", "key %q appears twice in one object", key)
					}
					return errorf(http.StatusBadRequest, "duplicate_key", "keys %q and %q differ only in case", first, key)
				}
				top.keys[folded] = key
				top.expectKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			if top != nil && top.keys != nil {
				top.expectKey = true // the object is the value of top's last key
			}
			stack = append(stack, &frame{keys: map[string]string{}, expectKey: true})
			continue
		case json.Delim('['):
			if top != nil && top.keys != nil {
				top.expectKey = true
			}
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			continue
		}
		if top != nil && top.keys != nil {
			top.expectKey = true // a scalar value; the next token is a key or '}'
		}
	}
}

// foldASCII lower-cases the ASCII letters of a key that is all ASCII and returns any other
// key unchanged.
func foldASCII(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			return key
		}
	}
	return strings.ToLower(key)
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
