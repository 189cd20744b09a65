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
// the version it was made from, in that version's order.
type Edit struct {
	BaseVersion int
	Title       *string // nil: refused, as an empty title is
	Segments    []SegmentEdit
}

// SegmentEdit is the text of one body segment; a nil Text is refused.
type SegmentEdit struct {
	ID   string
	Text *string
}

// SaveVersion stores a person's edit as the translation's next version. Segments whose text
// changed become human; the glossary check runs again on the result, with the current
// glossary. tarjuma.ErrConflict when BaseVersion is no longer the latest: nothing is stored,
// so two translators never overwrite each other.
func (d *Desk) SaveVersion(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, e Edit) (tarjuma.Version, error) {
	if err := MayEdit(a, lang); err != nil {
		return tarjuma.Version{}, err
	}
	if e.BaseVersion < 1 {
		return tarjuma.Version{}, invalid("invalid_version", "base_version", "base_version must be a version number, from 1")
	}
	base, err := d.db.Version(ctx, articleID, lang, e.BaseVersion)
	if err != nil {
		return tarjuma.Version{}, fmt.Errorf("base version %d of translation %d/%s: %w", e.BaseVersion, articleID, lang, err)
	}
	texts, err := e.texts(base)
	if err != nil {
		return tarjuma.Version{}, err
	}
	segs, err := base.Edit(texts)
	if err != nil {
		return tarjuma.Version{}, invalid("segments_mismatch", "segments", "%v", err)
	}
	matcher, glossaryVersion, err := d.glossary.Current(ctx)
	if err != nil {
		return tarjuma.Version{}, err
	}
	qa.Check(matcher, segs, lang)
	v, err := d.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: articleID, Lang: lang, BaseVersion: base.Number,
		Segments: segs, Author: a.Name, GlossaryVersion: glossaryVersion})
	if err != nil {
		return tarjuma.Version{}, fmt.Errorf("save version of translation %d/%s: %w", articleID, lang, err)
	}
	return v, nil
}

// MayEdit refuses an actor who may not store versions in lang: translators edit only their
// languages (tarjuma.User.CanEdit). SaveVersion asks it; a door may ask first, before it reads
// the edit.
func MayEdit(a Actor, lang tarjuma.Lang) error {
	return allow(a.User.CanEdit(lang), a, "edit translations into "+string(lang))
}

// texts holds the edit to base's shape: a title, and the body segments by base's ids in
// base's order, each with a text; it returns the texts by segment id for Version.Edit.
func (e Edit) texts(base tarjuma.Version) (map[string]string, error) {
	if e.Title == nil || strings.TrimSpace(*e.Title) == "" {
		return nil, invalid("empty_field", "title", "title must not be empty")
	}
	body := base.Body()
	if len(body) == len(base.Segments) {
		return nil, invalid("segments_mismatch", "segments", "version %d has no title to edit", base.Number)
	}
	if len(e.Segments) != len(body) {
		return nil, invalid("segments_mismatch", "segments", "%d segments sent, version %d has %d", len(e.Segments), base.Number, len(body))
	}
	texts := map[string]string{tarjuma.TitleSegmentID: *e.Title}
	for i, s := range e.Segments {
		if s.ID != body[i].ID {
			return nil, invalid("segments_mismatch", "segments", "segment %d is %q, version %d has %q there", i, s.ID, base.Number, body[i].ID)
		}
		if s.Text == nil {
			return nil, invalid("empty_field", "segment "+s.ID, "segment %q has no text", s.ID)
		}
		if err := checkText("segment "+s.ID, *s.Text); err != nil {
			return nil, err
		}
		texts[s.ID] = *s.Text
	}
	return texts, nil
}

// Decision is a reviewer's verdict on a version.
type Decision struct {
	Version int // for a rejection 0 means the latest
	Comment string
	// Override, when set, approves the version despite its open issues; the reason is
	// required and goes to the version's history.
	Override *string
}

// Approve approves the latest version (tarjuma.ErrConflict for any other, so a reviewer never
// approves what they have not seen); the approved segments go to the translation memory and
// the deliveries it queues wake the relay. A version with untranslated or empty segments is
// refused with open_issues (Kind tarjuma.ErrConflict, cause *tarjuma.OpenIssuesError) unless
// the decision carries an override with a reason.
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
	err := d.db.Approve(ctx, articleID, lang, dec.Version, a.Name, strings.TrimSpace(dec.Comment), override)
	if oe := (*tarjuma.OpenIssuesError)(nil); errors.As(err, &oe) {
		return &Error{Code: "open_issues", Kind: tarjuma.ErrConflict, Err: oe, Message: fmt.Sprintf(
			"version %d has %d untranslated or empty segments; fix them, or approve with an override and its reason", oe.Version, len(oe.Issues))}
	}
	if err != nil {
		return fmt.Errorf("approve translation %d/%s: %w", articleID, lang, err)
	}
	d.wake()
	return nil
}

// Reject sends the latest version back to the translators with a comment, which is required;
// a version, when given, must be the latest (tarjuma.ErrConflict otherwise).
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
	if err := d.db.Reject(ctx, articleID, lang, dec.Version, a.Name, comment); err != nil {
		return fmt.Errorf("reject translation %d/%s: %w", articleID, lang, err)
	}
	return nil
}
