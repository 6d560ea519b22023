// Package locales holds Vigía's message files, embedded in the binary, and
// the bundle that localises them. Every user-facing string lives here.
package locales

import (
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
	// filled holds ids whose every form, in every language, is text and
	// {{.Name}} actions alone; plans, for such an id rendered with data
	// or a count, its rendering cut where each value goes: go-i18n's
	// rendering with each value a mark, kept per language, id, count and
	// data names (the receipt's message and a draft's count are two
	// template executions a tip, each matching its language and reading
	// the data through reflection).
	filled map[string]bool
	plans  map[planKey]plan
	// matched holds Match's answer per client language code as given
	// (every request's: parsing and matching a tag is a microsecond or
	// four, twice a tip, for the few codes clients send). Only codes of a
	// client language code's shape (clientCode: at most 8 bytes, which
	// cannot hold a receipt code or a sentence typed after /language),
	// and at most maxMatched of them; any other code, and past the bound
	// any code, is matched each time.
	matchMu sync.RWMutex
	matched map[string]string
}

// maxMatched bounds the client language codes Match remembers, and
// maxClientCode is the length of the longest of a client language code's
// shape (clientCode: "spa-Latn", "zh-hans").
const (
	maxMatched    = 1024
	maxClientCode = 8
)

// clientCode reports whether code has the shape of a client language code
// a platform sends, the only codes Match remembers: 2 or 3 ASCII letters,
// then, optionally, one "-" or "_" and 2 to 4 ASCII letters or digits
// ("es", "pt-br", "pt_BR", "zh-hans", "es-419", "en-US": Telegram's
// language_code and every Discord locale). At most maxClientCode bytes.
// A byte loop, not a regexp: it runs at every request not answered from
// what Match remembers.
func clientCode(code string) bool {
	if len(code) < 2 || len(code) > maxClientCode {
		return false
	}
	i := 0
	for i < len(code) && asciiLetter(code[i]) {
		i++
	}
	if i < 2 || i > 3 {
		return false
	}
	if i == len(code) {
		return true
	}
	if code[i] != '-' && code[i] != '_' {
		return false
	}
	rest := code[i+1:]
	if len(rest) < 2 || len(rest) > 4 {
		return false
	}
	for j := 0; j < len(rest); j++ {
		if c := rest[j]; !asciiLetter(c) && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// asciiLetter reports whether c is an ASCII letter, of either case.
func asciiLetter(c byte) bool {
	c |= 0x20 // (a capital to its small letter; no other byte becomes one)
	return c >= 'a' && c <= 'z'
}

type plainKey struct{ lang, id string }

// planKey is a rendering with data: its language and id, the count if
// any (it picks the plural form), the data's names, sorted, joined by a
// NUL.
type planKey struct {
	lang, id string
	count    int
	counted  bool
	names    string
}

// plan is a rendering with data: text[0], then the value of names[at[0]],
// then text[1], and so on.
type plan struct {
	text []string
	at   []int
	size int // (the text's bytes)
}

// maxPlans bounds the renderings with data kept (one a count: a count
// may take many values); past it, the others are rendered each time.
const maxPlans = 4096

// valueAction is the one action a filled message holds: a field of the
// data printed as it is.
var valueAction = regexp.MustCompile(`\{\{\.[A-Za-z_][A-Za-z0-9_]*\}\}`)

// filledForms reports whether every form of m is text and {{.Name}}
// actions alone, with go-i18n's delimiters and no NUL (which marks a
// value in a plan's rendering).
func filledForms(m *i18n.Message) bool {
	if m.LeftDelim != "" || m.RightDelim != "" {
		return false
	}
	for _, f := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		if strings.Contains(f, "\x00") || strings.Contains(valueAction.ReplaceAllString(f, ""), "{{") {
			return false
		}
	}
	return true
}

// Load parses the embedded message files.
func Load() (*Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	var tags []language.Tag
	var ids []string
	notFilled := map[string]bool{}
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
		for _, m := range mf.Messages {
			if !filledForms(m) {
				notFilled[m.ID] = true
			}
		}
		tags = append(tags, language.MustParse(lang))
	}
	localizers := map[string]*i18n.Localizer{}
	for _, lang := range Supported {
		localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	known, filled := map[string]bool{}, map[string]bool{}
	for _, id := range ids {
		known[id] = true
		filled[id] = !notFilled[id]
	}
	return &Bundle{b: b, matcher: language.NewMatcher(tags), tags: tags, ids: ids, localizers: localizers, known: known, plain: map[plainKey]string{},
		filled: filled, plans: map[planKey]plan{}, matched: map[string]string{}}, nil
}

// IDs lists every message id of the fallback language.
func (b *Bundle) IDs() []string { return b.ids }

// Match returns the supported language closest to a client's language code
// ("pt-br", "es-MX", "fr_CA"), or "" if none is close enough. It remembers
// its answer for a code of a client language code's shape (clientCode);
// any other is matched each time, with the same answer.
func (b *Bundle) Match(code string) string {
	if len(code) > maxClientCode {
		return b.match(code)
	}
	b.matchMu.RLock()
	lang, ok := b.matched[code]
	b.matchMu.RUnlock()
	if ok {
		return lang
	}
	lang = b.match(code)
	if !clientCode(code) { // (checked on a miss alone: only such codes are kept)
		return lang
	}
	b.matchMu.Lock()
	if len(b.matched) < maxMatched { // checked again under the write lock
		b.matched[strings.Clone(code)] = lang // (not a piece of a request's larger buffer)
	}
	b.matchMu.Unlock()
	return lang
}

// match is Match without remembering: the language matcher's answer.
func (b *Bundle) match(code string) string {
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
	if !plain && b.filled[id] && b.localizers[lang] != nil {
		if s, ok := b.fill(lang, id, data, count...); ok {
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

// fill is Localize of a filled message with data or a count, from its
// plan, made on first use; not ok where a value is other than a string
// or an int (printed as text/template prints it: as fmt does, for these)
// or the plan cannot be made or kept: then go-i18n renders it.
func (b *Bundle) fill(lang, id string, data map[string]any, count ...int) (string, bool) {
	if len(count) > 0 {
		if data == nil {
			data = map[string]any{}
		}
		if _, ok := data["Count"]; !ok {
			data["Count"] = count[0] // (as localize does, the caller's map too)
		}
	}
	names := make([]string, 0, len(data))
	for k, v := range data {
		switch v.(type) {
		case string, int:
		default:
			return "", false
		}
		names = append(names, k)
	}
	slices.Sort(names)
	key := planKey{lang: lang, id: id, names: strings.Join(names, "\x00")}
	if len(count) > 0 {
		key.count, key.counted = count[0], true
	}
	b.mu.RLock()
	p, ok := b.plans[key]
	n := len(b.plans)
	b.mu.RUnlock()
	if !ok {
		if n >= maxPlans {
			return "", false
		}
		if p, ok = b.plan(lang, id, names, count...); !ok {
			return "", false
		}
		b.mu.Lock()
		if len(b.plans) < maxPlans { // (others may have kept theirs since)
			b.plans[key] = p
		}
		b.mu.Unlock()
	}
	var sb strings.Builder
	sb.Grow(p.size + 16*len(p.at))
	for i, t := range p.text {
		sb.WriteString(t)
		if i < len(p.at) {
			switch v := data[names[p.at[i]]].(type) {
			case string:
				sb.WriteString(v)
			case int:
				sb.WriteString(strconv.Itoa(v))
			}
		}
	}
	return sb.String(), true
}

// plan renders id in lang through go-i18n with each of names' values a
// mark ("\x00" and its index in names), and cuts the rendering at the
// marks. Not ok where go-i18n reports an error.
func (b *Bundle) plan(lang, id string, names []string, count ...int) (plan, bool) {
	marks := make(map[string]any, len(names))
	for i, k := range names {
		marks[k] = "\x00" + strconv.Itoa(i) + "\x00"
	}
	s, err := b.localize(lang, id, marks, count...)
	if err != nil {
		return plan{}, false
	}
	parts := strings.Split(s, "\x00")
	var p plan
	for i, part := range parts {
		if i%2 == 0 {
			p.text, p.size = append(p.text, part), p.size+len(part)
			continue
		}
		at, err := strconv.Atoi(part)
		if err != nil || at < 0 || at >= len(names) || i == len(parts)-1 {
			return plan{}, false
		}
		p.at = append(p.at, at)
	}
	return p, true
}
