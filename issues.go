package tarjuma

import (
	"errors"
	"fmt"
	"strings"
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
)

// TextIssue is what is wrong with s's target text on its own, without the glossary: empty,
// untranslated, or "" when neither. The editor's flags and the approval rule both ask here, so
// what the reviewer sees flagged is exactly what blocks an approval.
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

// Issue is one open issue of a version: the segment and what is wrong with it.
type Issue struct {
	SegmentID string
	Kind      IssueKind
}

// OpenIssues returns the segments of v, title included, in order, whose text would publish
// Arabic or nothing under the target language's label; nil when there are none.
func (v Version) OpenIssues() []Issue {
	var out []Issue
	for _, s := range v.Segments {
		if k := s.TextIssue(); k != "" {
			out = append(out, Issue{SegmentID: s.ID, Kind: k})
		}
	}
	return out
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
