package main

import (
	"strings"
	"testing"
	"time"
)

// ipv6Len reads no more than an address's length around where it is
// asked to begin: after a word naming a person or a chat, every number of
// a list is offered to it, and it walked the whole run of hex digits and
// colons on both sides of each, which made "ids 1:2:3:…" (20,000
// numbers: 3.8 s) and ids joined by ":" quadratic. A thousand looks into
// a run of a megabyte take no time (walking it took a second or more).
func TestIPv6LenReadsWithinAnAddressLength_logs(t *testing.T) {
	for _, unit := range []string{"7306318845:", "1:", "fe80::1:"} {
		s := "ids " + strings.Repeat(unit, 1<<20/len(unit))
		start := time.Now()
		for i := range 1000 {
			at := 4 + i*(len(s)-8)/1000
			for at > 0 && s[at-1] != ':' {
				at--
			}
			if n := ipv6Len(s, at); n != 0 {
				t.Fatalf("%q: an address of %d bytes", unit, n)
			}
		}
		if took := time.Since(start); took > 250*time.Millisecond {
			t.Errorf("%q: 1,000 looks into %d bytes took %v", unit, len(s), took)
		}
	}
}

// After a word naming a person or a chat, a number joined to the one
// read by a ".", "/", "-" or "_" is read as the next of a list: masked
// unless a figure. A dotted run that is no address nor version (it runs
// on) had its first number masked and the id at its end in clear ("id
// N.22.19.27.605679248170"), and two ids joined had the second in clear.
func TestScrubIDsMasksIdsJoinedToANumber_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"id 7.22.19.27.605679248170", "id N.22.19.27.N"},
		{"id 7.2.4.605679248170", "id N.2.4.N"},
		{"id 127.0.0.1.7306318845", "id N.0.0.1.N"},
		{"user 1.22.0.7306318845", "user N.22.0.N"},
		{"user 1.22.0-7306318845", "user N.22.0-N"},
		{"user 7306318845_5123456789", "user N_N"},
		{"user 7306318845-5123456789", "user N-N"},
		{"user 7306318845/5123456789", "user N/N"},
		{"chats -1001234567890/-1001234567891", "chats N/N"},
		// Read as before.
		{"user 7306318845.5", "user N.5"},
		{"from 1.2.3.4.5", "from N.2.3.4.5"},
		{"user 7306318845 1.5 MB 50% 10ms", "user N 1.5 MB 50% 10ms"},
		{"users 7306318845, 3.14159 ms", "users N, 3.14159 ms"},
		{"user 1.22.0 7306318845", "user 1.22.0 N"},
		{"user 5-10 minutes", "user N-10 minutes"},
		{"sender 2026-12-0799", "sender N-12-0799"},
		{"from 07/12/20261", "from N/12/20261"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// The logger writes an address with its port "ADDR" (scrubAddrs) before
// it masks ids (scrubIDs), which read "ADDR" as a word: an id after an
// address with a port, after a word naming a person or a chat, was
// logged in clear ("user ADDR 7306318845") where scrubIDs alone masked
// it. "ADDR" is kept as the address was, and what follows it read as
// what follows an address.
func TestLoggerMasksIdsAfterAnAddressWithItsPort_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"user 10.0.0.7:6379 7306318845", "user ADDR N"},
		{"peer [::1]:6379 7306318845", "peer ADDR N"},
		{"from redis.internal:6379 7306318845", "from ADDR N"},
		{"peer [fd00::7]:6379, -1001234567890", "peer ADDR, N"},
		{"user 10.0.0.7:6379/7306318845", "user ADDR/N"},
		{"chats [10.0.0.7:6379, -1001234567890]", "chats [ADDR, N]"},
		{"peer {[::1]:6379 {7306318845", "peer {ADDR {N"},
		// Read as before.
		{"from 10.0.0.7:6379", "from ADDR"},
		{"from 10.0.0.7:6379: connection refused", "from ADDR: connection refused"},
		{"user 10.0.0.7:6379 sent 3 tips", "user ADDR sent 3 tips"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// After a word naming a person or a chat, an IPv6 address of any form is
// kept and an id after it masked: one that begins with a hex letter
// ("fe80::1", "::ffff:1.2.3.4", IPv4-mapped) was read as a word, and
// the id after it passed in clear; so did one with its zone ("%eth0"),
// and one (IPv4 too) an id is joined to by ":", "/", "." or "%", where
// the address ran on and was read as numbers or as nothing.
func TestScrubIDsMasksIdsAfterEveryAddressForm_logs(t *testing.T) {
	both := []struct{ in, want string }{
		{"peer ::ffff:1.2.3.4 7306318845", "peer ::ffff:1.2.3.4 N"},
		{"peer fe80::1 7306318845", "peer fe80::1 N"},
		{"peer fe80::1%eth0 7306318845", "peer fe80::1%eth0 N"},
		{"peer fe80::1%eth0/64 7306318845", "peer fe80::1%eth0/64 N"},
		{"peer fe80::1%7306318845", "peer fe80::1%N"},
		{"chats [fe80::1%eth0, -1001234567890]", "chats [fe80::1%eth0, N]"},
		{"peer ::ffff:1.2.3.4.7306318845", "peer ::ffff:1.2.3.4.N"},
		{"peer ::ffff:7306318845", "peer ::ffff:N"},
		{"peer 2001:db8::1:7306318845", "peer 2001:db8::1:N"},
		{"peer 2001:db8::1/7306318845", "peer 2001:db8::1/N"},
		{"peer ::1/64 7306318845", "peer ::1/64 N"},
		{"peer [::1]/7306318845", "peer [::1]/N"},
		{"user 1.2.3.4/7306318845", "user 1.2.3.4/N"},
		{"user 1.2.3.4/24/7306318845", "user 1.2.3.4/24/N"},
		// Kept, or read as before.
		{"from fe80::1%eth0", "from fe80::1%eth0"},
		{"from ::ffff:1.2.3.4", "from ::ffff:1.2.3.4"},
		{"from [::ffff:1.2.3.4]", "from [::ffff:1.2.3.4]"},
		{"from fe80::1%eth0, 400", "from fe80::1%eth0, 400"},
		{"from 1.2.3.4.5", "from N.2.3.4.5"},
		{"user face: chat 7306318845", "user face: chat N"},
	}
	for _, c := range both {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
	// With a port: the logger writes ADDR (and masks the id after it).
	for _, c := range []struct{ in, want string }{
		{"user 1.2.3.4:7306318845", "user 1.2.3.4:N"},
		{"user 1.2.3.4:6379/7306318845", "user 1.2.3.4:6379/N"},
		{"peer [::1]:7306318845", "peer [::1]:N"},
		{"peer [fe80::1%eth0]:6379 7306318845", "peer [fe80::1%eth0]:6379 N"},
		{"peer [::ffff:1.2.3.4]:6379 7306318845", "peer [::ffff:1.2.3.4]:6379 N"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scrubbedError(t, c.in); strings.Contains(got, "7306318845") {
			t.Errorf("%q logged %q", c.in, got)
		}
	}

	// The crash scrubber's long line is cut before a word, not before
	// an address's first group: "peer " and "dead::beef 7306318845"
	// scrubbed apart passed the id.
	line := strings.Repeat("balacera hidalgo ", maxCrashLine/17)[:maxCrashLine-20] + " peer dead::beef 7306318845 sent tips"
	var out strings.Builder
	if err := scrubCrash(strings.NewReader(line+"\n"), &out); err != nil {
		t.Fatal(err)
	}
	if want := scrubIDs(line) + "\n"; out.String() != want || strings.Contains(want, "7306318845") {
		t.Errorf("long line scrubbed to %q, want %q", out.String()[len(out.String())-60:], want[len(want)-60:])
	}
}

// An IPv4-mapped address with a port, unbracketed, is ADDR whole: its
// "::ffff:" was left before "ADDR", which scrubIDs read as no address,
// and the id after it was logged in clear.
func TestLoggerMasksIdAfterAMappedAddressWithItsPort_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"peer ::ffff:10.0.0.7:6379 7306318845", "peer ADDR N"},
		{"dial tcp ::FFFF:10.0.0.7:6379: refused", "dial tcp ADDR: refused"},
		{"dial tcp 10.0.0.7:6379: refused", "dial tcp ADDR: refused"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// An address written long, with a number joined to it, is kept and the
// number masked: ipv6Len's bound (maxIPv6Len) made a run longer than
// an address none, the address with the id joined to it too, and the id
// passed in clear ("peer N:0db8:…:7334:7306318845").
func TestScrubIDsMasksAnIdJoinedToALongAddress_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334:7306318845", "peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334:N"},
		{"peer abcd:ef01:2345:6789:abcd:ef01:2345:6789:7306318845", "peer abcd:ef01:2345:6789:abcd:ef01:2345:6789:N"},
		{"peer ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.7306318845", "peer ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.N"},
		{"ids 2001:0db8:85a3:0000:0000:8a2e:0370:7334/7306318845:5123456789", "ids 2001:0db8:85a3:0000:0000:8a2e:0370:7334/N:N"},
		// Read as before.
		{"peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 7306318845", "peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 N"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The logger keeps an unbracketed IPv6 address whole: scrubAddrs took a
// group of it and the next for a host and its port ("ff00:42",
// "ffff:10") and wrote "ADDR" there, which left the address in pieces
// scrubIDs reads as none, and the id after it was logged in clear
// ("peer N:db8:0:0:1:ADDR:8329 7306318845").
func TestLoggerKeepsAnUnbracketedIPv6AddressWhole_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"peer 2001:db8:0:0:1:ff00:42:8329 7306318845", "peer 2001:db8:0:0:1:ff00:42:8329 N"},
		{"peer 2001:0db8:0000:0000:0000:ff00:0042:8329 7306318845", "peer 2001:0db8:0000:0000:0000:ff00:0042:8329 N"},
		{"peer 0:0:0:0:0:ffff:10.0.0.7 7306318845", "peer 0:0:0:0:0:ffff:10.0.0.7 N"},
		{"peer ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 7306318845", "peer ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 N"},
		{"peer abcd:ef01:2345:6789:abcd:ef01:2345:6789:7306318845", "peer abcd:ef01:2345:6789:abcd:ef01:2345:6789:N"},
		{"peer fe80::ab:1234 7306318845", "peer fe80::ab:1234 N"},
		{"peer ::ffff:10.0.0.7 7306318845", "peer ::ffff:10.0.0.7 N"},
		{"peer fe80:1234::1 7306318845", "peer fe80:1234::1 N"},
		// An address with its port, a host with its port: ADDR as before.
		{"peer ::ffff:10.0.0.7:6379 7306318845", "peer ADDR N"},
		{"dial tcp cafe:6379: i/o timeout", "dial tcp ADDR: i/o timeout"},
		{"dial tcp cafe:6379:7306318845", "dial tcp ADDR:7306318845"},
		{"dial tcp redis:6379: refused", "dial tcp ADDR: refused"},
		{"tcp:redis:6379 refused", "tcp:ADDR refused"},
	} {
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}

// The crash scrubber cuts a long line before no IPv6 address's first
// group, one with digits after its letters too ("fec0::1", "abc1:…"):
// only a group of letters alone was kept from the cut, and "peer " and
// "fec0::1 7306318845" scrubbed apart passed the id.
func TestCrashScrubberCutsBeforeNoAddressGroup_logs(t *testing.T) {
	for _, addr := range []string{"fec0::1", "abc1:2::3", "dead::beef", "Fe80::1"} {
		line := strings.Repeat("balacera hidalgo ", maxCrashLine/17)[:maxCrashLine-20] + " peer " + addr + " 7306318845 sent tips"
		var out strings.Builder
		if err := scrubCrash(strings.NewReader(line+"\n"), &out); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "7306318845") {
			t.Errorf("%q: the id after it passed: %q", addr, out.String()[len(out.String())-50:])
		}
	}
}

// An address's zone is kept and an id joined to it by "-" or "_" masked
// ("fe80::1%eth0-7306318845"): the zone ran on past the interface's
// name, was read as none, and the id passed in clear. An IPv4 address
// with a zone (net.IPAddr and net.UDPAddr write one) is kept as an IPv6
// one is: read as none, the id after it passed. An id glued to the
// interface's name ("%eth0605679248170") is masked, the name's letters
// kept. In both paths.
func TestScrubIDsMasksAnIdJoinedToAZone_logs(t *testing.T) {
	for _, c := range []struct{ in, ids, logged string }{
		{"peer fe80::1%eth0-605679248170", "peer fe80::1%eth0-N", "peer fe80::1%eth0-N"},
		{"peer fe80::1%eth0_605679248170", "peer fe80::1%eth0_N", "peer fe80::1%eth0_N"},
		{"peer 1.2.3.4%eth0 605679248170", "peer 1.2.3.4%eth0 N", "peer 1.2.3.4%eth0 N"},
		{"peer 1.2.3.4%eth0-605679248170", "peer 1.2.3.4%eth0-N", "peer 1.2.3.4%eth0-N"},
		{"peer 1.2.3.4%605679248170", "peer 1.2.3.4%N", "peer 1.2.3.4%N"},
		{"peer 1.2.3.4%eth0:6379 605679248170", "peer 1.2.3.4%eth0:6379 N", "peer ADDR N"},
		{"chats [1.2.3.4%eth0/24, -1001234567890]", "chats [1.2.3.4%eth0/24, N]", "chats [1.2.3.4%eth0/24, N]"},
		// Glued to the interface's name: the zone ran on, was read as
		// none, and the id in it and after it passed in clear.
		{"peer fe80::1%eth0605679248170", "peer fe80::1%ethN", "peer fe80::1%ethN"},
		{"peer 1.2.3.4%eth0605679248170", "peer 1.2.3.4%ethN", "peer 1.2.3.4%ethN"},
		{"peer fe80::1%en0605679248170 7306318845", "peer fe80::1%enN N", "peer fe80::1%enN N"},
		{"chats [1.2.3.4%eth0605679248170, -1001234567890]", "chats [1.2.3.4%ethN, N]", "chats [1.2.3.4%ethN, N]"},
		// Kept, or read as before.
		{"from fe80::1%eth0-1, 400", "from fe80::1%eth0-1, 400", "from fe80::1%eth0-1, 400"},
		{"from fe80::1%br-1234 sent 3 tips", "from fe80::1%br-1234 sent 3 tips", "from fe80::1%br-1234 sent 3 tips"},
		{"peer fe80::1%7306318845", "peer fe80::1%N", "peer fe80::1%N"},
		{"from 1.2.3.4%eth0", "from 1.2.3.4%eth0", "from 1.2.3.4%eth0"},
	} {
		if got := scrubIDs(c.in); got != c.ids {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.ids)
		}
		if got := scrubbedError(t, c.in); got != c.logged {
			t.Errorf("%q logged %q, want %q", c.in, got, c.logged)
		}
	}
}

