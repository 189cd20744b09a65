package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/store"
)

// maxGlossaryImport bounds an import body: a term base of 100k terms as CSV is about 20 MiB.
const maxGlossaryImport = 64 << 20

// formsJSON is a language's forms: the preferred one and those a reviewer also accepts, the
// terminologist's overrides of generated forms, and, on output only, every grammatical form of
// each spelling.
type formsJSON struct {
	Preferred string                             `json:"preferred"`
	Accepted  []string                           `json:"accepted,omitempty"`
	Overrides map[string]map[inflect.Form]string `json:"overrides,omitempty"`
	Paradigms []paradigmJSON                     `json:"paradigms,omitempty"`
}

// paradigmJSON is every form of one spelling: generated, or overridden where overridden lists.
// undecided says why the generator left forms to the terminologist ("gender", "plural").
type paradigmJSON struct {
	Spelling   string                  `json:"spelling"`
	Forms      map[inflect.Form]string `json:"forms"`
	Plural     bool                    `json:"plural,omitempty"`
	Undecided  string                  `json:"undecided,omitempty"`
	Overridden []inflect.Form          `json:"overridden,omitempty"`
}

// termJSON is a glossary term on the wire. updated_by and updated_at are set by the server and
// ignored on input.
type termJSON struct {
	ID             string                     `json:"id"`
	Kind           glossary.Kind              `json:"kind"`
	Arabic         []string                   `json:"ar"`
	Targets        map[tarjuma.Lang]formsJSON `json:"targets,omitempty"`
	DoNotTranslate bool                       `json:"dnt"`
	Note           string                     `json:"note,omitempty"`
	ValidFrom      time.Time                  `json:"valid_from,omitzero"`
	ValidUntil     time.Time                  `json:"valid_until,omitzero"`
	UpdatedBy      string                     `json:"updated_by,omitempty"`
	UpdatedAt      time.Time                  `json:"updated_at,omitzero"`
}

func newTermJSON(t glossary.Term) termJSON {
	j := termJSON{ID: t.ID, Kind: t.Kind, Arabic: t.Arabic, DoNotTranslate: t.DoNotTranslate, Note: t.Note,
		ValidFrom: t.ValidFrom, ValidUntil: t.ValidUntil, UpdatedBy: t.UpdatedBy, UpdatedAt: t.UpdatedAt}
	if len(t.Targets) > 0 {
		j.Targets = make(map[tarjuma.Lang]formsJSON, len(t.Targets))
		for lang, f := range t.Targets {
			fj := formsJSON{Preferred: f.Preferred, Accepted: f.Accepted, Overrides: f.Overrides}
			if inflect.Inflects(lang) {
				for _, p := range t.Paradigms(lang) {
					fj.Paradigms = append(fj.Paradigms, paradigmJSON{Spelling: p.Lemma, Forms: p.Forms, Plural: p.Plural,
						Undecided: p.Undecided, Overridden: slices.Sorted(maps.Keys(f.Overrides[p.Lemma]))})
				}
			}
			j.Targets[lang] = fj
		}
	}
	return j
}

func (j termJSON) term() glossary.Term {
	t := glossary.Term{ID: j.ID, Kind: j.Kind, Arabic: j.Arabic, DoNotTranslate: j.DoNotTranslate, Note: j.Note,
		ValidFrom: j.ValidFrom, ValidUntil: j.ValidUntil}
	if len(j.Targets) > 0 {
		t.Targets = make(map[tarjuma.Lang]glossary.Forms, len(j.Targets))
		for lang, f := range j.Targets {
			t.Targets[lang] = glossary.Forms{Preferred: f.Preferred, Accepted: f.Accepted, Overrides: f.Overrides}
		}
	}
	return t
}

type termResponse struct {
	Version int64    `json:"glossary_version"`
	Term    termJSON `json:"term"`
}

// glossaryProblem is one problem of a refused term base, in invalid_glossary's details.
type glossaryProblem struct {
	Line  int    `json:"line,omitempty"`
	ID    string `json:"id,omitempty"`
	Field string `json:"field,omitempty"`
	Code  string `json:"code"`
	Arg   string `json:"arg,omitempty"`
}

// glossaryProblems lists every problem of a refused term base, so a terminologist fixes a
// whole file in one round.
func glossaryProblems(ve *glossary.ValidationError) []glossaryProblem {
	details := make([]glossaryProblem, len(ve.Problems))
	for i, p := range ve.Problems {
		details[i] = glossaryProblem{Line: p.Line, ID: p.ID, Field: p.Field, Code: string(p.Code), Arg: p.Arg}
	}
	return details
}

