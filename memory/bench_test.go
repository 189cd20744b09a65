package memory

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/diff"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/glossary/inflect"
)

// vocabulary is the words of real Arabic news copy: the sample wire story and a list of the
// desk's common words, each once and with the clitics Arabic writes joined to words (و and,
// ب with, ل for; ها her, هم their), which make a news memory's surface vocabulary far larger
// than its dictionary (about 3,900 forms here; a real desk's memory has tens of thousands).
func vocabulary(t testing.TB) []string {
	var words []string
	seen := map[string]bool{}
	for _, name := range []string{"testdata/news-words.txt", "../testdata/summit-ar.txt"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "#") {
				continue
			}
			for _, w := range strings.FieldsFunc(sc.Text(), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
				for _, form := range []string{w, "و" + w, "ب" + w, "ل" + w, w + "ها", w + "هم"} {
					if !seen[form] {
						seen[form] = true
						words = append(words, form)
					}
				}
			}
		}
		f.Close()
	}
	return words
}

// corpus makes n synthetic sentences of 8 to 30 words, drawn with Zipf's law from the
// vocabulary (so "في" and "من" are everywhere and most words are rare, as in news), one in
// ten with a number in Arabic-Indic digits.
type corpus struct {
	words []string
	zipf  *rand.Zipf
	r     *rand.Rand
}

func newCorpus(t testing.TB, seed uint64) *corpus {
	words := vocabulary(t)
	r := rand.New(rand.NewPCG(seed, seed))
	r.Shuffle(len(words), func(i, j int) { words[i], words[j] = words[j], words[i] })
	return &corpus{words: words, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(words)-1)), r: r}
}

func (c *corpus) word() string {
	if c.r.IntN(10) == 0 {
		return strings.Map(func(r rune) rune { return r - '0' + 0x0660 }, fmt.Sprint(c.r.IntN(1000)))
	}
	return c.words[c.zipf.Uint64()]
}

func (c *corpus) sentence() []string {
	s := make([]string, 8+c.r.IntN(23))
	for i := range s {
		s[i] = c.word()
	}
	return s
}

// edited changes one to three words of s: replaced, dropped or added, as a rewrite of a
// sentence does.
func (c *corpus) edited(s []string) []string {
	s = slices.Clone(s)
	for range 1 + c.r.IntN(3) {
		i := c.r.IntN(len(s))
		switch c.r.IntN(3) {
		case 0:
			s[i] = c.word()
		case 1:
			s = slices.Delete(s, i, i+1)
		default:
			s = slices.Insert(s, i, c.word())
		}
	}
	return s
}

// memoryOf builds an index of n sentences and queries for it: seven in ten an edited memory
// sentence, the rest new.
func memoryOf(t testing.TB, n, queries int) (*Index, []string) {
	c := newCorpus(t, 13)
	x := NewIndex()
	sources := make([][]string, n)
	entries := make([]Entry, n)
	for i := range n {
		sources[i] = c.sentence()
		entries[i] = Entry{Source: strings.Join(sources[i], " "), Lang: tarjuma.Russian, Text: fmt.Sprintf("Перевод %d", i), Changed: time.Unix(int64(i), 0)}
	}
	x.Add(entries...)
	qs := make([]string, queries)
	for i := range qs {
		if c.r.IntN(10) < 7 {
			qs[i] = strings.Join(c.edited(sources[c.r.IntN(n)]), " ")
		} else {
			qs[i] = strings.Join(c.sentence(), " ")
		}
	}
	return x, qs
}

// The index finds what scoring every source finds: the candidate filter loses no match.
func TestFuzzyFindsWhatAScanFinds(t *testing.T) {
	x, qs := memoryOf(t, 5000, 300)
	found := 0
	for _, q := range qs {
		want, got := x.fuzzy(q, tarjuma.Russian, 5, true), x.Fuzzy(q, tarjuma.Russian, 5)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s (-scan +index):\n%s", q, diff)
		}
		if len(got) > 0 {
			found++
		}
	}
	if found < len(qs)/2 {
		t.Errorf("only %d of %d queries found a match; the test would prove little", found, len(qs))
	}
}

var bench100k = sync.OnceValues(func() (*Index, []string) { return memoryOf(&testing.B{}, 100_000, 2000) })

// BenchmarkFuzzy100k looks up fuzzy matches for segments among 100,000 entries and reports the
// p99 of single lookups and the same lookups by scoring every entry (the baseline) as a ratio.
//
//	go test ./memory -run X -bench Fuzzy100k -benchtime 2000x
func BenchmarkFuzzy100k(b *testing.B) {
	start := time.Now()
	x, qs := bench100k()
	b.Logf("built 100,000 entries in %v", time.Since(start))
	var took []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		x.Fuzzy(qs[i%len(qs)], tarjuma.Russian, 5)
		took = append(took, time.Since(t0))
		i++
	}
	slices.Sort(took)
	p99 := took[len(took)*99/100]
	var mean time.Duration
	for _, d := range took {
		mean += d
	}
	mean /= time.Duration(len(took))
	// The baseline on a sample of the same queries: it takes a second or so each.
	var base time.Duration
	const sample = 20
	for _, q := range qs[:sample] {
		t0 := time.Now()
		x.fuzzy(q, tarjuma.Russian, 5, true)
		base += time.Since(t0)
	}
	base /= sample
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(base.Microseconds())/1000, "scan-ms/op")
	b.ReportMetric(float64(base)/float64(mean), "speedup-x")
}

