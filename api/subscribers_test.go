package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/desk"
	"github.com/tarjuma/tarjuma/publish"
)

// TestSubscriberKinds: per the contract, a request without kind is a webhook of our payload;
// payload ninjs is kept; wordpress (url, username, app_password) and telegram (chat_id,
// bot_token, no url) are created with their credentials sealed and never shown, and refused
// 409 no_secret_key on a deployment without TARJUMA_SECRET_KEY; anything else is invalid.
func TestSubscriberKinds(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		plain := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers",
			`{"url": "https://site.example/hook", "langs": ["tg"]}`), http.StatusCreated)
		if plain.Kind != publish.KindWebhook || plain.Payload != publish.PayloadTarjuma || plain.LastTest != nil {
			t.Errorf("no kind: %+v, want a webhook of the tarjuma payload, never tested", plain.subscriberJSON)
		}
		ninjs := decode[subscriberSecretJSON](t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers",
			`{"kind": "webhook", "payload": "ninjs", "url": "https://cms.example/ninjs", "langs": ["ru", "en"]}`), http.StatusCreated)
		if ninjs.Kind != publish.KindWebhook || ninjs.Payload != publish.PayloadNinjs || !strings.HasPrefix(ninjs.Secret, "whsec_") {
			t.Errorf("ninjs webhook: %+v", ninjs)
		}
		const (
			wpBody = `{"kind": "wordpress", "url": "https://site.example", "username": "desk", "app_password": "abcd efgh ijkl mnop", "langs": ["ru"], "status": "draft", "category_id": 5}`
			tgBody = `{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "langs": ["ru"]}`
		)
		for _, tc := range []struct{ body, code string }{
			{`{"kind": "fax", "url": "https://site.example/hook", "langs": ["tg"]}`, "invalid_kind"},
			{`{"payload": "rss", "url": "https://site.example/hook", "langs": ["tg"]}`, "invalid_payload"},
			{`{"kind": "wordpress", "url": "https://site.example", "username": "desk", "langs": ["ru"]}`, "invalid_credentials"},
			{`{"kind": "wordpress", "url": "https://site.example", "username": "desk", "app_password": "x", "status": "live", "langs": ["ru"]}`, "invalid_settings"},
			{`{"kind": "wordpress", "username": "desk", "app_password": "x", "langs": ["ru"]}`, "invalid_url"},
			{`{"kind": "telegram", "chat_id": "@akhbor_ru", "bot_token": "123:ABC", "langs": ["tg"]}`, "invalid_credentials"},
			{`{"kind": "telegram", "chat_id": "akhbor", "bot_token": "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "langs": ["tg"]}`, "invalid_settings"},
		} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", tc.body), http.StatusUnprocessableEntity, tc.code, "")
		}
		// This deployment has no key: nothing is stored in clear.
		for _, body := range []string{wpBody, tgBody} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", body), http.StatusConflict, "no_secret_key", "")
		}

		sealer, err := publish.ParseKey(publish.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		keyed := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker, Sealer: sealer})})
		admin := bearer(e.tokens[tarjuma.RoleAdmin])
		wpRec := do(t, keyed, "POST", "/api/v1/subscribers", admin, wpBody)
		wp := decode[subscriberSecretJSON](t, wpRec, http.StatusCreated)
		if wp.Kind != publish.KindWordPress || wp.URL != "https://site.example" || wp.Payload != "" ||
			string(wp.Settings) != `{"status":"draft","category_id":5}` || strings.Contains(wpRec.Body.String(), "abcd efgh") {
			t.Errorf("wordpress: %s; want the site with its settings and no password", wpRec.Body)
		}
		tgRec := do(t, keyed, "POST", "/api/v1/subscribers", admin, tgBody)
		tg := decode[subscriberSecretJSON](t, tgRec, http.StatusCreated)
		if tg.Kind != publish.KindTelegram || tg.URL != "" || string(tg.Settings) != `{"chat_id":"@akhbor_ru"}` || strings.Contains(tgRec.Body.String(), "AAHdq") {
			t.Errorf("telegram: %s; want the chat and no token", tgRec.Body)
		}
		// Only webhooks sign: the site and the channel get no secret, the answer has no field
		// for one, and none can be rotated.
		for _, rec := range []*httptest.ResponseRecorder{wpRec, tgRec} {
			var fields map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &fields); err != nil {
				t.Fatal(err)
			}
			if _, ok := fields["secret"]; ok {
				t.Errorf("a channel that signs nothing was given a secret: %s", rec.Body)
			}
		}
		for _, id := range []int64{wp.ID, tg.ID} {
			wantError(t, do(t, keyed, "POST", fmt.Sprintf("/api/v1/subscribers/%d/rotate", id), admin, ""), http.StatusConflict, "unsigned_kind", "no secret to rotate")
			if sub, err := e.db.Subscriber(t.Context(), id); err != nil || sub.Secret != "" || sub.PreviousSecret != "" {
				t.Errorf("subscriber %d holds secrets %q, %q (%v); want none", id, sub.Secret, sub.PreviousSecret, err)
			}
		}
		if rotated := decode[subscriberSecretJSON](t, do(t, keyed, "POST", fmt.Sprintf("/api/v1/subscribers/%d/rotate", ninjs.ID), admin, ""),
			http.StatusOK); !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == ninjs.Secret {
			t.Errorf("a webhook's rotation answered secret %q, want a new whsec_ one", rotated.Secret)
		}
		stored, err := e.db.Subscriber(t.Context(), tg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if opened, err := sealer.Open(publish.KindTelegram, stored.Credentials); err != nil ||
			string(opened) != `{"bot_token":"123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"}` || strings.Contains(string(stored.Credentials), "AAHdq") {
			t.Errorf("stored credentials %q open to %q, %v; want the token, sealed", stored.Credentials, opened, err)
		}

		list := decode[struct{ Subscribers []subscriberJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/subscribers", ""), http.StatusOK)
		if len(list.Subscribers) != 4 || list.Subscribers[1].Payload != publish.PayloadNinjs || list.Subscribers[3].Kind != publish.KindTelegram {
			t.Errorf("list %+v, want the two webhooks, the site and the channel", list.Subscribers)
		}
	})
}