func (s *Server) listTerms(w http.ResponseWriter, r *http.Request) error {
	f := store.GlossaryFilter{Query: r.URL.Query().Get("q"), Kind: glossary.Kind(r.URL.Query().Get("kind"))}
	if f.Kind != "" && !f.Kind.Valid() {
		return errorf(http.StatusBadRequest, "invalid_parameter", "kind %q is not one of %v", f.Kind, glossary.Kinds())
	}
	terms, version, err := s.db.GlossaryTerms(r.Context(), f)
	if err != nil {
		return err
	}
	out := struct {
		Version int64      `json:"glossary_version"`
		Terms   []termJSON `json:"terms"`
	}{Version: version, Terms: make([]termJSON, len(terms))}
	for i, t := range terms {
		out.Terms[i] = newTermJSON(t)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) getTerm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.db.GlossaryTerm(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	version, err := s.db.GlossaryVersion(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, termResponse{Version: version, Term: newTermJSON(t)})
}

// readTerm decodes a term from the request body.
func (s *Server) readTerm(w http.ResponseWriter, r *http.Request) (glossary.Term, error) {
	var in termJSON
	if _, err := s.readJSON(w, r, &in); err != nil {
		return glossary.Term{}, err
	}
	return in.term(), nil
}

func (s *Server) createTerm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.readTerm(w, r)
	if err != nil {
		return err
	}
	version, err := s.desk.CreateTerm(r.Context(), actor(r.Context()), t)
	if err != nil {
		return err
	}
	return s.writeTerm(w, r, http.StatusCreated, t.ID, version)
}

func (s *Server) updateTerm(w http.ResponseWriter, r *http.Request) error {
	t, err := s.readTerm(w, r)
	if err != nil {
		return err
	}
	version, err := s.desk.UpdateTerm(r.Context(), actor(r.Context()), r.PathValue("id"), t)
	if err != nil {
		return err
	}
	return s.writeTerm(w, r, http.StatusOK, t.ID, version)
}

// writeTerm answers with the term as stored (with who changed it and when).
func (s *Server) writeTerm(w http.ResponseWriter, r *http.Request, status int, id string, version int64) error {
	t, err := s.db.GlossaryTerm(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/glossary/terms/"+id)
	return writeJSON(w, status, termResponse{Version: version, Term: newTermJSON(t)})
}

func (s *Server) deleteTerm(w http.ResponseWriter, r *http.Request) error {
	version, err := s.desk.DeleteTerm(r.Context(), actor(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Version int64 `json:"glossary_version"`
	}{version})
}

// importTerms takes a CSV or TBX file; merge (the default) adds and replaces terms by id,
// replace makes the file the whole glossary. Nothing is stored unless every row is good.
func (s *Server) importTerms(w http.ResponseWriter, r *http.Request) error {
	mode := r.URL.Query().Get("mode")
	if mode == "" {
		mode = "merge"
	}
	if mode != "merge" && mode != "replace" {
		return errorf(http.StatusBadRequest, "invalid_parameter", "mode %q is not merge or replace", mode)
	}
	format, err := glossaryFormat(r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxGlossaryImport))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return errorf(http.StatusRequestEntityTooLarge, "body_too_large", "glossary file is larger than %d bytes", mbe.Limit)
		}
		return fmt.Errorf("read glossary file: %w", err)
	}
	version, n, err := s.desk.ImportTerms(r.Context(), actor(r.Context()), bytes.NewReader(raw), format, mode == "replace")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Version  int64 `json:"glossary_version"`
		Imported int   `json:"imported"`
	}{version, n})
}

// glossaryFormat picks the format of an import by its media type.
func glossaryFormat(contentType string) (desk.Format, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "text/csv":
		return desk.CSV, nil
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return desk.TBX, nil
	}
	return "", errorf(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"send the glossary as text/csv or as TBX (application/x-tbx+xml or application/xml), not %q", contentType)
}

func (s *Server) exportTerms(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	var write func(io.Writer, []glossary.Term) error
	switch format {
	case "", "csv":
		format, write = "csv", glossary.WriteCSV
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "tbx":
		write = glossary.WriteTBX
		w.Header().Set("Content-Type", "application/x-tbx+xml; charset=utf-8")
	default:
		return errorf(http.StatusBadRequest, "invalid_parameter", "format %q is not csv or tbx", format)
	}
	terms, version, err := s.db.GlossaryTerms(r.Context(), store.GlossaryFilter{})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, terms); err != nil {
		return fmt.Errorf("export glossary: %w", err)
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="glossary-v%d.%s"`, version, format))
	w.Header().Set("X-Glossary-Version", fmt.Sprint(version))
	_, _ = w.Write(buf.Bytes()) // the client has gone if this fails
	return nil
}
