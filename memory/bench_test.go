package memory

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
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
