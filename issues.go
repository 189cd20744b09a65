package tarjuma

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// IssueKind is what is wrong with a segment's target text such that the version must not be
// published as a translation.
type IssueKind string

// The open issues. Both leave Arabic (or nothing) where the target language should be.
const (
	// IssueEmpty: the target text is blank.
	IssueEmpty IssueKind = "empty"
	// IssueUntranslated: no engine or person translated the segment, or its text is still the
	// Arabic source (after trimming).
	IssueUntranslated IssueKind = "untranslated"
	// IssueUnconfirmed: nobody confirmed the segment's text (SegmentDraft).
	IssueUnconfirmed IssueKind = "unconfirmed"
)

// TextIssue is what is wrong with s's target text on its own, without the glossary: empty,
// untranslated, or "" when neither. The editor's flags and the approval rule (qa.OpenIssues)
// both ask here, so what the reviewer sees flagged is exactly what blocks an approval.
func (s Segment) TextIssue() IssueKind {
	text := strings.TrimSpace(s.Text)
	switch {
	case text == "":
		return IssueEmpty
	case s.Origin == OriginUntranslated || text == strings.TrimSpace(s.Source):
		return IssueUntranslated
	}
	return ""
}

// Issue is one open issue of a version: the segment and what is wrong with it. A QA flag that
// blocks an approval is an issue of the flag's kind, with its Args.
type Issue struct {
	SegmentID string
	Kind      IssueKind
	Args      []string
}

// Dismissal is a person's word that a QA flag of a segment is a false positive, and why. It
// belongs to one version; saving a version carries it to the next while the segment's text
// and the flag stay the same.
type Dismissal struct {
	SegmentID string
	Flag      Flag
	Reason    string
	By        string
	At        time.Time
}

// Dismisses reports whether d is about flag f of segment id.
func (d Dismissal) Dismisses(id string, f Flag) bool {
	return d.SegmentID == id && d.Flag.Kind == f.Kind && slices.Equal(d.Flag.Args, f.Args)
}

// ErrOpenIssues: a version with open issues was to be approved without an override.
// *OpenIssuesError carries the issues and matches it with errors.Is.
var ErrOpenIssues = errors.New("open issues")

// OpenIssuesError refuses an approval and lists why, so each door can show the segments.
type OpenIssuesError struct {
	Version int
	Issues  []Issue
}

func (e *OpenIssuesError) Error() string {
	return fmt.Sprintf("version %d has %d open issues: %v", e.Version, len(e.Issues), ErrOpenIssues)
}

func (e *OpenIssuesError) Unwrap() error { return ErrOpenIssues }
