package review

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
)

// The editor's script saves a segment at a time in the background: these handlers take JSON
// (the CSRF token in the X-CSRF-Token header) and answer JSON, so the page keeps its place and
// focus. The whole-form save (editor.go) stays the way without script.

// segmentBody is what the script posts of a segment: the version its text was edited from, the
// text, and the status ("" keeps it).
type segmentBody struct {
	BaseVersion int                   `json:"base_version"`
	Text        *string               `json:"text"`
	Status      tarjuma.SegmentStatus `json:"status"`
}

// readSegment reads a segment save from the path and the JSON body.
func readSegment(r *http.Request) (int64, tarjuma.Lang, desk.SegmentSave, error) {
	id, lang, err := translationRef(r)
	if err != nil {
		return 0, "", desk.SegmentSave{}, err
	}
	var b segmentBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Text == nil {
		return 0, "", desk.SegmentSave{}, fmt.Errorf("segment body: %w: %v", tarjuma.ErrInvalid, err)
	}
	return id, lang, desk.SegmentSave{BaseVersion: b.BaseVersion, SegmentID: r.PathValue("segment"), Text: lf(*b.Text), Status: b.Status}, nil
}

// flagJSON is a flag as the script shows it: its kind and the sentence in the reader's language.
type flagJSON struct {
	Kind    tarjuma.FlagKind `json:"kind"`
	Message string           `json:"message"`
	// Dismissed: a dismissal of the same flag on the same text carried over to this version.
	Dismissed bool `json:"dismissed"`
}

// savedSegment is the answer to a segment save: the version that now holds the segment and the
// one it was applied onto (the version before, unless nothing changed), the segment as stored,
// and the translation's progress, worded for the header.
type savedSegment struct {
	Version int    `json:"version"`
	Onto    int    `json:"onto"`
	Created bool   `json:"created"`
	Author  string `json:"author"`
	// VersionText and At are the version as the editor's header shows it.
	VersionText string `json:"version_text"`
	At          string `json:"at"`
	Segment     struct {
		ID     string                `json:"id"`
		Text   string                `json:"text"`
		Status tarjuma.SegmentStatus `json:"status"`
		Flags  []flagJSON            `json:"flags"`
	} `json:"segment"`
	Progress struct {
		tarjuma.Progress
		Text string `json:"text"`
	} `json:"progress"`
}

// saveSegment stores one segment as a new version applied onto the latest (desk.SaveSegment).
// A segment someone else changed meanwhile answers 409 with their text, for the person to
// choose between mine and theirs.
func (s *Server) saveSegment(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, save, err := readSegment(r)
	if err != nil {
		return err
	}
	v, created, err := s.desk.SaveSegment(r.Context(), rc.actor(), id, lang, save)
	if c := (*desk.SegmentConflict)(nil); errors.As(err, &c) {
		msg, err := rc.l.T("editor.segment_conflict")
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusConflict, map[string]any{
			"error":  map[string]string{"code": "segment_conflict", "message": msg},
			"theirs": map[string]any{"text": c.Theirs, "status": c.TheirsStatus, "version": c.Latest, "author": c.Author},
		})
		return nil
	}
	if err != nil {
		return err
	}
	var out savedSegment
	out.Version, out.Onto, out.Created, out.Author = v.Number, v.Number, created, v.Author
	if created {
		out.Onto = v.Number - 1
	}
	if out.VersionText, err = rc.l.T("editor.version", "N", v.Number); err != nil {
		return err
	}
	out.At = v.CreatedAt.UTC().Format(time.RFC3339)
	dismissed, err := s.db.VersionDismissals(r.Context(), id, lang, v.Number)
	if err != nil {
		return err
	}
	for _, seg := range v.Segments {
		if seg.ID != save.SegmentID {
			continue
		}
		out.Segment.ID, out.Segment.Text, out.Segment.Status = seg.ID, seg.Text, seg.Status
		out.Segment.Flags = []flagJSON{}
		for _, f := range seg.Flags {
			fv := flagView(f.Kind, f.Args)
			msg, err := rc.l.T(fv.ID, "Arg", fv.Arg, "Want", fv.Want)
			if err != nil {
				return err
			}
			fj := flagJSON{Kind: f.Kind, Message: msg}
			for _, d := range dismissed {
				fj.Dismissed = fj.Dismissed || d.Dismisses(seg.ID, f)
			}
			out.Segment.Flags = append(out.Segment.Flags, fj)
		}
	}
	p := v.Progress()
	out.Progress.Progress = p
	out.Progress.Text, err = rc.l.T("editor.progress", "Done", p.SegmentsConfirmed, "Total", p.Segments, "WordsDone", p.WordsConfirmed, "Words", p.Words)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// saveDraft keeps what the person is typing into a segment (desk.SaveDraft); the script calls
// it a moment after she stops typing, which also keeps her session alive.
func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, save, err := readSegment(r)
	if err != nil {
		return err
	}
	d, err := s.desk.SaveDraft(r.Context(), rc.actor(), id, lang, save)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"segment": d.SegmentID, "base_version": d.BaseVersion, "saved_at": d.UpdatedAt.Format(time.RFC3339Nano)})
	return nil
}

// sessionState gives the script the session's CSRF token: after the sign-in dialog has made a
// new session, the saves that waited for it carry the new token.
func (s *Server) sessionState(w http.ResponseWriter, r *http.Request, rc *request) error {
	writeJSON(w, http.StatusOK, map[string]string{"csrf_token": auth.CSRFToken(r.Context()), "user": rc.user.Email})
	return nil
}

// wantsJSON reports a request from the editor's script, which is answered in JSON, errors
// included, rather than with a page or a redirect to the sign-in page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeJSON answers with v as JSON; the script's answers are never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the browser has gone if this fails
}

// jsonError answers the script with a refusal: the desk's code (or one of the page's own,
// such as signed_out) and the message the page would show, in the reader's language.
func jsonError(w http.ResponseWriter, rc *request, status int, code, msg string) {
	text, err := rc.l.T(msg)
	if err != nil {
		text = http.StatusText(status) // a missing message is a bug the locale tests catch
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": text}})
}
