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

// uiLanguage sets the interface language cookie for the next pages.
func uiLanguage(t *testing.T, ctx context.Context, base, lang string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+"/static/set-language"),
		eval(fmt.Sprintf(`document.cookie = "%s=%s; path=/"`, locale.CookieName, lang)))
}

// signIn signs who in from the login page and waits for the queue.
func signIn(t *testing.T, ctx context.Context, base, who string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, people[who].Email),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#queue-summary`),
	)
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, eval(`document.querySelector("form[action='/logout']").submit()`), chromedp.WaitVisible(`#email`))
}

// phoneAndAxe checks the page shown at desktop and phone width, where nothing may scroll
// sideways, and
// with axe at every impact, then goes back to the desktop size.
func phoneAndAxe(t *testing.T, ctx context.Context, axeSource, name string) {
	t.Helper()
	for _, width := range []int64{1280, phoneWidth} {
		do(t, ctx, chromedp.EmulateViewport(width, phoneHeight))
		if w := value(t, ctx, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`)); w > int(width) {
			wide := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main *, header *")]
				.filter(e => { const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; })
				.slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "")).join(", ")`))
			t.Errorf("%s: %d px wide at %d px; overflowing: %s", name, w, width, wide)
		}
	}
	do(t, ctx, eval(axeSource))
	var violations []axeViolation
	if err := json.Unmarshal([]byte(value(t, ctx, chromedp.Evaluate[string](runAxe, chromedp.EvalAwaitPromise))), &violations); err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Errorf("%s: axe %s (%s): %s at %s", name, v.ID, v.Impact, v.Help, strings.Join(v.Targets, "; "))
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 1000))
}

// TestBrowserComments, in the English and the Arabic interface: a translator comments on a
// segment from the keyboard (Alt+C) mentioning the reviewer, who finds it in her queue and
// opens it; the reviewer rejects with a note on another segment, which the translator then
// sees at that segment and in the summary at the top. The queue with its mentions and the
// editor with comments and the summary pass axe and fit a phone.
func TestBrowserComments(t *testing.T) {
	axeSource := testenv.AxeCore(t)
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			ctx := browser(t)
			f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
			dir := artifacts(t)
			base := f.srv.URL
			focused := chromedp.Evaluate[string](`document.activeElement.id`)
			alt := chromedp.KeyModifiers(chromedp.ModifierAlt)
			uiLanguage(t, ctx, base, lang)

			signIn(t, ctx, base, "translator")
			const body = "@reviewer ١٥ ё 16? «Душанбе»"
			do(t, ctx,
				chromedp.Navigate(base+"/review/1/tg"),
				chromedp.WaitVisible(`#t-1`),
				eval(`document.getElementById("t-1").focus()`),
				chromedp.KeyEvent("c", alt),
			)
			if got := value(t, ctx, focused); got != "cb-1" {
				t.Fatalf("Alt+C in segment p1.s1 focused %q, want its comment box cb-1", got)
			}
			do(t, ctx,
				chromedp.KeyEvent(body),
				chromedp.KeyEvent(kb.Tab),
				chromedp.KeyEvent(kb.Enter),
				chromedp.WaitVisible(`#notice`),
				chromedp.WaitVisible(`[id="seg-p1.s1"] .comment`),
				screenshot(t, dir, lang+"-comment"),
			)
			if got := value(t, ctx, chromedp.Text(`[id="seg-p1.s1"] .comment .comment-body`)); got != body {
				t.Errorf("the comment shows %q, want %q", got, body)
			}
			if got := value(t, ctx, chromedp.Evaluate[string](`document.getElementById("seg-p1.s1").dataset.comments`)); got != "1" {
				t.Errorf("data-comments of p1.s1 = %q, want 1", got)
			}
			signOut(t, ctx)

			signIn(t, ctx, base, "reviewer")
			do(t, ctx, chromedp.WaitVisible(`#mentions`), screenshot(t, dir, lang+"-mention-in-queue"))
			phoneAndAxe(t, ctx, axeSource, lang+" queue with a mention")
			if got := value(t, ctx, chromedp.Text(`#mentions q`)); got != body {
				t.Errorf("the queue's mention shows %q, want %q", got, body)
			}
			do(t, ctx,
				chromedp.Click(`#mentions a`),
				chromedp.WaitVisible(`#reject`),
				// A note for the rejection on p1.s2, whose comments are folded until opened.
				chromedp.Click(`[id="comments-p1.s2"] summary`),
				chromedp.SendKeys(`#nb-2`, "Рақами ١٥ гум шудааст."),
				chromedp.KeyEvent("r", alt),
			)
			if got := value(t, ctx, focused); got != "comment" {
				t.Errorf("Alt+R focused %q, want the decision's comment", got)
			}
			do(t, ctx,
				chromedp.KeyEvent("Рақамҳоро санҷед."),
				chromedp.Click(`#reject`),
				chromedp.WaitVisible(`#notice`),
				chromedp.Navigate(base+"/review"),
				chromedp.WaitVisible(`#queue-summary`),
			)
			if n := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#mentions").length`)); n != 0 {
				t.Error("the mention stays in the queue after the reviewer opened it")
			}
			signOut(t, ctx)

			signIn(t, ctx, base, "translator")
			do(t, ctx,
				chromedp.Navigate(base+"/review/1/tg"),
				chromedp.WaitVisible(`#rejection`),
				chromedp.WaitVisible(`[id="seg-p1.s2"] .comment.kind-rejection`),
				screenshot(t, dir, lang+"-rejection-note"),
			)
			phoneAndAxe(t, ctx, axeSource, lang+" editor with comments and a rejection")
			if got := value(t, ctx, chromedp.Text(`[id="seg-p1.s2"] .comment.kind-rejection .comment-body`)); got != "Рақами ١٥ гум шудааст." {
				t.Errorf("the note at p1.s2 shows %q", got)
			}
			if got := value(t, ctx, chromedp.Text(`#rejection blockquote`)); got != "Рақамҳоро санҷед." {
				t.Errorf("the summary quotes %q", got)
			}
		})
	}
}

