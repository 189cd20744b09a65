package review

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

const password = "a-long-test-password"

// The fixture's people, by the name tests use for them.
var people = map[string]auth.NewUser{
	"editor":     {Email: "editor@desk.test", Role: tarjuma.RoleEditor},
	"translator": {Email: "tg@desk.test", Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}},
	"ru-only":    {Email: "ru@desk.test", Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Russian}},
	"reviewer":   {Email: "reviewer@desk.test", Role: tarjuma.RoleReviewer},
	"admin":      {Email: "admin@desk.test", Role: tarjuma.RoleAdmin},
}

// The draft every fixture holds: article 1, translated into Tajik by "the machine", with a
// glossary term in the title, a number written in Arabic-Indic digits, an untranslated and
// an empty segment.
const (
	sourceTitle = "قمة في دوشنبه"
	sourceBody  = "اجتمع القادة عام ٢٠٢٤ في دوشنبه. وصل ١٥ وفدا.\nنص بلا ترجمة."
)

func draftSegments() []tarjuma.Segment {
	segs := tarjuma.SplitSource(sourceTitle, sourceBody)
	texts := []string{"Саммит дар Душанбе", "Роҳбарон соли 2024 дар Душанбе ҷамъ омаданд, 16 ҳайат.", "", "نص بلا ترجمة."}
	origins := []tarjuma.Origin{tarjuma.MachineOrigin("google"), tarjuma.OriginMemory, tarjuma.MachineOrigin("google"), tarjuma.OriginUntranslated}
	for i := range segs {
		segs[i].Text, segs[i].Origin = texts[i], origins[i]
	}
	return segs
}

type fixture struct {
	db       *store.DB
	srv      *httptest.Server
	article  tarjuma.Article
	users    map[string]tarjuma.User
	enqueued atomic.Int32
}

func (f *fixture) Wake() { f.enqueued.Add(1) }

// eachDB runs test against a desk over every database testenv offers.
func eachDB(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	testenv.EachDB(t, func(t *testing.T, url string) *fixture { return newFixture(t, url) }, test)
}

// newFixture serves a desk over a fresh database with the people, a one-term glossary and the
// draft; options change the desk's Config.
func newFixture(t testing.TB, url string, options ...func(*Config)) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, users: map[string]tarjuma.User{}}
	for name, nu := range people {
		nu.Password = password
		u, err := auth.CreateUser(ctx, db, nu)
		if err != nil {
			t.Fatal(err)
		}
		f.users[name] = u
	}
	if _, err := db.CreateGlossaryTerm(ctx, glossary.Term{ID: "dushanbe", Kind: glossary.KindPlace, Arabic: []string{"دوشنبه"},
		Targets: map[tarjuma.Lang]glossary.Forms{"tg": {Preferred: "Душанбе"}, "ru": {Preferred: "Душанбе"}, "en": {Preferred: "Dushanbe"}}}, "test"); err != nil {
		t.Fatal(err)
	}
	f.article = f.createDraft(t, "first", sourceTitle, sourceBody, draftSegments())
	lb, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	// One Auth for the pages and the desk, as cmd wires them: one login throttle.
	au := auth.New(auth.Config{DB: db, Redis: testRedis(t)})
	cfg := Config{DB: db, Desk: desk.New(desk.Config{DB: db, Waker: f, Auth: au, Sealer: testSealer}), Auth: au, Locale: lb,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	for _, o := range options {
		o(&cfg)
	}
	f.srv = httptest.NewServer(New(cfg))
	t.Cleanup(f.srv.Close)
	return f
}

// testRedis is a client of a miniredis of the test's own, for the login throttle.
func testRedis(t testing.TB) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
	t.Cleanup(func() { c.Close() })
	return c
}

