package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// TestBrowserTajikPalette types the Tajik letters in a segment box of a Tajik draft with the
// palette's shortcuts and buttons, in Chromium: each lands at the caret, over the selection,
// and each tells the other scripts with an input event.
func TestBrowserTajikPalette(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	signIn(t, ctx, f.srv.URL, "translator")
	do(t, ctx,
		chromedp.Navigate(f.srv.URL+"/review/1/tg"),
		chromedp.WaitVisible(`#tajik-palette`),
		// The title box, "Саммит дар Душанбе", caret after "Саммит", and a count of the input
		// events that reach the document, as autosave and live QA listen for them.
		eval(`window.inputs = 0; document.addEventListener("input", () => window.inputs++);
			const box = document.getElementById("t-0"); box.focus(); box.setSelectionRange(6, 6)`),
		chromedp.KeyEvent("g", chromedp.KeyModifiers(chromedp.ModifierAlt)),
		chromedp.KeyEvent("J", chromedp.KeyModifiers(chromedp.ModifierAlt, chromedp.ModifierShift)),
		// Select "дар" and replace it from the palette's button: the box keeps the focus.
		eval(`document.getElementById("t-0").setSelectionRange(9, 12)`),
		chromedp.Click(`#tajik-palette button[data-letter="ӯ"]`),
		chromedp.KeyEvent("x"),
	)
	state := value(t, ctx, chromedp.Evaluate[string](`JSON.stringify([document.getElementById("t-0").value, window.inputs, document.activeElement.id])`))
	var got []any
	if err := json.Unmarshal([]byte(state), &got); err != nil {
		t.Fatal(err)
	}
	// 2 letters by shortcut, 1 by button, then "x" typed: 4 input events.
	if want := []any{"СаммитғҶ ӯx Душанбе", float64(4), "t-0"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("box, input events, focus = %v, want %v", got, want)
	}
	labels := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#tajik-palette button")].map(b => b.textContent).join("")`))
	if labels != "ғӣқӯҳҷҒӢҚӮҲҶ" {
		t.Errorf("palette letters %q, want ғӣқӯҳҷ and their capitals", labels)
	}
	// Saved as typed, byte for byte.
	do(t, ctx, chromedp.Click(`#save`), waitFor(segState("title", "saved")))
	if v, err := f.db.LatestVersion(context.Background(), 1, tarjuma.Tajik); err != nil || v.Segments[0].Text != "СаммитғҶ ӯx Душанбе" {
		t.Errorf("stored title %q, %v", v.Segments[0].Text, err)
	}
}

