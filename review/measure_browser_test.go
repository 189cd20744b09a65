package review

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/klauspost/compress/gzhttp"

	"github.com/tarjuma/tarjuma"
)

// The targets for the editor of a 150-segment article, in Chromium.
const (
	measureSegments = 150
	// maxEditorBytes is what the editor's first load may transfer: the page, its stylesheet and
	// its scripts, compressed, headers included.
	maxEditorBytes = 80_000
	// maxKeystrokes is what keyboard-only work from the queue to an approved translation may
	// take, besides the text typed.
	maxKeystrokes = 15
)

// longDraft stores an article of measureSegments segments (the title and 149 sentences, five to
// a paragraph) with a machine draft of its Tajik translation, as the worker leaves it: every
// segment a draft. The text is prose-like, words drawn at random (seeded) from the Arabic sample
// story and the Tajik interface messages, so that gzip finds no more repetition in the page than
// in real copy (cmd's TestEditorFirstLoad builds its article the same way).
func longDraft(t *testing.T, f *fixture) tarjuma.Article {
	t.Helper()
	arabic, tajik := words(t, "../testdata/summit-ar.txt", 0x0621, 0x064A), words(t, "../locale/messages/tg.json", 0x0400, 0x04FF)
	r := rand.New(rand.NewPCG(150, 1))
	sentence := func(vocabulary []string, n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocabulary[r.IntN(len(vocabulary))]
		}
		return strings.Join(ws, " ") + "."
	}
	var body strings.Builder
	for i := range measureSegments - 1 {
		body.WriteString(sentence(arabic, 12+r.IntN(10)))
		if i%5 == 4 {
			body.WriteString("\n")
		} else {
			body.WriteString(" ")
		}
	}
	title := sentence(arabic, 10)
	segs := tarjuma.SplitSource(title, strings.TrimSpace(body.String()))
	if len(segs) != measureSegments {
		t.Fatalf("the long article has %d segments, want %d", len(segs), measureSegments)
	}
	for i := range segs {
		segs[i].Text, segs[i].Origin = sentence(tajik, 12+r.IntN(10)), tarjuma.MachineOrigin("google")
	}
	return f.createDraft(t, "long", title, strings.TrimSpace(body.String()), segs)
}

// words returns the distinct words of two letters or more of a file, in the script whose
// letters run from lo to hi.
func words(t *testing.T, path string, lo, hi rune) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(string(raw), func(r rune) bool { return r < lo || r > hi }) {
		if len([]rune(w)) > 1 && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// transfers records what Chromium fetched, from the DevTools network events: per request its
// URL, type, response headers, whether the cache answered it, and the bytes that crossed the
// network (encodedDataLength: headers and compressed body).
type transfers struct {
	mu   sync.Mutex
	reqs map[network.RequestID]*transfer
}

type transfer struct {
	url, cacheControl, encoding string
	kind                        network.ResourceType
	fromCache                   bool
	bytes                       float64
	done                        bool
}

func (tr *transfers) listen(ev any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	get := func(id network.RequestID) *transfer {
		if tr.reqs[id] == nil {
			tr.reqs[id] = &transfer{}
		}
		return tr.reqs[id]
	}
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		x := get(ev.RequestID)
		x.url, x.kind = ev.Request.URL, ev.Type
	case *network.EventRequestServedFromCache:
		get(ev.RequestID).fromCache = true
	case *network.EventResponseReceived:
		x := get(ev.RequestID)
		x.url, x.kind = ev.Response.URL, ev.Type
		x.cacheControl, x.encoding = header(ev.Response.Headers, "Cache-Control"), header(ev.Response.Headers, "Content-Encoding")
		x.fromCache = x.fromCache || ev.Response.FromDiskCache
	case *network.EventLoadingFinished:
		x := get(ev.RequestID)
		x.bytes, x.done = ev.EncodedDataLength, true
	}
}

// header reads a response header whatever its case (HTTP/1.1 keeps the server's).
func header(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// start forgets what was recorded, before the load to measure.
func (tr *transfers) start() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.reqs = map[network.RequestID]*transfer{}
}

// page returns the finished requests of a page load: its document, stylesheets and scripts.
func (tr *transfers) page() []transfer {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []transfer
	for _, x := range tr.reqs {
		switch x.kind {
		case network.ResourceTypeDocument, network.ResourceTypeStylesheet, network.ResourceTypeScript:
			out = append(out, *x)
		}
	}
	return out
}

