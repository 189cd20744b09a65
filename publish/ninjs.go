package publish

import (
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
)

// IPTC ninjs 3.1 ("News in JSON"), the payload a webhook subscriber can choose instead of our
// own event: the format newsroom systems (Superdesk, NewsML-G2 gateways, wire ingest) read, so
// a receiver need not learn ours. Only what a text article carries is built; property names are
// camelCase, as since ninjs 2.0. The schema is specification/ninjs-schema_3.1.json in the
// iptc/newsinjson repository; ninjs_test.go checks every document against its constraints.

// NinjsSchema is the $id of the schema the documents conform to, named in their "standard".
const NinjsSchema = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"

// DefaultTagAuthority is the tag: URI authority (RFC 4151) of feed, entry and ninjs ids when
// the deployment names none (TARJUMA_FEED_TAG_AUTHORITY); ".invalid" says it is not a real one.
const DefaultTagAuthority = "tarjuma.invalid,2025"

// PubStatus is ninjs's publication status of a news object.
type PubStatus string

// The publication statuses of ninjs 3.1. An approved translation is usable; withheld and
// canceled are how a withdrawal reaches a ninjs receiver.
const (
	PubUsable   PubStatus = "usable"
	PubWithheld PubStatus = "withheld"
	PubCanceled PubStatus = "canceled"
)

// EntityKind says which ninjs list an entity of the glossary goes in.
type EntityKind string

// The kinds of glossary entity ninjs has a list for; titles, events and other terms have none
// that fits and are left out.
const (
	EntityPerson       EntityKind = "person"
	EntityOrganisation EntityKind = "organisation"
	EntityPlace        EntityKind = "place"
)

// Entity is a glossary term the text names: its stable id in the glossary, its kind, and its
// name as the desk writes it in the translation's language.
type Entity struct {
	Kind   EntityKind
	TermID string
	Name   string
}

// Ninjs is a ninjs 3.1 document of a text news object, with the properties we fill.
type Ninjs struct {
	URI               string           `json:"uri"`
	Type              string           `json:"type"`
	Version           string           `json:"version"`
	VersionCreated    time.Time        `json:"versionCreated"`
	PubStatus         PubStatus        `json:"pubStatus"`
	EmbargoedUntil    *time.Time       `json:"embargoedUntil,omitempty"`
	Urgency           int              `json:"urgency"`
	Language          string           `json:"language"`
	Headlines         []NinjsText      `json:"headlines"`
	Bodies            []NinjsText      `json:"bodies"`
	People            []NinjsEntity    `json:"people,omitempty"`
	Organisations     []NinjsEntity    `json:"organisations,omitempty"`
	Places            []NinjsEntity    `json:"places,omitempty"`
	AltIDs            []NinjsAltID     `json:"altIds,omitempty"`
	DigitalSourceType *NinjsSourceType `json:"digitalSourceType,omitempty"`
	Standard          NinjsStandard    `json:"standard"`
}

// NinjsText is a headline or a body: its role, media type and text.
type NinjsText struct {
	Role        string `json:"role"`
	ContentType string `json:"contentType"`
	Value       string `json:"value"`
}

// NinjsEntity is a person, organisation or place.
type NinjsEntity struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

// NinjsAltID is another identifier of the article, the editor's external id.
type NinjsAltID struct {
	Role  string `json:"role"`
	Value string `json:"value"`
}

// NinjsSourceType is the IPTC digital source type of the content.
type NinjsSourceType struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

// NinjsStandard names the standard and schema the document conforms to.
type NinjsStandard struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Schema  string `json:"schema"`
}

// Media types of the bodies: the plain text, and the paragraphs as XHTML (HTML escapes with
// numeric references and closes every element, so it is well-formed XML).
const (
	typePlain = "text/plain"
	typeXHTML = "application/xhtml+xml"
)

// Digital source types (IPTC NewsCodes, cv.iptc.org/newscodes/digitalsourcetype) of machine
// translation. ninjs has no property for translation provenance as such; digitalSourceType,
// added in 3.0 for content made by AI, says what readers must be told: the text was made by a
// trained model, alone or with a person's edits. Text written or edited whole by people (or
// taken from the translation memory, which holds approved human work) carries none.
const (
	sourceTypeMachine   = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	sourceTypeComposite = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)

// urgencyOf maps the desk's priority onto ninjs's urgency, 1 (highest) to 9. Wire services
// keep 1 and 2 for flashes and bulletins, which the desk does not mark, so urgent articles are
// 3 ("urgent"), others the customary 5, bulk 7.
func urgencyOf(p tarjuma.Priority) int {
	switch p {
	case tarjuma.PriorityUrgent:
		return 3
	case tarjuma.PriorityBulk:
		return 7
	}
	return 5
}

// termURI is the stable id of a glossary term: its slug never changes once made.
func termURI(authority, termID string) string {
	return "tag:" + authority + ":glossary/" + termID
}

// NewNinjs builds the ninjs document of release r, with ids under the tag: authority: usable,
// with its embargoedUntil when the article has one, or canceled when r withdraws it. A
// withdrawal is the object's next version (the withdrawn one's number plus one), so a receiver
// keeping the newest version takes it, and its body is the desk's notice to readers.
func NewNinjs(authority string, r Release) Ninjs {
	it := r.Item()
	n := Ninjs{
		// The id of the article's translation into the language: the same for every version, as
		// ninjs asks ("version" tells them apart), and the Atom entry's id, so a receiver of
		// both sees one object.
		URI:            entryID(authority, it.ArticleID, it.Version.Lang),
		Type:           "text",
		Version:        strconv.Itoa(it.Version.Number),
		VersionCreated: it.ApprovedAt,
		PubStatus:      PubUsable,
		Urgency:        urgencyOf(r.Priority),
		// "ru-x-mtfrom-ar" for unedited machine output is valid BCP 47, which language takes.
		Language:  it.ContentLang(),
		Headlines: []NinjsText{{Role: "main", ContentType: typePlain, Value: it.Version.Title()}},
		Bodies: []NinjsText{
			{Role: "main", ContentType: typePlain, Value: it.Text()},
			{Role: "main", ContentType: typeXHTML, Value: it.HTML()},
		},
		Standard: NinjsStandard{Name: "ninjs", Version: "3.1", Schema: NinjsSchema},
	}
	if !r.EmbargoedUntil.IsZero() {
		until := r.EmbargoedUntil.UTC()
		n.EmbargoedUntil = &until
	}
	if r.Event == EventWithdrawn {
		n.PubStatus = PubCanceled
		n.Version = strconv.Itoa(it.Version.Number + 1)
		n.Bodies = []NinjsText{{Role: "main", ContentType: typePlain, Value: r.Notice}}
	}
	if it.ExternalID != "" {
		n.AltIDs = []NinjsAltID{{Role: "externalId", Value: it.ExternalID}}
	}
	switch {
	case it.MachineOnly():
		n.DigitalSourceType = &NinjsSourceType{Name: "Trained algorithmic media", URI: sourceTypeMachine}
	case it.EditedByHuman() && it.hasMachine():
		n.DigitalSourceType = &NinjsSourceType{Name: "Composite with trained algorithmic media", URI: sourceTypeComposite}
	}
	for _, e := range r.Entities {
		ent := NinjsEntity{Name: e.Name, URI: termURI(authority, e.TermID)}
		switch e.Kind {
		case EntityPerson:
			n.People = append(n.People, ent)
		case EntityOrganisation:
			n.Organisations = append(n.Organisations, ent)
		case EntityPlace:
			n.Places = append(n.Places, ent)
		}
	}
	return n
}
