package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// An error passed on from Redis may quote a key, and a reporter's keys
// carry their pseudonym (stable per person): the process's logger writes
// it withheld, in the message and in every attribute, keeping the rest.
func TestLoggerWithholdsPseudonymsInErrors(t *testing.T) {
	const pseudonym = "0cc6ce9b1a2b3c4d5e6f708192a3b4c5"
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	err := errors.New("NOPERM User vigia has no permissions to access the 'vigia:{" + pseudonym + "}:st' key")
	log.Warn("handler failed", "platform", "telegram", "error", err.Error())
	log.Warn("draft " + pseudonym + " not swept")
	out := buf.String()
	if strings.Contains(out, pseudonym) || strings.Contains(out, pseudonym[:24]) {
		t.Fatalf("the pseudonym is in the log:\n%s", out)
	}
	for _, want := range []string{"NOPERM", "[id withheld]", `"platform":"telegram"`, "handler failed"} {
		if !strings.Contains(out, want) {
			t.Fatalf("%q is missing from the log:\n%s", want, out)
		}
	}
}
