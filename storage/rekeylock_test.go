package storage

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// faultyProxy forwards connections to a Redis. stall makes every
// connection open so far stop answering (a dead connection: commands
// still reach Redis, no answer comes back), while new ones work;
// dropAnswerToSet breaks the next connection to send a SET just before
// its answer comes back (Redis did it; the client does not know).
type faultyProxy struct {
	addr    string
	dropSet atomic.Bool
	mu      sync.Mutex
	stalled []*atomic.Bool
}

func startFaultyProxy(t *testing.T, to string) *faultyProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &faultyProxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			t.Cleanup(func() { c.Close(); r.Close() })
			stalled, drop := new(atomic.Bool), new(atomic.Bool)
			p.mu.Lock()
			p.stalled = append(p.stalled, stalled)
			p.mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if bytes.Contains(bytes.ToLower(buf[:n]), []byte("\r\nset\r\n")) && p.dropSet.CompareAndSwap(true, false) {
						drop.Store(true)
					}
					if _, err := r.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, err := r.Read(buf)
					if err != nil {
						return
					}
					if drop.Load() {
						c.Close()
						return
					}
					if !stalled.Load() {
						if _, err := c.Write(buf[:n]); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return p
}

func (p *faultyProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.stalled {
		s.Store(true)
	}
}

// client is a client through the proxy set as rotate-key's
// (redisClientWaiting): calls end with their context, and an answer is
// waited for a minute.
func (p *faultyProxy) client(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: p.addr, ContextTimeoutEnabled: true, ReadTimeout: time.Minute})
	t.Cleanup(func() { c.Close() })
	return c
}

// A renewal hung on a dead connection is cut off and tried again on
// another: rotate-key's client waits a minute for an answer, as long as
// the lock lasts, and the lock lapsed while the run went on.
// Mutation: the renewal without its own deadline → never renewed again.
func TestRekeyLockRenewalOutlivesADeadConnection(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	proxy := startFaultyProxy(t, srv.Addr)
	kr, _ := NewKeyring(bytes.Repeat([]byte{1}, 32))
	st, err := New(proxy.client(t), kr, Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	key := st.k.rekeyLock()
	locked, unlock, err := st.lockRekey(ctx, 10*time.Second, 100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	proxy.stall() // the connection the lock was taken on (the pool's only one)
	rdb.PExpire(ctx, key, time.Hour)
	for deadline := time.Now().Add(20 * time.Second); rdb.PTTL(ctx, key).Val() > 10*time.Second; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the lock was not renewed once its connection stopped answering")
		}
	}
	if locked.Err() != nil {
		t.Fatalf("lock given up while held: %v", context.Cause(locked))
	}
}

// The answer to the SET that took the lock lost (the connection broke),
// go-redis sends it again, which finds the lock taken, by this run: it is
// this run's, not "another rotate-key run is in progress" for a minute.
// Mutation: without the look at the lock's token → ErrRekeyRunning.
func TestRekeyLockTakenThoughItsAnswerWasLost(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	proxy := startFaultyProxy(t, srv.Addr)
	kr, _ := NewKeyring(bytes.Repeat([]byte{1}, 32))
	st, err := New(proxy.client(t), kr, Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	key := st.k.rekeyLock()
	proxy.dropSet.Store(true)
	_, unlock, err := st.lockRekey(ctx, 10*time.Second, time.Hour)
	if err != nil {
		t.Fatalf("lock taken, its answer lost: %v", err)
	}
	if proxy.dropSet.Load() {
		t.Fatal("the SET's answer was not dropped: this test tests nothing")
	}
	if rdb.Get(ctx, key).Val() == "" {
		t.Fatal("no lock")
	}
	unlock()
	if n := rdb.Exists(ctx, key).Val(); n != 0 {
		t.Fatal("unlock left the lock")
	}
	// Another run's lock is still refused.
	rdb.Set(ctx, key, "another run", time.Minute)
	if _, _, err := st.lockRekey(ctx, 10*time.Second, time.Hour); !errors.Is(err, ErrRekeyRunning) {
		t.Fatalf("another run's lock: %v", err)
	}
}
