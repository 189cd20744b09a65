package review

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
	"github.com/tarjuma/tarjuma/store"
)

type glossaryPage struct {
	page
	Query    string
	Kind     glossary.Kind
	Kinds    []glossary.Kind
	Terms    []glossary.Term
	Version  int64
	CanEdit  bool
	Form     termForm // the add form, kept as typed when it was refused
	Problems []glossary.Problem
	Error    string // message id
	Notice   string // message id
	Imported int
}

type termPage struct {
	page
	Term     glossary.Term
	Kinds    []glossary.Kind
	CanEdit  bool
	Form     termForm
	Problems []glossary.Problem
	Error    string
	Notice   string
	Forms    []formsView // every grammatical form of the Tajik and Russian spellings
}

// formsView is the forms of one spelling, as the term page lists them.
type formsView struct {
	Lang      tarjuma.Lang
	Spelling  string
	Undecided string // why the generator left forms to the terminologist; "" when it did not
	Forms     []formView
}

type formView struct {
	Name       inflect.Form
	Text       string
	Overridden bool
}

// formsOf lists every form of every spelling of t in the languages that inflect.
func formsOf(t glossary.Term) []formsView {
	var out []formsView
	for _, l := range tarjuma.TargetLangs() {
		if !inflect.Inflects(l) || t.DoNotTranslate {
			continue
		}
		for _, p := range t.Paradigms(l) {
			v := formsView{Lang: l, Spelling: p.Lemma, Undecided: p.Undecided}
			for _, f := range inflect.FormsOf(l) {
				_, overridden := t.Targets[l].Overrides[p.Lemma][f]
				v.Forms = append(v.Forms, formView{Name: f, Text: p.Forms[f], Overridden: overridden})
			}
			out = append(out, v)
		}
	}
	return out
}

// termForm is a term as the add and edit forms hold it: lists as "|"-separated text, as in the
// desk's CSV, the preferred form first in each target language; and the grammatical forms of
// the Tajik and Russian spellings as the CSV's forms columns hold them, with the spellings they
// were written for, so forms written for a spelling since changed are not put on the new one.
type termForm struct {
	ID, Kind, Arabic, Note, ValidFrom, ValidUntil string
	Targets                                       map[tarjuma.Lang]string
	Forms, FormsFor                               map[tarjuma.Lang]string
	DNT                                           bool
	Fixed                                         bool // editing a stored term: its id cannot change
}

// TargetLangs lists the form's languages in the desk's order, for the template.
func (termForm) TargetLangs() []tarjuma.Lang { return tarjuma.TargetLangs() }

// FormsLangs lists the languages whose forms the form edits.
func (termForm) FormsLangs() []tarjuma.Lang {
	return slices.DeleteFunc(tarjuma.TargetLangs(), func(l tarjuma.Lang) bool { return !inflect.Inflects(l) })
}

// Target is the form's text for one language, for the template.
func (f termForm) Target(l tarjuma.Lang) string { return f.Targets[l] }

// FormsText is the forms' text for one language, and FormsSpellings the spellings it is for.
func (f termForm) FormsText(l tarjuma.Lang) string      { return f.Forms[l] }
func (f termForm) FormsSpellings(l tarjuma.Lang) string { return f.FormsFor[l] }

const dateLayout = "2006-01-02"

func formOf(t glossary.Term) termForm {
	f := termForm{ID: t.ID, Kind: string(t.Kind), Arabic: strings.Join(t.Arabic, " | "), Note: t.Note, DNT: t.DoNotTranslate,
		Targets: map[tarjuma.Lang]string{}, Forms: map[tarjuma.Lang]string{}, FormsFor: map[tarjuma.Lang]string{}, Fixed: true}
	for l, forms := range t.Targets {
		f.Targets[l] = strings.Join(append([]string{forms.Preferred}, forms.Accepted...), " | ")
	}
	for _, l := range f.FormsLangs() {
		if !t.DoNotTranslate {
			f.Forms[l], f.FormsFor[l] = t.FormsCell(l), f.Targets[l]
		}
	}
	if !t.ValidFrom.IsZero() {
		f.ValidFrom = t.ValidFrom.UTC().Format(dateLayout)
	}
	if !t.ValidUntil.IsZero() {
		f.ValidUntil = t.ValidUntil.UTC().Format(dateLayout)
	}
	return f
}

