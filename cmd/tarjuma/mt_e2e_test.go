package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/translate/google/googletest"
)

// googleV2StandIn speaks Google Cloud Translation Basic (v2) REST: POST …/v2 with a JSON body of
// texts. Its "translation" marks each text with the target language and keeps the HTML as it
// came, as the real engine keeps <span translate="no">; it adds the style Google adds going
// right to left, which the pipeline must strip. A glossary spelling sent alone, as the pipeline
// does to learn how the engine renders a term, comes back as the starter glossary's form.
func googleV2StandIn(t testing.TB, received *engineCounts) *httptest.Server {
	starter, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	alone := map[string]string{}
	for _, term := range starter {
		for _, lang := range tarjuma.TargetLangs() {
			for _, ar := range term.Arabic {
				alone[string(lang)+glossary.Normalize(ar)] = term.Targets[lang].Preferred
			}
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/v2") {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		var body googletest.V2Body
		err := json.NewDecoder(r.Body).Decode(&body)
		req := body.Data
		if err != nil || req.Source != "ar" {
			http.Error(w, fmt.Sprintf("bad request %v %+v", err, req), http.StatusBadRequest)
			return
		}
		received.requests.Add(1)
		for _, q := range req.Q {
			received.chars.Add(int64(utf8.RuneCountInString(q)))
		}
		out := make([]string, len(req.Q))
		for i, q := range req.Q {
			text := "[" + req.Target + "] " + q
			if r, ok := alone[req.Target+glossary.Normalize(q)]; ok && req.Format == "text" && r != "" {
				text = r
			}
			if req.Format == "html" {
				text = `<span style="direction:ltr;text-align:left">` + text + `</span>`
			}
			out[i] = text
		}
		googletest.WriteV2(w, out...)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// engineCounts is what a stand-in engine received: requests, and characters (code points, as
// engines bill them) in the texts to translate.
type engineCounts struct{ requests, chars atomic.Int64 }

// freeAddr finds a loopback port for a child process to listen on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDevWithGoogleV2 runs the real `tarjuma dev` (this test binary as the command) with
// TARJUMA_MT=google on v2 against the stand-in, imports the starter glossary, submits the sample
// article and checks that every glossary term found in the source arrives in each language's
// draft in its preferred form, with the engine's styling gone.
func TestDevWithGoogleV2(t *testing.T) {
	var received engineCounts
	google := googleV2StandIn(t, &received)
	dir := t.TempDir()
	addr := freeAddr(t)
	vars := backends(t)[0]
	env := []string{
		"TARJUMA_DATABASE_URL=" + vars["TARJUMA_DATABASE_URL"],
		"TARJUMA_REDIS_URL=" + vars["TARJUMA_REDIS_URL"],
		"TARJUMA_MT=google",
		"TARJUMA_GOOGLE_API=v2",
		"TARJUMA_GOOGLE_API_KEY=test-key",
		"TARJUMA_GOOGLE_ENDPOINT=" + google.URL + "/language/translate/",
		"TARJUMA_LOG_LEVEL=warn",
	}
	var out strings.Builder
	if err := runChild(t, env, "glossary", "import", filepath.Join("..", "..", "glossary", "starter.csv")).Run(); err != nil {
		t.Fatalf("glossary import: %v", err)
	}
	dev := runChild(t, env, "dev", "--addr", addr, "--data", dir, "--dev-token", testDevToken)
	dev.Stdout = &out
	if err := dev.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dev.Process.Signal(os.Interrupt)
		dev.Wait()
	})
	base := "http://" + addr
	waitReady(t, base+"/readyz", 30*time.Second)

	title, body := tarjuma.SampleArticle()
	var art articleView
	if code := call(t, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body}, &art); code != 202 {
		t.Fatalf("submit: %d", code)
	}
	waitSettled(t, base, art.ID, 1, 60*time.Second)

	starter, err := glossary.Starter()
	if err != nil {
		t.Fatal(err)
	}
	preferred := map[string]glossary.Term{}
	for _, term := range starter {
		preferred[term.ID] = term
	}
	for _, lang := range tarjuma.TargetLangs() {
		var tr struct {
			Status        string `json:"status"`
			LatestVersion struct {
				Title       string `json:"title"`
				TitleOrigin string `json:"title_origin"`
				TitleTerms  []struct {
					Term   string `json:"term"`
					Method string `json:"method"`
				} `json:"title_terms"`
				Segments []struct {
					Text   string `json:"text"`
					Origin string `json:"origin"`
					Terms  []struct {
						Term   string `json:"term"`
						Method string `json:"method"`
					} `json:"terms"`
				} `json:"segments"`
			} `json:"latest_version"`
		}
		call(t, "GET", fmt.Sprintf("%s/api/v1/articles/%d/translations/%s", base, art.ID, lang), nil, &tr)
		v := tr.LatestVersion
		type seg struct {
			text, origin   string
			terms, methods []string
		}
		segs := []seg{{text: v.Title, origin: v.TitleOrigin}}
		for _, term := range v.TitleTerms {
			segs[0].terms = append(segs[0].terms, term.Term)
			segs[0].methods = append(segs[0].methods, term.Method)
		}
		for _, s := range v.Segments {
			one := seg{text: s.Text, origin: s.Origin}
			for _, term := range s.Terms {
				one.terms = append(one.terms, term.Term)
				one.methods = append(one.methods, term.Method)
			}
			segs = append(segs, one)
		}
		// English terms go locked; Russian and Tajik ones are looked for in the engine's sentence,
		// which this stand-in leaves in Arabic, so they fall back to locked and flagged.
		wantMethod := "fallback"
		if lang == tarjuma.English {
			wantMethod = "locked"
		}
		found := 0
		for _, s := range segs {
			if s.origin != "mt:google-v2" || !strings.HasPrefix(s.text, "["+string(lang)+"] ") || strings.Contains(s.text, "style=") {
				t.Errorf("%s: segment %q (%s), want the stand-in's text without its styling", lang, s.text, s.origin)
			}
			for k, id := range s.terms {
				if s.methods[k] != wantMethod {
					t.Errorf("%s: term %s went in %q, want %q", lang, id, s.methods[k], wantMethod)
				}
				found++
				if form := preferred[id].Targets[lang].Preferred; !strings.Contains(s.text, form) {
					t.Errorf("%s: term %s: %q lacks the preferred form %q", lang, id, s.text, form)
				}
			}
		}
		if found < 40 {
			t.Errorf("%s: only %d glossary terms found in the sample", lang, found)
		}
	}
	if received.requests.Load() < 3 {
		t.Errorf("the stand-in saw %d requests, want at least one per language", received.requests.Load())
	}
}

