package api

import (
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
// payload ninjs is kept; wordpress and telegram, credentials and all, are refused 422
// unsupported_kind until their connectors exist; anything else is invalid.
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
		for _, tc := range []struct{ body, code string }{
			{`{"kind": "wordpress", "url": "https://site.example", "username": "desk", "app_password": "abcd efgh ijkl mnop", "langs": ["ru"]}`, "unsupported_kind"},
			{`{"kind": "telegram", "chat_id": "@akhbor", "bot_token": "123:ABC", "langs": ["tg"]}`, "unsupported_kind"},
			{`{"kind": "fax", "url": "https://site.example/hook", "langs": ["tg"]}`, "invalid_kind"},
			{`{"payload": "rss", "url": "https://site.example/hook", "langs": ["tg"]}`, "invalid_payload"},
		} {
			wantError(t, e.as(t, tarjuma.RoleAdmin, "POST", "/api/v1/subscribers", tc.body), http.StatusUnprocessableEntity, tc.code, "")
		}
		list := decode[struct{ Subscribers []subscriberJSON }](t, e.as(t, tarjuma.RoleAdmin, "GET", "/api/v1/subscribers", ""), http.StatusOK)
		if len(list.Subscribers) != 2 || list.Subscribers[1].Payload != publish.PayloadNinjs {
			t.Errorf("list %+v, want the two webhooks", list.Subscribers)
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
