// Package tarjuma holds the domain of the translation pipeline: articles, their source
// revisions, the per-language translations with their state machine, the immutable versions a
// translation goes through, and the error codes every layer maps to. It imports nothing of the
// project, so every other package can depend on it.
package tarjuma

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Lang is a language code as used in the API and the database (ISO 639-1).
type Lang string

// The source language and the target languages the desk publishes in.
const (
	Arabic  Lang = "ar"
	Tajik   Lang = "tg"
	Russian Lang = "ru"
	English Lang = "en"
)

// TargetLangs returns the target languages an article gets when the editor names none, in the
// order the desk lists them.
func TargetLangs() []Lang { return []Lang{Tajik, Russian, English} }

// Valid reports whether l is a target language the pipeline can translate into.
func (l Lang) Valid() bool {
	switch l {
	case Tajik, Russian, English:
		return true
	}
	return false
}

// Priority decides which queue an article's translation work goes to.
type Priority string

// The priorities, one per queue; breaking news jumps ahead of bulk back-catalogue work.
const (
	PriorityUrgent  Priority = "urgent"
	PriorityDefault Priority = "default"
	PriorityBulk    Priority = "bulk"
)

// Valid reports whether p is one of the known priorities.
func (p Priority) Valid() bool {
	switch p {
	case PriorityUrgent, PriorityDefault, PriorityBulk:
		return true
	}
	return false
}

// Status is where a translation stands in its life cycle.
type Status string

// The translation states. A translation starts queued, is picked up by a worker, and ends up
// waiting for a person; failed carries a reason and can be queued again.
const (
	StatusQueued      Status = "queued"
	StatusTranslating Status = "translating"
	StatusNeedsReview Status = "needs_review"
	StatusApproved    Status = "approved"
	StatusRejected    Status = "rejected"
	StatusPublished   Status = "published"
	StatusFailed      Status = "failed"
)

// Statuses lists every status, for validating filters.
func Statuses() []Status {
	return []Status{StatusQueued, StatusTranslating, StatusNeedsReview, StatusApproved,
		StatusRejected, StatusPublished, StatusFailed}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, known := range Statuses() {
		if s == known {
			return true
		}
	}
	return false
}

// transitions is the state machine. A new source revision may re-queue a translation from any
// state, so queued is reachable from everywhere; the rest follow the review flow.
var transitions = map[Status][]Status{
	StatusQueued:      {StatusTranslating, StatusFailed},
	StatusTranslating: {StatusNeedsReview, StatusFailed, StatusTranslating},
	StatusNeedsReview: {StatusApproved, StatusRejected, StatusNeedsReview},
	StatusApproved:    {StatusPublished, StatusNeedsReview, StatusRejected},
	StatusRejected:    {StatusNeedsReview},
	StatusPublished:   {StatusNeedsReview},
	StatusFailed:      {StatusTranslating},
}

// CanBecome reports whether a translation in state s may move to state next.
func (s Status) CanBecome(next Status) bool {
	if next == StatusQueued {
		return true
	}
	for _, allowed := range transitions[s] {
		if allowed == next {
			return true
		}
	}
	return false
}

// Role is what an API token or a user may do.
type Role string

// The roles. Issue-level permissions live where the routes are declared.
const (
	RoleAdmin      Role = "admin"
	RoleEditor     Role = "editor"
	RoleTranslator Role = "translator"
	RoleReviewer   Role = "reviewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleEditor, RoleTranslator, RoleReviewer:
		return true
	}
	return false
}

// Article is an Arabic news article as it stands at its latest source revision.
type Article struct {
	ID          int64
	ExternalID  string // the desk's own id, unique when set
	Revision    int    // number of the latest source revision, from 1
	Title       string
	Body        string
	TargetLangs []Lang
	Priority    Priority
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// EmbargoUntil is when the article may first be republished; zero when it is not embargoed.
	EmbargoUntil time.Time
}

// SourceRevision is one immutable state of an article's Arabic source.
type SourceRevision struct {
	ArticleID int64
	Number    int
	Title     string
	Body      string
	Author    string
	CreatedAt time.Time
}

// Translation is the state of one article in one target language.
type Translation struct {
	ArticleID      int64
	Lang           Lang
	Status         Status
	FailureReason  string // set while Status is failed
	SourceRevision int    // the source revision the translation is (being) made from
	LatestVersion  int    // 0 until the first version is stored
	UpdatedAt      time.Time
}

// Origin says where a segment's target text came from.
type Origin string

// The fixed origins; machine translations use MachineOrigin.
const (
	OriginMemory       Origin = "memory"
	OriginHuman        Origin = "human"
	OriginUntranslated Origin = "untranslated"
)

// MachineOrigin is the origin of text produced by the named MT provider: "mt:<provider>".
func MachineOrigin(provider string) Origin { return Origin("mt:" + provider) }

