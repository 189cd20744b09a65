package review

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postJSON posts form as qa.js does: the CSRF token in its header, asking for JSON.
func (c *client) postJSON(path string, form url.Values, csrf string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	return c.do(req)
}

// TestCheckEndpoint: the editor's live check answers with the flags worded in the page's
// language and the one-click fix; it is for who may edit the language and needs the session's
// CSRF token. qa.js's dismissal answers JSON: the dismissal, or the page's refusal message.
func TestCheckEndpoint(t *testing.T) {
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	c := f.signedIn(t, "translator")
	c.lang = "ru"
	tok := c.csrf // a refused post's page carries no token to pick up
	stored := "Роҳбарон соли 2024 дар Душанбе ҷамъ омаданд, 16 ҳайат."
	resp := c.postJSON("/review/1/tg/segments/p1.s1/check", url.Values{"text": {stored + " ќарор"}}, tok)
	if resp.status != http.StatusOK || !strings.HasPrefix(resp.header.Get("Content-Type"), "application/json") {
		t.Fatalf("check: %d %s\n%s", resp.status, resp.header.Get("Content-Type"), resp.body)
	}
	var got struct {
		Version int
		Text    string
		Flags   []checkedFlagJSON
	}
	if err := json.Unmarshal([]byte(resp.body), &got); err != nil {
		t.Fatal(err)
	}
	// The source has 2024 and no 16 (sourceBody): the stored number flag stays; ќ (U+045C) is
	// the legacy glyph for қ (U+049B).
	if len(got.Flags) != 2 || got.Flags[0].Kind != "number_extra" || !got.Flags[0].Stored || got.Flags[0].Fix != nil ||
		got.Flags[1].Kind != "legacy_glyph" || got.Flags[1].Stored || got.Flags[1].Fix == nil || *got.Flags[1].Fix != stored+" қарор" {
		t.Fatalf("flags %+v", got.Flags)
	}
	if msg := got.Flags[1].Message; msg != "«ќарор» набрано буквами старого шрифта (Ќ њ љ ї ў ѓ): пишите «қарор»." {
		t.Errorf("message in Russian: %q", msg)
	}
	if !got.Flags[0].Blocks || !got.Flags[0].Dismissable || got.Version != 1 {
		t.Errorf("number flag %+v of version %d: want blocking, dismissable, version 1", got.Flags[0], got.Version)
	}

	if r := c.postJSON("/review/1/tg/segments/p1.s1/check", url.Values{"text": {"x"}}, "wrong"); r.status != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", r.status)
	}
	ru := f.signedIn(t, "ru-only")
	if r := ru.postJSON("/review/1/tg/segments/p1.s1/check", url.Values{"text": {"x"}}, ru.csrf); r.status != http.StatusForbidden {
		t.Errorf("a translator of another language: %d", r.status)
	}
	if r := c.postJSON("/review/1/tg/segments/p9.s9/check", url.Values{"text": {"x"}}, tok); r.status != http.StatusNotFound {
		t.Errorf("an unknown segment: %d", r.status)
	}

	dismiss := url.Values{"kind": {"number_extra"}, "arg": {"16"}}
	r := c.postJSON("/review/1/tg/versions/1/segments/p1.s1/dismissals", dismiss, tok)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Укажите, почему флаг ошибочен") {
		t.Errorf("dismissal without a reason: %d %s", r.status, r.body)
	}
	dismiss.Set("reason", "16 ҳайат — дар матни пурра")
	r = c.postJSON("/review/1/tg/versions/1/segments/p1.s1/dismissals", dismiss, tok)
	var d dismissalJSON
	if err := json.Unmarshal([]byte(r.body), &d); r.status != http.StatusCreated || err != nil || d.Reason != "16 ҳайат — дар матни пурра" || d.By != "tg@desk.test" {
		t.Errorf("dismissal: %d %s (%v)", r.status, r.body, err)
	}
	var again struct{ Flags []checkedFlagJSON }
	r = c.postJSON("/review/1/tg/segments/p1.s1/check", url.Values{"text": {stored}}, tok)
	if err := json.Unmarshal([]byte(r.body), &again); err != nil || len(again.Flags) != 1 || again.Flags[0].Dismissed == nil {
		t.Errorf("after the dismissal: %s (%v)", r.body, err)
	}
}

// BenchmarkCheckEndpoint is the server's part of the live check: one segment of a 150-segment
// draft checked over HTTP, as qa.js asks after each pause in typing.
func BenchmarkCheckEndpoint(b *testing.B) {
	f := newFixture(b, "sqlite:"+b.TempDir()+"/desk.db")
	a := liveQADraft(b, f, "bench", 150)
	c := f.signedIn(b, "translator")
	path := "/review/" + itoa64(a.ID) + "/tg/segments/p81.s1/check"
	form := url.Values{"text": {"Ҳайати рақами 81 ба Душанбе расид ва ќарор 5 бор."}}
	for b.Loop() {
		if r := c.postJSON(path, form, c.csrf); r.status != http.StatusOK {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}
