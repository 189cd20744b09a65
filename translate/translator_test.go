package translate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// stubProvider records every request and answers with fn, or with "<name>:<text>" per text.
// It supports what supports says, or every pair with HTML.
type stubProvider struct {
	name     string
	fn       func(ctx context.Context, req Request) ([]string, error)
	supports func(source, target tarjuma.Lang) (Capabilities, bool)

	mu    sync.Mutex
	calls []Request
}

func (p *stubProvider) Name() string { return p.name }

func (p *stubProvider) Translate(ctx context.Context, req Request) ([]string, error) {
	p.mu.Lock()
	p.calls = append(p.calls, req)
	p.mu.Unlock()
	if p.fn != nil {
		return p.fn(ctx, req)
	}
	out := make([]string, len(req.Texts))
	for i, s := range req.Texts {
		out[i] = p.name + ":" + s
	}
	return out, nil
}

func (p *stubProvider) Supports(source, target tarjuma.Lang) (Capabilities, bool) {
	if p.supports != nil {
		return p.supports(source, target)
	}
	return Capabilities{HTML: true}, true
}

func (p *stubProvider) Calls() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

func failing(name string, err error) *stubProvider {
	return &stubProvider{name: name, fn: func(context.Context, Request) ([]string, error) { return nil, err }}
}

// mapMemory is a translation memory keyed by target language and glossary.MemoryKey.
type mapMemory map[tarjuma.Lang]map[string]string

func (m mapMemory) LookupMemory(_ context.Context, _, target tarjuma.Lang, keys []string) (map[string]string, error) {
	hits := map[string]string{}
	for _, k := range keys {
		if text, ok := m[target][k]; ok {
			hits[k] = text
		}
	}
	return hits, nil
}

func segments(sources ...string) []tarjuma.Segment {
	out := make([]tarjuma.Segment, len(sources))
	for i, s := range sources {
		out[i] = tarjuma.Segment{ID: string(rune('a' + i)), Source: s}
	}
	return out
}

func TestTranslateMemoryFirstThenOneBatch(t *testing.T) {
	engine := &stubProvider{name: "stub"}
	tr := NewTranslator(Config{
		Memory: mapMemory{tarjuma.Russian: {"قمة دوشنبه": "Саммит в Душанбе"}},
		Routes: map[tarjuma.Lang][]Provider{tarjuma.Russian: {engine}},
	})
	in := segments("قمة  دوشنبه ", "جملة أولى.", "جملة ثانية.")
	in[2].Text, in[2].Origin = "kept", tarjuma.OriginHuman

	got, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.Russian}, in)
	if err != nil {
		t.Fatal(err)
	}
	want := []tarjuma.Segment{
		{ID: "a", Source: "قمة  دوشنبه ", Text: "Саммит в Душанбе", Origin: tarjuma.OriginMemory},
		{ID: "b", Source: "جملة أولى.", Text: "stub:جملة أولى.", Origin: "mt:stub"},
		{ID: "c", Source: "جملة ثانية.", Text: "kept", Origin: tarjuma.OriginHuman},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Request{{Source: "ar", Target: "ru", Texts: []string{"جملة أولى."}}}, engine.Calls()); diff != "" {
		t.Errorf("engine requests (-want +got):\n%s", diff)
	}
	if in[1].Origin != "" {
		t.Error("Translate modified its input")
	}
}

func TestTranslateNeverInvents(t *testing.T) {
	in := segments("عنوان", "جملة.")
	for name, tr := range map[string]*Translator{
		"no memory, no engine": NewTranslator(Config{}),
		"memory misses":        NewTranslator(Config{Memory: mapMemory{}}),
		"engine for another language": NewTranslator(Config{
			Routes: map[tarjuma.Lang][]Provider{tarjuma.English: {&stubProvider{name: "en-only"}}},
		}),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.Tajik}, in)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range got {
				if s.Text != in[i].Source || s.Origin != tarjuma.OriginUntranslated {
					t.Errorf("segment %s = %q (%s), want its source, untranslated", s.ID, s.Text, s.Origin)
				}
			}
		})
	}
}

func TestTranslateOneCallPerLanguage(t *testing.T) {
	engines := map[tarjuma.Lang]*stubProvider{}
	routes := map[tarjuma.Lang][]Provider{}
	for _, l := range tarjuma.TargetLangs() {
		engines[l] = &stubProvider{name: "engine-" + string(l)}
		routes[l] = []Provider{engines[l]}
	}
	tr := NewTranslator(Config{Routes: routes})
	title, body := tarjuma.SampleArticle()
	segs := tarjuma.SplitSource(title, body)

	for _, l := range tarjuma.TargetLangs() {
		if _, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: l}, segs); err != nil {
			t.Fatal(err)
		}
	}
	for l, e := range engines {
		if calls := e.Calls(); len(calls) != 1 || len(calls[0].Texts) != len(segs) || calls[0].Target != l {
			t.Errorf("%s: %d calls, want one with all %d segments for %s", e.name, len(calls), len(segs), l)
		}
	}
}

