package tarjuma

import (
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-3", 0},
		{"soon", 0},
		{"Fri, 27 Nov 2026 09:00:30 GMT", 30 * time.Second},
		{"Fri, 27 Nov 2026 08:59:00 GMT", 0},
	} {
		if got := RetryAfter(tt.value, now); got != tt.want {
			t.Errorf("RetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
