package glossary

import (
	"hash/maphash"
	"math/bits"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma"
)

// Match is one occurrence of a term in a text. Start and End are byte offsets into the original
// text, and Text is text[Start:End]. An attached proclitic (و ف ب ل ك and their combinations)
// is not part of the span, so the UI highlights the name itself.
type Match struct {
	TermID string
	Start  int
	End    int
	Text   string
}

// Matcher finds the terms of one glossary version in texts. It is built once per version, is
// immutable and is safe for concurrent use; the worker shares one between its goroutines and
// builds a new one when the glossary changes.
//
// It is a trie over normalised words: every word of every Arabic variant gets a number, and the
// trie's edges are keyed by (node, word number). At each word of a text a small bit filter of
// the words that start a variant answers first, so the many words that start none never touch
// a large map; the others cost a lookup, plus one per proclitic they may carry, and following a
// phrase costs a lookup per word however many terms share its beginning. Word-keyed indexes beat
// every Aho-Corasick library tried on this machine kind by a wide margin in build time, memory
// and scan speed (FIELD-NOTES.md), and they keep the clitic rules plain code.
type Matcher struct {
	terms   []Term
	byID    map[string]int
	words   wordIndex        // every word of every variant and the لل forms, numbered
	filter  wordFilter       // a superset of the words that start a variant, cheap to ask
	first   []int32          // word number → its node under the root, or 0
	edges   map[uint64]int32 // node<<32 | word number → child node, below the first word
	nodes   []node           // node 0 is the root
	scratch sync.Pool        // *tokenizer, so that matching does not allocate in steady state
	targets map[tarjuma.Lang]*lazyIndex
}

// node holds, as an index into terms plus one (0 for none), the term whose variant ends at a
// trie node: spelled plainly, or, for a variant that starts with ال, spelled with لل ("للأمم"
// for "الأمم"), where the first letter is the preposition and not part of the reported span.
// Most variants end at a leaf, where matching stops without looking at the next word.
type node struct {
	plain, lil int32
	leaf       bool
}

// NewMatcher builds a matcher for the terms active at the given time. Terms should have passed
// Validate; if two share an id or an Arabic variant, the earlier one wins (ReadCSV and ReadTBX
// report both cases as problems).
func NewMatcher(terms []Term, at time.Time) *Matcher {
	m := &Matcher{
		byID:    make(map[string]int, len(terms)),
		words:   wordIndex{seed: maphash.MakeSeed(), byHash: make(map[uint64]int32, len(terms))},
		edges:   make(map[uint64]int32, 2*len(terms)),
		nodes:   make([]node, 1, 2*len(terms)),
		targets: make(map[tarjuma.Lang]*lazyIndex),
	}
	m.scratch.New = func() any { return new(tokenizer) }
	for _, l := range tarjuma.TargetLangs() {
		m.targets[l] = new(lazyIndex)
	}
	var tz tokenizer
	for _, t := range terms {
		if _, dup := m.byID[t.ID]; dup || !t.ActiveAt(at) {
			continue
		}
		term := int32(len(m.terms)) + 1
		m.terms = append(m.terms, t.clone())
		m.byID[t.ID] = int(term - 1)
		for _, v := range t.Arabic {
			tz.scan(v, false)
			if len(tz.toks) == 0 {
				continue
			}
			if n := &m.nodes[m.path(&tz, tz.word(0))]; n.plain == 0 {
				n.plain = term
			}
			if lil := lilForm(string(tz.word(0))); lil != "" {
				if n := &m.nodes[m.path(&tz, []byte(lil))]; n.lil == 0 {
					n.lil = term
				}
			}
		}
	}
	m.filter = newWordFilter(&m.words, m.first)
	return m
}

// path follows, adding what is missing, the trie path of first and then the tokens of tz after
// their first.
func (m *Matcher) path(tz *tokenizer, first []byte) int32 {
	w := m.number(first)
	if m.first[w] == 0 {
		m.first[w] = m.newNode()
	}
	at := m.first[w]
	for i := 1; i < len(tz.toks); i++ {
		at = m.edge(at, m.number(tz.word(i)))
	}
	return at
}

