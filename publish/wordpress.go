package publish

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarjuma/tarjuma"
)

// WordPress post statuses a subscriber may choose for new posts. DefaultWordPressStatus is the
// Contract's default; WordPressWithdrawnStatus is what a withdrawal sets.
const (
	DefaultWordPressStatus = "publish"
	// WordPressWithdrawnStatus unpublishes a post: a draft is off the site, its feeds, search and
	// sitemap for every reader, and stays in the site's admin for its editors, where "private"
	// would still show it on the site to every logged-in editor and author, and the trash would
	// delete it for good after 30 days.
	WordPressWithdrawnStatus = "draft"
)

// WordPressStatuses are the statuses a subscriber may ask new posts to have.
func WordPressStatuses() []string { return []string{"publish", "draft", "pending", "private"} }

// Polylang modes of a WordPress subscriber: PolylangAuto (the default) sets each post's
// language and links the translations of an article where the site runs Polylang Pro (which
// adds the "lang" and "translations" fields to the REST API); PolylangOff never asks.
const (
	PolylangAuto = "auto"
	PolylangOff  = "off"
)

// WordPressSite is a WordPress subscriber's site and how its posts are made.
type WordPressSite struct {
	URL         string // the site root, e.g. https://news.example.tj (the REST API is under /wp-json)
	Username    string
	AppPassword string // an application password (Users → Profile), not the login password
	Status      string // of new posts; DefaultWordPressStatus when empty
	CategoryID  int64  // 0: the site's default category
	AuthorID    int64  // 0: the user of the credentials
	Polylang    string // PolylangAuto when empty
}

// WordPressPost is an article as a WordPress post: the title as text, the content as HTML.
type WordPressPost struct {
	Lang    tarjuma.Lang
	Title   string
	Content string
	// Marker names the article and language in the post, as an HTML comment, so a post whose
	// creation went unconfirmed can be found again; none when empty.
	Marker string
}

// NewWordPressPost is the post of it. The content is the escaped paragraphs of Item.HTML, with
// the machine-translation label where it applies.
func NewWordPressPost(it Item) WordPressPost {
	return WordPressPost{Lang: it.Version.Lang, Title: it.Version.Title(), Content: it.HTML(),
		Marker: wordpressMarker(it.ArticleID, it.Version.Lang)}
}

func wordpressMarker(articleID int64, lang tarjuma.Lang) string {
	return fmt.Sprintf("tarjuma-article-%d-%s", articleID, lang)
}

