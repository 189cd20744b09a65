package glossary

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// readCases decodes one JSON object per line of a testdata file.
func readCases[T any](t testing.TB, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []T
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var c T
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// starter returns the starter term base, failing the test if it does not load.
func starter(t testing.TB) []Term {
	t.Helper()
	terms, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	return terms
}

// starterMatcher is a matcher over the starter term base and extra, as of now.
func starterMatcher(t testing.TB, extra ...Term) *Matcher {
	t.Helper()
	return NewMatcher(append(starter(t), extra...), time.Now())
}
