package storage

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// purgeBeforeWarningMark purges the tip a command marking it a warning
// (an argument "warning", a key of a tip's hash) is about to write, once:
// an investigator purging a warning as its reporter's Send is stored.
type purgeBeforeWarningMark struct {
	s     *Store
	fired bool
	err   error
}

func (h *purgeBeforeWarningMark) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *purgeBeforeWarningMark) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h *purgeBeforeWarningMark) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, c redis.Cmder) error {
		if !h.fired {
			var id string
			warning := false
			for _, a := range c.Args() {
				v, _ := a.(string)
				if v == "warning" {
					warning = true
				}
				if rest, ok := strings.CutPrefix(v, h.s.k.tip("")); ok {
					id = rest
				}
			}
			if warning && id != "" {
				h.fired = true
				h.err = h.s.Purge(ctx, id)
			}
		}
		return next(ctx, c)
	}
}

// A warning purged by an investigator as its Send is stored (between
// the tip's write and its mark as a warning) is gone: the mark does not
// make its hash again, a key holding its tip number without an expiry,
// kept for ever. The reporter was told it was received: it was stored.
// Mutation: the mark an HSET on the tip's hash, whether it is there or
// not (as before) -> the hash stays, without expiry.
func TestWarningPurgedAsItIsStoredLeavesNoHash(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	hook := &purgeBeforeWarningMark{s: s}
	s.rdb.AddHook(hook)
	sub, err := s.SubmitWarning(ctx, s.Pseudonym("telegram", "41"), "retén falso en la salida a Toluca", "es", 7, "")
	if err != nil {
		t.Fatalf("warning: %v", err)
	}
	if !hook.fired || hook.err != nil {
		t.Fatalf("the warning was not purged as it was marked (purged: %v, %v)", hook.fired, hook.err)
	}
	if n := s.rdb.Exists(ctx, s.k.tip(sub.TipID)).Val(); n != 0 {
		t.Fatalf("the purged warning's hash made again: %v, TTL %v",
			s.rdb.HGetAll(ctx, s.k.tip(sub.TipID)).Val(), s.rdb.PTTL(ctx, s.k.tip(sub.TipID)).Val())
	}
}