// TestSubscriberLifecycle: disable by hand, enable, and test against a receiver, through the
// API; only admins may.
func TestSubscriberLifecycle(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		var status atomic.Int32
		status.Store(http.StatusOK)
		receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.Header.Get("webhook-id"), "ping_") || r.Header.Get("webhook-signature") == "" {
				t.Errorf("test request without a ping's id or a signature: %v", r.Header)
			}
			w.WriteHeader(int(status.Load()))
		}))
		defer receiver.Close()
		srv := New(Config{DB: e.db, Desk: desk.New(desk.Config{DB: e.db, Waker: e.waker, AllowPrivateWebhooks: true})})
		admin := func(path string) *httptest.ResponseRecorder {
			return do(t, srv, "POST", path, bearer(e.tokens[tarjuma.RoleAdmin]), "")
		}
		created := decode[subscriberSecretJSON](t, do(t, srv, "POST", "/api/v1/subscribers", bearer(e.tokens[tarjuma.RoleAdmin]),
			fmt.Sprintf(`{"url": %q, "langs": ["tg"]}`, receiver.URL+"/hook")), http.StatusCreated)
		path := fmt.Sprintf("/api/v1/subscribers/%d", created.ID)

		off := decode[subscriberJSON](t, admin(path+"/disable"), http.StatusOK)
		if off.DisabledAt == nil || !strings.HasPrefix(off.DisabledReason, "disabled by ") {
			t.Errorf("disabled: %+v", off)
		}
		on := decode[subscriberJSON](t, admin(path+"/enable"), http.StatusOK)
		if on.DisabledAt != nil || on.DisabledReason != "" {
			t.Errorf("enabled: %+v", on)
		}
		tested := decode[subscriberJSON](t, admin(path+"/test"), http.StatusOK)
		if tested.LastTest == nil || !tested.LastTest.OK || tested.LastTest.StatusCode != http.StatusOK || tested.LastTest.Error != "" {
			t.Errorf("test of a receiver answering 200: %+v", tested.LastTest)
		}
		status.Store(http.StatusForbidden)
		tested = decode[subscriberJSON](t, admin(path+"/test"), http.StatusOK)
		if tested.LastTest == nil || tested.LastTest.OK || tested.LastTest.StatusCode != http.StatusForbidden ||
			!strings.Contains(tested.LastTest.Error, "403") {
			t.Errorf("test of a receiver answering 403: %+v", tested.LastTest)
		}
		for _, action := range []string{"enable", "disable", "test"} {
			wantError(t, e.as(t, tarjuma.RoleEditor, "POST", path+"/"+action, ""), http.StatusForbidden, "forbidden", "")
			wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers/999/"+action, ""), http.StatusNotFound, "not_found", "")
		}
	})
}