// An IPv4-mapped address with its port, unbracketed, is read whole in
// scrubIDs as the logger reads it (ADDR): with a number joined to the
// port ("::ffff:1.2.3.4:5.605679248170") it was read as no address and
// the id passed in clear, where the logger masked it; and its port was
// read as a list's number, masked.
func TestScrubIDsReadsAMappedAddressWithItsPort_logs(t *testing.T) {
	for _, c := range []struct{ in, ids, logged string }{
		{"peer ::ffff:1.2.3.4:5.605679248170", "peer ::ffff:1.2.3.4:5.N", "peer ADDR.N"},
		{"peer ::ffff:1.2.3.4:6379/605679248170", "peer ::ffff:1.2.3.4:6379/N", "peer ADDR/N"},
		{"peer ::ffff:10.0.0.7:6379 605679248170", "peer ::ffff:10.0.0.7:6379 N", "peer ADDR N"},
		{"chats [::ffff:10.0.0.7:6379, -1001234567890]", "chats [::ffff:10.0.0.7:6379, N]", "chats [ADDR, N]"},
		// Read as before.
		{"peer ::ffff:1.2.3.4:605679248170", "peer ::ffff:1.2.3.4:N", "peer ADDR"},
		{"peer ::ffff:1.2.3.4.605679248170", "peer ::ffff:1.2.3.4.N", "peer ::ffff:1.2.3.4.N"},
		{"peer 2001:db8::1:6379 605679248170", "peer 2001:db8::1:6379 N", "peer 2001:db8::1:6379 N"},
	} {
		if got := scrubIDs(c.in); got != c.ids {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.ids)
		}
		if got := scrubbedError(t, c.in); got != c.logged {
			t.Errorf("%q logged %q, want %q", c.in, got, c.logged)
		}
	}
}

