// Package locales holds Vigía's message files, embedded in the binary, and
// the bundle that localises them. Every user-facing string lives here.
package locales

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed active.*.toml
var files embed.FS

// Supported lists the languages Vigía speaks, as BCP 47 tags, in the order
// they are offered. The first is the fallback.
var Supported = []string{"en", "es", "pt-BR", "fr"}

// Bundle localises message ids into the supported languages.
type Bundle struct {
	b       *i18n.Bundle
	matcher language.Matcher
	tags    []language.Tag
	ids     []string
	// localizers holds one localizer per supported language: making one
	// parses its tag, a tenth of the work of a short message.
	localizers map[string]*i18n.Localizer
	// known holds ids; plain, what Localize renders for a known id in a
	// supported language without data or count (the same every time, as
	// the bundle does not change once loaded): a draft's buttons and
	// category names are a dozen such renderings a tip, each matching its
	// language and executing its template.
	known map[string]bool
	mu    sync.RWMutex
	plain map[plainKey]string
}

type plainKey struct{ lang, id string }

// Load parses the embedded message files.
func Load() (*Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var tags []language.Tag
	var ids []string
	for _, lang := range Supported {
		name := "active." + lang + ".toml"
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", lang, err)
		}
		mf, err := b.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("locale %s: %w", lang, err)
		}
		if lang == Supported[0] {
			for _, m := range mf.Messages {
				ids = append(ids, m.ID)
			}
		}
		tags = append(tags, language.MustParse(lang))
	}
	localizers := map[string]*i18n.Localizer{}
	for _, lang := range Supported {
		localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	known := map[string]bool{}
	for _, id := range ids {
		known[id] = true
	}
	return &Bundle{b: b, matcher: language.NewMatcher(tags), tags: tags, ids: ids, localizers: localizers, known: known, plain: map[plainKey]string{}}, nil
}

// IDs lists every message id of the fallback language.
func (b *Bundle) IDs() []string { return b.ids }

// Match returns the supported language closest to a client's language code
// ("pt-br", "es-MX", "fr_CA"), or "" if none is close enough.
func (b *Bundle) Match(code string) string {
	code = strings.ReplaceAll(strings.TrimSpace(code), "_", "-")
	if code == "" {
		return ""
	}
	tag, err := language.Parse(code)
	if err != nil {
		return ""
	}
	_, i, conf := b.matcher.Match(tag)
	if conf < language.High {
		return ""
	}
	return Supported[i]
}

// Localize renders message id in lang with data. A count, when given, picks
// the plural form and is available to the template as {{.Count}}. It never
// fails: a missing message falls back to English, then to the id itself.
func (b *Bundle) Localize(lang, id string, data map[string]any, count ...int) string {
	plain := data == nil && len(count) == 0 && b.known[id] && b.localizers[lang] != nil
	if plain {
		b.mu.RLock()
		s, ok := b.plain[plainKey{lang, id}]
		b.mu.RUnlock()
		if ok {
			return s
		}
	}
	s, err := b.localize(lang, id, data, count...)
	if err != nil && s == "" {
		s = id
	}
	if plain {
		b.mu.Lock()
		b.plain[plainKey{lang, id}] = s
		b.mu.Unlock()
	}
	return s
}

// localize is Localize with the error go-i18n reported, for the tests.
func (b *Bundle) localize(lang, id string, data map[string]any, count ...int) (string, error) {
	lc := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if len(count) > 0 {
		if data == nil {
			data = map[string]any{}
		}
		if _, ok := data["Count"]; !ok {
			data["Count"] = count[0]
		}
		lc.TemplateData = data
		lc.PluralCount = count[0]
	}
	l := b.localizers[lang]
	if l == nil {
		l = i18n.NewLocalizer(b.b, lang)
	}
	s, tag, err := l.LocalizeWithTag(lc)
	if err == nil && tag.String() != lang {
		err = fmt.Errorf("message %q localised in %s, not %s", id, tag, lang)
	}
	return s, err
}
