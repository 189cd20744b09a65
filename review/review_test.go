package review

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.client(t)
	if resp := c.get("/review/1/tg?x=1"); resp.status != http.StatusSeeOther || resp.location != "/login?next=%2Freview%2F1%2Ftg%3Fx%3D1" {
		t.Fatalf("anonymous editor: %d to %q", resp.status, resp.location)
	}
	c.get("/login")
	resp := c.post("/login", url.Values{"email": {"tg@desk.test"}, "password": {"wrong-password"}, "next": {"/review/1/tg"}})
	if resp.status != http.StatusUnauthorized || !strings.Contains(resp.body, `id="login-error"`) || !strings.Contains(resp.body, `value="tg@desk.test"`) {
		t.Errorf("wrong password: %d, want 401 with the message and the email kept", resp.status)
	}
	resp = c.post("/login", url.Values{"email": {"TG@desk.test"}, "password": {password}, "next": {"/review/1/tg"}})
	if resp.status != http.StatusSeeOther || resp.location != "/review/1/tg" {
		t.Fatalf("log in: %d to %q, want 303 to the page asked for", resp.status, resp.location)
	}
	if resp := c.get("/login"); resp.status != http.StatusSeeOther {
		t.Errorf("login page when signed in: %d, want a redirect", resp.status)
	}
	c.get("/review")
	if resp := c.post("/logout", nil); resp.status != http.StatusSeeOther || resp.location != "/login" {
		t.Errorf("log out: %d to %q", resp.status, resp.location)
	}
	if resp := c.get("/review"); resp.status != http.StatusSeeOther {
		t.Errorf("after logout /review: %d, want a redirect to login", resp.status)
	}

	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		c := f.client(t)
		resp := c.post("/login", url.Values{"email": {"tg@desk.test"}, "password": {password}, "next": {next}})
		if resp.location != "/review" {
			t.Errorf("next=%q: redirect to %q, want /review", next, resp.location)
		}
	}

	limited := f.client(t)
	var last response
	for range 6 {
		last = limited.post("/login", url.Values{"email": {"reviewer@desk.test"}, "password": {"not-the-password"}})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "Too many failed attempts") {
		t.Errorf("sixth failed login: %d, want 429 with the rate-limit message", last.status)
	}
	// The wait is the rest of the (email, address) window: at most 15 minutes, whole seconds.
	if s, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || s <= 0 || s > 15*60 {
		t.Errorf("sixth failed login: Retry-After %q, want 1–900 seconds", last.header.Get("Retry-After"))
	}
}

// TestLoginRedisDown: with the throttle's Redis gone the login form says so with a 503; it
// does not sign anyone in unthrottled.
func TestLoginRedisDown(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db", func(c *Config) {
		c.Auth = auth.New(auth.Config{DB: c.DB, Redis: rdb})
	})
	mr.Close()
	c := f.client(t)
	c.get("/login")
	resp := c.post("/login", url.Values{"email": {"tg@desk.test"}, "password": {password}})
	if resp.status != http.StatusServiceUnavailable || !strings.Contains(resp.body, "Signing in is unavailable") || resp.header.Get("Retry-After") == "" {
		t.Errorf("login with Redis down: %d %q, want 503 with the unavailable message and Retry-After", resp.status, resp.header.Get("Retry-After"))
	}
	if resp := c.get("/review"); resp.status != http.StatusSeeOther {
		t.Errorf("after a refused login /review: %d, want a redirect to login", resp.status)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	ctx := context.Background()
	c := f.signedIn(t, "reviewer")
	resp := c.post("/review/1/tg/approve", url.Values{"version": {"1"}, "csrf_token": {"forged"}})
	if resp.status != http.StatusForbidden {
		t.Errorf("approve with a wrong CSRF token: %d, want 403", resp.status)
	}
	if tr, _ := f.db.Translation(ctx, 1, tarjuma.Tajik); tr.Status != tarjuma.StatusNeedsReview {
		t.Errorf("status %s after a forged approval", tr.Status)
	}

	a, d := f.publishDraft(t)
	admin := f.signedIn(t, "admin")
	for _, path := range []string{"/subscribers", "/subscribers/1/rotate", "/subscribers/1/delete",
		"/review/" + itoa64(a.ID) + "/tg/deliveries/" + itoa64(d.ID) + "/redeliver"} {
		form := url.Values{"url": {receiverURL}, "lang": {"tg"}, "confirm": {"yes"}, "csrf_token": {"forged"}}
		if resp := admin.post(path, form); resp.status != http.StatusForbidden {
			t.Errorf("%s with a wrong CSRF token: %d, want 403", path, resp.status)
		}
	}
	subs, err := f.db.Subscribers(ctx)
	if err != nil || len(subs) != 1 || subs[0].PreviousSecret != "" {
		t.Errorf("after forged subscriber actions: %+v, %v; want the one subscriber unchanged", subs, err)
	}
	if logs, _ := f.db.Deliveries(ctx, a.ID, tarjuma.Tajik); logs[0].Round != d.Round {
		t.Error("a forged redelivery was done")
	}
}

