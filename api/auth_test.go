package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
)

// TestAuthorization sends every /api/ route every kind of credential and checks the status
// against the permission rule: any role reads, editors and admins write.
func TestAuthorization(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		a := e.submit(t, shortArticle(0))
		saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, "عنوان")
		article := fmt.Sprintf("/api/v1/articles/%d", a.ID)
		edit := jsonOf(t, shortArticle(0))

		type authRoute struct {
			pattern, path, body string
			write               bool
			ok                  int // the status of an allowed call
		}
		routes := []authRoute{
			{"POST /api/v1/articles", "/api/v1/articles", jsonOf(t, shortArticle(1)), true, http.StatusAccepted},
			{"GET /api/v1/articles", "/api/v1/articles", "", false, http.StatusOK},
			{"GET /api/v1/articles/{id}", article, "", false, http.StatusOK},
			{"PUT /api/v1/articles/{id}", article, edit, true, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}", article + "/translations/tg", "", false, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/versions", article + "/translations/tg/versions", "", false, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/versions/{n}", article + "/translations/tg/versions/1", "", false, http.StatusOK},
		}
		// A route added without a row here would escape the permission check.
		for _, p := range e.srv.Routes() {
			if strings.Contains(p, " /api/") && !slices.ContainsFunc(routes, func(r authRoute) bool { return r.pattern == p }) {
				t.Errorf("route %s is not in the authorization table", p)
			}
		}

		credentials := []struct {
			name, auth string
			role       tarjuma.Role // "" for the ones that identify nobody
		}{
			{"no token", "", ""},
			{"unknown token", "Bearer not-a-token", ""},
			{"basic auth", "Basic ZWRpdG9yOnNlY3JldA==", ""},
			{"empty bearer", "Bearer ", ""},
			{"translator", bearer(e.tokens[tarjuma.RoleTranslator]), tarjuma.RoleTranslator},
			{"reviewer", bearer(e.tokens[tarjuma.RoleReviewer]), tarjuma.RoleReviewer},
			{"editor", bearer(e.tokens[tarjuma.RoleEditor]), tarjuma.RoleEditor},
			{"admin", bearer(e.tokens[tarjuma.RoleAdmin]), tarjuma.RoleAdmin},
			{"dev token", bearer(testDevToken), tarjuma.RoleAdmin},
			{"dev token prefix", bearer(testDevToken[:len(testDevToken)-1]), ""},
		}
		for _, rt := range routes {
			for _, c := range credentials {
				t.Run(rt.pattern+"/"+c.name, func(t *testing.T) {
					before := e.storedArticles(t)
					rec := do(t, e.srv, strings.Fields(rt.pattern)[0], rt.path, c.auth, rt.body)
					switch {
					case c.role == "":
						wantError(t, rec, http.StatusUnauthorized, "unauthorized", "")
						if h := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
							t.Errorf("WWW-Authenticate %q, want a Bearer challenge", h)
						}
					case rt.write && c.role != tarjuma.RoleEditor && c.role != tarjuma.RoleAdmin:
						wantError(t, rec, http.StatusForbidden, "forbidden", string(c.role))
					default:
						if rec.Code != rt.ok {
							t.Errorf("status %d, want %d: %s", rec.Code, rt.ok, rec.Body)
						}
						return
					}
					if after := e.storedArticles(t); after != before {
						t.Errorf("refused request stored %d articles", after-before)
					}
				})
			}
		}
	})
}

func TestDevTokenOffByDefault(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		srv := New(Config{DB: e.db, Enqueuer: e.enq})
		wantError(t, do(t, srv, "GET", "/api/v1/articles", bearer(testDevToken), ""), http.StatusUnauthorized, "unauthorized", "")
	})
}
