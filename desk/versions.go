package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

// Edit is a person's edit of a version: the title and every body segment's text, by the ids of
// the version it was made from, in that version's order, each with its status.
type Edit struct {
	BaseVersion int
	Title       *string // nil: refused, as an empty title is
	// TitleStatus is the title's status; nil confirms it, as for any segment.
	TitleStatus *tarjuma.SegmentStatus
	Segments    []SegmentEdit
}

// SegmentEdit is the text of one body segment, a nil Text is refused, and its status: nil
// confirms the segment (tarjuma.Version.Edit), so a client that knows nothing of statuses
// stands by what it saves.
type SegmentEdit struct {
	ID     string
	Text   *string
	Status *tarjuma.SegmentStatus
}

// SaveVersion stores a person's edit as the translation's next version and reports created
// true. Segments whose text changed become human; the glossary check runs again on the
// result, with the current glossary. An edit that changes no text and no status of the base,
// while the base is still the latest of the current source, stores nothing: it returns the
// base with created false, so a save without a change leaves no empty version behind.
// tarjuma.ErrConflict when BaseVersion is no longer the latest: nothing is stored, so two
// translators never overwrite each other.
func (d *Desk) SaveVersion(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, e Edit) (v tarjuma.Version, created bool, err error) {
	if err := MayEdit(a, lang); err != nil {
		return tarjuma.Version{}, false, err
	}
	if e.BaseVersion < 1 {
		return tarjuma.Version{}, false, invalid("invalid_version", "base_version", "base_version must be a version number, from 1")
	}
	base, err := d.db.Version(ctx, articleID, lang, e.BaseVersion)
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("base version %d of translation %d/%s: %w", e.BaseVersion, articleID, lang, err)
	}
	texts, statuses, err := e.texts(base)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	segs, err := base.Edit(texts, statuses)
	if err != nil {
		return tarjuma.Version{}, false, invalid("segments_mismatch", "segments", "%v", err)
	}
	if unchanged(base, segs) {
		t, err := d.db.Translation(ctx, articleID, lang)
		if err != nil {
			return tarjuma.Version{}, false, fmt.Errorf("translation %d/%s: %w", articleID, lang, err)
		}
		if t.LatestVersion == base.Number && t.SourceRevision == base.SourceRevision {
			return base, false, nil
		}
	}
	matcher, glossaryVersion, err := d.glossary.Current(ctx)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	qa.Check(matcher, segs, lang)
	v, err = d.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: articleID, Lang: lang, BaseVersion: base.Number,
		Segments: segs, Author: a.Name, GlossaryVersion: glossaryVersion})
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("save version of translation %d/%s: %w", articleID, lang, err)
	}
	return v, true, nil
}

// unchanged reports whether segs, an edit of base, has base's texts and statuses throughout.
func unchanged(base tarjuma.Version, segs []tarjuma.Segment) bool {
	for i, s := range segs {
		if s.Text != base.Segments[i].Text || s.Status != base.Segments[i].Status {
			return false
		}
	}
	return true
}

// MayEdit refuses an actor who may not store versions in lang: translators edit only their
// languages (tarjuma.User.CanEdit). SaveVersion asks it; a door may ask first, before it reads
// the edit.
func MayEdit(a Actor, lang tarjuma.Lang) error {
	return allow(a.User.CanEdit(lang), a, "edit translations into "+string(lang))
}

// texts holds the edit to base's shape: a title, and the body segments by base's ids in
// base's order, each with a text; it returns the texts and the statuses given, by segment
// id, for Version.Edit.
func (e Edit) texts(base tarjuma.Version) (map[string]string, map[string]tarjuma.SegmentStatus, error) {
	if e.Title == nil || strings.TrimSpace(*e.Title) == "" {
		return nil, nil, invalid("empty_field", "title", "title must not be empty")
	}
	body := base.Body()
	if len(body) == len(base.Segments) {
		return nil, nil, invalid("segments_mismatch", "segments", "version %d has no title to edit", base.Number)
	}
	if len(e.Segments) != len(body) {
		return nil, nil, invalid("segments_mismatch", "segments", "%d segments sent, version %d has %d", len(e.Segments), base.Number, len(body))
	}
	texts := map[string]string{tarjuma.TitleSegmentID: *e.Title}
	statuses := map[string]tarjuma.SegmentStatus{}
	status := func(id string, st *tarjuma.SegmentStatus) error {
		switch {
		case st == nil:
		case !st.Valid():
			return invalid("invalid_status", "segment "+id, "segment %q: status %q is neither draft nor confirmed", id, *st)
		default:
			statuses[id] = *st
		}
		return nil
	}
	if err := status(tarjuma.TitleSegmentID, e.TitleStatus); err != nil {
		return nil, nil, err
	}
	for i, s := range e.Segments {
		if s.ID != body[i].ID {
			return nil, nil, invalid("segments_mismatch", "segments", "segment %d is %q, version %d has %q there", i, s.ID, base.Number, body[i].ID)
		}
		if s.Text == nil {
			return nil, nil, invalid("empty_field", "segment "+s.ID, "segment %q has no text", s.ID)
		}
		if err := checkText("segment "+s.ID, *s.Text); err != nil {
			return nil, nil, err
		}
		if err := status(s.ID, s.Status); err != nil {
			return nil, nil, err
		}
		texts[s.ID] = *s.Text
	}
	return texts, statuses, nil
}

// Decision is a reviewer's verdict on a version.
type Decision struct {
	Version int // for a rejection 0 means the latest
	Comment string
	// Override, when set, approves the version despite its open issues; the reason is
	// required and goes to the version's history.
	Override *string
	// Notes are a rejection's comments on segments of the version, which the translator sees
	// at each segment; an approval takes none.
	Notes []store.SegmentNote
}

