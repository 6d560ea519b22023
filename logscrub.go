package main

import (
	"io"
	"log/slog"
	"regexp"
)

// longHex matches a run of hex digits as long as a pseudonym or any other
// keyed MAC Vigía names Redis keys with (32 digits; 24 leaves a margin).
var longHex = regexp.MustCompile(`[0-9a-fA-F]{24,}`)

// newLogger is the process's JSON logger. Every string it writes passes
// scrubIDs: the code logs no user data, but an error it passes on may
// quote some (a Redis NOPERM or WRONGTYPE reply names the key, and a
// reporter's keys carry their pseudonym, stable per person).
func newLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: scrubAttr}))
}

func scrubAttr(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindString {
		a.Value = slog.StringValue(scrubIDs(a.Value.String()))
	}
	return a
}

// scrubIDs replaces long hex runs (pseudonyms, MACs) with a fixed text.
func scrubIDs(s string) string {
	return longHex.ReplaceAllLiteralString(s, "[id withheld]")
}
