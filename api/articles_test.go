package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
)

func TestCreateArticleRoundTrip(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		title, body := sample(t)
		// Quoted Tajik and Russian names and markup characters must survive byte for byte too.
		body += "\n«Эмомалӣ Раҳмон» ғ ӣ қ ӯ ҳ ҷ — «Президент Таджикистана» <b>&</b>"
		rec := e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, map[string]any{"title": title, "body": body}))
		created := decode[articleJSON](t, rec, http.StatusAccepted)
		if created.ID <= 0 || created.Revision != 1 || created.Priority != tarjuma.PriorityDefault {
			t.Errorf("created %+v, want an id, revision 1 and priority default", created)
		}
		if want := fmt.Sprintf("/api/v1/articles/%d", created.ID); rec.Header().Get("Location") != want {
			t.Errorf("Location %q, want %q", rec.Header().Get("Location"), want)
		}
		if got, want := created.CreatedBy, "editor-token"; got != want {
			t.Errorf("created_by %q, want %q", got, want)
		}
		var langs []tarjuma.Lang
		for _, tr := range created.Translations {
			langs = append(langs, tr.Lang)
			if tr.Status != tarjuma.StatusQueued || tr.SourceRevision != 1 || tr.LatestVersion != 0 {
				t.Errorf("translation %+v, want queued for revision 1 without versions", tr)
			}
		}
		if !slices.Equal(langs, tarjuma.TargetLangs()) || !slices.Equal(created.TargetLangs, tarjuma.TargetLangs()) {
			t.Errorf("languages %v / %v, want %v", langs, created.TargetLangs, tarjuma.TargetLangs())
		}
		if n := e.waker.n.Load(); n != 1 {
			t.Errorf("Wake called %d times, want 1", n)
		}

		rec = e.as(t, tarjuma.RoleTranslator, "GET", fmt.Sprintf("/api/v1/articles/%d", created.ID), "")
		got := decode[articleJSON](t, rec, http.StatusOK)
		if got.Title != title || got.Body != body {
			t.Errorf("read back differs:\n%s", cmp.Diff(title+"\n"+body, got.Title+"\n"+got.Body))
		}
		raw := rec.Body.String()
		for _, literal := range []string{title, "ғ ӣ қ ӯ ҳ ҷ", "<b>&</b>"} {
			if !strings.Contains(raw, literal) {
				t.Errorf("response does not carry %q unescaped", literal)
			}
		}
		if !cmp.Equal(got.Translations, created.Translations) {
			t.Errorf("translations differ: %s", cmp.Diff(created.Translations, got.Translations))
		}
	})
}

func TestCreateArticleOptions(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		req := shortArticle(0)
		req["target_langs"] = []string{"ru", "tg"}
		req["priority"] = "urgent"
		req["external_id"] = "wire-1"
		got := e.submit(t, req)
		if !slices.Equal(got.TargetLangs, []tarjuma.Lang{"ru", "tg"}) || got.Priority != tarjuma.PriorityUrgent || got.ExternalID != "wire-1" {
			t.Errorf("got %+v, want target_langs [ru tg], priority urgent and the external id", got)
		}
		if len(got.Translations) != 2 {
			t.Errorf("%d translations, want 2", len(got.Translations))
		}
	})
}

func TestCreateArticleDuplicates(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		post := func(req map[string]any, header ...string) (articleJSON, int) {
			rec := e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, req), header...)
			if rec.Code != http.StatusOK && rec.Code != http.StatusAccepted {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			return decode[articleJSON](t, rec, rec.Code), rec.Code
		}

		withID := shortArticle(1)
		withID["external_id"] = "wire-7"
		first, status := post(withID)
		if status != http.StatusAccepted {
			t.Errorf("first submission: status %d, want 202", status)
		}
		edited := shortArticle(2) // the wire resent with a corrected title: still the same article
		edited["external_id"] = "wire-7"
		again, status := post(edited)
		if status != http.StatusOK || again.ID != first.ID || again.Title != first.Title {
			t.Errorf("same external_id: status %d, article %d %q; want 200 and article %d %q", status, again.ID, again.Title, first.ID, first.Title)
		}

		key := []string{"Idempotency-Key", "key-1"}
		keyed, status := post(shortArticle(3), key...)
		if status != http.StatusAccepted {
			t.Errorf("first keyed submission: status %d, want 202", status)
		}
		replay, status := post(shortArticle(3), key...)
		if status != http.StatusOK || replay.ID != keyed.ID {
			t.Errorf("replayed key: status %d, article %d; want 200 and article %d", status, replay.ID, keyed.ID)
		}
		rec := e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", jsonOf(t, shortArticle(4)), key...)
		wantError(t, rec, http.StatusUnprocessableEntity, "idempotency_mismatch", "Idempotency-Key")

		e.wantStored(t, 2)
		if n := e.waker.n.Load(); n != 2 {
			t.Errorf("Wake called %d times, want 2 (once per created article)", n)
		}
	})
}