// TestMeasureEditor is the harness for the measured targets on a 150-segment article,
// in Chromium, over the desk as cmd serves it (gzip over 1 KB). It asserts the targets that are
// sizes and counts: the editor's first load transfers at most 80,000 bytes for the page, its
// CSS and JS; static files carry a Cache-Control max-age and come from the cache on the next
// page; keyboard-only from the queue to approved takes at most 15 keystrokes once the queue's
// first row is focusable and Alt+A reaches the approve panel. Times are logged, not asserted
// (the machine is shared): re-run with `go test ./review -run Measure -v` and read the log.
func TestMeasureEditor(t *testing.T) {
	ctx := browser(t)
	var cfg Config
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db", func(c *Config) { cfg = *c })
	a := longDraft(t, f)
	// Article 1, the fixture's, is approved, so the long article is the queue's only draft.
	if err := f.db.Approve(context.Background(), 1, tarjuma.Tajik, 1, "reviewer@desk.test", "", fixtureOverride); err != nil {
		t.Fatal(err)
	}
	// As cmd serves the desk (cmd/tarjuma compress): gzip for bodies over 1 KB, no zstd.
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.EnableZstd(false))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wrap(New(cfg)))
	t.Cleanup(srv.Close)
	editorPath := fmt.Sprintf("/review/%d/tg", a.ID)

	var tr transfers
	tr.start()
	if err := chromedp.Listen(ctx, tr.listen); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, srv.URL, "reviewer")

	t.Run("first load", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, network.ClearBrowserCache, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		tr.start()
		do(t, ctx, chromedp.Navigate(srv.URL+editorPath), chromedp.WaitReady(`#seg-title`))
		total, kinds := 0.0, map[network.ResourceType]int{}
		for _, x := range tr.page() {
			kinds[x.kind]++
			t.Logf("  %-9s %7.0f bytes  %-4s %s", x.kind, x.bytes, x.encoding, strings.TrimPrefix(x.url, srv.URL))
			total += x.bytes
			if x.kind == network.ResourceTypeDocument && x.encoding != "gzip" {
				t.Errorf("the editor page came with Content-Encoding %q, want gzip", x.encoding)
			}
			if !x.done {
				t.Errorf("%s did not finish loading", x.url)
			}
		}
		if kinds[network.ResourceTypeDocument] != 1 || kinds[network.ResourceTypeStylesheet] == 0 || kinds[network.ResourceTypeScript] == 0 {
			t.Errorf("the load recorded %v, want the page, a stylesheet and scripts", kinds)
		}
		timing := value(t, ctx, chromedp.Evaluate[string](`(() => { const n = performance.getEntriesByType("navigation")[0];
			return "response end " + n.responseEnd.toFixed(0) + " ms, DOMContentLoaded " + n.domContentLoadedEventEnd.toFixed(0) + " ms, load " + n.loadEventEnd.toFixed(0) + " ms, page " + n.transferSize + " bytes"; })()`))
		t.Logf("MEASURE editor first load (%d segments): %.0f bytes transferred (target ≤ %d); %s (target ≤ 1000 ms)", measureSegments, total, maxEditorBytes, timing)
		if total > maxEditorBytes {
			t.Errorf("the editor's first load transferred %.0f bytes, over %d", total, maxEditorBytes)
		}
	})

	t.Run("static files cached", func(t *testing.T) {
		// The first load fetched every static file the editor links; the editor opened again
		// from the queue must take them all from the cache, not the network.
		do(t, ctx, chromedp.Navigate(srv.URL+"/review"), chromedp.WaitReady(`#queue-summary`))
		tr.start()
		do(t, ctx, chromedp.Navigate(srv.URL+editorPath), chromedp.WaitReady(`#seg-title`))
		var fetched, cached int
		total := 0.0
		for _, x := range tr.page() {
			total += x.bytes
			if x.kind == network.ResourceTypeDocument {
				continue
			}
			if !strings.Contains(x.cacheControl, "max-age=") {
				t.Errorf("%s: Cache-Control %q, want a max-age", x.url, x.cacheControl)
			}
			if x.fromCache || x.bytes == 0 {
				cached++
				continue
			}
			fetched++
			t.Errorf("%s came over the network again (%.0f bytes), want it from the cache", x.url, x.bytes)
		}
		if cached+fetched == 0 {
			t.Error("the editor loaded no stylesheet or script")
		}
		t.Logf("MEASURE editor after the queue: %.0f bytes transferred; static files: %d from the cache, %d fetched", total, cached, fetched)
	})

	t.Run("keyboard from the queue to approved", func(t *testing.T) {
		n, path := keyboardToApproved(t, ctx, srv.URL, a.ID)
		tr, err := f.db.Translation(context.Background(), a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Status != tarjuma.StatusApproved && tr.Status != tarjuma.StatusPublished {
			t.Fatalf("after %d keystrokes the translation is %s, want approved", n, tr.Status)
		}
		t.Logf("MEASURE keyboard only, queue to approved: %d keystrokes besides the text typed (target ≤ %d): %s", n, maxKeystrokes, path)
		if designed(path) && n > maxKeystrokes {
			t.Errorf("%d keystrokes from the queue to approved, over %d", n, maxKeystrokes)
		}
	})
	// Last: the translator's save confirms every segment, which would leave no open issue to
	// override on the way to approval.
	t.Run("server time", func(t *testing.T) {
		c := f.signedIn(t, "translator") // the fixture's own server: the same desk, uncompressed
		start := time.Now()
		page := c.get(editorPath)
		load := time.Since(start)
		if page.status != http.StatusOK {
			t.Fatalf("editor: %d", page.status)
		}
		v, err := f.db.LatestVersion(context.Background(), a.ID, tarjuma.Tajik)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		resp := c.post(editorPath, editForm(v.Number, v.Segments, map[string]string{"p1.s2": v.Segments[2].Text + " (таҳрир)"}))
		save := time.Since(start)
		if resp.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", resp.status, firstLine(resp.body))
		}
		t.Logf("MEASURE server time, %d segments: editor page %v; save of the whole form %v (target for a segment save ≤ 100 ms)",
			measureSegments, load.Round(time.Millisecond), save.Round(time.Millisecond))
	})
}

