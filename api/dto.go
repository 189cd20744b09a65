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
	Translations []translationJSON `json:"translations"`
}

func newArticleJSON(a tarjuma.Article, ts []tarjuma.Translation) articleJSON {
	out := articleJSON{
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
		Translations: make([]translationJSON, 0, len(ts)),
	}
	for _, t := range ts {
		out.Translations = append(out.Translations, newTranslationJSON(t))
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
}

// versionSummaryJSON is a version without its body segments, for listings. The title
// segment's source and origin ride along so the title is never a lossy special case.
type versionSummaryJSON struct {
	Number          int            `json:"number"`
	Title           string         `json:"title"`
	TitleSource     string         `json:"title_source"`
	TitleOrigin     tarjuma.Origin `json:"title_origin"`
	SourceRevision  int            `json:"source_revision"`
	GlossaryVersion int64          `json:"glossary_version"`
	Author          string         `json:"author"`
	Machine         bool           `json:"machine"`
	CreatedAt       time.Time      `json:"created_at"`
}

type versionJSON struct {
	versionSummaryJSON
	TitleTerms  []termSpanJSON  `json:"title_terms"`
	TitleChecks []termCheckJSON `json:"title_checks"`
	TitleFlags  []flagJSON      `json:"title_flags"`
	Segments    []segmentJSON   `json:"segments"` // the body; the title is in the fields above
}

type segmentJSON struct {
	ID     string          `json:"id"`
	Source string          `json:"source"`
	Text   string          `json:"text"`
	Origin tarjuma.Origin  `json:"origin"`
	Terms  []termSpanJSON  `json:"terms"`  // glossary terms in the source, byte offsets into source
	Checks []termCheckJSON `json:"checks"` // adherence of text to the glossary, byte offsets into text
	Flags  []flagJSON      `json:"flags"`  // the QA results stored with the version
}

// flagJSON is a quality-check result stored with the version (package qa lists the kinds and
// their args), the same the review desk shows and webhooks carry.
type flagJSON struct {
	Kind tarjuma.FlagKind `json:"kind"`
	Args []string         `json:"args"`
}

func flagsJSON(flags []tarjuma.Flag) []flagJSON {
	out := make([]flagJSON, len(flags))
	for i, f := range flags {
		out[i] = flagJSON{Kind: f.Kind, Args: append([]string{}, f.Args...)}
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
		SourceRevision:  v.SourceRevision,
		GlossaryVersion: v.GlossaryVersion,
		Author:          v.Author,
		Machine:         v.Machine,
		CreatedAt:       v.CreatedAt,
	}
}

func newVersionJSON(v tarjuma.Version) *versionJSON {
	body := v.Body()
	out := &versionJSON{versionSummaryJSON: newVersionSummaryJSON(v), Segments: make([]segmentJSON, 0, len(body))}
	var title tarjuma.Segment
	if len(body) < len(v.Segments) {
		title = v.Segments[0]
	}
	out.TitleTerms, out.TitleChecks = termsJSON(title)
	out.TitleFlags = flagsJSON(title.Flags)
	for _, seg := range body {
		terms, checks := termsJSON(seg)
		out.Segments = append(out.Segments, segmentJSON{ID: seg.ID, Source: seg.Source, Text: seg.Text, Origin: seg.Origin,
			Terms: terms, Checks: checks, Flags: flagsJSON(seg.Flags)})
	}
	return out
}

type versionListJSON struct {
	Versions []versionSummaryJSON `json:"versions"`
}

// issueJSON is an open issue of a version: the segment ("title" or a body id) and what is
// wrong with it, "untranslated" or "empty".
type issueJSON struct {
	ID      string            `json:"id"`
	Problem tarjuma.IssueKind `json:"problem"`
}

func issuesJSON(issues []tarjuma.Issue) []issueJSON {
	out := make([]issueJSON, len(issues))
	for i, is := range issues {
		out[i] = issueJSON{ID: is.SegmentID, Problem: is.Kind}
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
