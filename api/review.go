package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// saveVersionRequest is a person's edit of a version: the title and every body segment's text
// and status, by the ids of the version it was made from.
// by the ids of the version it was made from. A status left out confirms its segment.
type saveVersionRequest struct {
	BaseVersion int                    `json:"base_version"`
	Title       *string                `json:"title"`
	TitleStatus *tarjuma.SegmentStatus `json:"title_status"`
	Segments    []segmentEditJSON      `json:"segments"`
}

type segmentEditJSON struct {
	ID     string                 `json:"id"`
	Text   *string                `json:"text"`
	Status *tarjuma.SegmentStatus `json:"status"`
}

// saveVersion stores a person's edit as the translation's next version: 201 with it, 409 when
// base_version is no longer the latest (nothing is stored, so two translators never overwrite
// each other). Segments whose text changed become human; the glossary check runs again on the
// result, with the current glossary. An edit equal to the latest version (texts and statuses)
// stores nothing and answers 200 with that version.
func (s *Server) saveVersion(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	// Refused before the body is read, as the route's role check would be.
	if err := desk.MayEdit(actor(r.Context()), lang); err != nil {
		return err
	}
	var req saveVersionRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	e := desk.Edit{BaseVersion: req.BaseVersion, Title: req.Title, TitleStatus: req.TitleStatus, Segments: make([]desk.SegmentEdit, len(req.Segments))}
	for i, seg := range req.Segments {
		e.Segments[i] = desk.SegmentEdit{ID: seg.ID, Text: seg.Text, Status: seg.Status}
	}
	v, created, err := s.desk.SaveVersion(r.Context(), actor(r.Context()), id, lang, e)
	if err != nil {
		return err
	}
	return s.writeVersion(w, r, id, lang, v, created)
}

// writeVersion answers a save: 201 with the new version and its Location when one was
// created, 200 with the latest when the edit changed nothing.
func (s *Server) writeVersion(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang, v tarjuma.Version, created bool) error {
	// The dismissals carried over from the base (or the base's own, when nothing changed).
	out, err := s.versionJSON(r.Context(), id, lang, v)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		w.Header().Set("Location", fmt.Sprintf("/api/v1/articles/%d/translations/%s/versions/%d", id, lang, v.Number))
		status = http.StatusCreated
	}
	return writeJSON(w, status, out)
}

type dismissRequest struct {
	Kind   tarjuma.FlagKind `json:"kind"`
	Args   []string         `json:"args"`
	Reason string           `json:"reason"`
}

// dismissFlag records that a flag of a segment of the latest version is a false positive, and
// why: 201 with the dismissal. The flag stops blocking approval, here and in later versions
// that keep the segment's text.
func (s *Server) dismissFlag(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	n, err := pathInt(r, "n")
	if err != nil {
		return err
	}
	if err := desk.MayEdit(actor(r.Context()), lang); err != nil {
		return err
	}
	var req dismissRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	d, err := s.desk.DismissFlag(r.Context(), actor(r.Context()), id, lang, int(n), r.PathValue("segment"),
		tarjuma.Flag{Kind: req.Kind, Args: req.Args}, req.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newDismissalJSON(d))
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

func (req approveRequest) decision() desk.Decision {
	dec := desk.Decision{Version: req.Version, Comment: req.Comment}
	if req.Override != nil {
		dec.Override = &req.Override.Reason
	}
	return dec
}

// approve approves the latest version (409 for any other, so a reviewer never approves what
// they have not seen) and answers with the translation. The approved segments go to the
// translation memory. A version with open issues (untranslated, empty or unconfirmed segments,
// blocking QA flags nobody dismissed) is refused with 409 open_issues listing them, unless the
// request carries an override with a reason, which the history records.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	return decide(s, w, r, id, lang, approveRequest.decision, s.desk.Approve)
}

type rejectRequest struct {
	Version int    `json:"version"` // 0: the latest
	Comment string `json:"comment"`
	// Notes are comments on segments, shown to the translator at each segment.
	Notes []segmentNoteJSON `json:"notes"`
}

type segmentNoteJSON struct {
	Segment string `json:"segment"`
	Body    string `json:"body"`
}

func (req rejectRequest) decision() desk.Decision {
	dec := desk.Decision{Version: req.Version, Comment: req.Comment}
	for _, n := range req.Notes {
		dec.Notes = append(dec.Notes, store.SegmentNote{Segment: n.Segment, Body: n.Body})
	}
	return dec
}

// reject sends the latest version back to the translators with a comment, which is required;
// a version, when given, must be the latest (409 otherwise).
func (s *Server) reject(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	return decide(s, w, r, id, lang, rejectRequest.decision, s.desk.Reject)
}

// decide reads a reviewer's request of type Req, hands its decision to act and answers with
// the translation as decided.
func decide[Req any](s *Server, w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang,
	decision func(Req) desk.Decision, act func(context.Context, desk.Actor, int64, tarjuma.Lang, desk.Decision) error) error {
	var req Req
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	if err := act(r.Context(), actor(r.Context()), id, lang, decision(req)); err != nil {
		return err
	}
	return s.getTranslation(w, r, id, lang)
}

// listReviewEvents answers with the reviewers' decisions on a translation, oldest first: who
// approved or rejected which version and why, and for an approval over open issues the
// override's reason and the issues it let through.
func (s *Server) listReviewEvents(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	evs, err := s.db.ReviewEvents(r.Context(), id, lang)
	if err != nil {
		return fmt.Errorf("review events of translation %d/%s: %w", id, lang, err)
	}
	return writeJSON(w, http.StatusOK, reviewEventListJSON{Events: jsonList(evs, newReviewEventJSON)})
}