func TestEditorShowsQA(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		resp := f.signedIn(t, "translator").get("/review/1/tg")
		if resp.status != http.StatusOK {
			t.Fatalf("editor: %d", resp.status)
		}
		for _, want := range []string{
			`<html lang="en" dir="ltr">`,
			`class="source" lang="ar" dir="rtl"`,
			`<mark class="term" data-term="dushanbe" title="Glossary: write “Душанбе”">`,
			`Number 16 of the translation is not in the source.`,
			`The translation is empty.`,
			`Not translated: the text is the Arabic source.`,
			`Machine (google)`, `Translation memory`, `Untranslated`,
			`<kbd dir="ltr">Alt+↓</kbd>`,
			`name="base_version" value="1"`,
		} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("editor lacks %s", want)
			}
		}
		// ٢٠٢٤ in the source is 2024 in the target, ١٥ is 15: no mismatch.
		if strings.Contains(resp.body, "Number 2024") || strings.Contains(resp.body, "Number 15") {
			t.Error("2024 flagged although the source has ٢٠٢٤")
		}
	})
}

// TestEditorShowsStoredFlags: the editor shows the flags stored with the version, worded in
// the reader's language, even where checking the text again would raise other ones; the
// fixture's draft, stored without flags as versions were before, shows them derived (see
// TestEditorShowsQA).
func TestEditorShowsStoredFlags(t *testing.T) {
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	ctx := context.Background()
	v1, err := f.db.Version(ctx, f.article.ID, tarjuma.Tajik, 1)
	if err != nil {
		t.Fatal(err)
	}
	segs := v1.Segments
	segs[1].Flags = []tarjuma.Flag{{Kind: qa.NumberMissing, Args: []string{"99"}},
		{Kind: qa.TermWrongCase, Args: []string{"Душанберо", "Душанбе"}}}
	segs[2].Flags = []tarjuma.Flag{}
	if _, err := f.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: f.article.ID, Lang: tarjuma.Tajik, BaseVersion: 1,
		Segments: segs, Author: "test"}); err != nil {
		t.Fatal(err)
	}
	body := f.signedIn(t, "translator").get("/review/1/tg").body
	for _, want := range []string{
		`Number 99 of the source is not in the translation.`,
		`“Душанберо” is not the case this position needs: write “Душанбе”.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("editor lacks %s", want)
		}
	}
	// Segment 2 holds the draft's 16, which its source lacks, and segment 3 is empty; both were
	// stored without flags, so a page that checked again would show them.
	for _, recomputed := range []string{"Number 16 of the translation", "The translation is empty."} {
		if strings.Contains(body, recomputed) {
			t.Errorf("editor shows %q: it checked the text again instead of showing the stored flags", recomputed)
		}
	}
}

func TestSaveAndConflict(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ana, bob := f.signedIn(t, "translator"), f.signedIn(t, "reviewer")
		segs := draftSegments()
		resp := ana.post("/review/1/tg", editForm(1, segs, map[string]string{"p1.s2": "15 ҳайат омад."}))
		if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.location, "/review/1/tg?done=saved") {
			t.Fatalf("save: %d to %q\n%s", resp.status, resp.location, resp.body)
		}
		v, err := f.db.LatestVersion(ctx, 1, tarjuma.Tajik)
		if err != nil || v.Number != 2 || v.Author != "tg@desk.test" || v.Machine {
			t.Fatalf("latest version %d by %q (machine %v), %v; want 2 by the translator", v.Number, v.Author, v.Machine, err)
		}
		if s := v.Segments[2]; s.Text != "15 ҳайат омад." || s.Origin != tarjuma.OriginHuman {
			t.Errorf("edited segment = %q from %s, want the new text from a human", s.Text, s.Origin)
		}
		if s := v.Segments[1]; s.Origin != tarjuma.OriginMemory || len(s.Terms) != 1 || len(s.Checks) != 1 || s.Checks[0].Result != "ok" {
			t.Errorf("unchanged segment: origin %s, terms %v, checks %v; want its origin kept and the glossary checked", s.Origin, s.Terms, s.Checks)
		}
		if resp := ana.get(resp.location); !strings.Contains(resp.body, "Saved as a new version.") {
			t.Error("no notice after saving")
		}

		// Bob opened version 1 before Ana saved; his save must not overwrite hers.
		mine := "Сарлавҳаи Боб"
		resp = bob.post("/review/1/tg", editForm(1, segs, map[string]string{"title": mine}))
		if resp.status != http.StatusConflict {
			t.Fatalf("stale save: %d, want 409", resp.status)
		}
		for _, want := range []string{`id="error"`, ">" + mine + "</textarea>", `name="base_version" value="2"`, "15 ҳайат омад."} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("conflict page lacks %s", want)
			}
		}
		// Only Bob changed the title and only Ana p1.s2: nothing is blamed on the other, the
		// boxes hold his title and her segment, and nothing asks for a choice.
		if n := strings.Count(resp.body, `<div class="theirs">`); n != 0 {
			t.Errorf("conflict page shows %d segments as changed by someone else, want none", n)
		}
		if !strings.Contains(resp.body, ">15 ҳайат омад.</textarea>") {
			t.Error("conflict page does not keep Ana's p1.s2 in its box")
		}
		// Both changed p1.s2: his text in the box, hers beside it with the choice, and the
		// flags are those of his text (its 17, which the source lacks), not of hers.
		resp = bob.post("/review/1/tg", editForm(1, segs, map[string]string{"title": mine, "p1.s2": "17 ҳайат омад."}))
		if resp.status != http.StatusConflict {
			t.Fatalf("stale save of the same segment: %d, want 409", resp.status)
		}
		if n := strings.Count(resp.body, `<div class="theirs">`); n != 1 || !strings.Contains(resp.body, ">17 ҳайат омад.</textarea>") ||
			!strings.Contains(resp.body, `name="seg_theirs" value="p1.s2"`) {
			t.Errorf("same-segment conflict: %d shown as theirs, want p1.s2 with his text in the box and the choice", n)
		}
		if !strings.Contains(resp.body, "Number 17 of the translation") {
			t.Error("the conflict page does not flag the text in the box")
		}
		// He takes theirs for p1.s2 and keeps his title.
		form := editForm(2, segs, map[string]string{"title": mine, "p1.s2": "17 ҳайат омад."})
		form.Add("seg_theirs", "p1.s2")
		if resp := bob.post("/review/1/tg", form); resp.status != http.StatusSeeOther {
			t.Fatalf("save with theirs taken: %d", resp.status)
		}
		if v, _ := f.db.LatestVersion(ctx, 1, tarjuma.Tajik); v.Number != 3 || v.Segments[0].Text != mine || v.Segments[2].Text != "15 ҳайат омад." {
			t.Errorf("after taking theirs: version %d with %q, %q", v.Number, v.Segments[0].Text, v.Segments[2].Text)
		}

		if resp := bob.post("/review/1/tg", url.Values{"base_version": {"3"}, "seg_id": {"title"}, "seg_text": {"x"}}); resp.status != http.StatusUnprocessableEntity {
			t.Errorf("save with segments missing: %d, want 422", resp.status)
		}
		if resp := bob.post("/review/1/tg", editForm(3, segs, map[string]string{"title": "a\x00b"})); resp.status != http.StatusUnprocessableEntity {
			t.Errorf("save with NUL: %d, want 422", resp.status)
		}
	})
}

func TestApproveAndReject(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		rev, ana := f.signedIn(t, "reviewer"), f.signedIn(t, "translator")
		resp := rev.post("/review/1/tg/reject", url.Values{"version": {"1"}, "comment": {"  "}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "a rejection needs a comment") {
			t.Fatalf("reject without comment: %d", resp.status)
		}
		resp = rev.post("/review/1/tg/reject", url.Values{"version": {"1"}, "comment": {"Fix the numbers"}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("reject: %d\n%s", resp.status, resp.body)
		}
		if tr, _ := f.db.Translation(ctx, 1, tarjuma.Tajik); tr.Status != tarjuma.StatusRejected {
			t.Fatalf("status %s after rejection", tr.Status)
		}
		page := ana.get("/review/1/tg")
		if !strings.Contains(page.body, "Fix the numbers") || strings.Contains(page.body, `id="approve"`) {
			t.Error("the translator should see the comment and no approve button")
		}
		if resp := ana.post("/review/1/tg", editForm(1, draftSegments(), map[string]string{"p1.s2": "15 ҳайат омад."})); resp.status != http.StatusSeeOther {
			t.Fatalf("save after rejection: %d", resp.status)
		}
		if resp := rev.post("/review/1/tg/approve", url.Values{"version": {"1"}, "comment": {"ok"}}); resp.status != http.StatusConflict ||
			!strings.Contains(resp.body, `>ok</textarea>`) {
			t.Errorf("approve a superseded version: %d, want 409 with the comment kept", resp.status)
		}
		// p2.s1 is still untranslated: only an override approves version 2.
		if resp := rev.post("/review/1/tg/approve", url.Values{"version": {"2"}}); resp.status != http.StatusConflict {
			t.Errorf("approve with an untranslated segment: %d, want 409", resp.status)
		}
		resp = rev.post("/review/1/tg/approve", url.Values{"version": {"2"}, "override": {"1"}, "override_reason": {"The quote stays in Arabic."}})
		if resp.status != http.StatusSeeOther || resp.location != "/review/1/tg?done=approved" {
			t.Fatalf("approve: %d to %q", resp.status, resp.location)
		}
		// The store publishes what is approved in the same transaction.
		if tr, _ := f.db.Translation(ctx, 1, tarjuma.Tajik); tr.Status != tarjuma.StatusApproved && tr.Status != tarjuma.StatusPublished {
			t.Errorf("status %s after approval", tr.Status)
		}
		if resp := rev.get(resp.location); !strings.Contains(resp.body, "Approved.") || strings.Contains(resp.body, `id="approve"`) {
			t.Error("after approval: want the notice and no approve button")
		}
	})
}

func TestHistory(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		c := f.signedIn(t, "translator")
		if resp := c.get("/review/1/tg/history"); !strings.Contains(resp.body, "There is only one version so far.") {
			t.Errorf("history of one version:\n%s", resp.body)
		}
		c.post("/review/1/tg", editForm(1, draftSegments(), map[string]string{"title": "Саммит дар шаҳри Душанбе"}))
		resp := c.get("/review/1/tg/history")
		for _, want := range []string{`<ins>шаҳри </ins>`, "1 segment changed", "tg@desk.test", "Machine translation", `id="v2"`} {
			if !strings.Contains(resp.body, want) {
				t.Errorf("history lacks %s", want)
			}
		}
		if resp := c.get("/review/1/tg/history?from=2&to=1"); !strings.Contains(resp.body, `<del>шаҳри </del>`) {
			t.Error("history from 2 to 1 should show the word as deleted")
		}
		if resp := c.get("/review/1/tg/history?from=1&to=9"); resp.status != http.StatusNotFound {
			t.Errorf("history to a missing version: %d, want 404", resp.status)
		}
	})
}

func TestQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.signedIn(t, "translator")
	resp := c.get("/review")
	// A translator opens on her languages' drafts.
	for _, want := range []string{`href="/review/1/tg"`, "1 translation", `<option value="mine" selected>`} {
		if !strings.Contains(resp.body, want) {
			t.Errorf("queue lacks %s", want)
		}
	}
	resp = c.get("/review?status=queued&lang=ru")
	if !strings.Contains(resp.body, `href="/review/1/ru"`) || strings.Contains(resp.body, `href="/review/1/tg"`) {
		t.Error("queued Russian filter shows the wrong rows")
	}
	if resp := c.get("/review?status=needs_review&age=7d"); !strings.Contains(resp.body, "Nothing here.") {
		t.Error("nothing has waited a week")
	}
	if resp := c.get("/review?status=bogus"); resp.status != http.StatusUnprocessableEntity {
		t.Errorf("bad status filter: %d, want 422", resp.status)
	}
	c.lang = "ar"
	if resp := c.get("/review?status=&lang="); !strings.Contains(resp.body, "ترجمتان") {
		t.Error("Arabic queue should count two translations in the dual form")
	}
}

func TestGlossaryPages(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.signedIn(t, "admin")
		admin.get("/glossary")
		resp := admin.post("/glossary", url.Values{"id": {"un"}, "kind": {"organization"}, "ar": {"الأمم المتحدة | الامم المتحده"},
			"target_tg": {"Созмони Милал"}, "target_ru": {"ООН | Организация Объединённых Наций"}, "target_en": {"UN"}})
		if resp.status != http.StatusSeeOther {
			t.Fatalf("add term: %d\n%s", resp.status, resp.body)
		}
		term, err := f.db.GlossaryTerm(ctx, "un")
		if err != nil || term.Targets["ru"].Preferred != "ООН" || len(term.Targets["ru"].Accepted) != 1 || len(term.Arabic) != 2 || term.UpdatedBy != "admin@desk.test" {
			t.Fatalf("stored term %+v, %v", term, err)
		}
		resp = admin.post("/glossary", url.Values{"id": {"Bad Id"}, "kind": {"place"}, "ar": {"x"}, "valid_from": {"tomorrow"}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "is not a valid id") ||
			!strings.Contains(resp.body, "is not a date") || !strings.Contains(resp.body, `value="Bad Id"`) {
			t.Errorf("bad term: %d, want 422 with every problem and the form kept\n%s", resp.status, resp.body)
		}
		if resp := admin.post("/glossary", url.Values{"id": {"un"}, "kind": {"organization"}, "ar": {"منظمة"},
			"target_tg": {"a"}, "target_ru": {"b"}, "target_en": {"c"}}); !strings.Contains(resp.body, "exists already") {
			t.Errorf("duplicate id: %d", resp.status)
		}
		resp = admin.post("/glossary/terms/un", url.Values{"id": {"renamed"}, "kind": {"organization"}, "ar": {"الأمم المتحدة"},
			"target_tg": {"СММ"}, "target_ru": {"ООН"}, "target_en": {"UN"}, "note": {"<b>note</b>"}})
		if resp.status != http.StatusSeeOther || resp.location != "/glossary/terms/un?saved=1" {
			t.Fatalf("edit term: %d to %q", resp.status, resp.location)
		}
		if resp := admin.get(resp.location); !strings.Contains(resp.body, "&lt;b&gt;note&lt;/b&gt;") || !strings.Contains(resp.body, "СММ") {
			t.Error("edited term page: want the escaped note and the new form")
		}
		if resp := admin.get("/glossary?q=" + url.QueryEscape("الامم")); !strings.Contains(resp.body, `href="/glossary/terms/un"`) || strings.Contains(resp.body, `href="/glossary/terms/dushanbe"`) {
			t.Error("search by a folded Arabic spelling should find only the UN")
		}

		csv := "id,kind,ar,tg,ru,en,note\nkabul,place,كابل,Кобул,Кабул,Kabul,\n"
		if resp := upload(t, admin, csv, "merge"); resp.status != http.StatusSeeOther || resp.location != "/glossary?imported=1" {
			t.Fatalf("import: %d to %q\n%s", resp.status, resp.location, resp.body)
		}
		if _, err := f.db.GlossaryTerm(ctx, "kabul"); err != nil {
			t.Errorf("imported term: %v", err)
		}
		resp = upload(t, admin, "id,kind,ar,tg,ru,en,note\nbad id,place,,,,,\nok-one,nokind,كلمة,a,b,c,\n", "replace")
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "Line 2:") || !strings.Contains(resp.body, "Line 3:") {
			t.Errorf("bad import: %d, want 422 with problems by line\n%s", resp.status, resp.body)
		}
		if _, err := f.db.GlossaryTerm(ctx, "kabul"); err != nil {
			t.Errorf("a refused replace must keep the glossary: %v", err)
		}
	})
}

func upload(t *testing.T, c *client, csv, mode string) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", c.csrf)
	w.WriteField("mode", mode)
	fw, _ := w.CreateFormFile("file", "terms.csv")
	fw.Write([]byte(csv))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.f.srv.URL+"/glossary/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		c := f.signedIn(t, "editor")
		page := c.get("/submit")
		key := regexpValue(page.body, "key")
		form := url.Values{"title": {"عنوان جديد"}, "body": {"نص الخبر.\nفقرة ثانية."}, "lang": {"tg", "en"}, "priority": {"urgent"}, "key": {key}}
		resp := c.post("/submit", form)
		if resp.status != http.StatusSeeOther || !strings.HasPrefix(resp.location, "/submit?done=") {
			t.Fatalf("submit: %d to %q\n%s", resp.status, resp.location, resp.body)
		}
		again := c.post("/submit", form)
		if again.location != resp.location {
			t.Errorf("a resent form made another article: %q, then %q", resp.location, again.location)
		}
		if n := f.enqueued.Load(); n != 1 {
			t.Errorf("relay woken %d times, want once", n)
		}
		done := c.get(resp.location)
		if !strings.Contains(done.body, `href="/review/2/tg"`) || !strings.Contains(done.body, `href="/review/2/en"`) {
			t.Errorf("confirmation lacks links to the translations\n%s", done.body)
		}
		a, err := f.db.Article(context.Background(), 2)
		if err != nil || a.Priority != tarjuma.PriorityUrgent || a.CreatedBy != "editor@desk.test" || len(a.TargetLangs) != 2 {
			t.Errorf("stored article %+v, %v", a, err)
		}
		bad := c.post("/submit", url.Values{"title": {"Hello"}, "body": {"This is English."}, "lang": {"tg", "tg"}, "priority": {"soon"}})
		for _, want := range []string{"must be Arabic", "Choose at least one target language", "Choose a priority", `value="Hello"`} {
			if !strings.Contains(bad.body, want) {
				t.Errorf("refused submission lacks %q", want)
			}
		}
		if bad.status != http.StatusUnprocessableEntity {
			t.Errorf("refused submission: %d, want 422", bad.status)
		}
	})
}

func regexpValue(body, name string) string {
	i := strings.Index(body, `name="`+name+`" value="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`name="`+name+`" value="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// TestHostileInput stores markup and bidi controls wherever a user can put text and checks
// that the pages show them as inert text: escaped, with the controls visible as ⟨U+…⟩.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	title := "<script>alert(1)</script> قمة \u202Egnp.exe\u202C"
	segs := tarjuma.SplitSource(title, "خبر \u2067مخفي\u2069.")
	segs[0].Text, segs[0].Origin = "<img src=x onerror=alert(1)> \u202Eevil", tarjuma.MachineOrigin("x")
	segs[1].Text, segs[1].Origin = "Хабар.", tarjuma.MachineOrigin("x")
	a := f.createDraft(t, "hostile", title, "خبر \u2067مخفي\u2069.", segs)
	path := "/review/" + itoa64(a.ID) + "/tg"
	rev := f.signedIn(t, "reviewer")
	rev.post(path+"/reject", url.Values{"version": {"1"}, "comment": {"<iframe src=//evil> \u202Eok"}})
	for _, c := range []struct {
		who, path string
	}{{"reviewer", path}, {"editor", path}, {"reviewer", "/review?status="}, {"reviewer", path + "/history"}} {
		resp := f.signedIn(t, c.who).get(c.path)
		body := resp.body
		for _, bad := range []string{"<script>alert", "<img src=x", "<iframe"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s as %s: unescaped %q", c.path, c.who, bad)
			}
		}
		// Outside the editable boxes, no control may act: each is shown as a marker.
		outside := textareas.ReplaceAllString(body, "")
		if strings.ContainsFunc(outside, qa.IsBidiControl) {
			t.Errorf("%s as %s: a raw bidi control outside a text box", c.path, c.who)
		}
		if !strings.Contains(body, "⟨U+202E⟩") {
			t.Errorf("%s as %s: the override is not shown as a marker", c.path, c.who)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"} {
			if resp.header.Get(h) == "" {
				t.Errorf("%s: no %s header", c.path, h)
			}
		}
		if csp := resp.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q", csp)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
			t.Errorf("%s: inline script or style", c.path)
		}
	}
	if resp := f.signedIn(t, "reviewer").get(path); !strings.Contains(resp.body, "invisible direction controls") {
		t.Error("the editor should flag the segments with bidi controls")
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	anon := f.client(t)
	anon.lang = "ar-EG,ar;q=0.9"
	if resp := anon.get("/login"); !strings.Contains(resp.body, `<html lang="ar" dir="rtl">`) || !strings.Contains(resp.body, "تسجيل الدخول") {
		t.Errorf("Accept-Language ar: want an Arabic right-to-left page")
	}
	resp := anon.post("/lang", url.Values{"lang": {"ru"}, "next": {"/glossary"}})
	if resp.status != http.StatusSeeOther || resp.location != "/glossary" {
		t.Fatalf("switch language: %d to %q", resp.status, resp.location)
	}
	if resp := anon.get("/login"); !strings.Contains(resp.body, `<html lang="ru" dir="ltr">`) {
		t.Error("the switcher's cookie should beat Accept-Language")
	}
	if resp := anon.post("/lang", url.Values{"lang": {"fr"}}); resp.status != http.StatusUnprocessableEntity {
		t.Errorf("unknown language: %d, want 422", resp.status)
	}

	// Pages with content languages of their own still offer every interface language.
	for _, path := range []string{"/review", "/submit", "/subscribers"} {
		if resp := f.signedIn(t, "admin").get(path); !strings.Contains(resp.body, `<option value="ar" lang="ar"`) {
			t.Errorf("%s: the language switcher lacks Arabic", path)
		}
	}

	c := f.signedIn(t, "translator")
	c.post("/lang", url.Values{"lang": {"tg"}, "next": {"/review"}})
	u, err := f.db.User(context.Background(), f.users["translator"].ID)
	if err != nil || u.UILang != "tg" {
		t.Fatalf("user's interface language %q, %v; want tg saved", u.UILang, err)
	}
	// Another browser, without the cookie: the setting follows the user.
	other := f.signedIn(t, "translator")
	other.lang = "en"
	if resp := other.get("/review"); !strings.Contains(resp.body, `<html lang="tg" dir="ltr">`) {
		t.Error("the saved setting should beat Accept-Language")
	}
	if resp := f.signedIn(t, "reviewer").get("/review?lang=" + url.QueryEscape("<x>")); resp.status != http.StatusUnprocessableEntity {
		t.Errorf("bad language filter: %d", resp.status)
	}
}

