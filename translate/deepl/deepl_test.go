package deepl

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
	"github.com/tarjuma/tarjuma/translate/internal/enginetest"
)

const testKey = "test-key:fx"

// standIn speaks DeepL's v2 JSON API: it records what it is sent, answers /v2/translate with
// reply, and creates and deletes glossaries.
type standIn struct {
	t     *testing.T
	reply func(w http.ResponseWriter, body []byte)

	mu         sync.Mutex
	translates [][]byte            // raw /v2/translate bodies
	created    []map[string]string // /v2/glossaries bodies
	deleted    []string
}

func newStandIn(t *testing.T, reply func(w http.ResponseWriter, body []byte)) (*standIn, *Engine) {
	s := &standIn{t: t, reply: reply}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, New(Config{Key: testKey, BaseURL: srv.URL, HTTPClient: srv.Client()})
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("Authorization"); got != "DeepL-Auth-Key "+testKey {
		s.t.Errorf("Authorization = %q", got)
		http.Error(w, `{"message":"Wrong key"}`, http.StatusForbidden)
		return
	}
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v2/translate":
		s.translates = append(s.translates, body)
		s.reply(w, body)
	case r.Method == http.MethodPost && r.URL.Path == "/v2/glossaries":
		var g map[string]string
		if err := json.Unmarshal(body, &g); err != nil {
			s.t.Errorf("glossary body %s: %v", body, err)
		}
		s.created = append(s.created, g)
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"glossary_id": "g" + string(rune('0'+len(s.created))), "ready": true})
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/v2/glossaries/"):
		s.deleted = append(s.deleted, strings.TrimPrefix(r.URL.Path, "/v2/glossaries/"))
		w.WriteHeader(http.StatusNoContent)
	default:
		s.t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

// answer replies with texts as DeepL would.
func answer(texts ...string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) {
		out := []map[string]string{}
		for _, text := range texts {
			out = append(out, map[string]string{"detected_source_language": "AR", "text": text})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"translations": out})
	}
}

// echo replies with each text as sent, so spans can be checked through the round trip.
func echo(w http.ResponseWriter, body []byte) {
	var req translateRequest
	json.Unmarshal(body, &req)
	answer(req.Text...)(w, body)
}