// longCleanDraft stores an urgent article of 150 segments (the title and 149 sentences) whose
// Tajik draft is translated, confirmed and raises no flag: what a reviewer approves as is.
func longCleanDraft(t *testing.T, f *fixture) tarjuma.Article {
	t.Helper()
	ctx := context.Background()
	var sentences []string
	for i := range 149 {
		sentences = append(sentences, "قال المتحدث إن الاجتماع كان مفيدا"+strings.Repeat("ا", i%3)+".")
	}
	a, _, err := f.db.CreateArticle(ctx, store.NewArticle{Title: "اجتماع طويل", Body: strings.Join(sentences, " "),
		TargetLangs: []tarjuma.Lang{tarjuma.Tajik}, Priority: tarjuma.PriorityUrgent, Author: "editor@desk.test"})
	if err != nil {
		t.Fatal(err)
	}
	segs := tarjuma.SplitSource(a.Title, a.Body)
	if len(segs) != 150 {
		t.Fatalf("%d segments, want 150", len(segs))
	}
	for i := range segs {
		segs[i].Text, segs[i].Origin = "Сухангӯ гуфт, ки вохӯрӣ муфид буд.", tarjuma.MachineOrigin("google")
	}
	segs[0].Text = "Вохӯрии дароз"
	if _, _, err := f.db.StartTranslating(ctx, a.ID, tarjuma.Tajik, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.SaveMachineVersion(ctx, tarjuma.Version{ArticleID: a.ID, Lang: tarjuma.Tajik, SourceRevision: 1, Segments: segs}); err != nil {
		t.Fatal(err)
	}
	for i := range segs {
		segs[i].Status = tarjuma.SegmentConfirmed
	}
	if _, err := f.db.SaveHumanVersion(ctx, store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: 1, Segments: segs, Author: "tg@desk.test"}); err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBrowserKeyboardToApproved goes from the queue to an approved 150-segment translation with
// the keyboard alone, in the English and the Arabic interface, counting the keys pressed: the
// queue's first row has the focus at load, Enter opens it, Alt+A focuses Approve, Enter
// approves. The target is at most 15.
func TestBrowserKeyboardToApproved(t *testing.T) {
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			ctx := browser(t)
			f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
			a := longCleanDraft(t, f)
			base := f.srv.URL
			uiLanguage(t, ctx, base, lang)
			signIn(t, ctx, base, "reviewer")

			keys := 0
			press := func(key string, opts ...chromedp.KeyOption) chromedp.Action[chromedp.Void] {
				keys++
				return chromedp.KeyEvent(key, opts...)
			}
			focusedHref := chromedp.Evaluate[string](`document.activeElement.getAttribute("href") || document.activeElement.id`)
			do(t, ctx, chromedp.Navigate(base+"/review"), chromedp.WaitVisible(`#queue`))
			want := fmt.Sprintf("/review/%d/tg", a.ID)
			if got := value(t, ctx, focusedHref); got != want {
				t.Fatalf("focused %q at load, want the first row's link %s", got, want)
			}
			// ↓ and ↑ move between rows (checked, not counted: the way to approval needs neither).
			do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
			if got := value(t, ctx, focusedHref); got != "/review/1/tg" {
				t.Errorf("after ↓ focused %q, want the second row", got)
			}
			do(t, ctx, chromedp.KeyEvent(kb.ArrowUp))
			if got := value(t, ctx, focusedHref); got != want {
				t.Fatalf("after ↑ focused %q, want the first row again", got)
			}
			// The editor's deferred scripts, which hold the shortcuts, have run once the page is
			// complete: a translator's first key comes after that too.
			do(t, ctx, press(kb.Enter), chromedp.WaitVisible(`#decide`), waitFor(`document.readyState === "complete"`),
				press("a", chromedp.KeyModifiers(chromedp.ModifierAlt)))
			if got := value(t, ctx, focusedHref); got != "approve" {
				t.Fatalf("Alt+A focused %q, want the Approve button", got)
			}
			do(t, ctx, press(kb.Enter), chromedp.WaitVisible(`#notice`))
			tr, err := f.db.Translation(context.Background(), a.ID, tarjuma.Tajik)
			if err != nil || (tr.Status != tarjuma.StatusApproved && tr.Status != tarjuma.StatusPublished) {
				t.Fatalf("after the keys the translation is %s (%v), want approved", tr.Status, err)
			}
			t.Logf("%s: queue to approved on a 150-segment clean draft in %d keystrokes", lang, keys)
			if keys > 15 {
				t.Errorf("%d keystrokes from the queue to approved, want at most 15", keys)
			}
		})
	}
}
