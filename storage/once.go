package storage

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// sentOnce is a command go-redis sends once: an attempt that fails is
// not made again (Cmder.NoRetry; in a pipeline, no command of it is).
// go-redis retries a call whose reply was lost (the connection closed, a
// read timeout) and returns the last attempt's error only: a write that
// ran in Redis, its reply lost, then its retry refused (connection
// refused, LOADING), would read as a write that never ran. Sent once, its
// error is that of the one attempt, which says whether it may have run.
type sentOnce struct{ *redis.Cmd }

// NoRetry keeps go-redis from sending the command again.
func (sentOnce) NoRetry() bool { return true }

// onceScripter runs a script's EVAL and EVALSHA on c (a client or a
// pipeline) as sentOnce commands: sc.EvalSha(ctx, onceScripter{c}, …).
type onceScripter struct {
	onceTarget
}

// onceTarget is what onceScripter sends on: redis.UniversalClient and
// redis.Pipeliner are both.
type onceTarget interface {
	redis.Scripter
	Process(ctx context.Context, cmd redis.Cmder) error
}

// Eval sends the script itself, once.
func (o onceScripter) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return o.eval(ctx, "eval", script, keys, args)
}

// EvalSha sends the script by its SHA1, once.
func (o onceScripter) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return o.eval(ctx, "evalsha", sha1, keys, args)
}

// eval builds the command as go-redis's own Eval and EvalSha do (its
// first key at 3, for a cluster's routing) and sends (or queues) it once.
func (o onceScripter) eval(ctx context.Context, name, payload string, keys []string, args []any) *redis.Cmd {
	cmdArgs := make([]any, 0, 3+len(keys)+len(args))
	cmdArgs = append(cmdArgs, name, payload, len(keys))
	for _, k := range keys {
		cmdArgs = append(cmdArgs, k)
	}
	cmd := redis.NewCmd(ctx, append(cmdArgs, args...)...)
	if len(keys) > 0 {
		cmd.SetFirstKeyPos(3)
	}
	_ = o.Process(ctx, sentOnce{cmd})
	return cmd
}

// ReplyLost reports whether err, a sentOnce command's, may be that of a
// command Redis ran, its reply lost (the connection closed, a timeout):
// not a reply of Redis's own (an error it answered, LOADING), nor a
// connection never made or taken (refused, no connection free). The
// engine asks it of a draft write's error too (writeMayHaveRun).
func ReplyLost(err error) bool {
	var re redis.Error
	var op *net.OpError
	switch {
	case err == nil, errors.As(err, &re), errors.Is(err, ErrPoolTimeout), errors.Is(err, syscall.ECONNREFUSED),
		strings.Contains(err.Error(), "connection refused"),
		errors.As(err, &op) && op.Op == "dial", strings.Contains(err.Error(), "redis: client is closed"):
		return false
	}
	return true
}