func TestCreateArticleRejected(t *testing.T) {
	ok := shortArticle(0)
	with := func(field string, value any) string {
		req := map[string]any{"title": ok["title"], "body": ok["body"]}
		req[field] = value
		return jsonOf(t, req)
	}
	valid := with("priority", "default")
	cases := []struct {
		name    string
		body    string
		header  []string
		status  int
		code    string
		message string
	}{
		{"truncated JSON", `{"title": "قمة`, nil, 400, "invalid_json", ""},
		{"not an object", `["قمة"]`, nil, 400, "invalid_json", ""},
		{"empty request", ``, nil, 400, "invalid_json", ""},
		{"two JSON values", valid + valid, nil, 400, "invalid_json", "after the JSON value"},
		{"invalid UTF-8", strings.Replace(valid, "قمة", "\xd9\xff\xfe", 1), nil, 400, "invalid_utf8", "UTF-8"},
		{"lone high surrogate escape", strings.Replace(valid, "قمة", `قمة \ud800`, 1), nil, 400, "invalid_utf8", `unpaired UTF-16 surrogate escape (\ud800)`},
		{"lone low surrogate escape", strings.Replace(valid, "قمة", `\udc00قمة`, 1), nil, 400, "invalid_utf8", `(\udc00)`},
		{"unknown field", with("bdy", "نص"), nil, 400, "invalid_json", `"bdy"`},
		{"wrong type", with("title", 5), nil, 400, "invalid_json", `"title"`},
		{"missing title", `{"body": "نص الخبر"}`, nil, 422, "empty_field", "title"},
		{"blank title", with("title", " \n\t\u00a0"), nil, 422, "empty_field", "title"},
		{"blank body", with("body", "\r\n  "), nil, 422, "empty_field", "body"},
		{"NUL in body", with("body", "نص\x00الخبر"), nil, 400, "invalid_text", "body"},
		{"NUL in title", with("title", "قمة\x00دول"), nil, 400, "invalid_text", "title contains a NUL character"},
		{"NUL in external_id", with("external_id", "a\x00b"), nil, 400, "invalid_text", "external_id"},
		{"invisible title", with("title", "\u200b\u0640\u064b"), nil, 422, "empty_field", "title"},
		{"bidi marks and diacritics as body", with("body", "\u200f\u202b\u064e\u0651\u00a0\ufeff"), nil, 422, "empty_field", "body"},
		{"raw invalid UTF-8 in title", "{\"title\": \"قمة \xff\xfe\", \"body\": \"نص\"}", nil, 400, "invalid_utf8", "not valid UTF-8 (byte 18)"},
		{"unknown language", with("target_langs", []string{"fr"}), nil, 422, "invalid_lang", `"fr"`},
		{"source language as target", with("target_langs", []string{"ar"}), nil, 422, "invalid_lang", `"ar"`},
		{"language twice", with("target_langs", []string{"tg", "tg"}), nil, 422, "invalid_lang", "twice"},
		{"no languages", with("target_langs", []string{}), nil, 422, "invalid_lang", "at least one"},
		{"unknown priority", with("priority", "asap"), nil, 422, "invalid_priority", `"asap"`},
		{"long external_id", with("external_id", strings.Repeat("x", 256)), nil, 422, "invalid_external_id", "255"},
		{"Idempotency-Key with a space", valid, []string{"Idempotency-Key", "a b"}, 400, "invalid_idempotency_key", ""},
		{"Russian article", jsonOf(t, map[string]any{
			"title": "Президент Таджикистана принял участие в саммите",
			"body":  "Глава государства выступил на консультативной встрече глав государств Центральной Азии.",
		}), nil, 422, "not_arabic", "found mostly Cyrillic (100% of letters)"},
		{"mostly Cyrillic", jsonOf(t, map[string]any{
			"title": strings.Repeat("ب", 8),
			"body":  strings.Repeat("Д", 92),
		}), nil, 422, "not_arabic", "source must be Arabic script; found mostly Cyrillic (92% of letters)"},
		{"English article", jsonOf(t, map[string]any{
			"title": "Tajik president attends Central Asian summit",
			"body":  "The head of state spoke at the fourth consultative meeting.",
		}), nil, 422, "not_arabic", "found mostly Latin"},
		{"no letters", jsonOf(t, map[string]any{"title": "2024", "body": "١٢٣ - 45%"}), nil, 422, "not_arabic", "found no letters"},
		{"over the size limit", with("body", strings.Repeat("خبر ", testMaxBody/7)), nil, 413, "body_too_large", fmt.Sprint(testMaxBody)},
	}
	eachDB(t, func(t *testing.T, e *testEnv) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rec := e.as(t, tarjuma.RoleEditor, "POST", "/api/v1/articles", tc.body, tc.header...)
				wantError(t, rec, tc.status, tc.code, tc.message)
				e.wantStored(t, 0)
			})
		}
		if n := e.waker.n.Load(); n != 0 {
			t.Errorf("Wake called %d times, want 0", n)
		}
	})
}

