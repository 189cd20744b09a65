package api

import (
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// The response shapes. They are separate from the domain types so that renaming a Go field
// never changes the API, and openapi.yaml describes exactly these.

type articleJSON struct {
	ID           int64             `json:"id"`
	ExternalID   string            `json:"external_id,omitempty"`
	Revision     int               `json:"revision"`
	Title        string            `json:"title"`
	Body         string            `json:"body,omitempty"` // left out of list items
	TargetLangs  []tarjuma.Lang    `json:"target_langs"`
	Priority     tarjuma.Priority  `json:"priority"`
	CreatedBy    string            `json:"created_by"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	EmbargoUntil *time.Time        `json:"embargo_until,omitempty"` // absent when not embargoed
	Translations []translationJSON `json:"translations"`
}

func newArticleJSON(a tarjuma.Article, ts []tarjuma.Translation) articleJSON {
	return articleJSON{
		ID:           a.ID,
		ExternalID:   a.ExternalID,
		Revision:     a.Revision,
		Title:        a.Title,
		Body:         a.Body,
		TargetLangs:  a.TargetLangs,
		Priority:     a.Priority,
		CreatedBy:    a.CreatedBy,
		CreatedAt:    a.CreatedAt,
		UpdatedAt:    a.UpdatedAt,
		EmbargoUntil: optionalTime(a.EmbargoUntil),
		Translations: jsonList(ts, newTranslationJSON),
	}
}

// jsonList converts what the store or the desk returned into the items of an answer; the
// result is never nil, so that an empty list is [] and not null.
func jsonList[T, J any](xs []T, conv func(T) J) []J {
	out := make([]J, 0, len(xs))
	for _, x := range xs {
		out = append(out, conv(x))
	}
	return out
}

type articleListJSON struct {
	Articles   []articleJSON `json:"articles"`
	NextCursor *string       `json:"next_cursor"` // null on the last page
}

// translationJSON is a translation's state; latest_version is its number, 0 before the first.
type translationJSON struct {
	Lang           tarjuma.Lang   `json:"lang"`
	Status         tarjuma.Status `json:"status"`
	FailureReason  string         `json:"failure_reason,omitempty"`
	SourceRevision int            `json:"source_revision"`
	LatestVersion  int            `json:"latest_version"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

func newTranslationJSON(t tarjuma.Translation) translationJSON {
	return translationJSON{
		Lang:           t.Lang,
		Status:         t.Status,
		FailureReason:  t.FailureReason,
		SourceRevision: t.SourceRevision,
		LatestVersion:  t.LatestVersion,
		UpdatedAt:      t.UpdatedAt,
	}
}

// translationDetailJSON is a translation with its latest version spelled out. The outer
// latest_version field shadows the embedded number (encoding/json prefers the shallower field).
type translationDetailJSON struct {
	ArticleID int64 `json:"article_id"`
	translationJSON
	LatestVersion *versionJSON `json:"latest_version"` // null before the first version
	// Approval is the reviewer's approval of the latest version while it stands (the last
	// decision on it), with the override and its reason when there was one; absent otherwise.
	Approval *reviewEventJSON `json:"approval,omitempty"`
	// Withdrawn is the article's withdrawal, when it was withdrawn; EmbargoUntil the time
	// before which nothing of it is republished, when one was set.
	Withdrawn    *withdrawalJSON `json:"withdrawn,omitempty"`
	EmbargoUntil *time.Time      `json:"embargo_until,omitempty"`
}

// versionSummaryJSON is a version without its body segments, for listings. The title
// segment's source and origin ride along so the title is never a lossy special case.
type versionSummaryJSON struct {
	Number          int                   `json:"number"`
	Title           string                `json:"title"`
	TitleSource     string                `json:"title_source"`
	TitleOrigin     tarjuma.Origin        `json:"title_origin"`
	TitleStatus     tarjuma.SegmentStatus `json:"title_status"`
	SourceRevision  int                   `json:"source_revision"`
	GlossaryVersion int64                 `json:"glossary_version"`
	Author          string                `json:"author"`
	Machine         bool                  `json:"machine"`
	CreatedAt       time.Time             `json:"created_at"`
}

type versionJSON struct {
	versionSummaryJSON
	TitleTerms  []termSpanJSON  `json:"title_terms"`
	TitleChecks []termCheckJSON `json:"title_checks"`
	TitleFlags  []flagJSON      `json:"title_flags"`
	Segments    []segmentJSON   `json:"segments"` // the body; the title is in the fields above
	Progress    progressJSON    `json:"progress"`
}

// progressJSON counts the confirmed segments (title included) and their Arabic source words.
type progressJSON struct {
	Segments          int `json:"segments"`
	SegmentsConfirmed int `json:"segments_confirmed"`
	Words             int `json:"words"`
	WordsConfirmed    int `json:"words_confirmed"`
}

type segmentJSON struct {
	ID     string                `json:"id"`
	Source string                `json:"source"`
	Text   string                `json:"text"`
	Origin tarjuma.Origin        `json:"origin"`
	Status tarjuma.SegmentStatus `json:"status"` // draft or confirmed
	Terms  []termSpanJSON        `json:"terms"`  // glossary terms in the source, byte offsets into source
	Checks []termCheckJSON       `json:"checks"` // adherence of text to the glossary, byte offsets into text
	Flags  []flagJSON            `json:"flags"`  // the QA results stored with the version
}

// flagJSON is a quality-check result stored with the version (package qa lists the kinds and
// their args), the same the review desk shows and webhooks carry; dismissed is set when a
// person dismissed it as a false positive.
type flagJSON struct {
	Kind      tarjuma.FlagKind `json:"kind"`
	Args      []string         `json:"args"`
	Dismissed *dismissalJSON   `json:"dismissed,omitempty"`
}

// dismissalJSON is a person's dismissal of a flag of a segment: who, when and why.
type dismissalJSON struct {
	Segment string           `json:"segment"`
	Kind    tarjuma.FlagKind `json:"kind"`
	Args    []string         `json:"args"`
	Reason  string           `json:"reason"`
	By      string           `json:"by"`
	At      time.Time        `json:"at"`
}

func newDismissalJSON(d tarjuma.Dismissal) *dismissalJSON {
	return &dismissalJSON{Segment: d.SegmentID, Kind: d.Flag.Kind, Args: append([]string{}, d.Flag.Args...), Reason: d.Reason, By: d.By, At: d.At}
}

// flagsJSON gives the flags of segment id, each with its dismissal among ds, if any.
func flagsJSON(id string, flags []tarjuma.Flag, ds []tarjuma.Dismissal) []flagJSON {
	out := make([]flagJSON, len(flags))
	for i, f := range flags {
		out[i] = flagJSON{Kind: f.Kind, Args: append([]string{}, f.Args...)}
		for _, d := range ds {
			if d.Dismisses(id, f) {
				out[i].Dismissed = newDismissalJSON(d)
			}
		}
	}
	return out
}

type termSpanJSON struct {
	Term   string             `json:"term"`
	Start  int                `json:"start"`
	End    int                `json:"end"`
	Method tarjuma.TermMethod `json:"method,omitempty"` // how MT got the term in: locked, instructed, replaced, fallback
}

type termCheckJSON struct {
	Term        string `json:"term"`
	Result      string `json:"result"` // ok, inflected, wrong_form, wrong_case, unverified, missing, unexpected
	Form        string `json:"form,omitempty"`
	Case        string `json:"case,omitempty"`       // the grammatical form found: nom gen dat acc ins prep; tg nom acc ezafe
	Suggestion  string `json:"suggestion,omitempty"` // the desk's form the position needs, when the context decides it
	Start       int    `json:"start"`                // -1 when missing
	End         int    `json:"end"`
	SourceStart int    `json:"source_start"` // the source occurrence it answers; -1 for none
}

func termsJSON(s tarjuma.Segment) ([]termSpanJSON, []termCheckJSON) {
	terms, checks := make([]termSpanJSON, len(s.Terms)), make([]termCheckJSON, len(s.Checks))
	for i, t := range s.Terms {
		terms[i] = termSpanJSON{Term: t.TermID, Start: t.Start, End: t.End, Method: t.Method}
	}
	for i, c := range s.Checks {
		checks[i] = termCheckJSON{Term: c.TermID, Result: c.Result, Form: c.Form, Case: c.Case, Suggestion: c.Suggestion, Start: c.Start, End: c.End, SourceStart: c.SourceStart}
	}
	return terms, checks
}

func newVersionSummaryJSON(v tarjuma.Version) versionSummaryJSON {
	var title tarjuma.Segment
	if len(v.Body()) < len(v.Segments) {
		title = v.Segments[0]
	}
	return versionSummaryJSON{
		Number:          v.Number,
		Title:           title.Text,
		TitleSource:     title.Source,
		TitleOrigin:     title.Origin,
		TitleStatus:     title.Status,
		SourceRevision:  v.SourceRevision,
		GlossaryVersion: v.GlossaryVersion,
		Author:          v.Author,
		Machine:         v.Machine,
		CreatedAt:       v.CreatedAt,
	}
}

// newVersionJSON is v in full, its flags marked with the dismissals ds of the version.
func newVersionJSON(v tarjuma.Version, ds []tarjuma.Dismissal) *versionJSON {
	body := v.Body()
	p := v.Progress()
	out := &versionJSON{versionSummaryJSON: newVersionSummaryJSON(v), Segments: make([]segmentJSON, 0, len(body)),
		Progress: progressJSON{Segments: p.Segments, SegmentsConfirmed: p.SegmentsConfirmed, Words: p.Words, WordsConfirmed: p.WordsConfirmed}}
	var title tarjuma.Segment
	if len(body) < len(v.Segments) {
		title = v.Segments[0]
	}
	out.TitleTerms, out.TitleChecks = termsJSON(title)
	out.TitleFlags = flagsJSON(title.ID, title.Flags, ds)
	for _, seg := range body {
		terms, checks := termsJSON(seg)
		out.Segments = append(out.Segments, segmentJSON{ID: seg.ID, Source: seg.Source, Text: seg.Text, Origin: seg.Origin,
			Status: seg.Status, Terms: terms, Checks: checks, Flags: flagsJSON(seg.ID, seg.Flags, ds)})
	}
	return out
}

type versionListJSON struct {
	Versions []versionSummaryJSON `json:"versions"`
}

// issueJSON is an open issue of a version: the segment ("title" or a body id) and what is
// wrong with it: "untranslated", "empty", "unconfirmed", or the kind of a blocking QA flag
// ("number_missing", "term_wrong_form", ...) with the flag's args.
type issueJSON struct {
	ID      string            `json:"id"`
	Problem tarjuma.IssueKind `json:"problem"`
	Args    []string          `json:"args,omitempty"`
}

func issuesJSON(issues []tarjuma.Issue) []issueJSON {
	out := make([]issueJSON, len(issues))
	for i, is := range issues {
		out[i] = issueJSON{ID: is.SegmentID, Problem: is.Kind, Args: is.Args}
	}
	return out
}

type reviewEventListJSON struct {
	Events []reviewEventJSON `json:"events"`
}

// reviewEventJSON is a reviewer's decision on a version; override is set only on an approval
// of a version with open issues.
type reviewEventJSON struct {
	Version  int                `json:"version"`
	Actor    string             `json:"actor"`
	Action   tarjuma.Status     `json:"action"` // approved or rejected
	Comment  string             `json:"comment"`
	Override *overrideEventJSON `json:"override,omitempty"`
	At       time.Time          `json:"at"`
}

type overrideEventJSON struct {
	Reason string      `json:"reason"`
	Issues []issueJSON `json:"issues"`
}

func newReviewEventJSON(ev store.ReviewEvent) reviewEventJSON {
	out := reviewEventJSON{Version: ev.Version, Actor: ev.Actor, Action: ev.Action, Comment: ev.Comment, At: ev.At}
	if ev.Override != nil {
		out.Override = &overrideEventJSON{Reason: ev.Override.Reason, Issues: issuesJSON(ev.Override.Issues)}
	}
	return out
}
