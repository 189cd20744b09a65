package main

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// stubProvider is an MT engine with a fixed latency that marks its output with the target
// language, so tests can tell machine text from source, memory and human text.
type stubProvider struct {
	latency time.Duration

	mu    sync.Mutex
	texts map[tarjuma.Lang]int // texts received per target language
}

func (s *stubProvider) Name() string { return "stub" }

func (s *stubProvider) Translate(ctx context.Context, req translate.Request) ([]string, error) {
	if s.latency > 0 {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(s.latency):
		}
	}
	s.mu.Lock()
	if s.texts == nil {
		s.texts = map[tarjuma.Lang]int{}
	}
	s.texts[req.Target] += len(req.Texts)
	s.mu.Unlock()
	out := make([]string, len(req.Texts))
	for i, text := range req.Texts {
		out[i] = stubText(req.Target, text)
		if form, ok := starterRendering(req.Target, text); ok && !req.HTML {
			out[i] = form
		}
	}
	return out, nil
}

// starterRendering is how an engine renders a starter glossary spelling sent alone, as the
// pipeline does to find the term in its sentences: here, as the desk writes it.
func starterRendering(lang tarjuma.Lang, arabic string) (string, bool) {
	terms, err := glossary.Starter()
	if err != nil {
		panic(err)
	}
	for _, t := range terms {
		for _, v := range t.Arabic {
			if glossary.Normalize(v) == glossary.Normalize(arabic) && t.Targets[lang].Preferred != "" {
				return t.Targets[lang].Preferred, true
			}
		}
	}
	return "", false
}

func (s *stubProvider) Supports(_, _ tarjuma.Lang) (translate.Capabilities, bool) {
	return translate.Capabilities{HTML: true}, true
}

func (s *stubProvider) received(lang tarjuma.Lang) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.texts[lang]
}

func stubText(lang tarjuma.Lang, source string) string { return "[" + string(lang) + "] " + source }

// backends pairs each database with a Redis: SQLite with the embedded Redis always, and
// PostgreSQL with the real Redis when the integration variables are set (always in CI).
func backends(t testing.TB) []env {
	dbs, redises := testenv.Databases(t), testenv.Redises(t)
	var out []env
	for i := range min(len(dbs), len(redises)) {
		out = append(out, env{
			"name":                 dbs[i].Name + "+" + redises[i].Name,
			"TARJUMA_DATABASE_URL": dbs[i].URL,
			"TARJUMA_REDIS_URL":    redises[i].URL,
		})
	}
	return out
}

