package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The inbox: platform updates received by the webhook are written here,
// sealed, before the platform is told "200 OK"; workers on any replica
// consume them with a consumer group and delete them once handled.

const inboxGroup = "workers"

// inboxClaimScans bounds the XAUTOCLAIM calls of one read (each scans at
// most ten times the count asked for).
const inboxClaimScans = 64

// InboxEntry is one received update.
type InboxEntry struct {
	ID  string
	Raw []byte
}

// InitInbox creates the inbox stream and its consumer group if needed.
func (s *Store) InitInbox(ctx context.Context, platform string) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.inbox(platform), inboxGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create inbox group: %w", err)
	}
	return nil
}

// InboxAdd stores received updates, sealed, all or none (one round
// trip). It returns once Redis has them.
func (s *Store) InboxAdd(ctx context.Context, platform string, raws ...[]byte) error {
	pipe := s.rdb.TxPipeline()
	for _, raw := range raws {
		sealed, err := s.kr.seal(raw, "inbox:"+platform)
		if err != nil {
			return err
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.k.inbox(platform), Values: map[string]any{"u": sealed}})
	}
	if len(raws) == 0 {
		return nil
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}

// InboxPending returns up to count of consumer's own unacknowledged
// updates with ids after after ("0" for the first): those a process that
// ran under the same name left when it died. It is for a start only: a
// running consumer's own pending updates are the ones it is handling.
func (s *Store) InboxPending(ctx context.Context, platform, consumer, after string, count int) ([]InboxEntry, error) {
	return s.inboxRegrouped(ctx, platform, func() ([]InboxEntry, error) { return s.inboxPending(ctx, platform, consumer, after, count) })
}

func (s *Store) inboxPending(ctx context.Context, platform, consumer, after string, count int) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: inboxGroup, Consumer: consumer, Streams: []string{stream, after}, Count: int64(count), Block: -1}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("inbox pending: %w", err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	return s.openInbox(ctx, platform, res[0].Messages)
}

// InboxRead returns up to count updates for consumer: first those another
// consumer left idle for staleAfter (a replica that died; a live one keeps
// what it holds with InboxKeep), then new ones, waiting at most block for
// them. Not consumer's own pending ones (InboxPending), but XAUTOCLAIM may
// hand back one of its own left idle: the caller skips those it holds.
func (s *Store) InboxRead(ctx context.Context, platform, consumer string, count int, block, staleAfter time.Duration) ([]InboxEntry, error) {
	return s.inboxRegrouped(ctx, platform, func() ([]InboxEntry, error) { return s.inboxRead(ctx, platform, consumer, count, block, staleAfter) })
}

// inboxRegrouped runs read once more after creating the inbox's consumer
// group again if Redis lost it (restarted without its data, flushed):
// InboxAdd recreates the stream but not the group, and every read would
// fail with NOGROUP until a restart while the polling loop confirms to
// Telegram what it stores.
func (s *Store) inboxRegrouped(ctx context.Context, platform string, read func() ([]InboxEntry, error)) ([]InboxEntry, error) {
	out, err := read()
	var rerr redis.Error
	if err == nil || !errors.As(err, &rerr) || !strings.HasPrefix(rerr.Error(), "NOGROUP") {
		return out, err
	}
	if err := s.InitInbox(ctx, platform); err != nil {
		return nil, err
	}
	return read()
}

func (s *Store) inboxRead(ctx context.Context, platform, consumer string, count int, block, staleAfter time.Duration) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	// XAUTOCLAIM scans at most 10*count pending entries per call: past
	// those (updates live replicas hold and keep) it goes on from where
	// the last call stopped, to the end of the list ("0-0"), or a bound.
	var msgs []redis.XMessage
	for start, n := "0-0", 0; n < inboxClaimScans; n++ {
		var err error
		msgs, start, err = s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: inboxGroup, Consumer: consumer, MinIdle: staleAfter, Start: start, Count: int64(count)}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("inbox claim: %w", err)
		}
		if len(msgs) > 0 || start == "0-0" || start == "" {
			break
		}
	}
	if len(msgs) == 0 {
		// Block > 0 always: go-redis treats 0 as "wait forever".
		res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: inboxGroup, Consumer: consumer, Streams: []string{stream, ">"}, Count: int64(count), Block: max(block, time.Millisecond)}).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("inbox read: %w", err)
		}
		if len(res) > 0 {
			msgs = res[0].Messages
		}
	}
	return s.openInbox(ctx, platform, msgs)
}

// InboxKeep resets the idle time of updates consumer holds (queued or
// being handled), so that no other replica takes them over as stale.
// Ids no longer pending are ignored.
func (s *Store) InboxKeep(ctx context.Context, platform, consumer string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	// JUSTID: the delivery count stays as it was.
	err := s.rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: s.k.inbox(platform), Group: inboxGroup, Consumer: consumer, MinIdle: 0, Messages: ids}).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("inbox keep: %w", err)
	}
	return nil
}

// InboxFetch returns, in the order of ids, those of these updates still
// pending (read, not yet removed), claimed for consumer with their idle
// time reset: a backlog consumer read but left in the inbox for now. Like
// InboxKeep, it claims them back from a consumer that took them over.
func (s *Store) InboxFetch(ctx context.Context, platform, consumer string, ids []string) ([]InboxEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	msgs, err := s.rdb.XClaim(ctx, &redis.XClaimArgs{Stream: s.k.inbox(platform), Group: inboxGroup, Consumer: consumer, MinIdle: 0, Messages: ids}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("inbox fetch: %w", err)
	}
	return s.openInbox(ctx, platform, msgs)
}

// openInbox opens read inbox messages.
func (s *Store) openInbox(ctx context.Context, platform string, msgs []redis.XMessage) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	var out []InboxEntry
	for _, m := range msgs {
		sealed, _ := m.Values["u"].(string)
		raw, err := s.kr.open([]byte(sealed), "inbox:"+platform)
		if err != nil {
			// Sealed under another secret (a misconfigured replica?): kept,
			// sealed, in a dead-letter stream rather than handled or lost.
			pipe := s.rdb.TxPipeline()
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: s.k.inboxDead(platform), Values: map[string]any{"u": sealed}})
			pipe.XAck(ctx, stream, inboxGroup, m.ID)
			pipe.XDel(ctx, stream, m.ID)
			if _, err := pipe.Exec(ctx); err != nil {
				return out, fmt.Errorf("inbox dead letter: %w", err)
			}
			continue
		}
		out = append(out, InboxEntry{ID: m.ID, Raw: raw})
	}
	return out, nil
}

// InboxLen is how many updates wait in the inbox: stored, not yet handled
// (a handled one is deleted).
func (s *Store) InboxLen(ctx context.Context, platform string) (int64, error) {
	return s.rdb.XLen(ctx, s.k.inbox(platform)).Result()
}

// InboxDone acknowledges and deletes a handled update.
func (s *Store) InboxDone(ctx context.Context, platform, id string) error {
	pipe := s.rdb.TxPipeline()
	pipe.XAck(ctx, s.k.inbox(platform), inboxGroup, id)
	pipe.XDel(ctx, s.k.inbox(platform), id)
	_, err := pipe.Exec(ctx)
	return err
}
