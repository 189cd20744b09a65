package review

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
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
	// EmbargoUntil is an RFC 3339 time before which nothing is republished; "" for none.
	EmbargoUntil string
}

// langList is the target languages a form's "lang" checkboxes chose; the submit and the
// subscriber forms share it.
type langList []tarjuma.Lang

// postedLangs reads the ticked boxes; none ticked is an empty list, which the desk refuses,
// not a missing one, which would mean every language.
func postedLangs(r *http.Request) langList {
	ls := langList{}
	for _, l := range r.PostForm["lang"] {
		ls = append(ls, tarjuma.Lang(l))
	}
	return ls
}

// Has reports whether the list has l, for the checkboxes.
func (ls langList) Has(l tarjuma.Lang) bool { return slices.Contains(ls, l) }

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

// submit hands the form's article to the desk, which stores it with its queued translations
// and wakes the relay; a refused one comes back in the form with every problem listed.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, rc *request) error {
	f := submitForm{
		Title:        lf(r.PostFormValue("title")),
		Body:         lf(r.PostFormValue("body")),
		ExternalID:   strings.TrimSpace(r.PostFormValue("external_id")),
		Priority:     tarjuma.Priority(r.PostFormValue("priority")),
		Key:          r.PostFormValue("key"),
		EmbargoUntil: strings.TrimSpace(r.PostFormValue("embargo_until")),
		Langs:        postedLangs(r),
	}
	if f.Key == "" || desk.CheckIdempotencyKey(f.Key) != nil {
		f.Key = newKey() // a tampered key: a fresh one, so the retry is not refused as a mismatch
	}
	a, _, err := s.desk.Submit(r.Context(), rc.actor(), desk.Submission{Title: f.Title, Body: f.Body, ExternalID: f.ExternalID,
		TargetLangs: f.Langs, Priority: f.Priority, IdempotencyKey: f.Key, EmbargoUntil: f.EmbargoUntil})
	if errs, ok := refusal(err, submitMessage); ok {
		p := newSubmitPage(f)
		p.Errors = errs
		s.render(w, r, rc, http.StatusUnprocessableEntity, "submit", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/submit?done=%d", a.ID), http.StatusSeeOther)
	return nil
}

// submitMessage is the submit form's message for a refused submission.
func submitMessage(e *desk.Error) string {
	switch e.Code {
	case "empty_field":
		return "submit.error_" + e.Field + "_empty"
	case "invalid_text":
		return "submit.error_text"
	case "not_arabic":
		return "submit.error_not_arabic"
	case "invalid_external_id":
		return "submit.error_external_id"
	case "invalid_lang":
		return "submit.error_langs"
	case "invalid_priority":
		return "submit.error_priority"
	case "invalid_embargo":
		return "submit.error_embargo"
	}
	return ""
}
