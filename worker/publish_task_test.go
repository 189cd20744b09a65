package worker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hibiken/asynq"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/glossary"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/ninjstest"
	"github.com/tarjuma/tarjuma/qa"
	"github.com/tarjuma/tarjuma/store"
)

// verifySignature checks a webhook as the Standard Webhooks specification tells receivers to,
// written from the specification, not with package publish: HMAC-SHA256 keyed with the base64
// part of the secret over "id.timestamp.body", against each "v1," signature of the header.
func verifySignature(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	ts, err := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return fmt.Errorf("timestamp %q", h.Get("webhook-timestamp"))
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%d.%s", h.Get("webhook-id"), ts, body)
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if got, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sig, "v1,")); err == nil && strings.HasPrefix(sig, "v1,") && hmac.Equal(got, mac.Sum(nil)) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// hook is a receiver. Each request is answered by the next of answers (the last one repeats);
// it records the webhook-ids and counts acknowledgements.
type hook struct {
	t       *testing.T
	secrets []string // every one must verify each request
	answers []func(w http.ResponseWriter, r *http.Request)

	mu    sync.Mutex
	ids   []string
	acks  int
	calls int
	event publish.Event
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	for _, s := range h.secrets {
		if err := verifySignature(s, r.Header, body); err != nil {
			h.t.Errorf("receiver: %v", err)
		}
	}
	if err := json.Unmarshal(body, &h.event); err != nil {
		h.t.Errorf("receiver: body %s: %v", body, err)
	}
	h.ids = append(h.ids, r.Header.Get("webhook-id"))
	answer := h.answers[min(h.calls, len(h.answers)-1)]
	h.calls++
	h.mu.Unlock()
	rec := httptest.NewRecorder()
	answer(rec, r)
	h.mu.Lock()
	if rec.Code < 300 && r.Context().Err() == nil { // an abandoned request acknowledged nothing
		h.acks++
	}
	h.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
}

func (h *hook) state() (ids []string, acks int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...), h.acks
}

func status(code int) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

// hang answers only when the request is abandoned: a receiver that times out.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// publishFixture is an article translated into English and a subscriber for it at a receiver.
type publishFixture struct {
	db      *store.DB
	hook    *hook
	sub     publish.Subscriber
	article tarjuma.Article
	handler *PublishHandler
}

func newPublishFixture(t *testing.T, db *store.DB, answers ...func(w http.ResponseWriter, r *http.Request)) *publishFixture {
	f := &publishFixture{db: db, hook: &hook{t: t, answers: answers}}
	// Tests may share a database: the fixture's subscriber is to be the only one.
	subs, err := db.Subscribers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if err := db.DeleteSubscriber(t.Context(), s.ID); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(f.hook)
	t.Cleanup(srv.Close)
	f.sub, err = db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: srv.URL + "/hook", Langs: []tarjuma.Lang{tarjuma.English},
		Secret: publish.NewSecret(), CreatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	f.hook.secrets = []string{f.sub.Secret}
	f.handler = NewPublishHandler(PublishHandlerConfig{DB: db, Backoff: time.Millisecond, Logger: testLogger(t),
		Connectors: publish.NewConnectors(publish.ConnectorsConfig{Sender: publish.NewSender(publish.SenderConfig{AllowPrivate: true, Timeout: 300 * time.Millisecond})})})
	f.article = submitSample(t, db)
	if err := process(t.Context(), t, newHandler(t, db, &stubEngine{}), f.article.ID, tarjuma.English, 1); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *publishFixture) approve(t *testing.T) {
	t.Helper()
	// The machine draft is unconfirmed and flagged; the approval rule is not under test here.
	if err := f.db.Approve(t.Context(), f.article.ID, tarjuma.English, 1, "rustam", "", &store.Override{Reason: "test fixture"}); err != nil {
		t.Fatal(err)
	}
}