// WordPressState is what a delivery leaves on a site for one article and language: the post,
// and its Polylang language when one was set. It is kept between deliveries so corrections
// update the same post, a withdrawal unpublishes it, and later translations link to it.
type WordPressState struct {
	PostID int64  `json:"post_id"`
	Link   string `json:"link,omitempty"`
	Lang   string `json:"lang,omitempty"` // Polylang's language slug; empty when none was set
	// Unconfirmed: a create got no clear answer, and the post may exist (see Publish).
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// WordPressConfig configures a WordPressClient.
type WordPressConfig struct {
	// AllowPrivate lets sites be at private and loopback addresses: development and tests only,
	// as for webhooks (TARJUMA_WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	Timeout      time.Duration // per request; DefaultAttemptTimeout when zero
	// HTTPClient replaces the guarded client; tests pass a stand-in's.
	HTTPClient *http.Client
}

// WordPressClient publishes articles to WordPress sites through the REST API, authenticated
// with application passwords (HTTP Basic).
type WordPressClient struct {
	client *http.Client
}

// NewWordPressClient builds a client. By default it is the webhooks' client: the site's URL is
// an admin's input, so the same dial-time guard keeps it out of the desk's own network, and
// redirects are not followed (a POST redirected becomes a GET, and a site that moved is to be
// registered again).
func NewWordPressClient(cfg WordPressConfig) *WordPressClient {
	if cfg.HTTPClient != nil {
		return &WordPressClient{client: cfg.HTTPClient}
	}
	return &WordPressClient{client: NewSender(SenderConfig{AllowPrivate: cfg.AllowPrivate, Timeout: cfg.Timeout}).client}
}

// WordPressError is a WordPress REST error: {"code": …, "message": …, "data": {"status": …}},
// or an HTTP status with some other body (a cache, firewall or maintenance page).
type WordPressError struct {
	Status     int
	Code       string // WordPress's error code, e.g. "rest_post_invalid_id"; empty without one
	Message    string
	RetryAfter time.Duration
	Hint       string // what to do about it, when we know
}

func (e *WordPressError) Error() string {
	msg := fmt.Sprintf("wordpress: %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	msg += ": " + e.Message
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// Permanent reports whether trying again cannot help: refused credentials or rights, a post
// deleted on the site, a request the site will not take, a redirect. Rate limits, timeouts and
// server errors are worth retrying.
func (e *WordPressError) Permanent() bool {
	switch {
	case e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout:
		return false
	case e.Status >= 300 && e.Status < 500:
		return true
	}
	return false
}

// RetryDelay is the site's Retry-After, zero when it sent none.
func (e *WordPressError) RetryDelay() time.Duration { return e.RetryAfter }

// StatusCode is the HTTP status of the site's answer.
func (e *WordPressError) StatusCode() int { return e.Status }

func wpErrorIs(err error, status int, code string) bool {
	var we *WordPressError
	return errors.As(err, &we) && we.Status == status && we.Code == code
}

// wpPost is the part of a post object the REST API returns that we read.
type wpPost struct {
	ID     int64  `json:"id"`
	Link   string `json:"link"`
	Status string `json:"status"`
	Lang   string `json:"lang"` // Polylang Pro only
}

// Publish puts post on site: it creates it the first time (prev.PostID zero) and updates the
// same post on later versions, title and content only, leaving the status, category and author
// as the site's editors may have set them since. translations are the states of the article's
// posts in other languages on the same site: where the site runs Polylang Pro, a new post gets
// its language and is linked to them. An update of a post deleted on the site is a permanent
// error: the correction is not posted as a new one behind the editors' backs.
//
// A create that got no clear answer (a timeout, a 5xx: WordPress may have saved the post before
// a plugin failed) leaves a state marked Unconfirmed, to be kept; the next attempt first looks
// for the post by its marker, and updates it if it is there rather than making a second one.
func (c *WordPressClient) Publish(ctx context.Context, site WordPressSite, post WordPressPost, prev WordPressState, translations map[tarjuma.Lang]WordPressState) (WordPressState, error) {
	fields := map[string]any{"title": html.EscapeString(strings.TrimSpace(post.Title)), "content": post.content()}
	if prev.PostID == 0 && prev.Unconfirmed && post.Marker != "" {
		found, err := c.findPost(ctx, site, post.Marker)
		if err != nil {
			return prev, err
		}
		if found.ID != 0 {
			prev = WordPressState{PostID: found.ID, Link: found.Link, Lang: found.Lang}
		}
	}
	if prev.PostID != 0 {
		var got wpPost
		err := c.do(ctx, site, http.MethodPost, "/wp/v2/posts/"+strconv.FormatInt(prev.PostID, 10), fields, &got)
		if wpErrorIs(err, http.StatusNotFound, "rest_post_invalid_id") {
			err.(*WordPressError).Hint = "the post was deleted on the site; the correction is not posted again"
		}
		if err != nil {
			return prev, err
		}
		return WordPressState{PostID: prev.PostID, Link: cmp.Or(got.Link, prev.Link), Lang: prev.Lang}, nil
	}
	fields["status"] = cmp.Or(site.Status, DefaultWordPressStatus)
	if site.CategoryID != 0 {
		fields["categories"] = []int64{site.CategoryID}
	}
	if site.AuthorID != 0 {
		fields["author"] = site.AuthorID
	}
	if site.Polylang != PolylangOff {
		langs, err := c.polylangLanguages(ctx, site)
		if err != nil {
			return prev, err
		}
		if langs != nil {
			slug, err := langs.slug(post.Lang)
			if err != nil {
				return prev, err
			}
			fields["lang"] = slug
			linked := map[string]int64{}
			for lang, st := range translations {
				if s, err := langs.slug(lang); err == nil && st.PostID != 0 && lang != post.Lang {
					linked[s] = st.PostID
				}
			}
			if len(linked) > 0 {
				fields["translations"] = linked
			}
		}
	}
	var got wpPost
	if err := c.do(ctx, site, http.MethodPost, "/wp/v2/posts", fields, &got); err != nil {
		var we *WordPressError
		if errors.As(err, &we) && we.Status < 500 {
			return prev, err // refused: nothing was made
		}
		return WordPressState{Unconfirmed: true}, err
	}
	if got.ID == 0 {
		return WordPressState{Unconfirmed: true}, errors.New("wordpress: the site answered without a post id")
	}
	// Only Polylang Pro echoes the language; a site with Polylang's free edition takes the post
	// in its default language and cannot link it.
	return WordPressState{PostID: got.ID, Link: got.Link, Lang: got.Lang}, nil
}

// content is the post's content with its marker, an HTML comment readers do not see.
func (p WordPressPost) content() string {
	if p.Marker == "" {
		return p.Content
	}
	return "<!-- " + p.Marker + " -->\n" + p.Content
}

// findPost looks for the post carrying marker in any status: WordPress's search matches the
// content, and the raw content (the edit context) confirms the whole comment is there. It
// returns a zero wpPost when there is none.
func (c *WordPressClient) findPost(ctx context.Context, site WordPressSite, marker string) (wpPost, error) {
	var found []struct {
		wpPost
		Content struct {
			Raw string `json:"raw"`
		} `json:"content"`
	}
	q := url.Values{"search": {marker}, "status": {"publish,future,draft,pending,private"}, "context": {"edit"}, "per_page": {"20"}}
	if err := c.do(ctx, site, http.MethodGet, "/wp/v2/posts?"+q.Encode(), nil, &found); err != nil {
		return wpPost{}, err
	}
	for _, p := range found {
		if strings.Contains(p.Content.Raw, "<!-- "+marker+" -->") {
			return p.wpPost, nil
		}
	}
	return wpPost{}, nil
}

// Withdraw unpublishes the post st names (WordPressWithdrawnStatus), or, when its creation went
// unconfirmed, the post carrying marker if there is one. A post already deleted on the site
// counts as withdrawn.
func (c *WordPressClient) Withdraw(ctx context.Context, site WordPressSite, st WordPressState, marker string) error {
	if st.PostID == 0 && st.Unconfirmed && marker != "" {
		found, err := c.findPost(ctx, site, marker)
		if err != nil {
			return err
		}
		st.PostID = found.ID
	}
	if st.PostID == 0 {
		return nil
	}
	err := c.do(ctx, site, http.MethodPost, "/wp/v2/posts/"+strconv.FormatInt(st.PostID, 10),
		map[string]any{"status": WordPressWithdrawnStatus}, nil)
	if wpErrorIs(err, http.StatusNotFound, "rest_post_invalid_id") {
		return nil
	}
	return err
}

// WordPressCheck is what a credentials check found.
type WordPressCheck struct {
	UserID    int64
	UserName  string
	Languages []string // Polylang's language slugs; nil when the site has no Polylang
}

// Check verifies site without publishing: the credentials are a user's (users/me in the edit
// context, which needs them), the user may create posts with the chosen status and author, and,
// where the site runs Polylang, it has every language in langs.
func (c *WordPressClient) Check(ctx context.Context, site WordPressSite, langs []tarjuma.Lang) (WordPressCheck, error) {
	var me struct {
		ID           int64           `json:"id"`
		Name         string          `json:"name"`
		Capabilities map[string]bool `json:"capabilities"`
	}
	if err := c.do(ctx, site, http.MethodGet, "/wp/v2/users/me?context=edit", nil, &me); err != nil {
		return WordPressCheck{}, err
	}
	res := WordPressCheck{UserID: me.ID, UserName: me.Name}
	need := []string{"edit_posts"}
	if s := cmp.Or(site.Status, DefaultWordPressStatus); s == "publish" || s == "private" {
		need = append(need, "publish_posts")
	}
	if site.AuthorID != 0 && site.AuthorID != me.ID {
		need = append(need, "edit_others_posts")
	}
	for _, capability := range need {
		if !me.Capabilities[capability] {
			return res, &ChannelConfigError{fmt.Errorf("wordpress: the user %s lacks the %s capability the subscriber's settings need", me.Name, capability)}
		}
	}
	if site.Polylang == PolylangOff {
		return res, nil
	}
	pll, err := c.polylangLanguages(ctx, site)
	if err != nil || pll == nil {
		return res, err
	}
	for _, l := range pll {
		res.Languages = append(res.Languages, l.Slug)
	}
	for _, lang := range langs {
		if _, err := pll.slug(lang); err != nil {
			return res, err
		}
	}
	return res, nil
}

// polylangLanguage is a language of the site as /pll/v1/languages lists it.
type polylangLanguage struct {
	Slug   string `json:"slug"`
	Locale string `json:"locale"`
}

type polylangLanguages []polylangLanguage

// slug is Polylang's slug for lang: the one equal to it, or else the one whose locale is of it
// ("tg_TJ").
func (ls polylangLanguages) slug(lang tarjuma.Lang) (string, error) {
	for _, l := range ls {
		if l.Slug == string(lang) {
			return l.Slug, nil
		}
	}
	for _, l := range ls {
		if loc, _, _ := strings.Cut(l.Locale, "_"); loc == string(lang) {
			return l.Slug, nil
		}
	}
	have := make([]string, 0, len(ls))
	for _, l := range ls {
		have = append(have, l.Slug)
	}
	slices.Sort(have)
	return "", &ChannelConfigError{fmt.Errorf("wordpress: the site's Polylang has no language %q (it has %s): add it in Languages, or set the subscriber's polylang to off",
		lang, strings.Join(have, ", "))}
}

// polylangLanguages lists the site's Polylang languages, nil when the site has no Polylang
// (the route does not exist: rest_no_route).
func (c *WordPressClient) polylangLanguages(ctx context.Context, site WordPressSite) (polylangLanguages, error) {
	var langs polylangLanguages
	err := c.do(ctx, site, http.MethodGet, "/pll/v1/languages", nil, &langs)
	if wpErrorIs(err, http.StatusNotFound, "rest_no_route") {
		return nil, nil
	}
	if err == nil && langs == nil {
		langs = polylangLanguages{}
	}
	return langs, err
}

// do sends one REST request under /wp-json with the site's credentials, and decodes the answer
// into result (when not nil).
func (c *WordPressClient) do(ctx context.Context, site WordPressSite, method, route string, body, result any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("wordpress: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(site.URL, "/")+"/wp-json"+route, rd)
	if err != nil {
		return fmt.Errorf("wordpress: bad site URL: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.SetBasicAuth(site.Username, site.AppPassword)
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = RedactURL(ue.URL)
		}
		return fmt.Errorf("wordpress: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("wordpress: reading the answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		return wordpressError(resp, raw)
	}
	if result == nil {
		return nil
	}
	// Some sites' plugins print a byte-order mark or stray output before the JSON.
	raw = bytes.TrimLeft(raw, "\ufeff \r\n\t")
	if err := json.Unmarshal(raw, result); err != nil {
		return fmt.Errorf("wordpress: %s answered %d with something other than the JSON expected (%.100q): %w", route, resp.StatusCode, raw, err)
	}
	return nil
}

func wordpressError(resp *http.Response, raw []byte) error {
	e := &WordPressError{Status: resp.StatusCode, Message: http.StatusText(resp.StatusCode),
		RetryAfter: tarjuma.RetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(bytes.TrimLeft(raw, "\ufeff \r\n\t"), &body) == nil && body.Code != "" {
		e.Code, e.Message = body.Code, body.Message
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		e.Message = fmt.Sprintf("the site redirects to %q; redirects are not followed", RedactURL(resp.Header.Get("Location")))
		e.Hint = "register the site's address as it redirects"
	case resp.StatusCode == http.StatusUnauthorized:
		e.Hint = "check the username and the application password (Users → Profile → Application Passwords)"
	case resp.StatusCode == http.StatusForbidden:
		e.Hint = "the user's role does not allow this; an Editor or Author role is needed"
	}
	return e
}

// WordPressSettings are a WordPress subscriber's settings, the JSON of Subscriber.Settings:
// what its posts are made as. The site root is the subscriber's URL.
type WordPressSettings struct {
	Status     string `json:"status,omitempty"`      // DefaultWordPressStatus when empty
	CategoryID int64  `json:"category_id,omitempty"` // 0: the site's default
	AuthorID   int64  `json:"author_id,omitempty"`   // 0: the user of the credentials
	Polylang   string `json:"polylang,omitempty"`    // PolylangAuto when empty, or PolylangOff
}

// Validate checks settings an admin gave, naming the field at fault.
func (s WordPressSettings) Validate() error {
	switch {
	case s.Status != "" && !slices.Contains(WordPressStatuses(), s.Status):
		return fmt.Errorf("status must be one of %v", WordPressStatuses())
	case s.CategoryID < 0:
		return errors.New("category_id must be a category's id")
	case s.AuthorID < 0:
		return errors.New("author_id must be a user's id")
	case s.Polylang != "" && s.Polylang != PolylangAuto && s.Polylang != PolylangOff:
		return fmt.Errorf("polylang must be %q or %q", PolylangAuto, PolylangOff)
	}
	return nil
}

// WordPressCredentials are what a WordPress subscriber's sealed credentials hold (JSON).
type WordPressCredentials struct {
	Username    string `json:"username"`
	AppPassword string `json:"app_password"`
}

// NewWordPressSite is the site of a subscriber whose URL is siteURL, from its settings and its
// opened credentials, both JSON.
func NewWordPressSite(siteURL string, settings, credentials []byte) (WordPressSite, error) {
	var s WordPressSettings
	if len(settings) > 0 {
		if err := json.Unmarshal(settings, &s); err != nil {
			return WordPressSite{}, &ChannelConfigError{fmt.Errorf("wordpress: settings: %w", err)}
		}
	}
	var c WordPressCredentials
	if err := json.Unmarshal(credentials, &c); err != nil || c.Username == "" || c.AppPassword == "" {
		return WordPressSite{}, &ChannelConfigError{errors.New("wordpress: the credentials lack a username or an application password")}
	}
	if err := s.Validate(); err != nil {
		return WordPressSite{}, &ChannelConfigError{fmt.Errorf("wordpress: settings: %w", err)}
	}
	return WordPressSite{URL: siteURL, Username: c.Username, AppPassword: c.AppPassword, Status: s.Status,
		CategoryID: s.CategoryID, AuthorID: s.AuthorID, Polylang: s.Polylang}, nil
}

// DeliverRelease publishes r's version on site, as Publish, for a connector: prev and siblings
// are the states kept from earlier deliveries of the article on this site (this language's,
// and the other languages' by language), in the JSON it returns. The state returned is nil
// when nothing changed, and is to be kept whatever the Result says.
func (c *WordPressClient) DeliverRelease(ctx context.Context, site WordPressSite, r Release, prev []byte, siblings map[tarjuma.Lang][]byte) (Result, []byte) {
	var st WordPressState
	if err := unmarshalState(prev, &st); err != nil {
		return Result{Err: err}, nil
	}
	trans := map[tarjuma.Lang]WordPressState{}
	for lang, raw := range siblings {
		var s WordPressState
		if unmarshalState(raw, &s) == nil && s.PostID != 0 {
			trans[lang] = s
		}
	}
	next, err := c.Publish(ctx, site, NewWordPressPost(r.Item()), st, trans)
	return channelResult(err), changedState(st, next)
}

// DeliverWithdrawal unpublishes the post of r's article and language that prev names, as
// Withdraw, for a connector.
func (c *WordPressClient) DeliverWithdrawal(ctx context.Context, site WordPressSite, r Release, prev []byte) Result {
	var st WordPressState
	if err := unmarshalState(prev, &st); err != nil {
		return Result{Err: err}
	}
	return channelResult(c.Withdraw(ctx, site, st, wordpressMarker(r.Version.ArticleID, r.Version.Lang)))
}

// CheckSite is Check as a connector's Result.
func (c *WordPressClient) CheckSite(ctx context.Context, site WordPressSite, langs []tarjuma.Lang) Result {
	_, err := c.Check(ctx, site, langs)
	return channelResult(err)
}

func unmarshalState(raw []byte, v any) error {
	if len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &ChannelConfigError{fmt.Errorf("publish: channel state %.100q: %w", raw, err)}
	}
	return nil
}

// changedState is next as JSON, or nil when it is prev.
func changedState[S any](prev, next S) []byte {
	if reflect.DeepEqual(prev, next) {
		return nil
	}
	b, _ := json.Marshal(next) // plain structs of ints and strings
	return b
}

// ChannelConfigError is a failure of a WordPress or Telegram channel found before or beside
// its API's answer (settings or credentials that do not parse, a language the site lacks, a bot
// without the right to post): no retry mends it; a person must change the channel.
type ChannelConfigError struct{ Err error }

func (e *ChannelConfigError) Error() string { return e.Err.Error() }
func (e *ChannelConfigError) Unwrap() error { return e.Err }

// Permanent is true: see the type.
func (e *ChannelConfigError) Permanent() bool { return true }

// channelResult turns a WordPress or Telegram call's outcome into the Result the delivery
// policy judges (Delivery.Judge): 200 for success; the API's status and the wait it asked for
// otherwise, or no status when no answer came. Whether the error is permanent is the error's
// to say: it has a Permanent method.
func channelResult(err error) Result {
	if err == nil {
		return Result{StatusCode: http.StatusOK}
	}
	res := Result{Err: err}
	var status interface{ StatusCode() int }
	if errors.As(err, &status) {
		res.StatusCode = status.StatusCode()
	}
	var wait interface{ RetryDelay() time.Duration }
	if errors.As(err, &wait) {
		res.RetryAfter = wait.RetryDelay()
	}
	return res
}
