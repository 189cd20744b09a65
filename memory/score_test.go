package memory

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// The expected scores are worked by hand from the formula in score.go:
// floor(100 × (L − d) / L).
func TestFuzzyScores(t *testing.T) {
	// Ten words.
	const memorySource = "قال الرئيس إن الاجتماع المقبل سيعقد في مدينة دوشنبه غدا"
	x := NewIndex()
	x.Add(Entry{Source: memorySource, Lang: tarjuma.Russian, Text: "Президент сказал, что следующая встреча пройдёт в Душанбе завтра", Changed: time.Unix(1, 0)})
	tests := []struct {
		name  string
		src   string
		score int // 0: no match offered
	}{
		{"identical", memorySource, 100},
		// One word of ten replaced (غدا → اليوم): d = 1, L = 10, floor(100 × 9/10) = 90.
		{"one word changed", "قال الرئيس إن الاجتماع المقبل سيعقد في مدينة دوشنبه اليوم", 90},
		// One word added: d = 1, L = 11, floor(100 × 10/11) = 90.
		{"one word added", "قال الرئيس إن الاجتماع المقبل سيعقد في مدينة دوشنبه غدا صباحا", 90},
		// Three words of ten replaced: d = 3, L = 10, 70.
		{"three words changed", "قال الوزير إن المؤتمر المقبل سيعقد في مدينة طشقند غدا", 70},
		// Five words dropped: d = 5, L = 10, 50, below the threshold.
		{"half the words", "قال الرئيس إن الاجتماع المقبل", 0},
		// Same words, other spelling of alef and ta marbuta, tashkeel and a full stop: 99.
		{"spelling variants", "قالَ الرئيس ان الاجتماع المقبل سيعقد في مدينه دوشنبه غدا.", 99},
		{"unrelated", "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار منظمة أوبك", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := x.Fuzzy(tc.src, tarjuma.Russian, 5)
			got := 0
			if len(ms) > 0 {
				got = ms[0].Score
			}
			if got != tc.score {
				t.Errorf("score %d, want %d", got, tc.score)
			}
		})
	}
	if ms := x.Fuzzy(memorySource, tarjuma.Tajik, 5); len(ms) != 0 {
		t.Errorf("a match in a language the memory lacks: %+v", ms)
	}
}

func TestWordScore(t *testing.T) {
	for _, tc := range []struct{ d, n, m, want int }{
		{0, 10, 10, 100}, {1, 10, 10, 90}, {1, 10, 11, 90}, {4, 10, 10, 60}, {5, 10, 10, 50}, {1, 3, 3, 66}, {2, 5, 3, 60},
	} {
		if got := wordScore(tc.d, tc.n, tc.m); got != tc.want {
			t.Errorf("wordScore(%d, %d, %d) = %d, want %d", tc.d, tc.n, tc.m, got, tc.want)
		}
	}
}

func TestNumberAdaptation(t *testing.T) {
	x := NewIndex()
	x.Add(
		Entry{Source: "٥ قتلى", Lang: tarjuma.Russian, Text: "5 погибших"},
		Entry{Source: "قتل ٥ أشخاص وأصيب ١٠ آخرون في انفجار", Lang: tarjuma.Russian, Text: "5 человек погибли и 10 получили ранения при взрыве"},
		Entry{Source: "بلغت الخسائر ٢٬٥٠٠ دولار", Lang: tarjuma.Russian, Text: "Ущерб составил 2 500 долларов"},
		Entry{Source: "قتل ٥ وأصيب ٥", Lang: tarjuma.Russian, Text: "5 погибших и 5 раненых"},
		Entry{Source: "وصل ٣ وزراء", Lang: tarjuma.Russian, Text: "Прибыли три министра"},
		Entry{Source: "نسبة التضخم ٣٫٥ بالمئة", Lang: tarjuma.Russian, Text: "Инфляция составила 3,5 процента"},
	)
	tests := []struct {
		src     string
		text    string
		score   int
		adapted []Replacement
	}{
		{"٧ قتلى", "7 погибших", 99, []Replacement{{AdaptedNumber, "5", "7"}}},
		{"قتل ٧ أشخاص وأصيب ١٢ آخرون في انفجار", "7 человек погибли и 12 получили ранения при взрыве", 99, []Replacement{{AdaptedNumber, "5", "7"}, {AdaptedNumber, "10", "12"}}},
		{"بلغت الخسائر 3000 دولار", "Ущерб составил 3 000 долларов", 99, []Replacement{{AdaptedNumber, "2500", "3000"}}},
		{"نسبة التضخم ٤٫٢ بالمئة", "Инфляция составила 4,2 процента", 99, []Replacement{{AdaptedNumber, "3.5", "4.2"}}},
		// The target holds "5" twice: which one is which cannot be told, so no adaptation, and
		// two of four words differ: 50, not offered.
		{"قتل ٧ وأصيب ٩", "", 0, nil},
		// The number is written as a word in the target: nothing to replace; 1 of 3 words
		// differs: floor(100 × 2/3) = 66, offered unadapted.
		{"وصل ٤ وزراء", "Прибыли три министра", 66, nil},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			ms := x.Fuzzy(tc.src, tarjuma.Russian, 1)
			if tc.score == 0 {
				if len(ms) > 0 {
					t.Fatalf("offered %+v", ms[0])
				}
				return
			}
			if len(ms) == 0 {
				t.Fatal("no match")
			}
			m := ms[0]
			if m.Text != tc.text || m.Score != tc.score || !cmp.Equal(m.Adapted, tc.adapted) {
				t.Errorf("got %q %d %v, want %q %d %v", m.Text, m.Score, m.Adapted, tc.text, tc.score, tc.adapted)
			}
		})
	}
}

