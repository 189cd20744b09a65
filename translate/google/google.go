// Package google owns the Google Cloud Translation engines: Basic (v2, REST with the text in a
// JSON body) and Advanced (v3, gRPC with optional native glossaries). Each Send is exactly one
// request; batching, concurrency, rate limits and retries belong to translate.NewProvider, so
// this package only speaks the wire protocol and says which failures are worth retrying.
package google

import (
	"fmt"
	"strings"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/translate"
)

// supported reports whether Google serves the pair for the desk: Arabic into any of its target
// languages, all of which both API versions translate in HTML mode.
func supported(source, target tarjuma.Lang) bool {
	return source == tarjuma.Arabic && target.Valid()
}

// isDaily reports whether an error text speaks of a daily quota ("dailyLimitExceeded",
// "Daily Limit Exceeded", "... per day ..."): unlike the per-minute quota it will not recover
// within a task's retries, so the translation should fail fast.
func isDaily(text string) bool {
	t := strings.ToLower(text)
	return strings.Contains(t, "daily") || strings.Contains(t, "per day") || strings.Contains(t, "perday")
}

// shortResponse is the error for an answer whose translations do not line up with the texts
// sent: retryable, and never returned as a partial result.
func shortResponse(provider string, got, want int) error {
	return &translate.Error{Provider: provider,
		Err: fmt.Errorf("short response: %d translations for %d texts", got, want)}
}