// TestEndToEnd submits the sample article over HTTP, lets the worker translate it through the
// memory and a stub engine, reads the three drafts back over the API, then edits one sentence
// of the source and checks that only that sentence goes to the engine again.
func TestEndToEnd(t *testing.T) {
	for _, vars := range backends(t) {
		t.Run(vars["name"], func(t *testing.T) {
			vars["TARJUMA_MT"] = "stub"
			engine := &stubProvider{}
			base, a := startApp(t, vars, map[string]translate.Provider{"stub": engine})
			title, body := tarjuma.SampleArticle()
			segs := tarjuma.SplitSource(title, body)

			// Approved translations of the title, in Tajik and Russian, as a translator left them.
			remembered := map[tarjuma.Lang]string{
				tarjuma.Tajik:   "Президенти Ҷумҳурии Тоҷикистон Эмомалӣ Раҳмон дар ҷаласаи машваратии чоруми сарони давлатҳои Осиёи Марказӣ иштирок мекунад",
				tarjuma.Russian: "Президент Республики Таджикистан Эмомали Рахмон участвует в четвёртой консультативной встрече глав государств Центральной Азии",
			}
			for lang, text := range remembered {
				err := a.db.PutMemory(context.Background(), []store.MemoryEntry{{Source: tarjuma.Arabic, Target: lang, Key: glossary.MemoryKey(title), Text: text}})
				if err != nil {
					t.Fatal(err)
				}
			}

			submission := map[string]any{"title": title, "body": body, "external_id": "wire-summit"}
			var first, again articleView
			if code := call(t, "POST", base+"/api/v1/articles", submission, &first); code != 202 {
				t.Fatalf("submit: status %d, want 202", code)
			}
			if code := call(t, "POST", base+"/api/v1/articles", submission, &again); code != 200 || again.ID != first.ID {
				t.Fatalf("resubmit: status %d id %d, want 200 and id %d", code, again.ID, first.ID)
			}
			waitSettled(t, base, first.ID, 1, 30*time.Second)

			for _, lang := range tarjuma.TargetLangs() {
				var tr translationView
				url := fmt.Sprintf("%s/api/v1/articles/%d/translations/%s", base, first.ID, lang)
				if code := call(t, "GET", url, nil, &tr); code != 200 {
					t.Fatalf("%s: status %d", lang, code)
				}
				v := tr.LatestVersion
				if tr.Status != "needs_review" || v == nil || v.Number != 1 {
					t.Fatalf("%s: status %q, version %+v; want needs_review, version 1", lang, tr.Status, v)
				}
				wantTitle, wantOrigin := stubText(lang, title), "mt:stub"
				if text, ok := remembered[lang]; ok {
					wantTitle, wantOrigin = text, "memory"
				}
				if v.Title != wantTitle || v.TitleSource != title || v.TitleOrigin != wantOrigin {
					t.Errorf("%s title = %q (%s) from %q, want %q (%s)", lang, v.Title, v.TitleOrigin, v.TitleSource, wantTitle, wantOrigin)
				}
				if len(v.Segments) != len(segs)-1 {
					t.Fatalf("%s: %d body segments, want %d", lang, len(v.Segments), len(segs)-1)
				}
				for i, s := range v.Segments {
					want := segs[i+1]
					if s.ID != want.ID || s.Source != want.Source || s.Text != stubText(lang, want.Source) || s.Origin != "mt:stub" {
						t.Errorf("%s segment %d = %+v, want id %s, the source byte for byte, stub text", lang, i, s, want.ID)
					}
				}
				var versions struct {
					Versions []struct{ Number int } `json:"versions"`
				}
				if code := call(t, "GET", url+"/versions", nil, &versions); code != 200 || len(versions.Versions) != 1 {
					t.Errorf("%s versions: status %d, %+v; want exactly one", lang, code, versions)
				}
			}

			// Change one sentence: revision 2 re-translates that sentence only.
			before := engine.received(tarjuma.Russian)
			changed := strings.Replace(body, "في الفترة من 14 إلى 15 سبتمبر 2023", "في الفترة من 15 إلى 16 سبتمبر 2023", 1)
			if code := call(t, "PUT", fmt.Sprintf("%s/api/v1/articles/%d", base, first.ID), map[string]string{"title": title, "body": changed}, nil); code != 200 {
				t.Fatalf("PUT: status %d, want 200", code)
			}
			waitSettled(t, base, first.ID, 2, 30*time.Second)
			if got := engine.received(tarjuma.Russian) - before; got != 1 {
				t.Errorf("revision 2 sent %d texts to the engine, want the 1 changed sentence", got)
			}
			var tr translationView
			call(t, "GET", fmt.Sprintf("%s/api/v1/articles/%d/translations/ru", base, first.ID), nil, &tr)
			if tr.LatestVersion == nil || tr.LatestVersion.Number != 2 || tr.LatestVersion.SourceRevision != 2 {
				t.Fatalf("after the edit: %+v, want version 2 of revision 2", tr.LatestVersion)
			}
		})
	}
}

// translateSampleWithGlossary starts the app on the first backend with the stub engine and the
// starter glossary, submits the sample article and waits until every language has settled.
func translateSampleWithGlossary(t *testing.T) (base string, art articleView) {
	t.Helper()
	vars := backends(t)[0]
	vars["TARJUMA_MT"] = "stub"
	base, a := startApp(t, vars, map[string]translate.Provider{"stub": &stubProvider{}})
	if err := loadStarterGlossary(context.Background(), a.db, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	title, body := tarjuma.SampleArticle()
	if code := call(t, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body}, &art); code != 202 {
		t.Fatalf("submit: %d", code)
	}
	waitSettled(t, base, art.ID, 1, 30*time.Second)
	return base, art
}

// TestEndToEndGlossary loads the starter glossary, translates the sample through the stub
// engine, and finds the president's name and title in the desk's form in every language. In
// English the engine got them locked and the check says ok. In Russian and Tajik the stub
// leaves the Arabic as it is, so the names cannot be found in its sentence: they are asked again
// locked, and flagged unverified, since nothing tells their case.
func TestEndToEndGlossary(t *testing.T) {
	base, art := translateSampleWithGlossary(t)
	title, _ := tarjuma.SampleArticle()

	want := map[tarjuma.Lang][]string{
		tarjuma.Tajik:   {"Президенти Ҷумҳурии Тоҷикистон", "Эмомалӣ Раҳмон"},
		tarjuma.Russian: {"Президент Республики Таджикистан", "Эмомали Рахмон"},
		tarjuma.English: {"President of the Republic of Tajikistan", "Emomali Rahmon"},
	}
	for lang, forms := range want {
		var tr struct {
			LatestVersion struct {
				Title           string `json:"title"`
				GlossaryVersion int64  `json:"glossary_version"`
				TitleTerms      []struct {
					Term       string
					Start, End int
				} `json:"title_terms"`
				TitleChecks []struct {
					Term, Result, Form string
				} `json:"title_checks"`
			} `json:"latest_version"`
		}
		call(t, "GET", fmt.Sprintf("%s/api/v1/articles/%d/translations/%s", base, art.ID, lang), nil, &tr)
		v := tr.LatestVersion
		if v.GlossaryVersion != 1 {
			t.Errorf("%s: glossary_version %d, want 1", lang, v.GlossaryVersion)
		}
		found := map[string]bool{}
		for _, span := range v.TitleTerms {
			found[span.Term] = true
			if got := title[span.Start:span.End]; span.Term == "emomali-rahmon" && got != "إمام علي رحمان" {
				t.Errorf("%s: span of %s is %q", lang, span.Term, got)
			}
		}
		if !found["president-of-tajikistan"] || !found["emomali-rahmon"] {
			t.Errorf("%s: title terms %+v lack the president's title and name", lang, v.TitleTerms)
		}
		for _, form := range forms {
			if !strings.Contains(v.Title, form) {
				t.Errorf("%s: title %q lacks the desk's form %q", lang, v.Title, form)
			}
		}
		wantResult := "unverified"
		if lang == tarjuma.English {
			wantResult = "ok"
		}
		for _, c := range v.TitleChecks {
			if c.Result != wantResult {
				t.Errorf("%s: check %+v, want %s", lang, c, wantResult)
			}
		}
		if len(v.TitleChecks) < 2 {
			t.Errorf("%s: title checks %+v, want one per term", lang, v.TitleChecks)
		}
	}
}

