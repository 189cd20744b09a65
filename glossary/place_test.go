package glossary

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tarjuma/tarjuma"
)

// TestPlace finds an engine's renderings of the starter terms in its sentences, worked by hand:
// each want is what a Russian or Tajik editor would print.
func TestPlace(t *testing.T) {
	m := starterMatcher(t)
	rahmon := "إمام علي رحمان"
	tests := []struct {
		name, lang, source, engine string
		renderings                 map[string]string // Arabic spelling → the engine's rendering alone
		want                       string
		placed                     []Placement
	}{
		{"dative of the engine's spelling", "ru", "شكر " + rahmon, "Благодарность Имомали Рахмону",
			map[string]string{rahmon: "Имомали Рахмон"}, "Благодарность Эмомали Рахмону", []Placement{Placed}},
		{"a letter of transliteration off", "ru", "التقى " + rahmon, "Встреча с Имамали Рахмоном",
			map[string]string{rahmon: "Имомали Рахмон"}, "Встреча с Эмомали Рахмоном", []Placement{Placed}},
		{"the desk's own spelling", "ru", "التقى " + rahmon, "Встреча с Эмомали Рахмоном", nil,
			"Встреча с Эмомали Рахмоном", []Placement{Placed}},
		{"title and name in apposition", "ru", "التقى رئيس جمهورية طاجيكستان " + rahmon,
			"Он встретился с президентом Таджикистана Имомали Рахмоном",
			map[string]string{"رئيس جمهورية طاجيكستان": "Президент Таджикистана", rahmon: "Имомали Рахмон"},
			"Он встретился с Президентом Республики Таджикистан Эмомали Рахмоном", []Placement{Placed, Placed}},
		{"a title starting the sentence", "ru", "قال رئيس جمهورية طاجيكستان", "президент Таджикистана заявил",
			map[string]string{"رئيس جمهورية طاجيكستان": "президент Таджикистана"}, "Президент Республики Таджикистан заявил", []Placement{Placed}},
		{"an indeclinable rendering after a noun", "ru", "قمة منظمة شنغهاي للتعاون", "саммит ШОС",
			map[string]string{"منظمة شنغهاي للتعاون": "ШОС"}, "саммит Шанхайской организации сотрудничества", []Placement{Guessed}},
		{"an indeclinable rendering after motion into", "ru", "وصل إلى موسكو", "Он прибыл в Мск",
			map[string]string{"موسكو": "Мск"}, "Он прибыл в Москву", []Placement{Guessed}},
		{"a paraphrase is not found", "ru", "قال " + rahmon, "Сказал таджикский лидер",
			map[string]string{rahmon: "Имомали Рахмон"}, "Сказал таджикский лидер", []Placement{NotFound}},
		{"tajik object", "tg", "استقبل " + rahmon, "Имомалӣ Раҳмонро пазируфтанд",
			map[string]string{rahmon: "Имомалӣ Раҳмон"}, "Эмомалӣ Раҳмонро пазируфтанд", []Placement{Placed}},
		{"tajik и for ӣ", "tg", "قال " + rahmon, "Имомали Раҳмон гуфт",
			map[string]string{rahmon: "Имомалӣ Раҳмон"}, "Эмомалӣ Раҳмон гуфт", []Placement{Placed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			renderings := map[string]string{}
			for ar, r := range tt.renderings {
				renderings[Normalize(ar)] = r
			}
			matches := m.Match(tt.source)
			got, placed := m.Place(tt.engine, matches, tarjuma.Lang(tt.lang), renderings)
			if got != tt.want {
				t.Errorf("Place = %q, want %q", got, tt.want)
			}
			if diff := cmp.Diff(tt.placed, placed); diff != "" {
				t.Errorf("placements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecline puts locked nominatives in the case the words before call for.
func TestDecline(t *testing.T) {
	m := starterMatcher(t)
	for _, tt := range []struct{ lang, text, want string }{
		{"ru", "Встреча с Президент Республики Таджикистан Эмомали Рахмон", "Встреча с Президентом Республики Таджикистан Эмомали Рахмоном"},
		{"ru", "Письмо к Президент Республики Таджикистан", "Письмо к Президенту Республики Таджикистан"},
		{"ru", "Визит Президент Республики Таджикистан", "Визит Президента Республики Таджикистан"},
		{"ru", "Заявил Президент Республики Таджикистан", "Заявил Президент Республики Таджикистан"},
		{"ru", "Он прибыл в Душанбе", "Он прибыл в Душанбе"},
		{"tg", "Ҳайат Эмомалӣ Раҳмон -ро пазируфт", "Ҳайат Эмомалӣ Раҳмонро пазируфт"},
		{"tg", "бо Эмомалӣ Раҳмон вохӯрд", "бо Эмомалӣ Раҳмон вохӯрд"},
	} {
		lang := tarjuma.Lang(tt.lang)
		var ids []string
		text := tt.text
		for _, id := range []string{"president-of-tajikistan", "emomali-rahmon", "dushanbe"} {
			term, _ := m.Term(id)
			form := term.Targets[lang].Preferred
			text = strings.Replace(text, form, `<span translate="no">`+form+`</span>`, 1)
			ids = append(ids, id)
		}
		plain, locked, err := UnprotectLocked(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Decline(plain, locked, ids, lang); got != tt.want {
			t.Errorf("Decline(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
