package review

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A comment with a mention reaches the mentioned reviewer's queue and leaves it once she opens
// the translation; the editor shows it at its segment, with data-comments counting it.
func TestCommentsAndMentions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, f *fixture) {
		tr, rev := f.signedIn(t, "translator"), f.signedIn(t, "reviewer")
		tr.get("/review/1/tg")
		resp := tr.post("/review/1/tg/comments", url.Values{"segment": {"p1.s1"}, "body": {"@reviewer ١٥ ё 16? «Душанбе»"}})
		if resp.status != http.StatusSeeOther || !strings.Contains(resp.location, "done=commented#comment-") {
			t.Fatalf("comment: %d to %q", resp.status, resp.location)
		}
		queue := rev.get("/review").body
		if !strings.Contains(queue, `id="mentions"`) || !strings.Contains(queue, "1 comment mentions you") ||
			!strings.Contains(queue, "@reviewer ١٥ ё 16? «Душанбе»") || !strings.Contains(queue, `href="/review/1/tg#comment-1"`) {
			t.Errorf("the reviewer's queue does not list the mention:\n%s", section(queue, `id="mentions"`))
		}
		if strings.Contains(tr.get("/review").body, `id="mentions"`) {
			t.Error("the author's own queue lists her comment as a mention")
		}
		page := rev.get("/review/1/tg").body
		if !regexp.MustCompile(`id="seg-p1\.s1" data-segment="p1\.s1"[^>]* data-comments="1"`).MatchString(page) ||
			!regexp.MustCompile(`data-segment="p1\.s2"[^>]* data-comments="0"`).MatchString(page) {
			t.Error("data-comments does not count the segments' comments")
		}
		if !strings.Contains(page, `<article class="comment kind-comment" id="comment-1">`) {
			t.Error("the editor does not show the comment")
		}
		if strings.Contains(rev.get("/review").body, `id="mentions"`) {
			t.Error("the mention stays in the queue after the reviewer opened the translation")
		}

		// A reply, and a refused comment whose text comes back in its box.
		if resp := rev.post("/review/1/tg/comments", url.Values{"segment": {"p1.s1"}, "reply_to": {"1"}, "body": {"16 дуруст аст."}}); resp.status != http.StatusSeeOther {
			t.Fatalf("reply: %d", resp.status)
		}
		if page := tr.get("/review/1/tg").body; !strings.Contains(page, `<article class="comment kind-comment reply" id="comment-2">`) || !strings.Contains(page, `data-comments="2"`) {
			t.Error("the reply is not shown in the thread")
		}
		resp = tr.post("/review/1/tg/comments", url.Values{"segment": {"p1.s2"}, "body": {"@nobody <b>ҳа</b>"}})
		if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, "A mention names nobody on the desk") ||
			!strings.Contains(resp.body, `form="cf-2" rows="2" dir="auto" class="comment-text">@nobody &lt;b&gt;ҳа&lt;/b&gt;</textarea>`) {
			t.Errorf("unknown mention: %d; want 422 with the message and the text kept, escaped", resp.status)
		}
	})
}

// section is the part of page from the first occurrence of mark, for failure messages.
func section(page, mark string) string {
	if i := strings.Index(page, mark); i >= 0 {
		return page[i:min(len(page), i+1500)]
	}
	return "(" + mark + " not found)"
}

// A rejection with notes on segments shows each note at its segment, marked as a rejection's,
// and a summary at the top of the editor linking to them.
func TestRejectionNotesShown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	rev, tr := f.signedIn(t, "reviewer"), f.signedIn(t, "translator")
	rev.get("/review/1/tg")
	// Without the comment the rejection is refused, and the notes come back in their boxes.
	resp := rev.post("/review/1/tg/reject", url.Values{"version": {"1"}, "note_segment": {"p1.s1"}, "note": {"١٥ <ҳайат>"}})
	if resp.status != http.StatusUnprocessableEntity || !strings.Contains(resp.body, `form="decide-form" rows="1" dir="auto">١٥ &lt;ҳайат&gt;</textarea>`) {
		t.Errorf("a refused rejection: %d; want 422 with the note kept", resp.status)
	}
	resp = rev.post("/review/1/tg/reject", url.Values{"version": {"1"}, "comment": {"Рақамҳоро санҷед."},
		"note_segment": {"title", "p1.s1", "p1.s2", "p2.s1"}, "note": {"", "١٥ ҳайат, на 16.", "", "Тарҷума нашудааст."}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%s", resp.status, section(resp.body, `role="alert"`))
	}
	page := tr.get("/review/1/tg").body
	summary := section(page, `id="rejection"`)
	for _, want := range []string{"Sent back for changes", "Рақамҳоро санҷед.", "2 notes on segments:",
		`<a href="#comment-1">p1.s1</a>: <bdi dir="auto">١٥ ҳайат, на 16.</bdi>`, `<a href="#comment-2">p2.s1</a>`} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %s:\n%s", want, summary)
		}
	}
	if i, j := strings.Index(page, `id="rejection"`), strings.Index(page, `id="seg-title"`); i < 0 || i > j {
		t.Error("the summary is not above the segments")
	}
	if panel := section(page, `id="comments-panel"`); !strings.Contains(panel, "All comments on this translation (2)") || !strings.Contains(panel, `<a href="#comment-2">p2.s1</a>`) {
		t.Errorf("the comments panel does not list the notes:\n%s", panel)
	}
	seg := regexp.MustCompile(`(?s)id="seg-p1\.s1".*?id="seg-p1\.s2"`).FindString(page)
	if !strings.Contains(seg, `class="comment kind-rejection" id="comment-1"`) || !strings.Contains(seg, "١٥ ҳайат, на 16.") || !strings.Contains(seg, `data-comments="1"`) {
		t.Errorf("the note is not shown at segment p1.s1:\n%s", seg)
	}
	// A noted segment not confirmed since needs attention; one without a note does not.
	if !strings.Contains(seg, `data-noted="1"`) {
		t.Errorf("segment p1.s1, noted and unconfirmed, is not marked as needing attention:\n%s", seg)
	}
	if other := regexp.MustCompile(`(?s)id="seg-p1\.s2".*?>`).FindString(page); strings.Contains(other, "data-noted") {
		t.Errorf("segment p1.s2 has no note but is marked: %s", other)
	}
}

