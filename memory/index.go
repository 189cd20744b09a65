package memory

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/internal/editdist"
)

// Entry is one translation of one source in the memory.
type Entry struct {
	Source  string // the memory key: the source sentence as glossary.MemoryKey stores it
	Lang    tarjuma.Lang
	Text    string
	Changed time.Time
}

// Index holds the memory in process for fuzzy matching and concordance: every source cut into
// word ids, an inverted index from each word to the sources holding it, and the translations.
// Entries are only added or replaced, as the memory's are, so it is kept fresh by adding what
// changed. It is safe for concurrent use.
type Index struct {
	mu       sync.RWMutex
	vocab    map[string]int32 // word (normalised) or number (canonical) → id
	names    []string         // by id: the word
	numeric  []bool           // by id: the word is a number
	postings [][]int32        // by id (numberClass for every number): the sources holding it, ascending
	sources  []source
	byKey    map[string]int32
	scratch  sync.Pool // []uint16 of zeros, see counts
}

// numberClass is the id under which every number is posted, so that a source differing only in
// its numbers is found as a candidate.
const numberClass int32 = 0

type source struct {
	key    string
	words  []int32 // ids; numbers by their value
	bag    []int32 // the ids sorted, numbers as numberClass: the source as a multiset
	folded string  // the key normalised, for concordance
	trans  []translation
}

type translation struct {
	lang    tarjuma.Lang
	text    string
	folded  string
	changed time.Time
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{vocab: map[string]int32{}, names: []string{""}, numeric: []bool{true}, postings: [][]int32{nil}, byKey: map[string]int32{}}
}

// Len is how many sources the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.sources)
}

// Add adds entries, replacing the translation an entry's source already has in its language.
// An entry older than the one held is ignored, so replaying a window of changes is harmless.
func (x *Index) Add(entries ...Entry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range entries {
		id, ok := x.byKey[e.Source]
		if !ok {
			id = x.addSource(e.Source)
		}
		s := &x.sources[id]
		t := translation{lang: e.Lang, text: e.Text, folded: fold(e.Text, true), changed: e.Changed}
		i := slices.IndexFunc(s.trans, func(t translation) bool { return t.lang == e.Lang })
		switch {
		case i < 0:
			s.trans = append(s.trans, t)
		case !e.Changed.Before(s.trans[i].changed):
			s.trans[i] = t
		}
	}
}

func (x *Index) addSource(key string) int32 {
	id := int32(len(x.sources))
	toks := words(key, false)
	s := source{key: key, folded: fold(key, false), words: make([]int32, len(toks))}
	for i, t := range toks {
		w, ok := x.vocab[t.Text]
		if !ok {
			w = int32(len(x.postings))
			x.vocab[t.Text] = w
			x.postings = append(x.postings, nil)
			x.names = append(x.names, t.Text)
			x.numeric = append(x.numeric, t.Number)
		}
		s.words[i] = w
		if t.Number {
			w = numberClass
		}
		s.bag = append(s.bag, w)
		if p := x.postings[w]; len(p) == 0 || p[len(p)-1] != id {
			x.postings[w] = append(p, id)
		}
	}
	slices.Sort(s.bag)
	x.sources = append(x.sources, s)
	x.byKey[key] = id
	return id
}

// Match is a fuzzy match of a source in the memory.
type Match struct {
	Source  string // the memory's source
	Text    string // its translation, adapted where Adapted says so
	Lang    tarjuma.Lang
	Score   int // 0–100, see Threshold for the formula
	Changed time.Time
	// Adapted lists the numbers changed from the memory's translation to fit the source.
	Adapted []Replacement
}

// Fuzzy returns up to limit matches for src in lang scoring at least Threshold, best first.
//
// A match at Threshold shares at least 60% of the longer source's words with src (d ≥ L −
// common), so every candidate holds one of the n − ⌈0.6n⌉ + 1 rarest words of src (pigeonhole):
// only those words' postings are read, and the candidates they give are scored in full.
func (x *Index) Fuzzy(src string, lang tarjuma.Lang, limit int) []Match {
	return x.fuzzy(src, lang, limit, false)
}

