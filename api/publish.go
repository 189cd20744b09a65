package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// FeedConfig configures the polling API and the Atom feeds; the rules for subscribers are
// the desk's (desk.Config).
type FeedConfig struct {
	// FeedTagAuthority is the tag: URI authority of feed and entry ids, e.g.
	// "news.example.tj,2025"; it must never change once readers have the feed.
	FeedTagAuthority string
	// FeedTitle names the feeds and is their author; "tarjuma" when empty.
	FeedTitle string
	// PublicURL is the absolute URL the server is reached at, for the feeds' self links
	// (TARJUMA_PUBLIC_URL). When empty the link is taken from the request's Host header, and the
	// feed is then marked private so that no shared cache serves one reader's Host to another.
	PublicURL string
}

// Defaults of the republishing endpoints.
const (
	feedEntries = 50
)

func (c FeedConfig) withDefaults() FeedConfig {
	if c.FeedTagAuthority == "" {
		c.FeedTagAuthority = publish.DefaultTagAuthority
	}
	if c.FeedTitle == "" {
		c.FeedTitle = "tarjuma"
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return c
}

// publishedJSON is one published version in the polling API: the webhook's data, and which
// event it was.
type publishedJSON struct {
	Event       string    `json:"event"`
	PublishedAt time.Time `json:"published_at"`
	publish.EventData
}

func itemOf(r publish.Release) publish.Item {
	return publish.Item{ArticleID: r.Version.ArticleID, ExternalID: r.ExternalID, Version: r.Version,
		ApprovedBy: r.ApprovedBy, ApprovedAt: r.ApprovedAt}
}

// listPublished pages through published versions oldest first, for systems that poll: keep the
// last next_cursor and ask again with it.
func (s *Server) listPublished(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PublishedFilter{Lang: tarjuma.Lang(q.Get("lang")), Limit: defaultPageSize}
	if f.Lang != "" && !f.Lang.Valid() {
		return errorf(http.StatusBadRequest, "invalid_parameter", "lang %q is not one of %v", f.Lang, tarjuma.TargetLangs())
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return errorf(http.StatusBadRequest, "invalid_parameter", "since must be an RFC 3339 time such as 2025-01-31T08:00:00Z")
		}
		f.Since = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return errorf(http.StatusBadRequest, "invalid_parameter", "limit must be an integer from 1 to %d", maxPageSize)
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		var ok bool
		if f.After, f.AfterID, ok = decodePublishedCursor(v); !ok {
			return errorf(http.StatusBadRequest, "invalid_parameter", "cursor is not one this API returned")
		}
	}
	pageSize := f.Limit
	f.Limit++ // one more than asked tells whether another page follows
	rs, err := s.db.ListPublished(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list published: %w", err)
	}
	page := struct {
		Items      []publishedJSON `json:"items"`
		NextCursor *string         `json:"next_cursor"`
	}{Items: make([]publishedJSON, 0, len(rs))}
	if len(rs) > pageSize {
		rs = rs[:pageSize]
		next := encodePublishedCursor(rs[pageSize-1])
		page.NextCursor = &next
	}
	for _, rel := range rs {
		page.Items = append(page.Items, publishedJSON{Event: rel.Event, PublishedAt: rel.PublishedAt, EventData: publish.NewEventData(itemOf(rel))})
	}
	return writeJSON(w, http.StatusOK, page)
}

// The published cursor is the last item's (published_at, id), the order of the listing.
func encodePublishedCursor(r publish.Release) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(r.PublishedAt.UnixMicro(), 10) + "." + strconv.FormatInt(r.ID, 10)))
}

func decodePublishedCursor(cursor string) (time.Time, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, false
	}
	at, id, _ := strings.Cut(string(b), ".")
	micros, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	return time.UnixMicro(micros).UTC(), n, err1 == nil && err2 == nil && n > 0
}

// feed serves /feeds/{lang}.atom: public, like any feed (cacheable by shared caches when
// PublicURL is set, see below), with an ETag and Last-Modified so
// readers polling it mostly get 304.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) error {
	name, ok := strings.CutSuffix(r.PathValue("feed"), ".atom")
	lang := tarjuma.Lang(name)
	if !ok || !lang.Valid() {
		return errorf(http.StatusNotFound, "not_found", "there is no feed %q; try tg.atom, ru.atom or en.atom", r.PathValue("feed"))
	}
	rs, err := s.db.LatestPublished(r.Context(), lang, feedEntries, time.Now())
	if err != nil {
		return fmt.Errorf("feed %s: %w", lang, err)
	}
	base := s.feeds.PublicURL
	// With the configured address the feed is the same for everyone, so shared caches may keep it.
	cacheControl := "public, max-age=60"
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = (&url.URL{Scheme: scheme, Host: r.Host}).String()
		// The self link now comes from the Host header, which the client chooses: a shared cache
		// that keyed the response on something else (a CDN normalising the host, a proxy with
		// one upstream) would serve a forged link to every reader. "Vary: Host" would only help
		// where caches honour it, and several CDNs ignore Vary beyond Accept-Encoding; "private"
		// keeps the response out of every shared cache, while readers still cache it for a
		// minute and revalidate with the ETag. TARJUMA_PUBLIC_URL makes it public again.
		cacheControl = "private, max-age=60"
	}
	f := publish.Feed{TagAuthority: s.feeds.FeedTagAuthority, Title: s.feeds.FeedTitle + " (" + string(lang) + ")",
		Lang: lang, SelfURL: base + "/feeds/" + string(lang) + ".atom"}
	for _, rel := range rs {
		f.Entries = append(f.Entries, publish.Entry{Item: itemOf(rel), PublishedAt: rel.PublishedAt})
	}
	var buf bytes.Buffer
	if err := publish.WriteAtom(&buf, f); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", cacheControl)
	w.Header().Set("ETag", etag(buf.Bytes()))
	// ServeContent answers If-None-Match and If-Modified-Since with 304 and sets Last-Modified.
	http.ServeContent(w, r, "", f.Updated(), bytes.NewReader(buf.Bytes()))
	return nil
}

// etag is a strong validator of a response body.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}
