package discord

import (
	"context"
	"errors"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// localize renders message id in lang if Vigía speaks it (a Discord locale
// such as "es-419"), else in the default language. The adapter says little
// of its own: that a file could not be received, or could not be shown.
func (a *Adapter) localize(lang, id string) string {
	if l := a.msg.Match(lang); l != "" {
		lang = l
	} else {
		lang = a.o.DefaultLanguage
	}
	return a.msg.Localize(lang, id, nil)
}

// languageKey keys the language of the event being handled in its context,
// for a notice the adapter sends while answering it.
type languageKey struct{}

func withLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, languageKey{}, lang)
}

func languageOf(ctx context.Context) string {
	lang, _ := ctx.Value(languageKey{}).(string)
	return lang
}

// errFileRefused marks a file Discord refused to take (too large, a bad
// form): sending it again unchanged would fail again.
var errFileRefused = errors.New("file refused")

// refused reports whether Discord refused a request for what it holds: a
// 400, or a 413 for an upload over its size limit.
func refused(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil &&
		(re.Response.StatusCode == http.StatusBadRequest || re.Response.StatusCode == http.StatusRequestEntityTooLarge)
}

// missingFile is the notice that replaces a file Discord refused.
func (a *Adapter) missingFile(ctx context.Context) string {
	return a.localize(languageOf(ctx), "tip_attachment_missing")
}