// A list's next item may be an address, a version or an id with its
// thousands marked, not a number alone: one that began with a hex letter
// or "::" ("fe80::1", "[::]:443"), that scrubAddrs wrote ADDR, or that
// had a "." and a digit after its first number ("10.0.0.7", "7.2.4",
// "7.306.318.845") ended the list, and the id after it (or the marked id
// itself) passed in clear; so did an id joined by "_" or "%" to a list's
// number after its first. Found by FuzzScrubbersMaskEveryId_logs.
func TestScrubbersMaskIdsAfterAddressesInAList_logs(t *testing.T) {
	for _, c := range []struct{ in, ids, logged string }{
		{"users 7306318845, 10.0.0.7 5123456789", "users N, 10.0.0.7 N", "users N, 10.0.0.7 N"},
		{"users 7306318845, 7.2.4, 5123456789", "users N, 7.2.4, N", "users N, 7.2.4, N"},
		{"ids 7306318845, 7.306.318.845", "ids N, N", "ids N, N"},
		{"peer 7306318845: ::1, 5123456789", "peer N: ::1, N", "peer N: ::1, N"},
		{"id 1 ::1, 5123456789", "id N ::1, N", "id N ::1, N"},
		{"users 7306318845, fe80::1 5123456789", "users N, fe80::1 N", "users N, fe80::1 N"},
		{"users 7306318845 [::]:443 5123456789", "users N [::]:443 N", "users N ADDR N"},
		{"user [::]:443 7306318845", "user [::]:443 N", "user ADDR N"},
		{"users 7306318845, 10.0.0.7:6379 5123456789", "users N, 10.0.0.7:6379 N", "users N, ADDR N"},
		{"channel: [10.0.0.7:6379_5123456789", "channel: [10.0.0.7:6379_N", "channel: [ADDR_N"},
		{"chat 1, 7306318845_5123456789", "chat N, N_N", "chat N, N_N"},
		{"users 7306318845, 7306318846%5123456789", "users N, N%N", "users N, N%N"},
		// Kept, or read as before.
		{"users 7306318845, 1.5 ms", "users N, 1.5 ms", "users N, 1.5 ms"},
		{"users 7306318845, 3.14159 ms 5123456789", "users N, 3.14159 ms 5123456789", "users N, 3.14159 ms 5123456789"},
		{"user 7306318845, 6.2.1 sent", "user N, 6.2.1 sent", "user N, 6.2.1 sent"},
		{"user 7306318845, 1,024 bytes", "user N, 1,024 bytes", "user N, 1,024 bytes"},
		{"users 7306318845, 50% done", "users N, 50% done", "users N, 50% done"},
		{"from ADDRESS 7306318845", "from ADDRESS 7306318845", "from ADDRESS 7306318845"},
	} {
		if got := scrubIDs(c.in); got != c.ids {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.ids)
		}
		if got := scrubbedError(t, c.in); got != c.logged {
			t.Errorf("%q logged %q, want %q", c.in, got, c.logged)
		}
	}
}

