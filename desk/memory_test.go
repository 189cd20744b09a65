package desk

import (
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/internal/storetest"
	"github.com/tarjuma/tarjuma/internal/testenv"
	"github.com/tarjuma/tarjuma/store"
)

// Two replicas share the memory through the database: what one imports, the other finds once
// its index is older than memoryRefresh, and not before (the clock is injected).
func TestMemoryIndexFollowsTheStore(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, url string) *store.DB { return storetest.Open(t, url) }, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		a, b := New(Config{DB: db}), New(Config{DB: db})
		b.now = func() time.Time { return clock }
		admin := Actor{User: tarjuma.User{Role: tarjuma.RoleAdmin}, Name: "admin"}
		search := func() int {
			t.Helper()
			_, total, err := b.SearchMemory(ctx, "دوشنبه", "", 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			return total
		}
		if n := search(); n != 0 {
			t.Fatalf("%d hits in an empty memory", n)
		}
		const tmx = `<tmx version="1.4"><header srclang="ar"/><body><tu><tuv xml:lang="ar"><seg>قمة دوشنبه</seg></tuv>` +
			`<tuv xml:lang="tg"><seg>Саммити Душанбе</seg></tuv></tu></body></tmx>`
		res, err := a.ImportMemory(ctx, admin, strings.NewReader(tmx))
		if err != nil || res.Added != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		if n := search(); n != 0 {
			t.Errorf("found %d within memoryRefresh of the last look", n)
		}
		clock = clock.Add(memoryRefresh)
		if n := search(); n != 1 {
			t.Errorf("found %d after memoryRefresh, want 1", n)
		}
		// The importing replica sees its import at once.
		if _, total, err := a.SearchMemory(ctx, "دوشنبه", tarjuma.Tajik, 0, 10); err != nil || total != 1 {
			t.Errorf("the importer found %d (%v)", total, err)
		}
		if _, err := b.ImportMemory(ctx, Actor{User: tarjuma.User{Role: tarjuma.RoleReviewer}}, strings.NewReader(tmx)); err == nil {
			t.Error("a reviewer imported a memory")
		}
	})
}
