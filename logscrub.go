package main

import (
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// longHex matches a run of hex digits as long as a pseudonym or any other
// keyed MAC Vigía names Redis keys with: 32 digits, and 16 for the blind
// index's (an entity's, a search token's: "ix:e:…", "ix:t:…:day",
// "{alerts}:a:…"). An index MAC is HMAC(index key, normalised token):
// with VIGIA_SECRET leaked (or kept by a former admin), whoever reads the
// logs confirms a guess (a phone number, a handle, a plate) by computing
// its MAC, and learns when it was reported; the logs (shipped elsewhere,
// kept longer) outlive the tip's erasure from Redis, where the secret
// alone no longer says that anyone named it. Redis quotes the key in its
// NOPERM (7.2 and later), so "indexing failed", "index keys without
// expiry: the look for them failed" and go-redis's own lines wrote it in
// clear where 24 digits were the bound. (withheldHex says what is
// written for each.) Decimal digits of another script count as digits
// (a snowflake in full-width digits).
var longHex = regexp.MustCompile(`[0-9a-fA-F\p{Nd}]{16,}`)

// replaceLongHex is longHex.ReplaceAllStringFunc(s, repl), written out:
// the regexp read about 3 MB/s, and scrubIDs runs it on every string
// logged, twice where it holds a long number; this reads each byte once
// and copies nothing where no run is long enough.
func replaceLongHex(s string, repl func(string) string) string {
	var b strings.Builder
	last := 0
	start, runes := 0, 0 // the run being read: where it began, its length
	for i := 0; i <= len(s); {
		r, size := rune(-1), 1
		if i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				r = rune(c)
			} else {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
		}
		if '0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F' || r >= utf8.RuneSelf && unicode.IsDigit(r) {
			if runes == 0 {
				start = i
			}
			runes++
			i += size
			continue
		}
		if runes >= 16 {
			b.WriteString(s[last:start])
			b.WriteString(repl(s[start:i]))
			last = i
		}
		runes = 0
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// withheldHex is what scrubIDs writes for a run longHex matched: "[id
// withheld]", but for a run of fewer than 24 digits and no letter
// (longDigits), which is written "N", as a number an identity word
// introduces is (a Discord snowflake, 17 to 19 digits: a person or a
// channel): an index MAC all digits (one in about 1,800) is withheld as
// well, and an id reads as the number it was.
func withheldHex(run string) string {
	if longDigits(run) {
		return "N"
	}
	return "[id withheld]"
}

// withholdHex is scrubIDs' first step alone: longHex's runs withheld
// (withheldHex), a pseudonym or a MAC a NOPERM quotes, and no number
// read after a word. For a configuration error's line, written past the
// logger: it names no person or chat, and its figures ("from 0 to
// 2147483647") are what it says.
func withholdHex(s string) string {
	return replaceLongHex(s, withheldHex)
}

// longDigits reports whether run, one longHex matched, is fewer than 24
// digits (of any script: numberLen's) and no letter: a number, which
// scrubIDs reads as one (a list's, a word's) before it writes it "N".
func longDigits(run string) bool {
	return utf8.RuneCountInString(run) < 24 && numberLen(run) == len(run)
}

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
// attributes come here one by one. An attribute whose key or group names
// a person or a chat (namesIdentity) is withheld whole, whatever its
// kind: a Telegram user or chat id is a number, a Discord one a string
// of digits. Bytes are withheld (withholdsBytes). Other numbers,
// booleans, durations and times are not text.
func scrubAttr(groups []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindGroup && namesIdentity(groups, a.Key) {
		a.Value = slog.StringValue(identityWithheld)
		return a
	}
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(scrubText(a.Key, a.Value.String()))
	case slog.KindAny:
		if withholdsBytes(reflect.ValueOf(a.Value.Any()), 0) {
			a.Value = slog.StringValue(bytesWithheld)
			return a
		}
		a.Value = scrubAny(a.Key, a.Value.Any())
	}
	return a
}

// identityWithheld is written for an attribute namesIdentity withholds.
const identityWithheld = "[withheld: names a person or a chat]"

// bytesWithheld is written for an attribute withholdsBytes withholds.
const bytesWithheld = "[bytes withheld]"

// identityWords are the words of an attribute's key (or of a group it is
// in) that say it holds who someone is or where they wrote from.
var identityWords = map[string]bool{
	"user": true, "users": true, "userid": true, "uid": true,
	"chat": true, "chats": true, "chatid": true,
	"sender": true, "from": true, "id": true, "ids": true,
	"channel": true, "channelid": true, "author": true, "member": true,
	"reporter": true, "username": true,
}

// namesIdentity reports whether key, or a group in groups, has a word
// (split at "_", "-", "." and a lower-to-upper case change: "chat_id",
// "userID") in identityWords, but an "id" or "ids" right after a word
// of idOwners ("tip_id", "entryID"). slog's own keys (time, level, msg,
// source) have none.
func namesIdentity(groups []string, key string) bool {
	for _, g := range groups {
		if hasIdentityWord(g) {
			return true
		}
	}
	return hasIdentityWord(key)
}

// idOwners are the words before an "id" that say it is the id of no
// person and no chat: a tip's number (Redis keys and "tip stored" show it
// as it is: it is a tip's, not a reporter's) and a Redis stream entry's
// id (the time it was added and a sequence number, "1765000000000-0").
var idOwners = map[string]bool{"tip": true, "tips": true, "entry": true, "entries": true}

// hasIdentityWord reports whether a word of k is in identityWords, but an
// "id" or "ids" right after a word of idOwners.
func hasIdentityWord(k string) bool {
	start := 0
	prev := ""
	for i := 0; i <= len(k); i++ {
		sep := i < len(k) && strings.IndexByte("_-. ", k[i]) >= 0
		upper := i < len(k) && i > start && 'A' <= k[i] && k[i] <= 'Z' && 'a' <= k[i-1] && k[i-1] <= 'z'
		if i < len(k) && !sep && !upper {
			continue
		}
		if i > start {
			w := strings.ToLower(k[start:i])
			if identityWords[w] && !((w == "id" || w == "ids") && idOwners[prev]) {
				return true
			}
			prev = w
		}
		start = i
		if sep {
			start = i + 1
		}
	}
	return false
}

// withholdsBytes reports whether v is, or holds (in a field, a map's
// value, an element, behind a pointer or an interface), a byte slice or
// array: the JSON handler writes one as base64, which no scrubbing reads,
// and a tip's body (clear or sealed) may be one. Vigía has no bytes to
// log; what holds some is withheld whole. A json.RawMessage is JSON
// text, scrubbed as such; a value with its own MarshalJSON or
// MarshalText writes what it chooses, scrubbed.
func withholdsBytes(v reflect.Value, depth int) bool {
	if !v.IsValid() || depth > 8 {
		return false
	}
	if v.Type() == reflect.TypeFor[json.RawMessage]() {
		return false
	}
	if v.Type().Implements(reflect.TypeFor[json.Marshaler]()) || v.Type().Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
		return false
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return true
		}
		for i := range min(v.Len(), 64) {
			if withholdsBytes(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Pointer, reflect.Interface:
		return withholdsBytes(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && withholdsBytes(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for n := 0; n < 64 && it.Next(); n++ {
			if withholdsBytes(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
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

// scrubIDs replaces long hex runs (pseudonyms, MACs) with a fixed text,
// and a number a word naming a person or a chat introduces ("chat
// -1001234567890", "user_id=42", "from: 123456789", "id 7306318845",
// "ids [7306318845 7306318846]") with "N", and each number of a list it
// begins ("ids 7306318845 7306318846", "users: 7306318845, 5123456789";
// listItemLen). A bare "id" or "ids" is such a word but after "tip" or
// "entry" (ownedID: "tip id 1234", a stream's "entry_id=…" stay). A
// date or a time right after such a word ("from 2026-12-07T03:00:00Z",
// "user 07/12/2026 05:00 -0500"; dateTimeLen) is kept, and what follows
// it is read as what follows the word: a number there is masked too
// ("from 2026-12-07 7306318845" is "from 2026-12-07 N"). A run of
// digits longHex matches (a Discord snowflake) is read as a number
// first, then written "N" wherever it is (withheldHex): written "N"
// first, it ended the list it was in, and the ids after it were in
// clear ("ids [112233445566778899, 7306318845]").
func scrubIDs(s string) string {
	digits := false // a run longDigits takes, kept for now
	s = replaceLongHex(s, func(run string) string {
		if longDigits(run) {
			digits = true
			return run
		}
		return withheldHex(run)
	})
	if !hasDigit(s) {
		return s
	}
	s = maskIDs(s)
	if digits {
		s = replaceLongHex(s, withheldHex)
	}
	return s
}

// maskIDs is scrubIDs but for longHex's runs.
func maskIDs(s string) string {
	var b strings.Builder
	last, pos := 0, 0
	for pos < len(s) {
		// The regexp reads well under 1 MB/s: it runs from the
		// first word it may begin at (identityWordAt), and not at
		// all where none is left.
		k := identityWordAt(s[pos:])
		if k < 0 {
			break
		}
		if k > 1 {
			pos += k - 1
		}
		m := identityNumber.FindStringSubmatchIndex(s[pos:])
		if m == nil {
			break
		}
		// m[3] ends the word and separator: the number (or a date)
		// begins there; m[4] begins a bare "id" or "ids".
		at := pos + m[3]
		if m[4] >= 0 && ownedID(s[:pos+m[4]]) {
			pos = at
			continue
		}
		inList := false // a number masked before this one: a list's next
		joined := false // this number is joined to the one before (joinedLen)
		for {
			if n := dateTimeLen(s[at:]); n > 0 {
				// What follows it is read as a list's next item
				// where listItemLen reads further than
				// dateTimeGapLen ("from 2026-12-07 and
				// 7306318845": dateTimeGapLen stopped at "and",
				// the id in clear); a sign dateTimeGapLen reads
				// stays ("05:00 -N").
				at += n
				at += max(dateTimeGapLen(s[at:]), listItemLen(s[at:]))
				joined = false
				continue
			}
			if n := addressLen(s, at); n > 0 {
				// Kept, and read as a list's number: the ids of
				// the list it is in are masked after it ("from
				// ::1 or 7306318845" masked the id, reading "1").
				at += n
				inList, joined = true, false
				if k := listItemLen(s[at:]); k > 0 {
					at += k
				} else if k := joinedLen(s[at:]); k > 0 {
					at += k
					joined = true
				} else {
					at += dateTimeGapLen(s[at:])
				}
				continue
			}
			if n := numberLen(s[at:]); n > 0 {
				// A number with its thousands marked is one
				// number ("7.306.318.845", "7,306,318,845"): masked
				// whole, not its first group alone.
				n = max(n, groupedLen(s[at:]))
				if !inList || !joined && !isFigure(s[at:at+n]) || joined && isJoinedID(s[at:at+n]) {
					b.WriteString(s[last:at])
					b.WriteString("N")
					last = at + n
				}
				at += n
				inList, joined = true, false
				// The next number of a list, if any, is read as
				// this one was.
				if k := listItemLen(s[at:]); k > 0 {
					at += k
					continue
				}
				// A number joined to this one ("7.22.19.27.
				// 605679248170", "7306318845/5123456789") is
				// read as a list's, masked where it is as long
				// as an id (isJoinedID: "N.5", "N.2.3.4.5",
				// "N/12/20261" as before).
				if k := joinedLen(s[at:]); k > 0 {
					at += k
					joined = true
					continue
				}
				// An address joined to it by "%" or "_" ("id
				// N%[::1] 7306318845", "user N_fe80::1
				// 7306318845") is read as a list's next, as one
				// after a separator: it ended the list, and the
				// id after it passed in clear.
				if k := joinedAddrLen(s[at:]); k > 0 {
					at += k
					continue
				}
			}
			break
		}
		pos = at
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// ipv4 matches an IPv4 address ("127.0.0.1"); ipv4Len reads its zone,
// port and prefix length after it.
var ipv4 = regexp.MustCompile(`^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`)

// portOrPrefix matches an IPv4 address's port ("…:6379") or prefix
// length ("…/24") after it.
var portOrPrefix = regexp.MustCompile(`^(?::[0-9]{1,5}|/[0-9]{1,2})`)

// addrJoinedLen is the length of the mark s, the text after an address,
// begins with, where a number is joined to the address by it (a ":", or
// joinedLen's: "1.2.3.4/7306318845", "::1:7306318845",
// "[::1]:7306318845", "::ffff:1.2.3.4.7306318845"), else 0. The
// address is kept and the number read as a list's next (listItemLen,
// joinedLen): an id there is masked. It ran on, which made it no
// address: it was read as numbers, its first masked and the id after it
// passed, or where it began with a hex letter ("fe80::1%", "::ffff:")
// as none, the id in clear too.
func addrJoinedLen(s string) int {
	if len(s) > 1 && s[0] == ':' && numberLen(s[1:]) > 0 {
		return 1
	}
	return joinedLen(s)
}

// joinedAddrLen is the length of the "%" or "_" (and a "[") s, the text
// after a number of a list, begins with where an address that is no
// number follows it (addrStart), else 0.
func joinedAddrLen(s string) int {
	if len(s) < 2 || s[0] != '%' && s[0] != '_' {
		return 0
	}
	k := 1
	if s[1] == '[' {
		k = 2
	}
	if addrStart.MatchString(s[k:]) {
		return k
	}
	return 0
}

// version matches a version number: two to four numbers of one to three
// digits, joined by "." ("7.2.4", "1.22.0").
var version = regexp.MustCompile(`^[0-9]{1,3}(?:\.[0-9]{1,3}){1,3}`)

// addressLen is the length of the address or version number s holds
// from at, where a number begins after a word naming a person or a chat
// ("from 127.0.0.1", "from [::1]:6379", "from 2001:db8::1", "from
// 7.2.4"), or 0: it is kept, as a date is, what follows it read as what
// follows the word (scrubIDs wrote "from N.0.0.1", and an operator needs
// to read where and which version; an id after it passed in clear). No
// id is so written: a Telegram or Discord id is one number of four
// digits or more. A run of dotted numbers that each but the first has
// three digits ("7.306.318.845") is a number written with its thousands
// marked, not a version nor an address, even where it is one
// ("1.234.222.111"): it is masked whole (groupedLen). Anything that runs
// on (runsOn: "1.2.3.4.5", "1.2x") is read as before.
func addressLen(s string, at int) int {
	if strings.HasPrefix(s[at:], addrWritten) && (at+len(addrWritten) == len(s) || !isWordByte(s[at+len(addrWritten)]) || s[at+len(addrWritten)] == '_') {
		return len(addrWritten)
	}
	if groupedLen(s[at:]) > 0 {
		// "1.234.222.111" is an IPv4 address and an id with its
		// thousands marked: an id must not pass, a mangled address
		// is the lesser harm.
		return 0
	}
	if n := ipv4Len(s[at:]); n > 0 {
		return n
	}
	if m := version.FindStringIndex(s[at:]); m != nil && !runsOn(s[at+m[1]:]) {
		parts := strings.Split(s[at:at+m[1]], ".")
		for _, p := range parts[1:] {
			if len(p) != 3 {
				return m[1]
			}
		}
	}
	return ipv6Len(s, at)
}

// ipv4Len is addressLen for an IPv4 address s begins with (ipv4), with
// its zone if any ("1.2.3.4%eth0", as net.IPAddr and net.UDPAddr write
// one: ipv6ZoneLen), then its port or prefix length if any
// (portOrPrefix), or 0 where it runs on (a "." after it: "1.2.3.4.5").
// A port or prefix that runs on is no port ("1.2.3.4:7306318845" took
// ":73063"): the address alone, where a number is joined to it. With
// its zone, the address was read as none, and the id after it passed
// in clear ("peer 1.2.3.4%eth0 7306318845").
func ipv4Len(s string) int {
	n := len(ipv4.FindString(s))
	if n == 0 {
		return 0
	}
	if n < len(s) && s[n] == '%' {
		n += ipv6ZoneLen(s[n:])
		if zoneGlued(s, n) {
			return n
		}
	}
	full := n + len(portOrPrefix.FindString(s[n:]))
	if rest := s[full:]; !runsOn(rest) || rest[0] != '.' && addrJoinedLen(rest) > 0 {
		return full
	}
	if n < full && addrJoinedLen(s[n:]) > 0 {
		return n
	}
	return 0
}

// maxIPv6Len is the longest an IPv6 address is written, without its
// zone: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". ipv6Len reads
// no further on either side of where it begins.
const maxIPv6Len = len("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")

// addrWritten is what scrubAddrs writes for an address with its port
// (addrOrKey), before scrubIDs reads the text: kept as the address was,
// and what follows it read as what follows the word ("user
// 10.0.0.7:6379 7306318845" logged "user ADDR 7306318845", the id in
// clear where scrubIDs alone masked it).
const addrWritten = "ADDR"

// isWordByte reports whether c is a letter, a digit or "_": what makes
// "ADDRESS" no "ADDR".
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// port is an address's port after it.
var port = regexp.MustCompile(`^:[0-9]{1,5}`)

// ipv6Len is addressLen for an IPv6 address around at (what identityNumber
// took for separators may be the address's "::": "from [::1]"): hex digits
// and ":" (and "." for an IPv4 tail) on either side of at, one that
// netip parses, with "::" or a hex letter in it (eight groups of decimal
// digits joined by ":" may be ids: "1234:4433:…" is read as before), and
// its "]" and port where it is in brackets. It is the length from at.
func ipv6Len(s string, at int) int {
	if at >= len(s) || !isHexByte(s[at]) && !strings.HasPrefix(s[at:], "::") {
		return 0
	}
	b := at
	for b > 0 && (isHexByte(s[b-1]) || s[b-1] == ':') {
		if at-b == maxIPv6Len {
			// Longer than any address: no address ("ids
			// 1:2:3:…", each number read from here, was
			// quadratic).
			return 0
		}
		b--
	}
	if s[b] == ':' && (b+1 >= len(s) || s[b+1] != ':') {
		// A ":" alone before the address is no part of it: an
		// address begins with a hex digit or "::" ("reporter\":fe80::1,
		// 7306318845" read ":fe80::1", none, the id in clear).
		b++
	}
	for strings.HasPrefix(s[b:], ":::") {
		// Nor is a ":" before its "::" ("userID\":::ffff:10.0.0.7
		// 7306318845" read ":::ffff:10.0.0.7", none, the id in
		// clear).
		b++
	}
	n := ipv6LenFrom(s, b, at)
	if n > 0 {
		return n
	}
	// Nor a number a ":" joins to it, a list's ("N:fe80::1",
	// "N:::1": read "7306318845:fe80::1", none, the id after it in
	// clear): the address from at, where the list's next begins.
	if b < at {
		return ipv6LenFrom(s, at, at)
	}
	return 0
}

// isHexByte reports whether c is a hex digit, in either case.
func isHexByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
}

// ipv6LenFrom is ipv6Len for an address that begins at b, at or before
// at.
func ipv6LenFrom(s string, b, at int) int {
	// Forward, one byte past the longest address: a run that goes on
	// may still hold one with a number joined to it
	// ("2001:0db8:…:7334:7306318845", an address of 39 bytes), which
	// the retry below finds up to its last ":" or "." (returning none
	// there passed the id). No 46 bytes parse as an address.
	e := at
	for e < len(s) && e-b <= maxIPv6Len && (isHexByte(s[e]) || s[e] == ':' || s[e] == '.') {
		e++
	}
	e = b + len(strings.TrimRight(s[b:e], "."))
	if e-b > 1 && s[e-1] == ':' && s[e-2] != ':' {
		// Nor a ":" alone after it, as an error's ("fe80::1.
		// 7306318845: connection refused" read up to the ":", none:
		// the id in clear).
		e--
	}
	if !isIPv6(s[b:e]) {
		// A number joined to the address by its last ":" or "."
		// ("::1:7306318845", "::ffff:1.2.3.4.7306318845") made it
		// none: the address before it, if that is one; or, where
		// that ends in a port after an IPv4 tail, before the port
		// ("::ffff:1.2.3.4:5.7306318845").
		c := strings.LastIndexAny(s[b:e], ":.")
		if c > at-b && s[b+c] == '.' && !isIPv6(s[b:b+c]) {
			c = strings.LastIndexByte(s[b:b+c], ':')
		}
		if c <= at-b || !isIPv6(s[b:b+c]) {
			return 0
		}
		e = b + c
	}
	tail4 := strings.IndexByte(s[b:e], '.') >= 0 // an IPv4 tail
	if e < len(s) && s[e] == '%' {
		e += ipv6ZoneLen(s[e:])
		if zoneGlued(s, e) {
			return e - at
		}
	}
	if b > 0 && s[b-1] == '[' && e < len(s) && s[e] == ']' {
		e++
		tail4 = true // (what follows "]" is its port)
	}
	// A port: after "]", or after an IPv4 tail, where no group of the
	// address can be ("::ffff:10.0.0.7:6379", as scrubAddrs writes
	// ADDR whole): read as a list's number, it was masked.
	if m := port.FindStringIndex(s[e:]); tail4 && m != nil && (!runsOn(s[e+m[1]:]) || addrJoinedLen(s[e+m[1]:]) > 0) {
		e += m[1]
	}
	if runsOn(s[e:]) && addrJoinedLen(s[e:]) == 0 {
		return 0
	}
	return e - at
}

// isIPv6 reports whether tok is an IPv6 address (netip's), with "::" or
// a hex letter in it: eight groups of decimal digits joined by ":" may be
// ids ("1234:4433:…" is read as before).
func isIPv6(tok string) bool {
	if strings.Count(tok, ":") < 2 || !(strings.Contains(tok, "::") || strings.ContainsAny(tok, "abcdefABCDEF")) {
		return false
	}
	a, err := netip.ParseAddr(tok)
	return err == nil && a.Is6()
}

// ipv6ZoneLen is the length of the zone s, the text after an IP
// address, begins with ("%eth0", "%25": an interface's name or index, of
// sixteen bytes at most), with its "%", or 0. A number as long as an id
// in it (isJoinedID) ends it, with the "-" or "_" before the number: what
// is from there is read as joined to the address ("fe80::1%eth0-
// 7306318845", "fe80::1%eth0_7306318845"); so is a "%" that such a
// number follows ("fe80::1%7306318845"), which is no zone (0); and a
// number glued to the name's letters ("fe80::1%eth0605679248170") ends
// it there ("%eth"), the number read as glued to the address
// (zoneGlued). A zone that so ended ran on past the interface's name,
// and was none: the id after it passed in clear.
func ipv6ZoneLen(s string) int {
	n := 1
	for n < len(s) && n <= 17 && (isWordByte(s[n]) || s[n] == '-') {
		mark := 0 // the "_" before a number, if any
		if s[n] == '_' {
			mark = 1
		}
		d := numberLen(s[n+mark:])
		if d == 0 {
			n++
			continue
		}
		if isJoinedID(s[n+mark : n+mark+d]) {
			// Glued to the name ("eth0605679248170"), the zone
			// is the name's letters ("%eth") and the number is
			// read as glued to the address (zoneGlued).
			break
		}
		n += mark + d
	}
	if n == 1 || n > 17 {
		return 0
	}
	return n
}

// zoneGlued reports whether s[:e] ends with a zone's name that a number
// follows right after (ipv6ZoneLen ended it there: "%eth" of
// "%eth0605679248170"). The address ends there, and the number is read
// as a list's next: masked as an id is.
func zoneGlued(s string, e int) bool {
	return e > 0 && s[e-1] != '%' && e < len(s) && s[e] != '-' && s[e] != '+' && numberLen(s[e:]) > 0
}

// ownedID reports whether before, the text before a bare "id" or "ids",
// ends with a word of idOwners and one "_", "-" or ".", or spaces on the
// line (no line break: "3 tips\nid 7306318845" is two lines), if any
// ("tip id", "tip_id", "tip.id", "entry ID"): the id of a tip or a stream
// entry, not a person's or a chat's, as namesIdentity reads a key. A
// word that ends a sentence ("tip. id 7306318845", "tip - id") owns no
// id after it: that id is anyone's.
func ownedID(before string) bool {
	w := strings.TrimRightFunc(before, func(r rune) bool {
		return r == ' ' || r == '\t' || unicode.In(r, unicode.Zs, unicode.Cf)
	})
	if j := strings.TrimRight(w, "_-."); len(j) < len(w) {
		if len(w)-len(j) > 1 || len(w) < len(before) {
			return false
		}
		w = j
	}
	i := len(w)
	for i > 0 && ('a' <= w[i-1]|0x20 && w[i-1]|0x20 <= 'z') {
		i--
	}
	return idOwners[strings.ToLower(w[i:])]
}

// listSep matches what stands between two numbers of a list: a ",", ";"
// or ":", spaces (gap) or a line break (fmt's "[7306318845 7306318846]"),
// with quotes (JSON's "[\"1\",\"2\"]", as Discord writes ids), and
// "and" or "or" after either ("N, N and N", "N, N, and N": the last id
// of a list with a comma before its "and" was in clear); brackets that
// close a list nested in a list, or open one, on either side ("[[N],
// [N]]", "[(N), (N)]"), and a quote before the one it opens
// ("N\",\"[::1]:443", a JSON string's: the list ended at the quote, the
// id after the address in clear). Not "/": "07/12/20261" is no list. It
// may match nothing: listItemLen takes no list without something
// between.
var listSep = regexp.MustCompile(`^["']?(?:[\])}]+["']?)?(?:[` + gap + `]*[,;:][` + gap + `]*|[` + gap + `]+)?(?:(?:and|or)[` + gap + `]+)?["']?(?:[\[({][` + gap + `]*)*["']?`)

// isFigure reports whether number, one a list of ids holds after its
// first (numberLen's: a sign, digits), has three digits or fewer: an HTTP
// status ("chat 7306318845: 400" wrote "chat N: N"), a count, a small
// figure, kept. No Telegram account a reporter or a chat has holds so
// small an id, and a Discord one has seventeen digits or more. It does
// not end the list: an id after it is masked.
func isFigure(number string) bool {
	return utf8.RuneCountInString(strings.TrimLeft(number, "+-")) <= 3
}

// listItemLen is the length of what s, the text after a number of a
// list, holds before the next number of that list, or 0 if no number
// follows it as a list's does. An address, a version or a number with
// its thousands marked is a list's next as a number is (addrStart,
// groupedLen): one that began with a hex letter or "::", was written
// ADDR, or had a "." and a digit after its first number ended the list,
// and an id after it passed in clear ("users N, 10.0.0.7 7306318845",
// "ids N, 7.306.318.845", "peer N: ::1, 7306318845"). A figure is not
// an id: a number run on into a letter, or a "%" or "_" no number
// follows (a duration "5s", "50%"; "N_N" is two ids, joinedLen's: the
// second after a first of a list was in clear, "ids N, 7306318845_
// 5123456789"), and a number of fewer than five digits followed by a word
// ("3 tips", "1024 bytes": a count, a size; a Telegram id of four digits
// is one of its first accounts, a Discord one has seventeen or more)
// ends the list. A time in a list ("10:30") is read as one after the
// word is (dateTimeLen), kept, and the list goes on: an id after it is
// masked ("users N, 10:30 N"), and "7306318845:5123456789" and
// "1234:4433221100" are two ids.
func listItemLen(s string) int {
	sep := listSep.FindStringIndex(s)
	if sep == nil || sep[1] == 0 {
		return 0
	}
	if sep[1] > 0 && strings.HasPrefix(s[sep[1]-1:], "::") && !strings.HasPrefix(s[sep[1]-1:], ":::") {
		// The "::" an address begins with, not a ":" and its rest
		// (but for a ":" before a "::", "N:::1", the separator).
		sep[1]--
		if sep[1] == 0 {
			return 0
		}
	}
	item := s[sep[1]:]
	n := max(numberLen(item), groupedLen(item))
	if n == 0 {
		if addrStart.MatchString(item) {
			// An address addressLen reads, or nothing.
			return sep[1]
		}
		return 0
	}
	if rest := item[n:]; rest != "" {
		c := rest[0]
		if (c == '_' || c == '%') && joinedLen(rest) == 0 || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' {
			return 0
		}
		word := strings.TrimLeftFunc(rest, isGap)
		if item[0] != '-' && item[0] != '+' && digitCount(item[:n]) < 5 && len(word) < len(rest) && word != "" && 'a' <= word[0]|0x20 && word[0]|0x20 <= 'z' && !joinsList(word) {
			return 0
		}
	}
	return sep[1]
}

// joinsList reports whether word, the text after a list's small number
// and a space, begins with "and" or "or" and a space (listSep's): the
// list goes on ("N 3 and 7306318845"), where a count's word ends it.
func joinsList(word string) bool {
	for _, w := range []string{"and", "or"} {
		if rest, ok := strings.CutPrefix(word, w); ok && rest != "" {
			if r, _ := utf8.DecodeRuneInString(rest); isGap(r) {
				return true
			}
		}
	}
	return false
}

// digitCount is how many decimal digits (numberLen's) s holds: a
// number's with its thousands marked, "1,024", is four.
func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// addrStart matches what an address that is no number begins with: an
// IPv6 address's first group of hex digits that begins with a letter,
// and its ":" ("fe80:", "dead:"), a "::", or the ADDR scrubAddrs wrote.
var addrStart = regexp.MustCompile(`^(?:[A-Fa-f][0-9A-Fa-f]{0,3}:|::|ADDR(?:$|[^A-Za-z0-9]))`)

// isJoinedID reports whether number, one joinedLen found joined to the
// number or the address before it, is as long as an id: six digits or
// more (a sign aside). A Telegram account's id has had eight digits or
// more for a decade, its first accounts' aside, and a Discord one has
// seventeen or more; what is joined to a date, a version or an address
// that runs on is a figure ("2026-12-0799", "07/12/20261", "1.2.3.4.5":
// what only begins like one is read as before).
func isJoinedID(number string) bool {
	return utf8.RuneCountInString(strings.TrimLeft(number, "+-")) >= 6
}

// joinedLen is 1 where s, the text after a number or an address kept
// after a word naming a person or a chat, begins with a ".", "/", "-",
// "_" or "%" (an address's zone: "fe80::1%7306318845") and a number's
// digits right after it, else 0. What is so joined
// to a number is read as the next of a list (listItemLen takes none that
// a "." and a digit or a "_" follow: "1.5", "5s"), masked where it is as
// long as an id (isJoinedID): "id 7.22.19.27.605679248170" (no
// version, no address: it runs on) wrote "id N.22.19.27.605679248170",
// the id after the dots in clear, and "user 1.2.3.4/24/7306318845",
// "user 7306318845-5123456789" the second id.
func joinedLen(s string) int {
	if len(s) < 2 || strings.IndexByte("./-_%", s[0]) < 0 || numberLen(s[1:]) == 0 {
		return 0
	}
	return 1
}

// dateTimeGapLen is the length of what s, the text after a date or a
// time kept after a word naming a person or a chat, holds before what
// follows it: spaces (isGap: a line break too, as errors.Join writes
// between two errors; a no-break space), and what may stand between the
// word and a number (identityNumber's quotes and ":=#"), and ",;([-";
// not the "::" an address begins with ("EST [::]:443 7306318845": read
// up to "]", no address, the list ended and the id passed in clear).
func dateTimeGapLen(s string) int {
	for i, r := range s {
		if !isGap(r) && !strings.ContainsRune(",;:=#\"'([-", r) || strings.HasPrefix(s[i:], "::") {
			return i
		}
	}
	return len(s)
}

// gap is what identityNumber and listSep read as a space, in a
// character class: what "\s" takes, a vertical tab, a next line, a
// no-break or any other Unicode space (\p{Z}), and an invisible
// formatting character (\p{Cf}: a zero-width space or joiner, a
// direction mark): none shows between a word and an id, and each passed
// the id in clear ("user\u00a07306318845", "user\v7306318845").
const gap = `\s\v\x{85}\p{Z}\p{Cf}`

// isGap reports whether r is a space as gap reads one.
func isGap(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Z, unicode.Cf)
}

// numberLen is the length in bytes of the number s begins with (an
// optional "-" or "+", decimal digits: ASCII, or any other script's,
// full-width "７３０６" too), or 0.
func numberLen(s string) int {
	n := 0
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		n = 1
	}
	d := n
	for d < len(s) {
		if '0' <= s[d] && s[d] <= '9' {
			d++
			continue
		}
		if s[d] < utf8.RuneSelf {
			break
		}
		r, size := utf8.DecodeRuneInString(s[d:])
		if !unicode.IsDigit(r) {
			break
		}
		d += size
	}
	if d == n {
		return 0
	}
	return d
}

// groupedLen is the length in bytes of the number s begins with where
// its thousands are marked: an optional "-" or "+", one to three digits
// (numberLen's, of any script), then one group of three digits or more
// groups, each after the same mark (groupMarks: "7.306.318.845", "7,306,318,845",
// "7 306 318 845", "7'306'318'845"), where the next group that is not of
// three digits ends it; or 0 where s begins with no such number. An id so
// written passed as a version, an IPv4 address, or a list of figures
// ("N.306.318.845").
func groupedLen(s string) int {
	n := numberLen(s)
	if n == 0 || utf8.RuneCountInString(strings.TrimLeft(s[:n], "+-")) > 3 {
		return 0
	}
	var mark rune
	end := n
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if !strings.ContainsRune(groupMarks, r) || mark != 0 && r != mark {
			break
		}
		g := numberLen(s[end+size:])
		if g == 0 || s[end+size] == '-' || s[end+size] == '+' ||
			utf8.RuneCountInString(s[end+size:end+size+g]) != 3 {
			break
		}
		mark = r
		end += size + g
	}
	if mark == 0 {
		return 0
	}
	return end
}

// groupMarks are the marks a number's thousands are written with: a
// dot, a comma, an apostrophe (straight or curly), a space, a no-break,
// a narrow no-break or a thin space.
const groupMarks = ".,'\u2019 \u00a0\u202f\u2009"

// hasDigit reports whether s holds a decimal digit, ASCII or any other
// (numberLen's).
func hasDigit(s string) bool {
	if strings.ContainsAny(s, "0123456789") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.IndexFunc(s[i:], unicode.IsDigit) >= 0
		}
	}
	return false
}

// dateTime matches a date or a time as Go and people write one: RFC 3339
// or DateOnly, with a time or not ("2026-12-07", "2026-12-07T05:00:00Z",
// "2026-12-07 05:00:00.5", a year of this century or the last), a day,
// month and year ("07/12/2026", "12/7/2026"), or a time of day ("05:00",
// "23:59:59"); a time's zone is zoneLen's. A Telegram or Discord id is
// not written so: an id of four digits is one of Telegram's first
// accounts, and no text Vigía or a library writes follows an id with
// "-12-07", "/12/2026" or ":00". A negative number (a chat's) is no date.
var dateTime = regexp.MustCompile(`^(?:` +
	`(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ]` + clock + `)?` +
	`|(?:0?[1-9]|[12][0-9]|3[01])/(?:0?[1-9]|[12][0-9]|3[01])/(?:19|20)[0-9]{2}` +
	`|` + clock + `)`)

// clock is a time of day: hours and minutes, seconds and a fraction of
// one if any.
const clock = `(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?`

// zoneOffset is a time's zone after it: "Z", or an offset from UTC
// ("+01:00", "-0500"), right after it as RFC 3339 writes one, or after a
// space, as time.Time's String does ("2026-12-07 05:00:00 -0500 EST").
var zoneOffset = regexp.MustCompile(`^(?:Z|( ?)[+-](?:0[0-9]|1[0-4]):?[0-5][0-9])`)

// zoneName is the zone's name time.Time's String writes after a spaced
// offset: letters ("EST", "UTC"), or the offset's hours, and minutes if
// any, where the zone has no name ("-05", "+0530").
var zoneName = regexp.MustCompile(`^ (?:[A-Z]{3,5}|[+-](?:0[0-9]|1[0-4])(?:[0-5][0-9])?)`)

// zoneAbbrev is a zone's name written alone after a date or a time, with
// no offset before it, as a layout with "MST" and no "-0700" writes one
// (time.UnixDate, time.RFC1123, "2006-01-02 15:04:05 MST"): "… 05:00:00
// EST 7306318845" passed the id in clear.
var zoneAbbrev = regexp.MustCompile(`^ [A-Z]{3,5}`)

// monotonic is the monotonic clock reading time.Time's String writes
// after the zone's name, for a time.Now ("… -0500 EST m=+0.000000001").
var monotonic = regexp.MustCompile(`^ m=[+-][0-9]+\.[0-9]{9}`)

// zoneLen is the length of the zone s, the text after a time of day,
// begins with (zoneOffset, then zoneName after a spaced offset, then a
// monotonic reading after the name; or a name alone, zoneAbbrevLen), or
// 0: each only where it does not run on (runsOn: "-1001234567890" after
// a time is a chat's id, not "-10:01").
func zoneLen(s string) int {
	m := zoneOffset.FindStringSubmatchIndex(s)
	if m == nil || runsOn(s[m[1]:]) {
		return zoneAbbrevLen(s)
	}
	n := m[1]
	if m[3] > m[2] {
		if z := zoneName.FindStringIndex(s[n:]); z != nil && !runsOn(s[n+z[1]:]) {
			n += z[1]
			if r := monotonic.FindStringIndex(s[n:]); r != nil && !runsOn(s[n+r[1]:]) {
				n += r[1]
			}
		}
	}
	return n
}

// zoneAbbrevLen is the length of the zone's name alone (zoneAbbrev) s,
// the text after a date or a time, begins with, or 0 where it runs on
// (" ESTATE"). Upper-case letters only: taking another word for a zone
// keeps it, and what follows it is read as what follows the word before
// the date, a number there masked all the same.
func zoneAbbrevLen(s string) int {
	if m := zoneAbbrev.FindStringIndex(s); m != nil && !runsOn(s[m[1]:]) {
		return m[1]
	}
	return 0
}

// runsOn reports whether s, the text after a date, a time or a zone,
// runs on into a word or a number ("x", "99", "-07", ":42", "/3"),
// which makes what is before it no date, time or zone.
func runsOn(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if c == '_' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' {
		return true
	}
	return len(s) > 1 && strings.IndexByte("-/:.+", c) >= 0 && '0' <= s[1] && s[1] <= '9'
}

// dateTimeLen is the length of the date or time s begins with (dateTime,
// and a time's zone: zoneLen), or 0: also where it runs on into a word or
// a number ("2026-12-07x", "2026-12-0799", "05:00:00:42",
// "07/12/2026/3"; runsOn), which is no date.
func dateTimeLen(s string) int {
	m := dateTime.FindStringIndex(s)
	if m == nil {
		return 0
	}
	n := m[1]
	if strings.IndexByte(s[:n], ':') >= 0 {
		n += zoneLen(s[n:])
	} else {
		n += zoneAbbrevLen(s[n:])
	}
	if runsOn(s[n:]) {
		return 0
	}
	return n
}

// identityNumber matches a number after a word that names a person or a
// chat (and an optional "id"; "uid" too, as identityWords has it for a
// key; a possessive "'s": "user's 7306318845"), or a bare "id" or "ids"
// (its second group; ownedID), with what separates them between: spaces
// (gap), a ",", quotes, guillemets and a "<" (idOpeners), ":=#_"
// ("user_7306318845" was in clear), a "/" (a URL's path: Discord's
// ".../channels/<id>/…",
// as a request's error quotes it), a "[", "(" or "{" opening a list, or more than one
// ("[[", "[("), and a dash or a "+" with a space after it ("user -
// 7306318845"); a "+" right before the number is the number's ("user
// +7306318845"): a Telegram chat or user id, a Discord snowflake, in an
// error's text or a JSON object ("{\"id\":7306318845}"). The word may end
// a longer key, after "_" or a lower-case letter (go-telegram/bot's
// "migrate_to_chat_id -100…", "from_chat_id=", "senderChatId"): a word's
// start is not a letter's end, or a capital after a small letter. The
// number's digits may be any decimal digits (\p{Nd}: full-width
// "７３０６３１８８４５", Arabic-Indic), as numberLen reads them. Or the
// "ADDR" scrubAddrs wrote for an address (addrWritten), which addressLen
// keeps, and the number after it is read as after any other address.
var identityNumber = regexp.MustCompile(`((?:(?:^|[^A-Za-z])(?i:user|uid|chat|sender|from|channel|author|member|reporter|guild|peer)|[a-z](?:User|Chat|Sender|From|Channel|Author|Member|Reporter|Guild|Peer)|(?:^|[^A-Za-z])((?i:ids?)))(?i:(?:['\x{2019}\x{02bc}]s)?s?(?:[ _-]?ids?)?)(?:[` + gap + idOpeners + `:=#_/\[({,]|[-+\x{2010}-\x{2015}\x{2212}][` + gap + `])*)(?:[-+]?\p{Nd}+|ADDR(?:\b|_)|[A-Fa-f][0-9A-Fa-f]{0,3}:|::)`)

// identityWordAt is the index of the first word of s a match of
// identityNumber may hold ("user", "uid", "chat", "sender", "from",
// "channel", "author", "member", "reporter", "guild", "peer", "id",
// "ids", in any case; a match begins at it or one byte before), or -1
// where s holds none. It is 0 where s holds a "ſ" (a long s), which
// (?i) folds to "s" ("uſer"): no skipping there.
func identityWordAt(s string) int {
	if strings.Contains(s, "\u017f") {
		return 0
	}
	for i := 0; i < len(s); i++ {
		switch s[i] | 0x20 {
		case 'u', 'c', 's', 'f', 'a', 'm', 'r', 'g', 'p', 'i':
		default:
			continue
		}
		for _, w := range identityNumberWords {
			if len(s)-i >= len(w) && strings.EqualFold(s[i:i+len(w)], w) {
				return i
			}
		}
	}
	return -1
}

// identityNumberWords are the words identityNumber begins with, in
// lower case ("ids" holds "id").
var identityNumberWords = []string{"user", "uid", "chat", "sender", "from", "channel", "author", "member", "reporter", "guild", "peer", "id"}

// idOpeners are the quotation marks and angle brackets that may stand
// before an id, in a character class: straight and curly quotes,
// guillemets ("user «7306318845»", as French and Spanish quote), low
// quotes, corner brackets, and "<" ("user <7306318845>"). Each passed
// the id in clear.
const idOpeners = `"'\x{2018}\x{2019}\x{201a}\x{201c}\x{201d}\x{201e}\x{00ab}\x{00bb}\x{2039}\x{203a}\x{300c}\x{300e}<`

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
		s = replaceAddrs(s)
	}
	return s
}

