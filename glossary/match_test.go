package glossary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// matchCase is one line of testdata/match.jsonl: terms as [id, Arabic variant] pairs, and the
// expected matches as [id, text] pairs, where each text is looked up in the input after the end
// of the previous one, which pins every span exactly.
type matchCase struct {
	Name  string
	Terms [][2]string
	Text  string
	Want  [][2]string
}

func TestMatch(t *testing.T) {
	for _, c := range readCases[matchCase](t, "testdata/match.jsonl") {
		t.Run(c.Name, func(t *testing.T) {
			var terms []Term
			for _, tv := range c.Terms {
				terms = append(terms, Term{ID: tv[0], Kind: KindOther, Arabic: []string{tv[1]}})
			}
			got := NewMatcher(terms, time.Now()).Match(c.Text)
			checkMatches(t, c.Text, got)
			if diff := cmp.Diff(expectMatches(t, c.Text, c.Want), got); diff != "" {
				t.Errorf("Match(%q) (-want +got):\n%s", c.Text, diff)
			}
		})
	}
}

// expectMatches turns [id, text] pairs into matches, finding each text after the previous one.
func expectMatches(t *testing.T, text string, want [][2]string) []Match {
	t.Helper()
	var out []Match
	pos := 0
	for _, w := range want {
		i := strings.Index(text[pos:], w[1])
		if i < 0 {
			t.Fatalf("bad test: %q not in %q after byte %d", w[1], text, pos)
		}
		start := pos + i
		pos = start + len(w[1])
		out = append(out, Match{TermID: w[0], Start: start, End: pos, Text: w[1]})
	}
	return out
}

// checkMatches checks what every result of Match must satisfy: spans inside the text, on rune
// boundaries, in order and not overlapping, with Text the bytes they cover.
func checkMatches(t *testing.T, text string, ms []Match) {
	t.Helper()
	boundary := runeBoundaries(text)
	prev := 0
	for _, m := range ms {
		switch {
		case m.Start < prev || m.Start >= m.End || m.End > len(text):
			t.Fatalf("match %+v after byte %d of %d", m, prev, len(text))
		case !boundary[m.Start] || !boundary[m.End]:
			t.Fatalf("match %+v not on rune boundaries of %q", m, text)
		case text[m.Start:m.End] != m.Text:
			t.Fatalf("match %+v: text is %q", m, text[m.Start:m.End])
		}
		prev = m.End
	}
}

func TestMatchActiveAt(t *testing.T) {
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	terms := []Term{
		{ID: "old", Kind: KindOrganization, Arabic: []string{"وزارة الصحة"}, ValidUntil: day("2013-11-19")},
		{ID: "new", Kind: KindOrganization, Arabic: []string{"وزارة الصحة"}, ValidFrom: day("2013-11-19")},
	}
	for at, want := range map[string]string{"2010-01-01": "old", "2013-11-19": "new", "2030-01-01": "new"} {
		ms := NewMatcher(terms, day(at)).Match("وزارة الصحة")
		if len(ms) != 1 || ms[0].TermID != want {
			t.Errorf("at %s: %+v, want %s", at, ms, want)
		}
	}
}

func TestMatcherIsImmutable(t *testing.T) {
	terms := []Term{{ID: "tj", Kind: KindPlace, Arabic: []string{"طاجيكستان"},
		Targets: map[tarjuma.Lang]Forms{tarjuma.Russian: {Preferred: "Таджикистан"}}}}
	m := NewMatcher(terms, time.Now())
	terms[0].Arabic[0] = "قطر"
	terms[0].Targets[tarjuma.Russian] = Forms{Preferred: "Катар"}
	got, _ := m.Term("tj")
	got.Targets[tarjuma.Russian] = Forms{Preferred: "x"}
	if ms := m.Match("طاجيكستان"); len(ms) != 1 {
		t.Errorf("matches after the caller changed its terms: %+v", ms)
	}
	if again, _ := m.Term("tj"); again.Targets[tarjuma.Russian].Preferred != "Таджикистан" {
		t.Errorf("Term returned shared state: %+v", again)
	}
}

func TestMatcherConcurrent(t *testing.T) {
	m := starterMatcher(t)
	title, body := tarjuma.SampleArticle()
	want := m.Match(body)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := m.Match(body); !cmp.Equal(got, want) {
					t.Error("concurrent Match differs")
					return
				}
				m.Match(title)
			}
		})
	}
	wg.Wait()
}

func TestWordIndexReseed(t *testing.T) {
	m := NewMatcher([]Term{{ID: "tj", Kind: KindPlace, Arabic: []string{"جمهورية طاجيكستان"}}}, time.Now())
	m.words.reseed()
	m.filter = newWordFilter(&m.words, m.first)
	if ms := m.Match("في جمهورية طاجيكستان"); len(ms) != 1 {
		t.Errorf("after reseeding: %+v", ms)
	}
}

