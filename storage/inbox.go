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

// InboxAdd stores a received update, sealed. It returns once Redis has it.
func (s *Store) InboxAdd(ctx context.Context, platform string, raw []byte) error {
	sealed, err := s.kr.seal(raw, "inbox:"+platform)
	if err != nil {
		return err
	}
	if err := s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.k.inbox(platform), Values: map[string]any{"u": sealed}}).Err(); err != nil {
		return fmt.Errorf("inbox: %w", err)
	}
	return nil
}

// InboxRead returns up to count updates for consumer: first its own
// unacknowledged ones (a restarted process under the same name picks up
// where it died), then those another consumer left idle for staleAfter (a
// replica that died), then new ones, waiting at most block for them.
func (s *Store) InboxRead(ctx context.Context, platform, consumer string, count int, block, staleAfter time.Duration) ([]InboxEntry, error) {
	stream := s.k.inbox(platform)
	var msgs []redis.XMessage
	own, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: inboxGroup, Consumer: consumer, Streams: []string{stream, "0"}, Count: int64(count), Block: -1}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("inbox pending: %w", err)
	}
	if len(own) > 0 {
		msgs = own[0].Messages
	}
	if len(msgs) == 0 {
		msgs, _, err = s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: stream, Group: inboxGroup, Consumer: consumer, MinIdle: staleAfter, Start: "0-0", Count: int64(count)}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("inbox claim: %w", err)
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

// InboxDone acknowledges and deletes a handled update.
func (s *Store) InboxDone(ctx context.Context, platform, id string) error {
	pipe := s.rdb.TxPipeline()
	pipe.XAck(ctx, s.k.inbox(platform), inboxGroup, id)
	pipe.XDel(ctx, s.k.inbox(platform), id)
	_, err := pipe.Exec(ctx)
	return err
}
