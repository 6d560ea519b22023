package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// linePlan builds a log line from realistic pieces, each choice read from
// a byte of its plan (0 once the plan is read: every plan ends).
type linePlan struct {
	b []byte
	i int
}

func (p *linePlan) pick(n int) int {
	if p.i >= len(p.b) {
		return 0
	}
	v := int(p.b[p.i]) % n
	p.i++
	return v
}

func (p *linePlan) from(list []string) string { return list[p.pick(len(list))] }

// genWords introduce a person's or a chat's number.
var genWords = []string{"user", "chat", "from", "peer", "id", "ids", "users", "chat_id", "userID", "sender", "channel", "author", "member", "reporter", "guild", "uid", "chats", "user ids", "Chat", "fromChatId"}

// genOpeners stand between the word and its first item.
var genOpeners = []string{" ", ": ", "=", " #", "_", " [", " (", " {", `":`, `":"`, "/", " - ", " «", " <", " '", "\u00a0", "\t", ": [", "=[", " [[", " id "}

// genAddrs are addresses of every form, versions, dates, times and
// figures: what a list after the word may hold besides ids.
var genAddrs = []string{
	"10.0.0.7", "10.0.0.7:6379", "10.0.0.7/24", "127.0.0.1", "0.0.0.0:0", "255.255.255.255",
	"::1", "[::1]", "[::1]:6379", "[::]:443",
	"fe80::1", "fe80::1%eth0", "fe80::1%25", "fe80::1%en0", "[fe80::1%eth0]:6379", "fe80::1%eth0/64", "fe80::ab:1234",
	"::ffff:1.2.3.4", "::ffff:10.0.0.7:6379", "[::ffff:1.2.3.4]:6379", "::FFFF:10.0.0.7",
	"2001:db8::1", "2001:db8::1/64", "2001:db8:0:0:1:ff00:42:8329", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
	"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "dead::beef", "fec0::1", "abc1:2::3",
	"1.2.3.4%eth0", "1.2.3.4%eth0:6379",
	"7.2.4", "1.22.0", "6.2",
	"2026-12-07", "2026-12-07T05:00:00Z", "2026-12-07 05:00:00 -0500 EST", "05:00", "23:59:59", "07/12/2026", "2026-12-07T05:00:00.5+01:00",
	"400", "3", "0", "-1", "42",
}

// genDates are genAddrs's dates and times.
var genDates = map[string]bool{"2026-12-07": true, "2026-12-07T05:00:00Z": true, "2026-12-07 05:00:00 -0500 EST": true, "05:00": true, "23:59:59": true, "07/12/2026": true, "2026-12-07T05:00:00.5+01:00": true}

// genSeps stand between two items of a list, or join them.
var genSeps = []string{" ", ", ", ",", "; ", ":", ": ", "/", ".", "-", "_", "%", " and ", ", and ", " or ", "\n", "\t", "\u00a0", " [", "] [", "], [", `","`, `", "`, " (", ") ("}

// genTails end a clause.
var genTails = []string{"", " refused", ": 400", " took 5s", " in 1.5ms", " sent 3 tips", ": connection refused", " 50%", "]", ")", `"}`, " blocked", ": 403 Forbidden", "; retry in 2s"}

// genJoins stand between two clauses.
var genJoins = []string{"; ", ", ", " ", "\n", ": ", " | "}

// genPrefixes begin a line.
var genPrefixes = []string{"", "handler failed: ", "redis: dial tcp: ", "telegram: ", "discord: request failed: ", `{"ok":false,"result":{`}

// genJoiners join an id to what is before it (joinedLen's).
var genJoiners = map[string]bool{"/": true, ".": true, "-": true, "_": true, "%": true}

// genID is an id the plan chooses: 9 to 19 digits, as a Telegram user
// or chat (-100…) or a Discord snowflake has, in the forms a text writes
// one: signed, in other scripts' digits, its thousands marked (neither
// joined to what is before it). It returns the text, and what of it
// must not survive.
func (p *linePlan) genID(n int, joiner string) (text, secret string) {
	digits := 9 + p.pick(11)
	var b strings.Builder
	b.WriteByte(byte('1' + (n*7+digits)%9))
	for i := 1; i < digits; i++ {
		b.WriteByte(byte('0' + (n*31+i*17+digits*3)%10))
	}
	d := b.String()
	forms := 6
	switch {
	case joiner == "/":
		forms = 2 // "chats -1001234567890/-1001234567891"
	case genJoiners[joiner]:
		forms = 1
	}
	switch p.pick(forms) {
	case 1:
		return "-100" + d, d
	case 2:
		return "+" + d, d
	case 3:
		var w strings.Builder
		for _, c := range d {
			w.WriteRune('０' + c - '0')
		}
		return w.String(), w.String()
	case 4:
		mark := p.from([]string{",", ".", " ", "'", "\u00a0"})
		var g strings.Builder
		lead := len(d) % 3
		if lead == 0 {
			lead = 3
		}
		g.WriteString(d[:lead])
		for i := lead; i < len(d); i += 3 {
			g.WriteString(mark + d[i:i+3])
		}
		return g.String(), g.String()[strings.Index(g.String(), mark)+1:]
	}
	return d, d
}