// splitList splits a "|"-separated field, dropping blanks, as the CSV import does.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, "|") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readTermForm reads the posted form into a term; the problems are those glossary.Validate
// does not see (a date that does not parse).
func readTermForm(r *http.Request) (glossary.Term, termForm, []glossary.Problem) {
	f := termForm{ID: strings.TrimSpace(r.PostFormValue("id")), Kind: r.PostFormValue("kind"), Arabic: r.PostFormValue("ar"),
		Note: strings.TrimSpace(r.PostFormValue("note")), ValidFrom: strings.TrimSpace(r.PostFormValue("valid_from")),
		ValidUntil: strings.TrimSpace(r.PostFormValue("valid_until")), DNT: r.PostFormValue("dnt") != "",
		Targets: map[tarjuma.Lang]string{}}
	t := glossary.Term{ID: f.ID, Kind: glossary.Kind(f.Kind), Arabic: splitList(f.Arabic), Note: f.Note, DoNotTranslate: f.DNT}
	for _, l := range tarjuma.TargetLangs() {
		f.Targets[l] = r.PostFormValue("target_" + string(l))
		if forms := splitList(f.Targets[l]); len(forms) > 0 {
			if t.Targets == nil {
				t.Targets = map[tarjuma.Lang]glossary.Forms{}
			}
			t.Targets[l] = glossary.Forms{Preferred: forms[0], Accepted: forms[1:]}
		}
	}
	var problems []glossary.Problem
	f.Forms, f.FormsFor = map[tarjuma.Lang]string{}, map[tarjuma.Lang]string{}
	for _, l := range f.FormsLangs() {
		f.Forms[l], f.FormsFor[l] = r.PostFormValue("forms_"+string(l)), r.PostFormValue("forms_for_"+string(l))
		// Forms written for other spellings than those posted belong to a spelling since changed.
		if !formsApply(f, l) || t.DoNotTranslate {
			continue
		}
		if !t.SetFormsCell(l, f.Forms[l]) {
			problems = append(problems, glossary.Problem{ID: f.ID, Field: "forms_" + string(l), Code: glossary.CodeBadOverride, Arg: f.Forms[l]})
		}
	}
	for _, d := range []struct {
		field, value string
		into         *time.Time
	}{{"valid_from", f.ValidFrom, &t.ValidFrom}, {"valid_until", f.ValidUntil, &t.ValidUntil}} {
		if d.value == "" {
			continue
		}
		at, err := time.Parse(dateLayout, d.value)
		if err != nil {
			problems = append(problems, glossary.Problem{ID: f.ID, Field: d.field, Code: glossary.CodeBadDate, Arg: d.value})
			continue
		}
		*d.into = at
	}
	return t, f, problems
}

// keepOverrides carries the stored term's corrected forms over to the edited one for the
// languages whose forms the edit did not apply (its spellings changed), where the spelling is
// still there.
func keepOverrides(t *glossary.Term, old glossary.Term, form termForm) {
	for _, l := range form.FormsLangs() {
		if formsApply(form, l) {
			continue
		}
		f, ok := t.Targets[l]
		if !ok {
			continue
		}
		for spelling, o := range old.Targets[l].Overrides {
			if spelling == f.Preferred || slices.Contains(f.Accepted, spelling) {
				if f.Overrides == nil {
					f.Overrides = map[string]map[inflect.Form]string{}
				}
				f.Overrides[spelling] = o
			}
		}
		t.Targets[l] = f
	}
}

// formsApply reports whether the posted forms of lang were written for the posted spellings.
func formsApply(form termForm, l tarjuma.Lang) bool {
	return form.Forms[l] != "" && strings.Join(splitList(form.FormsFor[l]), "|") == strings.Join(splitList(form.Targets[l]), "|")
}

// problemsOf returns the problems of a glossary validation error, nil for any other error.
func problemsOf(err error) []glossary.Problem {
	var ve *glossary.ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return nil
}

func (s *Server) loadGlossary(r *http.Request, rc *request) (*glossaryPage, error) {
	q := r.URL.Query()
	p := &glossaryPage{page: page{Nav: "glossary"}, Query: q.Get("q"), Kind: glossary.Kind(q.Get("kind")),
		Kinds: glossary.Kinds(), CanEdit: admins(rc.user, r)}
	if p.Kind != "" && !p.Kind.Valid() {
		return nil, fmt.Errorf("glossary kind %q: %w", p.Kind, tarjuma.ErrInvalid)
	}
	var err error
	p.Terms, p.Version, err = s.db.GlossaryTerms(r.Context(), store.GlossaryFilter{Query: p.Query, Kind: p.Kind})
	return p, err
}

func (s *Server) glossaryList(w http.ResponseWriter, r *http.Request, rc *request) error {
	p, err := s.loadGlossary(r, rc)
	if err != nil {
		return err
	}
	switch q := r.URL.Query(); {
	case q.Has("imported"):
		p.Notice = "glossary.imported"
		p.Imported, _ = strconv.Atoi(q.Get("imported"))
	case q.Has("created"):
		p.Notice = "glossary.created"
	}
	s.render(w, r, rc, http.StatusOK, "glossary", p)
	return nil
}