func TestUpdateArticle(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		title, body := sample(t)
		a := e.submit(t, map[string]any{"title": title, "body": body})
		path := fmt.Sprintf("/api/v1/articles/%d", a.ID)
		// A finished draft must be queued again when its source changes.
		saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, title)

		newBody := body + "\nوأكد الرئيس أهمية التعاون الإقليمي."
		rec := e.as(t, tarjuma.RoleEditor, "PUT", path, jsonOf(t, map[string]any{"title": title, "body": newBody}))
		got := decode[articleJSON](t, rec, http.StatusOK)
		if got.Revision != 2 || got.Body != newBody || got.Title != title {
			t.Errorf("after PUT: revision %d, want 2 with the new body", got.Revision)
		}
		for _, tr := range got.Translations {
			if tr.Status != tarjuma.StatusQueued || tr.SourceRevision != 2 {
				t.Errorf("translation %s: %s for revision %d, want queued for revision 2", tr.Lang, tr.Status, tr.SourceRevision)
			}
		}
		if n := e.waker.n.Load(); n != 2 {
			t.Errorf("Wake called %d times, want 2 (submit and edit)", n)
		}
		rev1, err := e.db.SourceRevision(ctx, a.ID, 1)
		if err != nil || rev1.Body != body {
			t.Errorf("revision 1 changed or is gone (err %v)", err)
		}
		reread := decode[articleJSON](t, e.as(t, tarjuma.RoleReviewer, "GET", path, ""), http.StatusOK)
		if reread.Body != newBody || reread.Revision != 2 {
			t.Errorf("GET after PUT: revision %d, body changed %v", reread.Revision, reread.Body != newBody)
		}

		unchanged := decode[articleJSON](t, e.as(t, tarjuma.RoleAdmin, "PUT", path, jsonOf(t, map[string]any{"title": title, "body": newBody})), http.StatusOK)
		if unchanged.Revision != 2 {
			t.Errorf("unchanged PUT made revision %d, want 2", unchanged.Revision)
		}

		for _, tc := range []struct {
			name, path, body string
			status           int
			code             string
		}{
			{"not Arabic", path, jsonOf(t, map[string]any{"title": "Заголовок", "body": "Текст статьи"}), 422, "not_arabic"},
			{"blank body", path, jsonOf(t, map[string]any{"title": title, "body": " "}), 422, "empty_field"},
			{"unknown field", path, jsonOf(t, map[string]any{"title": title, "body": body, "priority": "urgent"}), 400, "invalid_json"},
			{"invalid UTF-8", path, `{"title": "` + "\xff" + `", "body": "نص"}`, 400, "invalid_utf8"},
			{"no such article", "/api/v1/articles/987654321", jsonOf(t, map[string]any{"title": title, "body": body}), 404, "not_found"},
			{"id not a number", "/api/v1/articles/abc", jsonOf(t, map[string]any{"title": title, "body": body}), 404, "not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleEditor, "PUT", tc.path, tc.body), tc.status, tc.code, "")
				if cur, err := e.db.Article(ctx, a.ID); err != nil || cur.Revision != 2 {
					t.Errorf("article now at revision %d (err %v), want 2", cur.Revision, err)
				}
			})
		}
	})
}

