package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// nopermNotice is a hook on serve's client that tells the operator, once,
// that Redis's ACL refuses Vigía a command, a key or a channel (NOPERM):
// a user given too little (the README's ACL line not followed, a key
// pattern that does not match VIGIA_REDIS_PREFIX) or rights taken away
// while serve runs. Such a refusal is an outage like a changed password
// (commands.StorageDown): reporters' messages are spooled, durable, and
// each was logged only as "tip spooled: redis unreachable", which sent
// the operator after a network that was fine. The line names the
// permission problem, the refused command's name (Vigía's, never user
// data) and what was refused, not Redis's reply: from Redis 7.2 on it
// names the key, and a reporter's keys carry their pseudonym. Once per
// process: every call refused alike would bury the log. serve adds it
// once started.
type nopermNotice struct {
	log  *slog.Logger
	told *atomic.Bool
}

// newNopermNotice is a nopermNotice logging to log.
func newNopermNotice(log *slog.Logger) nopermNotice {
	return nopermNotice{log: log, told: new(atomic.Bool)}
}

// nopermLine is the line nopermNotice logs.
const nopermLine = "redis: Vigía's Redis user is refused by Redis's ACL (NOPERM): it lacks a permission it needs. " +
	"Give it every command and the keys under VIGIA_REDIS_PREFIX (README: `user vigia on >PASSWORD ~vigia:* +@all -@dangerous +config|get`); " +
	"the change applies at once, without a restart. Until then reporters' messages are spooled (VIGIA_SPOOL_DIR) and replayed into Redis once it accepts them. Said once"

// noperm reports whether err is Redis's ACL refusing a call, and what it
// refused: "command", "key", "channel", or "" where the reply does not say.
func noperm(err error) (refused string, ok bool) {
	var rerr redis.Error
	if err == nil || !errors.As(err, &rerr) || !strings.HasPrefix(rerr.Error(), "NOPERM") {
		return "", false
	}
	msg := rerr.Error()
	switch {
	case strings.Contains(msg, " command"):
		return "command", true
	case strings.Contains(msg, " key"):
		return "key", true
	case strings.Contains(msg, " channel"):
		return "channel", true
	}
	return "", true
}

// optionalCommands are the commands Vigía goes on without, Redis's ACL
// refusing them: INFO (serverRunID; the README's user may not run it,
// -@dangerous) and CONFIG (CONFIG GET, checkPersistence; +config|get may
// be left out). Their NOPERM is no outage, and is not told.
var optionalCommands = map[string]bool{"info": true, "config": true}

// optional reports whether Vigía goes on without cmd, Redis's ACL
// refusing it: optionalCommands, and CLIENT SETINFO, by which go-redis
// names itself on each new connection and which it goes on without (an
// ACL without +client|setinfo, Redis 7.2 and later, refuses it on every
// connection the pool opens).
func optional(cmd redis.Cmder) bool {
	name := cmd.Name()
	if optionalCommands[name] {
		return true
	}
	if args := cmd.Args(); name == "client" && len(args) > 1 {
		sub, _ := args[1].(string)
		return strings.EqualFold(sub, "setinfo")
	}
	return false
}

// tell logs nopermLine the first time err, that of the command named
// cmd, is a NOPERM of a command Vigía needs (not optional).
func (h nopermNotice) tell(ctx context.Context, cmd string, optional bool, err error) {
	refused, ok := noperm(err)
	if !ok || optional || !h.told.CompareAndSwap(false, true) {
		return
	}
	h.log.Log(ctx, slog.LevelError, nopermLine, "command", cmd, "refused", orUnknown(refused))
}

// orUnknown is s, or "unknown" if s is empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// DialHook tells of a NOPERM as a connection is set up.
func (h nopermNotice) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		h.tell(ctx, "connect", false, err)
		return conn, err
	}
}

// ProcessHook tells of a call's NOPERM.
func (h nopermNotice) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.tell(ctx, cmd.Name(), optional(cmd), err)
		return err
	}
}

// ProcessPipelineHook tells of a pipeline's NOPERM, a command's or, none
// refused, its own (go-redis returns a refused command's error as the
// pipeline's too: an optional command's refusal was told as the
// pipeline's).
func (h nopermNotice) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if h.told.Load() {
			return err
		}
		refusedOne := false
		for _, c := range cmds {
			if _, ok := noperm(c.Err()); ok {
				refusedOne = true
				h.tell(ctx, c.Name(), optional(c), c.Err())
			}
		}
		if !refusedOne {
			h.tell(ctx, "pipeline", false, err)
		}
		return err
	}
}
