package glossary

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUScratch(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, n := range benchSizes {
		terms, text := synthetic(n, 1<<20)
		c0 := threadCPU()
		m := NewMatcher(terms, time.Now())
		build := threadCPU() - c0
		runtime.GC()
		const reps = 20
		c0 = threadCPU()
		for range reps {
			m.Match(text)
		}
		d := (threadCPU() - c0) / reps
		fmt.Printf("n=%d build=%v match=%.1f MB/s (cpu)\n", n, build, float64(len(text))/d.Seconds()/1e6)
	}
}
