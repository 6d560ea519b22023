package commands

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// slashRead is how a message's start is read for a command the platform
// marked none in: format characters (a zero-width space, a direction
// mark), which show nothing, dropped, and full-width forms ("／ｈｅｌｐ",
// typed on a Chinese, Japanese or Korean keyboard) read as the ASCII ones
// they stand for.
func slashRead(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(width.Fold.String(s))
}

// bareSlash matches a command's start sent with no command's name after
// it: slashes alone ("/", "//"), or one addressed to a bot but naming no
// command ("/@VigiaBot", Discord's "/<@ID>").
var bareSlash = regexp.MustCompile(`^/+(?:@[\p{L}\p{N}_]+|<@!?\d+>)?$`)

// loneSlash reports whether a message is a command's start alone
// (bareSlash, as slashRead reads it: "/", "/\u200b", "／", "//",
// "/@VigiaBot"): no quote, forward, file, location or album with it.
func loneSlash(req Request) bool {
	return bareSlash.MatchString(slashRead(req.Text)) && req.Quote == "" && !req.QuoteLost && len(req.HiddenLinks) == 0 &&
		req.Forward == nil && req.Attachment == nil && req.FileData == nil && !req.FileLost && req.Location == nil &&
		!req.Unsupported && req.AlbumItems == 0 && !req.AlbumMore
}

// unmarkable reports whether r, in a command, keeps the platform from
// marking it: a full-width form (U+FF01 to U+FF5E) or a format character.
func unmarkable(r rune) bool { return r >= '\uFF01' && r <= '\uFF5E' || unicode.Is(unicode.Cf, r) }

// slashCommand reads, in a private message the platform marked no
// command in, a command written so that the platform could not mark it:
// "／help" (a full-width solidus: the "/" of a Chinese, Japanese or Korean
// keyboard), "／ｈｅｌｐ", "/\u200bhelp" (a zero-width space pasted after
// the "/"). Only the name of one of the engine's commands or aliases
// makes a command, as in a Discord message: "／calle 5 de mayo…" stays a
// tip's words. Not a forward's words, a file's caption, a location, nor
// a message that quotes words from elsewhere: those are kept as a tip's,
// as a command's would be. It reports whether it read one.
func (m *Mux) slashCommand(req Request) (Request, bool) {
	if req.Command != "" || req.ChatKind != Private || req.Callback != "" || req.FormID != "" || req.Forward != nil ||
		req.Attachment != nil || req.FileData != nil || req.FileLost || req.Location != nil || req.Quote != "" || req.QuoteLost ||
		req.AlbumItems > 0 || !strings.ContainsFunc(req.Text, unmarkable) {
		return req, false
	}
	text := strings.TrimLeftFunc(req.Text, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		if rest, ok = strings.CutPrefix(text, "／"); !ok {
			return req, false
		}
	}
	word, args := rest, ""
	if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
		word, args = rest[:i], rest[i:]
	}
	name := strings.ToLower(slashRead(word))
	if _, known := m.table[name]; !known {
		if _, known = m.teamNames[name]; !known {
			return req, false
		}
	}
	req.Command, req.Args, req.CommandAtStart = name, strings.TrimSpace(args), true
	return req, true
}
