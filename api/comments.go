package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/store"
)

// commentJSON is a comment on a segment: reply_to is the comment that opened its thread (absent
// for an opening comment); kind is comment, or rejection for a reviewer's note on a segment of
// the version she rejected.
type commentJSON struct {
	ID       int64             `json:"id"`
	Segment  string            `json:"segment"`
	ReplyTo  int64             `json:"reply_to,omitempty"`
	Kind     store.CommentKind `json:"kind"`
	Version  int               `json:"version"`
	Author   string            `json:"author"`
	Body     string            `json:"body"`
	Mentions []string          `json:"mentions"`
	At       time.Time         `json:"created_at"`
}

func newCommentJSON(c store.Comment) commentJSON {
	return commentJSON{ID: c.ID, Segment: c.Segment, ReplyTo: c.ParentID, Kind: c.Kind, Version: c.Version, Author: c.Author,
		Body: c.Body, Mentions: append([]string{}, c.Mentions...), At: c.At}
}

type commentListJSON struct {
	Comments []commentJSON `json:"comments"`
}

// listComments answers with the comments on a translation's segments, oldest first.
func (s *Server) listComments(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	if _, err := s.db.Translation(r.Context(), id, lang); err != nil {
		return err
	}
	cs, err := s.db.Comments(r.Context(), id, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, commentListJSON{Comments: jsonList(cs, newCommentJSON)})
}

type commentRequest struct {
	Segment string `json:"segment"`
	ReplyTo int64  `json:"reply_to"`
	Body    string `json:"body"`
}

// createComment stores a comment on a segment of the latest version: 201 with it. Mentions
// (@email, or @ and the part of an email before its @) must each name one user (422
// unknown_mention otherwise); the users mentioned see the comment in their queue.
func (s *Server) createComment(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	if err := desk.MayComment(actor(r.Context()), lang); err != nil {
		return err
	}
	var req commentRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.desk.Comment(r.Context(), actor(r.Context()), id, lang, desk.CommentInput{Segment: req.Segment, ReplyTo: req.ReplyTo, Body: req.Body})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newCommentJSON(c))
}

// assignmentJSON is who works on a translation; user is null when nobody does.
type assignmentJSON struct {
	User    *string    `json:"user"`
	Claimed bool       `json:"claimed"`
	By      string     `json:"by,omitempty"`
	At      *time.Time `json:"assigned_at,omitempty"`
}

func newAssignmentJSON(a store.Assignment) assignmentJSON {
	return assignmentJSON{User: &a.Email, Claimed: a.Claimed, By: a.By, At: &a.At}
}

// claim makes the caller the translation's assignee (409 when someone else holds it).
func (s *Server) claim(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	a, err := s.desk.Claim(r.Context(), actor(r.Context()), id, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAssignmentJSON(a))
}

type assignRequest struct {
	User string `json:"user"` // email
}

// assign makes a user who may edit the language the translation's assignee (editors, admins).
func (s *Server) assign(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	var req assignRequest
	if _, err := s.readJSON(w, r, &req); err != nil {
		return err
	}
	a, err := s.desk.Assign(r.Context(), actor(r.Context()), id, lang, req.User)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAssignmentJSON(a))
}

// release leaves the translation unassigned: 204.
func (s *Server) release(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	return noContent(w, s.desk.Release(r.Context(), actor(r.Context()), id, lang))
}

// getAssignment answers with who works on the translation.
func (s *Server) getAssignment(w http.ResponseWriter, r *http.Request, id int64, lang tarjuma.Lang) error {
	if _, err := s.db.Translation(r.Context(), id, lang); err != nil {
		return err
	}
	a, err := s.db.Assignment(r.Context(), id, lang)
	if errors.Is(err, tarjuma.ErrNotFound) {
		return writeJSON(w, http.StatusOK, assignmentJSON{})
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAssignmentJSON(a))
}
