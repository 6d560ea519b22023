package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	stdlog "log"
	"strings"
	"testing"
	"time"
)

// scrubbedError is what the process's logger writes of an error whose
// text is in.
func scrubbedError(t *testing.T, in string) string {
	t.Helper()
	var buf bytes.Buffer
	newLogger(&buf, nil).Warn("x", "error", errors.New(in))
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	s, _ := rec["error"].(string)
	return s
}

// Every number of a list a word naming a person or a chat begins is
// masked, not the first alone ("ids 7306318845 7306318846" passed both,
// "user ids 7306318845, 7306318846" the second, fmt's "[…]" and JSON's
// arrays every one), and what ends the list (a word, a count, a
// duration, a size) stays readable.
func TestLoggerMasksEveryIdOfAList_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ids 7306318845 7306318846", "ids N N"},
		{"user ids 7306318845, 7306318846", "user ids N, N"},
		{"users: 7306318845, 5123456789 and -1001234567890", "users: N, N and N"},
		{"chat ids [7306318845 7306318846 7306318847] blocked", "chat ids [N N N] blocked"},
		{`"user_ids":["112233445566778899","998877665544332211"]`, `"user_ids":["N","N"]`},
		{"chats [7306318845,5123456789]", "chats [N,N]"},
		{"chat:-1001234567890:5123456789", "chat:N:N"},
		{"chat 7306318845, user 5123456789", "chat N, user N"},
		{"from 2026-12-07 7306318845 7306318846", "from 2026-12-07 N N"},
		// What ends a list stays.
		{"user 7306318845 sent 3 tips in 5s on port 8080", "user N sent 3 tips in 5s on port 8080"},
		{"users 7306318845, 3 more skipped", "users N, 3 more skipped"},
		{"users 7306318845 4411 @x", "users N N @x"},
		{"user 7306318845 1.5 MB 50% 10ms", "user N 1.5 MB 50% 10ms"},
		{"user 7306318845, 2026-12-07 to 2026-12-14", "user N, 2026-12-07 to 2026-12-14"},
		{"from 07/12/20261", "from N/12/20261"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A bare "id" or "ids" introduces a person's or a chat's number as
// "user" does (an attribute keyed "id" was withheld, "id 7306318845" in
// a text passed), in JSON too (a quoted update: {"chat":{"id":…}}); a
// tip's or a stream entry's id stays, as namesIdentity reads keys.
func TestLoggerMasksBareIds_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"id 7306318845", "id N"},
		{"ID: 7306318845", "ID: N"},
		{"failed for id=-1001234567890", "failed for id=N"},
		{`{"chat":{"id":7306318845,"type":"private"},"from":{"id":5123456789}}`, `{"chat":{"id":N,"type":"private"},"from":{"id":N}}`},
		{`{"author":{"id":"112233445566778899"}}`, `{"author":{"id":"N"}}`},
		{"from 2026-12-07 7306318845", "from 2026-12-07 N"},
		// A tip's, an entry's, or no id.
		{"tip id 1234 kept, tip_id=1235, tip ids 12, 13", "tip id 1234 kept, tip_id=1235, tip ids 12, 13"},
		{"entry ID 1765000000000-0 acked", "entry ID 1765000000000-0 acked"},
		{"pid 4242 valid 3", "pid 4242 valid 3"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A time's zone west of UTC is kept as it is written ("-0500" was
// "-N", and the id after it passed in clear: "from 2026-12-07 05:00:00
// -0500 7306318845"), time.Time's String form ("-0500 EST", "-0500
// -05") too; what only begins like a zone is no zone.
func TestLoggerKeepsNegativeTimeZones_logs(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.FixedZone("", -5*3600))
	est := time.Date(2026, 12, 7, 5, 0, 0, 0, time.FixedZone("EST", -5*3600))
	for _, c := range []struct{ in, want string }{
		{"from 2026-12-07 05:00:00 -0500 7306318845", "from 2026-12-07 05:00:00 -0500 N"},
		{"from " + at.String() + " 7306318845", "from 2026-12-07 05:00:00 -0500 -0500 N"},
		{"user " + est.String(), "user 2026-12-07 05:00:00 -0500 EST"},
		{"user " + at.Format(time.RFC3339) + ", chat -1001234567890", "user 2026-12-07T05:00:00-05:00, chat N"},
		{"from 05:00 -05:00 7306318845", "from 05:00 -05:00 N"},
		{"from 05:00:00.5 -0330 7306318845", "from 05:00:00.5 -0330 N"},
		{"from 2026-12-07 05:00:00 +0530 IST", "from 2026-12-07 05:00:00 +0530 IST"},
		// No zone: a chat's id after a time.
		{"from 05:00 -1001234567890", "from 05:00 -N"},
		{"from 05:00 -05001", "from 05:00 -N"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A bare id is masked in every path a line reaches the log by: the
// message and attributes of the process's logger (the adapters' and the
// libraries' hooks log through it: go-telegram/bot's errors handler,
// discordgo.Logger), go-redis's own lines (cut to 200 bytes after they
// are scrubbed: a pseudonym cut to 23 hex digits was left in clear), and
// the standard library log package's.
func TestLibraryLinesMaskBareIds_logs(t *testing.T) {
	const pseudonym = "0cc6ce9b1a2b3c4d5e6f708192a3b4c5"
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Warn("update for id 7306318845 dropped", "error", errors.New("ids 5123456789 5123456790"), "detail", "from 2026-12-07 4433221100")
	rl := &redisLogger{log: log, every: time.Nanosecond, now: time.Now}
	rl.Printf(context.Background(), "redis: pool: id %d: %s", int64(6622334455), "x")
	rl.last = time.Time{}
	rl.Printf(context.Background(), "%s'vigia:{%s}:st'", strings.Repeat("x", 200-len("'vigia:{")-23), pseudonym)
	prevW, prevF, prevP := stdlog.Writer(), stdlog.Flags(), stdlog.Prefix()
	defer func() { stdlog.SetOutput(prevW); stdlog.SetFlags(prevF); stdlog.SetPrefix(prevP) }()
	routeStdLog(log)
	stdlog.Printf("http: chat ids [%d %d]", int64(7711223344), int64(8811223344))
	out := buf.String()
	for _, leak := range []string{"7306318845", "5123456789", "5123456790", "4433221100", "6622334455", "7711223344", "8811223344", pseudonym[:16]} {
		if strings.Contains(out, leak) {
			t.Errorf("%s logged in clear:\n%s", leak, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d lines, want 4:\n%s", n, out)
	}
}

// The last id of a list with a comma before its "and" or "or" is masked
// as the others ("users N, N, and 4433221100" logged it in clear).
func TestLoggerMasksListAfterCommaAnd_rev3(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"users 7306318845, 5123456789, and 4433221100", "users N, N, and N"},
		{"chats -1001234567890,-1001234567891,or 5123456789", "chats N,N,or N"},
		{"ids 7306318845; and 5123456789", "ids N; and N"},
		// What ends a list still does.
		{"users 7306318845, and 3 more skipped", "users N, and 3 more skipped"},
		{"users 7306318845, and then retried", "users N, and then retried"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A "uid" introduces a person's number in a text as it names one in an
// attribute's key (identityWords): "uid 7306318845" passed in clear.
func TestLoggerMasksUids_rev3(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"uid 7306318845", "uid N"},
		{"UID=7306318845", "UID=N"},
		{`{"uid":"112233445566778899"}`, `{"uid":"N"}`},
		{"sender_uids: [7306318845, 5123456789]", "sender_uids: [N, N]"},
		// A word that only ends in "uid" is none.
		{"fluid 3, uuid 1234", "fluid 3, uuid 1234"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// time.Time's String form of a time.Now ends with its monotonic clock
// reading ("m=+0.000000001"): it is kept with the time, and an id after
// it is masked (it was in clear: the reading was read as no number and
// ended what the word introduced).
func TestLoggerMasksIdAfterMonotonicTime_rev3(t *testing.T) {
	s := time.Now().String()
	if !strings.Contains(s, " m=+") {
		t.Fatalf("%q has no monotonic reading", s)
	}
	for _, c := range []struct{ in, want string }{
		{"from " + s + " 7306318845", "from " + s + " N"},
		{"user " + s + ", chat -1001234567890", "user " + s + ", chat N"},
		{"from 2026-12-07 05:00:00 -0500 -05 m=-12.000000001 7306318845", "from 2026-12-07 05:00:00 -0500 -05 m=-12.000000001 N"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A "(" or "{" opens a list as a "[" does (67719ed took the three, its
// tests only the "["): "ids (7306318845, 5123456789)".
func TestLoggerMasksListsInParensAndBraces_rev3(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ids (7306318845, 5123456789)", "ids (N, N)"},
		{"chats {-1001234567890 5123456789}", "chats {N N}"},
		{"user: ( 7306318845 )", "user: ( N )"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A number after a word naming a person or a chat is masked whatever
// stands between them: a "_" ("user_7306318845"), a "+" ("user
// +7306318845"), a no-break space, a vertical tab, a zero-width space, a
// dash set off by spaces; each passed the id in clear. So is the next
// number of a list, and one after a date kept after the word.
func TestLoggerMasksIdsAfterAnySeparator_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"user_7306318845", "user_N"},
		{"chat_-1001234567890 left", "chat_N left"},
		{"user +7306318845", "user N"},
		{"users +7306318845, +5123456789", "users N, N"},
		{"user\u00a07306318845", "user\u00a0N"},
		{"user\u00a0id\u00a07306318845", "user\u00a0id\u00a0N"},
		{"user\v7306318845", "user\vN"},
		{"chat\u202f-1001234567890", "chat\u202fN"},
		{"from\u200b7306318845", "from\u200bN"},
		{"user - 7306318845", "user - N"},
		{"ids 7306318845\u00a05123456789", "ids N\u00a0N"},
		{"from 2026-12-07\u00a07306318845", "from 2026-12-07\u00a0N"},
		// A request's error quotes its URL, a Discord channel's id in
		// its path.
		{`Post "https://discord.com/api/v9/channels/112233445566778899/messages": context deadline exceeded`, `Post "https://discord.com/api/v9/channels/N/messages": context deadline exceeded`},
		// A tip's id stays, whatever space is before its "id".
		{"tip\u00a0id 1234", "tip\u00a0id 1234"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A list in a list ("[[N]]", "[(N)]", JSON's arrays of arrays) is read
// as one: "ids [[7306318845]]" and "chat [(7306318845)]" passed the id
// in clear, and only the first list of "[[N], [N]]" was read.
func TestLoggerMasksIdsInNestedBrackets_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ids [[7306318845]]", "ids [[N]]"},
		{"chat [(7306318845)]", "chat [(N)]"},
		{"ids [[7306318845], [5123456789]]", "ids [[N], [N]]"},
		{"chats [(-1001234567890), (5123456789)] left", "chats [(N), (N)] left"},
		{`"user_ids":[["112233445566778899"],["998877665544332211"]]`, `"user_ids":[["N"],["N"]]`},
		{"user { [ 7306318845 ] }", "user { [ N ] }"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A time's zone written by its name alone, with no offset before it (a
// layout with "MST" and no "-0700"), is kept with the time, and an id
// after it is masked: it was in clear, the name ending what the word
// introduced.
func TestLoggerMasksIdAfterZoneName_logs(t *testing.T) {
	est := time.Date(2026, 12, 7, 5, 0, 0, 0, time.FixedZone("EST", -5*3600))
	for _, c := range []struct{ in, want string }{
		{"from 2026-12-07 05:00:00 EST 7306318845", "from 2026-12-07 05:00:00 EST N"},
		{"from 05:00 UTC 7306318845", "from 05:00 UTC N"},
		{"user " + est.Format("2006-01-02 15:04:05 MST") + ", chat -1001234567890", "user 2026-12-07 05:00:00 EST, chat N"},
		{"from 2026-12-07 CEST 7306318845", "from 2026-12-07 CEST N"},
		// A name run on into more letters is no zone's; the id after
		// a time with both offset and name is masked as before.
		{"from 05:00 ESTATE 7306318845", "from 05:00 ESTATE 7306318845"},
		{"from " + est.String() + " 7306318845", "from 2026-12-07 05:00:00 -0500 EST N"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A "tip" that ends a sentence owns no "id" after it: "tip. id
// 7306318845" passed the id in clear, read as a tip's. A tip's id joined
// to its word by one "_", "-" or ".", or by spaces, stays.
func TestLoggerMasksIdAfterSentenceEndingInTip_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"saved the tip. id 7306318845 blocked", "saved the tip. id N blocked"},
		{"tip. ID: 7306318845", "tip. ID: N"},
		{"tip - id 7306318845", "tip - id N"},
		{"tips._id 7306318845", "tips._id N"},
		{"3 tips\nid 7306318845", "3 tips\nid N"},
		// A tip's or an entry's.
		{"tip.id 1234, tip id 1235, tip_id=1236, tip-id 1237, entry ID 1765000000000-0", "tip.id 1234, tip id 1235, tip_id=1236, tip-id 1237, entry ID 1765000000000-0"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A number of three digits or fewer after an id a word introduced (an
// HTTP status: "chat 7306318845: 400" logged "chat N: N") is a figure,
// kept, and an id after it in the same list is masked all the same. The
// first number after the word is masked whatever its length, and two
// ids joined by ":" are two ids.
func TestLoggerKeepsStatusCodesAfterIds_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"chat 7306318845: 400", "chat N: 400"},
		{"chat 7306318845: 400 Bad Request: chat not found", "chat N: 400 Bad Request: chat not found"},
		{"user 7306318845:403", "user N:403"},
		{"users 7306318845, 429, 5123456789", "users N, 429, N"},
		{"ids 7306318845 12 -1001234567890", "ids N 12 N"},
		// Still masked.
		{"chat: 400", "chat: N"},
		{"chat:-1001234567890:5123456789", "chat:N:N"},
		{"ids 7306318845:5123456789", "ids N:N"},
		{"chat ids [[7306318845, 5123456789:4433221100]]", "chat ids [[N, N:N]]"},
		{"users 7306318845, 10:30", "users N, 10:30"},
		{"users 7306318845 4411 @x", "users N N @x"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A Discord snowflake (16 to 23 digits, which longHex takes) in a list is
// read as the list's number it is, then written "N": written "N" before
// the list was read, it ended the list, and every id after it was in
// clear ("ids [N, 7306318845]"), or, read as a word, left the four-digit
// id before it in clear. The runs longHex withholds, and a snowflake
// alone, read as before.
func TestLoggerMasksIdsAfterSnowflakeInList_revlogs(t *testing.T) {
	const pseudonym = "0cc6ce9b1a2b3c4d5e6f708192a3b4c5"
	for _, c := range []struct{ in, want string }{
		{"ids [112233445566778899, 7306318845]", "ids [N, N]"},
		{"user 1234567890123456789 7306318845", "user N N"},
		{"users 7306318845 and 112233445566778899, 5123456789", "users N and N, N"},
		{`"user_ids":["112233445566778899","7306318845"]`, `"user_ids":["N","N"]`},
		{"chats -1001234567890; 9423\u00a0112233445566778899", "chats N; N\u00a0N"},
		{"ids [[112233445566778899], [5123456789]]", "ids [[N], [N]]"},
		// As before.
		{"took 1234567890123456789 ns", "took N ns"},
		{"key vigia:{" + pseudonym + "}:st", "key vigia:{[id withheld]}:st"},
		{"ix:e:" + "9f86d081884c7d65" + " user 7306318845", "ix:e:[id withheld] user N"},
		{"entry 1234567890123456789012345", "entry [id withheld]"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A number and a ":" in a list is no time but where dateTimeLen reads
// one: "1234:4433221100" was read as one and ended the list, the id
// after it in clear, and so did a time ("10:30"), the ids after it in
// clear. A time is kept, and the list goes on.
func TestLoggerMasksIdsAfterColonInList_revlogs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ids 7306318845, 1234:4433221100", "ids N, N:N"},
		{"users 7306318845 6298:112233445566778899 left", "users N N:N left"},
		{"users 7306318845, 10:30 5123456789", "users N, 10:30 N"},
		{"chats [-1001234567890, 23:59:59, -1005123456789]", "chats [N, 23:59:59, -N]"},
		// Times and figures stay.
		{"users 7306318845, 10:30", "users N, 10:30"},
		{"users 7306318845, 10:30:59", "users N, 10:30:59"},
		{"users 7306318845 5:04 PM", "users N 5:04 PM"},
		{"users 7306318845, 99:30", "users N, 99:30"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// A number after a word naming a person or a chat is masked after a
// ",", guillemets, angle brackets or a possessive "'s", and in digits
// of another script (full-width, Arabic-Indic): each passed in clear.
// What ends a list still does, in any digits.
func TestLoggerMasksIdsAfterQuotesAndInWideDigits_logscrub(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"user, 7306318845", "user, N"},
		{"user «7306318845»", "user «N»"},
		{"chat « -1001234567890 »", "chat « N »"},
		{"user <7306318845>", "user <N>"},
		{"user's 7306318845", "user's N"},
		{"user’s id 7306318845", "user’s id N"},
		{"reporter “7306318845”", "reporter “N”"},
		{"user ７３０６３１８８４５", "user N"},
		{"ids ７３０６３１８８４５, ５１２３４５６７８９", "ids N, N"},
		{"chat -１００１２３４５６７８９０", "chat N"},
		{"user ٧٣٠٦٣١٨٨٤٥", "user N"},
		{"took １１２２３３４４５５６６７７８８９９ ns", "took N ns"},
		{"ids [１１２２３３４４５５６６７７８８９９, 7306318845]", "ids [N, N]"},
		// Figures and counts after an id stay, whatever their digits.
		{"users 7306318845, ４２９, 5123456789", "users N, ４２９, N"},
		{"user ７３０６３１８８４５ sent ３ tips", "user N sent ３ tips"},
		{"fluid ７３０６３１８８４５", "fluid ７３０６３１８８４５"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// An address or a version number after a word naming a person or a
// chat is kept as it is written, as a date is ("from 127.0.0.1" was
// "from N.0.0.1", "from [::1]:6379" "from [::N]:N"), and an id after it
// is masked (it passed in clear). A number written with its thousands
// marked by dots is no version, and what only begins like an address is
// read as before. scrubIDs alone (the crash scrubber's lines, a stack)
// and the logger (scrubAddrs first: an address with its port is ADDR).
func TestScrubIDsKeepsAddressesAndVersions_logscrub(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"from 127.0.0.1", "from 127.0.0.1"},
		{"from 10.0.0.0/8, chat 7306318845", "from 10.0.0.0/8, chat N"},
		{"from 127.0.0.1 7306318845", "from 127.0.0.1 N"},
		{"from 2001:db8::1 7306318845", "from 2001:db8::1 N"},
		{"from [::1]", "from [::1]"},
		{"user agent from 1.22.0, user 7306318845", "user agent from 1.22.0, user N"},
		{"user 7.2.4 5123456789", "user 7.2.4 N"},
		{"from ::1 or 7306318845", "from ::1 or N"},
		{"chats [::1, -1001234567890]", "chats [::1, N]"},
		{"from 127.0.0.1, 400, 5123456789", "from 127.0.0.1, 400, N"},
		// Read as before.
		{"user 7306318845.5", "user N.5"},
		{"from 1.2.3.4.5", "from N.2.3.4.5"},
		{"ids 1234:4433:2211:0000:1111:2222:3333:4444", "ids N:N:N:N:N:N:N:N"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"from 127.0.0.1:6379", "from 127.0.0.1:6379"},
		{"from [::1]:6379 7306318845", "from [::1]:6379 N"},
		{"peer {[::1]:6379 {7306318845", "peer {[::1]:6379 {N"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// After a word naming a person or a chat, a number with its thousands
// marked is one number, masked whole: "7.306.318.845" was written
// "N.306.318.845", "7,306,318,845" passed as a list of small figures,
// and "1.234.222.111" (an id, and an IPv4 address) was kept as an
// address. A mangled address is the lesser harm; one whose groups are
// not all of three digits is still kept.
func TestScrubIDsMasksGroupedIdsWhole_rev5(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"user 7.306.318.845", "user N"},
		{"user 7,306,318,845", "user N"},
		{"user 1.234.222.111", "user N"},
		{"from 1.234.222.111:6379", "from N:N"},
		{"from 127.0.0.1 1.234.222.111", "from 127.0.0.1 N"},
		{"chat -100.123.456.789", "chat N"},
		{"user 7'306'318'845", "user N"},
		{"user 7 306 318 845", "user N"},
		{"user 7\u202f306\u202f318\u202f845", "user N"},
		{"user ７.３０６.３１８.８４５", "user N"},
		{"ids 5,123,7306318845", "ids N,N"},
		{"ids 1, 7,306,318,845 and 2", "ids N, N and 2"},
		{"user 1.234.222.111.5", "user N.5"},
		// Still kept, or read as before.
		{"from 127.0.0.1 7306318845", "from 127.0.0.1 N"},
		{"from 10.20.30.40", "from 10.20.30.40"},
		{"user 7.2.4 5123456789", "user 7.2.4 N"},
		{"users 7306318845, 3 more skipped", "users N, 3 more skipped"},
		{"from 127.0.0.1, 400, 5123456789", "from 127.0.0.1, 400, N"},
		{"user 7306318845 1.5 MB 50% 10ms", "user N 1.5 MB 50% 10ms"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{"user 7.306.318.845", "user 7,306,318,845", "user 1.234.222.111"} {
		if got := scrubbedError(t, in); got != "user N" {
			t.Errorf("%q logged %q, want %q", in, got, "user N")
		}
	}
}
