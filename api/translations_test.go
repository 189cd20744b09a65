package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tarjuma/tarjuma"
)

func TestTranslationEndpoints(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, e *testEnv) {
		title, body := sample(t)
		a := e.submit(t, map[string]any{"title": title, "body": body})
		stored := saveMachineVersion(t, e.db, a.ID, tarjuma.Tajik, 1, title)
		base := fmt.Sprintf("/api/v1/articles/%d/translations", a.ID)

		want := &versionJSON{
			versionSummaryJSON: versionSummaryJSON{
				Number:         1,
				Title:          stored.Segments[0].Text,
				TitleSource:    title,
				TitleOrigin:    tarjuma.OriginMemory,
				TitleStatus:    tarjuma.SegmentDraft,
				SourceRevision: 1,
				Author:         tarjuma.MachineAuthor,
				Machine:        true,
			},
			Segments: []segmentJSON{
				{ID: "p1.s1", Source: "شارك الرئيس.", Text: "Президент принял участие.", Origin: "mt:stub", Status: tarjuma.SegmentDraft},
				{ID: "p1.s2", Source: "وتحدث عن التعاون.", Text: "وتحدث عن التعاون.", Origin: "untranslated", Status: tarjuma.SegmentDraft,
					Flags: []flagJSON{{Kind: "untranslated"}}},
			},
			// A machine version: nothing confirmed; the words are the Arabic source's.
			Progress: progressJSON{Segments: 3, Words: 5 + len(strings.Fields(title))},
		}
		// Its summary is an embedded, unexported type; a version stored without a glossary has
		// empty (not null) term lists.
		embedded := cmp.Options{cmp.AllowUnexported(versionJSON{}), cmpopts.EquateEmpty()}
		// ignoreTime drops the store's timestamps after checking they are set.
		ignoreTime := func(v *versionJSON) *versionJSON {
			t.Helper()
			if v == nil || v.CreatedAt.IsZero() {
				t.Fatalf("version %+v has no created_at", v)
			}
			v.CreatedAt = want.CreatedAt
			return v
		}

		rec := e.as(t, tarjuma.RoleTranslator, "GET", base+"/tg", "")
		tg := decode[translationDetailJSON](t, rec, http.StatusOK)
		if tg.ArticleID != a.ID || tg.Lang != tarjuma.Tajik || tg.Status != tarjuma.StatusNeedsReview || tg.SourceRevision != 1 {
			t.Errorf("translation %+v, want article %d tg needs_review for revision 1", tg.translationJSON, a.ID)
		}
		if diff := cmp.Diff(want, ignoreTime(tg.LatestVersion), embedded); diff != "" {
			t.Errorf("latest_version (-want +got):\n%s", diff)
		}
		if !strings.Contains(rec.Body.String(), "ғ ӣ қ ӯ ҳ ҷ") {
			t.Error("Tajik letters are escaped in the response")
		}

		ru := e.as(t, tarjuma.RoleReviewer, "GET", base+"/ru", "")
		if decode[translationDetailJSON](t, ru, http.StatusOK).Status != tarjuma.StatusQueued ||
			!strings.Contains(ru.Body.String(), `"latest_version":null`) {
			t.Errorf("ru before any version: %s, want queued with latest_version null", ru.Body)
		}

		rec = e.as(t, tarjuma.RoleReviewer, "GET", base+"/tg/versions", "")
		list := decode[versionListJSON](t, rec, http.StatusOK)
		if len(list.Versions) != 1 || list.Versions[0].Number != 1 || list.Versions[0].Title != want.Title {
			t.Errorf("versions %+v, want version 1 titled %q", list.Versions, want.Title)
		}
		if strings.Contains(rec.Body.String(), `"segments"`) {
			t.Error("version list carries segments")
		}
		if got := decode[versionListJSON](t, e.as(t, tarjuma.RoleReviewer, "GET", base+"/ru/versions", ""), http.StatusOK); got.Versions == nil || len(got.Versions) != 0 {
			t.Errorf("ru versions %v, want an empty list", got.Versions)
		}

		v1 := decode[versionJSON](t, e.as(t, tarjuma.RoleEditor, "GET", base+"/tg/versions/1", ""), http.StatusOK)
		if diff := cmp.Diff(want, ignoreTime(&v1), embedded); diff != "" {
			t.Errorf("version 1 (-want +got):\n%s", diff)
		}

		for _, path := range []string{
			base + "/tg/versions/2",
			base + "/tg/versions/0",
			base + "/tg/versions/one",
			base + "/ru/versions/1",
			base + "/fr",
			base + "/ar/versions",
			"/api/v1/articles/987654321/translations/tg",
			"/api/v1/articles/987654321/translations/tg/versions",
			"/api/v1/articles/-1/translations/tg",
		} {
			t.Run(path, func(t *testing.T) {
				wantError(t, e.as(t, tarjuma.RoleEditor, "GET", path, ""), http.StatusNotFound, "not_found", "")
			})
		}
	})
}

func TestVersionWithoutTitleSegment(t *testing.T) {
	v := tarjuma.Version{Number: 3, Segments: []tarjuma.Segment{{ID: "p1.s1", Source: "نص", Text: "text", Origin: tarjuma.OriginHuman}}}
	got := newVersionJSON(v, nil)
	if got.Title != "" || got.TitleSource != "" || len(got.Segments) != 1 {
		t.Errorf("got %+v, want no title and the one segment kept", got)
	}
}