// replaceAddrs writes each match of redisAddr in s as addrOrKey does, but
// a group of an unbracketed IPv6 address (ipv6Group) that read as a host
// and its port: "ff00:42" in "2001:db8:0:0:1:ff00:42:8329", "ffff:10" in
// "::ffff:10.0.0.7". Written "ADDR", it left the address in pieces
// ("N:db8:0:0:1:ADDR:8329"), which scrubIDs reads as no address, and
// the id after it was logged in clear.
func replaceAddrs(s string) string {
	ms := redisAddr.FindAllStringIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		if ipv6Group(s, m[0], m[1]) || m[0] > 1 && s[m[0]-1] == '.' && '0' <= s[m[0]-2] && s[m[0]-2] <= '9' {
			// A group of an IPv6 address, or the end of a dotted
			// number that runs on before it ("5.630.741.852.963:3",
			// an id with its thousands marked): no address.
			// Written "5.ADDR", the id's digits after it passed.
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(addrOrKey(s[m[0]:m[1]]))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// ipv6Group reports whether s[i:j], a match of redisAddr, is a host of
// one to four hex digits and a port inside an IPv6 address: the run of
// hex digits, ":" and "." around it (read no further than an address's
// length on either side) has a "::" or six ":" or more, as an IPv6
// address has and a host:port with a key or a port around it
// ("{a}:b:6379", "cafe:6379:7306318845") has not.
func ipv6Group(s string, i, j int) bool {
	c := strings.IndexByte(s[i:j], ':')
	if c < 1 || c > 4 || strings.Trim(s[i:i+c], hexDigits) != "" {
		return false
	}
	inRun := func(c byte) bool { return c == ':' || c == '.' || strings.IndexByte(hexDigits, c) >= 0 }
	b, e := i, j
	for b > 0 && i-b < maxIPv6Len && inRun(s[b-1]) {
		b--
	}
	for e < len(s) && e-j < maxIPv6Len && inRun(s[e]) {
		e++
	}
	return strings.Contains(s[b:e], "::") || strings.Count(s[b:e], ":") >= 6
}

// hexDigits are the digits of a hex number, either case.
const hexDigits = "0123456789abcdefABCDEF"

// addrOrKey is what scrubAddrs writes of a match of redisAddr: a Redis
// key's tail as it is (an operator needs the key a NOPERM or WRONGTYPE
// names; its number is a tip's, not a reporter's), and any address ADDR.
func addrOrKey(m string) string {
	if strings.HasPrefix(m, ":{") {
		return m
	}
	return addrWritten
}