// task returns the publish task of the fixture's one delivery, as the relay would enqueue it.
func (f *publishFixture) task(t *testing.T) (publish.Delivery, *asynq.Task) {
	t.Helper()
	var ds []publish.Delivery
	if _, err := f.db.DispatchDeliveries(t.Context(), 10, time.Now().Add(time.Hour), func(d publish.Delivery) error {
		ds = append(ds, d)
		return nil
	}); err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v; want one", ds, err)
	}
	task, err := NewPublishTask(ds[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds[0], task
}

func (f *publishFixture) log(t *testing.T) publish.DeliveryLog {
	t.Helper()
	logs, err := f.db.Deliveries(t.Context(), f.article.ID, tarjuma.English)
	if err != nil || len(logs) != 1 {
		t.Fatalf("Deliveries = %+v, %v", logs, err)
	}
	return logs[0]
}

func wantTranslationStatus(t *testing.T, db *store.DB, id int64, want tarjuma.Status) {
	t.Helper()
	if got := translation(t, db, id, tarjuma.English).Status; got != want {
		t.Errorf("translation is %s, want %s", got, want)
	}
}

// TestPublishRetriesKeepWebhookID fails on a 500 and on a timeout before a 2xx: three attempts
// with one webhook-id, each signed with both secrets of a rotation in its grace period.
func TestPublishRetriesKeepWebhookID(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newPublishFixture(t, db, status(500), hang, status(200))
		f.approve(t)
		old := f.sub.Secret
		rotated, err := db.RotateSubscriberSecret(t.Context(), f.sub.ID, publish.NewSecret(), time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.hook.secrets = []string{old, rotated.Secret}
		d, task := f.task(t)

		for i, want := range []bool{true, true, false} {
			err := f.handler.ProcessTask(t.Context(), task)
			var retry *retryAfterError
			if errors.As(err, &retry) != want {
				t.Fatalf("attempt %d: %v, want retry=%v", i+1, err, want)
			}
			if want && (retry.after <= 0 || retryDelay(i, err, task) != retry.after) {
				t.Errorf("attempt %d: retry after %v; asynq would wait %v", i+1, retry.after, retryDelay(i, err, task))
			}
			if i < 2 {
				wantTranslationStatus(t, db, f.article.ID, tarjuma.StatusApproved)
			}
		}
		ids, acks := f.hook.state()
		if want := publish.WebhookID(d.ID); len(ids) != 3 || ids[0] != want || ids[1] != want || ids[2] != want || acks != 1 {
			t.Errorf("webhook-ids %v with %d acks, want %s three times and one ack", ids, acks, want)
		}
		l := f.log(t)
		if l.State != publish.DeliveryDelivered || len(l.Attempts) != 3 || l.Attempts[0].StatusCode != 500 ||
			l.Attempts[1].StatusCode != 0 || l.Attempts[1].Error == "" || l.Attempts[2].StatusCode != 200 {
			t.Errorf("delivery log %+v", l)
		}
		wantTranslationStatus(t, db, f.article.ID, tarjuma.StatusPublished)
		// Running the task once more (asynq is at-least-once) sends nothing.
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Error(err)
		}
		if ids, _ := f.hook.state(); len(ids) != 3 {
			t.Errorf("a finished delivery was sent again")
		}

		ev := f.hook.event
		v := versions(t, db, f.article.ID, tarjuma.English)[0]
		if ev.Type != publish.EventPublished || ev.Data.ArticleID != f.article.ID || ev.Data.Lang != "en" || ev.Data.Version != 1 ||
			ev.Data.Title != v.Title() || ev.Data.BodyText == "" || !strings.HasPrefix(ev.Data.BodyHTML, `<p lang="en-x-mtfrom-ar">`) ||
			ev.Data.EditedByHuman || !ev.Data.MachineOnly || ev.Data.ApprovedBy != "rustam" || ev.Data.ApprovedAt.IsZero() {
			t.Errorf("event %+v", ev)
		}
		// The body carries the flags stored with the version, segment by segment: here the stub's
		// "#1", a number no source has, first on every segment (then the echoed Arabic's).
		var stored []publish.QAFlag
		numbers := 0
		for _, s := range v.Segments {
			for _, fl := range s.Flags {
				stored = append(stored, publish.QAFlag{Segment: s.ID, Kind: fl.Kind, Args: fl.Args})
			}
			if len(s.Flags) > 0 && s.Flags[0].Kind == qa.NumberExtra {
				numbers++
			}
		}
		if numbers != len(v.Segments) {
			t.Fatalf("stored flags %+v, want the stub's number on each segment", stored)
		}
		if diff := cmp.Diff(stored, ev.Data.QAFlags, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("webhook qa_flags (-stored +sent):\n%s", diff)
		}
	})
}

