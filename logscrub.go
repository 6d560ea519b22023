package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
)

// longHex matches a run of hex digits as long as a pseudonym or any other
// keyed MAC Vigía names Redis keys with (32 digits; 24 leaves a margin).
var longHex = regexp.MustCompile(`[0-9a-fA-F]{24,}`)

// newLogger is the process's JSON logger. Every string it writes passes
// scrubIDs: the code logs no user data, but an error it passes on may
// quote some (a Redis NOPERM or WRONGTYPE reply names the key, and a
// reporter's keys carry their pseudonym, stable per person). And
// scrubAddrs: an error passed on may name where it failed (a dial's
// "127.0.0.1:6379", a lookup's host and resolver), as go-redis's own
// lines do (redisLogDetail), and a URL's credentials.
func newLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: scrubAttr}))
}

// scrubAttr scrubs every attribute whose value is written as text: a
// string; an error (written as its Error text); any other value of kind
// Any (a fmt.Stringer, a struct, a map, a slice), written as the JSON
// handler would marshal it, scrubbed, and as a string where scrubbing
// left no valid JSON. A LogValuer is resolved before, and a group's
// attributes come here one by one. Numbers, booleans, durations and
// times are not text: the code logs no id as one.
func scrubAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(scrubText(a.Key, a.Value.String()))
	case slog.KindAny:
		a.Value = scrubAny(a.Key, a.Value.Any())
	}
	return a
}

// scrubAny is scrubAttr for a value of kind Any. An Error, MarshalJSON
// or MarshalText method that panics (one on a nil pointer, say) is written
// as the handler writes it: "<nil>" for a nil pointer, else "!PANIC: "
// and the panic's value, scrubbed; a panic here would end the goroutine
// that logs.
func scrubAny(key string, v any) (out slog.Value) {
	defer func() {
		if r := recover(); r != nil {
			if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
				out = slog.StringValue("<nil>")
				return
			}
			out = slog.StringValue(scrubText(key, fmt.Sprintf("!PANIC: %v", r)))
		}
	}()
	switch v := v.(type) {
	case slog.Level, *slog.Source:
		// The handler's own (the level of every line), no text.
		return slog.AnyValue(v)
	case error:
		return slog.StringValue(scrubText(key, v.Error()))
	}
	// As the handler marshals it: with "&" not written "\u0026"
	// (scrubAddrs would miss "&password=").
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The handler would write "!ERROR:" and err, which may quote
		// the value (a MarshalJSON method's error).
		return slog.StringValue(scrubText(key, "!ERROR:"+err.Error()))
	}
	text := scrubText(key, strings.TrimSuffix(b.String(), "\n"))
	if json.Valid([]byte(text)) {
		return slog.AnyValue(json.RawMessage(text))
	}
	return slog.StringValue(text)
}

// scrubText is scrubIDs and scrubAddrs of v, the value of an attribute
// named key.
func scrubText(key, v string) string {
	if key != "stack" {
		// A panic's stack (commands.Stack) is the code's own
		// frames, "file.go:123" each: not addresses, and where
		// the panic happened is what the line is for.
		v = scrubAddrs(v)
	}
	return scrubIDs(v)
}

// scrubIDs replaces long hex runs (pseudonyms, MACs) with a fixed text.
func scrubIDs(s string) string {
	return longHex.ReplaceAllLiteralString(s, "[id withheld]")
}

// urlCredentials matches a URL's user and password (a Redis URL's
// "redis://user:password@"), up to the last "@" before its host ends: a
// password cannot hold "/ ? #", a space or a quote unescaped.
var urlCredentials = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s"']*@`)

// urlSecretParams matches a URL's query parameters that carry a secret
// (a sentinel URL's "&password=", README's VIGIA_REDIS_MODE).
var urlSecretParams = regexp.MustCompile(`(?i)([?&](?:sentinel_)?(?:password|username)=)[^&#\s"']*`)

// dnsName matches the host name a failed lookup names (net.DNSError:
// "lookup redis.internal on 10.0.0.2:53: no such host").
var dnsName = regexp.MustCompile(`\blookup [^\s:]+`)

// scrubAddrs keeps what a log line says, not where: addresses (host:port,
// ip:port, [ipv6]:port) written ADDR as go-redis's own lines are
// (redisLogDetail; which node failed is in Redis's and the network's own
// logs), a failed lookup's host name written HOST, and a URL's
// credentials withheld, so that no log line prints the Redis password,
// however an error came to quote the URL. Configuration errors name the
// variable, never its value, for the same reason (withoutPath,
// listenError).
//
// Each pattern runs only on a string holding what it needs to match
// ("://", "=", "lookup ", ":"): a regexp replace scans and copies the
// whole string even when nothing matches, and most strings logged (a
// message, "context deadline exceeded") hold none.
func scrubAddrs(s string) string {
	if strings.Contains(s, "://") {
		s = urlCredentials.ReplaceAllString(s, "${1}[credentials withheld]@")
	}
	if strings.Contains(s, "=") {
		s = urlSecretParams.ReplaceAllString(s, "${1}[withheld]")
	}
	if strings.Contains(s, "lookup ") {
		s = dnsName.ReplaceAllLiteralString(s, "lookup HOST")
	}
	if strings.Contains(s, ":") {
		s = redisAddr.ReplaceAllStringFunc(s, addrOrKey)
	}
	return s
}

// addrOrKey is what scrubAddrs writes of a match of redisAddr: a Redis
// key's tail as it is (an operator needs the key a NOPERM or WRONGTYPE
// names; its number is a tip's, not a reporter's), and any address ADDR.
func addrOrKey(m string) string {
	if strings.HasPrefix(m, ":{") {
		return m
	}
	return "ADDR"
}
