package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

// leakyError is an error whose Error text quotes a key and an address.
type leakyError struct{ key string }

func (e *leakyError) Error() string { return "NOPERM '" + e.key + "' dial tcp 10.0.0.7:6379" }

// leakyStringer is a fmt.Stringer: the JSON handler marshals it (its
// fields), not its String.
type leakyStringer struct{ URL string }

func (s leakyStringer) String() string { return "stringer" }

// badMarshaler fails to marshal with an error that quotes its value.
type badMarshaler struct{ secret string }

func (b badMarshaler) MarshalJSON() ([]byte, error) {
	return nil, errors.New("cannot marshal " + b.secret)
}

// valuer is a slog.LogValuer.
type valuer struct{ s string }

func (v valuer) LogValue() slog.Value { return slog.StringValue(v.s) }

// Not every attribute is a string: an error, a fmt.Stringer, a struct, a
// map, a group, a LogValuer passed to the logger as they are is written
// as text too, and scrubbed as a string is: no pseudonym, no address, no
// URL credentials, however it is passed. Each line stays one JSON object,
// a map still an object, the level still a level.
func TestLoggerScrubsNonStringAttributes(t *testing.T) {
	const pseudonym = "0cc6ce9b1a2b3c4d5e6f708192a3b4c5"
	key := "vigia:{" + pseudonym + "}:st"
	url := "redis://admin:s3cr3t@redis.internal:6380/0?master_name=m&password=Pr1mary"
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	var nilErr *leakyError
	log.Warn("error", "error", &leakyError{key})
	log.Warn("wrapped", "error", errors.Join(errors.New(url), &leakyError{key}))
	log.Warn("stringer", "value", leakyStringer{url})
	log.Warn("map", "value", map[string]any{"url": url, "key": key, "n": 1})
	log.Warn("slice", "value", []string{key, url})
	log.Warn("raw", "value", json.RawMessage(`{"key":"`+key+`"}`))
	log.Warn("group", slog.Group("g", slog.Any("error", &leakyError{key}), slog.Group("h", "v", valuer{url})))
	log.With("error", &leakyError{key}).WithGroup("w").Warn("with", "value", leakyStringer{url})
	log.Warn("valuer", "value", valuer{key})
	log.Warn("marshal error", "value", badMarshaler{pseudonym})
	log.Warn("escape", "value", map[string]string{"k": "\x01" + pseudonym})
	log.Warn("nil error", "error", nilErr)
	out := buf.String()
	// A line's time may hold "6379" in its nanoseconds.
	untimed := regexp.MustCompile(`"time":"[^"]*"`).ReplaceAllLiteralString(out, `"time":""`)
	for _, leak := range []string{pseudonym[:24], "s3cr3t", "admin", "Pr1mary", "redis.internal", "6380", "10.0.0.7", "6379"} {
		if strings.Contains(untimed, leak) {
			t.Errorf("%q is in the log:\n%s", leak, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 12 {
		t.Fatalf("%d lines, want 12:\n%s", len(lines), out)
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if rec["level"] != "WARN" {
			t.Errorf("level %v: %s", rec["level"], line)
		}
		switch rec["msg"] {
		case "error":
			if rec["error"] != "NOPERM 'vigia:{[id withheld]}:st' dial tcp ADDR" {
				t.Errorf("the error lost its words: %s", line)
			}
		case "map":
			if m, ok := rec["value"].(map[string]any); !ok || m["n"] != 1.0 || m["key"] != "vigia:{[id withheld]}:st" {
				t.Errorf("the map is not the object it was: %s", line)
			}
		case "nil error":
			if rec["error"] != "<nil>" {
				t.Errorf("a nil error: %s", line)
			}
		}
	}
	for _, want := range []string{`redis://[credentials withheld]@ADDR/0?master_name=m&password=[withheld]`, `{"URL":"redis://[credentials withheld]@ADDR`, `"g":{"error":"NOPERM`, `"h":{"v":"redis://[credentials withheld]@ADDR`, `"w":{"value":{"URL":`, `!ERROR:`} {
		if !strings.Contains(out, want) {
			t.Errorf("%q is missing from the log:\n%s", want, out)
		}
	}
}

// A Telegram user or chat id is a number, a Discord one a string of
// digits: an attribute whose key (or group) names a person or a chat is
// withheld whatever its kind, and a number such a word introduces in a
// message or an error's text is masked. Other numbers (a tip's, a count)
// stay.
func TestLoggerWithholdsIdentityNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Warn("ids", slog.Int64("user", 7306318845), slog.Int64("chat_id", -1001234567890),
		slog.Uint64("from", 5512345678), slog.Int("senderID", 4411223344), slog.Float64("id", 6611223344),
		slog.String("channel", "112233445566778899"), slog.Any("userId", int64(7711223344)),
		slog.Group("chat", slog.Int64("n", 8811223344)), "tip", 1234, "count", 3)
	log.Warn("send to chat 9911223344 failed", "error", errors.New(`user_id=6622334455, "from": 4433221100, chat -1009988776655`))
	out := buf.String()
	for _, id := range []string{"7306318845", "1234567890", "5512345678", "4411223344", "6611223344", "6.611", "112233445566778899", "7711223344", "8811223344", "9911223344", "6622334455", "4433221100", "9988776655"} {
		if strings.Contains(out, id) {
			t.Errorf("id %s logged in clear:\n%s", id, out)
		}
	}
	var first map[string]any
	line, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(line), &first); err != nil {
		t.Fatalf("not JSON: %s", line)
	}
	if first["tip"] != float64(1234) || first["count"] != float64(3) {
		t.Errorf("a tip's number or a count was withheld: %s", line)
	}
	if first["user"] != identityWithheld {
		t.Errorf("user = %v, want %q", first["user"], identityWithheld)
	}
}

// The JSON handler writes bytes as base64, which no scrubbing reads: a
// byte slice or array, alone or inside a struct, a map or a slice, is
// withheld (a tip's body, clear or sealed, may be one). A
// json.RawMessage is JSON text and is written as such.
func TestLoggerWithholdsBytes(t *testing.T) {
	const tip = "balacera en la calle Allende de Hidalgo"
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Warn("bytes", "body", []byte(tip))
	log.Warn("array", "body", [39]byte([]byte(tip)))
	log.Warn("struct", "value", struct{ Body []byte }{[]byte(tip)})
	log.Warn("map", "value", map[string]any{"body": []byte(tip)})
	log.Warn("slice", "value", [][]byte{[]byte(tip)})
	log.Warn("pointer", "value", &struct{ Body any }{[]byte(tip)})
	log.Warn("raw", "value", json.RawMessage(`{"n":1}`))
	out := buf.String()
	for _, leak := range []string{tip, "YmFsYWNlcmEg", "calle"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q logged:\n%s", leak, out)
		}
	}
	if n := strings.Count(out, bytesWithheld); n != 6 {
		t.Errorf("%d values withheld, want 6:\n%s", n, out)
	}
	if !strings.Contains(out, `"value":{"n":1}`) {
		t.Errorf("a json.RawMessage is no longer written as JSON:\n%s", out)
	}
}

