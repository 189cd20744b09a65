package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

func TestGetUsage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		a := e.submit(t, shortArticle(0))
		path := fmt.Sprintf("/api/v1/articles/%d/usage", a.ID)
		type body struct{ Usage []usageJSON }
		if got := decode[body](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK); got.Usage == nil || len(got.Usage) != 0 {
			t.Errorf("usage before any engine = %+v, want an empty list", got)
		}
		// Each request an engine is sent is recorded on its own; the API gives their sum.
		for _, r := range []struct {
			lang     tarjuma.Lang
			provider string
			chars    int
		}{
			{tarjuma.English, "deepl", 100},
			{tarjuma.Russian, "deepl", 7},
			{tarjuma.English, "deepl", 20},
			{tarjuma.English, "google-v3", 5},
			{tarjuma.English, "deepl", 3},
		} {
			if err := e.db.RecordUsage(t.Context(), a.ID, r.lang, r.provider, r.chars, 1, nil); err != nil {
				t.Fatal(err)
			}
		}
		got := decode[body](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK)
		want := []usageJSON{
			{Lang: tarjuma.English, Provider: "deepl", Characters: 123, Requests: 3},
			{Lang: tarjuma.English, Provider: "google-v3", Characters: 5, Requests: 1},
			{Lang: tarjuma.Russian, Provider: "deepl", Characters: 7, Requests: 1},
		}
		if diff := cmp.Diff(want, got.Usage); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
		missing := fmt.Sprintf("/api/v1/articles/%d/usage", a.ID+1000)
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", missing, ""), http.StatusNotFound, "not_found", "")
	})
}
