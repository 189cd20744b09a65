package review

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma/store"
)

// TestSubmitRefusesText holds the submit form to tarjuma.CheckText and tarjuma.Blank, the rule
// the API applies: each refused form is answered 422 with the rule's message and stores nothing.
func TestSubmitRefusesText(t *testing.T) {
	const body = "نص الخبر.\nفقرة ثانية."
	cases := []struct {
		name, title, body, externalID string
		want                          string // the message the page shows
	}{
		{"NUL in the title", "قمة\x00دول", body, "", "The text contains characters that cannot be stored."},
		{"NUL in the body", "قمة", "نص\x00", "", "The text contains characters that cannot be stored."},
		{"invalid UTF-8 in the title", "قمة \xff\xfe", body, "", "The text contains characters that cannot be stored."},
		{"NUL in the desk id", "قمة", body, "a\x00b", "The text contains characters that cannot be stored."},
		{"invisible title", "\u200b\u0640\u064b", body, "", "The title is empty."},
		{"bidi marks as body", "قمة", "\u200f\u202b\u064e \u00a0", "", "The text is empty."},
	}
	eachDB(t, func(t *testing.T, f *fixture) {
		c := f.signedIn(t, "editor")
		before := countArticles(t, f)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp := c.post("/submit", url.Values{"title": {tc.title}, "body": {tc.body}, "external_id": {tc.externalID},
					"lang": {"tg"}, "priority": {"default"}, "key": {"form-" + strings.ReplaceAll(tc.name, " ", "-")}})
				if resp.status != http.StatusUnprocessableEntity {
					t.Errorf("status %d, want 422", resp.status)
				}
				if !strings.Contains(resp.body, tc.want) {
					t.Errorf("page lacks %q", tc.want)
				}
				if n := countArticles(t, f); n != before {
					t.Errorf("%d articles stored, want %d", n, before)
				}
			})
		}
	})
}

func countArticles(t *testing.T, f *fixture) int {
	t.Helper()
	all, err := f.db.ListArticles(t.Context(), store.ArticleFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}
