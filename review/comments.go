package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// commentsView is what the editor shows of a translation's comments, its assignee and its
// last rejection; editorPage embeds it.
type commentsView struct {
	// threads are the comment threads by segment id, each an opening comment and its replies.
	threads map[string][]thread
	// Comments are all the translation's comments, oldest first, for the panel that lists them.
	Comments []store.Comment
	// Assignee is who works on the translation; Assignee.Email is "" for nobody.
	Assignee store.Assignment
	// Assignable are the enabled users who may edit the language, for an editor's assign form.
	Assignable []tarjuma.User
	// CanComment, CanClaim, CanRelease and CanAssign show those controls; the desk checks
	// the same rules again.
	CanComment, CanClaim, CanRelease, CanAssign bool
	// Rejection is the latest decision when it was a rejection, with its notes on segments,
	// for the summary at the top; nil otherwise.
	Rejection *rejectionView
	// Issues counts the approve panel's open issues by kind.
	Issues issueCounts
	// CommentBody and CommentSegment keep what a refused comment said, shown again in that
	// segment's box.
	CommentBody, CommentSegment string
	// Notes keep a refused rejection's notes by segment, shown again in their boxes.
	Notes map[string]string
}

// thread is an opening comment and its replies, oldest first.
type thread struct {
	store.Comment
	Replies []store.Comment
}

type rejectionView struct {
	store.ReviewEvent
	Notes []store.Comment
}

// issueCounts are what keeps a version from being approved, by kind, as the approve panel
// summarises them (qa.OpenIssues lists them one by one).
type issueCounts struct{ Flags, Unconfirmed, Untranslated int }

// NeedsAttention reports whether the latest rejection left a note on segment id: the segment
// shows "needs attention" beside its status until its text is confirmed again (open flags
// show it too, from the segment's has-flags class, which live QA keeps current).
func (v commentsView) NeedsAttention(id string) bool {
	if v.Rejection == nil {
		return false
	}
	for _, n := range v.Rejection.Notes {
		if n.Segment == id {
			return true
		}
	}
	return false
}

func countIssues(issues []issueView) issueCounts {
	var c issueCounts
	for _, is := range issues {
		switch k := tarjuma.IssueKind(is.Kind); {
		case k == tarjuma.IssueUnconfirmed:
			c.Unconfirmed++
		case isTextIssue(k):
			c.Untranslated++
		default:
			c.Flags++
		}
	}
	return c
}

// Threads are the comment threads on segment id, for the template.
func (v *commentsView) Threads(id string) []thread { return v.threads[id] }

// CommentCount is how many comments, replies included, segment id has: the editor's
// data-comments, which the filters read.
func (v *commentsView) CommentCount(id string) int {
	n := 0
	for _, t := range v.threads[id] {
		n += 1 + len(t.Replies)
	}
	return n
}

// loadComments fills in p's comments, assignee and last rejection, and the notes of a
// rejection r posted, and records that the reader has seen the comments that mention her.
func (s *Server) loadComments(r *http.Request, rc *request, p *editorPage) error {
	ctx, id, lang := r.Context(), p.Article.ID, p.Lang
	p.Notes = map[string]string{}
	for _, n := range rejectionNotes(r) { // a refused rejection's, when the page shows one
		p.Notes[n.Segment] = n.Body
	}
	cs, err := s.db.Comments(ctx, id, lang)
	if err != nil {
		return err
	}
	p.Comments, p.threads = cs, map[string][]thread{}
	var notes []store.Comment
	for _, c := range cs {
		if c.Kind == store.CommentRejection {
			notes = append(notes, c)
		}
		if c.ParentID == 0 {
			p.threads[c.Segment] = append(p.threads[c.Segment], thread{Comment: c})
			continue
		}
		ts := p.threads[c.Segment]
		for i := range ts {
			if ts[i].ID == c.ParentID {
				ts[i].Replies = append(ts[i].Replies, c)
			}
		}
	}
	if n := len(p.Events); n > 0 && p.Events[n-1].Action == tarjuma.StatusRejected {
		ev := p.Events[n-1]
		p.Rejection = &rejectionView{ReviewEvent: ev}
		for _, c := range notes {
			if c.Version == ev.Version && c.Author == ev.Actor && c.At.Equal(ev.At) {
				p.Rejection.Notes = append(p.Rejection.Notes, c)
			}
		}
	}
	p.Assignee, err = s.db.Assignment(ctx, id, lang)
	if err != nil && !errors.Is(err, tarjuma.ErrNotFound) {
		return err
	}
	a := rc.actor()
	mine := p.Assignee.Email != "" && p.Assignee.UserID == rc.user.ID
	p.CanComment = desk.MayComment(a, lang) == nil && p.Version.Number > 0
	p.CanClaim = desk.MayEdit(a, lang) == nil && !mine && p.Assignee.Email == ""
	p.CanAssign = editors(rc.user, nil)
	p.CanRelease = p.Assignee.Email != "" && (mine || p.CanAssign)
	if p.CanAssign {
		users, err := s.db.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.DisabledAt.IsZero() && u.CanEdit(lang) {
				p.Assignable = append(p.Assignable, u)
			}
		}
	}
	p.Issues = countIssues(p.OpenIssues)
	return s.desk.MarkMentionsRead(ctx, a, id, lang)
}

