// Package locale owns the review desk's interface languages: the go-i18n bundle built from the
// embedded message files (one per language, every user-facing string a message id), the choice
// of a request's language (the user's setting, then the switcher's cookie, then Accept-Language)
// and the text direction that goes with it. It knows nothing about pages or users, so the
// review pages and any later HTML surface negotiate the same way.
package locale

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.json
var messageFiles embed.FS

// CookieName is the cookie the language switcher sets for visitors, and for signed-in users
// until their setting is saved.
const CookieName = "tarjuma_ui_lang"

// Default is the language of a request that states no preference the desk can serve.
const Default = "en"

// Bundle holds every language's messages. It is immutable after New and safe for concurrent use.
type Bundle struct {
	bundle  *i18n.Bundle
	langs   []string // the supported languages, Default first
	matcher language.Matcher
	ids     map[string]map[string]*i18n.Message // language → id → message, for Messages
}

// New parses the embedded message files. It fails when a file is malformed, so a broken
// translation stops start-up instead of showing message ids to people.
func New() (*Bundle, error) {
	b := &Bundle{bundle: i18n.NewBundle(language.Make(Default)), ids: map[string]map[string]*i18n.Message{}}
	files, err := fs.Glob(messageFiles, "messages/*.json")
	if err != nil {
		return nil, fmt.Errorf("locale: %w", err)
	}
	for _, name := range files {
		raw, err := messageFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("locale: %w", err)
		}
		mf, err := b.bundle.ParseMessageFileBytes(raw, name)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", name, err)
		}
		lang := strings.TrimSuffix(path.Base(name), ".json")
		b.langs = append(b.langs, lang)
		b.ids[lang] = map[string]*i18n.Message{}
		for _, m := range mf.Messages {
			b.ids[lang][m.ID] = m
		}
	}
	if _, ok := b.ids[Default]; !ok {
		return nil, fmt.Errorf("locale: no messages for the default language %q", Default)
	}
	// Default first: the matcher falls back to its first tag.
	slices.SortFunc(b.langs, func(x, y string) int {
		switch {
		case x == Default:
			return -1
		case y == Default:
			return 1
		}
		return strings.Compare(x, y)
	})
	tags := make([]language.Tag, len(b.langs))
	for i, l := range b.langs {
		tags[i] = language.Make(l)
	}
	b.matcher = language.NewMatcher(tags)
	return b, nil
}

// Langs returns the interface languages, the default first, for the language switcher.
func (b *Bundle) Langs() []string { return slices.Clone(b.langs) }

// Supported reports whether lang is one of Langs.
func (b *Bundle) Supported(lang string) bool { return slices.Contains(b.langs, lang) }

// Dir is the text direction of an interface language: "rtl" for Arabic, "ltr" otherwise.
func Dir(lang string) string {
	if lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// Negotiate picks the interface language of a request: setting (the signed-in user's saved
// choice, "" when none), else the switcher's cookie, else the best match for Accept-Language,
// else Default. It returns the language and its direction.
func (b *Bundle) Negotiate(r *http.Request, setting string) (lang, dir string) {
	lang = b.negotiate(r, setting)
	return lang, Dir(lang)
}

func (b *Bundle) negotiate(r *http.Request, setting string) string {
	if b.Supported(setting) {
		return setting
	}
	if c, err := r.Cookie(CookieName); err == nil && b.Supported(c.Value) {
		return c.Value
	}
	if accept := r.Header.Get("Accept-Language"); accept != "" {
		if tags, _, err := language.ParseAcceptLanguage(accept); err == nil && len(tags) > 0 {
			_, i, conf := b.matcher.Match(tags...)
			if conf != language.No {
				return b.langs[i]
			}
		}
	}
	return Default
}

// Localizer renders messages in one language; templates call T and N on it.
type Localizer struct {
	lang string
	l    *i18n.Localizer
}

// Localizer returns the localizer for lang (one of Langs; anything else gets Default).
func (b *Bundle) Localizer(lang string) *Localizer {
	if !b.Supported(lang) {
		lang = Default
	}
	return &Localizer{lang: lang, l: i18n.NewLocalizer(b.bundle, lang)}
}

// Lang is the localizer's language.
func (l *Localizer) Lang() string { return l.lang }

// Dir is the localizer's text direction.
func (l *Localizer) Dir() string { return Dir(l.lang) }

// T renders message id with template data given as key, value pairs ("Name", name, …). An
// unknown id is an error, so a template naming one fails in tests rather than showing the id.
func (l *Localizer) T(id string, kv ...any) (string, error) {
	data, err := pairs(kv)
	if err != nil {
		return "", fmt.Errorf("locale: %s: %w", id, err)
	}
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return "", fmt.Errorf("locale: %w", err)
	}
	return s, nil
}

// N renders the plural message id for count (available to the message as .Count), choosing the
// CLDR plural form of the language.
func (l *Localizer) N(id string, count int, kv ...any) (string, error) {
	data, err := pairs(kv)
	if err != nil {
		return "", fmt.Errorf("locale: %s: %w", id, err)
	}
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: data})
	if err != nil {
		return "", fmt.Errorf("locale: %w", err)
	}
	return s, nil
}

func pairs(kv []any) (map[string]any, error) {
	if len(kv) == 0 {
		return nil, nil
	}
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("odd number of template arguments")
	}
	data := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("template argument name %v is not a string", kv[i])
		}
		data[k] = kv[i+1]
	}
	return data, nil
}

// Message is one entry of a message file, as the completeness test sees it: the plain text, or
// the plural forms by CLDR category ("zero", "one", "two", "few", "many", "other").
type Message struct {
	Text   string
	Plural map[string]string
}

// Messages returns every message of lang by id, for tests that hold the files to each other.
func (b *Bundle) Messages(lang string) map[string]Message {
	out := map[string]Message{}
	for id, m := range b.ids[lang] {
		forms := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many}
		plural := map[string]string{}
		for k, v := range forms {
			if v != "" {
				plural[k] = v
			}
		}
		if len(plural) == 0 {
			out[id] = Message{Text: m.Other}
			continue
		}
		plural["other"] = m.Other
		out[id] = Message{Plural: plural}
	}
	return out
}
