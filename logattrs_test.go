package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
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
	for _, leak := range []string{pseudonym[:24], "s3cr3t", "admin", "Pr1mary", "redis.internal", "6380", "10.0.0.7", "6379"} {
		if strings.Contains(out, leak) {
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