// comment stores a comment or a reply on a segment and comes back to it; a refused comment
// shows the editor with the message and the text kept in the segment's box.
func (s *Server) comment(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("comment form: %w: %v", tarjuma.ErrInvalid, err)
	}
	in := desk.CommentInput{Segment: r.PostFormValue("segment"), Body: lf(r.PostFormValue("body"))}
	if v := r.PostFormValue("reply_to"); v != "" {
		if in.ReplyTo, err = strconv.ParseInt(v, 10, 64); err != nil {
			return fmt.Errorf("reply_to %q: %w", v, tarjuma.ErrInvalid)
		}
	}
	c, err := s.desk.Comment(r.Context(), rc.actor(), id, lang, in)
	if msg, ok := commentMessages[code(err)]; ok {
		p, lerr := s.loadEditor(r, rc)
		if lerr != nil {
			return lerr
		}
		p.Error, p.CommentBody, p.CommentSegment = msg, in.Body, in.Segment
		status := http.StatusUnprocessableEntity
		if errors.Is(err, desk.ErrMalformed) {
			status = http.StatusBadRequest
		}
		s.render(w, r, rc, status, "editor", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=commented#comment-%d", id, lang, c.ID), http.StatusSeeOther)
	return nil
}

// commentMessages are the messages of the refusals a person can fix by editing the comment.
var commentMessages = map[string]string{
	"empty_field":     "comments.error_empty",
	"too_long":        "comments.error_too_long",
	"unknown_mention": "comments.error_unknown_mention",
	"invalid_text":    "error.invalid",
}

// claim makes the signed-in user the translation's assignee.
func (s *Server) claim(w http.ResponseWriter, r *http.Request, rc *request) error {
	return s.assignment(w, r, rc, func(ctx context.Context, id int64, lang tarjuma.Lang) error {
		_, err := s.desk.Claim(ctx, rc.actor(), id, lang)
		return err
	}, "claimed")
}

// assign makes the user the editor picked the translation's assignee.
func (s *Server) assign(w http.ResponseWriter, r *http.Request, rc *request) error {
	return s.assignment(w, r, rc, func(ctx context.Context, id int64, lang tarjuma.Lang) error {
		_, err := s.desk.Assign(ctx, rc.actor(), id, lang, r.PostFormValue("user"))
		return err
	}, "assigned")
}

// release leaves the translation unassigned.
func (s *Server) release(w http.ResponseWriter, r *http.Request, rc *request) error {
	return s.assignment(w, r, rc, func(ctx context.Context, id int64, lang tarjuma.Lang) error {
		return s.desk.Release(ctx, rc.actor(), id, lang)
	}, "released")
}

// assignmentMessages are the messages of the refusals of an assignment the editor page shows.
var assignmentMessages = map[string]string{
	"unknown_user":   "assign.error_unknown_user",
	"not_assignable": "assign.error_not_assignable",
}

// assignment runs one of the assignment actions and comes back to the editor with its
// notice, or with the refusal's message.
func (s *Server) assignment(w http.ResponseWriter, r *http.Request, rc *request, act func(context.Context, int64, tarjuma.Lang) error, done string) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("assignment form: %w: %v", tarjuma.ErrInvalid, err)
	}
	err = act(r.Context(), id, lang)
	if msg, ok := assignmentMessages[code(err)]; ok {
		return s.editorFailed(w, r, rc, http.StatusUnprocessableEntity, msg, "")
	}
	if errors.Is(err, tarjuma.ErrConflict) {
		return s.editorFailed(w, r, rc, http.StatusConflict, "assign.error_taken", "")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=%s", id, lang, done), http.StatusSeeOther)
	return nil
}

// rejectionNotes reads the reject form's notes on segments: parallel note_segment and note
// fields, which every segment carries for a reviewer; the empty ones are notes not written.
func rejectionNotes(r *http.Request) []store.SegmentNote {
	segs, texts := r.PostForm["note_segment"], r.PostForm["note"]
	var notes []store.SegmentNote
	for i := range min(len(segs), len(texts)) {
		if strings.TrimSpace(texts[i]) != "" {
			notes = append(notes, store.SegmentNote{Segment: segs[i], Body: lf(texts[i])})
		}
	}
	return notes
}

// commenters lets in who may comment on the path's language, as the desk's rule says.
func commenters(u tarjuma.User, r *http.Request) bool {
	return desk.MayComment(desk.Actor{User: u}, tarjuma.Lang(r.PathValue("lang"))) == nil
}

// mentionLink is where a mention in the queue leads: the comment in its editor.
func mentionLink(m store.Mention) string {
	return fmt.Sprintf("/review/%d/%s#comment-%d", m.ArticleID, url.PathEscape(string(m.Lang)), m.ID)
}

// segComments is what the "seg-comments" template shows of one segment.
type segComments struct {
	P       *editorPage
	Seg     segmentView
	Threads []thread
	Count   int
	Open    bool // shown unfolded: it has comments, or a refused comment to correct
}

// SegComments is segment sv's comments and boxes, for the template.
func (p *editorPage) SegComments(sv segmentView) segComments {
	n := p.CommentCount(sv.ID)
	return segComments{P: p, Seg: sv, Threads: p.Threads(sv.ID), Count: n, Open: n > 0 || p.CommentSegment == sv.ID}
}

// commentItem is one comment as the "comment" template shows it.
type commentItem struct {
	L *locale.Localizer
	C store.Comment
}

// CommentItem is c with the page's localizer, for the template.
func (p *editorPage) CommentItem(c store.Comment) commentItem { return commentItem{L: p.L, C: c} }
