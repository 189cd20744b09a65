package translate

import (
	"context"

	"github.com/tarjuma/tarjuma"
)

// MemoryStore is where approved segments are looked up. It is declared here rather than taking
// *store.DB so translate does not depend on the store and tests can use a map; *store.DB
// satisfies it.
type MemoryStore interface {
	// LookupMemory returns the stored target text for each key (see glossary.MemoryKey) that has one.
	LookupMemory(ctx context.Context, source, target tarjuma.Lang, keys []string) (map[string]string, error)
}
