package storage

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// The rotate-key lock is taken once, renewed while held, given up (the
// run's context ended) when another token is found in it, and released
// only by its holder.
func TestRekeyLock(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{1}, 32))
	st, err := New(rdb, kr, Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	key := st.k.rekeyLock()
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}

	locked, unlock, err := st.lockRekey(ctx, 10*time.Second, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	token := rdb.Get(ctx, key).Val()
	if len(token) != 32 {
		t.Fatalf("lock value %q: not a random token", token)
	}
	if _, _, err := st.lockRekey(ctx, 10*time.Second, 10*time.Millisecond); !errors.Is(err, ErrRekeyRunning) {
		t.Fatalf("second lock: %v", err)
	}
	if rdb.Get(ctx, key).Val() != token {
		t.Fatal("the refused second run changed the lock")
	}
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 0 || ttl > 10*time.Second {
		t.Fatalf("lock without its expiry: %v", ttl)
	}
	// Renewed: an expiry set far off comes back to the lock's.
	rdb.PExpire(ctx, key, time.Hour)
	wait("the lock renewed", func() bool { return rdb.PTTL(ctx, key).Val() <= 10*time.Second })
	if locked.Err() != nil {
		t.Fatalf("lock given up while held: %v", context.Cause(locked))
	}
	// Taken over (it had expired, another run took it): the run is told.
	rdb.Set(ctx, key, "another run", time.Minute)
	wait("the lost lock noticed", func() bool { return locked.Err() != nil })
	if c := context.Cause(locked); c == nil || !strings.Contains(c.Error(), "lock") {
		t.Fatalf("cause: %v", c)
	}
	unlock()
	if v := rdb.Get(ctx, key).Val(); v != "another run" {
		t.Fatalf("unlock deleted another run's lock: %q", v)
	}

	rdb.Del(ctx, key)
	_, unlock, err = st.lockRekey(ctx, 10*time.Second, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if n := rdb.Exists(ctx, key).Val(); n != 0 {
		t.Fatal("unlock left the lock")
	}
}
