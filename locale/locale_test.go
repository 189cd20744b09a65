package locale

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func bundle(t *testing.T) *Bundle {
	t.Helper()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pluralForms are the CLDR plural categories of each interface language, for cardinals.
var pluralForms = map[string][]string{
	"en": {"one", "other"},
	"tg": {"one", "other"},
	"ru": {"few", "many", "one", "other"},
	"ar": {"few", "many", "one", "other", "two", "zero"},
}

func TestLangs(t *testing.T) {
	got := bundle(t).Langs()
	if want := []string{"en", "ar", "ru", "tg"}; !slices.Equal(got, want) {
		t.Errorf("Langs = %v, want %v", got, want)
	}
}

// TestMessagesComplete fails on a message id missing or empty in any language, on a plain
// message that is plural elsewhere, and on a plural message without exactly its language's
// CLDR categories (all six in Arabic).
func TestMessagesComplete(t *testing.T) {
	b := bundle(t)
	reference := b.Messages(Default)
	if len(reference) == 0 {
		t.Fatal("no messages in the default language")
	}
	for _, lang := range b.Langs() {
		msgs := b.Messages(lang)
		for id, ref := range reference {
			m, ok := msgs[id]
			switch {
			case !ok:
				t.Errorf("%s: message %q is missing", lang, id)
			case (ref.Plural == nil) != (m.Plural == nil):
				t.Errorf("%s: message %q is plural in one language and not in the other", lang, id)
			case m.Plural == nil && strings.TrimSpace(m.Text) == "":
				t.Errorf("%s: message %q is empty", lang, id)
			case m.Plural != nil:
				if got := slices.Sorted(maps.Keys(m.Plural)); !slices.Equal(got, pluralForms[lang]) {
					t.Errorf("%s: plural message %q has forms %v, want %v", lang, id, got, pluralForms[lang])
				}
				for form, text := range m.Plural {
					if strings.TrimSpace(text) == "" {
						t.Errorf("%s: plural message %q has an empty %q form", lang, id, form)
					}
				}
			}
		}
		for id := range msgs {
			if _, ok := reference[id]; !ok {
				t.Errorf("%s: message %q is not in %s", lang, id, Default)
			}
		}
	}
}

func TestPlurals(t *testing.T) {
	b := bundle(t)
	for _, tc := range []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 translation"},
		{"en", 2, "2 translations"},
		{"ru", 1, "1 перевод"},
		{"ru", 3, "3 перевода"},
		{"ru", 11, "11 переводов"},
		{"ru", 21, "21 перевод"},
		{"ar", 0, "لا توجد ترجمات"},
		{"ar", 1, "ترجمة واحدة"},
		{"ar", 2, "ترجمتان"},
		{"ar", 5, "5 ترجمات"},
		{"ar", 11, "11 ترجمة"},
		{"ar", 100, "100 ترجمة"},
		{"tg", 7, "7 тарҷума"},
	} {
		got, err := b.Localizer(tc.lang).N("queue.count", tc.count)
		if err != nil || got != tc.want {
			t.Errorf("%s N(queue.count, %d) = %q, %v; want %q", tc.lang, tc.count, got, err, tc.want)
		}
	}
}

func TestUnknownMessageIsAnError(t *testing.T) {
	if s, err := bundle(t).Localizer("ar").T("no.such.message"); err == nil {
		t.Errorf("T(unknown) = %q, want an error", s)
	}
	if _, err := bundle(t).Localizer("en").T("editor.version", "N"); err == nil {
		t.Error("T with an odd number of arguments: want an error")
	}
}

func TestNegotiate(t *testing.T) {
	b := bundle(t)
	for _, tc := range []struct {
		name, setting, cookie, accept string
		lang, dir                     string
	}{
		{"nothing", "", "", "", "en", "ltr"},
		{"accept arabic", "", "", "ar-EG,ar;q=0.9,en;q=0.5", "ar", "rtl"},
		{"accept russian region", "", "", "ru-RU", "ru", "ltr"},
		{"accept tajik", "", "", "tg-Cyrl-TJ", "tg", "ltr"},
		{"accept unsupported", "", "", "fr-FR,de", "en", "ltr"},
		{"accept malformed", "", "", ";;;", "en", "ltr"},
		{"cookie beats accept", "", "ru", "ar", "ru", "ltr"},
		{"unknown cookie ignored", "", "xx", "ar", "ar", "rtl"},
		{"setting beats cookie", "ar", "ru", "en", "ar", "rtl"},
		{"unknown setting ignored", "zz", "tg", "", "tg", "ltr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tc.cookie})
			}
			lang, dir := b.Negotiate(r, tc.setting)
			if lang != tc.lang || dir != tc.dir {
				t.Errorf("Negotiate = %s, %s; want %s, %s", lang, dir, tc.lang, tc.dir)
			}
		})
	}
}

// technical are the Latin-script words a translated message may keep: formats, protocol and
// header names, field names of the glossary file, the names of the product, of English and of
// the publishing channels.
var technical = map[string]bool{
	"Tarjuma": true, "English": true, "URL": true, "http": true, "https": true, "CSV": true, "TBX": true,
	"UTF": true, "NUL": true, "webhook": true, "id": true, "Standard": true, "Webhooks": true, "Gone": true,
	"gen": true, "dat": true, "true": true, "false": true, "YYYY": true, "MM": true, "DD": true,
	"kind": true, "ar": true, "tg": true, "ru": true, "en": true, "note": true, "valid_from": true,
	"valid_until": true, "dnt": true, "API": true, "U": true, // U+202E, a code point
	// Channels: products and formats go by their own names, as Russian and Tajik news sites
	// write them, and the variable an admin sets.
	"WordPress": true, "Telegram": true, "Polylang": true, "BotFather": true, "IPTC": true, "ninjs": true,
	"JSON": true, "tarjuma": true, "TARJUMA_SECRET_KEY": true,
}

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z_]*`)

// TestNoEnglishLeftInTranslations fails on an English word left in the Arabic, Tajik or
// Russian messages ("machine" was, in every one): placeholders and the technical words above
// aside, their text has no Latin-script word.
func TestNoEnglishLeftInTranslations(t *testing.T) {
	b := bundle(t)
	placeholder := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for _, lang := range b.Langs() {
		if lang == "en" {
			continue
		}
		for id, m := range b.Messages(lang) {
			texts := []string{m.Text}
			for _, p := range m.Plural {
				texts = append(texts, p)
			}
			for _, text := range texts {
				for _, w := range latinWord.FindAllString(placeholder.ReplaceAllString(text, ""), -1) {
					if !technical[w] {
						t.Errorf("%s: %s has the Latin word %q: %q", lang, id, w, text)
					}
				}
			}
		}
	}
}
