package glossary

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// cacheRefresh is how stale a cached glossary may be: its version is asked for at most this
// often, not on every use.
const cacheRefresh = time.Second

// Cache keeps the Matcher of the current glossary, built once per glossary version and shared by
// every goroutine of a process. It is rebuilt when the version changes and when a term's validity
// starts or ends, since a Matcher holds only the terms active when it was built. Where the terms
// and the version come from is injected, so that glossary itself does no I/O.
type Cache struct {
	load      func(ctx context.Context) (version int64, terms []Term, err error)
	versionOf func(ctx context.Context) (int64, error)

	mu      sync.Mutex
	matcher *Matcher // nil while the glossary is empty
	version int64
	checked time.Time // when the version was last asked for; zero before the first load
	expires time.Time // the next valid_from or valid_until after the build; zero: none
}

// NewCache returns a Cache that loads every term of the glossary (active or not) with load and
// asks for the glossary's current version with versionOf.
func NewCache(load func(ctx context.Context) (version int64, terms []Term, err error), versionOf func(ctx context.Context) (int64, error)) *Cache {
	return &Cache{load: load, versionOf: versionOf}
}

// Current returns the matcher of the current glossary (nil while the glossary is empty) and
// the glossary version it is of.
func (c *Cache) Current(ctx context.Context) (*Matcher, int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	fresh := c.expires.IsZero() || now.Before(c.expires)
	if !c.checked.IsZero() && now.Sub(c.checked) < cacheRefresh && fresh {
		return c.matcher, c.version, nil
	}
	version, err := c.versionOf(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("glossary version: %w", err)
	}
	if !c.checked.IsZero() && version == c.version && fresh {
		c.checked = now
		return c.matcher, c.version, nil
	}
	version, terms, err := c.load(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("glossary terms: %w", err)
	}
	c.matcher, c.version, c.checked, c.expires = nil, version, now, time.Time{}
	if len(terms) > 0 {
		c.matcher = NewMatcher(terms, now)
	}
	for _, t := range terms {
		for _, boundary := range []time.Time{t.ValidFrom, t.ValidUntil} {
			if boundary.After(now) && (c.expires.IsZero() || boundary.Before(c.expires)) {
				c.expires = boundary
			}
		}
	}
	return c.matcher, c.version, nil
}