func TestListArticles(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		var ids []int64 // oldest first
		for i := range 5 {
			req := shortArticle(i)
			if i == 4 {
				req["target_langs"] = []string{"en"}
			}
			ids = append(ids, e.submit(t, req).ID)
		}
		saveMachineVersion(t, e.db, ids[2], tarjuma.Tajik, 1, "عنوان")
		newestFirst := slices.Clone(ids)
		slices.Reverse(newestFirst)

		// pages follows next_cursor, two articles a page, and returns the ids and page sizes.
		pages := func(query string) (got []int64, sizes []int) {
			cursor := ""
			for range 10 {
				page := decode[articleListJSON](t, e.as(t, tarjuma.RoleTranslator, "GET", "/api/v1/articles?limit=2"+query+cursor, ""), http.StatusOK)
				sizes = append(sizes, len(page.Articles))
				for _, a := range page.Articles {
					got = append(got, a.ID)
					if a.Body != "" {
						t.Errorf("list item %d carries its body", a.ID)
					}
				}
				if page.NextCursor == nil {
					return got, sizes
				}
				cursor = "&cursor=" + *page.NextCursor
			}
			t.Fatal("pagination does not end")
			return nil, nil
		}
		for _, tc := range []struct {
			query string
			want  []int64
			sizes []int
		}{
			{"", newestFirst, []int{2, 2, 1}},
			{"&lang=tg", []int64{ids[3], ids[2], ids[1], ids[0]}, []int{2, 2}},
			{"&status=needs_review", []int64{ids[2]}, []int{1}},
			{"&status=queued&lang=tg", []int64{ids[3], ids[1], ids[0]}, []int{2, 1}},
			{"&status=queued&lang=en", newestFirst, []int{2, 2, 1}},
			{"&status=published", nil, []int{0}},
		} {
			got, sizes := pages(tc.query)
			if !slices.Equal(got, tc.want) || !slices.Equal(sizes, tc.sizes) {
				t.Errorf("list%s: %v in pages of %v, want %v in pages of %v", tc.query, got, sizes, tc.want, tc.sizes)
			}
		}

		all := decode[articleListJSON](t, e.as(t, tarjuma.RoleEditor, "GET", "/api/v1/articles", ""), http.StatusOK)
		if len(all.Articles) != 5 || all.NextCursor != nil {
			t.Errorf("default page: %d articles, next_cursor %v; want all 5 and no cursor", len(all.Articles), all.NextCursor)
		} else if tr := all.Articles[0].Translations; len(tr) != 1 || tr[0].Lang != tarjuma.English {
			t.Errorf("newest article's translations %+v, want just en", tr)
		}

		for _, query := range []string{
			"status=done", "lang=ar", "limit=0", "limit=101", "limit=ten",
			"cursor=%21%21", "cursor=" + encodeCursor(-3), "cursor=" + encodeCursor(0),
		} {
			t.Run(query, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleEditor, "GET", "/api/v1/articles?"+query, ""), http.StatusBadRequest, "invalid_parameter", "")
			})
		}
	})
}

// saveMachineVersion stores what a worker would: version 1 of a translation with a title
// segment and two body segments.
func saveMachineVersion(t *testing.T, db *store.DB, articleID int64, lang tarjuma.Lang, rev int, title string) tarjuma.Version {
	t.Helper()
	ctx := t.Context()
	if _, _, err := db.StartTranslating(ctx, articleID, lang, rev); err != nil {
		t.Fatalf("start translating: %v", err)
	}
	v, _, err := db.SaveMachineVersion(ctx, tarjuma.Version{
		ArticleID:      articleID,
		Lang:           lang,
		SourceRevision: rev,
		Author:         tarjuma.MachineAuthor,
		Machine:        true,
		Segments: []tarjuma.Segment{
			{ID: tarjuma.TitleSegmentID, Source: title, Text: "Президенти Тоҷикистон: ғ ӣ қ ӯ ҳ ҷ", Origin: tarjuma.OriginMemory},
			{ID: "p1.s1", Source: "شارك الرئيس.", Text: "Президент принял участие.", Origin: tarjuma.MachineOrigin("stub")},
			{ID: "p1.s2", Source: "وتحدث عن التعاون.", Text: "وتحدث عن التعاون.", Origin: tarjuma.OriginUntranslated},
		},
	})
	if err != nil {
		t.Fatalf("save machine version: %v", err)
	}
	return v
}

// fixtureOverride approves saveMachineVersion's versions, whose untranslated p1.s2 is an open
// issue, where the approval is not what is under test.
var fixtureOverride = &store.Override{Reason: "test fixture: p1.s2 is left untranslated"}