// designed reports whether the keyboard path used what the desk promises for it (desk13.md):
// the queue's first row focused at load and Alt+A reaching the approve panel. Until those are
// built the harness walks with Tab, and the count it logs is what exists today.
func designed(path string) bool {
	return !strings.Contains(path, "Tab to the article") && !strings.Contains(path, "Tab to the approve panel")
}

// keyboardToApproved approves the Tajik translation of article id from the queue with the keys
// alone, as a reviewer would: in the queue, Enter on the article's row (↓ between rows, Tab to
// reach them); in the editor Alt+A, then through the approve panel: tick the override of the
// open issues, type its reason, Enter on Approve. It returns the keystrokes pressed besides the
// text typed and a summary of the path.
func keyboardToApproved(t *testing.T, ctx context.Context, base string, id int64) (int, string) {
	t.Helper()
	const reason = "Машина, санҷида шуд."
	target := fmt.Sprintf("/review/%d/tg", id)
	do(t, ctx, chromedp.Navigate(base+"/review"), chromedp.WaitReady(`#queue-summary`))
	keys := 0
	// path is what was done, in order, each with how many times in a row.
	type run struct {
		what string
		n    int
	}
	var path []run
	step := func(what string) {
		if len(path) > 0 && path[len(path)-1].what == what {
			path[len(path)-1].n++
			return
		}
		path = append(path, run{what, 1})
	}
	summary := func() string {
		var parts []string
		for _, r := range path {
			parts = append(parts, fmt.Sprintf("%s ×%d", r.what, r.n))
		}
		return strings.Join(parts, ", ")
	}
	press := func(what, key string, mods ...chromedp.Modifier) {
		keys++
		step(what)
		do(t, ctx, chromedp.KeyEvent(key, chromedp.KeyModifiers(mods...)))
	}
	triedAltA := false
	for keys < 2000 {
		// Where the focus is, as the next key needs it.
		state := value(t, ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const e = document.activeElement, here = location.pathname + location.search;
			if (/done=approved/.test(location.search)) return "approved";
			if (document.querySelector("#decide-form") && document.getElementById("error")) return "refused";
			if (location.pathname === "/review") {
				if (e && e.closest && e.closest("a[href='%[1]s'], tr[data-href='%[1]s'], [data-article='%[2]d']")) return "queue-row";
				if (e && e.closest && e.closest("tbody tr")) return "queue-other-row";
				return "queue";
			}
			if (location.pathname !== "%[1]s") return "elsewhere " + here;
			const panel = document.getElementById("decide-form");
			if (!e || !panel || !panel.contains(e)) return "editor";
			if (e.id === "override") return e.checked ? "panel" : "override";
			if (e.id === "override-reason") return e.value ? "panel" : "reason";
			if (e.id === "approve") return "approve";
			return "panel";
		})()`, target, id)))
		switch state {
		case "approved":
			return keys, summary()
		case "refused":
			t.Fatalf("the approval was refused after %d keys (%s): %s", keys, summary(),
				value(t, ctx, chromedp.Evaluate[string](`document.getElementById("error").textContent`)))
		case "queue-row":
			press("Enter on the article", kb.Enter)
			// Deferred scripts run before "complete": the shortcuts are in place once it is.
			waitThroughLoads(t, ctx, fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, target))
		case "queue-other-row":
			press("↓ to the article's row", kb.ArrowDown)
		case "queue":
			press("Tab to the article", kb.Tab)
		case "editor":
			if !triedAltA {
				triedAltA = true
				press("Alt+A", "a", chromedp.ModifierAlt)
				continue
			}
			press("Tab to the approve panel", kb.Tab)
		case "override":
			press("Space on the override", " ")
		case "reason":
			step("type the reason")
			do(t, ctx, chromedp.KeyEvent(reason))
		case "approve":
			press("Enter on Approve", kb.Enter)
			waitThroughLoads(t, ctx, `/done=approved/.test(location.search) || !!document.querySelector("[role=alert]")`)
		case "panel":
			press("Tab in the panel", kb.Tab)
		default:
			t.Fatalf("keyboard path went %s after %d keys: %s", state, keys, summary())
		}
	}
	t.Fatalf("no approval after %d keystrokes: %s", keys, summary())
	return 0, ""
}

// waitThroughLoads polls the page until the script is true, through navigations (an evaluation that
// fails while the next document loads is tried again), for at most 30 seconds.
func waitThroughLoads(t *testing.T, ctx context.Context, script string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](script)); err == nil && ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("waited 30 s for %s", script)
}