// IsMachine reports whether the text came from an MT engine.
func (o Origin) IsMachine() bool { return strings.HasPrefix(string(o), "mt:") }

// Segment is one translatable unit: the title, or a sentence of the body.
type Segment struct {
	ID     string // stable within a source revision: "title", "p2.s1", ...
	Source string // the Arabic text
	Text   string // the target text; the source itself while untranslated
	Origin Origin
	Terms  []TermSpan  // glossary terms found in Source
	Checks []TermCheck // how Text keeps to the glossary; empty while untranslated
	// Flags are what a reviewer should look at, computed by package qa when the version is
	// stored and served as stored. nil on a segment stored without them (versions from before
	// the checks were stored), which the store derives when it reads them.
	Flags []Flag
	// Status is the translator's: draft until she confirms the text. Machine versions are all
	// draft; an approval asks for every segment confirmed (or an override).
	Status SegmentStatus
}

// SegmentStatus is where a segment stands in the translator's work.
type SegmentStatus string

// The segment statuses.
const (
	SegmentDraft     SegmentStatus = "draft"
	SegmentConfirmed SegmentStatus = "confirmed"
)

// Valid reports whether s is a known segment status.
func (s SegmentStatus) Valid() bool { return s == SegmentDraft || s == SegmentConfirmed }

// DefaultSegmentStatus is the status of a segment stored before segments had one: a person's
// text (origin human) was what she meant to publish, so confirmed; anything else (machine,
// memory, untranslated) nobody confirmed, so draft.
func DefaultSegmentStatus(o Origin) SegmentStatus {
	if o == OriginHuman {
		return SegmentConfirmed
	}
	return SegmentDraft
}

// Progress is how far the translator got: segments and source words, confirmed and in all.
// Words are the Arabic source's, as CAT tools count them, so the figure does not move as the
// target is typed.
type Progress struct {
	Segments, SegmentsConfirmed int
	Words, WordsConfirmed       int
}

// Progress counts v's confirmed segments and their source words, title included.
func (v Version) Progress() Progress {
	var p Progress
	for _, s := range v.Segments {
		words := len(strings.Fields(s.Source))
		p.Segments++
		p.Words += words
		if s.Status == SegmentConfirmed {
			p.SegmentsConfirmed++
			p.WordsConfirmed += words
		}
	}
	return p
}

// Flag is one quality-check result of a segment: a kind (package qa lists them) and its
// arguments, what was found and then what should be there, as far as the kind has them. It is
// a kind and values rather than a sentence, so every door words it in its reader's language.
type Flag struct {
	Kind FlagKind
	Args []string
}

// FlagKind names a quality check's finding, such as "number_missing".
type FlagKind string

// TermSpan is a glossary term found in a segment's source: byte offsets into Source, without
// any attached proclitic, so a reviewer's screen can highlight the name itself. Method says how
// the machine translation got the term in, so a reviewer and the metrics can see it.
type TermSpan struct {
	TermID     string
	Start, End int
	Method     TermMethod // empty until an engine translated the segment
}

// TermMethod is how the pipeline put a glossary term into a machine translation.
type TermMethod string

// The ways a term gets into a machine translation.
const (
	// TermLocked: sent in a do-not-translate span holding the desk's form, which the engine keeps
	// (English, and terms kept in Arabic).
	TermLocked TermMethod = "locked"
	// TermInstructed: sent to an engine that follows instructions, with the desk's forms and the
	// instruction to inflect them as the sentence needs.
	TermInstructed TermMethod = "instructed"
	// TermReplaced: the engine's own rendering, found in its sentence, replaced by the desk's form
	// in the same grammatical form.
	TermReplaced TermMethod = "replaced"
	// TermFallback: the engine's rendering could not be found (it paraphrased), so the term was
	// sent locked in its nominative; the adherence check flags it for the reviewer.
	TermFallback TermMethod = "fallback"
)

// TermCheck is the adherence verdict for one term in a segment's target text. Result is "ok" or
// "inflected" (a form of the term's paradigm, which is right; Case names it), "wrong_form",
// "wrong_case", "unverified", "missing" (the source has the term, the target none of its forms)
// or "unexpected" (a term's form with no source occurrence). Form is the glossary spelling;
// Start and End locate what was found in Text; SourceStart is the start of the source
// occurrence it answers (-1 for none); Suggestion is the desk's form the position needs when
// the context decides it.
type TermCheck struct {
	TermID      string
	Result      string
	Form        string
	Case        string
	Suggestion  string
	Start, End  int
	SourceStart int
}

// TitleSegmentID is the id of the segment holding the title.
const TitleSegmentID = "title"

// Version is one immutable, numbered state of a translation. Segments[0] is the title.
type Version struct {
	ArticleID      int64
	Lang           Lang
	Number         int
	Segments       []Segment
	Author         string // "machine" for pipeline output, a token or user name otherwise
	Machine        bool   // stored by the pipeline rather than by a person
	SourceRevision int
	// GlossaryVersion is the glossary the version was matched and checked against.
	GlossaryVersion int64
	CreatedAt       time.Time
}

