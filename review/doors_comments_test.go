package review

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

// commentCases are the doors-agree cases of comments, rejection notes and assignment.
func commentCases() []doorCase {
	jsonOf := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	comment := func(name, who, segment, body, code, msg string) doorCase {
		return doorCase{name: name, who: who, code: code, msg: msg,
			apiReq: func(*fixture) (string, string, string) {
				return "POST", "/api/v1/articles/1/translations/tg/comments", jsonOf(map[string]any{"segment": segment, "body": body})
			},
			form: func(*fixture) (string, url.Values) {
				return "/review/1/tg/comments", url.Values{"segment": {segment}, "body": {body}}
			}}
	}
	post := func(name, who, action string, apiBody map[string]any, form url.Values, code, msg string) doorCase {
		return doorCase{name: name, who: who, code: code, msg: msg,
			apiReq: func(*fixture) (string, string, string) {
				body := ""
				if apiBody != nil {
					body = jsonOf(apiBody)
				}
				return "POST", "/api/v1/articles/1/translations/tg/" + action, body
			},
			form: func(*fixture) (string, url.Values) { return "/review/1/tg/" + action, form }}
	}
	claimed := func(t *testing.T, f *fixture) {
		if _, err := f.db.Assign(context.Background(), storeClaim(f, "translator")); err != nil {
			t.Fatal(err)
		}
	}
	withSetup := func(c doorCase, setup func(*testing.T, *fixture)) doorCase { c.setup = setup; return c }
	return []doorCase{
		comment("comment with a mention", "translator", "p1.s1", "@reviewer ١٥ ё 16? Ҷавоб диҳед.", "", ""),
		comment("comment on the title by an editor", "editor", "title", "Сарлавҳа дуруст аст.", "", ""),
		comment("comment mentioning nobody", "translator", "p1.s1", "@nobody ١٥?", "unknown_mention", "comments.error_unknown_mention"),
		comment("comment without text", "translator", "p1.s1", "  ", "empty_field", "comments.error_empty"),
		comment("comment with a NUL", "translator", "p1.s1", "a\x00b", "invalid_text", "error.invalid"),
		comment("comment on another's language", "ru-only", "p1.s1", "Салом", "forbidden", "error.forbidden"),
		comment("comment on no segment", "translator", "p9.s9", "Салом", "not_found", "error.not_found"),
		post("claim", "translator", "claim", nil, url.Values{}, "", ""),
		post("claim another's language", "ru-only", "claim", nil, url.Values{}, "forbidden", "error.forbidden"),
		withSetup(post("claim a taken translation", "reviewer", "claim", nil, url.Values{}, "conflict", "assign.error_taken"), claimed),
		post("assign", "editor", "assign", map[string]any{"user": "tg@desk.test"}, url.Values{"user": {"tg@desk.test"}}, "", ""),
		post("assign to a user without the language", "editor", "assign", map[string]any{"user": "ru@desk.test"}, url.Values{"user": {"ru@desk.test"}},
			"not_assignable", "assign.error_not_assignable"),
		post("assign to nobody", "admin", "assign", map[string]any{"user": "who@desk.test"}, url.Values{"user": {"who@desk.test"}},
			"unknown_user", "assign.error_unknown_user"),
		post("assign as a translator", "translator", "assign", map[string]any{"user": "tg@desk.test"}, url.Values{"user": {"tg@desk.test"}},
			"forbidden", "error.forbidden"),
		withSetup(post("release one's own", "translator", "release", nil, url.Values{}, "", ""), claimed),
		withSetup(post("release another's", "reviewer", "release", nil, url.Values{}, "forbidden", "error.forbidden"), claimed),
		post("reject with segment notes", "reviewer", "reject",
			map[string]any{"version": 1, "comment": "Рақамҳоро санҷед.", "notes": []map[string]string{{"segment": "p1.s1", "body": "١٥ на 16."}}},
			url.Values{"version": {"1"}, "comment": {"Рақамҳоро санҷед."}, "note_segment": {"title", "p1.s1", "p1.s2"}, "note": {"", "١٥ на 16.", " "}}, "", ""),
	}
}

// storeClaim is a claim of the fixture's Tajik draft by one of its people.
func storeClaim(f *fixture, who string) store.Assignment {
	u := f.users[who]
	return store.Assignment{ArticleID: 1, Lang: tarjuma.Tajik, UserID: u.ID, Claimed: true, By: u.Email}
}
