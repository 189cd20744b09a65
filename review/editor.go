package review

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

type editorPage struct {
	page
	Article     tarjuma.Article
	Lang        tarjuma.Lang
	Translation tarjuma.Translation
	Version     tarjuma.Version // the latest; Number 0 when there is none yet
	Segments    []segmentView
	Progress    tarjuma.Progress
	Events      []store.ReviewEvent
	// The controls shown; the routes check the same rights again.
	CanSave, CanApprove, CanReject bool
	// CanDismiss shows the forms that dismiss a flag as a false positive.
	CanDismiss bool
	// Why editing is closed although the user may edit this language (message id), if it is.
	Locked  string
	Notice  string // message id of the outcome of the last action
	Error   string // message id of a problem with the last action
	Comment string // a reviewer's comment, kept when the action failed
	// OpenIssues are what blocks an approval of the latest version (qa.OpenIssues: untranslated,
	// empty and unconfirmed segments, open flags) unless the reviewer overrides them with a
	// reason (kept in OverrideReason when the action failed).
	OpenIssues     []issueView
	OverrideReason string
	// Orphans are texts the person typed for segments that the latest version no longer has
	// (the source was revised meanwhile); shown so that nothing typed is lost.
	Orphans []orphan
	// Deliveries are the webhook deliveries of every approved version, newest first, with
	// their attempts; CanRedeliver shows the redeliver buttons, which the route checks again.
	Deliveries   []publish.DeliveryLog
	CanRedeliver bool
	// Withdrawn is the article's withdrawal, nil while it stands; CanWithdraw shows the form
	// that withdraws it (desk.Withdraw), to editors and admins.
	Withdrawn   *store.Withdrawal
	CanWithdraw bool
	// Embargo is the article's embargo while it holds (zero when none does), EmbargoChanges
	// the changes made to it since the submission, oldest first. CanChangeEmbargo shows the
	// form that moves or lifts it (desk.SetEmbargo, desk.LiftEmbargo), to editors and admins
	// while the article stands; EmbargoInput is what the form's box holds.
	Embargo          time.Time
	EmbargoChanges   []store.EmbargoChange
	CanChangeEmbargo bool
	EmbargoInput     string
	commentsView     // comments, assignment and the last rejection (comments.go)
	// Drafts are the person's autosaved texts not yet saved as a version, by segment id: the
	// boxes show them, and the script saves them from the version they were edited from.
	Drafts map[string]*store.Draft
	// OpenFlags counts each segment's flags nobody dismissed, by segment id, for the script's
	// "flagged" filter and next/previous flagged.
	OpenFlags map[string]int
}

type orphan struct{ ID, Text string }

// issueView is an open issue as the approve form lists it: the segment and the message.
type issueView struct {
	SegmentID string
	flag
}

func issueViews(issues []tarjuma.Issue) []issueView {
	out := make([]issueView, len(issues))
	for i, is := range issues {
		out[i] = issueView{SegmentID: is.SegmentID, flag: flagView(tarjuma.FlagKind(is.Kind), is.Args)}
	}
	return out
}

// translationRef reads the article and language of a /review/{article}/{lang} path; a
// malformed one names nothing, hence not found.
func translationRef(r *http.Request) (int64, tarjuma.Lang, error) {
	id, err := strconv.ParseInt(r.PathValue("article"), 10, 64)
	lang := tarjuma.Lang(r.PathValue("lang"))
	if err != nil || id < 1 || !lang.Valid() {
		return 0, "", fmt.Errorf("translation %q/%q: %w", r.PathValue("article"), lang, tarjuma.ErrNotFound)
	}
	return id, lang, nil
}

