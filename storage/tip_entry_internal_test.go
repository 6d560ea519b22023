package storage

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

// entryField (Lua) and tipEntry (Lua and Go) give back every entry id a
// tip's "e" may be given: a bare integer where it is near "t", the entry
// itself where it is not (before "t", far after it, a sequence of 1000 or
// more).
func TestTipEntryFieldRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	roundTrip := redis.NewScript(tipEntryLua + `
local e = entryField(ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], 'e', e, 't', ARGV[2])
return {e, tipEntry(KEYS[1])}`)
	const t0 = "1796538791812"
	for _, c := range []struct {
		entry, t, field string
	}{
		{"1796538791812-0", t0, "0"},
		{"1796538791814-1", t0, "2001"},
		{"1796538791899-999", t0, "87999"},
		{"1796538792812-7", t0, "1000007"},
		{"1796540939295-647", t0, "2147483647"}, // the last one held short
		{"1796540939296-0", t0, "1796540939296-0"},
		{"1796538791811-5", t0, "1796538791811-5"},       // before "t": another clock
		{"1796538791813-1000", t0, "1796538791813-1000"}, // a sequence of 1000 or more
		{"9007199254740-3", "9007199254739", "1003"},     // ms of 13 digits to the end
	} {
		key := s.k.tip("rt")
		got, err := roundTrip.Run(ctx, s.rdb, []string{key}, c.entry, c.t).StringSlice()
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != c.field || got[1] != c.entry {
			t.Errorf("entry %s at t %s: held as %q, read back as %q; want %q and the entry", c.entry, c.t, got[0], got[1], c.field)
		}
		if back := tipEntry(map[string]string{"e": got[0], "t": c.t}); back != c.entry {
			t.Errorf("entry %s at t %s: Go reads %q back as %q", c.entry, c.t, got[0], back)
		}
	}
	if got := tipEntry(map[string]string{}); got != "" {
		t.Errorf("no e: %q, want none", got)
	}
}
