package worker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tarjuma/tarjuma"
	"github.com/tarjuma/tarjuma/store"
	"github.com/tarjuma/tarjuma/translate"
)

// echoEngine is an Engine without limits that answers every text with itself.
type echoEngine struct{}

func (echoEngine) Name() string             { return "echo" }
func (echoEngine) Limits() translate.Limits { return translate.Limits{} }
func (echoEngine) Supports(_, _ tarjuma.Lang) (translate.Capabilities, bool) {
	return translate.Capabilities{HTML: true}, true
}
func (echoEngine) Send(_ context.Context, req translate.Request) ([]string, error) {
	return req.Texts, nil
}

// TestHandlerRecordsUsage translates an article, then a revision of it, through a provider
// that records usage in the database: each run adds what it sent, which for the revision is
// only the changed segments.
func TestHandlerRecordsUsage(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *store.DB) {
		reg := prometheus.NewPedanticRegistry()
		provider := translate.NewProvider(echoEngine{}, translate.ProviderOptions{Usage: db, Registerer: reg})
		h := newHandler(t, db, provider)
		title, body := "عنوان الخبر", "الجملة الأولى. الجملة الثانية."
		a := submit(t, db, title, body)
		mustProcess(t, h, a.ID, tarjuma.Russian, 1)
		changed := "جملة معدلة."
		if _, err := db.UpdateArticleSource(t.Context(), a.ID, 0, title, "الجملة الأولى. "+changed, "test"); err != nil {
			t.Fatal(err)
		}
		mustProcess(t, h, a.ID, tarjuma.Russian, 2)

		chars := utf8.RuneCountInString(title + "الجملة الأولى." + "الجملة الثانية." + changed)
		got, err := db.ArticleUsage(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]store.Usage{{Lang: tarjuma.Russian, Provider: "echo", Characters: int64(chars), Requests: 2}}, got); diff != "" {
			t.Errorf("usage (-want +got):\n%s", diff)
		}
		if err := testutil.GatherAndCompare(reg, strings.NewReader(fmt.Sprintf(`
# HELP tarjuma_mt_characters_total Characters (code points) sent to each MT engine per target language, retries included; engines bill by them.
# TYPE tarjuma_mt_characters_total counter
tarjuma_mt_characters_total{lang="ru",provider="echo"} %d
`, chars)), "tarjuma_mt_characters_total"); err != nil {
			t.Error(err)
		}
	})
}
