// Package storetest opens a migrated store for the tests of the packages above the store, so
// each does not carry its own copy. It is not in internal/testenv because testenv must not
// import store (store's own tests use testenv).
package storetest

import (
	"testing"

	"github.com/tarjuma/tarjuma/store"
)

// Open opens the database at url with opts, applies the migrations and closes it when the
// test ends; any failure ends the test.
func Open(t testing.TB, url string, opts ...store.Option) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}
