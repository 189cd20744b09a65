package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
)

// EachDB runs test once per database Databases offers, in a subtest named after it, with what
// open makes of the database's URL: a migrated store, or a server over one. The subtests run in
// parallel with each other, since each owns its SQLite file or PostgreSQL schema.
//
// open is passed in, rather than testenv opening a store itself, so that testenv does not
// import store and store's own tests (package store) can use it without an import cycle.
func EachDB[T any](t *testing.T, open func(t *testing.T, url string) T, test func(t *testing.T, env T)) {
	t.Helper()
	for _, target := range Databases(t) {
		t.Run(target.Name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t, target.URL))
		})
	}
}

// Translations is what WaitStatus reads; *store.DB has it. An interface, so that testenv does
// not import store (see EachDB).
type Translations interface {
	Translations(ctx context.Context, articleID int64) ([]tarjuma.Translation, error)
}

// WaitStatus waits until every translation of the article is in status want, which workers and
// relays reach on their own, and fails the test if they are not all there within the time.
func WaitStatus(t testing.TB, db Translations, articleID int64, want tarjuma.Status, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		trs, err := db.Translations(context.Background(), articleID)
		if err != nil {
			t.Fatal(err)
		}
		done := len(trs) > 0
		for _, tr := range trs {
			done = done && tr.Status == want
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("translations not all %s after %v: %+v", want, within, trs)
		}
		time.Sleep(50 * time.Millisecond) // a poll: how often to look, not what is found
	}
}
