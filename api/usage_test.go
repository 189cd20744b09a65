package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

func TestGetUsage(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		a := e.submit(t, shortArticle(0))
		path := fmt.Sprintf("/api/v1/articles/%d/usage", a.ID)
		type body struct{ Usage []usageJSON }
		if got := decode[body](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK); got.Usage == nil || len(got.Usage) != 0 {
			t.Errorf("usage before any engine = %+v, want an empty list", got)
		}
		if err := e.db.RecordUsage(t.Context(), a.ID, tarjuma.English, "deepl", 120, 2); err != nil {
			t.Fatal(err)
		}
		got := decode[body](t, e.as(t, tarjuma.RoleTranslator, "GET", path, ""), http.StatusOK)
		if diff := cmp.Diff([]usageJSON{{Lang: tarjuma.English, Provider: "deepl", Characters: 120, Requests: 2}}, got.Usage); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
		missing := fmt.Sprintf("/api/v1/articles/%d/usage", a.ID+1000)
		wantError(t, e.as(t, tarjuma.RoleTranslator, "GET", missing, ""), http.StatusNotFound, "not_found", "")
	})
}