// genLine is the line plan p builds, and the ids in it.
func genLine(p *linePlan) (line string, secrets []string) {
	var b strings.Builder
	b.WriteString(p.from(genPrefixes))
	clauses := 1 + p.pick(3)
	for c := range clauses {
		if c > 0 {
			b.WriteString(p.from(genJoins))
		}
		items := 1 + p.pick(4)
		if p.pick(8) == 0 {
			// A JSON array of ids, as Discord writes them.
			b.WriteString(`"` + p.from(genWords) + `":[`)
			for i := range items {
				if i > 0 {
					b.WriteString(",")
				}
				text, secret := p.genID(len(secrets), "")
				b.WriteString(`"` + text + `"`)
				secrets = append(secrets, secret)
			}
			b.WriteString("]")
			continue
		}
		b.WriteString(p.from(genWords))
		b.WriteString(p.from(genOpeners))
		sep, prev := "", ""
		for i := range items {
			if i > 0 {
				sep = p.from(genSeps)
				if genDates[prev] {
					// A date or a time: a space or a comma after it.
					sep = p.from([]string{" ", ", ", "; ", " and "})
				}
			}
			id := p.pick(2) == 0
			if genJoiners[sep] && !id {
				// Joined: an id to what is before it, not an address.
				sep = " "
			}
			b.WriteString(sep)
			if id {
				text, secret := p.genID(len(secrets), sep)
				b.WriteString(text)
				secrets = append(secrets, secret)
				prev = text
			} else {
				prev = p.from(genAddrs)
				b.WriteString(prev)
			}
		}
		b.WriteString(p.from(genTails))
	}
	return b.String(), secrets
}

// leaks is what of secrets, or a run of six digits or more, out holds.
func leaks(out string, secrets []string) string {
	for _, s := range secrets {
		if strings.Contains(out, s) {
			return s
		}
	}
	run := 0
	for i, r := range out {
		if unicode.IsDigit(r) {
			run++
			if run >= 6 {
				j := i + utf8.RuneLen(r)
				return out[max(0, j-12):j]
			}
			continue
		}
		run = 0
	}
	return ""
}

// loggedText is what the process's logger writes of an error whose text
// is in.
func loggedText(t *testing.T, in string) string {
	var buf bytes.Buffer
	newLogger(&buf, nil).Warn("x", "error", errors.New(in))
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	s, _ := rec["error"].(string)
	return s
}

// genPlan is the k-th of a fixed sequence of plans (xorshift).
func genPlan(k int) []byte {
	plan := make([]byte, 40)
	x := uint64(k)*0x9E3779B97F4A7C15 + 1
	for i := range plan {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		plan[i] = byte(x)
	}
	return plan
}

// checkNoIDSurvives fails t if an id of line (secrets) survives scrubIDs (the
// crash scrubber's and bench's path) or the process's logger.
func checkNoIDSurvives(t *testing.T, line string, secrets []string) {
	t.Helper()
	if l := leaks(scrubIDs(line), secrets); l != "" {
		t.Errorf("scrubIDs(%q) = %q: %q in clear", line, scrubIDs(line), l)
	}
	if out := loggedText(t, line); leaks(out, secrets) != "" {
		t.Errorf("%q logged %q: %q in clear", line, out, leaks(out, secrets))
	}
}

// No id after a word naming a person or a chat survives either path, in
// a line built from realistic pieces (genLine): addresses of every form,
// ports, versions, dates, figures, and ids (signed, in other scripts'
// digits, their thousands marked) with every separator a list or a
// joined number has. Only the seed corpus runs in CI; locally, for a
// bounded time:
//
//	go test -run '^$' -fuzz FuzzScrubbersMaskEveryId_logs -fuzztime 5m .
func FuzzScrubbersMaskEveryId_logs(f *testing.F) {
	for k := range 48 {
		f.Add(genPlan(k))
	}
	// Plans the fuzzer found a leak with.
	for _, plan := range []string{
		"0271021B00000",        // userID":::FFFF:10.0.0.7 5630741852963
		"0071000000000|180",    // userID (5630741852963 3741852963074:fe80::1 663074185
		"0071000000000|1B",     // userID (5630741852963 3741852963074:::FFFF:10.0.0.7 663074185
		"00110000X8\x1c00X",    // userID (5.630.741.852.963:3,741,852,963,074
		"00210000001X#",        // userID (5630741852963 3 and 852963074
		"002100000,17",         // userID (5630741852963","[::]:443 852963074
		"121000100071001$0017", // userID (2026-12-07 05:00:00 -0500 EST [::]:443 663074185
		"00210010018700000",    // userID (10.0.0.7/24 fe80::1.5630741852963: connection refused
	} {
		f.Add([]byte(plan))
	}
	f.Fuzz(func(t *testing.T, plan []byte) {
		line, secrets := genLine(&linePlan{b: plan})
		checkNoIDSurvives(t, line, secrets)
	})
}
