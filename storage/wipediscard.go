package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// OwedDiscard is a discard a chat wipe owes (OweDiscard): when the wipe
// ran, and the reporter's platform event it wiped up to. Where UpTo is
// not 0 (a wipe now), only the draft's parts of events up to it go, as
// the wipe would have dropped them (DropDraft): a later part is the
// reporter's next message, sent after the wipe, even where it joined the
// draft being discarded. Where it is 0 (a wipe set for later, or one
// recorded by a version that did not keep it), the draft goes if it
// began by Wiped (DropDraftBefore), whole, as the reporter was told.
type OwedDiscard struct {
	Wiped time.Time
	UpTo  int64
}

// OweDiscard records that a chat wipe of pseudonym's could not discard
// what they were writing. The wipe's time and event are sealed (they
// would tell when the reporter wiped their chat); the field names only
// the pseudonym. A later wipe's record replaces an earlier one's: it
// covers it.
func (s *Store) OweDiscard(ctx context.Context, pseudonym string, d OwedDiscard) error {
	plain := strconv.FormatInt(d.Wiped.UnixMilli(), 10)
	if d.UpTo != 0 {
		plain += " " + strconv.FormatInt(d.UpTo, 10)
	}
	sealed, err := s.kr.seal([]byte(plain), "wipediscard:"+pseudonym)
	if err != nil {
		return err
	}
	if err := s.rdb.HSet(ctx, s.k.wipeDiscards(), pseudonym, sealed).Err(); err != nil {
		return fmt.Errorf("owe discard: %w", err)
	}
	return nil
}

// DiscardsOwed returns the discards owed (OweDiscard), by pseudonym. One
// that opens under no secret of this process (VIGIA_SECRET changed since)
// is owed as of now, up to no event: what the reporter was writing is
// discarded, whenever it was begun, rather than left to speak up in a
// chat they wiped.
func (s *Store) DiscardsOwed(ctx context.Context) (map[string]OwedDiscard, error) {
	all, err := s.rdb.HGetAll(ctx, s.k.wipeDiscards()).Result()
	if err != nil {
		return nil, fmt.Errorf("discards owed: %w", err)
	}
	owed := make(map[string]OwedDiscard, len(all))
	for p, sealed := range all {
		if owed[p], err = s.owedBy(p, sealed); err != nil {
			owed[p] = OwedDiscard{Wiped: s.now()}
		}
	}
	return owed, nil
}

// owedBy is the discard sealed says a wipe owes pseudonym; ErrSealed if
// it cannot be opened. One recorded before the wipe's event was kept
// (the time alone) is owed up to no event.
func (s *Store) owedBy(pseudonym, sealed string) (OwedDiscard, error) {
	plain, err := s.kr.open([]byte(sealed), "wipediscard:"+pseudonym)
	if err != nil {
		return OwedDiscard{}, ErrSealed
	}
	wiped, upTo, _ := strings.Cut(string(plain), " ")
	var d OwedDiscard
	ms, err := strconv.ParseInt(wiped, 10, 64)
	if err == nil && upTo != "" {
		d.UpTo, err = strconv.ParseInt(upTo, 10, 64)
	}
	if err != nil {
		return OwedDiscard{}, ErrSealed // (sealed by the bot: never so)
	}
	d.Wiped = time.UnixMilli(ms)
	return d, nil
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
	if d, err := s.owedBy(pseudonym, sealed); err == nil && d.Wiped.After(wiped) {
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