func (m *Matcher) number(word []byte) int32 {
	n := m.words.number(word)
	if int(n) == len(m.first) {
		m.first = append(m.first, 0)
	}
	return n
}

func (m *Matcher) edge(parent, word int32) int32 {
	key := edgeKey(parent, word)
	child, ok := m.edges[key]
	if !ok {
		child = m.newNode()
		m.edges[key] = child
		m.nodes[parent].leaf = false
	}
	return child
}

func (m *Matcher) newNode() int32 {
	m.nodes = append(m.nodes, node{leaf: true})
	return int32(len(m.nodes) - 1)
}

func edgeKey(node, word int32) uint64 { return uint64(node)<<32 | uint64(uint32(word)) }

// Term returns a copy of the active term with the given id.
func (m *Matcher) Term(id string) (Term, bool) {
	i, ok := m.byID[id]
	if !ok {
		return Term{}, false
	}
	return m.terms[i].clone(), true
}

// Len returns the number of active terms.
func (m *Matcher) Len() int { return len(m.terms) }

// Match returns the terms in text, leftmost first; where terms overlap, the one that starts
// first wins, and of those the longest. A term matches whole words only: it may be preceded by
// proclitics, but nothing may follow it inside the word ("الخجندي" is not "خجند").
func (m *Matcher) Match(text string) []Match {
	tz := m.scratch.Get().(*tokenizer)
	defer m.scratch.Put(tz)
	tz.scan(text, false)
	var out []Match
	for i := 0; i < len(tz.toks); {
		n, start, term := m.longestAt(tz, i)
		if n == 0 {
			i++
			continue
		}
		end := tz.toks[i+n-1].end
		out = append(out, Match{TermID: m.terms[term].ID, Start: start, End: end, Text: text[start:end]})
		i += n
	}
	return out
}

// firstNode returns the node of word under the root, or 0 if no variant starts with it.
func (m *Matcher) firstNode(word []byte) int32 {
	h := m.words.hash(word)
	if m.filter.mayHave(h) {
		if n, ok := m.words.lookup(h, word); ok {
			return m.first[n]
		}
	}
	return 0
}

// The proclitics as they appear in normalised text, each one Arabic letter of two bytes.
const (
	waw = "و"
	fa  = "ف"
	ba  = "ب"
	lam = "ل"
	kaf = "ك"
)

// longestAt finds the match starting in token i: it tries the word whole, then without a
// one-letter proclitic (و ف ب ل ك), then without a conjunction and a preposition (وب ول وك فب
// فل فك); the first that matches starts leftmost, and its longest phrase wins. It returns the
// number of tokens matched, where the match starts in the text, and the term's index.
func (m *Matcher) longestAt(tz *tokenizer, i int) (n, start, term int) {
	w := tz.word(i)
	cuts := [3]int{0}
	ncuts := 1
	if len(w) > 2 && isProclitic(w[:2], waw, fa, ba, lam, kaf) {
		cuts[ncuts] = 2
		ncuts++
		if len(w) > 4 && isProclitic(w[:2], waw, fa) && isProclitic(w[2:4], ba, lam, kaf) {
			cuts[ncuts] = 4
			ncuts++
		}
	}
	for _, cut := range cuts[:ncuts] {
		at := m.firstNode(w[cut:])
		if at == 0 {
			continue
		}
		// لل follows nothing, و or ف: "وللأمم" is و + ل + الأمم, but "بللأمم" is no word.
		lilOK := cut == 0 || cut == 2 && isProclitic(w[:2], waw, fa)
		lil := false
		for depth, ok := 1, true; ok; depth++ {
			nd := m.nodes[at]
			switch {
			case nd.plain != 0:
				n, term, lil = depth, int(nd.plain-1), false
			case nd.lil != 0 && lilOK:
				n, term, lil = depth, int(nd.lil-1), true
			}
			j := i + depth
			if nd.leaf || j == len(tz.toks) {
				break
			}
			word := tz.word(j)
			id, known := m.words.lookup(m.words.hash(word), word)
			if !known {
				break
			}
			at, ok = m.edges[edgeKey(at, id)]
		}
		if n == 0 {
			continue
		}
		skip := cut / 2
		if lil {
			skip++
		}
		start = tz.toks[i].start
		if skip > 0 {
			start = tz.toks[i].inner[skip-1]
		}
		return n, start, term
	}
	return 0, 0, 0
}

