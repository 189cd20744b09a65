package review

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/locale"
)

// TestBrowserSubscriberFormKinds: the add-subscriber form shows the fields of the kind chosen
// and none of the others' (the stylesheet does it; no script of the desk's touches the form),
// and axe-core finds no violation with any kind chosen, in English and in Arabic.
func TestBrowserSubscriberFormKinds(t *testing.T) {
	axeSource := testenv.AxeCore(t)
	ctx := browser(t)
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	base := f.srv.URL
	do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, people["admin"].Email),
		chromedp.SendKeys(`#password`, password),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#queue-summary`),
	)
	fields := []string{"#sub-payload", "#sub-url", "#sub-url-hint", "#sub-username", "#sub-app-password", "#sub-status",
		"#sub-category", "#sub-author", "#sub-polylang", "#sub-chat", "#sub-bot-token", "#sub-secret-hint", "#sub-description"}
	shown := map[string][]string{
		"webhook":   {"#sub-payload", "#sub-url", "#sub-url-hint", "#sub-description"},
		"wordpress": {"#sub-url", "#sub-url-hint", "#sub-username", "#sub-app-password", "#sub-status", "#sub-category", "#sub-author", "#sub-polylang", "#sub-secret-hint", "#sub-description"},
		"telegram":  {"#sub-chat", "#sub-bot-token", "#sub-secret-hint", "#sub-description"},
	}
	for _, lang := range []string{"en", "ar"} {
		do(t, ctx, chromedp.Navigate(base+"/static/set-language"), eval(fmt.Sprintf(`document.cookie = "%s=%s; path=/"`, locale.CookieName, lang)),
			chromedp.Navigate(base+"/subscribers"), chromedp.WaitReady(`#add-subscriber`))
		for _, kind := range []string{"wordpress", "telegram", "webhook"} {
			name := lang + " " + kind
			do(t, ctx, eval(fmt.Sprintf(`document.querySelector("#sub-kind").value = %q`, kind)))
			for _, sel := range fields {
				visible := value(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q).getClientRects().length > 0`, sel)))
				if want := strings.Contains(strings.Join(shown[kind], " ")+" ", sel+" "); visible != want {
					t.Errorf("%s: %s shown=%t, want %t", name, sel, visible, want)
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
	}
}
