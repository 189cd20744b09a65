package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

// SegmentSave is one segment as a person saves it while she works through a translation: the
// version her text was edited from, the text, and the status she gives it.
type SegmentSave struct {
	BaseVersion int
	SegmentID   string
	Text        string
	Status      tarjuma.SegmentStatus // "" keeps the segment's status in the latest version
}

// SegmentConflict is the cause of a segment_conflict refusal: someone else changed the segment
// since the version the person edited it from, to a text other than hers. It carries what the
// other person made of it, so the door can show mine and theirs side by side.
type SegmentConflict struct {
	SegmentID string
	// Base is the segment's text in the person's base version; Theirs and TheirsStatus are the
	// segment in Latest, the version her choice must be made on.
	Base, Theirs string
	TheirsStatus tarjuma.SegmentStatus
	Latest       int
	Author       string // the latest version's author
}

func (c *SegmentConflict) Error() string {
	return fmt.Sprintf("segment %q was changed in version %d by %s since the base", c.SegmentID, c.Latest, c.Author)
}

// saveAttempts bounds how often SaveSegment re-applies a segment when another save slipped in
// between its read of the latest version and its write.
const saveAttempts = 3

// SaveSegment stores one segment of a translation as the translation's next version, applied
// onto the latest version rather than onto the base: a person saving segment by segment never
// undoes what others saved meanwhile in other segments, so two people can work on one
// translation at once. Only when someone else changed this very segment since the base (to a
// text other than hers) is it a conflict: segment_conflict, with a *SegmentConflict cause, and
// nothing stored. A save that changes nothing stores nothing (created false). The person's
// autosaved draft of the segment is discarded once the segment is saved.
func (d *Desk) SaveSegment(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, s SegmentSave) (v tarjuma.Version, created bool, err error) {
	if err := d.checkSegmentSave(a, lang, s); err != nil {
		return tarjuma.Version{}, false, err
	}
	for attempt := 1; ; attempt++ {
		v, created, err = d.saveSegment(ctx, a, articleID, lang, s)
		if !errors.Is(err, errRaced) || attempt == saveAttempts {
			break
		}
	}
	if errors.Is(err, errRaced) {
		err = refuse(tarjuma.ErrConflict, "conflict", "", "%v", err)
	}
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	if a.User.ID > 0 {
		if err := d.db.DeleteDrafts(ctx, a.User.ID, articleID, lang, s.SegmentID); err != nil {
			return tarjuma.Version{}, false, err
		}
	}
	return v, created, nil
}

// errRaced is a save that lost the race for the next version number to another save; the
// segment is applied again onto the new latest version.
var errRaced = errors.New("another version was saved at the same moment")

func (d *Desk) checkSegmentSave(a Actor, lang tarjuma.Lang, s SegmentSave) error {
	if err := MayEdit(a, lang); err != nil {
		return err
	}
	if s.BaseVersion < 1 {
		return invalid("invalid_version", "base_version", "base_version must be a version number, from 1")
	}
	if s.Status != "" && !s.Status.Valid() {
		return invalid("invalid_status", "status", "status %q is neither draft nor confirmed", s.Status)
	}
	if err := checkText("text", s.Text); err != nil {
		return err
	}
	return nil
}

// segmentOf finds a segment of base; a segment the version does not have is unknown_segment.
func segmentOf(base tarjuma.Version, id string) (tarjuma.Segment, error) {
	k := slices.IndexFunc(base.Segments, func(s tarjuma.Segment) bool { return s.ID == id })
	if k < 0 {
		return tarjuma.Segment{}, refuse(tarjuma.ErrNotFound, "unknown_segment", "segment", "version %d has no segment %q", base.Number, id)
	}
	return base.Segments[k], nil
}