func isProclitic(letter []byte, set ...string) bool {
	for _, s := range set {
		if string(letter) == s {
			return true
		}
	}
	return false
}

// lilForm returns how a word starting with the article ال is written after the preposition ل:
// the alef drops ("الأمم" → "للأمم"), and before a word that itself starts with ل one lam goes
// too ("اللجنة" → "للجنة", "الله" → "لله"). It returns "" for other words.
func lilForm(w string) string {
	const al = "ال"
	if len(w) <= len(al) || w[:len(al)] != al {
		return ""
	}
	if rest := w[len(al):]; len(rest) > len(lam) && rest[:len(lam)] == lam {
		return lam + rest
	}
	return lam + w[len("ا"):]
}

// wordIndex numbers words. It keys them by their 64-bit hash, so that a text word is hashed once
// for the filter and the index and the index is an integer-keyed map; the word itself is compared
// only when its hash is found.
type wordIndex struct {
	seed   maphash.Seed
	byHash map[uint64]int32
	words  []string // by number
}

func (x *wordIndex) hash(w []byte) uint64 { return maphash.Bytes(x.seed, w) }

func (x *wordIndex) lookup(h uint64, w []byte) (int32, bool) {
	n, ok := x.byHash[h]
	return n, ok && x.words[n] == string(w)
}

// number returns the number of w, adding it if it is new.
func (x *wordIndex) number(w []byte) int32 {
	for {
		h := x.hash(w)
		n, ok := x.byHash[h]
		switch {
		case !ok:
			n = int32(len(x.words))
			x.words = append(x.words, string(w))
			x.byHash[h] = n
			return n
		case x.words[n] == string(w):
			return n
		}
		x.reseed() // two words, one hash: about one chance in 10^7 for a million words
	}
}

// reseed rehashes every word with new seeds until no two share a hash.
func (x *wordIndex) reseed() {
	for collided := true; collided; {
		x.seed = maphash.MakeSeed()
		clear(x.byHash)
		collided = false
		for n, w := range x.words {
			h := maphash.String(x.seed, w)
			if _, dup := x.byHash[h]; dup {
				collided = true
				break
			}
			x.byHash[h] = int32(n)
		}
	}
}

// wordFilter is a blocked Bloom filter over a set of words: about 16 bits a word, and both
// probes in one 64-bit word so a question costs one cache miss; a few percent of other words
// get through to the index.
type wordFilter struct {
	bits []uint64
	mask uint64
}

// newWordFilter builds the filter of the words whose node under the root is set.
func newWordFilter(x *wordIndex, first []int32) wordFilter {
	starts := 0
	for _, node := range first {
		if node != 0 {
			starts++
		}
	}
	n := max(64, 1<<bits.Len(uint(starts/4)))
	f := wordFilter{bits: make([]uint64, n), mask: uint64(n - 1)}
	for id, w := range x.words {
		if first[id] != 0 {
			i, b := f.probe(maphash.String(x.seed, w))
			f.bits[i] |= b
		}
	}
	return f
}

func (f wordFilter) probe(h uint64) (int, uint64) {
	return int(h >> 12 & f.mask), 1<<(h&63) | 1<<(h>>6&63)
}

// mayHave reports whether the word with hash h may be in the filter.
func (f wordFilter) mayHave(h uint64) bool {
	i, b := f.probe(h)
	return f.bits[i]&b == b
}
