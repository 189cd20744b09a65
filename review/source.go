package review

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/tarjuma/tarjuma"
)

// sourcePage is the form where an editor corrects an article's Arabic source.
type sourcePage struct {
	page
	Article      tarjuma.Article // the latest revision
	Translations []tarjuma.Translation
	// Title and Body are the form's text: the latest revision's, or what the editor typed when
	// the desk refused it or another editor stored a revision meanwhile.
	Title, Body string
	// BaseRevision is the revision the form is an edit of.
	BaseRevision int
	Errors       []string // message ids
	Notice       string   // message id of the last save's outcome
	// Conflict is set when the editor's form was made from an older revision than the latest;
	// the page keeps her text and shows the latest beside it, and the form is then based on
	// the latest, so saving again is a deliberate choice.
	Conflict bool
}

// sourceNotices are the outcomes a redirect after a save reports in ?done=.
var sourceNotices = map[string]string{"saved": "source.saved", "unchanged": "source.unchanged"}

// articleRef reads the article of an /articles/{article} path; a malformed one names nothing.
func articleRef(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("article"), 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("article %q: %w", r.PathValue("article"), tarjuma.ErrNotFound)
	}
	return id, nil
}

// loadSource reads the article at its latest revision and its translations into a page whose
// form holds that revision.
func (s *Server) loadSource(r *http.Request) (*sourcePage, error) {
	id, err := articleRef(r)
	if err != nil {
		return nil, err
	}
	p := &sourcePage{page: page{Nav: "review"}}
	if p.Article, err = s.db.Article(r.Context(), id); err != nil {
		return nil, err
	}
	if p.Translations, err = s.db.Translations(r.Context(), id); err != nil {
		return nil, err
	}
	p.Title, p.Body, p.BaseRevision = p.Article.Title, p.Article.Body, p.Article.Revision
	return p, nil
}

func (s *Server) sourceForm(w http.ResponseWriter, r *http.Request, rc *request) error {
	p, err := s.loadSource(r)
	if err != nil {
		return err
	}
	p.Notice = sourceNotices[r.URL.Query().Get("done")]
	s.render(w, r, rc, http.StatusOK, "source", p)
	return nil
}

// editSource hands the corrected source to the desk as a new revision made from the form's
// base_revision; the translations are queued again and only the changed segments translated
// anew. A form made from a revision that is no longer the latest comes back with 409 and the
// editor's text kept; a refused text with the form's problems listed.
func (s *Server) editSource(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, err := articleRef(r)
	if err != nil {
		return err
	}
	base, err := versionField(r, "base_revision")
	if err != nil {
		return err
	}
	title, body := lf(r.PostFormValue("title")), lf(r.PostFormValue("body"))
	a, err := s.desk.EditSource(r.Context(), rc.actor(), id, base, title, body)
	errs, refused := refusal(err, submitMessage)
	if conflict := errors.Is(err, tarjuma.ErrConflict); refused || conflict {
		p, err := s.loadSource(r)
		if err != nil {
			return err
		}
		p.Title, p.Body, p.Conflict = title, body, conflict
		status := http.StatusConflict
		if refused {
			// Still an edit of the editor's base: a refusal is not a reason to rebase it.
			status, p.Errors, p.BaseRevision = http.StatusUnprocessableEntity, errs, base
		}
		s.render(w, r, rc, status, "source", p)
		return nil
	}
	if err != nil {
		return err
	}
	done := "saved"
	if a.Revision == base {
		done = "unchanged"
	}
	http.Redirect(w, r, fmt.Sprintf("/articles/%d/source?done=%s", id, done), http.StatusSeeOther)
	return nil
}
