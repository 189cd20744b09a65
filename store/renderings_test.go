package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestRenderings stores engines' renderings of terms per engine, language and glossary version,
// byte-exact, and drops an engine's renderings under older versions once newer ones are saved.
func TestRenderings(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := t.Context()
		save := func(provider string, lang tarjuma.Lang, version int64, r map[string]string) {
			t.Helper()
			if err := db.SaveRenderings(ctx, provider, lang, version, r); err != nil {
				t.Fatal(err)
			}
		}
		lookup := func(provider string, lang tarjuma.Lang, version int64, keys ...string) map[string]string {
			t.Helper()
			got, err := db.LookupRenderings(ctx, provider, lang, version, keys)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		save("google-v2", tarjuma.Russian, 3, map[string]string{"امام علي رحمان": "Имомали Рахмон", "دوشنبه": "Душанбе"})
		save("google-v2", tarjuma.Tajik, 3, map[string]string{"امام علي رحمان": "Эмомалӣ Раҳмон"})
		save("deepl", tarjuma.Russian, 3, map[string]string{"دوشنبه": "Душанбе"})

		if got, want := lookup("google-v2", tarjuma.Russian, 3, "امام علي رحمان", "دوشنبه", "غائب"),
			map[string]string{"امام علي رحمان": "Имомали Рахмон", "دوشنبه": "Душанбе"}; !cmp.Equal(got, want) {
			t.Errorf("ru renderings = %v, want %v", got, want)
		}
		if got := lookup("google-v2", tarjuma.Tajik, 3, "امام علي رحمان"); got["امام علي رحمان"] != "Эмомалӣ Раҳмон" {
			t.Errorf("tg rendering = %q, want the Tajik letters byte-exact", got["امام علي رحمان"])
		}
		if got := lookup("google-v2", tarjuma.Russian, 4, "دوشنبه"); len(got) != 0 {
			t.Errorf("another glossary version found %v, want nothing", got)
		}

		// A newer version replaces this engine's older renderings, and no other engine's.
		save("google-v2", tarjuma.Russian, 4, map[string]string{"دوشنبه": "Душанбе"})
		if got := lookup("google-v2", tarjuma.Russian, 3, "امام علي رحمان"); len(got) != 0 {
			t.Errorf("version 3 kept %v after version 4 was saved", got)
		}
		if got := lookup("deepl", tarjuma.Russian, 3, "دوشنبه"); len(got) != 1 {
			t.Errorf("another engine's renderings = %v, want kept", got)
		}
		// Saving the same key again replaces it.
		save("google-v2", tarjuma.Russian, 4, map[string]string{"دوشنبه": "Душанбе (город)"})
		if got := lookup("google-v2", tarjuma.Russian, 4, "دوشنبه"); got["دوشنبه"] != "Душанбе (город)" {
			t.Errorf("resaved rendering = %v", got)
		}
	})
}
