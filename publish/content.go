package publish

import (
	"html"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// The events a delivery announces: the first publication of a translation, a newer approved
// version of one already published (a correction), or its withdrawal from every channel.
const (
	EventPublished = "translation.published"
	EventUpdated   = "translation.updated"
	EventWithdrawn = "translation.withdrawn"
)

// Release is one approved version of a translation with what receivers need of it.
// PublishedAt is zero until every subscriber for its language has acknowledged it.
type Release struct {
	ID          int64
	Event       string // EventPublished, EventUpdated or EventWithdrawn
	ExternalID  string // the article's
	Version     tarjuma.Version
	ApprovedBy  string
	ApprovedAt  time.Time
	PublishedAt time.Time
	// Priority is the article's, which ninjs carries as its urgency.
	Priority tarjuma.Priority
	// EmbargoedUntil is the article's embargo, zero when it has none: nothing of it is
	// republished before then, and ninjs carries it as embargoedUntil.
	EmbargoedUntil time.Time
	// Entities are the people, organisations and places of the glossary the text names, for
	// ninjs; the store fills them when it reads a release for sending.
	Entities []Entity
	// Notice is what the desk words for readers when the release withdraws the article
	// (Event EventWithdrawn): the text channels that can show one (Telegram) put in place of
	// the story. Empty for any other event.
	Notice string
}

// Item is what receivers see of r, in a webhook, the feed or the polling API.
func (r Release) Item() Item {
	return Item{ArticleID: r.Version.ArticleID, ExternalID: r.ExternalID, Version: r.Version,
		ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt}
}

// Item is one published version of a translation as receivers see it, in webhooks, the feed and
// the polling API alike.
type Item struct {
	ArticleID  int64
	ExternalID string
	Version    tarjuma.Version
	ApprovedBy string
	ApprovedAt time.Time
}

// EditedByHuman reports whether a person wrote any of the text: a segment whose origin is human.
func (it Item) EditedByHuman() bool {
	for _, s := range it.Version.Segments {
		if s.Origin == tarjuma.OriginHuman {
			return true
		}
	}
	return false
}

// MachineOnly reports whether the text is machine translation no person edited, which Google's
// terms ask to be labelled when published.
func (it Item) MachineOnly() bool { return !it.EditedByHuman() && it.hasMachine() }

// hasMachine reports whether an MT engine wrote any of the text.
func (it Item) hasMachine() bool {
	for _, s := range it.Version.Segments {
		if s.Origin.IsMachine() {
			return true
		}
	}
	return false
}

// ContentLang is the language tag of the text: the plain code, or for unedited machine output
// the private-use tag Google asks for, such as "ru-x-mtfrom-ar".
func (it Item) ContentLang() string {
	if it.MachineOnly() {
		return string(it.Version.Lang) + "-x-mtfrom-" + string(tarjuma.Arabic)
	}
	return string(it.Version.Lang)
}

// Paragraphs returns the body as paragraphs, each its sentences joined by a space. Segment ids
// ("p2.s1") say which paragraph a sentence belongs to.
func (it Item) Paragraphs() []string {
	var paras []string
	last := ""
	for _, s := range it.Version.Body() {
		p, _, _ := strings.Cut(s.ID, ".")
		text := strings.TrimSpace(s.Text)
		switch {
		case text == "":
			continue
		case p == last && len(paras) > 0:
			paras[len(paras)-1] += " " + text
		default:
			paras = append(paras, text)
		}
		last = p
	}
	return paras
}

// Text is the body as plain text, paragraphs separated by a blank line.
func (it Item) Text() string { return strings.Join(it.Paragraphs(), "\n\n") }

// HTML is the body as escaped <p> paragraphs; unedited machine output carries its label as the
// lang attribute of each, so it survives being pasted into a page.
func (it Item) HTML() string {
	open := "<p>"
	if it.MachineOnly() {
		open = `<p lang="` + it.ContentLang() + `">`
	}
	var b strings.Builder
	for _, p := range it.Paragraphs() {
		b.WriteString(open + html.EscapeString(p) + "</p>\n")
	}
	return b.String()
}

// Event is the JSON body of a webhook, in the Standard Webhooks shape: type, timestamp, data.
// Timestamp is when the version was approved, so the body is the same on every attempt.
type Event struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// WithdrawalEvent is the webhook body of a withdrawal (type EventWithdrawn), timestamped when
// the article was withdrawn. It names the story to take down and carries the notice for its
// readers, never its text: a story withdrawn (for legal reasons, say) is not sent again.
type WithdrawalEvent struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	Data      WithdrawalData `json:"data"`
}