func TestTranslateFallback(t *testing.T) {
	permanent := &Error{Provider: "x", Permanent: true, Err: errors.New("unsupported language")}
	retryable := &Error{Provider: "x", RetryAfter: time.Minute, Err: errors.New("rate limited")}
	unknown := errors.New("connection reset")
	wrongCount := func(context.Context, Request) ([]string, error) { return []string{"only one"}, nil }

	tests := []struct {
		name          string
		chain         []*stubProvider
		wantCalls     []int          // requests each engine of the chain gets
		wantOrigin    tarjuma.Origin // empty when an error is expected
		wantPermanent bool
	}{
		{"first works", []*stubProvider{{name: "a"}, {name: "b"}}, []int{1, 0}, "mt:a", false},
		{"retryable then ok", []*stubProvider{failing("a", retryable), {name: "b"}}, []int{1, 1}, "mt:b", false},
		{"permanent then ok", []*stubProvider{failing("a", permanent), {name: "b"}}, []int{1, 1}, "mt:b", false},
		{"wrong count then ok", []*stubProvider{{name: "a", fn: wrongCount}, {name: "b"}}, []int{1, 1}, "mt:b", false},
		{"wrong count alone", []*stubProvider{{name: "a", fn: wrongCount}}, []int{1}, "", false},
		{"all permanent", []*stubProvider{failing("a", permanent), failing("b", permanent)}, []int{1, 1}, "", true},
		{"retryable, last permanent", []*stubProvider{failing("a", retryable), failing("b", permanent)}, []int{1, 1}, "", false},
		{"permanent, last unknown", []*stubProvider{failing("a", permanent), failing("b", unknown)}, []int{1, 1}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := make([]Provider, len(tt.chain))
			for i, p := range tt.chain {
				chain[i] = p
			}
			tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.English: chain}})
			got, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.English}, segments("أ.", "ب."))

			for i, p := range tt.chain {
				if n := len(p.Calls()); n != tt.wantCalls[i] {
					t.Errorf("engine %s called %d times, want %d", p.name, n, tt.wantCalls[i])
				}
			}
			if tt.wantOrigin == "" {
				if err == nil || got != nil {
					t.Fatalf("got %v, %v; want only an error", got, err)
				}
				if IsPermanent(err) != tt.wantPermanent {
					t.Errorf("IsPermanent(%v) = %v, want %v", err, !tt.wantPermanent, tt.wantPermanent)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(string(tt.wantOrigin), "mt:")
			for _, s := range got {
				if s.Origin != tt.wantOrigin || s.Text != name+":"+s.Source {
					t.Errorf("segment %s = %q (%s), want it from %s", s.ID, s.Text, s.Origin, name)
				}
			}
		})
	}
}

func TestIsPermanent(t *testing.T) {
	perm := &Error{Provider: "x", Permanent: true, Err: errors.New("bad key")}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unknown", errors.New("boom"), false},
		{"retryable", &Error{Provider: "x", Err: errors.New("503")}, false},
		{"permanent", perm, true},
		{"wrapped permanent", errors.Join(errors.New("context"), perm), true},
		{"cancelled, even if marked permanent", &Error{Permanent: true, Err: context.Canceled}, false},
		{"deadline", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("%s: IsPermanent = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTranslateCancellation(t *testing.T) {
	blocking := &stubProvider{name: "slow", fn: func(ctx context.Context, _ Request) ([]string, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	next := &stubProvider{name: "next"}
	tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.Tajik: {blocking, next}}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	_, err := tr.Translate(ctx, Job{Source: tarjuma.Arabic, Target: tarjuma.Tajik}, segments("أ."))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's", err)
	}
	if IsPermanent(err) {
		t.Error("a cancelled context counted as permanent")
	}
	if n := len(next.Calls()); n != 0 {
		t.Errorf("fell back to the next engine %d times after the context ended", n)
	}
}

func TestParseChain(t *testing.T) {
	a, b := &stubProvider{name: "a"}, &stubProvider{name: "b"}
	available := map[string]Provider{"a": a, "b": b}
	tests := []struct {
		spec    string
		want    []string
		wantErr string
	}{
		{spec: "memory", want: nil},
		{spec: "", want: nil},
		{spec: "b, a", want: []string{"b", "a"}},
		{spec: "memory,a", want: []string{"a"}},
		{spec: "a,deepl", wantErr: `unknown MT engine "deepl" (known: a, b, memory)`},
	}
	for _, tt := range tests {
		chain, err := ParseChain(tt.spec, available)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, tarjuma.ErrInvalid) {
				t.Errorf("ParseChain(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseChain(%q): %v", tt.spec, err)
			continue
		}
		var names []string
		for _, p := range chain {
			names = append(names, p.Name())
		}
		if diff := cmp.Diff(tt.want, names); diff != "" {
			t.Errorf("ParseChain(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}