// fuzzy is Fuzzy; with scanAll it scores every source instead of the index's candidates, the
// baseline the index is measured and checked against.
func (x *Index) fuzzy(src string, lang tarjuma.Lang, limit int, scanAll bool) []Match {
	toks := words(src, false)
	n := len(toks)
	if n == 0 || limit <= 0 {
		return nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	q := make([]int32, n)
	unknown := map[string]int32{}
	numeric := func(id int32) bool { return id >= 0 && x.numeric[id] }
	var unknownNumbers []int32
	var to []string // the numbers of src, in order
	for i, t := range toks {
		id, ok := x.vocab[t.Text]
		if !ok {
			// A word the memory lacks matches nothing; the same one twice is still one word.
			if id, ok = unknown[t.Text]; !ok {
				id = -1 - int32(len(unknown))
				unknown[t.Text] = id
				if t.Number {
					unknownNumbers = append(unknownNumbers, id)
				}
			}
		}
		q[i] = id
		if t.Number {
			to = append(to, t.Text)
		}
	}
	if len(unknownNumbers) > 0 {
		numeric = func(id int32) bool {
			return id >= 0 && x.numeric[id] || id < 0 && slices.Contains(unknownNumbers, id)
		}
	}
	posting := func(id int32) []int32 {
		switch {
		case numeric(id):
			return x.postings[numberClass]
		case id < 0:
			return nil
		}
		return x.postings[id]
	}
	var cands []int32
	if scanAll {
		cands = make([]int32, len(x.sources))
		for id := range cands {
			cands[id] = int32(id)
		}
	} else {
		cands = x.candidates(q, posting)
	}
	qbag := bagOf(q, numeric)
	key := glossary.MemoryKey(src)
	var buf editdist.Buf
	var out []Match
	for _, id := range cands {
		s := &x.sources[id]
		m := len(s.words)
		l := max(n, m)
		if 5*min(n, m) < 3*l {
			continue // the length difference alone costs more than 40% of the longer
		}
		if 5*overlap(qbag, s.bag) < 3*l {
			continue // d ≥ L − common words, so a score of 60 needs 60% of the words shared
		}
		t := s.translation(lang)
		if t == nil {
			continue
		}
		match := Match{Source: s.key, Text: t.text, Lang: lang, Changed: t.changed}
		switch {
		case slices.Equal(q, s.words) && s.key == key:
			match.Score = 100
		case slices.Equal(q, s.words):
			match.Score = 99
		case n == m && sameClasses(q, s.words, numeric):
			if text, changed, ok := adaptNumbers(t.text, x.numbers(s.words), to); ok {
				match.Text, match.Adapted, match.Score = text, changed, 99
				break
			}
			fallthrough
		default:
			match.Score = wordScore(buf.Distance(q, s.words, 2*l/5), n, m)
		}
		if match.Score >= Threshold {
			out = append(out, match)
		}
	}
	sortMatches(out)
	return out[:min(limit, len(out))]
}

// sortMatches orders matches best first: by score, then the most recently changed (the desk's
// current wording), then by source for a stable answer.
func sortMatches(ms []Match) {
	slices.SortFunc(ms, func(a, b Match) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), b.Changed.Compare(a.Changed), strings.Compare(a.Source, b.Source))
	})
}

// numbers returns the values of the numbers among a source's word ids, in order.
func (x *Index) numbers(ids []int32) []string {
	var out []string
	for _, id := range ids {
		if x.numeric[id] {
			out = append(out, x.names[id])
		}
	}
	return out
}

func (s *source) translation(lang tarjuma.Lang) *translation {
	for i := range s.trans {
		if s.trans[i].lang == lang {
			return &s.trans[i]
		}
	}
	return nil
}

// Hit is a concordance result: an approved translation whose source or text holds the words
// looked for.
type Hit struct {
	Source  string
	Text    string
	Lang    tarjuma.Lang
	Changed time.Time
	// Phrase: the words were found together, as typed, rather than each somewhere.
	Phrase bool
}