func (d *Desk) saveSegment(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, s SegmentSave) (tarjuma.Version, bool, error) {
	base, err := d.db.Version(ctx, articleID, lang, s.BaseVersion)
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("base version %d of translation %d/%s: %w", s.BaseVersion, articleID, lang, err)
	}
	was, err := segmentOf(base, s.SegmentID)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	latest, err := d.db.LatestVersion(ctx, articleID, lang)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	if latest.SourceRevision != base.SourceRevision {
		return tarjuma.Version{}, false, refuse(tarjuma.ErrConflict, "conflict", "", "the source was revised since version %d", base.Number)
	}
	now, err := segmentOf(latest, s.SegmentID)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	text := strings.TrimSpace(s.Text)
	if s.SegmentID == tarjuma.TitleSegmentID && text == "" {
		return tarjuma.Version{}, false, invalid("empty_field", "title", "title must not be empty")
	}
	if now.Text != was.Text && now.Text != text {
		return tarjuma.Version{}, false, &Error{Code: "segment_conflict", Field: "segment", Kind: tarjuma.ErrConflict,
			Message: fmt.Sprintf("segment %q was changed by someone else since version %d", s.SegmentID, base.Number),
			Err:     &SegmentConflict{SegmentID: s.SegmentID, Base: was.Text, Theirs: now.Text, TheirsStatus: now.Status, Latest: latest.Number, Author: latest.Author}}
	}
	texts := make(map[string]string, len(latest.Segments))
	statuses := make(map[string]tarjuma.SegmentStatus, len(latest.Segments))
	for _, seg := range latest.Segments {
		texts[seg.ID], statuses[seg.ID] = seg.Text, seg.Status
	}
	texts[s.SegmentID] = text
	if s.Status != "" {
		statuses[s.SegmentID] = s.Status
	}
	segs, err := latest.Edit(texts, statuses)
	if err != nil {
		return tarjuma.Version{}, false, invalid("segments_mismatch", "segments", "%v", err)
	}
	if unchanged(latest, segs) {
		return latest, false, nil
	}
	matcher, glossaryVersion, err := d.glossary.Current(ctx)
	if err != nil {
		return tarjuma.Version{}, false, err
	}
	qa.Check(matcher, segs, lang)
	v, err := d.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: articleID, Lang: lang, BaseVersion: latest.Number,
		Segments: segs, Author: a.Name, GlossaryVersion: glossaryVersion})
	if errors.Is(err, tarjuma.ErrConflict) {
		// Raced if the latest version moved on; otherwise the translation's state refuses
		// (approved versions may be edited, one being translated may not), which is final.
		if t, terr := d.db.Translation(ctx, articleID, lang); terr == nil && t.LatestVersion != latest.Number {
			return tarjuma.Version{}, false, fmt.Errorf("%w: %w", errRaced, err)
		}
	}
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("save segment %q of translation %d/%s: %w", s.SegmentID, articleID, lang, err)
	}
	return v, true, nil
}

// SaveDraft keeps what a person has typed into a segment and not yet saved (the editor
// autosaves it as she types), with the version she edited it from, so that nothing typed is
// lost to a session that ends, a reload, a crash or a conflict. It stores no version. The
// draft is hers alone: an API token that belongs to no person has no drafts (forbidden).
func (d *Desk) SaveDraft(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, s SegmentSave) (store.Draft, error) {
	if err := d.checkSegmentSave(a, lang, s); err != nil {
		return store.Draft{}, err
	}
	if a.User.ID < 1 {
		return store.Draft{}, refuse(ErrForbidden, "forbidden", "", "drafts belong to a person; %s is none", a.Name)
	}
	base, err := d.db.Version(ctx, articleID, lang, s.BaseVersion)
	if err != nil {
		return store.Draft{}, fmt.Errorf("base version %d of translation %d/%s: %w", s.BaseVersion, articleID, lang, err)
	}
	if _, err := segmentOf(base, s.SegmentID); err != nil {
		return store.Draft{}, err
	}
	dr, err := d.db.PutDraft(ctx, a.User.ID, articleID, lang, store.Draft{SegmentID: s.SegmentID, Text: s.Text, BaseVersion: s.BaseVersion})
	if err != nil {
		return store.Draft{}, err
	}
	return dr, nil
}

// DiscardDrafts forgets a person's autosaved drafts of a translation once she saved the whole
// of it (the editor's form posts every box, drafts included).
func (d *Desk) DiscardDrafts(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang) error {
	if a.User.ID < 1 {
		return nil
	}
	return d.db.DeleteDrafts(ctx, a.User.ID, articleID, lang)
}
