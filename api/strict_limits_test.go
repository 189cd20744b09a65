package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestSubscriberURLLimit(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		long := "https://site.example/" + strings.Repeat("a", 3<<10)
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", jsonOf(t, map[string]any{"url": long, "langs": []string{"tg"}})),
			http.StatusUnprocessableEntity, "invalid_url", "longer than 2048 bytes")
		list := decode[struct{ Subscribers []subscriberJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/subscribers", ""), http.StatusOK)
		if len(list.Subscribers) != 0 {
			t.Errorf("%d subscribers stored, want 0", len(list.Subscribers))
		}
		atLimit := "https://site.example/" + strings.Repeat("a", 2048-len("https://site.example/"))
		decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", jsonOf(t, map[string]any{"url": atLimit, "langs": []string{"tg"}})), http.StatusCreated)
	})
}
