package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestPathNumbersOutOfRange(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		a := e.submit(t, shortArticle(0))
		base := fmt.Sprintf("/api/v1/articles/%d", a.ID)
		for _, path := range []string{
			"/api/v1/articles/99999999999999999999",
			"/api/v1/articles/9223372036854775807",
			"/api/v1/articles/-1",
			"/api/v1/articles/0x10",
			"/api/v1/articles/99999999999999999999/usage",
			"/api/v1/articles/99999999999999999999/translations/tg",
			base + "/translations/tg/versions/99999999999999999999",
			base + "/translations/tg/versions/2147483648",
			base + "/translations/tg/versions/9223372036854775807",
			"/api/v1/articles/9223372036854775807/translations/tg/deliveries",
		} {
			t.Run(path, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleAdmin, "GET", path, ""), http.StatusNotFound, "not_found", "")
			})
		}
		for _, path := range []string{"/api/v1/subscribers/99999999999999999999", "/api/v1/subscribers/9223372036854775807"} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "DELETE", path, ""), http.StatusNotFound, "not_found", "")
		}
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/deliveries/99999999999999999999/redeliver", ""), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/deliveries/9223372036854775807/redeliver", ""), http.StatusNotFound, "not_found", "")
	})
}