func TestSend(t *testing.T) {
	arabic := []string{"قال الرئيس إمام علي رحمان.", "وصل الوفد إلى دوشنبه."}
	tests := []struct {
		name   string
		req    translate.Request
		answer []string
		body   string // exactly what DeepL must receive
	}{{
		name:   "russian",
		req:    translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: arabic},
		answer: []string{"Президент Эмомали Рахмон сказал.", "Делегация прибыла в Душанбе."},
		body:   `{"text":["قال الرئيس إمام علي رحمان.","وصل الوفد إلى دوشنبه."],"source_lang":"AR","target_lang":"RU"}`,
	}, {
		name:   "tajik is plain text with beta languages on",
		req:    translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Texts: arabic},
		answer: []string{"Президент Эмомалӣ Раҳмон гуфт.", "Ҳайат ба Душанбе расид; ғ қ ӯ ҷ."},
		body:   `{"text":["قال الرئيس إمام علي رحمان.","وصل الوفد إلى دوشنبه."],"source_lang":"AR","target_lang":"TG","enable_beta_languages":true}`,
	}, {
		name:   "english in html mode",
		req:    translate.Request{Source: tarjuma.Arabic, Target: tarjuma.English, Texts: []string{`قال <span translate="no">Emomali Rahmon</span> &amp; الوفد`}, HTML: true},
		answer: []string{`<span translate="no">Emomali Rahmon</span> &amp; the delegation said`},
		body:   `{"text":["قال <span translate=\"no\">Emomali Rahmon</span> &amp; الوفد"],"source_lang":"AR","target_lang":"EN-GB","tag_handling":"html"}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := newStandIn(t, answer(tt.answer...))
			got, err := e.Send(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.answer, got); diff != "" {
				t.Errorf("texts (-want +got):\n%s", diff)
			}
			if len(s.translates) != 1 || strings.TrimSpace(string(s.translates[0])) != tt.body {
				t.Errorf("DeepL got %q\nwant %q", s.translates, tt.body)
			}
		})
	}
}

// TestSpansPreserved sends protected glossary terms through a DeepL that keeps them, as its
// HTML mode does, and gets them back byte for byte.
func TestSpansPreserved(t *testing.T) {
	_, e := newStandIn(t, echo)
	texts := []string{
		`<span translate="no">Эмомали Рахмон</span> и <span translate="no">Садыр Жапаров</span>`,
		`&lt;цитата&gt; <span translate="no">Шолпон-Ата</span>`,
	}
	got, err := e.Send(context.Background(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: texts, HTML: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(texts, got); diff != "" {
		t.Errorf("spans changed (-sent +got):\n%s", diff)
	}
}

func TestRefusesWhatDeepLCannotDo(t *testing.T) {
	s, e := newStandIn(t, echo)
	for _, req := range []translate.Request{
		{Source: tarjuma.Arabic, Target: tarjuma.Tajik, Texts: []string{"نص"}, HTML: true}, // no tag handling for Tajik
		{Source: tarjuma.Russian, Target: tarjuma.English, Texts: []string{"текст"}},
		{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{strings.Repeat("ن", maxBody)}},
	} {
		if _, err := e.Send(context.Background(), req); !translate.IsPermanent(err) {
			t.Errorf("%s→%s HTML=%v: err = %v, want permanent", req.Source, req.Target, req.HTML, err)
		}
	}
	if len(s.translates) != 0 {
		t.Errorf("sent %d requests, want none", len(s.translates))
	}
}

func TestSupports(t *testing.T) {
	e := New(Config{Key: "k"})
	for _, tt := range []struct {
		target tarjuma.Lang
		caps   translate.Capabilities
		ok     bool
	}{
		{tarjuma.Russian, translate.Capabilities{HTML: true, Glossary: true}, true},
		{tarjuma.English, translate.Capabilities{HTML: true, Glossary: true}, true},
		{tarjuma.Tajik, translate.Capabilities{}, true},
		{tarjuma.Arabic, translate.Capabilities{}, false},
	} {
		if caps, ok := e.Supports(tarjuma.Arabic, tt.target); caps != tt.caps || ok != tt.ok {
			t.Errorf("Supports(ar, %s) = %+v, %v; want %+v, %v", tt.target, caps, ok, tt.caps, tt.ok)
		}
	}
	if e.Name() != "deepl" || e.Limits() != (translate.Limits{MaxTexts: 50, MaxBytes: 120 << 10}) {
		t.Errorf("Name %q, Limits %+v", e.Name(), e.Limits())
	}
}

func TestBaseURLByKey(t *testing.T) {
	for key, want := range map[string]string{"abc:fx": freeURL, "abc": proURL} {
		if got := New(Config{Key: key}).base; got != want {
			t.Errorf("key %q: base %s, want %s", key, got, want)
		}
	}
}

func TestErrors(t *testing.T) {
	status := enginetest.Status[[]byte]
	enginetest.CheckFailures(t, "deepl", []enginetest.Failure[func(http.ResponseWriter, []byte)]{
		{Name: "too many requests", Reply: status(429, "7", `{"message":"Too many requests"}`), RetryAfter: 7 * time.Second, Text: "Too many requests"},
		{Name: "quota exceeded", Reply: status(456, "", `{"message":"Quota exceeded"}`), Permanent: true, Text: "quota exceeded"},
		{Name: "bad key", Reply: status(403, "", `{"message":"Wrong endpoint"}`), Permanent: true, Text: "HTTP 403"},
		{Name: "bad request", Reply: status(400, "", `{"message":"Value for 'target_lang' not supported."}`), Permanent: true, Text: "target_lang"},
		{Name: "server error", Reply: status(500, "", "oops"), Text: "HTTP 500: oops"},
		{Name: "unavailable", Reply: status(503, "", ""), Text: "HTTP 503"},
		{Name: "short response", Reply: answer("один"), Text: "short response: 1 texts for 2"},
		{Name: "malformed response", Reply: status(200, "", `{"translations":[`), Text: "malformed"},
	}, func(t *testing.T, reply func(http.ResponseWriter, []byte)) ([]string, error) {
		_, e := newStandIn(t, reply)
		return e.Send(context.Background(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"واحد", "اثنان"}})
	})
}

func TestTimeoutIsRetryable(t *testing.T) {
	srv := enginetest.Unresponsive(t)
	e := New(Config{Key: testKey, BaseURL: srv.URL, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	got, err := e.Send(context.Background(), translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"نص"}})
	// Over a transport that is not net/http's own (the usage gate's), the client's timeout
	// shows as its own error or as its context's deadline, whichever net/http notices first.
	enginetest.CheckError(t, got, err, "deepl", false, 0, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q, want the client's deadline", err)
	}
}

// TestUsageGated: the translation request is recorded at its body, and the glossary created
// on the way is not mistaken for it.
func TestUsageGated(t *testing.T) {
	s := &standIn{t: t, reply: echo}
	w := enginetest.WatchGate(s)
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	e := New(Config{Key: testKey, BaseURL: srv.URL, HTTPClient: srv.Client()})
	enginetest.CheckUsageGated(t, e, w, translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"نص"},
		Glossary: []translate.GlossaryEntry{{Source: "دوشنبه", Target: "Душанбе"}}, GlossaryVersion: 1}, "/v2/translate")
	if len(s.created) != 1 || len(s.translates) != 1 {
		t.Errorf("%d glossaries created and %d translations, want 1 and 1", len(s.created), len(s.translates))
	}
}

func TestGlossary(t *testing.T) {
	s, e := newStandIn(t, echo)
	clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	e.now = func() time.Time { return clock }
	rahmon := translate.GlossaryEntry{Source: "إمام علي رحمان", Target: "Эмомали Рахмон"}
	dushanbe := translate.GlossaryEntry{Source: "دوشنبه", Target: "Душанбе"}
	send := func(target tarjuma.Lang, version int64, entries ...translate.GlossaryEntry) string {
		t.Helper()
		if _, err := e.Send(context.Background(), translate.Request{
			Source: tarjuma.Arabic, Target: target, Texts: []string{"نص"}, Glossary: entries, GlossaryVersion: version,
		}); err != nil {
			t.Fatal(err)
		}
		var req translateRequest
		json.Unmarshal(s.translates[len(s.translates)-1], &req)
		return req.GlossaryID
	}

	if id := send(tarjuma.Russian, 7, rahmon); id != "g1" {
		t.Errorf("glossary_id = %q, want g1", id)
	}
	want := map[string]string{
		"name": "tarjuma-ru-v7", "source_lang": "ar", "target_lang": "ru",
		"entries": "إمام علي رحمان\tЭмомали Рахмон\n", "entries_format": "tsv",
	}
	if diff := cmp.Diff([]map[string]string{want}, s.created); diff != "" {
		t.Errorf("glossary created (-want +got):\n%s", diff)
	}
	// The same terms, or fewer, reuse it.
	if id := send(tarjuma.Russian, 7, rahmon); id != "g1" || len(s.created) != 1 {
		t.Errorf("same terms: glossary_id %q after %d creations; want g1 after 1", id, len(s.created))
	}
	// A new term makes a glossary of all terms seen under this version.
	if id := send(tarjuma.Russian, 7, dushanbe, translate.GlossaryEntry{Source: "bad\tterm", Target: "x"}); id != "g2" {
		t.Errorf("new term: glossary_id %q, want g2", id)
	}
	if got, want := s.created[1]["entries"], "إمام علي رحمان\tЭмомали Рахмон\nدوشنبه\tДушанбе\n"; got != want {
		t.Errorf("union entries %q, want %q", got, want)
	}
	if id := send(tarjuma.Russian, 7, rahmon, dushanbe); id != "g2" {
		t.Errorf("known terms: glossary_id %q, want g2", id)
	}
	// A batch from an older version than the current one gets no native glossary.
	if id := send(tarjuma.Russian, 6, rahmon); id != "" {
		t.Errorf("older version: glossary_id %q, want none", id)
	}
	// Tajik has no glossaries at DeepL.
	if id := send(tarjuma.Tajik, 7, rahmon); id != "" || len(s.created) != 2 {
		t.Errorf("tajik: glossary_id %q after %d creations; want none after 2", id, len(s.created))
	}
	// A new version starts afresh; superseded glossaries are deleted once no request can
	// still be using them.
	if id := send(tarjuma.Russian, 8, dushanbe); id != "g3" || s.created[2]["name"] != "tarjuma-ru-v8" || len(s.deleted) != 0 {
		t.Errorf("version 8: glossary_id %q, %v, deleted %v; want g3, tarjuma-ru-v8, none deleted yet", id, s.created[2], s.deleted)
	}
	clock = clock.Add(retireAfter)
	if id := send(tarjuma.English, 8, translate.GlossaryEntry{Source: "دوشنبه", Target: "Dushanbe"}); id != "g4" || s.created[3]["target_lang"] != "en" {
		t.Errorf("english: glossary_id %q, %v; want g4 for en", id, s.created[3])
	}
	if slices.Sort(s.deleted); !slices.Equal(s.deleted, []string{"g1", "g2"}) {
		t.Errorf("deleted %v, want g1 and g2", s.deleted)
	}
}

// TestGlossaryDeletedElsewhere: DeepL answers 404 for a glossary someone else deleted; the
// batch is retryable and the next attempt creates the glossary again.
func TestGlossaryDeletedElsewhere(t *testing.T) {
	calls := 0
	s, e := newStandIn(t, func(w http.ResponseWriter, body []byte) {
		if calls++; calls == 1 {
			http.Error(w, `{"message":"Glossary not found"}`, http.StatusNotFound)
			return
		}
		echo(w, body)
	})
	req := translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"نص"},
		Glossary: []translate.GlossaryEntry{{Source: "دوشنبه", Target: "Душанбе"}}, GlossaryVersion: 1}
	if _, err := e.Send(context.Background(), req); err == nil || translate.IsPermanent(err) {
		t.Fatalf("first Send: %v, want a retryable error", err)
	}
	if _, err := e.Send(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 2 {
		t.Errorf("created %d glossaries, want 2", len(s.created))
	}
}

// TestGlossaryCreatedOnceUnderConcurrency: batches of one article in flight together share
// one new glossary.
func TestGlossaryCreatedOnceUnderConcurrency(t *testing.T) {
	s, e := newStandIn(t, echo)
	req := translate.Request{Source: tarjuma.Arabic, Target: tarjuma.Russian, Texts: []string{"نص"},
		Glossary: []translate.GlossaryEntry{{Source: "دوشنبه", Target: "Душанбе"}}, GlossaryVersion: 3}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := e.Send(context.Background(), req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(s.created) != 1 || len(s.translates) != 8 {
		t.Errorf("%d glossaries for %d batches, want 1 for 8", len(s.created), len(s.translates))
	}
}