// summitText is the sample article as `tarjuma demo` submits it.
func summitText() string {
	title, body := tarjuma.SampleArticle()
	return title + "\n" + body
}

type goldenMatch struct {
	Term  string `json:"term"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// TestSummitGolden matches the sample article against the starter base and compares every match
// and its byte span with testdata/summit.golden.jsonl (regenerate with -update), written in the
// format of `tarjuma glossary match`.
func TestSummitGolden(t *testing.T) {
	text := summitText()
	ms := starterMatcher(t).Match(text)
	checkMatches(t, text, ms)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, m := range ms {
		if err := enc.Encode(goldenMatch{m.TermID, m.Start, m.End, m.Text}); err != nil {
			t.Fatal(err)
		}
	}
	const golden = "testdata/summit.golden.jsonl"
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("matches differ from %s (-want +got):\n%s", golden, diff)
	}
}

// TestSummitNames checks by hand that every name and title of the sample article is found,
// how often, and as which term, independently of the golden file.
func TestSummitNames(t *testing.T) {
	text := summitText()
	found := map[string][]string{}
	for _, m := range starterMatcher(t).Match(text) {
		found[m.TermID] = append(found[m.TermID], m.Text)
	}
	for _, w := range []struct {
		id    string
		texts []string
	}{
		{"president-of-tajikistan", rep("رئيس جمهورية طاجيكستان", 7)},
		{"emomali-rahmon", []string{"إمام علي رحمان", "إمام علي رحمان", "إمام علي رحمان", "إمام علي رحمان", "إمام على رحمان", "إمام علي رحمان"}},
		{"founder-of-peace-leader-of-the-nation", []string{"مؤسس السلام والوحدة الوطنية – زعيم الأمة"}},
		{"head-of-state", rep("رئيس الدولة", 2)},
		{"consultative-meeting-central-asia-4", rep("الاجتماع التشاوري الرابع لرؤساء دول آسيا الوسطى", 3)},
		{"consultative-meeting-central-asia-5", []string{"الاجتماع السنوي الخامس لرؤساء دول آسيا الوسطى"}},
		{"consultative-meeting", []string{"الاجتماع التشاوري"}},
		{"heads-of-state-of-central-asia", []string{"رؤساء دول آسيا الوسطى"}},
		{"cholpon-ata", []string{"شولبون أوتا"}},
		{"kyrgyz-republic", []string{"جمهورية قيرغيزستان"}},
		{"president-of-kazakhstan", []string{"رئيس جمهورية كازاخستان"}},
		{"kassym-jomart-tokayev", []string{"قاسم جومارت توكاييف"}},
		{"president-of-kyrgyzstan", []string{"رئيس جمهورية قيرغيزستان"}},
		{"sadyr-japarov", []string{"صدير جاباروف"}},
		{"president-of-uzbekistan", []string{"رئيس جمهورية أوزبكستان"}},
		{"shavkat-mirziyoyev", []string{"شوكت ميرضياييف"}},
		{"president-of-turkmenistan", []string{"رئيس تركمنستان"}},
		{"serdar-berdimuhamedov", []string{"سيردار بيردي محمدوف"}},
		{"central-asia", rep("آسيا الوسطى", 3)},
		{"central-asian-states", rep("دول آسيا الوسطى", 3)},
		{"afghanistan", []string{"أفغانستان"}},
		{"green-agenda", []string{"الأجندة الخضراء"}},
		{"ifas", []string{"لصندوق الدولي لإنقاذ بحر الآرال"}},
		{"president-of-ifas", []string{"رئيس صندوق بحر الآرال"}},
		{"council-of-ifas-founders", []string{"مجلس رؤساء الدول مؤسس الصندوق الدولي لإنقاذ بحر الآرال"}},
		{"dushanbe", []string{"دوشنبه"}},
		{"heads-of-state", rep("رؤساء الدول", 4)},
	} {
		if diff := cmp.Diff(w.texts, found[w.id]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", w.id, diff)
		}
	}
}

func rep(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func FuzzMatch(f *testing.F) {
	f.Add(summitText())
	for _, c := range readCases[matchCase](f, "testdata/match.jsonl") {
		f.Add(c.Text)
	}
	terms := starter(f)
	for _, c := range readCases[matchCase](f, "testdata/match.jsonl") {
		for i, tv := range c.Terms {
			terms = append(terms, Term{ID: fmt.Sprintf("%s-%d", c.Name, i), Kind: KindOther, Arabic: []string{tv[1]}})
		}
	}
	m := NewMatcher(terms, time.Now())
	f.Fuzz(func(t *testing.T, text string) {
		ms := m.Match(text)
		checkMatches(t, text, ms)
		for _, mt := range ms {
			if _, ok := m.Term(mt.TermID); !ok {
				t.Fatalf("match of unknown term %+v", mt)
			}
		}
	})
}
