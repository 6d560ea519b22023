package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrRekeyRunning is returned by LockRekey while another rotate-key run
// holds the lock.
var ErrRekeyRunning = errors.New("another rotate-key run is in progress")

// RekeyLockTTL is how long the rotate-key lock outlives its last renewal:
// a run that crashed (or lost Redis) leaves it that long at most.
const RekeyLockTTL = time.Minute

// renewRekeyLock renews the lock (KEYS[1]) for ARGV[2] ms if it still
// holds this run's token (ARGV[1]); 0 if it does not.
var renewRekeyLock = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`)

// releaseRekeyLock deletes the lock (KEYS[1]) if it holds this run's token
// (ARGV[1]), never another run's.
var releaseRekeyLock = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`)

// LockRekey takes the lock of a rotate-key run, so that two runs at once
// do not make each other fail part-way ("run rotate-key again"). It is a
// random token (no secret in it) set only if absent, expiring after
// RekeyLockTTL unless renewed, which it is every third of that while the
// run goes on. It returns ErrRekeyRunning, having changed nothing, while
// another run holds it. The context it returns ends if the lock is lost
// (not renewed in time, or taken over): the run should stop then. unlock
// stops the renewal and deletes the lock if it is still this run's.
func (s *Store) LockRekey(ctx context.Context) (locked context.Context, unlock func(), err error) {
	return s.lockRekey(ctx, RekeyLockTTL, RekeyLockTTL/3)
}

func (s *Store) lockRekey(ctx context.Context, ttl, every time.Duration) (context.Context, func(), error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, nil, err
	}
	token, key := hex.EncodeToString(b), s.k.rekeyLock()
	ok, err := s.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("rekey lock: %w", err)
	}
	if !ok {
		// go-redis sends a command again when its connection broke
		// before the answer came: the lock it then finds may be the one
		// its first try took, this run's own.
		held, err := s.rdb.Get(ctx, key).Result()
		ok = err == nil && held == token
	}
	if !ok {
		return nil, nil, ErrRekeyRunning
	}
	locked, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-locked.Done():
				return
			case <-t.C:
			}
			// Each try ends by the next tick: rotate-key's client waits a
			// minute for an answer (rotateWait), as long as the lock lasts,
			// so one try hung on a dead connection let the lock lapse
			// while the run went on. Cut off, it is tried again, on
			// another connection.
			try, stop := context.WithTimeout(locked, every)
			n, err := renewRekeyLock.Run(try, s.rdb, []string{key}, token, ttl.Milliseconds()).Int()
			stop()
			switch {
			case locked.Err() != nil:
				return
			case err != nil:
				// Tried again at the next tick: the lock lasts three.
			case n == 0:
				cancel(errors.New("the rotate-key lock expired or was taken over"))
				return
			}
		}
	}()
	unlock := func() {
		cancel(context.Canceled)
		<-done
		ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer stop()
		_ = releaseRekeyLock.Run(ctx, s.rdb, []string{key}, token).Err()
	}
	return locked, unlock, nil
}
