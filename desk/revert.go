package desk

import (
	"context"
	"fmt"

	"github.com/tarjuma/tarjuma"
)

// Revert stores the texts and statuses of an earlier version n of a translation as its next
// version, made from base, the latest version the person saw: the history is kept and the
// revert is a version like any other save, with SaveVersion's rules (who may edit, conflicts
// with a newer save, no version when n's content is already the latest's, the QA check run
// again with the current glossary). A version of an earlier source revision is refused with
// source_revised: its segments are those of a source that no longer exists.
func (d *Desk) Revert(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, n, base int) (v tarjuma.Version, created bool, err error) {
	if err := MayEdit(a, lang); err != nil {
		return tarjuma.Version{}, false, err
	}
	if n < 1 {
		return tarjuma.Version{}, false, invalid("invalid_version", "version", "version must be a version number, from 1")
	}
	old, err := d.db.Version(ctx, articleID, lang, n)
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("version %d of translation %d/%s: %w", n, articleID, lang, err)
	}
	t, err := d.db.Translation(ctx, articleID, lang)
	if err != nil {
		return tarjuma.Version{}, false, fmt.Errorf("translation %d/%s: %w", articleID, lang, err)
	}
	if old.SourceRevision != t.SourceRevision {
		return tarjuma.Version{}, false, invalid("source_revised", "version",
			"version %d translates source revision %d; the source is now at revision %d", n, old.SourceRevision, t.SourceRevision)
	}
	e := Edit{BaseVersion: base}
	for _, seg := range old.Segments {
		text, status := seg.Text, seg.Status
		if seg.ID == tarjuma.TitleSegmentID {
			e.Title, e.TitleStatus = &text, &status
			continue
		}
		e.Segments = append(e.Segments, SegmentEdit{ID: seg.ID, Text: &text, Status: &status})
	}
	return d.SaveVersion(ctx, a, articleID, lang, e)
}
