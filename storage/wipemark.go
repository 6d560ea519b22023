package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// wipedField is the field of a reporter's state (state) that marks up to
// which of their platform events their chat was wiped (MarkWiped). Its
// value is sealed: the event number of a wipe (a Discord snowflake holds
// its millisecond) would tell when the reporter wiped, and a state's
// expiry says no more than the hour (stateLife).
const wipedField = "wu"

// wipedAfterField is the field of a reporter's state that holds the
// first of their platform events found after their wipe mark (the draft
// script, addPart, having asked AddToDraft): an event already in clear
// as its draft part's field. A part from it on is added without asking
// again. MarkWiped drops it with every new mark.
const wipedAfterField = "wa"

// wipedMark is what wipedField holds, sealed: the newest event a wipe
// covered, and until when (unix ms) a copy of one the platform delivers
// again can come.
type wipedMark struct {
	Event int64 `json:"e"`
	Until int64 `json:"u"`
}

// MarkWiped records that pseudonym's chat was wiped up to their platform
// event eventID (the /wipe message or the button pressed): a copy of an
// earlier message the platform delivers again, to any replica or after a
// restart, is answered with nothing (WipedUpTo). The mark is kept for
// sentMemory, past the platforms' redelivery window, on the reporter's
// state, which lives at least that long (stateLife); an earlier wipe's
// higher mark is kept. Sealed: Redis learns only that the state holds one.
func (s *Store) MarkWiped(ctx context.Context, pseudonym string, eventID int64) error {
	if pseudonym == "" || eventID == 0 {
		return nil
	}
	key := s.k.state(pseudonym)
	now := s.now()
	for range 10 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			m := wipedMark{Event: eventID, Until: now.Add(sentMemory).UnixMilli()}
			if old, err := s.wipedMark(ctx, tx, pseudonym); err == nil && old.Event > m.Event {
				m.Event = old.Event
			} else if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			plain, err := json.Marshal(m)
			if err != nil {
				return err
			}
			sealed, err := s.kr.seal(plain, "wiped:"+pseudonym)
			if err != nil {
				return err
			}
			life := stateLife(now)
			ttl, err := tx.PTTL(ctx, key).Result()
			if err != nil {
				return err
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, key, wipedField, sealed)
				p.HDel(ctx, key, wipedAfterField) // (the draft script checks the next part against this mark)
				if ttl < time.Duration(life)*time.Millisecond {
					p.PExpire(ctx, key, time.Duration(life)*time.Millisecond)
				}
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue // the state changed meanwhile (a part, a count): again
		}
		if err != nil {
			return fmt.Errorf("mark wiped: %w", err)
		}
		return nil
	}
	return errors.New("mark wiped: state kept changing")
}

// WipedUpTo is the newest platform event of pseudonym's that a wipe of
// their chat covered (MarkWiped), while a copy of it may still be
// delivered again; ErrNotFound if there is none (or it could not be
// opened: as none).
func (s *Store) WipedUpTo(ctx context.Context, pseudonym string) (int64, error) {
	m, err := s.wipedMark(ctx, s.rdb, pseudonym)
	if err != nil {
		return 0, err
	}
	return m.Event, nil
}

func (s *Store) wipedMark(ctx context.Context, c redis.Cmdable, pseudonym string) (wipedMark, error) {
	sealed, err := c.HGet(ctx, s.k.state(pseudonym), wipedField).Bytes()
	if errors.Is(err, redis.Nil) {
		return wipedMark{}, ErrNotFound
	}
	if err != nil {
		return wipedMark{}, fmt.Errorf("wiped mark: %w", err)
	}
	return s.openWipedMark(pseudonym, sealed)
}

// openWipedMark opens pseudonym's wipe mark sealed; ErrNotFound if it
// cannot be opened or is past its time.
func (s *Store) openWipedMark(pseudonym string, sealed []byte) (wipedMark, error) {
	plain, err := s.kr.open(sealed, "wiped:"+pseudonym)
	if err != nil {
		return wipedMark{}, ErrNotFound
	}
	var m wipedMark
	if json.Unmarshal(plain, &m) != nil || m.Until <= s.now().UnixMilli() {
		return wipedMark{}, ErrNotFound
	}
	return m, nil
}