// runChild prepares this test binary to run as `tarjuma args...` (see TestMain).
func runChild(t *testing.T, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "TARJUMA_TEST_CHILD=run", "TARJUMA_TEST_ARGS="+strings.Join(args, "\x1f")), env...)
	cmd.Stderr = &testWriter{t}
	return cmd
}

func waitReady(t *testing.T, url string, within time.Duration) {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready after %v", url, within)
}

// TestProvidersCheck runs `tarjuma providers check` against the Google v2 stand-in: one line per
// language with the answer, and an error exit when the engine refuses.
func TestProvidersCheck(t *testing.T) {
	var received engineCounts
	google := googleV2StandIn(t, &received)
	vars := env{"TARJUMA_MT": "memory", "TARJUMA_MT_RU": "google", "TARJUMA_GOOGLE_API": "v2",
		"TARJUMA_GOOGLE_API_KEY": "k", "TARJUMA_GOOGLE_ENDPOINT": google.URL + "/language/translate/"}
	var out strings.Builder
	if err := run(t.Context(), []string{"providers", "check"}, vars.get, nil, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, lang := range tarjuma.TargetLangs() {
		if !strings.Contains(out.String(), "google-v2        ar→"+string(lang)+"  ok in") {
			t.Errorf("no ok line for %s:\n%s", lang, out.String())
		}
	}
	if received.requests.Load() != 3 {
		t.Errorf("%d requests, want one per language", received.requests.Load())
	}

	vars["TARJUMA_GOOGLE_ENDPOINT"] = "http://127.0.0.1:1/language/translate/" // nothing listens there
	out.Reset()
	if err := run(t.Context(), []string{"providers", "check"}, vars.get, nil, &out); err == nil || !strings.Contains(out.String(), "error after") {
		t.Errorf("an unreachable engine: %v\n%s", err, out.String())
	}
}