// TestPublishWorkerKilledMidSend cancels the handler's context while the receiver holds the
// request, as a killed worker would, then runs the task again as asynq does after recovering
// it: the receiver sees the same webhook-id and acknowledges once.
func TestPublishWorkerKilledMidSend(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		arrived := make(chan struct{})
		f := newPublishFixture(t, db, func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		}, status(204))
		f.approve(t)
		_, task := f.task(t)

		ctx, kill := context.WithCancel(t.Context())
		go func() { <-arrived; kill() }()
		if err := f.handler.ProcessTask(ctx, task); err == nil || errors.Is(err, asynq.SkipRetry) {
			t.Fatalf("killed attempt returned %v, want an error asynq retries", err)
		}
		if l := f.log(t); l.State != publish.DeliveryPending {
			t.Fatalf("after the kill the delivery is %s, want pending", l.State)
		}
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		ids, acks := f.hook.state()
		if len(ids) != 2 || ids[0] != ids[1] || acks != 1 {
			t.Errorf("webhook-ids %v, %d acknowledged; want the same id twice and one acknowledgement", ids, acks)
		}
		if l := f.log(t); l.State != publish.DeliveryDelivered || len(l.Attempts) != 2 {
			t.Errorf("delivery log %+v", l)
		}
		wantTranslationStatus(t, db, f.article.ID, tarjuma.StatusPublished)
	})
}

func TestPublishOutcomes(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		t.Run("410 disables the subscriber", func(t *testing.T) {
			f := newPublishFixture(t, db, status(http.StatusGone))
			f.approve(t)
			_, task := f.task(t)
			if err := f.handler.ProcessTask(t.Context(), task); err != nil {
				t.Fatal(err)
			}
			subs, _ := db.Subscribers(t.Context())
			if subs[len(subs)-1].DisabledAt.IsZero() {
				t.Error("subscriber still enabled after 410")
			}
			if l := f.log(t); l.State != publish.DeliveryCancelled || l.Attempts[0].StatusCode != 410 {
				t.Errorf("delivery log %+v", l)
			}
			wantTranslationStatus(t, db, f.article.ID, tarjuma.StatusPublished) // nobody left to wait for
		})
		t.Run("redirect is a failure", func(t *testing.T) {
			f := newPublishFixture(t, db, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/hook" {
					t.Errorf("redirect followed to %s", r.URL.Path)
				}
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			})
			f.approve(t)
			_, task := f.task(t)
			var retry *retryAfterError
			if err := f.handler.ProcessTask(t.Context(), task); !errors.As(err, &retry) {
				t.Fatalf("redirect: %v, want a retry", err)
			}
			if ids, _ := f.hook.state(); len(ids) != 1 {
				t.Errorf("%d requests, want 1", len(ids))
			}
			if l := f.log(t); l.State != publish.DeliveryPending || l.Attempts[0].StatusCode != 302 || !strings.Contains(l.Attempts[0].Error, "redirect") {
				t.Errorf("delivery log %+v", l)
			}
		})
		t.Run("Retry-After is honoured", func(t *testing.T) {
			f := newPublishFixture(t, db, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			f.approve(t)
			_, task := f.task(t)
			err := f.handler.ProcessTask(t.Context(), task)
			if d := retryDelay(0, err, task); d != time.Hour {
				t.Errorf("next attempt in %v, want the receiver's hour", d)
			}
		})
		t.Run("gives up at the end of the window", func(t *testing.T) {
			f := newPublishFixture(t, db, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", strconv.Itoa(int(2*publish.DeliveryWindow/time.Second))) // too late
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			f.approve(t)
			_, task := f.task(t)
			if err := f.handler.ProcessTask(t.Context(), task); !errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("%v, want SkipRetry", err)
			}
			if l := f.log(t); l.State != publish.DeliveryFailed {
				t.Errorf("delivery is %s, want failed", l.State)
			}
			wantTranslationStatus(t, db, f.article.ID, tarjuma.StatusApproved)
		})
		t.Run("private receivers refused", func(t *testing.T) {
			f := newPublishFixture(t, db, status(200))
			f.handler.connectors = publish.NewConnectors(publish.ConnectorsConfig{Sender: publish.NewSender(publish.SenderConfig{})})
			f.approve(t)
			_, task := f.task(t)
			if err := f.handler.ProcessTask(t.Context(), task); err == nil {
				t.Fatal("delivery to loopback succeeded")
			}
			if ids, _ := f.hook.state(); len(ids) != 0 {
				t.Error("the loopback receiver was reached")
			}
			if l := f.log(t); !strings.Contains(l.Attempts[0].Error, "private") {
				t.Errorf("attempt error %q does not say why", l.Attempts[0].Error)
			}
		})
	})
}