// The queue shows words, open flags, the assignee and whether anyone saved a draft, and a
// translator sees her languages unless she asks for all.
func TestQueueColumns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	ed, tr := f.signedIn(t, "editor"), f.signedIn(t, "translator")
	row := func(c *client, query, lang string) string {
		t.Helper()
		return regexp.MustCompile(`(?s)<tr [^>]*data-row>\s*<td><a href="/review/1/` + lang + `".*?</tr>`).FindString(c.get("/review" + query).body)
	}
	// The draft: 4 segments, none confirmed; its one open flag is number_extra 16 (the empty
	// and untranslated segments count as unconfirmed work, not as flags).
	r := row(ed, "", "tg")
	for _, want := range []string{"0/4 segments · 0/15 words", "1 flag", "Unassigned", `class="draft-kind untouched">machine draft`} {
		if !strings.Contains(r, want) {
			t.Errorf("queue row lacks %q:\n%s", want, r)
		}
	}
	ed.get("/review/1/tg")
	if resp := ed.post("/review/1/tg/assign", url.Values{"user": {"tg@desk.test"}}); resp.status != http.StatusSeeOther {
		t.Fatalf("assign: %d", resp.status)
	}
	tr.get("/review/1/tg")
	if resp := tr.post("/review/1/tg", editForm(1, draftSegments(), map[string]string{"p1.s1": "Роҳбарон соли ١٥ ҷамъ омаданд."})); resp.status != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.status)
	}
	r = row(ed, "", "tg")
	for _, want := range []string{"<bdi>tg@desk.test</bdi>", `class="draft-kind touched">edited`} {
		if !strings.Contains(r, want) {
			t.Errorf("after the assignment and a save the row lacks %q:\n%s", want, r)
		}
	}
	if page := tr.get("/review/1/tg").body; !strings.Contains(page, `Assigned to <bdi>tg@desk.test</bdi>`) || !strings.Contains(page, `id="release"`) {
		t.Error("the editor header does not show the assignee and her release button")
	}
	// All statuses: the translator of Tajik sees the Russian translation only when she asks.
	if r := row(tr, "?status=", "ru"); r != "" {
		t.Errorf("a Tajik translator's default queue lists Russian:\n%s", r)
	}
	if r := row(tr, "?status=&lang=", "ru"); r == "" {
		t.Error("all languages does not list the Russian translation")
	}
	if r := row(tr, "?status=&lang=mine", "tg"); r == "" {
		t.Error("my languages does not list the Tajik translation")
	}
}

// The decision panel sums up what blocks the approval by kind, and a skip link leads to it for
// reviewers only. The draft: every segment a machine draft (4 unconfirmed), p1.s2 empty and
// p2.s1 untranslated (2), and p1.s1's extra 16 (1 flag).
func TestDecisionPanel(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	page := f.signedIn(t, "reviewer").get("/review/1/tg").body
	for _, want := range []string{`<a class="skip-link" href="#decide" id="to-decide">`, `<section class="decide" id="decide" tabindex="-1"`,
		`<li data-count="flags">1 open flag</li>`, `<li data-count="unconfirmed">4 unconfirmed segments</li>`,
		`<li data-count="untranslated">2 untranslated or empty segments</li>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the reviewer's editor lacks %s", want)
		}
	}
	if page := f.signedIn(t, "translator").get("/review/1/tg").body; strings.Contains(page, `id="to-decide"`) || strings.Contains(page, `id="decide"`) {
		t.Error("a translator gets the decision panel or its skip link")
	}
}
