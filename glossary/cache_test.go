package glossary

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/tarjuma/tarjuma"
)

// fakeSource is a glossary in memory that counts how often the Cache asks it.
type fakeSource struct {
	version       int64
	terms         []Term
	loads, checks int
	err           error
}

func (f *fakeSource) load(context.Context) (int64, []Term, error) {
	f.loads++
	return f.version, f.terms, f.err
}

func (f *fakeSource) versionOf(context.Context) (int64, error) {
	f.checks++
	return f.version, f.err
}

func cacheTerm(id, arabic string) Term {
	return Term{ID: id, Kind: KindPlace, Arabic: []string{arabic}, Targets: map[tarjuma.Lang]Forms{
		tarjuma.Tajik: {Preferred: "x"}, tarjuma.Russian: {Preferred: "x"}, tarjuma.English: {Preferred: "x"}}}
}

// current calls c.Current and reports the ids of the terms its matcher finds in text.
func current(t *testing.T, c *Cache, text string) ([]string, int64) {
	t.Helper()
	m, version, err := c.Current(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if m != nil {
		for _, match := range m.Match(text) {
			ids = append(ids, match.TermID)
		}
	}
	return ids, version
}

// The cache tests run in a synctest bubble, whose clock is fake: time.Sleep moves it forward
// exactly and at once, so the refresh interval and validity boundaries are crossed by the
// amounts the test says, whatever the machine's load.

func TestCache(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testCache)
}

func testCache(t *testing.T) {
	src := &fakeSource{version: 1}
	c := NewCache(src.load, src.versionOf)
	if ids, v := current(t, c, "دوشنبه"); ids != nil || v != 1 {
		t.Errorf("empty glossary: %v at version %d, want no matcher at version 1", ids, v)
	}

	// Within the refresh interval the version is not even asked for.
	src.version, src.terms = 2, []Term{cacheTerm("dushanbe", "دوشنبه")}
	if _, v := current(t, c, ""); v != 1 || src.loads != 1 || src.checks != 1 {
		t.Errorf("version %d after %d loads and %d checks, want the cached 1 after 1 and 1", v, src.loads, src.checks)
	}
	time.Sleep(cacheRefresh - time.Nanosecond)
	if _, v := current(t, c, ""); v != 1 || src.checks != 1 {
		t.Errorf("just inside the refresh interval: version %d after %d checks, want the cached 1 after 1", v, src.checks)
	}
	time.Sleep(time.Nanosecond)
	if ids, v := current(t, c, "في دوشنبه"); len(ids) != 1 || v != 2 || src.loads != 2 {
		t.Errorf("after a new version: %v at version %d, %d loads; want dushanbe at 2, 2 loads", ids, v, src.loads)
	}
	time.Sleep(cacheRefresh)
	if _, v := current(t, c, ""); v != 2 || src.loads != 2 || src.checks != 3 {
		t.Errorf("same version: %d after %d loads, %d checks; want 2 after 2 loads, 3 checks", v, src.loads, src.checks)
	}

	src.err = errors.New("database gone")
	time.Sleep(cacheRefresh)
	if _, _, err := c.Current(t.Context()); !errors.Is(err, src.err) {
		t.Errorf("err = %v, want the source's", err)
	}
}

// TestCacheValidity: a term that becomes valid is matched from then on, without a new glossary
// version and before the refresh interval is up.
func TestCacheValidity(t *testing.T) {
	t.Parallel()
	synctest.Test(t, testCacheValidity)
}

func testCacheValidity(t *testing.T) {
	soon := time.Now().Add(50 * time.Millisecond)
	term := cacheTerm("dushanbe", "دوشنبه")
	term.ValidFrom = soon
	src := &fakeSource{version: 1, terms: []Term{term}}
	c := NewCache(src.load, src.versionOf)
	if ids, _ := current(t, c, "في دوشنبه"); ids != nil {
		t.Errorf("before valid_from: %v, want nothing", ids)
	}
	time.Sleep(time.Until(soon) - time.Nanosecond)
	if ids, _ := current(t, c, "في دوشنبه"); ids != nil || src.loads != 1 {
		t.Errorf("just before valid_from: %v after %d loads, want nothing after 1", ids, src.loads)
	}
	time.Sleep(time.Nanosecond)
	if ids, _ := current(t, c, "في دوشنبه"); len(ids) != 1 || src.loads != 2 {
		t.Errorf("after valid_from: %v after %d loads, want dushanbe after 2", ids, src.loads)
	}
}
