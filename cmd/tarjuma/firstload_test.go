package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/translate"
)

// The target for opening the editor on a long article: page, stylesheet and script
// together, compressed, at most this many bytes, within this time.
const (
	firstLoadBytes = 80_000
	firstLoadTime  = time.Second
)

// wordsProvider is an MT engine that answers each text with Tajik words drawn, seeded by the
// text, from a vocabulary: text with the statistics of prose (no repeats for gzip to exploit
// across segments), so that the compressed size of a page full of it is a fair estimate.
type wordsProvider struct{ vocabulary []string }

func (p *wordsProvider) Name() string { return "words" }

func (p *wordsProvider) Supports(_, _ tarjuma.Lang) (translate.Capabilities, bool) {
	return translate.Capabilities{}, true
}

func (p *wordsProvider) Translate(_ context.Context, req translate.Request) ([]string, error) {
	out := make([]string, len(req.Texts))
	for i, text := range req.Texts {
		h := fnv.New64a()
		h.Write([]byte(text))
		out[i] = sentence(rand.New(rand.NewPCG(h.Sum64(), 1)), p.vocabulary, len(strings.Fields(text)))
	}
	return out, nil
}

// sentence joins n words drawn from vocabulary, capitalised, with a full stop.
func sentence(r *rand.Rand, vocabulary []string, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	return strings.Join(words, " ") + "."
}

// vocabulary is the distinct words of a file in one script, punctuation stripped.
func vocabulary(t *testing.T, path string, script func(rune) bool) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var words []string
	for _, w := range strings.FieldsFunc(string(raw), func(r rune) bool { return !script(r) }) {
		if len([]rune(w)) > 1 && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	return words
}

func isArabic(r rune) bool   { return r >= 0x0621 && r <= 0x064A }
func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x04FF }

var (
	stylesheetHref = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)
	scriptSrc      = regexp.MustCompile(`<script src="([^"]+)"`)
	csrfInput      = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)
)

// TestEditorFirstLoad opens the editor on a 150-segment article the pipeline translated, as a
// translator's browser does on first visit (nothing cached, gzip accepted), and holds the bytes
// on the wire, page, stylesheet and script with their headers, and the time to the issue's
// target.
func TestEditorFirstLoad(t *testing.T) {
	vars := backends(t)[0]
	vars["TARJUMA_MT"] = "words"
	engine := &wordsProvider{vocabulary: vocabulary(t, "../../locale/messages/tg.json", isCyrillic)}
	base, a := startApp(t, vars, map[string]translate.Provider{"words": engine})

	// 149 body sentences in paragraphs of five, and the title: 150 segments.
	arabic := vocabulary(t, "../../testdata/summit-ar.txt", isArabic)
	r := rand.New(rand.NewPCG(150, 1))
	var body strings.Builder
	for i := range 149 {
		body.WriteString(sentence(r, arabic, 12+r.IntN(10)))
		if i%5 == 4 {
			body.WriteString("\n")
		} else {
			body.WriteString(" ")
		}
	}
	title := sentence(r, arabic, 10)
	if n := len(tarjuma.SplitSource(title, body.String())); n != 150 {
		t.Fatalf("the article has %d segments, want 150", n)
	}
	var created articleView
	if code := call(t, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body.String(), "target_langs": []string{"tg"}}, &created); code != http.StatusAccepted {
		t.Fatalf("submit: %d", code)
	}
	waitSettled(t, base, created.ID, 1, time.Minute)

	const email, password = "tg@desk.test", "a-long-test-password"
	if _, err := auth.CreateUser(t.Context(), a.db, auth.NewUser{Email: email, Password: password, Role: tarjuma.RoleTranslator, Langs: []tarjuma.Lang{tarjuma.Tajik}}); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: &http.Transport{DisableCompression: true}}
	_, login := fetch(t, browser, base+"/login")
	m := csrfInput.FindStringSubmatch(string(gunzip(t, login)))
	if m == nil {
		t.Fatal("no CSRF field on the login page")
	}
	resp, err := browser.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {m[1]}, "next": {"/review"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	start := time.Now()
	wire, page := fetch(t, browser, fmt.Sprintf("%s/review/%d/tg", base, created.ID))
	html := string(gunzip(t, page))
	if n := strings.Count(html, `class="target-text"`); n != 150 {
		t.Fatalf("the editor has %d boxes, want 150", n)
	}
	total := wire
	figures := []string{fmt.Sprintf("page %d bytes (%d unzipped)", wire, len(html))}
	for _, link := range []*regexp.Regexp{stylesheetHref, scriptSrc} {
		m := link.FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("the editor links no %v", link)
		}
		n, _ := fetch(t, browser, base+m[1])
		total += n
		figures = append(figures, fmt.Sprintf("%s %d bytes", m[1], n))
	}
	elapsed := time.Since(start)
	t.Logf("editor first load, 150 segments: %d bytes in %v (%s)", total, elapsed.Round(time.Millisecond), strings.Join(figures, ", "))
	if total > firstLoadBytes {
		t.Errorf("editor first load transfers %d bytes, want at most %d", total, firstLoadBytes)
	}
	if elapsed > firstLoadTime {
		t.Errorf("editor first load took %v, want at most %v", elapsed, firstLoadTime)
	}
}

// fetch GETs url accepting gzip and returns the bytes on the wire (status line, headers and
// body as sent) and the body as sent, failing unless the answer is 200 and gzipped when large.
func fetch(t *testing.T, c *http.Client, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, raw := roundTrip(t, c, req)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("GET %s: %d, Content-Encoding %q; want 200 gzipped", url, resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	var head strings.Builder
	fmt.Fprintf(&head, "HTTP/1.1 %s\r\n", resp.Status)
	resp.Header.Write(&head)
	return head.Len() + 2 + len(raw), raw
}
