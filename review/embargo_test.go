package review

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tarjuma/tarjuma/locale"
)

// TestEmbargoForm: on the article's page an editor sets an embargo, sees until when it holds
// and who changed it, is told when a time is not one (keeping what she typed), and lifts it.
func TestEmbargoForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite:"+t.TempDir()+"/desk.db")
	a, _ := f.publishDraft(t)
	page := "/review/" + itoa64(a.ID) + "/tg"
	messages, err := locale.New()
	if err != nil {
		t.Fatal(err)
	}
	en := messages.Localizer("en")
	says := func(resp response, id string) bool {
		t.Helper()
		want, err := en.T(id)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Contains(resp.body, template.HTMLEscapeString(want))
	}
	c := f.signedIn(t, "editor")
	if before := c.get(page); !says(before, "embargo.none") || strings.Contains(before.body, `id="embargo-lift"`) {
		t.Fatalf("an article without embargo: the page does not say so, or offers to lift one")
	}

	until := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	resp := c.post(page+"/embargo", url.Values{"embargo_until": {until.In(time.FixedZone("", 5*3600)).Format(time.RFC3339)}})
	if resp.status != http.StatusSeeOther || resp.location != page+"?done=embargo_set#embargo" {
		t.Fatalf("set: %d → %q", resp.status, resp.location)
	}
	shown := c.get(resp.location)
	if !says(shown, "embargo.set_done") || !says(shown, "embargo.until") || !strings.Contains(shown.body, `datetime="`+until.Format(time.RFC3339)+`"`) ||
		!says(shown, "embargo.moved") || !strings.Contains(shown.body, "<bdi>"+people["editor"].Email+"</bdi>") || !strings.Contains(shown.body, `id="embargo-lift"`) {
		t.Errorf("the page after setting the embargo does not show it, who set it, or the lift button:\n%s", section(shown.body, `id="embargo"`))
	}

	refused := c.post(page+"/embargo", url.Values{"embargo_until": {"next Tuesday"}})
	if refused.status != http.StatusUnprocessableEntity || !says(refused, "submit.error_embargo") || !strings.Contains(refused.body, `value="next Tuesday"`) {
		t.Errorf("a time that is not one: %d, want 422 with the message and the text kept:\n%s", refused.status, section(refused.body, `id="embargo"`))
	}

	resp = c.post(page+"/embargo", url.Values{"embargo_until": {until.Format(time.RFC3339)}, "lift": {"1"}})
	if resp.status != http.StatusSeeOther || resp.location != page+"?done=embargo_lifted#embargo" {
		t.Fatalf("lift: %d → %q", resp.status, resp.location)
	}
	if lifted := c.get(resp.location); !says(lifted, "embargo.lifted_done") || !says(lifted, "embargo.none") || !says(lifted, "embargo.lifted") {
		t.Errorf("the page after lifting does not say it:\n%s", section(lifted.body, `id="embargo"`))
	}
}
