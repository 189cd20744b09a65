package review

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
)

// browser starts a headless Chromium of its own (fresh profile) for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testenv.Chromium(t)),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), // the machine's network is closed
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; it must not run under a timeout, which would stop
	// the browser with it (chromedp.Run). Later steps are bounded by the test's own deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// artifacts is where screenshots go: $TARJUMA_TEST_ARTIFACTS (kept, CI sets it) or a
// temporary folder of the test.
func artifacts(t *testing.T) string {
	dir := os.Getenv("TARJUMA_TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "review")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func screenshot(t *testing.T, dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, target) // 100 makes a PNG
		if err != nil {
			return err
		}
		path := filepath.Join(dir, name+".png")
		t.Logf("screenshot %s", path)
		return os.WriteFile(path, png, 0o644)
	})
}

// value runs an action that returns something, failing the test on an error.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser drives the desk in real Chromium: sign in, open the draft, move between segments
// and save from the keyboard, see the change in the history, approve, then switch the interface
// to Arabic and check that the page is laid out right to left.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	dir := artifacts(t)
	base := f.srv.URL
	focused := chromedp.Evaluate[string](`document.activeElement.id`)

	do(t, ctx,
		chromedp.Navigate(base+"/review/1/tg"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "reviewer@desk.test"),
		chromedp.SendKeys(`#password`, password),
		screenshot(t, dir, "1-login"),
		chromedp.Submit(`#password`),
		// Back at the page asked for, with the first segment's box focused by the script.
		chromedp.WaitVisible(`#t-0`),
	)
	if got := value(t, ctx, focused); got != "t-0" {
		t.Errorf("focused %q on load, want the first segment", got)
	}
	alt := chromedp.KeyModifiers(chromedp.ModifierAlt)
	do(t, ctx, chromedp.KeyEvent(kb.ArrowDown, alt), chromedp.KeyEvent(kb.ArrowDown, alt))
	if got := value(t, ctx, focused); got != "t-2" {
		t.Fatalf("after Alt+↓ twice focused %q, want t-2", got)
	}
	do(t, ctx,
		chromedp.KeyEvent("15 hayat omad."),
		screenshot(t, dir, "2-editing"),
		// Ctrl+Enter confirms the segment and saves it in the background.
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		waitFor(`document.querySelector('[data-segment="p1.s2"]').dataset.state === "saved"`),
		screenshot(t, dir, "3-saved"),
	)
	if state := value(t, ctx, chromedp.Text(`[data-segment="p1.s2"] .seg-state`)); state != "Saved" {
		t.Errorf("after Ctrl+Enter the segment says %q", state)
	}
	do(t, ctx,
		chromedp.Navigate(base+"/review/1/tg/history"),
		chromedp.WaitVisible(`#diff-summary`),
		screenshot(t, dir, "4-history"),
	)
	if inserted := value(t, ctx, chromedp.Text(`.diff ins`)); inserted != "15 hayat omad." {
		t.Errorf("history shows %q inserted", inserted)
	}
	do(t, ctx,
		chromedp.Navigate(base+"/review/1/tg"),
		chromedp.WaitVisible(`#approve`),
		chromedp.SendKeys(`#comment`, "Good."),
		// p2.s1 is still the Arabic source: the form lists it and asks for an override.
		chromedp.WaitVisible(`#open-issues li[data-segment="p2.s1"]`),
		chromedp.Click(`#override`),
		chromedp.SendKeys(`#override-reason`, "The quote stays in Arabic."),
		chromedp.Click(`#approve`),
		chromedp.WaitVisible(`#notice`),
	)
	if status := value(t, ctx, chromedp.Text(`#translation-status`)); status != "Approved" && status != "Published" {
		t.Errorf("status after approval %q", status)
	}
	v, err := f.db.LatestVersion(context.Background(), 1, tarjuma.Tajik)
	if err != nil || v.Number != 2 || v.Segments[2].Text != "15 hayat omad." {
		t.Errorf("stored version %d with %q, %v", v.Number, v.Segments[2].Text, err)
	}

	// The switcher submits itself on change (the script); the page comes back in Arabic.
	do(t, ctx,
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`(() => { const s = document.getElementById("ui-lang"); s.value = "ar"; s.dispatchEvent(new Event("change")); return true; })()`)(ctx, target)
			return err
		}),
		chromedp.WaitVisible(`html[dir="rtl"] #seg-title`),
		screenshot(t, dir, "5-arabic-editor"),
	)
	if got := value(t, ctx, chromedp.Evaluate[string](`document.documentElement.dir + " " + document.documentElement.lang`)); got != "rtl ar" {
		t.Errorf("after switching to Arabic: dir and lang %q", got)
	}
	left := func(sel string) float64 {
		return value(t, ctx, chromedp.Evaluate[float64](`document.querySelector(`+"`"+sel+"`"+`).getBoundingClientRect().left`))
	}
	if brand, end := left(".brand"), left(".topbar-end"); brand <= end {
		t.Errorf("right to left, the brand (x=%v) should be right of the account controls (x=%v)", brand, end)
	}
	if source, target := left("#seg-title .source"), left("#seg-title .target"); source <= target {
		t.Errorf("right to left, the source column (x=%v) should be right of the target (x=%v)", source, target)
	}
	if u, _ := f.db.User(context.Background(), f.users["reviewer"].ID); u.UILang != "ar" {
		t.Errorf("the reviewer's saved interface language is %q", u.UILang)
	}
}

// TestBrowserHostileInput opens a draft whose title carries markup and a right-to-left override
// and checks in a real browser that nothing ran and the override shows as a marker.
func TestBrowserHostileInput(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	title := `<img src=x onerror="window.pwned=1"> قمة ` + "\u202Egnp.exe"
	segs := tarjuma.SplitSource(title, "خبر.")
	segs[0].Text, segs[1].Text = "Summit", "News."
	segs[0].Origin, segs[1].Origin = tarjuma.MachineOrigin("x"), tarjuma.MachineOrigin("x")
	a := f.createDraft(t, "hostile", title, "خبر.", segs)
	do(t, ctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, "editor@desk.test"),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#queue-summary`),
		chromedp.Navigate(f.srv.URL+"/review/"+itoa64(a.ID)+"/tg"),
		chromedp.WaitVisible(`h1`),
		screenshot(t, artifacts(t), "6-hostile"),
	)
	if value(t, ctx, chromedp.Evaluate[bool](`window.pwned === 1`)) {
		t.Error("markup in a title ran")
	}
	if heading := value(t, ctx, chromedp.Text(`h1`)); !strings.Contains(heading, "⟨U+202E⟩") || !strings.Contains(heading, "<img") {
		t.Errorf("heading %q: want the markup as text and the override as a marker", heading)
	}
}
