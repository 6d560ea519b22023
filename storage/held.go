package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// HeldRef names a message held for its reporter's choice: the reporter's
// pseudonym and the held message's id (random: it says nothing of the
// message). The message itself is in the reporter's sealed answering
// marks, which the engine reads.
type HeldRef struct {
	Pseudonym string
	ID        string
}

func (h HeldRef) member() string { return h.Pseudonym + ":" + h.ID }

// ScheduleHeld has the sweep look at held message h at t. The engine
// calls it before it writes the message into the reporter's marks: a held
// message never exists without its entry, or it would end without its
// reporter being told (if it is not written after all, the sweep finds
// no such message and drops the entry).
func (s *Store) ScheduleHeld(ctx context.Context, h HeldRef, t time.Time) error {
	if err := s.rdb.ZAdd(ctx, s.k.heldDue(), redis.Z{Score: float64(t.UnixMilli()), Member: h.member()}).Err(); err != nil {
		return fmt.Errorf("schedule held message: %w", err)
	}
	return nil
}

// RescheduleHeld moves the sweep's next look at h to t, if h still has
// an entry (one dropped meanwhile, its message gone, is not made again).
func (s *Store) RescheduleHeld(ctx context.Context, h HeldRef, t time.Time) error {
	if err := s.rdb.ZAddXX(ctx, s.k.heldDue(), redis.Z{Score: float64(t.UnixMilli()), Member: h.member()}).Err(); err != nil {
		return fmt.Errorf("reschedule held message: %w", err)
	}
	return nil
}

// UnscheduleHeld drops h's entry: its message is gone from the marks.
func (s *Store) UnscheduleHeld(ctx context.Context, h HeldRef) error {
	if err := s.rdb.ZRem(ctx, s.k.heldDue(), h.member()).Err(); err != nil {
		return fmt.Errorf("unschedule held message: %w", err)
	}
	return nil
}

// DueHeld returns up to max held messages the sweep is to look at now,
// the longest due first.
func (s *Store) DueHeld(ctx context.Context, max int) ([]HeldRef, error) {
	due, err := s.rdb.ZRangeByScore(ctx, s.k.heldDue(), &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(s.now().UnixMilli(), 10), Count: int64(max),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("due held messages: %w", err)
	}
	out := make([]HeldRef, 0, len(due))
	for _, m := range due {
		i := strings.LastIndexByte(m, ':')
		if i < 0 {
			continue
		}
		out = append(out, HeldRef{Pseudonym: m[:i], ID: m[i+1:]})
	}
	return out, nil
}

// Answerers returns the pseudonyms of the reporters who have answering
// marks (SetAnswering), in no order: one SCAN of the keys, of every
// master on a cluster. The engine looks in those marks for messages held
// by versions before the sweep's schedule, which have no entry in it.
func (s *Store) Answerers(ctx context.Context) ([]string, error) {
	var (
		mu  sync.Mutex
		out []string
	)
	scan := func(ctx context.Context, node redis.UniversalClient) error {
		iter := node.Scan(ctx, 0, s.k.answeringMatch(), 1000).Iterator()
		for iter.Next(ctx) {
			if p, ok := s.k.answeringOf(iter.Val()); ok {
				mu.Lock()
				out = append(out, p)
				mu.Unlock()
			}
		}
		return iter.Err()
	}
	err := s.onEachPrimary(ctx, scan)
	if err != nil {
		return nil, fmt.Errorf("answerers: %w", err)
	}
	return out, nil
}
