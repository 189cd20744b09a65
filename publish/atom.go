package publish

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Feed is an Atom feed (RFC 4287) of the latest published translations into one language.
type Feed struct {
	// TagAuthority is the authority of the tag: URIs (RFC 4151) that identify the feed and its
	// entries, a domain the desk holds and a date it held it, e.g. "news.example.tj,2025". It
	// must never change: readers recognise entries by these ids.
	TagAuthority string
	Title        string // also the author of every entry: the desk, not the person who approved
	Lang         tarjuma.Lang
	SelfURL      string
	Entries      []Entry
}

// Entry is one translation in a feed, at the version last published.
type Entry struct {
	Item
	PublishedAt time.Time
}

// Updated is when the feed last changed: its newest entry's publication, or the Unix epoch for
// an empty feed, so the value (and the ETag built on it) is stable while nothing changes.
func (f Feed) Updated() time.Time {
	updated := time.Unix(0, 0).UTC()
	for _, e := range f.Entries {
		if e.PublishedAt.After(updated) {
			updated = e.PublishedAt
		}
	}
	return updated
}

// entryID is the stable id of an article's translation into lang: the same for every version,
// so a reader replaces the entry when a newer version is published.
func entryID(authority string, articleID int64, lang tarjuma.Lang) string {
	return "tag:" + authority + ":article/" + strconv.FormatInt(articleID, 10) + "/" + string(lang)
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"xml:lang,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Rights     *atomText      `xml:"rights"`
	Content    atomText       `xml:"content"`
}

// The label of unedited machine output, in the feed's category and rights.
const (
	machineCategory = "machine-translation"
	machineNote     = "Machine-translated from Arabic; not edited by a person."
)

// WriteAtom writes f as an Atom document. Unedited machine translations are labelled three
// ways: xml:lang "<lang>-x-mtfrom-ar" on the title and content (and lang on the paragraphs), a
// category and a rights note, so that any reader or page built from the feed can show it.
func WriteAtom(w io.Writer, f Feed) error {
	doc := atomFeed{
		Lang:    string(f.Lang),
		ID:      "tag:" + f.TagAuthority + ":feeds/" + string(f.Lang),
		Title:   atomText{Type: "text", Body: f.Title},
		Updated: f.Updated().Format(time.RFC3339),
		Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: f.SelfURL}},
		Author:  atomPerson{Name: f.Title},
		Gen:     "tarjuma",
	}
	for _, e := range f.Entries {
		lang := e.ContentLang()
		entry := atomEntry{
			ID:      entryID(f.TagAuthority, e.ArticleID, e.Version.Lang),
			Title:   atomText{Type: "text", Lang: lang, Body: e.Version.Title()},
			Updated: e.PublishedAt.Format(time.RFC3339),
			Author:  atomPerson{Name: f.Title},
			Content: atomText{Type: "html", Lang: lang, Body: e.HTML()},
		}
		if e.MachineOnly() {
			entry.Categories = []atomCategory{{Term: machineCategory, Label: machineNote}}
			entry.Rights = &atomText{Type: "text", Body: machineNote}
		}
		doc.Entries = append(doc.Entries, entry)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("publish: write feed: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("publish: write feed: %w", err)
	}
	return nil
}