// TestPublishThroughQueue runs approval → outbox → relay → asynq → handler → receiver, with a
// 500 first so that asynq's retry (and its delay from the handler) is exercised.
func TestPublishThroughQueue(t *testing.T) {
	t.Parallel()
	eachDBAndRedis(t, func(t *testing.T, db *store.DB, redis asynq.RedisConnOpt) {
		f := newPublishFixture(t, db, status(500), status(200))
		srv := NewServer(ServerConfig{Redis: redis, Concurrency: 2, ShutdownTimeout: time.Second, Logger: testLogger(t),
			Handler: newHandler(t, db, &stubEngine{}), Publish: f.handler})
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		relay := startRelay(t, db, newClient(t, redis), RelayConfig{})
		f.approve(t)
		relay.Wake()
		deadline := time.Now().Add(30 * time.Second)
		for translation(t, db, f.article.ID, tarjuma.English).Status != tarjuma.StatusPublished {
			if time.Now().After(deadline) {
				t.Fatalf("not published; delivery %+v", f.log(t))
			}
			time.Sleep(50 * time.Millisecond)
		}
		if ids, acks := f.hook.state(); len(ids) != 2 || ids[0] != ids[1] || acks != 1 {
			t.Errorf("webhook-ids %v, %d acks", ids, acks)
		}
	})
}

// TestPublishNinjs delivers to a subscriber that asked for ninjs: the receiver gets the bare
// ninjs 3.1 document, signed as the event is, valid against the schema's constraints, naming
// the glossary's people the source text carries.
func TestPublishNinjs(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		terms, err := glossary.Starter()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ImportGlossary(t.Context(), terms, true, "test"); err != nil {
			t.Fatal(err)
		}
		f := newPublishFixture(t, db, status(http.StatusNoContent))
		if err := db.DeleteSubscriber(t.Context(), f.sub.ID); err != nil {
			t.Fatal(err)
		}
		type request struct {
			header http.Header
			body   []byte
		}
		got := make(chan request, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			got <- request{r.Header.Clone(), body}
			w.WriteHeader(http.StatusNoContent)
		}))
		t.Cleanup(srv.Close)
		sub, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{Kind: publish.KindWebhook, Payload: publish.PayloadNinjs,
			URL: srv.URL + "/ninjs", Langs: []tarjuma.Lang{tarjuma.English}, Secret: publish.NewSecret(), CreatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		f.approve(t)
		d, task := f.task(t)
		if err := f.handler.ProcessTask(t.Context(), task); err != nil {
			t.Fatal(err)
		}
		req := <-got
		if err := verifySignature(sub.Secret, req.header, req.body); err != nil || req.header.Get("webhook-id") != publish.WebhookID(d.ID) {
			t.Errorf("signature: %v, webhook-id %q", err, req.header.Get("webhook-id"))
		}
		for _, err := range ninjstest.Validate(req.body) {
			t.Error(err)
		}
		var doc struct {
			URI, Version, Language, PubStatus string
			Urgency                           int
			People, Places                    []struct{ Name, URI string }
		}
		if err := json.Unmarshal(req.body, &doc); err != nil {
			t.Fatal(err)
		}
		wantURI := fmt.Sprintf("tag:tarjuma.invalid,2025:article/%d/en", f.article.ID)
		if doc.URI != wantURI || doc.Version != "1" || doc.PubStatus != "usable" || doc.Urgency != 5 || doc.Language != "en-x-mtfrom-ar" {
			t.Errorf("ninjs %+v, want uri %s, version 1, usable, urgency 5 (default priority), machine-labelled English", doc, wantURI)
		}
		rahmon := struct{ Name, URI string }{"Emomali Rahmon", "tag:tarjuma.invalid,2025:glossary/emomali-rahmon"}
		if !slices.Contains(doc.People, rahmon) {
			t.Errorf("people %+v lack %+v", doc.People, rahmon)
		}
		if strings.Contains(string(req.body), "glossary/president-of-tajikistan") {
			t.Error("a title of the glossary is listed among people, organisations or places")
		}
		if l := f.log(t); l.State != publish.DeliveryDelivered {
			t.Errorf("delivery %s, want delivered", l.State)
		}
	})
}

