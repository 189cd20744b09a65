package numeral

import "testing"

func TestScan(t *testing.T) {
	tests := []struct {
		s, want string
		end     int // byte offset
	}{
		{"1,000 people", "1000", 5},
		{"1 000", "1000", 5},
		{"١٬٠٠٠", "1000", 10},
		{"٣٫٥%", "3.5", 6},
		{"3,5 млн", "3.5", 3},
		{"2024.", "2024", 4},
		{"12 34", "12", 2}, // a space before other than three digits ends the number
		{"۱۲۳x", "123", 6}, // Persian digits
		{"7, 8", "7", 1},   // a comma before no digit ends it
	}
	for _, tt := range tests {
		end, got := Scan(tt.s, 0)
		if got != tt.want || end != tt.end {
			t.Errorf("Scan(%q) = %d, %q, want %d, %q", tt.s, end, got, tt.end, tt.want)
		}
	}
}
