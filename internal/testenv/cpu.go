package testenv

import (
	"os"
	"strconv"
	"strings"
)

// MachineCPU reads the whole machine's busy and total CPU seconds from /proc/stat (Linux), so
// a benchmark can show how much CPU its work costs across the app, PostgreSQL, Redis and the
// kernel, and whether the machine ran out of it. ok is false where /proc/stat is missing.
func MachineCPU() (busy, total float64, ok bool) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, false
	}
	const ticksPerSecond = 100 // USER_HZ, 100 on every Linux architecture Go runs on
	for i, f := range fields[1:9] {
		n, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n / ticksPerSecond
		if i != 3 && i != 4 { // idle and iowait
			busy += n / ticksPerSecond
		}
	}
	return busy, total, true
}
