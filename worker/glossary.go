package worker

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/store"
)

// glossaryRefresh is how stale a worker's glossary may be: the version is asked of the database
// at most this often, not for every task.
const glossaryRefresh = time.Second

// termBase keeps the matcher of the current glossary, built once per glossary version and shared
// by every task. It is rebuilt when the version changes and when a term's validity starts or
// ends, since the matcher holds only the terms active when it was built.
type termBase struct {
	db *store.DB

	mu      sync.Mutex
	matcher *glossary.Matcher // nil while the glossary is empty
	version int64
	checked time.Time // when the version was last asked for
	expires time.Time // the next valid_from or valid_until after the build; zero: none
}

// current returns the matcher (nil for an empty glossary) and the glossary version it is of.
func (tb *termBase) current(ctx context.Context) (*glossary.Matcher, int64, error) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	now := time.Now()
	fresh := tb.expires.IsZero() || now.Before(tb.expires)
	if !tb.checked.IsZero() && now.Sub(tb.checked) < glossaryRefresh && fresh {
		return tb.matcher, tb.version, nil
	}
	version, err := tb.db.GlossaryVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("glossary version: %w", err)
	}
	if !tb.checked.IsZero() && version == tb.version && fresh {
		tb.checked = now
		return tb.matcher, tb.version, nil
	}
	terms, version, err := tb.db.GlossaryTerms(ctx, store.GlossaryFilter{})
	if err != nil {
		return nil, 0, fmt.Errorf("glossary terms: %w", err)
	}
	tb.matcher, tb.version, tb.checked, tb.expires = nil, version, now, time.Time{}
	if len(terms) > 0 {
		tb.matcher = glossary.NewMatcher(terms, now)
	}
	for _, t := range terms {
		for _, boundary := range []time.Time{t.ValidFrom, t.ValidUntil} {
			if boundary.After(now) && (tb.expires.IsZero() || boundary.Before(tb.expires)) {
				tb.expires = boundary
			}
		}
	}
	return tb.matcher, tb.version, nil
}