// An id after a date or a time and "and" or "or" is a list's next item,
// as after an address: dateTimeGapLen stopped at the "and", and the id
// passed in clear; a sign after a date is still read as the gap's ("05:00
// -N"). An address a lone ":" comes before ("reporter\":fe80::1", as a
// JSON key writes it) is read from its first hex digit: ipv6Len walked
// back over the ":", read ":fe80::1" as no address, and the id after it
// passed; so did one a ":" comes before its "::" ("userID\":::ffff:…"),
// and one a list's number is joined to by a ":" ("N:fe80::1 <id>",
// "N:::1 <id>"); and, in the logger, an id with its thousands marked
// whose last four groups and a number read as an IPv4 address and its
// port ("5.ADDR,741,…"); and an address a quote and a bracket open
// after a list's separator ("N\",\"[::]:443 <id>", a JSON string's).
// Found by FuzzScrubbersMaskEveryId_logs (seeds 13, 21, 33, 45, 46, and
// the plans it adds).
func TestScrubbersMaskIdsAfterADateAndAnd_logs(t *testing.T) {
	for _, c := range []struct{ in, ids, logged string }{
		{"from 2026-12-07 and 7306318845", "from 2026-12-07 and N", "from 2026-12-07 and N"},
		{"users «2026-12-07T05:00:00.5+01:00 and +7306318845; retry in 2s", "users «2026-12-07T05:00:00.5+01:00 and N; retry in 2s", "users «2026-12-07T05:00:00.5+01:00 and N; retry in 2s"},
		{"ids «07/12/2026 and [::1], and 7306318845", "ids «07/12/2026 and [::1], and N", "ids «07/12/2026 and [::1], and N"},
		{"user (5123456780, 2026-12-07 or 7,306,318,845 (-1005123456789", "user (N, 2026-12-07 or N (N", "user (N, 2026-12-07 or N (N"},
		{"chat 05:00, and -1001234567890", "chat 05:00, and N", "chat 05:00, and N"},
		{`{"reporter":fe80::ab:1234, 7306318845)`, `{"reporter":fe80::ab:1234, N)`, `{"reporter":fe80::ab:1234, N)`},
		{`"user":fe80::1 7306318845`, `"user":fe80::1 N`, `"user":fe80::1 N`},
		{`userID":::FFFF:10.0.0.7 5630741852963 852963074`, `userID":::FFFF:10.0.0.7 N N`, `userID":::FFFF:10.0.0.7 N N`},
		{`"chat":::1, 7306318845`, `"chat":::1, N`, `"chat":::1, N`},
		{"userID (5630741852963 3741852963074:fe80::1 663074185", "userID (N N:fe80::1 N", "userID (N N:fe80::1 N"},
		{"users 7306318845:2001:db8::1 5123456789", "users N:2001:db8::1 N", "users N:2001:db8::1 N"},
		{"userID (5630741852963 3741852963074:::FFFF:10.0.0.7 663074185", "userID (N N:::FFFF:10.0.0.7 N", "userID (N N:::FFFF:10.0.0.7 N"},
		{"users 7306318845:::1 5123456789", "users N:::1 N", "users N:::1 N"},
		{"userID (5.630.741.852.963:3,741,852,963,074", "userID (N:N", "userID (N:N"},
		{"userID (5630741852963 3 and 852963074", "userID (N 3 and N", "userID (N 3 and N"},
		{`userID (5630741852963","[::]:443 852963074`, `userID (N","[::]:443 N`, `userID (N","ADDR N`},
		{`ids ["7306318845", "(::1)", '[5123456789]']`, `ids ["N", "(::1)", '[N]']`, `ids ["N", "(::1)", '[N]']`},
		{"userID (2026-12-07 05:00:00 -0500 EST [::]:443 663074185", "userID (2026-12-07 05:00:00 -0500 EST [::]:443 N", "userID (2026-12-07 05:00:00 -0500 EST ADDR N"},
		{"from 05:00, ::1 7306318845", "from 05:00, ::1 N", "from 05:00, ::1 N"},
		{"userID (10.0.0.7/24 fe80::1.5630741852963: connection refused", "userID (10.0.0.7/24 fe80::1.N: connection refused", "userID (10.0.0.7/24 fe80::1.N: connection refused"},
		{"dial tcp 1.2.3.4:6379, from 7.306.318.845:5123456789", "dial tcp 1.2.3.4:6379, from N:N", "dial tcp ADDR, from ADDR"},
		// Kept, or read as before.
		{"from 05:00 -1001234567890", "from 05:00 -N", "from 05:00 -N"},
		{"from 2026-12-07 and 3 tips", "from 2026-12-07 and 3 tips", "from 2026-12-07 and 3 tips"},
		{"from ::1 7306318845", "from ::1 N", "from ::1 N"},
	} {
		if got := scrubIDs(c.in); got != c.ids {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.ids)
		}
		if got := scrubbedError(t, c.in); got != c.logged {
			t.Errorf("%q logged %q, want %q", c.in, got, c.logged)
		}
	}
}

// An address joined by "%" or "_" to a list's number ("id N%[::1]",
// "user N_fe80::1") is read as the list's next item: it ended the list,
// and the id after it passed in clear in both paths.
func TestScrubbersMaskIdsAfterAnAddressJoinedToANumber_logs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"id 7306318845%[::1] 5123456789", "id N%[::1] N"},
		{"user 7306318845_fe80::1 5123456789", "user N_fe80::1 N"},
		{"ids 7306318845, 1.2.3.4_fe80::1 5123456789", "ids N, 1.2.3.4_fe80::1 N"},
		// Kept, or read as before.
		{"users 7306318845, 50% done", "users N, 50% done"},
		{"user 7306318845_abc", "user N_abc"},
	} {
		if got := scrubIDs(c.in); got != c.want {
			t.Errorf("scrubIDs(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scrubbedError(t, c.in); got != c.want {
			t.Errorf("%q logged %q, want %q", c.in, got, c.want)
		}
	}
}
