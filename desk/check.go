package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
)

// SegmentCheck is what the quality checks say of a text typed for a segment, before it is
// saved: the flags the segment would be stored with.
type SegmentCheck struct {
	// Version is the latest version, whose segment the text would replace and whose flags
	// a dismissal names.
	Version int
	// Text is the text as a save would store it (trimmed).
	Text  string
	Flags []CheckedFlag
}

// CheckedFlag is one flag of a checked text, with what the translator can do about it.
type CheckedFlag struct {
	tarjuma.Flag
	// Fix is the whole text with the problem mended, when the check knows how (qa.Fix).
	Fix *string
	// Stored: the latest version carries the flag on this segment, so it can be dismissed now;
	// a flag of unsaved text can be dismissed once the text is saved.
	Stored bool
	// Dismissed is the dismissal of the stored flag, if someone dismissed it.
	Dismissed *tarjuma.Dismissal
}

// CheckSegment runs the quality checks on text as segment segmentID of the latest version
// of a translation, exactly as saving it would (same trimming, origin, glossary and qa.Check),
// and stores nothing: the editor asks it as the translator types, so what she sees is what the
// stored version, the API and the webhooks will carry. Who may edit the language may ask.
// tarjuma.ErrNotFound for a translation without versions or an unknown segment.
func (d *Desk) CheckSegment(ctx context.Context, a Actor, articleID int64, lang tarjuma.Lang, segmentID, text string) (SegmentCheck, error) {
	if err := MayEdit(a, lang); err != nil {
		return SegmentCheck{}, err
	}
	if err := checkText("text", text); err != nil {
		return SegmentCheck{}, err
	}
	latest, err := d.db.LatestVersion(ctx, articleID, lang)
	if err != nil {
		return SegmentCheck{}, fmt.Errorf("check segment of %d/%s: %w", articleID, lang, err)
	}
	i := slices.IndexFunc(latest.Segments, func(s tarjuma.Segment) bool { return s.ID == segmentID })
	if i < 0 {
		return SegmentCheck{}, fmt.Errorf("segment %q of %d/%s: %w", segmentID, articleID, lang, tarjuma.ErrNotFound)
	}
	stored := latest.Segments[i]
	seg := tarjuma.Segment{ID: stored.ID, Source: stored.Source, Text: strings.TrimSpace(text), Origin: stored.Origin, Status: stored.Status}
	if seg.Text != stored.Text {
		seg.Origin = tarjuma.OriginHuman // as tarjuma.Version.Edit makes it
	}
	matcher, _, err := d.glossary.Current(ctx)
	if err != nil {
		return SegmentCheck{}, err
	}
	segs := []tarjuma.Segment{seg}
	qa.Check(matcher, segs, lang)
	dismissed, err := d.db.VersionDismissals(ctx, articleID, lang, latest.Number)
	if err != nil {
		return SegmentCheck{}, err
	}
	out := SegmentCheck{Version: latest.Number, Text: seg.Text, Flags: []CheckedFlag{}}
	for _, f := range segs[0].Flags {
		cf := CheckedFlag{Flag: f, Stored: slices.ContainsFunc(stored.Flags, func(g tarjuma.Flag) bool {
			return g.Kind == f.Kind && slices.Equal(g.Args, f.Args)
		})}
		if fixed, ok := qa.Fix(seg.Text, lang, f); ok {
			cf.Fix = &fixed
		}
		for _, d := range dismissed {
			if cf.Stored && d.Dismisses(seg.ID, f) {
				cf.Dismissed = &d
			}
		}
		out.Flags = append(out.Flags, cf)
	}
	return out, nil
}