// Approve approves the latest version (tarjuma.ErrConflict for any other, so a reviewer never
// approves what they have not seen); the approved segments go to the translation memory and
// the deliveries it queues wake the relay. A version with open issues (qa.OpenIssues:
// untranslated, empty or unconfirmed segments, blocking QA flags nobody dismissed) is refused
// with open_issues (Kind tarjuma.ErrConflict, cause *tarjuma.OpenIssuesError) unless the
// decision carries an override with a reason, which the history records. A withdrawn article
// is refused with withdrawn (tarjuma.ErrConflict), override or not.
func (d *Desk) Approve(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, dec Decision) error {
	if err := allow(a.User.CanReview(), a, "approve translations"); err != nil {
		return err
	}
	if dec.Version < 1 {
		return invalid("invalid_version", "version", "version must be a version number, from 1")
	}
	if err := checkText("comment", dec.Comment); err != nil {
		return err
	}
	var override *store.Override
	if dec.Override != nil {
		reason := strings.TrimSpace(*dec.Override)
		if reason == "" {
			return invalid("empty_field", "override.reason", "override.reason must say why the open issues may be published")
		}
		if err := checkText("override.reason", reason); err != nil {
			return err
		}
		override = &store.Override{Reason: reason}
	}
	if err := d.refuseWithdrawn(ctx, articleID); err != nil {
		return err
	}
	err := d.db.Approve(ctx, articleID, lang, dec.Version, a.Name, strings.TrimSpace(dec.Comment), override)
	if oe := (*tarjuma.OpenIssuesError)(nil); errors.As(err, &oe) {
		return &Error{Code: "open_issues", Kind: tarjuma.ErrConflict, Err: oe, Message: fmt.Sprintf(
			"version %d has %d open issues (untranslated, empty or unconfirmed segments, open QA flags); fix, confirm or dismiss them, or approve with an override and its reason",
			oe.Version, len(oe.Issues))}
	}
	if errors.Is(err, store.ErrWithdrawn) { // withdrawn while the approval was on its way
		return withdrawnError(err, "cannot be approved again")
	}
	if err != nil {
		return fmt.Errorf("approve translation %d/%s: %w", articleID, lang, err)
	}
	d.wake()
	return nil
}

// Reject sends the latest version back to the translators with a comment, which is required,
// and the reviewer's notes on segments, each with a text, stored as comments of kind rejection
// at their segments; a version, when given, must be the latest (tarjuma.ErrConflict otherwise).
func (d *Desk) Reject(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, dec Decision) error {
	if err := allow(a.User.CanReview(), a, "reject translations"); err != nil {
		return err
	}
	comment := strings.TrimSpace(dec.Comment)
	if comment == "" {
		return invalid("empty_field", "comment", "comment must say what to fix")
	}
	if err := checkText("comment", comment); err != nil {
		return err
	}
	notes := make([]store.SegmentNote, len(dec.Notes))
	for i, n := range dec.Notes {
		field := "notes[" + n.Segment + "]"
		notes[i] = store.SegmentNote{Segment: n.Segment, Body: strings.TrimSpace(n.Body)}
		if notes[i].Body == "" {
			return invalid("empty_field", field, "the note on segment %q is empty", n.Segment)
		}
		if err := checkText(field, notes[i].Body); err != nil {
			return err
		}
	}
	switch {
	case dec.Version < 0:
		return invalid("invalid_version", "version", "version must be a version number, from 1")
	case dec.Version == 0:
		t, err := d.db.Translation(ctx, articleID, lang)
		if err != nil {
			return fmt.Errorf("translation %d/%s: %w", articleID, lang, err)
		}
		dec.Version = t.LatestVersion
	}
	if err := d.db.Reject(ctx, articleID, lang, dec.Version, a.Name, comment, notes...); err != nil {
		return fmt.Errorf("reject translation %d/%s: %w", articleID, lang, err)
	}
	return nil
}

// DismissFlag records that flag f of segment segmentID in version n of a translation is a false
// positive, and why: the flag stops blocking an approval of that version and of the later ones
// that keep the segment's text. Who may edit the language may dismiss; the version must be the
// latest (tarjuma.ErrConflict) and carry the flag (tarjuma.ErrNotFound); empty and untranslated
// are not judgements to dismiss (qa.Dismissable) but overrides for the reviewer to record.
func (d *Desk) DismissFlag(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, n int, segmentID string, f tarjuma.Flag, reason string) (tarjuma.Dismissal, error) {
	if err := MayEdit(a, lang); err != nil {
		return tarjuma.Dismissal{}, err
	}
	reason = strings.TrimSpace(reason)
	var ps problems
	if !qa.Dismissable(f.Kind) {
		ps.add(invalid("not_dismissable", "kind", "a flag of kind %q cannot be dismissed; an approval may override it", f.Kind))
	}
	if reason == "" {
		ps.add(invalid("empty_field", "reason", "reason must say why the flag is a false positive"))
	}
	ps.add(checkText("reason", reason))
	if err := ps.err(); err != nil {
		return tarjuma.Dismissal{}, err
	}
	dis, err := d.db.DismissFlag(ctx, articleID, lang, n, tarjuma.Dismissal{SegmentID: segmentID, Flag: f, Reason: reason, By: a.Name})
	if err != nil {
		return tarjuma.Dismissal{}, fmt.Errorf("dismiss flag of translation %d/%s: %w", articleID, lang, err)
	}
	return dis, nil
}