// A number after a word naming a person or a chat is masked where the
// word ends a longer key too: go-telegram/bot's MigrateError says
// "migrate_to_chat_id -100…" (a group's new id), a request's parameters
// "from_chat_id=…", a camelCase key "senderChatId". "\b" found no word's
// start after "_" or inside camelCase, and the id passed in clear.
func TestLoggerMasksIdsInLongerKeys(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Warn("send failed", "error", &bot.MigrateError{Message: "Bad Request: group chat was upgraded to a supergroup chat", MigrateToChatID: -1001234567890})
	log.Warn("forwardMessage from_chat_id=-1009988776655 failed", "error", errors.New(`{"senderChatId": 7306318845, "reply_to_user_id": 5512345678}`))
	out := buf.String()
	for _, id := range []string{"1234567890", "9988776655", "7306318845", "5512345678"} {
		if strings.Contains(out, id) {
			t.Errorf("id %s logged in clear:\n%s", id, out)
		}
	}
	if !strings.Contains(out, "migrate_to_chat_id N") {
		t.Errorf("the migrate error's words changed:\n%s", out)
	}
}

// Operational values are not identities: a tip's id, a Redis stream
// entry's id (under keys that say so: "tip_id", "entryID") and a date a
// word such as "from" introduces pass as they are, for operators to read.
// An "id" any other way (alone, a person's or a chat's, in a group that
// names one) is withheld, and a number that only looks like a date's
// year, or is not followed by a month and a day, is masked.
func TestLoggerKeepsOperationalIds(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Info("kept", "tip_id", 1234, "entryID", "1765000000000-0", "tip_ids", []int{12, 13},
		"retry_in", 5*time.Second, "count", 3)
	log.Info("replay from 2026-12-07T03:00:00Z failed", "error", errors.New("spool from 2026-12-07 to 2026-12-14 unreadable; user 1999-01-31 12:00"))
	log.Info("withheld", "id", 7306318845, "tip_user_id", 5512345678, "entry_chat_id", 4411223344,
		slog.Group("tip", "id", 6611223344), slog.Group("user", "tip_id", 7711223344))
	log.Info("masked", "error", errors.New("from 7306318845-12-07, chat -2026-12-07, user 2026-13-07, from 2026-12-07x, sender 2026-12-0799, chat 2026, from 20261207, member 2100-12-07"))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var kept map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &kept); err != nil {
		t.Fatal(err)
	}
	if kept["tip_id"] != float64(1234) || kept["entryID"] != "1765000000000-0" || kept["count"] != float64(3) || !strings.Contains(lines[0], `"tip_ids":[12,13]`) {
		t.Errorf("an operational value was withheld: %s", lines[0])
	}
	for _, want := range []string{"replay from 2026-12-07T03:00:00Z failed", "spool from 2026-12-07 to 2026-12-14 unreadable; user 1999-01-31 12:00"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("%q was masked: %s", want, lines[1])
		}
	}
	var withheld map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &withheld); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"7306318845", "5512345678", "4411223344", "6611223344", "7711223344"} {
		if strings.Contains(lines[2], id) {
			t.Errorf("id %s logged in clear: %s", id, lines[2])
		}
	}
	if withheld["id"] != identityWithheld || withheld["tip_user_id"] != identityWithheld {
		t.Errorf("an id was not withheld: %s", lines[2])
	}
	var masked map[string]any
	if err := json.Unmarshal([]byte(lines[3]), &masked); err != nil {
		t.Fatal(err)
	}
	if want := "from N-12-07, chat N-12-07, user N-13-07, from N-12-07x, sender N-12-0799, chat N, from N, member N-12-07"; masked["error"] != want {
		t.Errorf("error = %q\nwant    %q", masked["error"], want)
	}
}