func TestWritesNumbersLikeTheTarget(t *testing.T) {
	for _, tc := range []struct{ value, written, want string }{
		{"7", "5", "7"}, {"7", "٥", "٧"}, {"4.2", "3,5", "4,2"}, {"4.2", "3.5", "4.2"}, {"4.2", "٣٫٥", "٤٫٢"},
		// Grouping as the target grouped: five digits and more always, four only where the
		// target grouped four ("2 500"), as Russian and Tajik typography do.
		{"12500", "10 000", "12 500"}, {"2500", "10 000", "2500"}, {"3000", "2 500", "3 000"}, {"7", "10 000", "7"},
		{"1250000", "10\u00a0000", "1\u00a0250\u00a0000"}, {"1250000", "10\u202f000", "1\u202f250\u202f000"},
		{"12500.5", "10 000,5", "12 500,5"}, {"1500", "1,000", "1,500"}, {"0.75", "1,000", "0.75"},
		{"12500", "١٠٬٠٠٠", "١٢٬٥٠٠"}, {"12500.25", "١٠٬٠٠٠٫٥", "١٢٬٥٠٠٫٢٥"}, {"12500", "10000", "12500"},
	} {
		if got := writeLike(tc.value, tc.written); got != tc.want {
			t.Errorf("writeLike(%q, %q) = %q, want %q", tc.value, tc.written, got, tc.want)
		}
	}
}

func TestSearch(t *testing.T) {
	x := NewIndex()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	x.Add(
		Entry{Source: "التقى الرئيس وزير الخارجية", Lang: tarjuma.Russian, Text: "Президент встретился с министром иностранных дел", Changed: day(1)},
		Entry{Source: "التقى الرئيس وزير الخارجية", Lang: tarjuma.Tajik, Text: "Президент бо вазири корҳои хориҷӣ мулоқот кард", Changed: day(1)},
		Entry{Source: "أعلنت وزارة الخارجية أن الرئيس سيزور موسكو", Lang: tarjuma.Russian, Text: "МИД объявил, что Президент посетит Москву", Changed: day(2)},
		Entry{Source: "قتل خمسة أشخاص في انفجار", Lang: tarjuma.Russian, Text: "Пять человек погибли при взрыве", Changed: day(3)},
		Entry{Source: "مدرسة جديدة في المدينة", Lang: tarjuma.Russian, Text: "Новая школа в городе", Changed: day(4)},
	)
	type hit struct {
		Source string
		Lang   tarjuma.Lang
	}
	tests := []struct {
		name  string
		q     string
		lang  tarjuma.Lang
		want  []hit
		total int
	}{
		// Hamza on the alef and a proclitic: "الرئيس" holds "رئيس"; the shorter source first.
		{"arabic words", "رئيس الخارجيه", tarjuma.Russian, []hit{{"التقى الرئيس وزير الخارجية", "ru"}, {"أعلنت وزارة الخارجية أن الرئيس سيزور موسكو", "ru"}}, 2},
		{"every language", "الرئيس وزير", "", []hit{{"التقى الرئيس وزير الخارجية", "ru"}, {"التقى الرئيس وزير الخارجية", "tg"}}, 2},
		// Tashkeel in the query, ta marbuta written as ha.
		{"diacritics", "مَدرسه", tarjuma.Russian, []hit{{"مدرسة جديدة في المدينة", "ru"}}, 1},
		{"target words without case", "ПОГИБ взрыве", tarjuma.Russian, []hit{{"قتل خمسة أشخاص في انفجار", "ru"}}, 1},
		{"tajik", "вазири", tarjuma.Tajik, []hit{{"التقى الرئيس وزير الخارجية", "tg"}}, 1},
		{"nothing", "طوكيو", "", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, total := x.Search(tc.q, tc.lang, 0, 10)
			var got []hit
			for _, h := range hits {
				got = append(got, hit{h.Source, h.Lang})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || total != tc.total {
				t.Errorf("total %d, want %d; hits (-want +got):\n%s", total, tc.total, diff)
			}
		})
	}
	// Paging: the second of two.
	hits, total := x.Search("الرئيس", tarjuma.Russian, 1, 1)
	if total != 2 || len(hits) != 1 || hits[0].Source != "أعلنت وزارة الخارجية أن الرئيس سيزور موسكو" {
		t.Errorf("page 2: %d %+v", total, hits)
	}
}

// An entry replaced keeps one translation per language, the newer; an older one replayed (a
// refresh reading a window again) changes nothing.
func TestAddReplaces(t *testing.T) {
	x := NewIndex()
	x.Add(Entry{Source: "مرحبا", Lang: tarjuma.Russian, Text: "Привет", Changed: time.Unix(10, 0)})
	x.Add(Entry{Source: "مرحبا", Lang: tarjuma.Russian, Text: "Здравствуйте", Changed: time.Unix(20, 0)})
	x.Add(Entry{Source: "مرحبا", Lang: tarjuma.Russian, Text: "Привет", Changed: time.Unix(10, 0)})
	ms := x.Fuzzy("مرحبا", tarjuma.Russian, 5)
	if x.Len() != 1 || len(ms) != 1 || ms[0].Text != "Здравствуйте" {
		t.Errorf("len %d, matches %+v", x.Len(), ms)
	}
}