// TestQAFlagsServedAndCounted translates the sample with the starter glossary and finds the
// flags the worker stored in the API's versions and, counted once per version, on /metrics:
// the stub engine's Russian and Tajik leave the terms to be placed without their case, which
// the check flags unverified.
func TestQAFlagsServedAndCounted(t *testing.T) {
	base, art := translateSampleWithGlossary(t)

	type flag struct{ Kind string }
	served := map[string]int{} // kind/lang
	for _, lang := range tarjuma.TargetLangs() {
		var tr struct {
			LatestVersion struct {
				TitleFlags []flag `json:"title_flags"`
				Segments   []struct {
					Flags []flag `json:"flags"`
				} `json:"segments"`
			} `json:"latest_version"`
		}
		call(t, "GET", fmt.Sprintf("%s/api/v1/articles/%d/translations/%s", base, art.ID, lang), nil, &tr)
		flags := tr.LatestVersion.TitleFlags
		for _, s := range tr.LatestVersion.Segments {
			flags = append(flags, s.Flags...)
		}
		for _, f := range flags {
			served[f.Kind+"/"+string(lang)]++
		}
	}
	if served["term_unverified/ru"] == 0 || served["term_unverified/tg"] == 0 {
		t.Errorf("flags served %v, want the unverified terms of Russian and Tajik", served)
	}

	code, metrics := send(t, "GET", base+"/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	counted := map[string]int{}
	for _, line := range strings.Split(string(metrics), "\n") {
		var kind, lang string
		var n int
		if _, err := fmt.Sscanf(line, "tarjuma_qa_flags_total{kind=%q,lang=%q} %d", &kind, &lang, &n); err == nil {
			counted[kind+"/"+lang] = n
		}
	}
	if !maps.Equal(served, counted) {
		t.Errorf("tarjuma_qa_flags_total %v, want the flags the API serves, each once: %v", counted, served)
	}
}

// TestEndToEndOverSentinel runs the pipeline on a replicated Redis's addressing: the URL names
// only a Sentinel, which points API, relay and worker at a master that asks for a password.
func TestEndToEndOverSentinel(t *testing.T) {
	const name, password = "tarjuma", "master-secret"
	master := testenv.StartRedisServer(t, "--requirepass", password)
	sentinel := testenv.StartRedisSentinel(t, name, master.Addr(), password)
	all := backends(t)
	vars := env{
		"TARJUMA_DATABASE_URL": all[len(all)-1]["TARJUMA_DATABASE_URL"],
		"TARJUMA_REDIS_URL":    fmt.Sprintf("redis-sentinel://%s?master=%s&password=%s", sentinel.Addr(), name, password),
		"TARJUMA_MT":           "stub",
	}
	base, _ := startApp(t, vars, map[string]translate.Provider{"stub": &stubProvider{}})

	title, body := tarjuma.SampleArticle()
	var a articleView
	if code := call(t, "POST", base+"/api/v1/articles", map[string]any{"title": title, "body": body}, &a); code != 202 {
		t.Fatalf("submit: status %d, want 202", code)
	}
	settled := waitSettled(t, base, a.ID, 1, 30*time.Second)
	for _, tr := range settled.Translations {
		if tr.Status != string(tarjuma.StatusNeedsReview) || tr.LatestVersion != 1 {
			t.Errorf("%s: status %s, version %d; want needs_review, version 1", tr.Lang, tr.Status, tr.LatestVersion)
		}
	}

	// The tasks went through the master the Sentinel named.
	c := redis.NewClient(&redis.Options{Addr: master.Addr(), Password: password})
	defer c.Close()
	if n, err := c.ZCard(t.Context(), "asynq:{default}:completed").Result(); err != nil || n != 3 {
		t.Errorf("completed tasks on the master: %d, %v; want 3", n, err)
	}
}
