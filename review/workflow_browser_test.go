package review

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/locale"
)

// waitFor waits until the JavaScript expression is true in the page: tests wait on the DOM,
// never on the clock. The deadline only bounds a test that has already failed.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		if _, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond),
			chromedp.WithPollingTimeout(30*time.Second))(ctx, target); err != nil {
			return fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return nil
	})
}

// segState is the expression for the save state of segment id.
func segState(id, state string) string {
	return fmt.Sprintf(`document.querySelector('[data-segment="%s"]').dataset.state === %q`, id, state)
}

// signInTo signs email in on the login page and lands on path.
func signInTo(t *testing.T, ctx context.Context, base, email, path string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login?next="+url.QueryEscape(path)),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#edit-form`),
	)
}

// focusEnd focuses the box with id and puts the caret after its text.
func focusEnd(id string) chromedp.Action[chromedp.Void] {
	return eval(`(b => { b.focus(); b.setSelectionRange(b.value.length, b.value.length); })(document.getElementById("` + id + `"))`)
}

// selectAll selects the focused box's text, so that typing replaces it.
var selectAll = chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl))

// secondBrowser is another person at another computer: a browser context of its own, with
// its own cookies, in the same Chromium.
func secondBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	ctx2, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx2); err != nil {
		t.Fatalf("open a second browser context: %v", err)
	}
	return ctx2
}

