package editdist

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"kitten", "sitting", 5, 3}, // two substitutions and an insertion
		{"sitting", "kitten", 5, 3}, // symmetric
		{"Сомонӣ", "Сомони", 2, 1},  // one letter, not one byte
		{"абв", "абв", 0, 0},
		{"kitten", "sitting", 2, 3}, // over the limit: limit+1
		{"a", "abcdef", 2, 3},       // length gap alone is over the limit
		{"flaw", "lawn", 4, 2},      // a deletion and an insertion
		{"intention", "execution", 9, 5},
	}
	var buf Buf
	for _, tt := range tests {
		if got := buf.Distance([]rune(tt.a), []rune(tt.b), tt.limit); got != tt.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
