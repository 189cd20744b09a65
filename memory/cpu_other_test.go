//go:build !linux

package memory

import "time"

// threadCPU is not measured outside Linux; the benchmarks then report wall-clock time only.
func threadCPU() (time.Duration, bool) { return 0, false }