// createDraft stores an article and a machine version of its Tajik translation.
func (f *fixture) createDraft(t testing.TB, externalID, title, body string, segs []tarjuma.Segment) tarjuma.Article {
	t.Helper()
	ctx := context.Background()
	a, _, err := f.db.CreateArticle(ctx, store.NewArticle{ExternalID: externalID, Title: title, Body: body,
		TargetLangs: []tarjuma.Lang{tarjuma.Tajik, tarjuma.Russian}, Priority: tarjuma.PriorityDefault, Author: "editor@desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	return a
}

// receiverURL is the fixture's webhook receiver; nothing listens there, the tests record
// attempts themselves.
const receiverURL = "https://receiver.example/hook"

// publishDraft stores another article whose Tajik translation is approved and delivered to a
// subscriber for Tajik, after a failed attempt, so that its editor shows a delivery log.
func (f *fixture) publishDraft(t testing.TB) (tarjuma.Article, publish.DeliveryLog) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: receiverURL, Langs: []tarjuma.Lang{tarjuma.Tajik},
		Description: "Сайт", Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"}); err != nil {
		t.Fatal(err)
	}
	a := f.createDraft(t, "published", sourceTitle, sourceBody, draftSegments())
	if err := f.db.Approve(ctx, a.ID, tarjuma.Tajik, 1, "reviewer@desk.test", "", fixtureOverride); err != nil {
		t.Fatal(err)
	}
	logs, err := f.db.Deliveries(ctx, a.ID, tarjuma.Tajik)
	if err != nil || len(logs) != 1 {
		t.Fatalf("deliveries after approval: %d, %v; want one", len(logs), err)
	}
	for _, at := range []struct {
		status  int
		err     string
		outcome publish.Outcome
	}{{500, "receiver answered 500", publish.OutcomeRetry}, {204, "", publish.OutcomeDelivered}} {
		if err := f.db.RecordAttempt(ctx, publish.Attempt{DeliveryID: logs[0].ID, At: time.Now(), StatusCode: at.status,
			Latency: 120 * time.Millisecond, Error: at.err}, at.outcome); err != nil {
			t.Fatal(err)
		}
	}
	if logs, err = f.db.Deliveries(ctx, a.ID, tarjuma.Tajik); err != nil {
		t.Fatal(err)
	}
	return a, logs[0]
}

// client is a browser: it keeps cookies, does not follow redirects (tests look at them), and
// remembers the CSRF token of the last page it read.
type client struct {
	t    testing.TB
	f    *fixture
	http *http.Client
	csrf string
	lang string // Accept-Language
}

func (f *fixture) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, f: f, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signedIn returns a client signed in as one of the fixture's people ("" for nobody).
func (f *fixture) signedIn(t testing.TB, who string) *client {
	t.Helper()
	c := f.client(t)
	if who == "" {
		return c
	}
	c.get("/login")
	resp := c.post("/login", url.Values{"email": {people[who].Email}, "password": {password}, "next": {"/review"}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("log in as %s: %d\n%s", who, resp.status, resp.body)
	}
	c.get("/review") // picks up the session's CSRF token
	return c
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := csrfField.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form with the client's CSRF token.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf_token") {
		form.Set("csrf_token", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// editForm is the editor's save form with the draft's texts, changed where edits say.
func editForm(base int, segs []tarjuma.Segment, edits map[string]string) url.Values {
	form := url.Values{"base_version": {strconv.Itoa(base)}}
	for _, s := range segs {
		text := s.Text
		if e, ok := edits[s.ID]; ok {
			text = e
		}
		form.Add("seg_id", s.ID)
		form.Add("seg_text", text)
	}
	return form
}

// textareas matches the editable boxes, whose content is the user's text as it is.
var textareas = regexp.MustCompile(`(?s)<textarea[^>]*>.*?</textarea>`)

// targetBoxes matches the segments' target boxes alone, not the comment and note boxes.
var targetBoxes = regexp.MustCompile(`(?s)<textarea[^>]*class="target-text"[^>]*>.*?</textarea>`)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// fixtureOverride approves draftSegments' versions, whose empty and untranslated segments are
// open issues, where the approval is not what is under test.
var fixtureOverride = &store.Override{Reason: "test fixture: the empty and untranslated segments stay"}

// testSealer seals the credentials of channels the tests add, through either door.
var testSealer = func() *publish.Sealer {
	s, err := publish.ParseKey(publish.NewKey())
	if err != nil {
		panic(err)
	}
	return s
}()
