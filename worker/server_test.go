package worker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma/translate"
)

func TestRetryDelay(t *testing.T) {
	for n := range 40 {
		d := retryDelay(n, errors.New("boom"), nil)
		step := min(retryBase<<min(n, 16), retryCap)
		if d < step/2 || d > step {
			t.Errorf("retry %d: delay %v outside [%v, %v]", n, d, step/2, step)
		}
	}
	engine := fmt.Errorf("wrapped: %w", &translate.Error{Provider: "x", RetryAfter: time.Hour, Err: errors.New("quota")})
	if d := retryDelay(0, engine, nil); d != time.Hour {
		t.Errorf("delay %v, want the engine's Retry-After of 1h", d)
	}
}