// TestBrowserSegmentWorkflow works through a translation segment by segment in Chromium, in
// English and in Arabic: Ctrl+Enter confirms a segment in the background and moves to the next
// unconfirmed one, without a reload; Ctrl+S saves where she is and keeps her focus; a session
// killed on the server mid-edit brings up the sign-in dialog and the save completes after it,
// nothing lost; a reload brings back an autosaved draft; two people saving different segments
// of one translation do not conflict; the same segment changed by both shows mine and theirs,
// with a choice.
func TestBrowserSegmentWorkflow(t *testing.T) {
	bundle, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, ui := range []string{"en", "ar"} {
		t.Run(ui, func(t *testing.T) {
			ctx := browser(t)
			f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
			base := f.srv.URL
			l := bundle.Localizer(ui)
			msg := func(id string, kv ...any) string {
				t.Helper()
				s, err := l.T(id, kv...)
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			for _, who := range []string{"translator", "reviewer"} {
				if err := f.db.SetUILang(context.Background(), f.users[who].ID, ui); err != nil {
					t.Fatal(err)
				}
			}
			latest := func(id int64) tarjuma.Version {
				t.Helper()
				v, err := f.db.LatestVersion(context.Background(), id, tarjuma.Tajik)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			ctrl := chromedp.KeyModifiers(chromedp.ModifierCtrl)
			focused := chromedp.Evaluate[string](`document.activeElement.id`)

			// Confirm and go to the next unconfirmed, in the background.
			signInTo(t, ctx, base, "tg@desk.test", "/review/1/tg")
			do(t, ctx,
				waitFor(`document.activeElement.id === "t-0"`),
				waitFor(`document.documentElement.dir === "`+locale.Dir(ui)+`"`),
				eval(`window.notReloaded = true`),
				// Alt+Shift+↓ goes to the first flagged segment (p1.s1's 16 is not in the source).
				chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt, chromedp.ModifierShift)),
				waitFor(`document.activeElement.id === "t-1"`),
				chromedp.KeyEvent(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt)),
				waitFor(`document.activeElement.id === "t-2"`),
				chromedp.KeyEvent("15 ҳайат омад."),
				chromedp.KeyEvent(kb.Enter, ctrl),
				waitFor(segState("p1.s2", "saved")),
			)
			if got := value(t, ctx, focused); got != "t-3" {
				t.Errorf("after Ctrl+Enter on p1.s2 the focus is on %q, want t-3 (p2.s1, the next unconfirmed)", got)
			}
			if !value(t, ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)) {
				t.Error("the page reloaded on a segment save")
			}
			if got := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-segment="p1.s2"]').dataset.status`)); got != "confirmed" {
				t.Errorf("p1.s2 status on the page %q, want confirmed", got)
			}
			v := latest(1)
			p := v.Progress()
			if s := v.Segments[2]; v.Number != 2 || s.Text != "15 ҳайат омад." || s.Status != tarjuma.SegmentConfirmed {
				t.Errorf("stored version %d: p1.s2 %q %s, want version 2 with the text confirmed", v.Number, s.Text, s.Status)
			}
			if got := value(t, ctx, chromedp.Text(`#version-label`)); got != msg("editor.version", "N", 2) {
				t.Errorf("the header says %q after the save, want version 2", got)
			}
			wantProgress := msg("editor.progress", "Done", 1, "Total", 4, "WordsDone", p.WordsConfirmed, "Words", p.Words)
			if got := value(t, ctx, chromedp.Text(`#progress-text`)); got != wantProgress || p.SegmentsConfirmed != 1 {
				t.Errorf("header progress %q, want %q", got, wantProgress)
			}

			// The filters show the unconfirmed segments, then all again.
			visible := chromedp.Evaluate[[]string](`[...document.querySelectorAll(".segment:not([hidden])")].map(s => s.dataset.segment)`)
			do(t, ctx, chromedp.Click(`[data-filter="unconfirmed"]`), waitFor(`document.querySelector('[data-segment="p1.s2"]').hidden`))
			if got := value(t, ctx, visible); strings.Join(got, " ") != "title p1.s1 p2.s1" {
				t.Errorf("unconfirmed filter shows %v", got)
			}
			do(t, ctx, chromedp.Click(`[data-filter="flagged"]`), waitFor(`document.querySelector('[data-segment="title"]').hidden`))
			if got := value(t, ctx, visible); strings.Join(got, " ") != "p1.s1 p2.s1" {
				t.Errorf("flagged filter shows %v, want p1.s1 (16) and p2.s1 (untranslated); p1.s2 has text now", got)
			}
			do(t, ctx, chromedp.Click(`[data-filter="all"]`), waitFor(`!document.querySelector('[data-segment="title"]').hidden`), focusEnd("t-3"))
			if got := value(t, ctx, visible); len(got) != 4 {
				t.Errorf("all shows %v", got)
			}

			// Ctrl+S saves where she is: the focus and the scroll position stay.
			do(t, ctx,
				selectAll,
				chromedp.KeyEvent("Иқтибос."),
				// Where her box is on the screen: what she sees must not move (the page may scroll
				// to keep it there, as browsers anchor the view when something above it changes).
				eval(`window.boxTopBefore = document.getElementById("t-3").getBoundingClientRect().top`),
				chromedp.KeyEvent("s", ctrl),
				waitFor(segState("p2.s1", "saved")),
			)
			if got := value(t, ctx, focused); got != "t-3" {
				t.Errorf("after Ctrl+S the focus is on %q, want t-3", got)
			}
			// Flags and panels settle after the save's answer: her box must end where it was.
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.notReloaded === true && Math.abs(document.getElementById("t-3").getBoundingClientRect().top - window.boxTopBefore) < 1`,
				chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(5*time.Second))); err != nil {
				t.Errorf("the page reloaded or her box moved on the screen on Ctrl+S: %s", value(t, ctx, chromedp.Evaluate[string](`JSON.stringify([window.notReloaded, window.boxTopBefore, document.getElementById("t-3").getBoundingClientRect().top, window.scrollY])`)))
			}
			if got := value(t, ctx, chromedp.Text(`[data-segment="p2.s1"] .seg-state`)); got != msg("editor.state_saved") {
				t.Errorf("p2.s1 says %q after Ctrl+S", got)
			}

			// The session is killed on the server mid-edit: the next save asks her to sign in,
			// in the page, then completes; nothing she typed is lost.
			if _, err := f.db.DeleteUserSessions(context.Background(), f.users["translator"].ID, ""); err != nil {
				t.Fatal(err)
			}
			const late = " Ғ ӯ ҷ қ ҳ ӣ."
			do(t, ctx,
				chromedp.KeyEvent(late),
				chromedp.KeyEvent("s", ctrl),
				waitFor(`document.getElementById("signin-dialog").open`),
				screenshot(t, artifacts(t), "workflow-signin-"+ui),
				chromedp.SendKeys(`#signin-password`, password),
				chromedp.Click(`#signin-submit`),
				waitFor(`!document.getElementById("signin-dialog").open`),
				waitFor(segState("p2.s1", "saved")),
			)
			if s := latest(1).Segments[3]; s.Text != "Иқтибос."+late {
				t.Errorf("after signing in again p2.s1 is %q, want %q", s.Text, "Иқтибос."+late)
			}
			if !value(t, ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)) {
				t.Error("signing in again left the page")
			}

			// A reload brings back what was autosaved and not saved as a version.
			before := latest(1).Number
			do(t, ctx,
				focusEnd("t-0"),
				chromedp.KeyEvent(" (пешнавис)"),
				waitFor(segState("title", "draft")),
				chromedp.Reload(),
				chromedp.WaitVisible(`#t-0`),
			)
			if got := value(t, ctx, chromedp.Evaluate[string](`document.getElementById("t-0").value`)); got != "Саммит дар Душанбе (пешнавис)" {
				t.Errorf("after a reload the title box holds %q, want the autosaved draft", got)
			}
			if got := value(t, ctx, chromedp.Text(`[data-segment="title"] .seg-state`)); got != msg("editor.draft_restored") {
				t.Errorf("the restored title says %q", got)
			}
			if n := latest(1).Number; n != before {
				t.Errorf("autosave stored version %d; a draft is no version", n)
			}

			// Two people, two segments, one translation: no conflict.
			ctx2 := secondBrowser(t, ctx)
			other := f.createDraft(t, "two-"+ui, sourceTitle, sourceBody, draftSegments())
			path := "/review/" + itoa64(other.ID) + "/tg"
			do(t, ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(`#t-1`))
			signInTo(t, ctx2, base, "reviewer@desk.test", path)
			do(t, ctx,
				focusEnd("t-1"),
				chromedp.KeyEvent(" Нигора."),
				chromedp.KeyEvent(kb.Enter, ctrl),
				waitFor(segState("p1.s1", "saved")),
			)
			do(t, ctx2,
				focusEnd("t-2"),
				chromedp.KeyEvent("15 ҳайат."),
				chromedp.KeyEvent(kb.Enter, ctrl),
				waitFor(segState("p1.s2", "saved")),
			)
			v = latest(other.ID)
			if v.Number != 3 || !strings.HasSuffix(v.Segments[1].Text, " Нигора.") || v.Segments[2].Text != "15 ҳайат." {
				t.Errorf("after two people saved two segments: version %d, %q, %q; want 3 with both", v.Number, v.Segments[1].Text, v.Segments[2].Text)
			}
			if got := value(t, ctx2, chromedp.Text(`#seg-notice`)); got != msg("editor.others_saved") {
				t.Errorf("the second saver is told %q, want that others saved meanwhile", got)
			}

			// Both change the same segment: the later one sees mine and theirs and chooses.
			do(t, ctx,
				focusEnd("t-3"),
				selectAll,
				chromedp.KeyEvent("Матни якум."),
				chromedp.KeyEvent(kb.Enter, ctrl),
				waitFor(segState("p2.s1", "saved")),
			)
			mine := "Матни дуюм."
			do(t, ctx2,
				focusEnd("t-3"),
				selectAll,
				chromedp.KeyEvent(mine),
				chromedp.KeyEvent(kb.Enter, ctrl),
				waitFor(segState("p2.s1", "conflict")),
				screenshot(t, artifacts(t), "workflow-conflict-"+ui),
			)
			sides := value(t, ctx2, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-segment="p2.s1"] .segment-conflict .text')].map(e => e.textContent)`))
			if len(sides) != 2 || sides[0] != mine || sides[1] != "Матни якум." {
				t.Errorf("conflict shows %q, want mine then theirs", sides)
			}
			if n := value(t, ctx2, chromedp.Evaluate[int](`document.querySelectorAll(".segment-conflict").length`)); n != 1 {
				t.Errorf("%d segments show a conflict, want only p2.s1", n)
			}
			choice, want := ".keep-mine", mine
			if ui == "ar" {
				choice, want = ".use-theirs", "Матни якум."
			}
			do(t, ctx2,
				chromedp.Click(`[data-segment="p2.s1"] `+choice),
				waitFor(segState("p2.s1", "saved")),
			)
			if got := latest(other.ID).Segments[3].Text; got != want {
				t.Errorf("after choosing %s: p2.s1 is %q, want %q", choice, got, want)
			}
			if got := value(t, ctx2, chromedp.Evaluate[string](`document.getElementById("t-3").value`)); got != want {
				t.Errorf("after choosing %s the box holds %q", choice, got)
			}
		})
	}
}