// loadEditor reads everything the editor shows of a translation at its latest version.
func (s *Server) loadEditor(r *http.Request, rc *request) (*editorPage, error) {
	id, lang, err := translationRef(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p := &editorPage{page: page{Nav: "review"}, Lang: lang}
	if p.Article, err = s.db.Article(ctx, id); err != nil {
		return nil, err
	}
	if p.Translation, err = s.db.Translation(ctx, id, lang); err != nil {
		return nil, err
	}
	p.Version, err = s.db.LatestVersion(ctx, id, lang)
	if err != nil && !errors.Is(err, tarjuma.ErrNotFound) {
		return nil, err
	}
	if p.Events, err = s.db.ReviewEvents(ctx, id, lang); err != nil {
		return nil, err
	}
	if p.Deliveries, err = s.db.Deliveries(ctx, id, lang); err != nil {
		return nil, err
	}
	for i := range p.Deliveries {
		p.Deliveries[i].SubscriberURL = rc.receiverURL(p.Deliveries[i].SubscriberURL)
	}
	m, _, err := s.desk.Glossary().Current(ctx)
	if err != nil {
		return nil, err
	}
	var dismissed []tarjuma.Dismissal
	if p.Version.Number > 0 {
		if dismissed, err = s.db.VersionDismissals(ctx, id, lang, p.Version.Number); err != nil {
			return nil, err
		}
	}
	p.OpenFlags = map[string]int{}
	for i, seg := range p.Version.Segments {
		sv := analyse(i, seg, m, lang)
		for k := range sv.Flags {
			for _, d := range dismissed {
				if d.Dismisses(seg.ID, seg.Flags[k]) {
					sv.Flags[k].Dismissed = &d
				}
			}
			if sv.Flags[k].Dismissed == nil {
				p.OpenFlags[seg.ID]++
			}
		}
		p.Segments = append(p.Segments, sv)
	}
	p.Progress = p.Version.Progress()
	st := p.Translation.Status
	switch {
	case p.Version.Number == 0:
		p.Locked = "editor.locked_no_version"
	case p.Version.SourceRevision != p.Translation.SourceRevision || !st.CanBecome(tarjuma.StatusNeedsReview):
		p.Locked = "editor.locked_in_progress"
	}
	hasVersion := p.Version.Number > 0 && p.Version.SourceRevision == p.Translation.SourceRevision
	p.CanSave = desk.MayEdit(rc.actor(), lang) == nil && p.Locked == ""
	if p.Withdrawn, err = s.db.Withdrawn(ctx, p.Article.ID); err != nil {
		return nil, err
	}
	p.CanWithdraw = p.Withdrawn == nil && editors(rc.user, r)
	p.CanChangeEmbargo = p.CanWithdraw
	if err := p.loadEmbargo(r, s.db); err != nil {
		return nil, err
	}
	p.CanApprove = rc.user.CanReview() && hasVersion && st.CanBecome(tarjuma.StatusApproved) && p.Withdrawn == nil
	p.CanReject = rc.user.CanReview() && hasVersion && st.CanBecome(tarjuma.StatusRejected)
	p.CanRedeliver = admins(rc.user, r)
	p.CanDismiss = p.CanSave
	if p.CanSave {
		if err := p.restoreDrafts(r, s.db, rc.user.ID); err != nil {
			return nil, err
		}
	}
	if p.CanApprove {
		p.OpenIssues = issueViews(qa.OpenIssues(p.Version, dismissed))
	}
	if err := s.loadComments(r, rc, p); err != nil {
		return nil, err
	}
	return p, nil
}

// restoreDrafts puts the person's autosaved drafts in the boxes, so that what she typed
// survives a reload, a crash or a session that ended. A draft that equals the stored text is
// spent (its segment was saved since) and left out.
func (p *editorPage) restoreDrafts(r *http.Request, db *store.DB, userID int64) error {
	drafts, err := db.Drafts(r.Context(), userID, p.Article.ID, p.Lang)
	if err != nil {
		return err
	}
	p.Drafts = map[string]*store.Draft{}
	for i := range p.Segments {
		sv := &p.Segments[i]
		if d, ok := drafts[sv.ID]; ok && strings.TrimSpace(d.Text) != sv.Text {
			p.Drafts[sv.ID], sv.Text = &d, d.Text
		}
	}
	return nil
}

// editorNotices are the outcomes a redirect after an action reports in ?done=.
var editorNotices = map[string]string{"saved": "editor.saved", "approved": "editor.approved", "rejected": "editor.rejected",
	"redelivered": "editor.redelivered", "unchanged": "editor.unchanged", "dismissed": "editor.dismissed",
	"commented": "comments.added", "claimed": "assign.claimed", "assigned": "assign.assigned", "released": "assign.released",
	"withdrawn": "withdraw.done", "embargo_set": "embargo.set_done", "embargo_lifted": "embargo.lifted_done"}

func (s *Server) editor(w http.ResponseWriter, r *http.Request, rc *request) error {
	p, err := s.loadEditor(r, rc)
	if err != nil {
		return err
	}
	p.Notice = editorNotices[r.URL.Query().Get("done")]
	s.render(w, r, rc, http.StatusOK, "editor", p)
	return nil
}

// lf reads one text box as the pipeline stores it: browsers send line breaks as CRLF, the
// pipeline stores LF. What the text may hold is the desk's to check.
func lf(value string) string { return strings.ReplaceAll(value, "\r\n", "\n") }

// postedEdit is the editor form as posted: the segment ids in order, their texts, and their
// statuses; statuses is nil when the form carried none.
type postedEdit struct {
	ids      []string
	texts    map[string]string
	statuses map[string]tarjuma.SegmentStatus
}

// readEdit reads the editor form: parallel seg_id and seg_text fields in segment order, and,
// when the form has the statuses field, a seg_confirmed box per segment, whose value is the
// segment id and which a browser posts only when ticked. A form without the statuses field
// leaves the statuses to the desk's default (confirmed), as an API client that sends none.
func readEdit(r *http.Request) (postedEdit, error) {
	if err := r.ParseForm(); err != nil {
		return postedEdit{}, fmt.Errorf("editor form: %w: %v", tarjuma.ErrInvalid, err)
	}
	ids, values := r.PostForm["seg_id"], r.PostForm["seg_text"]
	if len(ids) != len(values) {
		return postedEdit{}, fmt.Errorf("editor form: %d ids, %d texts: %w", len(ids), len(values), tarjuma.ErrInvalid)
	}
	e := postedEdit{ids: ids, texts: make(map[string]string, len(ids))}
	for i, id := range ids {
		e.texts[id] = lf(values[i])
	}
	if r.PostForm.Has("statuses") {
		e.statuses = make(map[string]tarjuma.SegmentStatus, len(ids))
		for _, id := range ids {
			e.statuses[id] = tarjuma.SegmentDraft
		}
		for _, id := range r.PostForm["seg_confirmed"] {
			e.statuses[id] = tarjuma.SegmentConfirmed
		}
	}
	return e, nil
}

// save hands the edited targets to the desk as a new version made from base_version. When
// someone saved another version meanwhile, nothing is stored and the editor comes back with
// 409, the person's text in the boxes and the other text beside each segment that differs,
// based on the latest version, so saving again is a deliberate choice.
func (s *Server) save(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	posted, err := readEdit(r)
	if err != nil {
		return err
	}
	baseNumber, err := versionField(r, "base_version")
	if err != nil {
		return err
	}
	if err := s.takeTheirs(r, id, lang, baseNumber, posted); err != nil {
		return err
	}
	v, created, err := s.desk.SaveVersion(r.Context(), rc.actor(), id, lang, posted.edit(baseNumber))
	if errors.Is(err, tarjuma.ErrConflict) {
		return s.showConflict(w, r, rc, posted, baseNumber)
	}
	if err != nil {
		return err
	}
	if err := s.desk.DiscardDrafts(r.Context(), rc.actor(), id, lang); err != nil {
		return err
	}
	done := "saved"
	if !created {
		done = "unchanged"
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=%s#v%d", id, lang, done, v.Number), http.StatusSeeOther)
	return nil
}

// edit is the editor form as the desk takes an edit: the title, and the other segments in
// the order the form posted them, with their statuses when the form had them.
func (p postedEdit) edit(base int) desk.Edit {
	e := desk.Edit{BaseVersion: base}
	for _, id := range p.ids {
		text := p.texts[id]
		var status *tarjuma.SegmentStatus
		if st, ok := p.statuses[id]; ok {
			status = &st
		}
		if id == tarjuma.TitleSegmentID {
			e.Title, e.TitleStatus = &text, status
			continue
		}
		e.Segments = append(e.Segments, desk.SegmentEdit{ID: id, Text: &text, Status: status})
	}
	return e
}

// takeTheirs answers the conflict screen's choice per segment: each segment ticked "use
// theirs" (seg_theirs) takes its text and status from the base version, which the conflict
// screen set to the version the other person saved.
func (s *Server) takeTheirs(r *http.Request, id int64, lang tarjuma.Lang, baseNumber int, posted postedEdit) error {
	ids := r.PostForm["seg_theirs"]
	if len(ids) == 0 {
		return nil
	}
	base, err := s.db.Version(r.Context(), id, lang, baseNumber)
	if err != nil {
		return err
	}
	for _, seg := range base.Segments {
		if !slices.Contains(ids, seg.ID) {
			continue
		}
		if _, ok := posted.texts[seg.ID]; ok {
			posted.texts[seg.ID] = seg.Text
		}
		if posted.statuses != nil {
			posted.statuses[seg.ID] = seg.Status
		}
	}
	return nil
}

// showConflict re-shows the editor at the latest version, keeping what the person changed
// since her base version: a segment only she changed shows her text; one only others changed
// shows theirs (saving again keeps it); one both changed shows hers in the box and theirs
// beside it, with the choice to take theirs. The flags shown are those of the text in each box.
func (s *Server) showConflict(w http.ResponseWriter, r *http.Request, rc *request, posted postedEdit, baseNumber int) error {
	texts := posted.texts
	p, err := s.loadEditor(r, rc)
	if err != nil {
		return err
	}
	p.Error = "editor.conflict"
	p.Drafts = nil                   // the boxes hold what she posted, from the latest version
	id, lang, _ := translationRef(r) // loadEditor read them
	var base map[string]tarjuma.Segment
	if bv, err := s.db.Version(r.Context(), id, lang, baseNumber); err == nil {
		base = make(map[string]tarjuma.Segment, len(bv.Segments))
		for _, seg := range bv.Segments {
			base[seg.ID] = seg
		}
	}
	m, _, err := s.desk.Glossary().Current(r.Context())
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	boxes := slices.Clone(p.Version.Segments)
	for i := range p.Segments {
		sv := &p.Segments[i]
		mine, ok := texts[sv.ID]
		if !ok {
			continue
		}
		seen[sv.ID] = true
		stored := p.Version.Segments[i].Text // sv.Text may hold a draft
		sv.Text = stored
		was, known := base[sv.ID]
		mineChanged := !known || strings.TrimSpace(mine) != strings.TrimSpace(was.Text)
		theirsChanged := !known || stored != was.Text
		if st, ok := posted.statuses[sv.ID]; ok && (!known || st != was.Status) {
			sv.Confirmed = st == tarjuma.SegmentConfirmed
		}
		if !mineChanged || strings.TrimSpace(mine) == stored {
			continue // the stored text stands, with its flags
		}
		if theirsChanged {
			sv.Theirs, sv.HasTheirs = stored, true
		}
		sv.Text = mine
		boxes[i].Text, boxes[i].Origin = strings.TrimSpace(mine), tarjuma.OriginHuman
		qa.Check(m, boxes[i:i+1], lang)
		redone := analyse(i, boxes[i], m, lang)
		sv.Flags, sv.Terms = redone.Flags, redone.Terms
		p.OpenFlags[sv.ID] = len(sv.Flags)
	}
	for _, id := range r.PostForm["seg_id"] {
		if !seen[id] {
			p.Orphans = append(p.Orphans, orphan{id, texts[id]})
		}
	}
	s.render(w, r, rc, http.StatusConflict, "editor", p)
	return nil
}

// versionField reads a version number from the posted form field name.
func versionField(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PostFormValue(name))
	if err != nil {
		return 0, fmt.Errorf("%s %q: %w", name, r.PostFormValue(name), tarjuma.ErrInvalid)
	}
	return n, nil
}

// decision reads a reviewer's form: the translation from the path, the version decided on
// and the comment.
func decision(r *http.Request) (int64, tarjuma.Lang, desk.Decision, error) {
	id, lang, err := translationRef(r)
	if err != nil {
		return 0, "", desk.Decision{}, err
	}
	n, err := versionField(r, "version")
	if err != nil {
		return 0, "", desk.Decision{}, err
	}
	return id, lang, desk.Decision{Version: n, Comment: lf(r.PostFormValue("comment"))}, nil
}

// approve approves the version the reviewer saw; approved segments go to the translation memory.
// A version with untranslated or empty segments comes back with 409 and the segments listed,
// unless the reviewer ticked the override and said why.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, dec, err := decision(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(lf(r.PostFormValue("override_reason")))
	if r.PostFormValue("override") != "" {
		dec.Override = &reason
	}
	err = s.desk.Approve(r.Context(), rc.actor(), id, lang, dec)
	switch code(err) {
	case "empty_field":
		return s.approveFailed(w, r, rc, http.StatusUnprocessableEntity, "editor.override_needs_reason", dec.Comment, reason)
	case "open_issues":
		return s.approveFailed(w, r, rc, http.StatusConflict, "editor.open_issues", dec.Comment, reason)
	}
	return s.decided(w, r, rc, err, "approved", dec.Comment)
}

