package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/diff"
	"github.com/tarjuma/tarjuma/memory"
)

// maxMemoryImport bounds a TMX body: a memory of 100,000 units in three languages is about
// 60 MiB as UTF-8 and twice that as UTF-16.
const maxMemoryImport = 256 << 20

// importMemory merges a TMX 1.4b file into the translation memory.
func (s *Server) importMemory(w http.ResponseWriter, r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt != "application/x-tmx+xml" && mt != "application/xml" && mt != "text/xml" {
		return errorf(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send the memory as TMX 1.4b (application/x-tmx+xml or application/xml), not %q", ct)
	}
	res, err := s.desk.ImportMemory(r.Context(), actor(r.Context()), http.MaxBytesReader(w, r.Body, maxMemoryImport))
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return errorf(http.StatusRequestEntityTooLarge, "body_too_large", "the TMX file is larger than %d bytes", mbe.Limit)
	}
	if err != nil {
		return err
	}
	problems := res.Problems
	if problems == nil {
		problems = []memory.Problem{}
	}
	return writeJSON(w, http.StatusOK, struct {
		Added     int              `json:"added"`
		Updated   int              `json:"updated"`
		Unchanged int              `json:"unchanged"`
		Skipped   int              `json:"skipped"`
		Problems  []memory.Problem `json:"problems"`
	}{res.Added, res.Updated, res.Unchanged, res.Skipped, problems})
}

// optionalLang reads the lang query parameter: "" for all languages, else a target language.
func optionalLang(r *http.Request) (tarjuma.Lang, error) {
	lang := tarjuma.Lang(r.URL.Query().Get("lang"))
	if lang != "" && !lang.Valid() {
		return "", errorf(http.StatusBadRequest, "invalid_parameter", "lang %q is not one of %v", lang, tarjuma.TargetLangs())
	}
	return lang, nil
}

// exportMemory streams the memory as TMX 1.4b.
func (s *Server) exportMemory(w http.ResponseWriter, r *http.Request) error {
	if f := r.URL.Query().Get("format"); f != "" && f != "tmx" {
		return errorf(http.StatusBadRequest, "invalid_parameter", "format %q is not tmx", f)
	}
	lang, err := optionalLang(r)
	if err != nil {
		return err
	}
	name := "memory"
	if lang != "" {
		name += "-ar-" + string(lang)
	}
	cw := &countingWriter{w: w}
	w.Header().Set("Content-Type", "application/x-tmx+xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.tmx"`, name))
	skipped, err := s.desk.ExportMemory(r.Context(), cw, lang)
	if skipped > 0 {
		s.log.WarnContext(r.Context(), "memory export left out translations XML cannot carry",
			"request_id", requestID(r.Context()), "skipped", skipped)
	}
	if err != nil && cw.n == 0 {
		w.Header().Del("Content-Disposition")
		return err
	}
	if err != nil {
		// The status is sent; the document is cut short without its closing tags, so no
		// reader takes it for a whole memory.
		s.log.ErrorContext(r.Context(), "memory export failed", "request_id", requestID(r.Context()), "error", err)
	}
	return nil
}

// countingWriter counts what reached the client, so an export that failed before its first
// byte can still answer with an error.
type countingWriter struct {
	w http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// hitJSON is a concordance result.
type hitJSON struct {
	Source    string       `json:"source"`
	Text      string       `json:"text"`
	Lang      tarjuma.Lang `json:"lang"`
	Phrase    bool         `json:"phrase"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// searchMemory is the concordance over approved translations.
func (s *Server) searchMemory(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	query := q.Get("q")
	if err := tarjuma.CheckText("q", query); err != nil {
		return errorf(http.StatusBadRequest, "invalid_text", "%v", err)
	}
	if strings.TrimSpace(query) == "" {
		return errorf(http.StatusBadRequest, "invalid_parameter", "q names the words to look for")
	}
	lang, err := optionalLang(r)
	if err != nil {
		return err
	}
	limit, err := intParam(q.Get("limit"), defaultPageSize, 1, maxPageSize, "limit")
	if err != nil {
		return err
	}
	offset, err := intParam(q.Get("offset"), 0, 0, 1<<30, "offset")
	if err != nil {
		return err
	}
	hits, total, err := s.desk.SearchMemory(r.Context(), query, lang, offset, limit)
	if err != nil {
		return err
	}
	out := struct {
		Results []hitJSON `json:"results"`
		Total   int       `json:"total"`
		Offset  int       `json:"offset"`
		Limit   int       `json:"limit"`
	}{Results: make([]hitJSON, len(hits)), Total: total, Offset: offset, Limit: limit}
	for i, h := range hits {
		out.Results[i] = hitJSON{Source: h.Source, Text: h.Text, Lang: h.Lang, Phrase: h.Phrase, UpdatedAt: h.Changed}
	}
	return writeJSON(w, http.StatusOK, out)
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(v string, def, lo, hi int, name string) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, errorf(http.StatusBadRequest, "invalid_parameter", "%s must be an integer from %d to %d", name, lo, hi)
	}
	return n, nil
}

// suggestionJSON is one suggestion for a segment (desk.Suggestion).
type suggestionJSON struct {
	Text      string               `json:"text"`
	Source    string               `json:"source"`
	Score     int                  `json:"score"`
	Origin    string               `json:"origin"`
	Diff      []diffJSON           `json:"diff,omitempty"`
	Adapted   []memory.Replacement `json:"adapted,omitempty"`
	TermID    string               `json:"term_id,omitempty"`
	Forms     []string             `json:"forms,omitempty"`
	Segment   string               `json:"segment,omitempty"`
	UpdatedAt time.Time            `json:"updated_at,omitzero"`
}

// diffJSON is a span of the word diff from a memory match's source to the segment's.
type diffJSON struct {
	Op   diff.Op `json:"op"`
	Text string  `json:"text"`
}

// listSuggestions answers with what a segment's translator may insert, best first, and the
// segments repeating its source sentence.
func (s *Server) listSuggestions(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	sugs, err := s.desk.Suggestions(r.Context(), id, lang, r.PathValue("segment"))
	if err != nil {
		return err
	}
	out := struct {
		Suggestions []suggestionJSON `json:"suggestions"`
		Repeats     []string         `json:"repeats"`
	}{Suggestions: make([]suggestionJSON, len(sugs.Suggestions)), Repeats: sugs.Repeats}
	if out.Repeats == nil {
		out.Repeats = []string{}
	}
	for i, sg := range sugs.Suggestions {
		j := suggestionJSON{Text: sg.Text, Source: sg.Source, Score: sg.Score, Origin: sg.Origin,
			Adapted: sg.Adapted, TermID: sg.TermID, Forms: sg.Forms, Segment: sg.Segment, UpdatedAt: sg.Changed}
		for _, sp := range sg.Diff {
			j.Diff = append(j.Diff, diffJSON{Op: sp.Op, Text: sp.Text})
		}
		out.Suggestions[i] = j
	}
	return writeJSON(w, http.StatusOK, out)
}
