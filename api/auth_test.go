package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// TestAuthorization sends every /api/ route every kind of credential and checks the status
// against the permission rule: any role reads, editors and admins write articles, only admins
// edit the glossary.
func TestAuthorization(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		a := e.submit(t, shortArticle(0))
		saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, "عنوان")
		article := fmt.Sprintf("/api/v1/articles/%d", a.ID)
		edit := jsonOf(t, shortArticle(0))

		// Glossary routes that change or remove a term get a fresh one for every call.
		seq := 0
		newTerm := func() string {
			seq++
			term := testTerm(fmt.Sprintf("term-%d", seq), seq)
			if _, err := e.db.CreateGlossaryTerm(t.Context(), term, "test"); err != nil {
				t.Fatal(err)
			}
			return term.ID
		}
		fixed := func(s string) func() string { return func() string { return s } }
		readers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor, tarjuma.RoleTranslator, tarjuma.RoleReviewer}
		writers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor}
		admins := []tarjuma.Role{tarjuma.RoleAdmin}
		reviewers := []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleReviewer}
		existing := newTerm()
		// Review calls get a draft to act on: the latest version, or a fresh one in needs_review.
		// A save flips the title's status, so that each is a change and stores a version.
		saveBody := func() string {
			req := e.unchangedEdit(t, a.ID, tarjuma.Tajik)
			v, err := e.db.LatestVersion(t.Context(), a.ID, tarjuma.Tajik)
			if err != nil {
				t.Fatal(err)
			}
			req["title_status"] = tarjuma.SegmentDraft
			if v.Segments[0].Status == tarjuma.SegmentDraft {
				req["title_status"] = tarjuma.SegmentConfirmed
			}
			return jsonOf(t, req)
		}
		approveBody := func() string {
			return jsonOf(t, map[string]any{"version": e.draft(t, a.ID, tarjuma.Tajik), "override": map[string]any{"reason": fixtureOverride.Reason}})
		}
		// A dismissal gets a fresh latest version whose p1.s1 has a number_extra flag of a new
		// number (an earlier one's dismissal would carry over).
		flagged := 0
		flaggedDraft := func() string {
			v, err := e.db.LatestVersion(t.Context(), a.ID, tarjuma.Tajik)
			if err != nil {
				t.Fatal(err)
			}
			flagged++
			v.Segments[1].Flags = []tarjuma.Flag{{Kind: "number_extra", Args: []string{strconv.Itoa(flagged)}}}
			saved, err := e.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: v.Number, Segments: v.Segments, Author: "test"})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%s/translations/tg/versions/%d/segments/p1.s1/dismissals", article, saved.Number)
		}
		// A revert gets a latest version that differs from the one before it, which it brings
		// back; revertBase is that latest version, which the body names.
		revertBase := 0
		revertPath := func() string {
			previous := e.draft(t, a.ID, tarjuma.Tajik)
			v, err := e.db.Version(t.Context(), a.ID, tarjuma.Tajik, previous)
			if err != nil {
				t.Fatal(err)
			}
			v.Segments[0].Text = fmt.Sprintf("Саммит %d", previous)
			saved, err := e.db.SaveHumanVersion(t.Context(), store.HumanEdit{ArticleID: a.ID, Lang: tarjuma.Tajik, BaseVersion: previous, Segments: v.Segments, Author: "test"})
			if err != nil {
				t.Fatal(err)
			}
			revertBase = saved.Number
			return fmt.Sprintf("%s/translations/tg/versions/%d/revert", article, previous)
		}
		revertBody := func() string { return fmt.Sprintf(`{"base_version": %d}`, revertBase) }
		rejectBody := func() string {
			return jsonOf(t, map[string]any{"version": e.draft(t, a.ID, tarjuma.Tajik), "comment": "الترجمة ناقصة"})
		}
		// Publishing: a subscriber per call that removes or rotates one, and an English delivery to redeliver.
		newSubscriberAt := func(url string) string {
			sub, err := e.db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: url,
				Langs: []tarjuma.Lang{tarjuma.English}, Secret: "whsec_c2VjcmV0", CreatedBy: "test"})
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(sub.ID, 10)
		}
		newSubscriber := func() string {
			return newSubscriberAt("https://site.example/hook")
		}
		newSubscriber()
		saveMachineVersion(t, e.db, a.ID, tarjuma.English, 1, "Summit")
		if err := e.db.Approve(t.Context(), a.ID, tarjuma.English, 1, "test", "", fixtureOverride); err != nil {
			t.Fatal(err)
		}
		subscriberBody := jsonOf(t, map[string]any{"url": "https://site.example/hook", "langs": []string{"ru"}})

		// Credentials: a service token and a user for every call that revokes or disables one.
		newToken := func() string {
			_, tok, err := e.db.CreateToken(t.Context(), "to revoke", tarjuma.RoleEditor)
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(tok.ID, 10)
		}
		newUser := func() string {
			seq++
			u, err := e.db.CreateUser(t.Context(), store.NewUser{Email: fmt.Sprintf("account-%d@example.org", seq), PasswordHash: "unused", Role: tarjuma.RoleEditor})
			if err != nil {
				t.Fatal(err)
			}
			return strconv.FormatInt(u.ID, 10)
		}
		someone := newUser()
		if _, err := e.db.CreateUser(t.Context(), store.NewUser{Email: "assignee@example.org", PasswordHash: "unused", Role: tarjuma.RoleReviewer}); err != nil {
			t.Fatal(err)
		}
		// The role tokens act for no user, so what a non-admin may do with a token, a password
		// or sessions is never another's: the desk refuses it after the route let them in.
		notTheirs := func(status int) map[tarjuma.Role]int {
			return map[tarjuma.Role]int{tarjuma.RoleEditor: status, tarjuma.RoleTranslator: status, tarjuma.RoleReviewer: status}
		}

		type authRoute struct {
			pattern string
			path    func() string
			body    func() string
			allowed []tarjuma.Role
			ok      int // the status of an allowed call
		}
		routes := []authRoute{
			{"POST /api/v1/articles", fixed("/api/v1/articles"), func() string { seq++; return jsonOf(t, shortArticle(seq)) }, writers, http.StatusAccepted},
			{"GET /api/v1/articles", fixed("/api/v1/articles"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/articles/{id}", fixed(article), fixed(""), readers, http.StatusOK},
			{"PUT /api/v1/articles/{id}", fixed(article), fixed(edit), writers, http.StatusOK},
			{"GET /api/v1/articles/{id}/usage", fixed(article + "/usage"), fixed(""), readers, http.StatusOK},
			// Each call withdraws an article of its own, so the other rows keep theirs.
			{"POST /api/v1/articles/{id}/withdraw", func() string {
				seq++
				return fmt.Sprintf("/api/v1/articles/%d/withdraw", e.submit(t, shortArticle(1000+seq)).ID)
			}, fixed(`{"reason": "иск"}`), writers, http.StatusOK},
			{"PUT /api/v1/articles/{id}/embargo", fixed(article + "/embargo"), fixed(`{"embargo_until": "2099-01-01T00:00:00Z"}`), writers, http.StatusOK},
			{"DELETE /api/v1/articles/{id}/embargo", fixed(article + "/embargo"), fixed(""), writers, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}", fixed(article + "/translations/tg"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/versions", fixed(article + "/translations/tg/versions"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/versions/{n}", fixed(article + "/translations/tg/versions/1"), fixed(""), readers, http.StatusOK},
			// A translator's token that acts for no user has no languages, so it may edit none.
			{"POST /api/v1/articles/{id}/translations/{lang}/versions", fixed(article + "/translations/tg/versions"), saveBody, reviewers, http.StatusCreated},
			{"POST /api/v1/articles/{id}/translations/{lang}/approve", fixed(article + "/translations/tg/approve"), approveBody, reviewers, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/reject", fixed(article + "/translations/tg/reject"), rejectBody, reviewers, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/events", fixed(article + "/translations/tg/events"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/versions/{n}/segments/{segment}/dismissals", flaggedDraft,
				func() string {
					return fmt.Sprintf(`{"kind": "number_extra", "args": ["%d"], "reason": "auth table"}`, flagged)
				}, reviewers, http.StatusCreated},
			{"POST /api/v1/articles/{id}/translations/{lang}/versions/{n}/revert", revertPath, revertBody, reviewers, http.StatusCreated},
			{"GET /api/v1/glossary/terms", fixed("/api/v1/glossary/terms"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/glossary/terms", fixed("/api/v1/glossary/terms"), func() string { seq++; return jsonOf(t, newTermJSON(testTerm(fmt.Sprintf("new-%d", seq), seq))) }, admins, http.StatusCreated},
			{"GET /api/v1/glossary/terms/{id}", fixed("/api/v1/glossary/terms/" + existing), fixed(""), readers, http.StatusOK},
			{"PUT /api/v1/glossary/terms/{id}", fixed("/api/v1/glossary/terms/" + existing), func() string { seq++; return jsonOf(t, newTermJSON(testTerm(existing, seq))) }, admins, http.StatusOK},
			{"DELETE /api/v1/glossary/terms/{id}", func() string { return "/api/v1/glossary/terms/" + newTerm() }, fixed(""), admins, http.StatusOK},
			{"POST /api/v1/glossary/import", fixed("/api/v1/glossary/import"), fixed(""), admins, http.StatusUnsupportedMediaType},
			{"GET /api/v1/glossary/export", fixed("/api/v1/glossary/export"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/users", fixed("/api/v1/users"), func() string {
				seq++
				return jsonOf(t, map[string]any{"email": fmt.Sprintf("user-%d@example.org", seq), "password": "long-enough-password", "role": "editor"})
			}, admins, http.StatusCreated},
			{"POST /api/v1/tokens", fixed("/api/v1/tokens"), fixed(`{"role": "editor", "name": "bot"}`), admins, http.StatusCreated},
			{"POST /api/v1/subscribers", fixed("/api/v1/subscribers"), fixed(subscriberBody), admins, http.StatusCreated},
			{"GET /api/v1/subscribers", fixed("/api/v1/subscribers"), fixed(""), admins, http.StatusOK},
			{"DELETE /api/v1/subscribers/{id}", func() string { return "/api/v1/subscribers/" + newSubscriber() }, fixed(""), admins, http.StatusNoContent},
			{"POST /api/v1/subscribers/{id}/rotate", func() string { return "/api/v1/subscribers/" + newSubscriber() + "/rotate" }, fixed(""), admins, http.StatusOK},
			{"POST /api/v1/subscribers/{id}/enable", func() string { return "/api/v1/subscribers/" + newSubscriber() + "/enable" }, fixed(""), admins, http.StatusOK},
			{"POST /api/v1/subscribers/{id}/disable", func() string { return "/api/v1/subscribers/" + newSubscriber() + "/disable" }, fixed(""), admins, http.StatusOK},
			// The test's ping is refused at dial time (a loopback address): no network needed.
			{"POST /api/v1/subscribers/{id}/test", func() string { return "/api/v1/subscribers/" + newSubscriberAt("http://127.0.0.1:9/hook") + "/test" }, fixed(""), admins, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/deliveries", fixed(article + "/translations/en/deliveries"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/deliveries/{id}/redeliver", fixed("/api/v1/deliveries/1/redeliver"), fixed(""), admins, http.StatusAccepted},
			{"GET /api/v1/published", fixed("/api/v1/published"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/tokens", fixed("/api/v1/tokens"), fixed(""), readers, http.StatusOK},
			{"DELETE /api/v1/tokens/{id}", func() string { return "/api/v1/tokens/" + newToken() }, fixed(""), readers, http.StatusNoContent},
			{"POST /api/v1/users/{id}/disable", func() string { return "/api/v1/users/" + newUser() + "/disable" }, fixed(""), admins, http.StatusOK},
			{"POST /api/v1/users/{id}/enable", fixed("/api/v1/users/" + someone + "/enable"), fixed(""), admins, http.StatusOK},
			{"POST /api/v1/users/{id}/password", fixed("/api/v1/users/" + someone + "/password"), fixed(`{"password": "long-enough-password"}`), readers, http.StatusNoContent},
			{"POST /api/v1/sessions/revoke", fixed("/api/v1/sessions/revoke"), fixed(`{"user": ` + someone + `}`), readers, http.StatusOK},
			{"POST /api/v1/memory/import", fixed("/api/v1/memory/import"), fixed(""), admins, http.StatusUnsupportedMediaType},
			{"GET /api/v1/memory/export", fixed("/api/v1/memory/export?format=tmx"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/memory/search", fixed("/api/v1/memory/search?q=%D9%82%D9%85%D8%A9"), fixed(""), readers, http.StatusOK},
			{"GET /api/v1/articles/{id}/translations/{lang}/segments/{segment}/suggestions", fixed(article + "/translations/tg/segments/title/suggestions"), fixed(""), readers, http.StatusOK},
			// Checking a text is for who may save it, as saving is.
			{"POST /api/v1/articles/{id}/translations/{lang}/segments/{segment}/check", fixed(article + "/translations/tg/segments/title/check"), fixed(`{"text": "Саммит"}`), reviewers, http.StatusOK},
			// Comments and assignment. The role tokens act for no user: a translator's has no
			// languages to comment on, and none holds work to claim or release.
			{"GET /api/v1/articles/{id}/translations/{lang}/comments", fixed(article + "/translations/tg/comments"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/comments", fixed(article + "/translations/tg/comments"),
				fixed(`{"segment": "p1.s1", "body": "تعليق"}`), []tarjuma.Role{tarjuma.RoleAdmin, tarjuma.RoleEditor, tarjuma.RoleReviewer}, http.StatusCreated},
			{"GET /api/v1/articles/{id}/translations/{lang}/assignment", fixed(article + "/translations/tg/assignment"), fixed(""), readers, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/claim", fixed(article + "/translations/tg/claim"), fixed(""), []tarjuma.Role{}, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/assign", fixed(article + "/translations/tg/assign"), fixed(`{"user": "assignee@example.org"}`), writers, http.StatusOK},
			{"POST /api/v1/articles/{id}/translations/{lang}/release", fixed(article + "/translations/tg/release"), fixed(""), writers, http.StatusNoContent},
		}
		// okFor is the status of an allowed call by some roles, where it differs from the route's ok.
		okFor := map[string]map[tarjuma.Role]int{
			"DELETE /api/v1/tokens/{id}":       notTheirs(http.StatusNotFound),
			"POST /api/v1/users/{id}/password": notTheirs(http.StatusForbidden),
			"POST /api/v1/sessions/revoke":     notTheirs(http.StatusForbidden),
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
					path, body := rt.path(), rt.body()
					before, terms := e.storedArticles(t), e.glossaryVersion(t)
					rec := do(t, e.srv, strings.Fields(rt.pattern)[0], path, c.auth, body)
					switch {
					case c.role == "":
						wantError(t, rec, http.StatusUnauthorized, "unauthorized", "")
						if h := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
							t.Errorf("WWW-Authenticate %q, want a Bearer challenge", h)
						}
					case !slices.Contains(rt.allowed, c.role):
						wantError(t, rec, http.StatusForbidden, "forbidden", string(c.role))
					default:
						want := rt.ok
						if status, ok := okFor[rt.pattern][c.role]; ok {
							want = status
						}
						if rec.Code != want {
							t.Errorf("status %d, want %d: %s", rec.Code, want, rec.Body)
						}
						return
					}
					if after := e.storedArticles(t); after != before {
						t.Errorf("refused request stored %d articles", after-before)
					}
					if after := e.glossaryVersion(t); after != terms {
						t.Errorf("refused request changed the glossary from version %d to %d", terms, after)
					}
				})
			}
		}
	})
}

func TestDevTokenOffByDefault(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		srv := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker})})
		wantError(t, do(t, srv, "GET", "/api/v1/articles", bearer(testDevToken), ""), http.StatusUnauthorized, "unauthorized", "")
	})
}
