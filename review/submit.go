package review

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

type submitPage struct {
	page
	Form       submitForm
	Langs      []tarjuma.Lang
	Priorities []tarjuma.Priority
	Errors     []string // message ids
	Done       int64    // the article just submitted
	DoneLangs  []tarjuma.Lang
}

type submitForm struct {
	Title, Body, ExternalID string
	Langs                   langList
	Priority                tarjuma.Priority
	// Key is an idempotency key made when the form is shown, so a double click or a resent
	// form stores the article once.
	Key string
}

// langList is the target languages a form's "lang" checkboxes chose; the submit and the
// subscriber forms share it so that both apply the API's rule for languages.
type langList []tarjuma.Lang

func postedLangs(r *http.Request) langList {
	var ls langList
	for _, l := range r.PostForm["lang"] {
		ls = append(ls, tarjuma.Lang(l))
	}
	return ls
}

// Has reports whether the list has l, for the checkboxes.
func (ls langList) Has(l tarjuma.Lang) bool { return slices.Contains(ls, l) }

// valid reports whether the list names at least one target language, each once.
func (ls langList) valid() bool {
	for i, l := range ls {
		if !l.Valid() || slices.Contains(ls[:i], l) {
			return false
		}
	}
	return len(ls) > 0
}

func newSubmitPage(f submitForm) *submitPage {
	return &submitPage{page: page{Nav: "submit"}, Form: f, Langs: tarjuma.TargetLangs(),
		Priorities: []tarjuma.Priority{tarjuma.PriorityUrgent, tarjuma.PriorityDefault, tarjuma.PriorityBulk}}
}

func newKey() string { return "form-" + rand.Text() }

func (s *Server) submitForm(w http.ResponseWriter, r *http.Request, rc *request) error {
	p := newSubmitPage(submitForm{Langs: tarjuma.TargetLangs(), Priority: tarjuma.PriorityDefault, Key: newKey()})
	if id, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil && id > 0 {
		ts, err := s.db.Translations(r.Context(), id)
		if err != nil {
			return err
		}
		p.Done = id
		for _, t := range ts {
			p.DoneLangs = append(p.DoneLangs, t.Lang)
		}
	}
	s.render(w, r, rc, http.StatusOK, "submit", p)
	return nil
}

// submit stores an article with its queued translations, under the same rules as
// POST /api/v1/articles, and wakes the relay.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := submitForm{
		Title:      strings.ReplaceAll(r.PostFormValue("title"), "\r\n", "\n"),
		Body:       strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"),
		ExternalID: strings.TrimSpace(r.PostFormValue("external_id")),
		Priority:   tarjuma.Priority(r.PostFormValue("priority")),
		Key:        r.PostFormValue("key"),
		Langs:      postedLangs(r),
	}
	if errs := f.problems(); len(errs) > 0 {
		p := newSubmitPage(f)
		p.Errors = errs
		s.render(w, r, rc, http.StatusUnprocessableEntity, "submit", p)
		return nil
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{f.Title, f.Body, f.ExternalID, fmt.Sprint(f.Langs), string(f.Priority)}, "\x00")))
	a, created, err := s.db.CreateArticle(r.Context(), store.NewArticle{
		ExternalID: f.ExternalID, IdempotencyKey: f.Key, RequestHash: hex.EncodeToString(sum[:]),
		Title: f.Title, Body: f.Body, TargetLangs: f.Langs, Priority: f.Priority, Author: rc.user.Email,
	})
	if err != nil {
		return fmt.Errorf("submit article: %w", err)
	}
	if created && s.enqueuer != nil {
		s.enqueuer.Dispatch()
	}
	http.Redirect(w, r, fmt.Sprintf("/submit?done=%d", a.ID), http.StatusSeeOther)
	return nil
}

// Limits shared with the API: keys are stored and indexed.
const (
	maxExternalIDLen = 255
	maxKeyLen        = 255
)

// problems applies the API's submission rules — tarjuma.CheckSource, a short external id, known
// and distinct target languages, a known priority — answering with message ids for the form.
func (f *submitForm) problems() []string {
	var errs []string
	var p *tarjuma.SourceProblem
	if errors.As(tarjuma.CheckSource(f.Title, f.Body), &p) {
		switch {
		case p.Code == tarjuma.SourceEmpty && p.Field == "title":
			errs = append(errs, "submit.error_title_empty")
			if tarjuma.Blank(f.Body) {
				errs = append(errs, "submit.error_body_empty")
			}
		case p.Code == tarjuma.SourceEmpty:
			errs = append(errs, "submit.error_body_empty")
		case p.Code == tarjuma.SourceNUL:
			errs = append(errs, "submit.error_text")
		default:
			errs = append(errs, "submit.error_not_arabic")
		}
	}
	bad := tarjuma.CheckText("external_id", f.ExternalID) != nil
	if bad && !slices.Contains(errs, "submit.error_text") {
		errs = append(errs, "submit.error_text")
	}
	if len(f.ExternalID) > maxExternalIDLen {
		errs = append(errs, "submit.error_external_id")
	}
	if len(f.Key) == 0 || len(f.Key) > maxKeyLen {
		f.Key = newKey() // a tampered key: a fresh one, so the retry is not refused as a mismatch
	}
	if !f.Langs.valid() {
		errs = append(errs, "submit.error_langs")
	}
	if !f.Priority.Valid() {
		errs = append(errs, "submit.error_priority")
	}
	return errs
}
