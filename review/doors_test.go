package review

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/api"
	"github.com/tarjuma/tarjuma/auth"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/locale"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/store"
)

// doorCase is one desk action taken through both doors: the API request and the desk form
// that ask for the same thing, by the same person, on the same state.
type doorCase struct {
	name  string
	who   string
	setup func(t *testing.T, f *fixture) // on a fresh fixture, before the action
	// apiReq and form give the request through each door; they may read what setup made.
	apiReq func(f *fixture) (method, path, body string)
	form   func(f *fixture) (path string, form url.Values)
	code   string // the desk's refusal, as the API names it; "" for success
	// msg is the message id the page shows for the refusal; "" when the page lists a term
	// base's problems rather than one message.
	msg string
	// check, if set, looks at what stored does not show (passwords, sessions), on each door's
	// database after the action.
	check func(t *testing.T, f *fixture)
}

// TestDoorsAgree takes every action both doors offer, with valid input and with each kind of
// refusal, once through the API and once through the desk's forms, each on a fresh database:
// both must refuse with the same code (the API's code, the page's message for it, and one
// status class) or both succeed, and leave the same stored state behind.
func TestDoorsAgree(t *testing.T) {
	draft := draftSegments()
	body := func(edits map[string]string, drop bool) []map[string]string {
		var segs []map[string]string
		for _, s := range draft[1:] {
			text := s.Text
			if e, ok := edits[s.ID]; ok {
				text = e
			}
			segs = append(segs, map[string]string{"id": s.ID, "text": text})
		}
		if drop {
			segs = segs[1:]
		}
		return segs
	}
	jsonOf := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	article := func(title, bodyText, externalID, priority string, langs []string) func(*fixture) (string, string, string) {
		return func(*fixture) (string, string, string) {
			req := map[string]any{"title": title, "body": bodyText, "external_id": externalID, "priority": priority}
			if langs != nil {
				req["target_langs"] = langs
			}
			return "POST", "/api/v1/articles", jsonOf(req)
		}
	}
	submitForm := func(title, bodyText, externalID, priority string, langs []string) func(*fixture) (string, url.Values) {
		return func(*fixture) (string, url.Values) {
			return "/submit", url.Values{"title": {title}, "body": {bodyText}, "external_id": {externalID}, "priority": {priority},
				"lang": langs, "key": {"form-key"}}
		}
	}
	save := func(base int, edits map[string]string, drop bool) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				title := draft[0].Text
				if e, ok := edits[draft[0].ID]; ok {
					title = e
				}
				return "POST", "/api/v1/articles/1/translations/tg/versions",
					jsonOf(map[string]any{"base_version": base, "title": title, "segments": body(edits, drop)})
			}, func(*fixture) (string, url.Values) {
				segs := draft
				if drop {
					segs = append([]tarjuma.Segment{draft[0]}, draft[2:]...)
				}
				return "/review/1/tg", editForm(base, segs, edits)
			}
	}
	decide := func(action string, apiBody string, form url.Values) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", "/api/v1/articles/1/translations/tg/" + action, apiBody
			}, func(*fixture) (string, url.Values) {
				return "/review/1/tg/" + action, form
			}
	}
	saveAnother := func(t *testing.T, f *fixture) {
		segs := draftSegments()
		segs[0].Text = "Саммит дар Душанбе (таҳрир)"
		if _, err := f.db.SaveHumanVersion(context.Background(), store.HumanEdit{ArticleID: 1, Lang: tarjuma.Tajik, BaseVersion: 1,
			Segments: segs, Author: "reviewer@desk.test"}); err != nil {
			t.Fatal(err)
		}
	}
	subscriber := func(u, description string, langs []string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				if langs == nil {
					langs = []string{}
				}
				return "POST", "/api/v1/subscribers", jsonOf(map[string]any{"url": u, "langs": langs, "description": description})
			}, func(*fixture) (string, url.Values) {
				return "/subscribers", url.Values{"url": {u}, "lang": langs, "description": {description}}
			}
	}
	addSubscriber := func(t *testing.T, f *fixture) {
		if _, err := f.db.CreateSubscriber(context.Background(), publish.NewSubscriber{URL: receiverURL, Langs: []tarjuma.Lang{tarjuma.Tajik},
			Secret: "s", CreatedBy: "admin@desk.test"}); err != nil {
			t.Fatal(err)
		}
	}
	// channel adds a subscriber of a kind and payload at a public URL, in Tajik.
	channel := func(kind, payload string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", "/api/v1/subscribers", jsonOf(map[string]any{"kind": kind, "payload": payload, "url": "https://site.example/hook", "langs": []string{"tg"}})
			}, func(*fixture) (string, url.Values) {
				return "/subscribers", url.Values{"kind": {kind}, "payload": {payload}, "url": {"https://site.example/hook"}, "lang": {"tg"}}
			}
	}
	// channelWith is a WordPress or Telegram channel with its own fields, the same through
	// both doors (the API's JSON names are the form's).
	channelWith := func(fields map[string]string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				body := map[string]any{"langs": []string{"ru"}}
				for k, v := range fields {
					body[k] = v
				}
				return "POST", "/api/v1/subscribers", jsonOf(body)
			}, func(*fixture) (string, url.Values) {
				form := url.Values{"lang": {"ru"}}
				for k, v := range fields {
					form.Set(k, v)
				}
				return "/subscribers", form
			}
	}
	const botToken = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	// loopbackSubscriber is at an address the desk's sender refuses at dial time, so a test of
	// it fails at once, without a network, and alike through both doors.
	loopbackSubscriber := func(t *testing.T, f *fixture) {
		if _, err := f.db.CreateSubscriber(context.Background(), publish.NewSubscriber{URL: "http://127.0.0.1:9/hook",
			Langs: []tarjuma.Lang{tarjuma.Tajik}, Secret: publish.NewSecret(), CreatedBy: "admin@desk.test"}); err != nil {
			t.Fatal(err)
		}
	}
	// disabledSubscriber is addSubscriber's subscriber, disabled as by a 410 Gone.
	disabledSubscriber := func(t *testing.T, f *fixture) {
		addSubscriber(t, f)
		if _, err := f.db.DisableSubscriber(context.Background(), 1, publish.DisabledGone); err != nil {
			t.Fatal(err)
		}
	}
	// rowAction is the button of subscriber 1's row.
	rowAction := func(action string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", "/api/v1/subscribers/1/" + action, ""
			}, func(*fixture) (string, url.Values) {
				return "/subscribers/1/" + action, url.Values{}
			}
	}
	publishDraft := func(t *testing.T, f *fixture) { f.publishDraft(t) }
	// delivery is the one delivery publishDraft made, of article 2; 0 (which both doors
	// refuse, failing the case) if there is none.
	delivery := func(f *fixture) int64 {
		logs, err := f.db.Deliveries(context.Background(), 2, tarjuma.Tajik)
		if err != nil || len(logs) != 1 {
			return 0
		}
		return logs[0].ID
	}
	term := func(ar string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				t := map[string]any{"id": "samarqand", "kind": "place", "dnt": false, "targets": map[string]any{
					"tg": map[string]any{"preferred": "Самарқанд"}, "ru": map[string]any{"preferred": "Самарканд"}, "en": map[string]any{"preferred": "Samarkand"}}}
				if ar != "" {
					t["ar"] = []string{ar}
				}
				return "POST", "/api/v1/glossary/terms", jsonOf(t)
			}, func(*fixture) (string, url.Values) {
				return "/glossary", url.Values{"id": {"samarqand"}, "kind": {"place"}, "ar": {ar},
					"target_tg": {"Самарқанд"}, "target_ru": {"Самарканд"}, "target_en": {"Samarkand"}}
			}
	}
	// withdraw withdraws article 2, which publishDraft published, with a reason.
	withdraw := func(reason string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", "/api/v1/articles/2/withdraw", jsonOf(map[string]string{"reason": reason})
			}, func(*fixture) (string, url.Values) {
				return "/review/2/tg/withdraw", url.Values{"reason": {reason}}
			}
	}
	// embargo moves the embargo of article 2, which publishDraft published, to until; lift
	// lifts it instead.
	embargo := func(until string, lift bool) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				if lift {
					return "DELETE", "/api/v1/articles/2/embargo", ""
				}
				return "PUT", "/api/v1/articles/2/embargo", jsonOf(map[string]string{"embargo_until": until})
			}, func(*fixture) (string, url.Values) {
				if lift {
					return "/review/2/tg/embargo", url.Values{"embargo_until": {until}, "lift": {"1"}}
				}
				return "/review/2/tg/embargo", url.Values{"embargo_until": {until}}
			}
	}
	tomorrow := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	embargoed := func(t *testing.T, f *fixture) {
		publishDraft(t, f)
		if _, _, err := f.db.ChangeEmbargo(context.Background(), 2, tomorrow, "editor@desk.test"); err != nil {
			t.Fatal(err)
		}
	}
	withdrawn := func(t *testing.T, f *fixture) {
		publishDraft(t, f)
		if _, _, err := f.db.Withdraw(context.Background(), 2, "editor@desk.test", "Иск", nil); err != nil {
			t.Fatal(err)
		}
	}
	nextWeek := time.Now().Add(7 * 24 * time.Hour).UTC().Truncate(time.Second).Format(time.RFC3339)
	pair := func(a func(*fixture) (string, string, string), b func(*fixture) (string, url.Values)) doorCase {
		return doorCase{apiReq: a, form: b}
	}
	testRow := pair(rowAction("test"))
	with := func(c doorCase, name, who, code, msg string, setup func(*testing.T, *fixture)) doorCase {
		c.name, c.who, c.code, c.msg, c.setup = name, who, code, msg, setup
		return c
	}
	// confirmedVersion stores version 2: every segment translated and confirmed, p1.s1 still
	// with its number_extra 16 flag unless fixed; confirmed=false leaves p1.s1 a draft.
	confirmedVersion := func(fixed, confirmed bool) func(*testing.T, *fixture) {
		return func(t *testing.T, f *fixture) {
			segs := draftSegments()
			segs[2].Text, segs[3].Text = "15 ҳайат омаданд.", "Матн бе тарҷума."
			segs[2].Origin, segs[3].Origin = tarjuma.OriginHuman, tarjuma.OriginHuman
			if fixed {
				segs[1].Text, segs[1].Origin = "Роҳбарон соли 2024 дар Душанбе ҷамъ омаданд.", tarjuma.OriginHuman
			}
			for i := range segs {
				segs[i].Status = tarjuma.SegmentConfirmed
			}
			if !confirmed {
				segs[1].Status = tarjuma.SegmentDraft
			}
			if _, err := f.db.SaveHumanVersion(context.Background(), store.HumanEdit{ArticleID: 1, Lang: tarjuma.Tajik, BaseVersion: 1,
				Segments: segs, Author: "tg@desk.test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	dismissal := func(n int, segment, kind, arg, reason string) (func(*fixture) (string, string, string), func(*fixture) (string, url.Values)) {
		return func(*fixture) (string, string, string) {
				return "POST", fmt.Sprintf("/api/v1/articles/1/translations/tg/versions/%d/segments/%s/dismissals", n, segment),
					jsonOf(map[string]any{"kind": kind, "args": []string{arg}, "reason": reason})
			}, func(*fixture) (string, url.Values) {
				return fmt.Sprintf("/review/1/tg/versions/%d/segments/%s/dismissals", n, segment),
					url.Values{"kind": {kind}, "arg": {arg}, "reason": {reason}}
			}
	}
	// saveStatuses saves version 2's texts with title and p1.s1 confirmed, the rest drafts.
	saveStatuses := pair(func(*fixture) (string, string, string) {
		segs := body(nil, false)
		req := map[string]any{"base_version": 1, "title": draft[0].Text, "title_status": "confirmed"}
		var withStatus []map[string]any
		for _, sg := range segs {
			st := "draft"
			if sg["id"] == "p1.s1" {
				st = "confirmed"
			}
			withStatus = append(withStatus, map[string]any{"id": sg["id"], "text": sg["text"], "status": st})
		}
		req["segments"] = withStatus
		return "POST", "/api/v1/articles/1/translations/tg/versions", jsonOf(req)
	}, func(*fixture) (string, url.Values) {
		form := editForm(1, draft, nil)
		form.Set("statuses", "1")
		form["seg_confirmed"] = []string{"title", "p1.s1"}
		return "/review/1/tg", form
	})
	longID := strings.Repeat("x", desk.MaxExternalIDLen+1)
	cases := []doorCase{
		{name: "submit", who: "editor", apiReq: article(sourceTitle, sourceBody, "ext-1", "urgent", []string{"tg", "en"}),
			form: submitForm(sourceTitle, sourceBody, "ext-1", "urgent", []string{"tg", "en"})},
		{name: "submit not Arabic", who: "editor", apiReq: article("Hello", "This is English.", "", "default", nil),
			form: submitForm("Hello", "This is English.", "", "default", []string{"tg", "ru", "en"}), code: "not_arabic", msg: "submit.error_not_arabic"},
		{name: "submit empty title", who: "editor", apiReq: article(" ", sourceBody, "", "default", nil),
			form: submitForm(" ", sourceBody, "", "default", []string{"tg", "ru", "en"}), code: "empty_field", msg: "submit.error_title_empty"},
		{name: "submit no language", who: "editor", apiReq: article(sourceTitle, sourceBody, "", "default", []string{}),
			form: submitForm(sourceTitle, sourceBody, "", "default", nil), code: "invalid_lang", msg: "submit.error_langs"},
		{name: "submit unknown priority", who: "editor", apiReq: article(sourceTitle, sourceBody, "", "soon", nil),
			form: submitForm(sourceTitle, sourceBody, "", "soon", []string{"tg", "ru", "en"}), code: "invalid_priority", msg: "submit.error_priority"},
		{name: "submit long external id", who: "editor", apiReq: article(sourceTitle, sourceBody, longID, "default", nil),
			form: submitForm(sourceTitle, sourceBody, longID, "default", []string{"tg", "ru", "en"}), code: "invalid_external_id", msg: "submit.error_external_id"},
		with(pair(save(1, map[string]string{"title": "Саммити Душанбе"}, false)), "save", "translator", "", "", nil),
		with(pair(save(1, map[string]string{"title": "Саммити Душанбе"}, false)), "save on a stale base", "translator", "conflict", "editor.conflict", saveAnother),
		with(pair(save(1, map[string]string{"title": "Саммити Душанбе"}, false)), "save another's language", "ru-only", "forbidden", "error.forbidden", nil),
		with(pair(save(1, nil, true)), "save without a segment", "translator", "segments_mismatch", "error.invalid", nil),
		with(saveStatuses, "save with statuses", "translator", "", "", nil),
		with(pair(save(2, map[string]string{"p1.s2": "15 ҳайат омаданд.", "p2.s1": "Матн бе тарҷума."}, false)), "save without a change", "translator", "", "",
			confirmedVersion(false, true)),
		with(pair(decide("approve", `{"version": 2}`, url.Values{"version": {"2"}})), "approve with an unconfirmed segment", "reviewer", "open_issues", "editor.open_issues",
			confirmedVersion(true, false)),
		with(pair(decide("approve", `{"version": 2}`, url.Values{"version": {"2"}})), "approve with an open flag", "reviewer", "open_issues", "editor.open_issues",
			confirmedVersion(false, true)),
		with(pair(decide("approve", `{"version": 2}`, url.Values{"version": {"2"}})), "approve a confirmed clean version", "reviewer", "", "",
			confirmedVersion(true, true)),
		with(pair(dismissal(2, "p1.s1", "number_extra", "16", "ба ١٥ ҳайат мизбон илова шуд")), "dismiss a flag", "translator", "", "", confirmedVersion(false, true)),
		with(pair(dismissal(2, "p1.s1", "number_extra", "16", " ")), "dismiss a flag without a reason", "translator", "empty_field", "editor.dismiss_needs_reason",
			confirmedVersion(false, true)),
		with(pair(dismissal(1, "p1.s2", "empty", "", "x")), "dismiss an empty segment's flag", "translator", "not_dismissable", "error.invalid", nil),
		with(pair(dismissal(1, "p1.s1", "number_extra", "16", "x")), "dismiss a flag of a superseded version", "translator", "conflict", "editor.dismiss_conflict",
			confirmedVersion(false, true)),
		with(pair(decide("approve", `{"version": 1}`, url.Values{"version": {"1"}})), "approve with open issues", "reviewer", "open_issues", "editor.open_issues", nil),
		with(pair(decide("approve", `{"version": 1, "comment": "Хуб.", "override": {"reason": "the source has them too"}}`,
			url.Values{"version": {"1"}, "comment": {"Хуб."}, "override": {"1"}, "override_reason": {"the source has them too"}})), "approve over open issues", "reviewer", "", "", nil),
		with(pair(decide("approve", `{"version": 1, "override": {"reason": " "}}`,
			url.Values{"version": {"1"}, "override": {"1"}, "override_reason": {" "}})), "approve over open issues without a reason", "reviewer", "empty_field", "editor.override_needs_reason", nil),
		with(pair(decide("approve", `{"version": 1, "override": {"reason": "ok"}}`,
			url.Values{"version": {"1"}, "override": {"1"}, "override_reason": {"ok"}})), "approve a superseded version", "reviewer", "conflict", "editor.decision_conflict", saveAnother),
		with(pair(decide("reject", `{"version": 1, "comment": "Рақамҳоро санҷед."}`, url.Values{"version": {"1"}, "comment": {"Рақамҳоро санҷед."}})),
			"reject", "reviewer", "", "", nil),
		with(pair(decide("reject", `{"version": 1, "comment": " "}`, url.Values{"version": {"1"}, "comment": {" "}})),
			"reject without a comment", "reviewer", "empty_field", "editor.reject_needs_comment", nil),
		with(pair(subscriber("https://site.example/hook", "Сайт", []string{"tg", "ru"})), "add a subscriber", "admin", "", "", nil),
		with(pair(subscriber("ftp://site.example/hook", "", []string{"tg"})), "add a subscriber with a bad URL", "admin", "invalid_url", "subscribers.error_url", nil),
		with(pair(subscriber("http://127.0.0.1/hook", "", []string{"tg"})), "add a private subscriber", "admin", "invalid_url", "subscribers.error_private", nil),
		with(pair(subscriber("https://site.example/hook", "", nil)), "add a subscriber without languages", "admin", "invalid_lang", "subscribers.error_langs", nil),
		with(pair(channel("webhook", "ninjs")), "add a ninjs webhook", "admin", "", "", nil),
		with(pair(channel("webhook", "rss")), "add a webhook of an unknown payload", "admin", "invalid_payload", "subscribers.error_payload", nil),
		with(pair(channel("wordpress", "")), "add a WordPress channel without credentials", "admin", "invalid_credentials", "subscribers.error_credentials", nil),
		with(pair(channelWith(map[string]string{"kind": "wordpress", "url": "https://news.example.tj", "username": "desk",
			"app_password": "abcd EFGH 1234 ijkl", "status": "draft"})), "add a WordPress channel", "admin", "", "", nil),
		with(pair(channelWith(map[string]string{"kind": "wordpress", "url": "https://news.example.tj", "username": "desk",
			"app_password": "abcd EFGH 1234 ijkl", "status": "live"})), "add a WordPress channel of an unknown status", "admin", "invalid_settings", "subscribers.error_settings", nil),
		with(pair(channelWith(map[string]string{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": botToken})), "add a Telegram channel", "admin", "", "", nil),
		with(pair(channelWith(map[string]string{"kind": "telegram", "chat_id": "akhbor", "bot_token": botToken})), "add a Telegram channel with a bad chat", "admin", "invalid_settings", "subscribers.error_settings", nil),
		// The form posts every kind's fields, hiding the others': they are ignored, and only a
		// webhook is given a secret.
		{name: "add a Telegram channel with a webhook's fields filled", who: "admin",
			apiReq: pair(channelWith(map[string]string{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": botToken,
				"url": "https://site.example/hook", "payload": "ninjs", "username": "desk"})).apiReq,
			form: pair(channelWith(map[string]string{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": botToken,
				"url": "https://site.example/hook", "payload": "ninjs", "username": "desk"})).form,
			check: func(t *testing.T, f *fixture) {
				sub, err := f.db.Subscriber(context.Background(), 1)
				if err != nil || sub.URL != "" || sub.Payload != publish.PayloadTarjuma || sub.Secret != "" || string(sub.Settings) != `{"chat_id":"@akhbor_ru"}` {
					t.Errorf("telegram channel %+v, %v; want no url, the default payload, no secret, the chat alone", sub, err)
				}
			}},
		{name: "rotate a Telegram channel's secret", who: "admin", code: "unsigned_kind", msg: "subscribers.error_unsigned",
			setup: func(t *testing.T, f *fixture) {
				if _, err := f.db.CreateSubscriber(context.Background(), publish.NewSubscriber{Kind: publish.KindTelegram,
					Settings: []byte(`{"chat_id":"@akhbor_ru"}`), Credentials: []byte("sealed"), Langs: []tarjuma.Lang{tarjuma.Russian}, CreatedBy: "admin@desk.test"}); err != nil {
					t.Fatal(err)
				}
			},
			apiReq: func(*fixture) (string, string, string) { return "POST", "/api/v1/subscribers/1/rotate", "" },
			form:   func(*fixture) (string, url.Values) { return "/subscribers/1/rotate", url.Values{} }},
		with(pair(channelWith(map[string]string{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": "123:ABC"})), "add a Telegram channel with a bad token", "admin", "invalid_credentials", "subscribers.error_credentials", nil),
		with(pair(channel("fax", "")), "add a channel of an unknown kind", "admin", "invalid_kind", "subscribers.error_kind", nil),
		with(pair(rowAction("disable")), "disable a subscriber", "admin", "", "", addSubscriber),
		with(pair(rowAction("enable")), "enable a subscriber", "admin", "", "", disabledSubscriber),
		{name: "test a subscriber", who: "admin", setup: loopbackSubscriber, apiReq: testRow.apiReq, form: testRow.form,
			check: func(t *testing.T, f *fixture) {
				sub, err := f.db.Subscriber(context.Background(), 1)
				if err != nil || sub.Check.At.IsZero() || sub.Check.OK() || !strings.Contains(sub.Check.Error, "private") {
					t.Errorf("after the test: %+v, %v; want a failed test saying the address is private", sub.Check, err)
				}
			}},
		with(pair(rowAction("test")), "test a subscriber that does not exist", "admin", "not_found", "error.not_found", nil),
		with(pair(rowAction("enable")), "enable a subscriber as an editor", "editor", "forbidden", "error.forbidden", disabledSubscriber),
		{name: "rotate a secret", who: "admin", setup: addSubscriber,
			apiReq: func(*fixture) (string, string, string) { return "POST", "/api/v1/subscribers/1/rotate", "" },
			form:   func(*fixture) (string, url.Values) { return "/subscribers/1/rotate", url.Values{} }},
		{name: "delete a subscriber", who: "admin", setup: addSubscriber,
			apiReq: func(*fixture) (string, string, string) { return "DELETE", "/api/v1/subscribers/1", "" },
			form:   func(*fixture) (string, url.Values) { return "/subscribers/1/delete", url.Values{"confirm": {"yes"}} }},
		{name: "redeliver", who: "admin", setup: publishDraft,
			apiReq: func(f *fixture) (string, string, string) {
				return "POST", fmt.Sprintf("/api/v1/deliveries/%d/redeliver", delivery(f)), ""
			},
			form: func(f *fixture) (string, url.Values) {
				return fmt.Sprintf("/review/2/tg/deliveries/%d/redeliver", delivery(f)), url.Values{}
			}},
		with(pair(withdraw(" Иск о клевете ")), "withdraw an article", "editor", "", "", publishDraft),
		with(pair(withdraw(" ")), "withdraw without a reason", "editor", "empty_field", "withdraw.needs_reason", publishDraft),
		with(pair(withdraw("Иск")), "withdraw as a reviewer", "reviewer", "forbidden", "error.forbidden", publishDraft),
		with(pair(decide("approve", `{"version": 1, "override": {"reason": "срочно"}}`,
			url.Values{"version": {"1"}, "override": {"1"}, "override_reason": {"срочно"}})), "approve a withdrawn article over open issues", "reviewer", "withdrawn", "withdraw.approve_refused",
			func(t *testing.T, f *fixture) {
				if _, _, err := f.db.Withdraw(context.Background(), 1, "editor@desk.test", "Иск", nil); err != nil {
					t.Fatal(err)
				}
			}),
		with(pair(embargo(nextWeek, false)), "embargo an article", "editor", "", "", publishDraft),
		with(pair(embargo(nextWeek, false)), "move an embargo", "admin", "", "", embargoed),
		with(pair(embargo("", true)), "lift an embargo", "editor", "", "", embargoed),
		with(pair(embargo("2020-01-01T00:00:00Z", false)), "embargo until a past time", "editor", "", "", embargoed),
		with(pair(embargo("next week", false)), "embargo until no time", "editor", "invalid_embargo", "submit.error_embargo", embargoed),
		with(pair(embargo(nextWeek, false)), "embargo as a translator", "translator", "forbidden", "error.forbidden", embargoed),
		with(pair(embargo("", true)), "lift an embargo as a reviewer", "reviewer", "forbidden", "error.forbidden", embargoed),
		with(pair(embargo(nextWeek, false)), "embargo a withdrawn article", "editor", "withdrawn", "embargo.withdrawn_refused", withdrawn),
		with(pair(embargo("", true)), "lift the embargo of a withdrawn article", "editor", "withdrawn", "embargo.withdrawn_refused", withdrawn),
		with(pair(term("سمرقند")), "add a term", "admin", "", "", nil),
		with(pair(term("")), "add a term without Arabic", "admin", "invalid_glossary", "", nil),
	}
	cases = append(cases, sourceAndRevertCases()...)
	cases = append(cases, commentCases()...)
	cases = append(cases, credentialCases()...)
	messages, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	en := messages.Localizer("en")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each door has a database of its own
			// Through the API.
			f := newFixture(t, "sqlite:"+t.TempDir()+"/api.db")
			if tc.setup != nil {
				tc.setup(t, f)
			}
			secret, _, err := f.db.CreateUserToken(context.Background(), "doors", f.users[tc.who])
			if err != nil {
				t.Fatal(err)
			}
			method, path, reqBody := tc.apiReq(f)
			req := httptest.NewRequest(method, path, strings.NewReader(reqBody))
			req.Header.Set("Authorization", "Bearer "+secret)
			rec := httptest.NewRecorder()
			api.New(api.Config{DB: f.db, Desk: desk.New(desk.Config{DB: f.db, Sealer: testSealer, Auth: auth.New(auth.Config{DB: f.db, Redis: testRedis(t)})})}).ServeHTTP(rec, req)
			var answer struct {
				Error struct{ Code string } `json:"error"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &answer) // a success has no error to read
			if answer.Error.Code != tc.code {
				t.Errorf("API: %d %q, want code %q\n%s", rec.Code, answer.Error.Code, tc.code, rec.Body)
			}
			viaAPI := stored(t, f)

			// Through the desk's forms.
			g := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
			if tc.setup != nil {
				tc.setup(t, g)
			}
			formPath, form := tc.form(g)
			resp := g.signedIn(t, tc.who).post(formPath, form)
			switch {
			case tc.code == "" && resp.status >= 400:
				t.Errorf("page: %d, want success like the API's %d\n%s", resp.status, rec.Code, firstLine(resp.body))
			case tc.code != "" && resp.status/100 != 4:
				t.Errorf("page: %d, want a refusal like the API's %d", resp.status, rec.Code)
			case tc.code != "" && resp.status != rec.Code:
				t.Errorf("page: %d, API: %d; want one status for code %s", resp.status, rec.Code, tc.code)
			}
			if tc.msg != "" {
				want, err := en.T(tc.msg)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(resp.body, template.HTMLEscapeString(want)) {
					t.Errorf("page %d does not say %q (%s)", resp.status, want, tc.msg)
				}
			}
			if viaForm := stored(t, g); viaForm != viaAPI {
				t.Errorf("stored state differs:\nvia the API:\n%s\nvia the desk:\n%s", viaAPI, viaForm)
			}
			if tc.check != nil {
				t.Run("API", func(t *testing.T) { tc.check(t, f) })
				t.Run("desk", func(t *testing.T) { tc.check(t, g) })
			}
		})
	}
}

// stored describes what the desk's actions change, without ids, times or secrets, so that
// two databases that took the same action compare equal.
func stored(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	as, err := f.db.ListArticles(ctx, store.ArticleFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		fmt.Fprintf(&b, "article %q %q ext=%q %s by %s\n", a.Title, a.Body, a.ExternalID, a.Priority, a.CreatedBy)
		if w, err := f.db.Withdrawn(ctx, a.ID); err != nil {
			t.Fatal(err)
		} else if w != nil {
			fmt.Fprintf(&b, "  withdrawn by %s: %q\n", w.By, w.Reason)
		}
		if until, err := f.db.Embargo(ctx, a.ID); err != nil {
			t.Fatal(err)
		} else if !until.IsZero() {
			fmt.Fprintf(&b, "  embargoed until %s\n", until.Format(time.RFC3339))
		}
		changes, err := f.db.EmbargoChanges(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			fmt.Fprintf(&b, "  embargo changed by %s to %s\n", c.By, c.Until.Format(time.RFC3339))
		}
		ts, err := f.db.Translations(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range ts {
			fmt.Fprintf(&b, "  %s %s v%d\n", tr.Lang, tr.Status, tr.LatestVersion)
			vs, err := f.db.Versions(ctx, a.ID, tr.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				fmt.Fprintf(&b, "    v%d by %q:", v.Number, v.Author)
				for _, s := range v.Segments {
					fmt.Fprintf(&b, " %s=%q/%s/%s", s.ID, s.Text, s.Origin, s.Status)
				}
				b.WriteString("\n")
			}
			ds, err := f.db.Dismissals(ctx, a.ID, tr.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				fmt.Fprintf(&b, "    v%d %s %s %q dismissed by %s: %q\n", d.Version, d.SegmentID, d.Flag.Kind, d.Flag.Args, d.By, d.Reason)
			}
			evs, err := f.db.ReviewEvents(ctx, a.ID, tr.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				fmt.Fprintf(&b, "    %s v%d by %s %q", ev.Action, ev.Version, ev.Actor, ev.Comment)
				if ev.Override != nil {
					fmt.Fprintf(&b, " override %q", ev.Override.Reason)
				}
				b.WriteString("\n")
			}
			cs, err := f.db.Comments(ctx, a.ID, tr.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				fmt.Fprintf(&b, "    %s on %s v%d by %s reply=%t %q mentions %q\n", c.Kind, c.Segment, c.Version, c.Author, c.ParentID != 0, c.Body, c.Mentions)
			}
			if as, err := f.db.Assignment(ctx, a.ID, tr.Lang); err == nil {
				fmt.Fprintf(&b, "    assigned to %s claimed=%t by %s\n", as.Email, as.Claimed, as.By)
			}
			logs, err := f.db.Deliveries(ctx, a.ID, tr.Lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range logs {
				fmt.Fprintf(&b, "    delivery round %d %s %s\n", l.Round, l.State, l.Event)
			}
		}
	}
	subs, err := f.db.Subscribers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		fmt.Fprintf(&b, "subscriber %s %s/%s %v %q by %s rotated=%t disabled=%q tested=%t passed=%t\n", s.URL, s.Kind, s.Payload, s.Langs,
			s.Description, s.CreatedBy, s.PreviousSecret != "", s.DisabledReason, !s.Check.At.IsZero(), s.Check.OK())
	}
	users, err := f.db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		fmt.Fprintf(&b, "user %s %s disabled=%t\n", u.Email, u.Role, !u.DisabledAt.IsZero())
	}
	tokens, err := f.db.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tokens {
		if c.Token.Name == "doors" { // the API door's own
			continue
		}
		user := ""
		if c.User != nil {
			user = c.User.Email
		}
		fmt.Fprintf(&b, "token %q %s user=%q expires=%t\n", c.Token.Name, c.Token.Role, user, !c.Token.ExpiresAt.IsZero())
	}
	terms, version, err := f.db.GlossaryTerms(ctx, store.GlossaryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "glossary v%d:", version)
	for _, term := range terms {
		fmt.Fprintf(&b, " %s by %s", term.ID, term.UpdatedBy)
	}
	return b.String()
}
