package storage_test

import (
	"context"
	"testing"
	"time"
)

// Limits count per subject and kind in fixed windows, in one key per
// subject, and a new window starts afresh.
func TestAllowWindowsAndKinds(t *testing.T) {
	ctx := context.Background()
	st, srv, clk := newStore(t)
	p := st.Pseudonym("telegram", "901")
	type res struct{ ok, first bool }
	try := func(kind string) res {
		ok, first, err := st.Allow(ctx, p, kind, 2, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return res{ok, first}
	}
	clk.Add(clk.Now().Truncate(time.Hour).Add(time.Hour + time.Minute).Sub(clk.Now())) // just after an hour starts
	for i, want := range []res{{true, false}, {true, false}, {false, true}, {false, false}} {
		if got := try("tips"); got != want {
			t.Fatalf("tips #%d: %+v, want %+v", i+1, got, want)
		}
	}
	if got := try("parts"); got != (res{true, false}) {
		t.Fatalf("another kind shares the count: %+v", got)
	}
	if got, _, _ := st.Allow(ctx, st.Pseudonym("telegram", "902"), "tips", 2, time.Hour); !got {
		t.Fatal("another subject shares the count")
	}
	keys, _ := srv.Client().Keys(ctx, "*:st").Result()
	if len(keys) != 2 {
		t.Fatalf("keys: %v, want one per subject", keys)
	}
	clk.Add(time.Hour)
	if got := try("tips"); got != (res{true, false}) {
		t.Fatalf("next window: %+v", got)
	}
	if n, _ := srv.Client().HLen(ctx, st.StateKey(p)).Result(); n != 2 {
		t.Fatalf("old windows kept: %d fields", n)
	}
	if ttl, _ := srv.Client().PTTL(ctx, st.StateKey(p)).Result(); ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl %v", ttl)
	}
}
