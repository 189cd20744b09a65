package api

import (
	"net/http"
	"testing"

	"github.com/tarjuma/tarjuma"
)

// Comments and the assignment through the API: what is posted reads back the same, byte for
// byte, with its thread and mentions; an unknown mention and a role token's claim are refused.
func TestCommentsAPI(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		_, path := reviewDraft(t, e)
		tg := e.userToken(t, "nigora@desk.tj", tarjuma.RoleTranslator, tarjuma.Tajik)
		e.userToken(t, "rustam@desk.tj", tarjuma.RoleReviewer)
		body := "@rustam ١٥ ё 16? «Душанбе» — Москва"
		c := decode[commentJSON](t, do(t, e.srv, "POST", path+"/comments", tg, jsonOf(t, map[string]any{"segment": "p1.s1", "body": body})), http.StatusCreated)
		if c.Body != body || c.Kind != "comment" || c.Author != "nigora@desk.tj" || len(c.Mentions) != 1 || c.Mentions[0] != "rustam@desk.tj" || c.Version != 1 {
			t.Errorf("created %+v", c)
		}
		r := decode[commentJSON](t, do(t, e.srv, "POST", path+"/comments", tg, jsonOf(t, map[string]any{"segment": "p1.s1", "reply_to": c.ID, "body": "Ҳа."})), http.StatusCreated)
		if r.ReplyTo != c.ID {
			t.Errorf("reply to %d, want %d", r.ReplyTo, c.ID)
		}
		wantError(t, do(t, e.srv, "POST", path+"/comments", tg, jsonOf(t, map[string]any{"segment": "p1.s1", "body": "@nobody"})),
			http.StatusUnprocessableEntity, "unknown_mention", "@nobody")
		list := decode[commentListJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/comments", ""), http.StatusOK)
		if len(list.Comments) != 2 || list.Comments[0].Body != body || list.Comments[1].ReplyTo != c.ID {
			t.Errorf("listed %+v", list.Comments)
		}
		if rec := e.as(t, tarjuma.RoleEditor, "GET", "/api/v1/articles/999/translations/tg/comments", ""); rec.Code != http.StatusNotFound {
			t.Errorf("comments of no translation: %d", rec.Code)
		}

		if a := decode[assignmentJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/assignment", ""), http.StatusOK); a.User != nil {
			t.Errorf("assignment before any: %+v", a)
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/claim", ""), http.StatusForbidden, "forbidden", "")
		if a := decode[assignmentJSON](t, do(t, e.srv, "POST", path+"/claim", tg, ""), http.StatusOK); a.User == nil || *a.User != "nigora@desk.tj" || !a.Claimed {
			t.Errorf("claim: %+v", a)
		}
		wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path+"/assign", `{"user": "editor@nowhere.test"}`), http.StatusUnprocessableEntity, "unknown_user", "")
		if a := decode[assignmentJSON](t, e.as(t, tarjuma.RoleEditor, "POST", path+"/assign", `{"user": "rustam@desk.tj"}`), http.StatusOK); *a.User != "rustam@desk.tj" || a.Claimed {
			t.Errorf("assign: %+v", a)
		}
		if rec := e.as(t, tarjuma.RoleEditor, "POST", path+"/release", ""); rec.Code != http.StatusNoContent {
			t.Errorf("release: %d %s", rec.Code, rec.Body)
		}
		if a := decode[assignmentJSON](t, e.as(t, tarjuma.RoleEditor, "GET", path+"/assignment", ""), http.StatusOK); a.User != nil {
			t.Errorf("assignment after the release: %+v", a)
		}
	})
}
