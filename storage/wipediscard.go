package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// A chat wipe discards what its reporter was writing (their draft, the
// answer they armed, the message held for their choice): kept, it would
// speak up in the wiped chat later ("your unsent tip was deleted", "your
// message waits for your choice"). Where the wipe could not do it (Redis
// failing), the discard is owed. OweDiscard keeps it in Redis, so that
// every process sharing it, and this one restarted, does it before it
// says anything to that reporter on its own (DiscardsOwed), not only the
// process that owes it.

// OweDiscard records that a chat wipe of pseudonym's at wiped could not
// discard what they were writing. The time is sealed (it would tell when
// the reporter wiped their chat); the field names only the pseudonym. A
// later wipe's record replaces an earlier one's: it covers it.
func (s *Store) OweDiscard(ctx context.Context, pseudonym string, wiped time.Time) error {
	sealed, err := s.kr.seal([]byte(strconv.FormatInt(wiped.UnixMilli(), 10)), "wipediscard:"+pseudonym)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.k.wipeDiscards(), pseudonym, sealed).Err(); err != nil {
		return fmt.Errorf("owe discard: %w", err)
	}
	return nil
}

// DiscardsOwed returns the discards owed (OweDiscard): the time of the
// wipe that owes each, by pseudonym. One whose time opens under no secret
// of this process (VIGIA_SECRET changed since) is owed as of now: what
// the reporter was writing is discarded, whenever it was begun, rather
// than left to speak up in a chat they wiped.
func (s *Store) DiscardsOwed(ctx context.Context) (map[string]time.Time, error) {
	all, err := s.rdb.HGetAll(ctx, s.k.wipeDiscards()).Result()
	if err != nil {
		return nil, fmt.Errorf("discards owed: %w", err)
	}
	owed := make(map[string]time.Time, len(all))
	for p, sealed := range all {
		if owed[p], err = s.owedSince(p, sealed); err != nil {
			owed[p] = s.now()
		}
	}
	return owed, nil
}

// owedSince is the time of the wipe sealed owes pseudonym's discard
// since; ErrSealed if it cannot be opened.
func (s *Store) owedSince(pseudonym, sealed string) (time.Time, error) {
	plain, err := s.kr.open([]byte(sealed), "wipediscard:"+pseudonym)
	if err != nil {
		return time.Time{}, ErrSealed
	}
	ms, err := strconv.ParseInt(string(plain), 10, 64)
	if err != nil {
		return time.Time{}, ErrSealed // (sealed by the bot: never so)
	}
	return time.UnixMilli(ms), nil
}

// DiscardDone takes out pseudonym's owed discard, done for the wipe at
// wiped, unless a later wipe owes it again. Safe to call where none is
// owed.
func (s *Store) DiscardDone(ctx context.Context, pseudonym string, wiped time.Time) error {
	sealed, err := s.rdb.HGet(ctx, s.k.wipeDiscards(), pseudonym).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("discard done: %w", err)
	}
	if since, err := s.owedSince(pseudonym, sealed); err == nil && since.After(wiped) {
		return nil // a later wipe's: still owed (one not opened was owed as of now: done)
	}
	if err := discardDone.Run(ctx, s.rdb, []string{s.k.wipeDiscards()}, pseudonym, sealed).Err(); err != nil {
		return fmt.Errorf("discard done: %w", err)
	}
	return nil
}

// discardDone deletes field ARGV[1] of KEYS[1] if it still holds ARGV[2]:
// a wipe recorded since is still owed.
var discardDone = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])`)
