package publish_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/publish"
	"github.com/tarjuma/tarjuma/publish/telegramtest"
	"github.com/tarjuma/tarjuma/publish/wordpresstest"
)

// release is an approved version of article 7 into lang, edited by a person.
func release(lang tarjuma.Lang, title string, paras ...string) publish.Release {
	v := tarjuma.Version{ArticleID: 7, Lang: lang, Number: 2,
		Segments: []tarjuma.Segment{{ID: tarjuma.TitleSegmentID, Text: title, Origin: tarjuma.OriginHuman}}}
	for i, p := range paras {
		v.Segments = append(v.Segments, tarjuma.Segment{ID: "p" + string(rune('1'+i)) + ".s1", Text: p, Origin: tarjuma.OriginHuman})
	}
	return publish.Release{ID: 3, Event: publish.EventPublished, Version: v, ApprovedBy: "rustam", ApprovedAt: time.Unix(1764950000, 0)}
}

// The connector-facing calls keep their state as JSON: the first delivery returns it, a
// correction given it edits the same message (the state names its new text), the same
// correction again returns nil (nothing changed), and a withdrawal empties it.
func TestTelegramDeliverKeepsState(t *testing.T) {
	t.Parallel() // its messages go a second apart, in real time
	srv, c := newTelegram(t, nil)
	ch, err := publish.NewTelegramChannel([]byte(`{"chat_id":"@tarjuma_ru"}`), []byte(`{"bot_token":"`+tgToken+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res, st := c.DeliverRelease(t.Context(), ch, release(tarjuma.Russian, "Заголовок", "Текст."), nil, "", nil)
	if !res.Acknowledged() || !slices.Equal(stateIDs(t, st), []int64{101}) {
		t.Fatalf("first delivery: %+v, state %s", res, st)
	}
	correction := release(tarjuma.Russian, "Заголовок", "Текст, исправленный.")
	res, st2 := c.DeliverRelease(t.Context(), ch, correction, st, "", nil)
	if !res.Acknowledged() || !slices.Equal(stateIDs(t, st2), []int64{101}) || string(st2) == string(st) {
		t.Errorf("correction: %+v, state %s; want acknowledged, message 101 saying the new text", res, st2)
	}
	if res, st3 := c.DeliverRelease(t.Context(), ch, correction, st2, "", nil); !res.Acknowledged() || st3 != nil {
		t.Errorf("the correction again: %+v, state %s; want acknowledged and unchanged", res, st3)
	}
	if diff := cmp.Diff([]string{"Заголовок\n\nТекст, исправленный."}, texts(srv.Messages(ch.ChatID))); diff != "" {
		t.Errorf("channel (-want +got):\n%s", diff)
	}
	res, st3 := c.DeliverWithdrawal(t.Context(), ch, st, "")
	if !res.Acknowledged() || string(st3) != `{"message_ids":null}` || len(srv.Messages(ch.ChatID)) != 0 {
		t.Errorf("withdrawal: %+v, state %s, %d messages left", res, st3, len(srv.Messages(ch.ChatID)))
	}
	if res := c.CheckChannel(t.Context(), publish.TelegramChannel{ChatID: ch.ChatID, BotToken: "1:wrong"}); res.StatusCode != 401 || res.Acknowledged() {
		t.Errorf("check with a wrong token: %+v, want 401", res)
	}
}

// What a connector returns is judged by the delivery policy as it stands: a 429's retry_after
// becomes the next attempt's delay, and success delivers.
func TestChannelResultJudged(t *testing.T) {
	srv, c := newTelegram(t, nil)
	srv.Inject(telegramtest.Fault{Method: "sendMessage", Status: 429, RetryAfter: 3600})
	ch := tgChannel
	res, st := c.DeliverRelease(t.Context(), ch, release(tarjuma.Russian, "Заголовок"), nil, "", nil)
	if res.StatusCode != 429 || res.RetryAfter != time.Hour || st != nil {
		t.Fatalf("result %+v, state %s; want 429 after an hour and no state", res, st)
	}
	now := time.Now()
	d := publish.Delivery{ID: 1, GiveUpAt: publish.GiveUpAt(now)}
	if outcome, delay := d.Judge(res, time.Second, 0, false, now); outcome != publish.OutcomeRetry || delay != time.Hour {
		t.Errorf("judged %v after %v, want a retry after 1h", outcome, delay)
	}

	wp := wordpresstest.New()
	wc := publish.NewWordPressClient(publish.WordPressConfig{HTTPClient: wp.Client()})
	site, err := publish.NewWordPressSite(wordpresstest.SiteURL, []byte(`{"category_id":4}`),
		[]byte(`{"username":"desk","app_password":"`+wordpresstest.Editor.AppPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	res, raw := wc.DeliverRelease(t.Context(), site, release(tarjuma.Russian, "Заголовок", "Текст."), nil, nil)
	if outcome, _ := d.Judge(res, time.Second, 0, false, now); outcome != publish.OutcomeDelivered || string(raw) != `{"post_id":41,"link":"http://wordpress.test/?p=41"}` {
		t.Errorf("judged %v with state %s, want delivered post 41", outcome, raw)
	}
	if got := wp.Posts()[0]; got.Content != "<!-- tarjuma-article-7-ru -->\n<p>Текст.</p>\n" || got.Title != "Заголовок" || !cmp.Equal(got.Categories, []int64{4}) {
		t.Errorf("post %+v", got)
	}
}

// With Polylang Pro, the Tajik delivery links to the Russian post its sibling state names.
func TestWordPressDeliverLinksSiblings(t *testing.T) {
	wp := wordpresstest.New()
	wp.Polylang = wordpresstest.PolylangPro
	wc := publish.NewWordPressClient(publish.WordPressConfig{HTTPClient: wp.Client()})
	site := publish.WordPressSite{URL: wordpresstest.SiteURL, Username: "desk", AppPassword: wordpresstest.Editor.AppPassword}
	_, ru := wc.DeliverRelease(t.Context(), site, release(tarjuma.Russian, "Заголовок"), nil, nil)
	res, tg := wc.DeliverRelease(t.Context(), site, release(tarjuma.Tajik, "Сарлавҳа"), nil, map[tarjuma.Lang][]byte{tarjuma.Russian: ru})
	if !res.Acknowledged() || string(tg) != `{"post_id":42,"link":"http://wordpress.test/?p=42","lang":"tg"}` {
		t.Fatalf("result %+v, state %s", res, tg)
	}
	if diff := cmp.Diff(map[string]int64{"ru": 41, "tg": 42}, wp.Translations(41)); diff != "" {
		t.Errorf("translations (-want +got):\n%s", diff)
	}
	if res := wc.DeliverWithdrawal(t.Context(), site, release(tarjuma.Tajik, "Сарлавҳа"), tg); !res.Acknowledged() || wp.Posts()[1].Status != "draft" {
		t.Errorf("withdrawal: %+v, post %+v", res, wp.Posts()[1])
	}
}

func TestChannelSettingsValidated(t *testing.T) {
	bad := []struct {
		name string
		err  error
		want string
	}{
		{"wordpress status", publish.WordPressSettings{Status: "trash"}.Validate(), "status must be one of"},
		{"wordpress polylang", publish.WordPressSettings{Polylang: "yes"}.Validate(), "polylang must be"},
		{"telegram chat without @", publish.CheckTelegramChatID("tarjuma_ru"), "chat_id must be"},
		{"telegram chat too short", publish.CheckTelegramChatID("@abc"), "chat_id must be"},
		{"telegram chat with a space", publish.CheckTelegramChatID("@tarjuma ru"), "chat_id must be"},
		{"telegram token fragment", publish.CheckTelegramToken("AAH-test-token"), "bot_token must be"},
		{"telegram token with a path", publish.CheckTelegramToken("123:AAAAAAAAAAAAAAAAAAAAAAAA/../x"), "bot_token must be"},
	}
	for _, tt := range bad {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, tt.err, tt.want)
		}
	}
	for _, id := range []string{"@tarjuma_ru", "-1001234567890", "123456"} {
		if err := publish.CheckTelegramChatID(id); err != nil {
			t.Errorf("chat id %q: %v", id, err)
		}
	}
	if err := publish.CheckTelegramToken("123456789:AAH4d8xkFJ-_kq8nV1rBbU0aZ2lQ3e4r5t6"); err != nil {
		t.Errorf("token: %v", err)
	}
	// A channel whose settings or credentials do not hold is failed at once, not retried.
	for name, err := range map[string]error{
		"wordpress without a password": second(publish.NewWordPressSite("https://news.example.tj", nil, []byte(`{"username":"desk"}`))),
		"wordpress bad status":         second(publish.NewWordPressSite("https://news.example.tj", []byte(`{"status":"trash"}`), []byte(`{"username":"desk","app_password":"x"}`))),
		"telegram bad chat":            second(publish.NewTelegramChannel([]byte(`{"chat_id":"news"}`), []byte(`{"bot_token":"`+tgToken+`"}`))),
		"telegram bad token":           second(publish.NewTelegramChannel([]byte(`{"chat_id":"@tarjuma_ru"}`), []byte(`{"bot_token":"1:x/../../getMe"}`))),
		"telegram without a token":     second(publish.NewTelegramChannel([]byte(`{"chat_id":"@tarjuma_ru"}`), []byte(`{}`))),
	} {
		var ce *publish.ChannelConfigError
		if !errors.As(err, &ce) || !ce.Permanent() {
			t.Errorf("%s: error %v, want a permanent ChannelConfigError", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// BenchmarkTelegramPostMessages renders and splits a long article: 40 paragraphs of 610
// characters of Tajik, 24,000 in all. Six paragraphs take 6×610 + 5×2 = 3670 and a seventh
// would make 4282, so the article takes ⌈40/6⌉ = 7 messages.
func BenchmarkTelegramPostMessages(b *testing.B) {
	p := publish.TelegramPost{Title: "Сарлавҳа"}
	for range 40 {
		p.Paragraphs = append(p.Paragraphs, strings.Repeat("Ҳукумати Ҷумҳурии Тоҷикистон қарор қабул кард. ", 13))
	}
	b.ReportAllocs()
	for b.Loop() {
		if n := len(p.Messages()); n != 7 {
			b.Fatalf("%d messages", n)
		}
	}
}