// TestPublishCredentialFailures: credentials the configured key does not open, or no key at
// all, fail the attempt with an error that says so, logged for the desk, and reach no receiver.
func TestPublishCredentialFailures(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		sealedWith, _ := publish.ParseKey(publish.NewKey())
		configured, _ := publish.ParseKey(publish.NewKey())
		for _, tc := range []struct {
			name   string
			sealer *publish.Sealer
			want   string
		}{
			{"wrong key", configured, "sealed with another key"},
			{"no key", nil, "TARJUMA_SECRET_KEY, which is not set"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := newPublishFixture(t, db, status(http.StatusNoContent))
				if err := db.DeleteSubscriber(t.Context(), f.sub.ID); err != nil {
					t.Fatal(err)
				}
				blob, err := sealedWith.Seal(publish.KindWebhook, []byte(`{"token":"x"}`))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.CreateSubscriber(t.Context(), publish.NewSubscriber{URL: f.sub.URL, Langs: []tarjuma.Lang{tarjuma.English},
					Credentials: blob, Secret: publish.NewSecret(), CreatedBy: "admin"}); err != nil {
					t.Fatal(err)
				}
				f.handler.sealer = tc.sealer
				f.approve(t)
				_, task := f.task(t)
				if err := f.handler.ProcessTask(t.Context(), task); err == nil {
					t.Fatal("delivered with credentials that do not open")
				}
				if ids, _ := f.hook.state(); len(ids) != 0 {
					t.Error("the receiver was reached")
				}
				if l := f.log(t); l.State != publish.DeliveryPending || len(l.Attempts) != 1 || !strings.Contains(l.Attempts[0].Error, tc.want) {
					t.Errorf("delivery %s, attempts %+v; want pending with an attempt saying %q", l.State, l.Attempts, tc.want)
				}
			})
		}
	})
}

// TestPublishHeldByEmbargo: an approved translation of an embargoed article reaches no channel
// before the embargo ends. The task asks to come back when it ends, records no attempt, and
// the delivery's give-up time counts from the embargo, not from the approval.
func TestPublishHeldByEmbargo(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		until := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
		f := embargoedFixture(t, db, until, status(http.StatusNoContent))
		d, task := f.task(t)
		left := time.Until(until) // the most the task can ask to wait
		err := f.handler.ProcessTask(t.Context(), task)
		var held *retryAfterError
		if !errors.As(err, &held) || !errors.Is(err, errEmbargoed) {
			t.Fatalf("an embargoed delivery's task returned %v, want to be retried when the embargo ends", err)
		}
		// Asynq waits what the task asked: until the embargo ends, give or take this test's run.
		if wait := retryDelay(0, err, task); wait > left || wait < left-time.Minute {
			t.Errorf("the task comes back in %v, want when the embargo ends (in %v)", wait, left)
		}
		if ids, _ := f.hook.state(); len(ids) != 0 {
			t.Errorf("the receiver got %d requests during the embargo", len(ids))
		}
		l := f.log(t)
		if l.State != publish.DeliveryPending || len(l.Attempts) != 0 {
			t.Errorf("delivery %s with %d attempts, want pending with none", l.State, len(l.Attempts))
		}
		if want := publish.GiveUpAt(until); !d.GiveUpAt.Equal(want) {
			t.Errorf("give-up time %v, want %v: the window opens when the embargo ends", d.GiveUpAt, want)
		}
	})
}
