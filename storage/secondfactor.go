package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// SecondFactor is a team member's TOTP enrolment.
type SecondFactor struct {
	// Secret is the base32 TOTP secret.
	Secret string
	// Confirmed is true once a code from it was accepted.
	Confirmed bool
	// Guarded is true when it replaced a confirmed enrolment (or one
	// guarded itself): replacing it needs a code from it even before it is
	// confirmed, or whoever holds the member's unlocked phone could replace
	// it between the member's replacement and their first code from it.
	Guarded bool
}

// Enroll stores a new TOTP secret for a team member, replacing any other.
// It is not confirmed until a code from it is used.
func (s *Store) Enroll(ctx context.Context, pseudonym, secret string) error {
	sealed, err := s.kr.seal([]byte(secret), "totp:"+pseudonym)
	if err != nil {
		return err
	}
	k := s.k.secondFactor(pseudonym)
	prev, err := s.rdb.HMGet(ctx, k, "ok", "g").Result()
	if err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	guarded := 0
	if prev[0] == "1" || prev[1] == "1" {
		guarded = 1
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, k, s.k.unlocked(pseudonym))
		p.HSet(ctx, k, "s", sealed, "c", 0, "ok", 0, "g", guarded)
		return nil
	})
	if err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	return nil
}

// SecondFactor returns a member's enrolment, or ErrNotFound.
func (s *Store) SecondFactor(ctx context.Context, pseudonym string) (SecondFactor, error) {
	f, err := s.rdb.HGetAll(ctx, s.k.secondFactor(pseudonym)).Result()
	if err != nil {
		return SecondFactor{}, fmt.Errorf("second factor: %w", err)
	}
	if f["s"] == "" {
		return SecondFactor{}, ErrNotFound
	}
	secret, err := s.kr.open([]byte(f["s"]), "totp:"+pseudonym)
	if err != nil {
		return SecondFactor{}, fmt.Errorf("second factor: %w", err)
	}
	return SecondFactor{Secret: string(secret), Confirmed: f["ok"] == "1", Guarded: f["g"] == "1"}, nil
}

// useStep accepts a TOTP time step only if it is later than the last one
// used, and marks the enrolment confirmed: a code works once.
var useStep = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local last = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local step = tonumber(ARGV[1])
if step <= last then return 0 end
redis.call('HSET', KEYS[1], 'c', step, 'ok', 1)
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
return 1`)

// Unlock records the use of the code of TOTP time step and unlocks the
// member for ttl. It returns false when that step, or a later one, was
// already used (a replayed code).
func (s *Store) Unlock(ctx context.Context, pseudonym string, step int64, ttl time.Duration) (bool, error) {
	until := s.now().Add(ttl).UnixMilli()
	n, err := useStep.Run(ctx, s.rdb, []string{s.k.secondFactor(pseudonym), s.k.unlocked(pseudonym)}, step, ttl.Milliseconds(), until).Int()
	switch {
	case err != nil:
		return false, fmt.Errorf("unlock: %w", err)
	case n < 0:
		return false, ErrNotFound
	}
	return n == 1, nil
}

// Unlocked reports whether a member's unlock still lasts.
func (s *Store) Unlocked(ctx context.Context, pseudonym string) (bool, error) {
	until, err := s.rdb.Get(ctx, s.k.unlocked(pseudonym)).Int64()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("unlocked: %w", err)
	}
	return s.now().UnixMilli() < until, nil
}

// Lock ends a member's unlock now.
func (s *Store) Lock(ctx context.Context, pseudonym string) error {
	return s.rdb.Del(ctx, s.k.unlocked(pseudonym)).Err()
}

// ResetSecondFactor forgets a member's enrolment and unlock, so that one
// who lost their authenticator can enrol again; it reports whether they
// had enrolled.
func (s *Store) ResetSecondFactor(ctx context.Context, pseudonym string) (bool, error) {
	n, err := s.rdb.Del(ctx, s.k.secondFactor(pseudonym), s.k.unlocked(pseudonym)).Result()
	if err != nil {
		return false, fmt.Errorf("reset second factor: %w", err)
	}
	return n > 0, nil
}

// dropSecondFactor forgets a member's enrolment and unlock (on revocation).
func (s *Store) dropSecondFactor(ctx context.Context, pseudonym string) error {
	if err := s.rdb.Del(ctx, s.k.secondFactor(pseudonym), s.k.unlocked(pseudonym)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	return nil
}
