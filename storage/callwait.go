package storage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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

// hungKey marks a context whose Redis calls share a hungLatch
// (WithHungLatch).
type hungKey struct{}

// hungLatch is set once a call under it got no answer before its
// context's deadline.
type hungLatch struct{ hung atomic.Bool }

// ErrHung is the error of a call made under WithHungLatch after an earlier
// call under the same latch got no answer in its time: not sent to Redis.
// It is a context.DeadlineExceeded, as the earlier call's was, so a
// request takes its outage path as it would have after waiting.
var ErrHung = fmt.Errorf("redis: not asked, an earlier call of the request got no answer in its time: %w", context.DeadlineExceeded)

// WithHungLatch returns ctx under which the Redis calls of the store share
// one latch: once a call ran out of its time (its WithCallWait bound or
// ctx's deadline) without an answer, every later call under it fails at
// once with ErrHung instead of waiting its own bound for a Redis that is
// not answering. A request whose sender waits to hear whether what they
// sent was kept (a Send press, a message) hears in about one bound, not
// one per call. Calls are never cut short by it: one already under way
// waits its time; only what a request asks after a call hung is spared.
func WithHungLatch(ctx context.Context) context.Context {
	if _, ok := ctx.Value(hungKey{}).(*hungLatch); ok {
		return ctx
	}
	return context.WithValue(ctx, hungKey{}, &hungLatch{})
}

// Hung reports whether a call under ctx's WithHungLatch got no answer in
// its time.
func Hung(ctx context.Context) bool {
	l, _ := ctx.Value(hungKey{}).(*hungLatch)
	return l != nil && l.hung.Load()
}

// bounded runs one call (a command or a pipeline) under ctx's
// WithCallWait bound and WithHungLatch latch; skipped, not run, with
// ErrHung set on its commands, once the latch is set.
func bounded(ctx context.Context, cmds []redis.Cmder, call func(context.Context) error) error {
	l, _ := ctx.Value(hungKey{}).(*hungLatch)
	if l != nil && l.hung.Load() {
		for _, cmd := range cmds {
			cmd.SetErr(ErrHung)
		}
		return ErrHung
	}
	if d := CallWait(ctx); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	// A call begun with no time left (its context done or past its
	// deadline: a mark written after a slow send used up the event's
	// time) is not sent: it learns nothing of Redis and sets nothing,
	// else the calls after it, those detached with context.WithoutCancel
	// to get their own time included, would be skipped with Redis
	// answering.
	asked := ctx.Err() == nil && !ranOut(ctx)
	err := call(ctx)
	if err != nil && l != nil && asked && ranOut(ctx) {
		l.hung.Store(true)
	}
	return err
}

// ranOut reports whether ctx's deadline has passed: a call that failed
// then got no answer in its time (ended by its context, or by the socket
// deadline go-redis sets from it, which may come a moment before the
// context's own timer: ctx.Err() could still be nil).
func ranOut(ctx context.Context) bool {
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// callWaitHook applies WithCallWait's bound and WithHungLatch's latch to
// each call. go-redis ends a call with its context (ContextTimeoutEnabled,
// set by serve's client).
type callWaitHook struct{}

func (callWaitHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (callWaitHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		return bounded(ctx, []redis.Cmder{cmd}, func(ctx context.Context) error { return next(ctx, cmd) })
	}
}

func (callWaitHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		return bounded(ctx, cmds, func(ctx context.Context) error { return next(ctx, cmds) })
	}
}
