package storage_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A tip's hash keeps "rk" as the receipt's raw MAC and leaves out "sg"
// equal to "c" and "rc" 0; a tip stored before (hex "rk", "sg" and "rc"
// always) is still read: its receipt record follows its decisions and
// goes with a purge, its suggestion is its own. A relabel keeps a
// left-out suggestion.
func TestTipsStoredInEitherFieldFormAreRead(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour, VerifiedRetention: 10 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	const text = "venden droga en la esquina del mercado, cocaína y cristal cada noche"
	older := submitText(t, st, "901", 1, text)
	newer := submitText(t, st, "902", 1, text)
	key := func(id string) string { return "t:{tips}:tip:" + id }
	f := c.HGetAll(ctx, key(newer.TipID)).Val()
	if len(f["rk"]) != 16 {
		t.Fatalf("rk is %d bytes, want the 16 of the raw MAC", len(f["rk"]))
	}
	for _, left := range []string{"sg", "rc"} {
		if _, ok := f[left]; ok {
			t.Errorf("%q stored, equal to what its absence says", left)
		}
	}
	got, err := st.Tip(ctx, newer.TipID)
	if err != nil || got.Suggested != got.Category || got.Category == "" || got.ReporterChose {
		t.Fatalf("new tip: suggested %q, category %q, chose %v (%v)", got.Suggested, got.Category, got.ReporterChose, err)
	}
	// As an earlier version stored it.
	old := c.HGetAll(ctx, key(older.TipID)).Val()
	if err := c.HSet(ctx, key(older.TipID), "rk", hex.EncodeToString([]byte(old["rk"])), "sg", string(tips.Weapons), "rc", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Tip(ctx, older.TipID); err != nil || got.Suggested != tips.Weapons || got.ReporterChose {
		t.Fatalf("old tip: suggested %q, chose %v (%v), want weapons", got.Suggested, got.ReporterChose, err)
	}
	record := func(id string) string { // the receipt record naming tip id
		keys, _ := c.Keys(ctx, "t:{tips}:receipt:*").Result()
		for _, k := range keys {
			if c.Get(ctx, k).Val() == id {
				return k
			}
		}
		return ""
	}
	receiptTTL := func(id string) time.Duration {
		t.Helper()
		k := record(id)
		if k == "" {
			t.Fatalf("no receipt record for tip %s", id)
		}
		return c.PTTL(ctx, k).Val()
	}
	ana := storage.Claimer{Key: "a", Name: "Ana"}
	for _, id := range []string{older.TipID, newer.TipID} {
		if err := st.Decide(ctx, id, ana, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(err)
		}
		if ttl := receiptTTL(id); ttl < 9*24*time.Hour {
			t.Errorf("tip %s verified: its receipt lives %v, want about 10 days", id, ttl)
		}
	}
	// A relabel keeps what the classifier suggested.
	was := got.Category
	relabel := tips.Corruption
	if was == relabel {
		relabel = tips.Other
	}
	if err := st.Decide(ctx, newer.TipID, ana, storage.Decision{Status: tips.StatusVerified, Category: relabel}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Tip(ctx, newer.TipID); err != nil || got.Category != relabel || got.Suggested != was {
		t.Fatalf("relabelled: category %q, suggested %q (%v), want %q and %q", got.Category, got.Suggested, err, relabel, was)
	}
	// A stored suggestion (the old tip's "sg", not its category) stays too.
	if err := st.Decide(ctx, older.TipID, ana, storage.Decision{Status: tips.StatusVerified, Category: relabel}); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Tip(ctx, older.TipID); err != nil || got.Category != relabel || got.Suggested != tips.Weapons {
		t.Fatalf("old tip relabelled: category %q, suggested %q (%v), want %q and weapons", got.Category, got.Suggested, err, relabel)
	}
	for _, sub := range []storage.Submission{older, newer} {
		if err := st.Purge(ctx, sub.TipID); err != nil {
			t.Fatal(err)
		}
		if k := record(sub.TipID); k != "" {
			t.Errorf("tip %s purged: its receipt record stays", sub.TipID)
		}
	}
}

// A tip's "e" (its entry in the triage stream) is held as a bare integer
// from its "t"; a tip stored before holds the entry id itself. Either is
// read: the claim's idle time is the entry's, a touch and a decision
// reach the entry, a purge deletes it.
func TestTipsStoredInEitherEntryFormAreRead(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	const stream = "t:{tips}:triage"
	key := func(id string) string { return "t:{tips}:tip:" + id }
	entryOf := func(id string) string { // as the stream holds it
		t.Helper()
		for _, m := range c.XRange(ctx, stream, "-", "+").Val() {
			if m.Values["id"] == id {
				return m.ID
			}
		}
		t.Fatalf("tip %s has no entry in the stream", id)
		return ""
	}
	const text = "venden droga en la esquina del mercado, cocaína y cristal cada noche"
	older := submitText(t, st, "911", 1, text)
	newer := submitText(t, st, "912", 1, text)
	e := c.HGet(ctx, key(newer.TipID), "e").Val()
	if _, err := strconv.ParseUint(e, 10, 31); err != nil {
		t.Fatalf("new tip's e is %q, want a bare integer", e)
	}
	// As an earlier version stored it.
	oldEntry := entryOf(older.TipID)
	if err := c.HSet(ctx, key(older.TipID), "e", oldEntry).Err(); err != nil {
		t.Fatal(err)
	}
	ana := storage.Claimer{Key: "a", Name: "Ana"}
	for _, sub := range []storage.Submission{older, newer} {
		id, entry := sub.TipID, entryOf(sub.TipID)
		if _, ok, err := st.ClaimIdle(ctx, id); err != nil || ok {
			t.Fatalf("tip %s unclaimed: ClaimIdle says claimed %v (%v)", id, ok, err)
		}
		if got, err := st.Next(ctx, ana, "", time.Hour, 5); err != nil || got != id {
			t.Fatalf("Next = %q (%v), want tip %s", got, err, id)
		}
		if _, ok, err := st.ClaimIdle(ctx, id); err != nil || !ok {
			t.Fatalf("tip %s claimed: ClaimIdle says claimed %v (%v)", id, ok, err)
		}
		if err := c.Do(ctx, "XCLAIM", stream, storage.TriageGroup, "a", 0, entry, "IDLE", 60000, "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
		if err := st.TouchClaim(ctx, id, "a"); err != nil {
			t.Fatal(err)
		}
		if idle, ok, err := st.ClaimIdle(ctx, id); err != nil || !ok || idle >= time.Minute {
			t.Fatalf("tip %s touched: idle %v, claimed %v (%v), want less than a minute", id, idle, ok, err)
		}
		if err := st.Decide(ctx, id, ana, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Fatal(err)
		}
		if p := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: stream, Group: storage.TriageGroup, Start: entry, End: entry, Count: 1}).Val(); len(p) != 0 {
			t.Errorf("tip %s decided: its entry %s still pending with %s", id, entry, p[0].Consumer)
		}
		if got := entryOf(id); got != entry {
			t.Errorf("tip %s decided: its entry is %s, was %s (reopened)", id, got, entry)
		}
		if err := st.Purge(ctx, id); err != nil {
			t.Fatal(err)
		}
		if left := c.XRange(ctx, stream, entry, entry).Val(); len(left) != 0 {
			t.Errorf("tip %s purged: its entry %s stays in the stream", id, entry)
		}
	}
}