// TestGlossaryForms shows a term's generated forms on its page, marks a term whose forms the
// generator left to the terminologist, and keeps a form corrected on the edit form: once saved,
// it stays, and a correction written for a spelling since changed is not put on the new one.
func TestGlossaryForms(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		admin := f.signedIn(t, "admin")
		add := url.Values{"id": {"kazan"}, "kind": {"place"}, "ar": {"قازان"},
			"target_tg": {"Қазон"}, "target_ru": {"Казань"}, "target_en": {"Kazan"}}
		if resp := admin.post("/glossary", add); resp.status != http.StatusSeeOther {
			t.Fatalf("add term: %d\n%s", resp.status, resp.body)
		}
		// Казань in -нь: feminine, but Тайвань is masculine; the generator does not guess.
		if resp := admin.get("/glossary"); !strings.Contains(resp.body, `<a class="undecided" href="/glossary/terms/kazan#forms">forms to check</a>`) {
			t.Error("glossary list lacks the forms-to-check mark on Казань")
		}
		page := admin.get("/glossary/terms/kazan")
		for _, want := range []string{"The generator cannot tell this noun&#39;s gender: write its forms.",
			"<th scope=\"row\">object (-ро)</th>\n      <td><bdi>Қазонро</bdi>", "not generated: write it"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("term page lacks %q", want)
			}
		}
		edit := url.Values{"kind": {"place"}, "ar": {"قازان"}, "target_tg": {"Қазон"}, "target_ru": {"Казань"}, "target_en": {"Kazan"},
			"forms_ru": {"gen=Казани; dat=Казани; acc=Казань; ins=Казанью; prep=Казани"}, "forms_for_ru": {"Казань"},
			"forms_tg": {"acc=Қазонро; ezafe=Қазони"}, "forms_for_tg": {"Қазон"}}
		if resp := admin.post("/glossary/terms/kazan", edit); resp.status != http.StatusSeeOther {
			t.Fatalf("edit forms: %d\n%s", resp.status, resp.body)
		}
		term, err := f.db.GlossaryTerm(ctx, "kazan")
		if err != nil {
			t.Fatal(err)
		}
		p := term.Paradigm(tarjuma.Russian, "Казань")
		if p.Undecided != "" || p.Forms["ins"] != "Казанью" || len(term.Targets[tarjuma.Tajik].Overrides) != 0 {
			t.Errorf("stored paradigm %+v, tg overrides %v; want the written forms, and none for the generated Tajik ones", p, term.Targets[tarjuma.Tajik].Overrides)
		}
		if resp := admin.get("/glossary/terms/kazan"); !strings.Contains(resp.body, "Казанью</bdi> <span class=\"muted\">(corrected by hand)</span>") {
			t.Error("term page does not mark the corrected form")
		}
		// Forms posted for a spelling the same request changes are not put on the new spelling.
		edit.Set("target_ru", "Казань | Казан")
		edit.Set("forms_ru", "gen=Казана")
		edit.Set("forms_for_ru", "Казань")
		if resp := admin.post("/glossary/terms/kazan", edit); resp.status != http.StatusSeeOther {
			t.Fatalf("edit spellings: %d\n%s", resp.status, resp.body)
		}
		if term, _ = f.db.GlossaryTerm(ctx, "kazan"); term.Paradigm(tarjuma.Russian, "Казань").Forms["gen"] != "Казани" {
			t.Errorf("forms written for other spellings changed the paradigm: %+v", term.Targets[tarjuma.Russian])
		}
		edit.Set("forms_for_ru", "Казань | Казан")
		edit.Set("forms_ru", "gen=Казани|nope")
		if resp := admin.post("/glossary/terms/kazan", edit); resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "cannot be read") {
			t.Errorf("malformed forms: %d, want 422 saying so", resp.status)
		}
	})
}

