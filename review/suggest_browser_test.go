package review

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// The suggestions article: a sentence whose memory match differs only in its numbers, and one
// with two fuzzy matches (one word and two words off), in Tajik.
const (
	suggestTitle = "قمة في دوشنبه"
	suggestBody  = "قتل ٧ أشخاص وأصيب ١٢ آخرون في انفجار.\nقال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه اليوم."
	// The machine's draft of p2.s1 and the two memory translations offered for it.
	suggestDraft = "Вазир гуфт, ки ҷаласа имрӯз дар Душанбе мешавад."
	fuzzy90      = "Вазир гуфт, ки ҷаласаи навбатӣ пагоҳ дар Душанбе мегузарад."
	fuzzy80      = "Вазир гуфт, ки ҷаласаи навбатӣ пагоҳ дар Тошкент мегузарад."
)

// focus moves the focus to a segment's box as the keyboard does (a click would race the panel
// that opens above it and moves it down).
func focus(id string) chromedp.Action[chromedp.Void] {
	return eval(fmt.Sprintf(`(b => { b.focus(); b.scrollIntoView({block: "center"}); })(document.getElementById(%q))`, id))
}

// waitPanel waits up to 20 seconds for sel to be visible and, failing, reports where the
// suggestions panel is and what it shows.
func waitPanel(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.WaitVisible(sel)); err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(p => document.activeElement.id + " | panel in " +
			(p.parentElement.closest("[data-segment]") || {id: "no segment"}).id + " | " + p.innerText)(document.getElementById("suggest-panel"))`))
		t.Fatalf("waiting for %s: %v; focus on %s", sel, err, state)
	}
}

func (f *fixture) suggestArticle(t *testing.T) tarjuma.Article {
	t.Helper()
	segs := tarjuma.SplitSource(suggestTitle, suggestBody)
	if len(segs) != 3 || segs[1].ID != "p1.s1" || segs[2].ID != "p2.s1" {
		t.Fatalf("segments %+v", segs)
	}
	texts := []string{"Саммит дар Душанбе", "7 нафар кушта шуданд.", suggestDraft}
	for i := range segs {
		segs[i].Text, segs[i].Origin = texts[i], tarjuma.MachineOrigin("google")
	}
	a := f.createDraft(t, "suggest", suggestTitle, suggestBody, segs)
	if err := f.db.PutMemory(t.Context(), []store.MemoryEntry{
		{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "قتل ٥ أشخاص وأصيب ١٠ آخرون في انفجار.", Text: "Дар инфиҷор 5 нафар кушта ва 10 нафар захмӣ шуданд."},
		{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "قال الوزير إن الاجتماع المقبل سيعقد في مدينة دوشنبه غدا.", Text: fuzzy90},
		{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Key: "قال الوزير إن الاجتماع المقبل سيعقد في مدينة طشقند غدا.", Text: fuzzy80},
	}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBrowserSuggestions, in English and Arabic: focusing a segment shows its suggestions with
// the differences to its source marked, nothing is inserted by itself, Ctrl+2 inserts the
// second (and tells the other scripts with an input event), a number-only difference is
// adapted, Ctrl+K searches the memory for the selection, and the memory page finds a word.
func TestBrowserSuggestions(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	a := f.suggestArticle(t)
	base := f.srv.URL
	editor := fmt.Sprintf("%s/review/%d/tg", base, a.ID)
	dir := artifacts(t)
	for _, ui := range []struct{ lang, heading, insert string }{
		{"en", "Suggestions", "Insert"},
		{"ar", "اقتراحات", "إدراج"},
	} {
		t.Run(ui.lang, func(t *testing.T) {
			// A tab of its own: the last one's edits would hold its navigation at "leave page?".
			ctx, cancel := chromedp.NewContext(ctx)
			defer cancel()
			// The last run's insertion was autosaved as her draft, which the editor would bring
			// back: each run starts from the machine draft.
			u, err := f.db.UserByEmail(t.Context(), people["translator"].Email)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.DeleteDrafts(t.Context(), u.ID, a.ID, tarjuma.Tajik); err != nil {
				t.Fatal(err)
			}
			// A headless page is not the focused window, and Chromium fires no focus events in
			// a window without focus: emulate one, as a translator's browser is.
			do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
				_, err := cdp.Call(ctx, target, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
				return err
			}))
			do(t, ctx, chromedp.Navigate(base+"/static/set-language"),
				eval(fmt.Sprintf(`document.cookie = "%s=%s; path=/"`, locale.CookieName, ui.lang)),
				chromedp.Navigate(editor))
			if value(t, ctx, chromedp.Evaluate[bool](`!!document.querySelector("#email")`)) {
				do(t, ctx,
					chromedp.SendKeys(`#email`, people["translator"].Email),
					chromedp.SendKeys(`#password`, password),
					chromedp.Submit(`#password`),
				)
			}
			do(t, ctx,
				chromedp.WaitVisible(`#t-2`),
				// Count the input events the other scripts would see.
				eval(`window.inputs = 0; document.addEventListener("input", () => window.inputs++)`),
				focus("t-2"),
			)
			waitPanel(t, ctx, `#seg-p2\.s1 #suggest-panel .sg[data-key="3"]`)
			do(t, ctx, screenshot(t, dir, "suggest-"+ui.lang))
			text := func(sel string) string {
				t.Helper()
				return value(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
			}
			box := func(id string) string {
				t.Helper()
				return value(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.getElementById(%q).value`, id)))
			}
			if got := text(`#suggest-panel .sg-head`); got != ui.heading {
				t.Errorf("panel heading %q, want %q", got, ui.heading)
			}
			if got := text(`#suggest-panel .sg[data-key="1"] .sg-insert`); got != ui.insert {
				t.Errorf("insert button %q, want %q", got, ui.insert)
			}
			// Best first: 90 (غدا → اليوم), then 80 (two words), then the machine draft.
			order := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#suggest-panel .sg")].map(e => e.dataset.origin + ":" + e.dataset.score).join(" ")`))
			if want := "memory:90 memory:80 machine:0 glossary:0"; order != want {
				t.Errorf("suggestions %q, want %q", order, want)
			}
			if del, ins := text(`#suggest-panel .sg[data-key="1"] del.diff-del`), text(`#suggest-panel .sg[data-key="1"] ins.diff-ins`); del != "غدا" || ins != "اليوم" {
				t.Errorf("difference shown as -%q +%q, want -غدا +اليوم", del, ins)
			}
			// Shown, not inserted: the box still holds the machine draft and nothing was typed.
			if got := box("t-2"); got != suggestDraft {
				t.Errorf("the box holds %q before any key", got)
			}
			if n := value(t, ctx, chromedp.Evaluate[int](`window.inputs`)); n != 0 {
				t.Errorf("%d input events before any key", n)
			}
			do(t, ctx, chromedp.KeyEvent("2", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
			if got := box("t-2"); got != fuzzy80 {
				t.Errorf("after Ctrl+2 the box holds %q, want %q", got, fuzzy80)
			}
			if n := value(t, ctx, chromedp.Evaluate[int](`window.inputs`)); n != 1 {
				t.Errorf("%d input events after Ctrl+2, want 1", n)
			}
			if got := value(t, ctx, chromedp.Evaluate[string](`document.activeElement.id`)); got != "t-2" {
				t.Errorf("focus on %q after inserting", got)
			}

			// The number-only difference: adapted and marked, still not inserted by itself.
			do(t, ctx, focus("t-1"))
			waitPanel(t, ctx, `#seg-p1\.s1 #suggest-panel .sg[data-key="1"]`)
			if got := text(`#suggest-panel .sg[data-key="1"] .sg-text`); got != "Дар инфиҷор 7 нафар кушта ва 12 нафар захмӣ шуданд." {
				t.Errorf("adapted suggestion %q", got)
			}
			if !value(t, ctx, chromedp.Evaluate[bool](`document.querySelector('#suggest-panel .sg[data-key="1"]').classList.contains("sg-adapted")`)) {
				t.Error("the adapted match is not marked")
			}
			if got := box("t-1"); got != "7 нафар кушта шуданд." {
				t.Errorf("the box holds %q", got)
			}

			// Ctrl+K with "Тошкент" selected in the box searches the memory in the panel.
			do(t, ctx, focus("t-2"),
				eval(`(() => { const b = document.getElementById("t-2"); const i = b.value.indexOf("Тошкент"); b.setSelectionRange(i, i + "Тошкент".length); })()`),
				chromedp.KeyEvent("k", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
			)
			waitPanel(t, ctx, `#suggest-panel #concordance .hit`)
			if got := value(t, ctx, chromedp.Evaluate[string](`document.querySelector("#suggest-panel #m-q").value`)); got != "Тошкент" {
				t.Errorf("concordance looked for %q", got)
			}
			if hits := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#suggest-panel .hit td:nth-child(2)")].map(e => e.textContent).join("|")`)); hits != fuzzy80 {
				t.Errorf("concordance hits %q, want the one translation holding Тошкент", hits)
			}
		})
	}

	// The memory page finds an Arabic word inside longer words and a Tajik word.
	for _, tc := range []struct{ q, want string }{{"انفجار", "Дар инфиҷор 5 нафар"}, {"Тошкент", fuzzy80}} {
		do(t, ctx, chromedp.Navigate(base+"/memory?lang=tg&q="+tc.q), chromedp.WaitVisible(`#concordance-count`))
		rows := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#concordance .hit")].map(e => e.textContent).join("|")`))
		if n := strings.Count(rows, "|") + 1; !strings.Contains(rows, tc.want) || n != 1 {
			t.Errorf("memory page for %q: %q", tc.q, rows)
		}
	}
}

