package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

type checkJSON struct {
	Version int `json:"version"`
	Text    string
	Flags   []checkedFlagJSON
}

// TestCheckSegment: the check answers with the flags a save of the text would store, the fixes
// mend what they name, and once stored the flags are dismissable and show their dismissal. The
// expected flags are worked out by hand: "Душaнбе" has a Latin a (U+0061) for а (U+0430) and
// is the glossary's Душанбе, so it is one look-alike flag and not also a missing term; ќ
// (U+045C) is a legacy glyph for қ (U+049B).
func TestCheckSegment(t *testing.T) {
	eachDB(t, func(t *testing.T, e *testEnv) {
		_, path := reviewDraft(t, e)
		text := " Президент дар Душaнбе ширкат кард ва ќарор қабул кард. "
		trimmed := strings.TrimSpace(text)
		check := func(role tarjuma.Role, segment, text string, status int) checkJSON {
			t.Helper()
			return decode[checkJSON](t, e.as(t, role, "POST", path+"/segments/"+segment+"/check", jsonOf(t, map[string]string{"text": text})), status)
		}
		got := check(tarjuma.RoleReviewer, "p1.s1", text, http.StatusOK)
		fixedScript := strings.Replace(trimmed, "Душaнбе", "Душанбе", 1)
		fixedGlyph := strings.Replace(trimmed, "ќарор", "қарор", 1)
		want := []checkedFlagJSON{
			{flagJSON: flagJSON{Kind: "mixed_script", Args: []string{"Душaнбе", "Душанбе"}}, Fix: &fixedScript},
			{flagJSON: flagJSON{Kind: "legacy_glyph", Args: []string{"ќарор", "қарор"}}, Fix: &fixedGlyph},
		}
		if diff := cmp.Diff(want, got.Flags, cmp.AllowUnexported(checkedFlagJSON{})); diff != "" || got.Version != 1 || got.Text != trimmed {
			t.Fatalf("check of version %d, text %q: flags (-want +got):\n%s", got.Version, got.Text, diff)
		}
		if clean := check(tarjuma.RoleReviewer, "p1.s1", fixedGlyph, http.StatusOK); len(clean.Flags) != 1 || clean.Flags[0].Kind != "mixed_script" {
			t.Errorf("after the glyph fix: %+v, want the look-alike alone", clean.Flags)
		}

		// Saved, the version carries exactly those flags; checked again they are stored.
		texts := map[string]string{tarjuma.TitleSegmentID: "Саммит дар Душанбе", "p1.s1": text, "p2.s1": "Ӯ дар бораи ҳамкорӣ сухан гуфт."}
		v2 := decode[versionJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions", jsonOf(t, editRequest(1, texts, "p1.s1", "p2.s1"))), http.StatusCreated)
		var checked []flagJSON
		for _, f := range got.Flags {
			checked = append(checked, f.flagJSON)
		}
		if diff := cmp.Diff(checked, v2.Segments[0].Flags); diff != "" {
			t.Errorf("stored flags differ from the check's (-check +stored):\n%s", diff)
		}
		again := check(tarjuma.RoleReviewer, "p1.s1", text, http.StatusOK)
		if again.Version != 2 || len(again.Flags) != 2 || !again.Flags[0].Stored || !again.Flags[1].Stored {
			t.Errorf("after the save: version %d, flags %+v; want version 2, both stored", again.Version, again.Flags)
		}
		decode[dismissalJSON](t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/versions/2/segments/p1.s1/dismissals",
			jsonOf(t, map[string]any{"kind": "legacy_glyph", "args": []string{"ќарор", "қарор"}, "reason": "цитата аз матни кӯҳна"})), http.StatusCreated)
		again = check(tarjuma.RoleReviewer, "p1.s1", text, http.StatusOK)
		if d := again.Flags[1].Dismissed; d == nil || d.Reason != "цитата аз матни кӯҳна" || again.Flags[0].Dismissed != nil {
			t.Errorf("after the dismissal: %+v, want the glyph flag dismissed with its reason", again.Flags)
		}

		// Empty text is the empty flag; an unknown segment 404; a token without the language 403.
		if empty := check(tarjuma.RoleReviewer, "title", "  ", http.StatusOK); len(empty.Flags) != 1 || empty.Flags[0].Kind != "empty" || empty.Flags[0].Fix != nil {
			t.Errorf("empty text: %+v", empty.Flags)
		}
		wantError(t, e.as(t, tarjuma.RoleReviewer, "POST", path+"/segments/p9.s9/check", `{"text": "x"}`), http.StatusNotFound, "not_found", "")
		wantError(t, e.as(t, tarjuma.RoleTranslator, "POST", path+"/segments/p1.s1/check", `{"text": "x"}`), http.StatusForbidden, "forbidden", "")
	})
}