// TestApproveOpenIssues: the desk's approve form lists a version's untranslated and empty
// segments and refuses to approve it without an override and its reason; with one, the reason
// is on the history page.
func TestApproveOpenIssues(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		if _, err := f.db.CreateSubscriber(ctx, publish.NewSubscriber{URL: receiverURL, Langs: []tarjuma.Lang{tarjuma.Tajik},
			Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"}); err != nil {
			t.Fatal(err)
		}
		rev := f.signedIn(t, "reviewer")
		// refused: the approval left nothing behind.
		refused := func(t *testing.T, id int64) {
			t.Helper()
			tr, _ := f.db.Translation(ctx, id, tarjuma.Tajik)
			logs, _ := f.db.Deliveries(ctx, id, tarjuma.Tajik)
			evs, _ := f.db.ReviewEvents(ctx, id, tarjuma.Tajik)
			if tr.Status != tarjuma.StatusNeedsReview || len(logs) != 0 || len(evs) != 0 {
				t.Errorf("after a refused approval: %s, %d deliveries, %d decisions; want needs_review and none", tr.Status, len(logs), len(evs))
			}
		}
		// The fixture's draft: p1.s2 empty, p2.s1 untranslated, nothing confirmed (a machine draft).
		page := rev.get("/review/1/tg")
		for _, want := range []string{`id="open-issues"`, `<li data-segment="p1.s2" data-kind="empty"><a href="#seg-p1.s2">p1.s2</a>: The translation is empty.</li>`,
			`<li data-segment="p2.s1" data-kind="untranslated"><a href="#seg-p2.s1">p2.s1</a>: Not translated: the text is the Arabic source.</li>`,
			`<li data-segment="title" data-kind="unconfirmed"><a href="#seg-title">Title</a>: Not confirmed by a translator yet.</li>`,
			`id="override"`, `name="override_reason"`} {
			if !strings.Contains(page.body, want) {
				t.Errorf("approve form lacks %s", want)
			}
		}
		resp := rev.post("/review/1/tg/approve", url.Values{"version": {"1"}, "comment": {"ok"}})
		if resp.status != http.StatusConflict || !strings.Contains(resp.body, "still has open issues") || !strings.Contains(resp.body, `>ok</textarea>`) {
			t.Errorf("approve with open issues: %d, want 409 with the issues and the comment kept\n%s", resp.status, resp.body)
		}
		refused(t, 1)
		resp = rev.post("/review/1/tg/approve", url.Values{"version": {"1"}, "override": {"1"}, "override_reason": {" \r\n "}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "an override needs a reason") {
			t.Errorf("override without a reason: %d, want 422", resp.status)
		}
		refused(t, 1)
		// A reason alone, without the box ticked, overrides nothing.
		if resp := rev.post("/review/1/tg/approve", url.Values{"version": {"1"}, "override_reason": {"why not"}}); resp.status != http.StatusConflict {
			t.Errorf("a reason without the override: %d, want 409", resp.status)
		}
		refused(t, 1)

		// Only an empty segment (once the draft is saved, so confirmed): refused the same way.
		segs := tarjuma.SplitSource("عنوان آخر", "جملة أولى.")
		segs[0].Text, segs[0].Origin = "Сарлавҳаи дигар", tarjuma.MachineOrigin("google")
		segs[1].Text, segs[1].Origin = "   ", tarjuma.MachineOrigin("google")
		empty := f.createDraft(t, "empty", "عنوان آخر", "جملة أولى.", segs)
		emptyPath := "/review/" + itoa64(empty.ID) + "/tg"
		if resp := rev.post(emptyPath, editForm(1, segs, nil)); resp.status != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.status)
		}
		resp = rev.post(emptyPath+"/approve", url.Values{"version": {"2"}})
		if resp.status != http.StatusConflict || !strings.Contains(resp.body, `<li data-segment="p1.s1" data-kind="empty"><a href="#seg-p1.s1">p1.s1</a>: The translation is empty.</li>`) ||
			strings.Contains(resp.body, `data-kind="unconfirmed"`) {
			t.Errorf("approve with an empty segment: %d, want 409 listing p1.s1 as empty and nothing unconfirmed", resp.status)
		}
		refused(t, empty.ID)

		// A clean version, saved and so confirmed, approves as before, and its form offers no override.
		segs[1].Text = "Ҷумлаи аввал."
		clean := f.createDraft(t, "clean", "عنوان آخر", "جملة أولى.", segs)
		cleanPath := "/review/" + itoa64(clean.ID) + "/tg"
		if resp := rev.post(cleanPath, editForm(1, segs, nil)); resp.status != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.status)
		}
		if page := rev.get(cleanPath); strings.Contains(page.body, `id="open-issues"`) || !strings.Contains(page.body, `id="approve"`) {
			t.Error("a clean version's form: want the approve button and no open issues")
		}
		if resp := rev.post(cleanPath+"/approve", url.Values{"version": {"2"}}); resp.status != http.StatusSeeOther {
			t.Errorf("approve a clean version: %d, want 303", resp.status)
		}

		// The override, with its reason, approves, and the history says who and why.
		resp = rev.post("/review/1/tg/approve", url.Values{"version": {"1"}, "override": {"1"}, "override_reason": {"The quote stays in Arabic."}})
		if resp.status != http.StatusSeeOther || resp.location != "/review/1/tg?done=approved" {
			t.Fatalf("approve with an override: %d to %q", resp.status, resp.location)
		}
		if tr, _ := f.db.Translation(ctx, 1, tarjuma.Tajik); tr.Status != tarjuma.StatusApproved {
			t.Errorf("status %s after the override, want approved", tr.Status)
		}
		if logs, _ := f.db.Deliveries(ctx, 1, tarjuma.Tajik); len(logs) != 1 {
			t.Errorf("%d deliveries after the override, want 1", len(logs))
		}
		hist := rev.get("/review/1/tg/history")
		for _, want := range []string{"reviewer@desk.test", "Approved over open issues:", "p1.s2 (The translation is empty.)",
			"p2.s1 (Not translated: the text is the Arabic source.)", "Title (Not confirmed by a translator yet.)",
			`<blockquote dir="auto" class="override-reason">The quote stays in Arabic.</blockquote>`} {
			if !strings.Contains(hist.body, want) {
				t.Errorf("history lacks %s", want)
			}
		}
	})
}
