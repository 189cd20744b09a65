package glossary

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tarjuma/tarjuma"
)

// synthetic builds n terms and about size bytes of Arabic-like running text the way news
// meets a glossary: terms are names from a large vocabulary (some of whose words are common
// words too, as علي or حسن are), often after one of a few title
// words (رئيس, وزير, …) that start thousands of phrases; the text is mostly common words that
// are in no term, with a title word now and then and a term in about one word of twenty, some
// behind proclitics, some with tashkeel, some across line breaks.
func synthetic(n, size int) ([]Term, string) {
	rng := rand.New(rand.NewPCG(1, uint64(n)))
	letters := []rune("ابتثجحخدذرزسشصضطظعغفقكلمنهويةىأإآؤئ")
	vocabulary := func(size, minLen, maxLen int) []string {
		v := make([]string, size)
		for i := range v {
			var b strings.Builder
			if rng.IntN(3) == 0 {
				b.WriteString("ال")
			}
			for range minLen + rng.IntN(maxLen-minLen+1) {
				b.WriteRune(letters[rng.IntN(len(letters))])
			}
			v[i] = b.String()
		}
		return v
	}
	// Names are longer than the function words that make up much of running text.
	names, common, titles := vocabulary(2*n, 4, 9), vocabulary(20000, 2, 8), vocabulary(50, 3, 6)
	pick := func(v []string) string { return v[rng.IntN(len(v))] }
	phrase := func() string {
		words := make([]string, 1+rng.IntN(3))
		for i := range words {
			words[i] = pick(names)
		}
		if rng.IntN(3) == 0 {
			words = append([]string{pick(titles)}, words...)
		}
		return strings.Join(words, " ")
	}
	terms := make([]Term, n)
	for i := range terms {
		terms[i] = Term{
			ID: fmt.Sprintf("t%d", i), Kind: KindOther, Arabic: []string{phrase(), phrase()},
			Targets: map[tarjuma.Lang]Forms{tarjuma.Tajik: {Preferred: "т"}, tarjuma.Russian: {Preferred: "р"}, tarjuma.English: {Preferred: "e"}},
		}
	}
	var b strings.Builder
	for b.Len() < size {
		switch rng.IntN(20) {
		case 0:
			b.WriteString([]string{"", "و", "ب", "ل", "وب"}[rng.IntN(5)] + terms[rng.IntN(n)].Arabic[rng.IntN(2)])
		case 1, 2:
			b.WriteString(pick(titles))
		case 3:
			b.WriteString(pick(common) + "َ")
		default:
			b.WriteString(pick(common))
		}
		b.WriteString([]string{" ", " ", " ", " ", "، ", ".\n", "\n"}[rng.IntN(7)])
	}
	return terms, b.String()
}

var benchSizes = []int{1_000, 10_000, 100_000}

func BenchmarkMatch(b *testing.B) {
	for _, n := range benchSizes {
		terms, text := synthetic(n, 1<<20)
		m := NewMatcher(terms, time.Now())
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Match(text)
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes {
		terms, _ := synthetic(n, 0)
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NewMatcher(terms, time.Now())
			}
			b.ReportMetric(retainedMB(func() any { return NewMatcher(terms, time.Now()) }), "MB-retained")
		})
	}
}

// retainedMB reports how much heap the value built by f keeps alive.
func retainedMB(f func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := f()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	return float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
}

// BenchmarkTargetIndex builds the Russian forms index the check and the enforcement use, once
// per glossary version and language, for term bases of realistic Russian names and titles: every
// spelling's six cases generated and indexed, with its near forms.
func BenchmarkTargetIndex(b *testing.B) {
	for _, n := range benchSizes {
		terms, _ := synthetic(n, 0)
		rng := rand.New(rand.NewPCG(2, uint64(n)))
		letters := []rune("бвгджзклмнпрстфхшаеиоуя")
		word := func() string {
			r := make([]rune, 4+rng.IntN(6))
			for i := range r {
				r[i] = letters[rng.IntN(len(letters))]
			}
			r[0] = unicode.ToUpper(r[0])
			return string(r)
		}
		shapes := []func() string{
			func() string { return word() + " " + word() + "ов" },
			func() string { return "Министр иностранных дел Республики " + word() },
			func() string { return "Национальный банк " + word() + "а" },
			func() string { return word() },
		}
		for i := range terms {
			terms[i].Kind = []Kind{KindPerson, KindTitle, KindOrganization, KindPlace}[i%4]
			terms[i].Targets[tarjuma.Russian] = Forms{Preferred: shapes[i%4]()}
		}
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				newTargetIndex(terms, tarjuma.Russian)
			}
			b.ReportMetric(retainedMB(func() any { return newTargetIndex(terms, tarjuma.Russian) }), "MB-retained")
		})
	}
}
