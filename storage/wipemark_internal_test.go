package storage

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A chat wipe's mark (MarkWiped) is on the reporter's state, sealed
// (the event number is nowhere in clear), keeps the state past the
// platforms' redelivery window, keeps the highest event of two wipes,
// and is read as none once that window is over. Mutations: the mark
// stored as the plain number → fails (in clear); the higher mark not
// kept → fails (a later call with a lower event lowers it).
func TestWipedMarkSealedAndKept(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	now := time.Now()
	s.now = func() time.Time { return now }
	if _, err := s.WipedUpTo(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no wipe yet: %v", err)
	}
	const event = 1234567890123
	if err := s.MarkWiped(ctx, "p1", event); err != nil {
		t.Fatal(err)
	}
	all := rdb.HGetAll(ctx, s.k.state("p1")).Val()
	for f, v := range all {
		if strings.Contains(f+v, strconv.Itoa(event)) {
			t.Fatalf("the event in clear: %q=%q", f, v)
		}
	}
	if ttl := rdb.PTTL(ctx, s.k.state("p1")).Val(); ttl < 24*time.Hour {
		t.Fatalf("state lives %v, less than the redelivery window", ttl)
	}
	if err := s.MarkWiped(ctx, "p1", event-5); err != nil {
		t.Fatal(err)
	}
	if got, err := s.WipedUpTo(ctx, "p1"); err != nil || got != event {
		t.Fatalf("wiped up to %d %v, want %d", got, err, event)
	}
	now = now.Add(sentMemory + time.Minute)
	if _, err := s.WipedUpTo(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("past the window: %v", err)
	}
}