// Search finds the translations (in lang, or in every language when lang is "") whose Arabic
// source holds every word of q — normalised as glossary.Normalize folds them, so spelling
// variants of alef, ya and ta marbuta and tashkeel do not matter — or whose text holds every
// word of q, without case. A word matches inside a longer one, as concordance in CAT tools
// does, so "رئيس" finds "الرئيس" and "погиб" finds "погибших". It returns the hits from
// offset on, at most limit, and how many there are: phrase hits first, then the shortest
// sources (closest to what was looked for), then the most recently changed.
func (x *Index) Search(q string, lang tarjuma.Lang, offset, limit int) ([]Hit, int) {
	arabic, target := fold(q, false), fold(q, true)
	aw, tw := strings.Fields(arabic), strings.Fields(target)
	if len(aw) == 0 {
		return nil, 0
	}
	x.mu.RLock()
	var hits []Hit
	var lengths []int
	for i := range x.sources {
		s := &x.sources[i]
		inSource := containsAll(s.folded, aw)
		for _, t := range s.trans {
			if lang != "" && t.lang != lang {
				continue
			}
			if !inSource && !containsAll(t.folded, tw) {
				continue
			}
			phrase := strings.Contains(s.folded, arabic) || strings.Contains(t.folded, target)
			hits = append(hits, Hit{Source: s.key, Text: t.text, Lang: t.lang, Changed: t.changed, Phrase: phrase})
			lengths = append(lengths, len(s.folded))
		}
	}
	x.mu.RUnlock()
	order := make([]int, len(hits))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ha, hb := hits[a], hits[b]
		return cmp.Or(boolFirst(ha.Phrase, hb.Phrase), cmp.Compare(lengths[a], lengths[b]),
			hb.Changed.Compare(ha.Changed), strings.Compare(ha.Source, hb.Source), strings.Compare(string(ha.Lang), string(hb.Lang)))
	})
	total := len(hits)
	var page []Hit
	for _, i := range order[min(offset, total):min(offset+limit, total)] {
		page = append(page, hits[i])
	}
	return page, total
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// boolFirst orders true before false.
func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// candidates returns the sources that may score at least Threshold against the query words q.
//
// Score ≥ 60 needs common ≥ t = ⌈0.6n⌉ words shared with the query's n (d ≥ L − common). Of the
// query's words, the p rarest are read from the index; the other n − p can account for at most
// n − p shared words, so a match shares at least r = t − (n − p) of the rare ones. With p =
// n − t + 1, r is 1 (any match holds one of them); p is taken larger, while postings stay
// short (a tenth of the memory), so that r grows and only sources holding several rare words
// of the query are scored.
func (x *Index) candidates(q []int32, posting func(int32) []int32) []int32 {
	n := len(q)
	t := (3*n + 4) / 5 // ⌈0.6n⌉
	rare := slices.Clone(q)
	slices.SortStableFunc(rare, func(a, b int32) int { return cmp.Compare(len(posting(a)), len(posting(b))) })
	p := n - t + 1
	for p < n && len(posting(rare[p])) <= len(x.sources)/10 {
		p++
	}
	need := t - (n - p)
	// How often each of the rare words occurs in the query: a source holding the word may
	// share it up to that many times, so counting that much never counts a match short.
	times := map[int32]int{}
	for _, w := range rare[:p] {
		times[w]++
	}
	counts := x.counts(len(x.sources))
	defer x.scratch.Put(counts)
	var touched []int32
	for w, k := range times {
		for _, id := range posting(w) {
			if counts[id] == 0 {
				touched = append(touched, id)
			}
			counts[id] += uint16(min(k, 1<<15))
		}
	}
	cands := touched[:0]
	for _, id := range touched {
		if int(counts[id]) >= need {
			cands = append(cands, id)
		}
		counts[id] = 0 // back to zero for the next lookup
	}
	slices.Sort(cands) // a stable order for equal scores, as a scan's
	return cands
}

// counts returns a zeroed counter per source, reused between lookups: allocating and clearing
// 200 KB for each of them would cost more than the lookup.
func (x *Index) counts(n int) []uint16 {
	if c, ok := x.scratch.Get().([]uint16); ok && cap(c) >= n {
		return c[:n] // zeros: a lookup clears what it counted, and the rest was never counted
	}
	return make([]uint16, n, n+n/4) // room for the memory to grow before the next allocation
}

// bagOf returns ids sorted, numbers as numberClass.
func bagOf(ids []int32, numeric func(int32) bool) []int32 {
	bag := make([]int32, len(ids))
	for i, id := range ids {
		if numeric(id) {
			id = numberClass
		}
		bag[i] = id
	}
	slices.Sort(bag)
	return bag
}

// overlap is the size of the multiset intersection of two sorted bags.
func overlap(a, b []int32) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// sameClasses reports whether a and b have the same word at each place, or numbers at both.
func sameClasses(a, b []int32, numeric func(int32) bool) bool {
	for i := range a {
		if a[i] != b[i] && !(numeric(a[i]) && numeric(b[i])) {
			return false
		}
	}
	return true
}