// A date or a time right after a word naming a person or a chat is kept,
// and an id after it is masked all the same: "from 2026-12-07
// 7306318845" passed the id in clear (the date was looked at, not what
// followed it), and a day-first date or a time of day before an id did
// too, masked itself. Each date and time stays readable, a tip's number
// too.
func TestLoggerMasksIdsAfterDates(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"from 2026-12-07 7306318845", "from 2026-12-07 N"},
		{"from 2026-12-07T05:00:00Z 7306318845", "from 2026-12-07T05:00:00Z N"},
		{"user 2026-12-07T05:00:00.123+01:00 7306318845", "user 2026-12-07T05:00:00.123+01:00 N"},
		{"from 07/12/2026 7306318845", "from 07/12/2026 N"},
		{"from 05:00 7306318845", "from 05:00 N"},
		{"chat 07/12/2026 05:00:59, -1001234567890", "chat 07/12/2026 05:00:59, -N"},
		{"sender 2026-12-07 05:00 (7306318845)", "sender 2026-12-07 05:00 (N)"},
		{"from: 2026-12-07 05:00 user_id=7306318845", "from: 2026-12-07 05:00 user_id=N"},
		// Dates and times alone, and what is no id, stay.
		{"spool from 07/12/2026 to 14/12/2026 unreadable", "spool from 07/12/2026 to 14/12/2026 unreadable"},
		{"replay from 05:00 failed; tip 1234 kept", "replay from 05:00 failed; tip 1234 kept"},
		{"from 2026-12-07 to 2026-12-14", "from 2026-12-07 to 2026-12-14"},
		// No date or time: what only begins like one is masked.
		{"from 05:00:00:42", "from N:00:00:42"},
		{"from 07/12/20261", "from N/12/20261"},
		{"user 12:30pm", "user N:30pm"},
	} {
		var buf bytes.Buffer
		newLogger(&buf, nil).Warn("x", "error", errors.New(c.in))
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["error"] != c.want {
			t.Errorf("%q logged %q, want %q", c.in, rec["error"], c.want)
		}
	}
}

// A line break after a kept date or time is read as after the word
// itself ("from\n7306318845" is "from\nN"): errors.Join writes one
// between two errors, and an id on the next line passed in clear.
func TestLoggerMasksIdsOnTheLineAfterADate_revlogs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"from\n7306318845", "from\nN"},
		{"from 2026-12-07\n7306318845", "from 2026-12-07\nN"},
		{"user 05:00\r\n7306318845", "user 05:00\r\nN"},
		{"chat 07/12/2026\f-1001234567890", "chat 07/12/2026\f-N"},
	} {
		var buf bytes.Buffer
		newLogger(&buf, nil).Warn("x", "error", errors.Join(errors.New("replay failed"), errors.New(c.in)))
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if want := "replay failed\n" + c.want; rec["error"] != want {
			t.Errorf("%q logged %q, want %q", c.in, rec["error"], want)
		}
	}
}