// TestBrowserRepetitions: the fix saved at the first of three repetitions of a sentence is the
// first suggestion at the others, and "apply to all" from the first fills them, each with an
// input event for autosave.
func TestBrowserRepetitions(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	const (
		repeated = "وتحدث عن التعاون الإقليمي."
		draft    = "Ӯ дар бораи ҳамкорӣ сухан гуфт."
		fix      = "Ӯ дар бораи ҳамкории минтақавӣ сухан ронд."
	)
	segs := tarjuma.SplitSource(suggestTitle, repeated+"\n"+repeated+"\n"+repeated)
	for i := range segs {
		segs[i].Text, segs[i].Origin = draft, tarjuma.MachineOrigin("google")
	}
	segs[0].Text = "Саммит дар Душанбе"
	a := f.createDraft(t, "repeats", suggestTitle, repeated+"\n"+repeated+"\n"+repeated, segs)
	segs[1].Text, segs[1].Origin, segs[1].Status = fix, tarjuma.OriginHuman, tarjuma.SegmentConfirmed
	if _, err := f.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: 1, Segments: segs, Author: "tg@desk.test"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}),
		chromedp.Navigate(fmt.Sprintf("%s/review/%d/tg", f.srv.URL, a.ID)),
		chromedp.SendKeys(`#email`, people["translator"].Email),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#t-3`),
		eval(`window.inputs = 0; document.addEventListener("input", () => window.inputs++)`),
		focus("t-3"),
	)
	waitPanel(t, ctx, `#seg-p3\.s1 #suggest-panel .sg[data-key="1"]`)
	first := value(t, ctx, chromedp.Evaluate[string](`(e => e.dataset.origin + " " + e.querySelector(".sg-insert").dataset.text)(document.querySelector('#suggest-panel .sg[data-key="1"]'))`))
	if want := "repetition " + fix; first != want {
		t.Errorf("first suggestion %q, want %q", first, want)
	}
	if got := value(t, ctx, chromedp.Evaluate[string](`document.getElementById("t-3").value`)); got != draft {
		t.Errorf("the repetition was inserted by itself: %q", got)
	}
	do(t, ctx, focus("t-1"))
	waitPanel(t, ctx, `#seg-p1\.s1 #suggest-panel .sg-apply-all:not([hidden])`)
	do(t, ctx, eval(`document.querySelector("#suggest-panel .sg-apply-all").click()`))
	got := value(t, ctx, chromedp.Evaluate[string](`["t-1", "t-2", "t-3"].map(id => document.getElementById(id).value).join("|")`))
	if want := fix + "|" + fix + "|" + fix; got != want {
		t.Errorf("after apply to all: %q", got)
	}
	if n := value(t, ctx, chromedp.Evaluate[int](`window.inputs`)); n != 2 {
		t.Errorf("%d input events, want 2 (one per filled repetition)", n)
	}
}