// benchGlossary is a glossary of 2,000 single-word terms drawn from the corpus's vocabulary,
// each with a Russian translation whose forms the rules generate, so that suggestions find
// terms in most sentences, as a news desk's glossary of names and places does.
var benchGlossary = sync.OnceValue(func() *glossary.Matcher {
	c := newCorpus(&testing.B{}, 7)
	terms := make([]glossary.Term, 0, 2000)
	seen := map[string]bool{}
	for len(terms) < cap(terms) {
		w := c.words[c.r.IntN(len(c.words))]
		if seen[w] {
			continue
		}
		seen[w] = true
		n := len(terms)
		terms = append(terms, glossary.Term{ID: fmt.Sprint("t", n), Kind: glossary.KindPerson, Arabic: []string{w},
			Targets: map[tarjuma.Lang]glossary.Forms{tarjuma.Russian: {Preferred: fmt.Sprintf("Иванов%c", 'а'+rune(n%20))}}})
	}
	return glossary.NewMatcher(terms, time.Unix(0, 0))
})

// termsAt is what the desk gives memory.Adapt: the glossary's terms in source with their
// Russian forms (desk.termsAt).
func termsAt(g *glossary.Matcher, source string) []TermAt {
	var out []TermAt
	for _, m := range g.Match(source) {
		t, _ := g.Term(m.TermID)
		at := TermAt{Start: m.Start, End: m.End, ID: t.ID}
		for _, p := range t.Paradigms(tarjuma.Russian) {
			for _, f := range inflect.FormsOf(tarjuma.Russian) {
				at.Forms = append(at.Forms, TermForm{Form: string(f), Text: p.Forms[f]})
			}
		}
		out = append(out, at)
	}
	return out
}

// suggest is the memory part of a segment's suggestions as the desk computes them: the
// fuzzy matches, the word diff of each to the segment's source, and the adaptation of each
// inexact one to the glossary terms and numbers of the segment.
func suggest(x *Index, g *glossary.Matcher, q string, scanAll bool) int {
	ms := x.fuzzy(q, tarjuma.Russian, 5, scanAll)
	var qTerms []TermAt
	adapted := 0
	for _, m := range ms {
		_ = diff.Words(m.Source, q)
		if m.Adapted == nil && m.Score < 99 {
			if qTerms == nil {
				qTerms = termsAt(g, q)
			}
			if _, _, ok := Adapt(m.Text, m.Source, q, termsAt(g, m.Source), qTerms); ok {
				adapted++
			}
		}
	}
	return adapted
}

// BenchmarkSuggest100k is a segment's memory suggestions among 100,000 entries with the diff
// and the adaptation included (the target: 50 ms), against the same work over a scan
// of every entry, on a sample of the same queries, as a ratio. Besides the wall clock it
// reports the CPU time of the lookups (cpu-p50-ms, cpu-p99-ms), which a busy machine does not
// inflate.
//
//	go test ./memory -run X -bench Suggest100k -benchtime 2000x
func BenchmarkSuggest100k(b *testing.B) {
	x, qs := bench100k()
	g := benchGlossary()
	runtime.LockOSThread() // for threadCPU
	defer runtime.UnlockOSThread()
	var took, cpu []time.Duration
	i, adapted := 0, 0
	for b.Loop() {
		t0 := time.Now()
		c0, _ := threadCPU()
		adapted += suggest(x, g, qs[i%len(qs)], false)
		c1, measured := threadCPU()
		took = append(took, time.Since(t0))
		if measured {
			cpu = append(cpu, c1-c0)
		}
		i++
	}
	slices.Sort(took)
	slices.Sort(cpu)
	if len(cpu) > 0 {
		b.ReportMetric(float64(cpu[len(cpu)/2].Microseconds())/1000, "cpu-p50-ms")
		b.ReportMetric(float64(cpu[len(cpu)*99/100].Microseconds())/1000, "cpu-p99-ms")
	}
	b.ReportMetric(float64(adapted)/float64(len(took)), "adapted/op")
	var mean time.Duration
	for _, d := range took {
		mean += d
	}
	mean /= time.Duration(len(took))
	var base time.Duration
	const sample = 20
	for _, q := range qs[:sample] {
		t0 := time.Now()
		suggest(x, g, q, true)
		base += time.Since(t0)
	}
	base /= sample
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(base.Microseconds())/1000, "scan-ms/op")
	b.ReportMetric(float64(base)/float64(mean), "speedup-x")
}