// WithdrawalData identifies a withdrawn translation: the last version released, which the
// receiver holds.
type WithdrawalData struct {
	ArticleID  int64  `json:"article_id"`
	ExternalID string `json:"external_id,omitempty"`
	Lang       string `json:"lang"`
	Version    int    `json:"version"`
	// Notice is what the desk words for the story's readers in its language, with the reason.
	Notice      string    `json:"notice"`
	WithdrawnBy string    `json:"withdrawn_by"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

// NewWithdrawalEvent builds the webhook event of r, a release of event EventWithdrawn.
func NewWithdrawalEvent(r Release) WithdrawalEvent {
	return WithdrawalEvent{Type: EventWithdrawn, Timestamp: r.ApprovedAt, Data: WithdrawalData{
		ArticleID: r.Version.ArticleID, ExternalID: r.ExternalID, Lang: string(r.Version.Lang), Version: r.Version.Number,
		Notice: r.Notice, WithdrawnBy: r.ApprovedBy, WithdrawnAt: r.ApprovedAt}}
}

// EventData is a published translation. It is also the item of the polling API.
type EventData struct {
	ArticleID       int64     `json:"article_id"`
	ExternalID      string    `json:"external_id,omitempty"`
	Lang            string    `json:"lang"`
	ContentLang     string    `json:"content_lang"` // lang, or "<lang>-x-mtfrom-ar" for unedited machine output
	Version         int       `json:"version"`
	SourceRevision  int       `json:"source_revision"`
	Title           string    `json:"title"`
	BodyText        string    `json:"body_text"`
	BodyHTML        string    `json:"body_html"`
	GlossaryVersion int64     `json:"glossary_version"`
	EditedByHuman   bool      `json:"edited_by_human"`
	MachineOnly     bool      `json:"machine_translated"` // true: label it as machine translation
	ApprovedBy      string    `json:"approved_by"`
	ApprovedAt      time.Time `json:"approved_at"`
	// QAFlags are the quality-check results stored with the version, as the API and the review
	// desk show them; [] when there are none. A receiver that does not know the field ignores it.
	QAFlags []QAFlag `json:"qa_flags"`
}

// QAFlag is one quality-check result of a segment ("title" or a body segment's id): its kind
// and arguments (package qa lists them).
type QAFlag struct {
	Segment string           `json:"segment"`
	Kind    tarjuma.FlagKind `json:"kind"`
	Args    []string         `json:"args"`
}

// qaFlags lists the version's stored flags in segment order.
func qaFlags(v tarjuma.Version) []QAFlag {
	out := []QAFlag{}
	for _, s := range v.Segments {
		for _, f := range s.Flags {
			out = append(out, QAFlag{Segment: s.ID, Kind: f.Kind, Args: append([]string{}, f.Args...)})
		}
	}
	return out
}

// NewEvent builds the webhook event of type eventType (EventPublished or EventUpdated).
func NewEvent(eventType string, it Item) Event {
	return Event{Type: eventType, Timestamp: it.ApprovedAt, Data: NewEventData(it)}
}

// NewEventData describes it for receivers.
func NewEventData(it Item) EventData {
	return EventData{
		ArticleID:       it.ArticleID,
		ExternalID:      it.ExternalID,
		Lang:            string(it.Version.Lang),
		ContentLang:     it.ContentLang(),
		Version:         it.Version.Number,
		SourceRevision:  it.Version.SourceRevision,
		Title:           it.Version.Title(),
		BodyText:        it.Text(),
		BodyHTML:        it.HTML(),
		GlossaryVersion: it.Version.GlossaryVersion,
		EditedByHuman:   it.EditedByHuman(),
		MachineOnly:     it.MachineOnly(),
		ApprovedBy:      it.ApprovedBy,
		ApprovedAt:      it.ApprovedAt,
		QAFlags:         qaFlags(it.Version),
	}
}
