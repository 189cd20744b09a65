// Package editdist is the bounded Levenshtein distance shared by the glossary (letters of a
// word form) and the translation memory (words of a sentence).
package editdist

// Buf holds the two rows of the distance table, so a caller comparing one sequence with many
// candidates reuses them. The zero value is ready to use.
type Buf struct{ prev, cur []int }

// Distance is the Levenshtein distance of a and b, or limit+1 as soon as every alignment costs
// more than limit (callers only need an exact figure below their threshold).
func (buf *Buf) Distance(a, b []int32, limit int) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > limit {
		return limit + 1
	}
	if cap(buf.prev) < len(b)+1 {
		buf.prev, buf.cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev, cur := buf.prev[:len(b)+1], buf.cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
