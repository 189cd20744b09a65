package translate

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

func capable(caps Capabilities) func(_, _ tarjuma.Lang) (Capabilities, bool) {
	return func(_, _ tarjuma.Lang) (Capabilities, bool) { return caps, true }
}

func unsupported(_, _ tarjuma.Lang) (Capabilities, bool) { return Capabilities{}, false }

// TestTranslateRouting checks which engine of a chain gets the request, what it gets, and that
// every engine passed over is logged with what it lacks. It translates into English, where
// terms go locked; Russian and Tajik are tested in terms_test.go.
func TestTranslateRouting(t *testing.T) {
	rahmon := glossary.Term{ID: "emomali-rahmon", Kind: glossary.KindPerson, Arabic: []string{"إمام علي رحمان"},
		Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik: {Preferred: "Эмомалӣ Раҳмон"}, tarjuma.Russian: {Preferred: "Эмомали Рахмон"}, tarjuma.English: {Preferred: "Emomali Rahmon"},
		}}
	m := glossary.NewMatcher([]glossary.Term{rahmon}, time.Now())
	withTerm := segments("قال إمام علي رحمان", "وصل إمام علي رحمان", "جملة.")
	m.MarkTerms(withTerm)
	plain := segments("جملة <أولى>.")
	entries := []GlossaryEntry{{Source: "إمام علي رحمان", Target: "Emomali Rahmon"}}

	tests := []struct {
		name      string
		segs      []tarjuma.Segment
		chain     []*stubProvider
		used      string // "" when nothing may be asked
		html      bool
		glossary  []GlossaryEntry
		skipLines []string
	}{
		{"pair unsupported", plain, []*stubProvider{{name: "a", supports: unsupported}, {name: "b"}}, "b", false, nil,
			[]string{`provider=a source=ar target=en missing="language pair"`}},
		{"no HTML, terms to protect", withTerm, []*stubProvider{{name: "a", supports: capable(Capabilities{})}, {name: "b"}}, "b", true, nil,
			[]string{`provider=a source=ar target=en missing=html`}},
		{"no HTML, no terms: plain text", plain, []*stubProvider{{name: "a", supports: capable(Capabilities{})}}, "a", false, nil, nil},
		{"glossary engine gets the entries", withTerm, []*stubProvider{{name: "g", supports: capable(Capabilities{HTML: true, Glossary: true})}}, "g", true, entries, nil},
		{"no engine can", withTerm, []*stubProvider{{name: "a", supports: unsupported}, {name: "b", supports: capable(Capabilities{Glossary: true})}}, "", true, nil,
			[]string{`provider=a source=ar target=en missing="language pair"`, `provider=b source=ar target=en missing=html`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			chain := make([]Provider, len(tt.chain))
			for i, p := range tt.chain {
				chain[i] = p
			}
			tr := NewTranslator(Config{
				Routes: map[tarjuma.Lang][]Provider{tarjuma.English: chain},
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			job := Job{ArticleID: 9, Source: tarjuma.Arabic, Target: tarjuma.English, Terms: m, GlossaryVersion: 3}
			got, err := tr.Translate(t.Context(), job, tt.segs)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.chain {
				calls := p.Calls()
				if p.name != tt.used {
					if len(calls) != 0 {
						t.Errorf("%s asked %d times, want never", p.name, len(calls))
					}
					continue
				}
				if len(calls) != 1 {
					t.Fatalf("%s asked %d times, want once", p.name, len(calls))
				}
				req := calls[0]
				if req.HTML != tt.html || req.ArticleID != 9 || req.GlossaryVersion != 3 {
					t.Errorf("request HTML %v, article %d, glossary version %d; want %v, 9, 3", req.HTML, req.ArticleID, req.GlossaryVersion, tt.html)
				}
				if !tt.html && req.Texts[0] != tt.segs[0].Source {
					t.Errorf("plain request text %q, want the source as it is", req.Texts[0])
				}
				if diff := cmp.Diff(tt.glossary, req.Glossary); diff != "" {
					t.Errorf("glossary (-want +got):\n%s", diff)
				}
			}
			wantOrigin := tarjuma.MachineOrigin(tt.used)
			if tt.used == "" {
				wantOrigin = tarjuma.OriginUntranslated
			}
			for _, s := range got {
				if s.Origin != wantOrigin {
					t.Errorf("segment %s from %s, want %s", s.ID, s.Origin, wantOrigin)
				}
			}
			for _, line := range tt.skipLines {
				if !strings.Contains(logs.String(), `level=INFO msg="mt engine skipped" `+line) {
					t.Errorf("log lacks the skip %q:\n%s", line, logs.String())
				}
			}
			if n := strings.Count(logs.String(), "mt engine skipped"); n != len(tt.skipLines) {
				t.Errorf("%d skips logged, want %d:\n%s", n, len(tt.skipLines), logs.String())
			}
		})
	}
}

// TestTranslateNamesSegmentTooLong checks that a segment no request of the engine can carry
// fails the translation for good, naming the segment and the engine.
func TestTranslateNamesSegmentTooLong(t *testing.T) {
	p := NewProvider(&fakeEngine{limits: Limits{MaxRunes: 5}}, fast)
	tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.English: {p}}})
	_, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.English}, segments("أ.", "جملة طويلة جدا."))
	if !IsPermanent(err) || !strings.HasPrefix(err.Error(), "segment b: mt fake: the text has ") {
		t.Errorf("err = %v, want a permanent error naming segment b and the engine", err)
	}
}
