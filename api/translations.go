package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tarjuma/tarjuma"
)

// translationPath reads the article id and language every translation route starts with.
func translationPath(r *http.Request) (int64, tarjuma.Lang, error) {
	id, err := pathInt(r, "id")
	if err != nil {
		return 0, "", err
	}
	lang := tarjuma.Lang(r.PathValue("lang"))
	if !lang.Valid() {
		return 0, "", errorf(http.StatusNotFound, "not_found", "there are no translations into %q", lang)
	}
	return id, lang, nil
}

// translationHandler handles a route under /articles/{id}/translations/{lang}; it is called
// with the path's article id and language, already read and checked.
type translationHandler func(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error

// onTranslation reads and checks the translation path before h runs, so that every
// translation route starts the same way and none repeats the steps.
func onTranslation(h translationHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, lang, err := translationPath(r)
		if err != nil {
			return err
		}
		return h(w, r, id, lang)
	}
}

// getTranslation answers with a translation's state and its latest version in full.
func (s *Server) getTranslation(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	t, err := s.db.Translation(r.Context(), id, lang)
	if err != nil {
		return fmt.Errorf("translation %d/%s: %w", id, lang, err)
	}
	out := translationDetailJSON{ArticleID: id, translationJSON: newTranslationJSON(t)}
	if err := s.articleHolds(r, &out); err != nil {
		return err
	}
	// Reading the version the state names (not "the newest now") keeps the answer consistent
	// when a worker stores another version in between.
	if t.LatestVersion > 0 {
		v, err := s.db.Version(r.Context(), id, lang, t.LatestVersion)
		if err != nil {
			return fmt.Errorf("version %d of translation %d/%s: %w", t.LatestVersion, id, lang, err)
		}
		if out.LatestVersion, err = s.versionJSON(r.Context(), id, lang, v); err != nil {
			return err
		}
		evs, err := s.db.ReviewEvents(r.Context(), id, lang)
		if err != nil {
			return fmt.Errorf("review events of translation %d/%s: %w", id, lang, err)
		}
		if n := len(evs); n > 0 && evs[n-1].Version == v.Number && evs[n-1].Action == tarjuma.StatusApproved {
			ev := newReviewEventJSON(evs[n-1])
			out.Approval = &ev
		}
	}
	return writeJSON(w, http.StatusOK, out)
}

// listVersions answers with every version of a translation, oldest first, without segments.
func (s *Server) listVersions(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	vs, err := s.db.Versions(r.Context(), id, lang)
	if err != nil {
		return fmt.Errorf("versions of translation %d/%s: %w", id, lang, err)
	}
	return writeJSON(w, http.StatusOK, versionListJSON{Versions: jsonList(vs, newVersionSummaryJSON)})
}

func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	n, err := pathInt(r, "n")
	if err != nil {
		return err
	}
	v, err := s.db.Version(r.Context(), id, lang, int(n))
	if err != nil {
		return fmt.Errorf("version %d of translation %d/%s: %w", n, id, lang, err)
	}
	out, err := s.versionJSON(r.Context(), id, lang, v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

// versionJSON is a version in full with the dismissals of its flags, as every answer that
// shows a version's segments has it.
func (s *Server) versionJSON(ctx context.Context, id int64, lang tarjuma.Lang, v tarjuma.Version) (*versionJSON, error) {
	ds, err := s.db.VersionDismissals(ctx, id, lang, v.Number)
	if err != nil {
		return nil, fmt.Errorf("dismissals of version %d of translation %d/%s: %w", v.Number, id, lang, err)
	}
	return newVersionJSON(v, ds), nil
}