// approveFailed shows the editor with the error msg of an approval, keeping the reviewer's
// comment and override reason; the open issues are listed by the approve form itself.
func (s *Server) approveFailed(w http.ResponseWriter, r *http.Request, rc *request, status int, msg, comment, reason string) error {
	p, err := s.loadEditor(r, rc)
	if err != nil {
		return err
	}
	p.Error, p.Comment, p.OverrideReason = msg, comment, reason
	s.render(w, r, rc, status, "editor", p)
	return nil
}

// reject sends the version back with the reviewer's comment, which is required.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, dec, err := decision(r)
	if err != nil {
		return err
	}
	dec.Notes = rejectionNotes(r)
	err = s.desk.Reject(r.Context(), rc.actor(), id, lang, dec)
	if code(err) == "empty_field" {
		return s.editorFailed(w, r, rc, http.StatusUnprocessableEntity, "editor.reject_needs_comment", dec.Comment)
	}
	return s.decided(w, r, rc, err, "rejected", dec.Comment)
}

// decided answers a decision: back to the editor with a notice, or the editor with the
// reviewer's comment kept when the version was superseded or the state changed meanwhile.
func (s *Server) decided(w http.ResponseWriter, r *http.Request, rc *request, err error, done, comment string) error {
	if code(err) == "withdrawn" {
		return s.editorFailed(w, r, rc, http.StatusConflict, "withdraw.approve_refused", comment)
	}
	if errors.Is(err, tarjuma.ErrConflict) {
		return s.editorFailed(w, r, rc, http.StatusConflict, "editor.decision_conflict", comment)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%s/%s?done=%s", r.PathValue("article"), r.PathValue("lang"), done), http.StatusSeeOther)
	return nil
}

// editorFailed shows the editor with status and the error msg of an action on it, keeping the
// reviewer's comment.
func (s *Server) editorFailed(w http.ResponseWriter, r *http.Request, rc *request, status int, msg, comment string) error {
	return s.approveFailed(w, r, rc, status, msg, comment, "")
}

// dismiss records that a flag of a segment is a false positive, with the person's reason, and
// comes back to the segment. A missing reason, or a version superseded meanwhile, shows the
// editor with the message.
func (s *Server) dismiss(w http.ResponseWriter, r *http.Request, rc *request) error {
	id, lang, err := translationRef(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return fmt.Errorf("version %q: %w", r.PathValue("n"), tarjuma.ErrNotFound)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("dismissal form: %w: %v", tarjuma.ErrInvalid, err)
	}
	segment := r.PathValue("segment")
	f := tarjuma.Flag{Kind: tarjuma.FlagKind(r.PostFormValue("kind")), Args: r.PostForm["arg"]}
	d, err := s.desk.DismissFlag(r.Context(), rc.actor(), id, lang, n, segment, f, lf(r.PostFormValue("reason")))
	status, msg := http.StatusCreated, ""
	switch {
	case code(err) == "empty_field":
		status, msg = http.StatusUnprocessableEntity, "editor.dismiss_needs_reason"
	case errors.Is(err, tarjuma.ErrConflict):
		status, msg = http.StatusConflict, "editor.dismiss_conflict"
	case err != nil:
		return err
	}
	switch {
	case wantsJSON(r): // qa.js, dismissing without leaving the page
		return s.dismissedJSON(w, rc, d, status, msg)
	case msg != "":
		return s.editorFailed(w, r, rc, status, msg, "")
	}
	http.Redirect(w, r, fmt.Sprintf("/review/%d/%s?done=dismissed#seg-%s", id, lang, url.PathEscape(segment)), http.StatusSeeOther)
	return nil
}