// Title returns the translated title.
func (v Version) Title() string {
	if len(v.Segments) > 0 && v.Segments[0].ID == TitleSegmentID {
		return v.Segments[0].Text
	}
	return ""
}

// Body returns the translated body segments, without the title.
func (v Version) Body() []Segment {
	if len(v.Segments) > 0 && v.Segments[0].ID == TitleSegmentID {
		return v.Segments[1:]
	}
	return v.Segments
}

// MachineAuthor is the author recorded on versions the pipeline stores.
const MachineAuthor = "machine"

// User is a person who signs in to the review desk.
type User struct {
	ID        int64
	Email     string
	Role      Role
	Langs     []Lang // the target languages a translator may edit
	UILang    string // the interface language they chose ("" until they choose)
	CreatedAt time.Time
	// DisabledAt is when an admin disabled the account, zero while it is enabled. A disabled
	// user cannot sign in, and their sessions and tokens are refused.
	DisabledAt time.Time
}

// CanEdit reports whether the user may store a new version of a translation into lang:
// translators only in their languages, reviewers (who correct as they review) and admins in
// any; editors work on the Arabic source, not on drafts.
func (u User) CanEdit(lang Lang) bool {
	switch u.Role {
	case RoleTranslator:
		return slices.Contains(u.Langs, lang)
	case RoleAdmin, RoleReviewer:
		return true
	}
	return false
}

// CanReview reports whether the user may approve or reject translations.
func (u User) CanReview() bool { return u.Role == RoleReviewer || u.Role == RoleAdmin }

// Token is an API token's public record; the secret itself is never stored.
type Token struct {
	ID        int64
	Name      string
	Role      Role
	CreatedAt time.Time
	// ExpiresAt is when the token stops working, zero for never; LastUsedAt is when it last
	// authenticated a request, to within a minute, zero if never.
	ExpiresAt  time.Time
	LastUsedAt time.Time
}

// Error codes shared by every layer; api maps them to HTTP statuses and review to pages.
var (
	ErrNotFound            = errors.New("not found")
	ErrConflict            = errors.New("conflict")             // the state changed under the caller
	ErrInvalid             = errors.New("invalid input")        // a field is malformed
	ErrIdempotencyMismatch = errors.New("idempotency mismatch") // same key, different request
	ErrStale               = errors.New("stale")                // work for a superseded source revision
	// ErrUnavailable: a backing service (the database, Redis) did not answer. Nothing is wrong
	// with the request; the same request may succeed once the service is back, so api and review
	// answer 503 with Retry-After rather than 500. store.Unavailable decides which driver errors
	// are this.
	ErrUnavailable = errors.New("backing service unavailable")
)

// UnavailableRetryAfter is the Retry-After sent with a 503 while a backing service is down:
// long enough that clients do not hammer a recovering database, short enough that a restart
// or failover goes unnoticed by a person.
const UnavailableRetryAfter = 5 * time.Second

// Edit returns v's segments with the person's texts and statuses (by segment id) in place:
// every segment needs a text and no other id may appear; a segment without a status in
// statuses is confirmed, since a person who saves a text without saying otherwise stands by
// it. Texts are trimmed, since segments are joined with their own separators; a text that
// differs from v's (an untranslated segment's included) becomes human, the others keep their
// origin. The API and the review pages both save edits through it, so the rules cannot drift
// apart.
func (v Version) Edit(texts map[string]string, statuses map[string]SegmentStatus) ([]Segment, error) {
	if len(texts) != len(v.Segments) {
		return nil, fmt.Errorf("%d texts for the %d segments of version %d: %w", len(texts), len(v.Segments), v.Number, ErrInvalid)
	}
	segs := make([]Segment, len(v.Segments))
	for i, seg := range v.Segments {
		text, ok := texts[seg.ID]
		if !ok {
			return nil, fmt.Errorf("no text for segment %q: %w", seg.ID, ErrInvalid)
		}
		text = strings.TrimSpace(text)
		if strings.IndexByte(text, 0) >= 0 || !utf8.ValidString(text) {
			return nil, fmt.Errorf("segment %q: NUL or invalid UTF-8: %w", seg.ID, ErrInvalid)
		}
		if text != seg.Text {
			seg.Text, seg.Origin = text, OriginHuman
		}
		seg.Status = SegmentConfirmed
		if st, ok := statuses[seg.ID]; ok {
			if !st.Valid() {
				return nil, fmt.Errorf("segment %q: status %q is neither draft nor confirmed: %w", seg.ID, st, ErrInvalid)
			}
			seg.Status = st
		}
		seg.Flags = nil // the new version's to compute when it is stored
		segs[i] = seg
	}
	return segs, nil
}
