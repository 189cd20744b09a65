package review

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/store"
)

// phoneWidth is the CSS width of a common phone (iPhone 12 to 15), the narrowest the desk
// promises to fit without sideways scrolling.
const phoneWidth, phoneHeight = 390, 844

// axeViolation is what the test reports of one axe-core violation.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
}

// runAxe checks the current page with axe-core at every impact (minor included) and returns
// the violations. axe is injected over the DevTools protocol, which the page's CSP does not
// govern, so the desk serves no test script.
const runAxe = `(async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})));
})()`

// TestBrowserPagesOnPhonesAndAxe opens every page of the desk in all four interface
// languages at phone size (390×844), and in English and Arabic at desktop size, in Chromium and
// checks that none scrolls sideways and that axe-core finds no violation of any impact.
func TestBrowserPagesOnPhonesAndAxe(t *testing.T) {
	axeSource := testenv.AxeCore(t)
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	f.publishDraft(t) // a delivery log on the subscribers' and the editor's pages
	// A memory match for the editor's suggestions panel and a row on the memory page.
	if err := f.db.PutMemory(t.Context(), []store.MemoryEntry{{Source: tarjuma.Arabic, Target: tarjuma.Tajik,
		Key: "اجتمع القادة عام ٢٠٢٣ في دوشنبه.", Text: "Роҳбарон соли 2023 дар Душанбе ҷамъ омаданд."}}); err != nil {
		t.Fatal(err)
	}
	base := f.srv.URL
	signedOut := []string{"/login", "/no/such/page"}
	signedIn := []string{"/review", "/review/1/tg", "/review/1/tg/history", "/glossary", "/glossary/terms/dushanbe",
		"/submit", "/subscribers", "/no/such/page", "/memory?q=%D8%AF%D9%88%D8%B4%D9%86%D8%A8%D9%87", "/review/1/tg/segments/p1.s1/suggestions"}
	check := func(width int, lang, path string) {
		t.Helper()
		name := fmt.Sprintf("%d px %s %s", width, lang, path)
		do(t, ctx, chromedp.Navigate(base+path), chromedp.WaitReady(`main`))
		got := value(t, ctx, chromedp.Evaluate[string](`document.documentElement.lang + " " + document.documentElement.dir`))
		if want := lang + " " + locale.Dir(lang); got != want {
			t.Errorf("%s: html lang and dir %q, want %q", name, got, want)
		}
		if width == phoneWidth && (path == "/review" || path == "/glossary") {
			phoneShot(t, ctx, lang+strings.ReplaceAll(path, "/", "-"))
		}
		if w := value(t, ctx, chromedp.Evaluate[int](`document.scrollingElement.scrollWidth`)); w > width {
			wide := value(t, ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("main *, header *")]
				.filter(e => { const r = e.getBoundingClientRect(); return r.right > innerWidth + 1 || r.left < -1; })
				.slice(0, 6).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "")).join(", ")`))
			t.Errorf("%s: %d px wide; overflowing: %s", name, w, wide)
			phoneShot(t, ctx, lang+strings.ReplaceAll(path, "/", "-"))
		}
		// axe lives in the page until the next navigation: inject it on every page.
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
	// Every language on a phone; the two directions on a desktop screen, where the layout
	// differs (side-by-side segments, tables as tables).
	for _, screen := range []struct {
		width, height int64
		langs         []string
	}{
		{phoneWidth, phoneHeight, []string{"en", "ar", "tg", "ru"}},
		{1280, 1000, []string{"en", "ar"}},
	} {
		do(t, ctx, chromedp.EmulateViewport(screen.width, screen.height))
		for _, lang := range screen.langs {
			// The cookie is set on another URL than the first page checked: a navigation to the
			// URL already shown can return before the new document replaces the old one.
			do(t, ctx, chromedp.Navigate(base+"/static/set-language"),
				eval(fmt.Sprintf(`document.cookie = "%s=%s; path=/"`, locale.CookieName, lang)))
			for _, p := range signedOut {
				check(int(screen.width), lang, p)
			}
			do(t, ctx,
				chromedp.Navigate(base+"/login"),
				chromedp.WaitVisible(`#email`),
				chromedp.SendKeys(`#email`, people["admin"].Email),
				chromedp.SendKeys(`#password`, password),
				chromedp.Submit(`#password`),
				chromedp.WaitVisible(`#queue-summary`),
			)
			for _, p := range signedIn {
				check(int(screen.width), lang, p)
			}
			do(t, ctx, eval(`document.querySelector("form[action='/logout']").submit()`), chromedp.WaitVisible(`#email`))
		}
	}
}

// eval runs a script in the page for its effect.
func eval(script string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](script+";true")(ctx, target)
		return err
	})
}

// phoneShot saves what the phone's screen shows. Not a full-page screenshot: Chromium draws
// those of right-to-left pages shifted.
func phoneShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	path := filepath.Join(artifacts(t), "phone-"+name+".png")
	if err := os.WriteFile(path, value(t, ctx, chromedp.CaptureScreenshot()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}
