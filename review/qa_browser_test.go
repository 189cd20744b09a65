package review

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/qa"
)

// liveQADraft stores an article of n segments (the title and n-1 sentences, one a paragraph)
// and a machine draft into Tajik without a flag: each sentence's number is in its text and
// the glossary's Душанбе is where the source has دوشنبه.
func liveQADraft(t testing.TB, f *fixture, name string, n int) tarjuma.Article {
	t.Helper()
	var body []string
	for i := 1; i < n; i++ {
		body = append(body, fmt.Sprintf("وصل الوفد رقم %d إلى دوشنبه.", i))
	}
	title := "وفود في دوشنبه"
	segs := tarjuma.SplitSource(title, strings.Join(body, "\n"))
	if len(segs) != n {
		t.Fatalf("%d segments, want %d", len(segs), n)
	}
	segs[0].Text, segs[0].Origin = "Ҳайатҳо дар Душанбе", tarjuma.MachineOrigin("google")
	for i := 1; i < n; i++ {
		segs[i].Text, segs[i].Origin = fmt.Sprintf("Ҳайати рақами %d ба Душанбе расид.", i), tarjuma.MachineOrigin("google")
	}
	qa.Check(nil, segs, tarjuma.Tajik) // as the worker stores a machine version: with its flags
	return f.createDraft(t, name, title, strings.Join(body, "\n"), segs)
}

// waitVersion polls the store until the translation has version n: a save may go by a page
// post or in the background, and the test goes on once it is stored either way.
func waitVersion(t *testing.T, f *fixture, id int64, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, err := f.db.LatestVersion(context.Background(), id, tarjuma.Tajik)
		if err == nil && v.Number >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("version %d was not stored (latest %d, %v)", n, v.Number, err)
		}
		time.Sleep(20 * time.Millisecond) // polling; the deadline decides
	}
}

