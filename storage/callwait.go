package storage

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// callWaitKey marks a context whose Redis calls each wait at most a set
// time (WithCallWait).
type callWaitKey struct{}

// WithCallWait returns ctx under which each Redis call of the store (a
// command or a pipeline, go-redis's retries and new connections'
// handshakes included) waits at most d for Redis, whatever is left of
// ctx's own deadline, which still bounds everything else (a platform's
// send). Contexts made from it keep the bound, those detached with
// context.WithoutCancel too: it is a bound per call, not a deadline, so a
// call made late in a request (a mark written after a slow send) gets its
// d in full. d <= 0 lifts a bound set before: the calls wait as long as
// ctx lets them.
func WithCallWait(ctx context.Context, d time.Duration) context.Context {
	if CallWait(ctx) == max(d, 0) {
		return ctx
	}
	return context.WithValue(ctx, callWaitKey{}, max(d, 0))
}

// CallWait is the bound WithCallWait put on ctx's Redis calls, 0 if none.
func CallWait(ctx context.Context) time.Duration {
	d, _ := ctx.Value(callWaitKey{}).(time.Duration)
	return d
}

// callWaitHook applies WithCallWait's bound to each call. go-redis ends a
// call with its context (ContextTimeoutEnabled, set by serve's client).
type callWaitHook struct{}

func (callWaitHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (callWaitHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if d := CallWait(ctx); d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return next(ctx, cmd)
	}
}

func (callWaitHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if d := CallWait(ctx); d > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, d)
			defer cancel()
		}
		return next(ctx, cmds)
	}
}
