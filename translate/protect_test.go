package translate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
)

// TestTranslateProtectsTerms sends the engine HTML with the desk's form of each term in a
// do-not-translate span, and stores the engine's answer without the spans or the style
// attributes engines add when they go from right to left.
func TestTranslateProtectsTerms(t *testing.T) {
	rahmon := glossary.Term{ID: "emomali-rahmon", Kind: glossary.KindPerson, Arabic: []string{"إمام علي رحمان"},
		Targets: map[tarjuma.Lang]glossary.Forms{
			tarjuma.Tajik: {Preferred: "Эмомалӣ Раҳмон"}, tarjuma.Russian: {Preferred: "Эмомали Рахмон"}, tarjuma.English: {Preferred: "Emomali Rahmon"},
		}}
	m := glossary.NewMatcher([]glossary.Term{rahmon}, time.Now())
	source := "قال إمام علي رحمان <مرحبا> & شكرا"
	seg := tarjuma.Segment{ID: "p1.s1", Source: source}
	for _, match := range m.Match(source) {
		seg.Terms = append(seg.Terms, tarjuma.TermSpan{TermID: match.TermID, Start: match.Start, End: match.End})
	}
	if len(seg.Terms) != 1 {
		t.Fatalf("terms = %+v, want the president", seg.Terms)
	}

	engine := &stubProvider{name: "html", fn: func(_ context.Context, req Request) ([]string, error) {
		// What Google does going RTL→LTR: the text translated, the span kept, a style added.
		out := strings.Replace(req.Texts[0], "قال", `<span style="direction:ltr;text-align:left">Said</span>`, 1)
		return []string{out}, nil
	}}
	tr := NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.English: {engine}}})
	got, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.English, Terms: m}, []tarjuma.Segment{seg})
	if err != nil {
		t.Fatal(err)
	}
	req := engine.Calls()[0]
	if !req.HTML || !strings.Contains(req.Texts[0], `<span translate="no">Emomali Rahmon</span>`) || !strings.Contains(req.Texts[0], "&lt;مرحبا&gt; &amp;") {
		t.Errorf("engine got HTML=%v %q; want the English form protected and the rest escaped", req.HTML, req.Texts[0])
	}
	if want := "Said Emomali Rahmon <مرحبا> & شكرا"; got[0].Text != want || got[0].Origin != "mt:html" || got[0].Terms[0].Method != tarjuma.TermLocked {
		t.Errorf("stored %q (%s), want %q from mt:html", got[0].Text, got[0].Origin, want)
	}

	// A broken answer is an error, retryable, and nothing of it comes back.
	broken := &stubProvider{name: "broken", fn: func(context.Context, Request) ([]string, error) {
		return []string{`<span translate="no">Emomali`}, nil
	}}
	tr = NewTranslator(Config{Routes: map[tarjuma.Lang][]Provider{tarjuma.English: {broken}}})
	out, err := tr.Translate(context.Background(), Job{Source: tarjuma.Arabic, Target: tarjuma.English, Terms: m}, []tarjuma.Segment{seg})
	var engineErr *Error
	if out != nil || !errors.As(err, &engineErr) || IsPermanent(err) {
		t.Errorf("broken HTML: %v, %v; want a retryable engine error and no segments", out, err)
	}
}
