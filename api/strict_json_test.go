package api

import (
	"testing"

	"github.com/tarjuma/tarjuma"
)

func TestStrictJSON(t *testing.T) {
	ok := shortArticle(0)
	title, body := ok["title"].(string), "نص الخبر عن القمة."
	valid := jsonOf(t, ok)
	cases := []struct {
		name, body, contentType string
		status                  int
		code, message           string
	}{
		{"duplicate key", `{"title":"a","title":"` + title + `","body":"` + body + `"}`, "", 400, "duplicate_key", `key "title" appears twice`},
		{"keys differing in case", `{"title":"a","Title":"` + title + `","body":"` + body + `"}`, "", 400, "duplicate_key", `keys "title" and "Title" differ only in case`},
		{"upper-case duplicate", `{"TITLE":"` + title + `","body":"` + body + `","Body":"b"}`, "", 400, "duplicate_key", `"body" and "Body"`},
		{"duplicate after an array", `{"title":"` + title + `","body":"` + body + `","target_langs":["tg"],"priority":"default","external_id":"x","external_id":"y"}`, "", 400, "duplicate_key", "external_id"},
		{"text/plain", valid, "text/plain", 415, "unsupported_media_type", "text/plain"},
		{"form", valid, "application/x-www-form-urlencoded", 415, "unsupported_media_type", ""},
		{"JSON in another charset", valid, "application/json; charset=utf-16", 415, "unsupported_media_type", "utf-16"},
		{"malformed Content-Type", valid, "application/json; charset", 415, "unsupported_media_type", ""},
	}
	eachDB(t, func(t *testing.T, e *testEnv) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var header []string
				if tc.contentType != "" {
					header = []string{"Content-Type", tc.contentType}
				}
				rec := e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", tc.body, header...)
				wantError(t, rec, tc.status, tc.code, tc.message)
				e.wantStored(t, 0)
			})
		}
		// What stays accepted: no Content-Type, JSON with its charset, and the same key in
		// two different objects.
		for i, ct := range []string{"", "application/json", "application/json; charset=utf-8", "Application/JSON; Charset=UTF-8"} {
			var header []string
			if ct != "" {
				header = []string{"Content-Type", ct}
			}
			e.submit(t, shortArticle(i+1), header...)
		}
		e.wantStored(t, 4)
		// Other JSON doors apply the same reading.
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/users", `{"email":"a@b.test","email":"c@d.test","password":"correct horse battery staple","role":"editor"}`), 400, "duplicate_key", "email")
		wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", `{"url":"https://example.com/hook"}`, "Content-Type", "text/plain"), 415, "unsupported_media_type", "")
	})
}

func TestDuplicateKeyWalk(t *testing.T) {
	for _, tc := range []struct {
		body string
		dup  bool
	}{
		{`{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, false},
		{`{"a":{"x":1,"x":2}}`, true},
		{`[{"a":1},{"a":1,"A":2}]`, true},
		{`{"a":[1,{"b":2}],"b":3}`, false},
		{`{"a":[1,{"b":2}],"a":3}`, true},
		{`{"Президент":{},"президент":{}}`, false}, // map keys outside ASCII are compared exactly
		{`{"ключ":1,"ключ":2}`, true},
		{`{"a":{}}{"a":1}`, false}, // two values: the decoder refuses it, not this walk
		{`{"a":`, false},
	} {
		err := duplicateKey([]byte(tc.body))
		if (err != nil) != tc.dup {
			t.Errorf("duplicateKey(%s) = %v, want duplicate %v", tc.body, err, tc.dup)
		}
	}
}
