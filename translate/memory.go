package translate

import (
	"context"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/tarjuma/tarjuma"
)

// MemoryStore is where approved segments are looked up. It is declared here rather than taking
// *store.DB so translate does not depend on the store and tests can use a map; *store.DB
// satisfies it.
type MemoryStore interface {
	// LookupMemory returns the stored target text for each key (see MemoryKey) that has one.
	LookupMemory(ctx context.Context, source, target tarjuma.Lang, keys []string) (map[string]string, error)
}

// MemoryKey is the normalised form of a source text under which the translation memory stores
// and finds it: NFC, runs of white space folded to one space, trimmed. Everything that writes
// or reads the memory goes through it, so stricter folding (Arabic letter variants, tashkeel)
// can be added here in one place.
func MemoryKey(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}
