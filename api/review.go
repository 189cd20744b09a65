package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// saveVersionRequest is a person's edit of a version: the title and every body segment's text,
// by the ids of the version it was made from.
type saveVersionRequest struct {
	BaseVersion int               `json:"base_version"`
	Title       *string           `json:"title"`
	Segments    []segmentEditJSON `json:"segments"`
}

type segmentEditJSON struct {
	ID   string  `json:"id"`
	Text *string `json:"text"`
}

// saveVersion stores a person's edit as the translation's next version: 201 with it, 409 when
// base_version is no longer the latest (nothing is stored, so two translators never overwrite
// each other). Segments whose text changed become human; the glossary check runs again on the
// result, with the current glossary.
func (s *Server) saveVersion(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := translationPath(r)
	if err != nil {
		return err
	}
	if user, _ := callerUser(r.Context()); !user.CanEdit(lang) {
		return errorf(http.StatusForbidden, "forbidden", "%s may not edit translations into %s", user.Role, lang)
	}
	var req saveVersionRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	if req.BaseVersion < 1 {
		return errorf(http.StatusUnprocessableEntity, "invalid_version", "base_version must be a version number, from 1")
	}
	base, err := s.db.Version(r.Context(), id, lang, req.BaseVersion)
	if err != nil {
		return fmt.Errorf("base version %d of translation %d/%s: %w", req.BaseVersion, id, lang, err)
	}
	texts, err := editTexts(base, req)
	if err != nil {
		return err
	}
	segs, err := base.Edit(texts)
	if err != nil {
		return errorf(http.StatusUnprocessableEntity, "segments_mismatch", "%v", err)
	}
	matcher, glossaryVersion, err := s.glossary.Current(r.Context())
	if err != nil {
		return err
	}
	matcher.Annotate(segs, lang)
	v, err := s.db.SaveHumanVersion(r.Context(), store.HumanEdit{ArticleID: id, Lang: lang, BaseVersion: base.Number,
		Segments: segs, Author: callerName(r.Context()), GlossaryVersion: glossaryVersion})
	if err != nil {
		return fmt.Errorf("save version of translation %d/%s: %w", id, lang, err)
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/articles/%d/translations/%s/versions/%d", id, lang, v.Number))
	return writeJSON(w, http.StatusCreated, newVersionJSON(v))
}

// editTexts holds the request to base's shape: a title, and the body segments by base's ids in
// base's order, each with a text; it returns the texts by segment id for Version.Edit.
func editTexts(base tarjuma.Version, req saveVersionRequest) (map[string]string, error) {
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		return nil, errorf(http.StatusUnprocessableEntity, "empty_field", "title must not be empty")
	}
	body := base.Body()
	if len(body) == len(base.Segments) {
		return nil, errorf(http.StatusUnprocessableEntity, "segments_mismatch", "version %d has no title to edit", base.Number)
	}
	if len(req.Segments) != len(body) {
		return nil, errorf(http.StatusUnprocessableEntity, "segments_mismatch",
			"%d segments sent, version %d has %d", len(req.Segments), base.Number, len(body))
	}
	texts := map[string]string{tarjuma.TitleSegmentID: *req.Title}
	for i, e := range req.Segments {
		if e.ID != body[i].ID {
			return nil, errorf(http.StatusUnprocessableEntity, "segments_mismatch",
				"segment %d is %q, version %d has %q there", i, e.ID, base.Number, body[i].ID)
		}
		if e.Text == nil {
			return nil, errorf(http.StatusUnprocessableEntity, "empty_field", "segment %q has no text", e.ID)
		}
		if err := checkText("segment "+e.ID, *e.Text); err != nil {
			return nil, err
		}
		texts[e.ID] = *e.Text
	}
	return texts, nil
}

type approveRequest struct {
	Version  int           `json:"version"`
	Comment  string        `json:"comment"`
	Override *overrideJSON `json:"override"`
}

// overrideJSON approves a version despite its open issues; the reason is required and goes to
// the version's history.
type overrideJSON struct {
	Reason string `json:"reason"`
}

// approve approves the latest version (409 for any other, so a reviewer never approves what
// they have not seen) and answers with the translation. The approved segments go to the
// translation memory. A version with untranslated or empty segments is refused with 409
// open_issues listing them, unless the request carries an override with a reason.
func (s *Server) approve(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := translationPath(r)
	if err != nil {
		return err
	}
	var req approveRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	if req.Version < 1 {
		return errorf(http.StatusUnprocessableEntity, "invalid_version", "version must be a version number, from 1")
	}
	if err := checkText("comment", req.Comment); err != nil {
		return err
	}
	var override *store.Override
	if req.Override != nil {
		reason := strings.TrimSpace(req.Override.Reason)
		if reason == "" {
			return errorf(http.StatusUnprocessableEntity, "empty_field", "override.reason must say why the open issues may be published")
		}
		if err := checkText("override.reason", reason); err != nil {
			return err
		}
		override = &store.Override{Reason: reason}
	}
	err = s.db.Approve(r.Context(), id, lang, req.Version, callerName(r.Context()), strings.TrimSpace(req.Comment), override)
	if oe := (*tarjuma.OpenIssuesError)(nil); errors.As(err, &oe) {
		e := errorf(http.StatusConflict, "open_issues",
			"version %d has %d untranslated or empty segments; fix them, or approve with an override and its reason", oe.Version, len(oe.Issues))
		e.issues = issuesJSON(oe.Issues)
		return e
	}
	if err != nil {
		return fmt.Errorf("approve translation %d/%s: %w", id, lang, err)
	}
	s.enqueuer.Dispatch() // the approval queued deliveries to subscribers
	return s.getTranslation(w, r)
}

type rejectRequest struct {
	Version int    `json:"version"` // 0: the latest
	Comment string `json:"comment"`
}

// reject sends the latest version back to the translators with a comment, which is required;
// a version, when given, must be the latest (409 otherwise).
func (s *Server) reject(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := translationPath(r)
	if err != nil {
		return err
	}
	var req rejectRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	comment := strings.TrimSpace(req.Comment)
	if comment == "" {
		return errorf(http.StatusUnprocessableEntity, "empty_field", "comment must say what to fix")
	}
	if err := checkText("comment", comment); err != nil {
		return err
	}
	switch {
	case req.Version < 0:
		return errorf(http.StatusUnprocessableEntity, "invalid_version", "version must be a version number, from 1")
	case req.Version == 0:
		t, err := s.db.Translation(r.Context(), id, lang)
		if err != nil {
			return fmt.Errorf("translation %d/%s: %w", id, lang, err)
		}
		req.Version = t.LatestVersion
	}
	if err := s.db.Reject(r.Context(), id, lang, req.Version, callerName(r.Context()), comment); err != nil {
		return fmt.Errorf("reject translation %d/%s: %w", id, lang, err)
	}
	return s.getTranslation(w, r)
}

// listReviewEvents answers with the reviewers' decisions on a translation, oldest first: who
// approved or rejected which version and why, and for an approval over open issues the
// override's reason and the issues it let through.
func (s *Server) listReviewEvents(w http.ResponseWriter, r *http.Request) error {
	id, lang, err := translationPath(r)
	if err != nil {
		return err
	}
	evs, err := s.db.ReviewEvents(r.Context(), id, lang)
	if err != nil {
		return fmt.Errorf("review events of translation %d/%s: %w", id, lang, err)
	}
	out := reviewEventListJSON{Events: make([]reviewEventJSON, 0, len(evs))}
	for _, ev := range evs {
		out.Events = append(out.Events, newReviewEventJSON(ev))
	}
	return writeJSON(w, http.StatusOK, out)
}