// createTerm adds a term; a refused one comes back in the form with every problem listed.
func (s *Server) createTerm(w http.ResponseWriter, r *http.Request, rc *request) error {
	t, form, problems := readTermForm(r)
	err := t.Validate() // listed with the form's own problems, which keep the desk from seeing the term
	if len(problems) == 0 {
		if _, err = s.desk.CreateTerm(r.Context(), rc.actor(), t); err == nil {
			http.Redirect(w, r, "/glossary?created=1&q="+url.QueryEscape(t.ID), http.StatusSeeOther)
			return nil
		}
	}
	problems = append(problems, problemsOf(err)...)
	if len(problems) == 0 && !errors.Is(err, tarjuma.ErrConflict) {
		return err
	}
	p, lerr := s.loadGlossary(r, rc)
	if lerr != nil {
		return lerr
	}
	p.Form, p.Problems = form, problems
	if errors.Is(err, tarjuma.ErrConflict) && len(problems) == 0 {
		p.Error = "glossary.id_taken"
	}
	s.render(w, r, rc, http.StatusUnprocessableEntity, "glossary", p)
	return nil
}

// newTermPage is the page of the stored term t with form in its edit form: t as it is when the
// page is first shown, or what was typed when a save failed.
func newTermPage(t glossary.Term, canEdit bool, form termForm) *termPage {
	return &termPage{page: page{Nav: "glossary"}, Term: t, Kinds: glossary.Kinds(), CanEdit: canEdit, Form: form, Forms: formsOf(t)}
}

func (s *Server) termPage(w http.ResponseWriter, r *http.Request, rc *request) error {
	t, err := s.db.GlossaryTerm(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := newTermPage(t, admins(rc.user, r), formOf(t))
	if r.URL.Query().Has("saved") {
		p.Notice = "glossary.saved"
	}
	s.render(w, r, rc, http.StatusOK, "term", p)
	return nil
}

// updateTerm replaces a term; the id comes from the path, so an edit cannot rename one.
func (s *Server) updateTerm(w http.ResponseWriter, r *http.Request, rc *request) error {
	old, err := s.db.GlossaryTerm(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	t, form, problems := readTermForm(r)
	t.ID, form.ID, form.Fixed = old.ID, old.ID, true
	keepOverrides(&t, old, form)
	err = t.Validate() // listed with the form's own problems, which keep the desk from seeing the term
	if len(problems) == 0 {
		if _, err = s.desk.UpdateTerm(r.Context(), rc.actor(), old.ID, t); err == nil {
			http.Redirect(w, r, "/glossary/terms/"+t.ID+"?saved=1", http.StatusSeeOther)
			return nil
		}
	}
	problems = append(problems, problemsOf(err)...)
	if len(problems) == 0 {
		return err
	}
	p := newTermPage(old, true, form)
	p.Problems = problems
	s.render(w, r, rc, http.StatusUnprocessableEntity, "term", p)
	return nil
}

// maxImportMemory is how much of an upload is held in memory before spilling to a temporary
// file; the auth middleware bounds the body as a whole.
const maxImportMemory = 1 << 20

// importTerms reads an uploaded CSV (or TBX, by its extension) term base and merges it into the
// glossary, or replaces the glossary with it. Nothing is stored unless every row is good; the
// page then lists every problem by line.
func (s *Server) importTerms(w http.ResponseWriter, r *http.Request, rc *request) error {
	if err := r.ParseMultipartForm(maxImportMemory); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			p, err := s.loadGlossary(r, rc)
			if err != nil {
				return err
			}
			p.Error = "glossary.file_too_large"
			s.render(w, r, rc, http.StatusRequestEntityTooLarge, "glossary", p)
			return nil
		}
		return fmt.Errorf("glossary import form: %w: %v", tarjuma.ErrInvalid, err)
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		return fmt.Errorf("glossary import file: %w: %v", tarjuma.ErrInvalid, err)
	}
	defer file.Close()
	format := desk.CSV
	if ext := strings.ToLower(path.Ext(header.Filename)); ext == ".tbx" || ext == ".xml" {
		format = desk.TBX
	}
	_, n, err := s.desk.ImportTerms(r.Context(), rc.actor(), file, format, r.PostFormValue("mode") == "replace")
	if err == nil {
		http.Redirect(w, r, "/glossary?imported="+strconv.Itoa(n), http.StatusSeeOther)
		return nil
	}
	problems := problemsOf(err)
	if problems == nil {
		return err
	}
	p, err := s.loadGlossary(r, rc)
	if err != nil {
		return err
	}
	p.Problems, p.Error = problems, "glossary.import_failed"
	s.render(w, r, rc, http.StatusUnprocessableEntity, "glossary", p)
	return nil
}