// TestBrowserShortcutsHelp opens the shortcuts dialog with "?" outside a text box and with its
// button, checks that "?" in a text box is only a character, that Tab stays in the dialog, that
// Esc closes it and gives the focus back, and that it lists every shortcut of the desk.
func TestBrowserShortcutsHelp(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	signIn(t, ctx, f.srv.URL, "reviewer")
	isOpen := chromedp.Evaluate[bool](`document.getElementById("shortcuts-help").open`)
	focused := chromedp.Evaluate[string](`document.activeElement.id`)
	do(t, ctx,
		chromedp.Navigate(f.srv.URL+"/review/1/tg"),
		chromedp.WaitVisible(`#t-0`),
		chromedp.KeyEvent("?"),
	)
	if value(t, ctx, isOpen) {
		t.Error(`"?" in a segment box opened the help`)
	}
	if v := value(t, ctx, chromedp.Evaluate[string](`document.getElementById("t-0").value`)); !strings.Contains(v, "?") {
		t.Errorf(`"?" in a segment box was not typed: %q`, v)
	}
	do(t, ctx, eval(`document.getElementById("t-0").blur()`), chromedp.KeyEvent("?"))
	if !value(t, ctx, isOpen) || value(t, ctx, focused) != "help-close" {
		t.Fatalf(`"?" outside a text box: open %v, focus %q; want the dialog open, focus on its close button`, value(t, ctx, isOpen), value(t, ctx, focused))
	}
	rows := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#shortcuts-help tbody tr").length`))
	if rows != 13 { // the table of shortcuts the desk promises (desk13.md), row for row
		t.Errorf("the dialog lists %d shortcuts, want 13", rows)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
	if got := value(t, ctx, focused); got != "help-close" {
		t.Errorf("Tab left the dialog for %q", got)
	}
	do(t, ctx, chromedp.KeyEvent(kb.Escape))
	if value(t, ctx, isOpen) {
		t.Error("Esc did not close the dialog")
	}
	do(t, ctx, chromedp.Click(`#help-open`))
	if !value(t, ctx, isOpen) {
		t.Fatal("the button did not open the dialog")
	}
	do(t, ctx, chromedp.Click(`#help-close`))
	if value(t, ctx, isOpen) || value(t, ctx, focused) != "help-open" {
		t.Errorf("after closing: open %v, focus %q; want closed and the focus back on the button", value(t, ctx, isOpen), value(t, ctx, focused))
	}
}

// TestBrowserSourceHistoryHelpAxe checks with axe-core, at every impact, in all four interface
// languages, the pages this part of the desk adds or changes: the source correction form (and
// its conflict state), the history with revert buttons, and the editor with the palette and the
// shortcuts dialog open; at phone width none may scroll sideways.
func TestBrowserSourceHistoryHelpAxe(t *testing.T) {
	axeSource := testenv.AxeCore(t)
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	segs := draftSegments()
	segs[0].Text = "Саммити Душанбе"
	if _, err := f.db.SaveHumanVersion(context.Background(), store.HumanEdit{ArticleID: 1, Lang: tarjuma.Tajik, BaseVersion: 1,
		Segments: segs, Author: "tg@desk.test"}); err != nil {
		t.Fatal(err)
	}
	base := f.srv.URL
	check := func(name string) {
		t.Helper()
		for _, width := range []int64{phoneWidth, 1280} {
			do(t, ctx, chromedp.EmulateViewport(width, phoneHeight))
			if w := value(t, ctx, chromedp.Evaluate[int64](`document.scrollingElement.scrollWidth`)); w > width {
				t.Errorf("%s at %d px: the page is %d px wide", name, width, w)
			}
		}
		do(t, ctx, eval(axeSource))
		raw := value(t, ctx, chromedp.Evaluate[string](runAxe, chromedp.EvalAwaitPromise))
		var violations []axeViolation
		if err := json.Unmarshal([]byte(raw), &violations); err != nil {
			t.Fatalf("%s: axe result %q: %v", name, raw, err)
		}
		for _, v := range violations {
			t.Errorf("%s: axe %s (%s): %s at %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "; "))
		}
	}
	// Article 2 is the one whose source is corrected, so that article 1's translation stays
	// open for editing (a corrected source queues it again).
	a := f.createDraft(t, "source", sourceTitle, sourceBody, draftSegments())
	sourcePath := fmt.Sprintf("/articles/%d/source", a.ID)
	for _, lang := range []string{"en", "ar", "tg", "ru"} {
		do(t, ctx, chromedp.Navigate(base+"/static/set-language"),
			eval(fmt.Sprintf(`document.cookie = "%s=%s; path=/"`, locale.CookieName, lang)))
		signIn(t, ctx, base, "admin")
		do(t, ctx, chromedp.Navigate(base+"/review/1/tg/history"), chromedp.WaitVisible(`#revert-button-1`))
		check(lang + " history")
		do(t, ctx, chromedp.Navigate(base+"/review/1/tg"), chromedp.WaitVisible(`#tajik-palette`), eval(`document.activeElement.blur()`),
			chromedp.KeyEvent("?"), chromedp.WaitVisible(`#shortcuts-help`))
		check(lang + " editor with the shortcuts help")
		do(t, ctx, chromedp.Navigate(base+sourcePath), chromedp.WaitVisible(`#source-form`))
		check(lang + " source")
		// A form from the revision before another editor's: the conflict state.
		if _, err := f.db.UpdateArticleSource(context.Background(), a.ID, 0, sourceTitle, sourceBody+" "+lang, "editor@desk.test"); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.Click(`#save-source`), chromedp.WaitVisible(`#conflict`))
		check(lang + " source conflict")
		do(t, ctx, eval(`document.querySelector("form[action='/logout']").submit()`), chromedp.WaitVisible(`#email`))
	}
}
