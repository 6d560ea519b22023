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

// A blind index's MAC is 16 hex digits ("vigia:ix:e:MAC", "ix:t:MAC:day",
// "{alerts}:a:MAC"), and Redis 7.2 quotes the key it refuses (NOPERM):
// the indexer's "indexing failed" line, the expiry repair's and go-redis's
// own wrote it in clear, 24 digits being the least withheld. Whoever reads
// the logs and holds VIGIA_SECRET (leaked, or a former admin's) confirms a
// guessed phone number or handle by its MAC, after the tip is erased from
// Redis. Mutation checked: longHex back to {24,} -> the MAC is in the log.
func TestLoggerWithholdsIndexMACs_redisops(t *testing.T) {
	const mac = "9f86d081884c7d65" // (storage's indexMAC: 16 hex digits)
	keys := []string{"vigia:ix:e:" + mac, "vigia:ix:t:" + mac + ":20261207", "vigia:{alerts}:a:" + mac, "vigia:ix:d:" + strings.ToUpper(mac)}
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	for _, k := range keys {
		err := errors.New("NOPERM User vigia has no permissions to access the '" + k + "' key script: 5f1a, on @user_script:12.")
		log.Warn("indexing failed", "error", err.Error())
		if got := redisReason(err); strings.Contains(strings.ToLower(got), mac) {
			t.Errorf("rotate-key's reason holds the MAC: %q", got)
		}
		if got := redisLogDetail(err.Error()); strings.Contains(strings.ToLower(got), mac) {
			t.Errorf("go-redis's line holds the MAC: %q", got)
		}
	}
	// One MAC in about 1,800 is digits alone.
	log.Warn("indexing failed", "error", "NOPERM User vigia has no permissions to access the 'vigia:ix:e:4815162342108016' key")
	out := strings.ToLower(buf.String())
	if strings.Contains(out, mac) || strings.Contains(out, "4815162342108016") {
		t.Fatalf("an index MAC is in the log:\n%s", buf.String())
	}
	for _, want := range []string{"noperm", "vigia:ix:e:[id withheld]", "vigia:ix:t:[id withheld]:20261207", "{alerts}:a:[id withheld]"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q is missing from the log:\n%s", want, buf.String())
		}
	}
}

// scrubIDs on large values: a line of prose with numbers and addresses,
// a long list of ids, and a run of hex.
func BenchmarkScrubIDs(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"prose", strings.Repeat("handler failed: dial tcp 10.0.0.7:6379: refused after 3 tries in 1.5ms; ", 16<<10/72)},
		{"ids", "users " + strings.Repeat("7306318845, ", 16<<10/12)},
		{"hex", strings.Repeat("vigia:{0cc6ce9b1a2b3c4d5e6f708192a3b4c5}:st ", 16<<10/44)},
		{"words", strings.Repeat("balacera hidalgo ", 16<<10/17)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.in)))
			for b.Loop() {
				scrubIDs(c.in)
			}
		})
	}
}

// scrubIDs reads each string once where it names no one, a large one
// too (the regexps it ran read about 1 MB/s): what it masks is as
// before. The regexp's words are found in any case, a "ſ" folded to "s"
// as (?i) folds it, and a word inside another is none ("fluid").
func TestScrubIDsFindsEveryIdentityWord_logscrub(t *testing.T) {
	long := strings.Repeat("balacera hidalgo 3 tips ", 4096)
	for _, c := range []struct{ in, want string }{
		{long + "user 7306318845", long + "user N"},
		{long + "uſer 7306318845 and ſender 5123456789", long + "uſer N and ſender N"},
		{long + "senderChatId=7306318845", long + "senderChatId=N"},
		{long + "REPORTER: 7306318845, GUILD 5123456789", long + "REPORTER: N, GUILD N"},
		{long + "xuid 7306318845, ID 5123456789", long + "xuid 7306318845, ID N"},
		{"fluid 3, uuid 1234, tip id 7306318845", "fluid 3, uuid 1234, tip id 7306318845"},
		{long + "0cc6ce9b1a2b3c4d5e6f708192a3b4c5 ７３０６３１８８４５７３０６３１８", long + "[id withheld] N"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(…%q) = …%q, want …%q", c.in[max(0, len(c.in)-80):], got[max(0, len(got)-80):], c.want[max(0, len(c.want)-80):])
		}
	}
}

// replaceLongHex replaces what longHex.ReplaceAllStringFunc does.
func FuzzReplaceLongHexIsLongHex_logscrub(f *testing.F) {
	for _, s := range []string{"", "0cc6ce9b1a2b3c4d5e6f708192a3b4c5", "x7306318845123456y", "７３０６３１８８４５７３０６３１８", "abcdef0123456789\xff0123456789abcdef0", "ab:{0123456789abcdef}:st 112233445566778899"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mark := func(run string) string { return "<" + run + ">" }
		if got, want := replaceLongHex(s, mark), longHex.ReplaceAllStringFunc(s, mark); got != want {
			t.Fatalf("replaceLongHex(%q) = %q, want %q", s, got, want)
		}
	})
}