// TestBrowserLiveQA types into the editor in Chromium, as a Tajik translator, in English and
// in Arabic: a word with a legacy glyph (ќ for қ) is flagged as she types and one click mends
// it; a number the source lacks is flagged; once saved, the flag is dismissed with a reason
// without leaving the page (from the live list in English, from the page's own form in
// Arabic), and the history shows the reason. The English run is on a 150-segment article and
// logs how long after the last keystroke the flags were shown.
func TestBrowserLiveQA(t *testing.T) {
	for _, tc := range []struct {
		ui       string
		segments int
		index    int    // the segment typed into
		fixWord  string // in the message of the legacy-glyph flag, in the interface language
		liveForm bool   // dismiss from the list qa.js renders, not the page's form
	}{
		{ui: "en", segments: 150, index: 81, fixWord: "write “қарор”", liveForm: true},
		{ui: "ar", segments: 3, index: 1, fixWord: "اكتب «қарор»"},
	} {
		t.Run(tc.ui, func(t *testing.T) {
			ctx := browser(t)
			f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
			a := liveQADraft(t, f, "live-qa-"+tc.ui, tc.segments)
			editor := f.srv.URL + "/review/" + itoa64(a.ID) + "/tg"
			box := fmt.Sprintf("#t-%d", tc.index)
			seg := fmt.Sprintf(`[data-segment="p%d.s1"]`, tc.index)
			flagOf := func(kind string) string { return seg + ` li[data-kind="` + kind + `"]` }
			do(t, ctx,
				chromedp.Navigate(f.srv.URL+"/login"),
				chromedp.WaitVisible(`#email`),
				chromedp.SendKeys(`#email`, "tg@desk.test"),
				chromedp.SendKeys(`#password`, password),
				chromedp.Submit(`#password`),
				chromedp.WaitVisible(`#queue-summary`),
			)
			if tc.ui != "en" {
				do(t, ctx,
					eval(`(() => { const s = document.getElementById("ui-lang"); s.value = "`+tc.ui+`"; s.dispatchEvent(new Event("change")); return true; })()`),
					chromedp.WaitVisible(`html[dir="rtl"] #queue-summary`),
				)
			}
			end := chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl))
			do(t, ctx,
				chromedp.Navigate(editor),
				chromedp.WaitVisible(box),
				eval(`window.qaTimes = []; window.qaTrips = []; document.addEventListener("qa:checked", e => { window.qaTimes.push(e.detail.ms); window.qaTrips.push(e.detail.roundTrip); }); true`),
				chromedp.Focus(box), end,
				chromedp.KeyEvent(" ќарор"),
				chromedp.WaitVisible(flagOf("legacy_glyph")),
				screenshot(t, artifacts(t), "qa-"+tc.ui+"-1-legacy-glyph"),
			)
			if msg := value(t, ctx, chromedp.Text(flagOf("legacy_glyph"))); !strings.Contains(msg, "ќарор") || !strings.Contains(msg, tc.fixWord) {
				t.Errorf("legacy-glyph flag reads %q; want the word and %q", msg, tc.fixWord)
			}
			if live := value(t, ctx, chromedp.Evaluate[string](`document.querySelector('`+seg+` .qa-flags').getAttribute("aria-live")`)); live != "polite" {
				t.Errorf("the flags' region is aria-live=%q, want polite", live)
			}
			do(t, ctx,
				chromedp.Click(flagOf("legacy_glyph")+` button.qa-fix`),
				chromedp.WaitNotPresent(flagOf("legacy_glyph")),
			)
			if text := value(t, ctx, chromedp.Value(box)); !strings.HasSuffix(text, " қарор") || strings.Contains(text, "ќ") {
				t.Errorf("after the fix the text is %q, want it to end in қарор", text)
			}

			if tc.ui == "en" {
				measureLiveQA(t, ctx, box, tc.segments)
			}

			// A number the source does not have.
			do(t, ctx,
				chromedp.Focus(box), end,
				chromedp.KeyEvent(" 5 бор"),
				chromedp.WaitVisible(flagOf("number_extra")),
			)
			if hint := value(t, ctx, chromedp.Text(flagOf("number_extra"))); !strings.Contains(hint, "5") {
				t.Errorf("number flag reads %q", hint)
			}
			if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+flagOf("number_extra")+` input').length`)); n != 0 {
				t.Errorf("an unsaved flag offers %d dismissal inputs; it can be dismissed once saved", n)
			}

			// Saved (through the editor's form post, by a client of its own, so no page load
			// races the next steps), the flag is the stored version's and can be dismissed. The
			// editor opens again in a tab of its own: this one holds unsaved typing, and leaving
			// it would ask whether to.
			typed := value(t, ctx, chromedp.Value(box))
			v1, err := f.db.LatestVersion(context.Background(), a.ID, tarjuma.Tajik)
			if err != nil {
				t.Fatal(err)
			}
			saver := f.signedIn(t, "translator")
			saver.get("/review/" + itoa64(a.ID) + "/tg")
			if r := saver.post("/review/"+itoa64(a.ID)+"/tg", editForm(1, v1.Segments, map[string]string{fmt.Sprintf("p%d.s1", tc.index): typed})); r.status != http.StatusSeeOther {
				t.Fatalf("save: %d\n%s", r.status, r.body)
			}
			waitVersion(t, f, a.ID, 2)
			reason := "«5 бор» — рақами матни пурра, на хатои тарҷума"
			input, button := flagOf("number_extra")+` input[name="reason"]`, flagOf("number_extra")+` .dismiss button`
			ctx, closeTab := chromedp.NewContext(ctx)
			defer closeTab()
			do(t, ctx, chromedp.Navigate(editor))
			do(t, ctx, chromedp.WaitVisible(box))
			if tc.liveForm {
				// A keystroke that changes nothing stored (a trailing space is trimmed) brings
				// the live list, with the stored flag's own dismissal controls.
				input, button = flagOf("number_extra")+` input[id^="qa-reason-"]`, flagOf("number_extra")+` .dismiss button[type="button"]`
				do(t, ctx, chromedp.Focus(box), end, chromedp.KeyEvent(" "), chromedp.WaitVisible(input))
			}
			do(t, ctx,
				eval(`window.qaStayed = true`),
				chromedp.SendKeys(input, reason),
				chromedp.Click(button),
				chromedp.WaitVisible(flagOf("number_extra")+`.dismissed .dismissal`),
				screenshot(t, artifacts(t), "qa-"+tc.ui+"-2-dismissed"),
			)
			if !value(t, ctx, chromedp.Evaluate[bool](`window.qaStayed === true`)) {
				t.Error("the dismissal reloaded the page")
			}
			if shown := value(t, ctx, chromedp.Text(flagOf("number_extra")+` .dismissal`)); !strings.Contains(shown, reason) || !strings.Contains(shown, "tg@desk.test") {
				t.Errorf("dismissal reads %q; want who and why", shown)
			}
			ds, err := f.db.VersionDismissals(context.Background(), a.ID, tarjuma.Tajik, 2)
			if err != nil || len(ds) != 1 || ds[0].Reason != reason || ds[0].Flag.Kind != "number_extra" {
				t.Errorf("stored dismissals %+v, %v", ds, err)
			}
			// In a tab of its own: the editor holds a typed (if trimmed) change, and leaving it
			// would ask whether to.
			history, closeHistory := chromedp.NewContext(ctx)
			defer closeHistory()
			do(t, history, chromedp.Navigate(editor+"/history"), chromedp.WaitReady(`main`))
			if page := value(t, history, chromedp.Text(`main`)); !strings.Contains(page, reason) {
				t.Errorf("the history does not show the dismissal's reason")
			}
		})
	}
}

// measureLiveQA types one letter at a time into box and logs how long after each keystroke
// qa.js showed the check's flags (qa:checked's ms: from the last input event to the flags in
// the page, the debounce included). A figure to report, not a timed assertion.
func measureLiveQA(t *testing.T, ctx context.Context, box string, segments int) {
	t.Helper()
	var times, trips []float64
	for _, r := range "ва ҳамин ҳам шуд" {
		before := value(t, ctx, chromedp.Evaluate[int](`window.qaTimes.length`))
		do(t, ctx, chromedp.Focus(box), chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(string(r)))
		ms := value(t, ctx, chromedp.Poll[float64](fmt.Sprintf(`window.qaTimes.length > %d && window.qaTimes[window.qaTimes.length - 1]`, before)))
		times = append(times, ms)
		trips = append(trips, value(t, ctx, chromedp.Evaluate[float64](`window.qaTrips[window.qaTrips.length - 1]`)))
	}
	slices.Sort(times)
	slices.Sort(trips)
	t.Logf("live QA on a %d-segment article, %d keystrokes: flags shown %.0f ms (median), %.0f ms (max) after the last keystroke, "+
		"of which the request and render took %.0f ms (median), %.0f ms (max) after the 120 ms debounce",
		segments, len(times), times[len(times)/2], times[len(times)-1], trips[len(trips)/2], trips[len(trips)-1])
}
