package main

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// followFailover is a hook on the client of each node of a cluster
// client (liveClusterClient): a call or pipeline a node did not answer
// (redisUnreachable: a connection refused or cut, no answer in time)
// asks go-redis to load the cluster's slots again (ReloadState: one load
// at a time, in the background). go-redis loads them again on a MOVED or
// ASK, and otherwise at a call once the slots are older than its
// ClusterStateReloadInterval, a minute since v9.22 (10 s before): after
// a failover whose old primary is gone (a crash, a host lost), nothing
// answers MOVED, and every call to its slots (the tips' hash tag is one
// slot: every tip) failed for up to that minute after the cluster had
// promoted its replica, tips spooled meanwhile and investigators
// refused. Now the first call that fails after the promotion brings the
// new slots, and the calls after it go to the new primary. CLUSTER SLOTS
// and COMMAND, go-redis's own asks, are left out: a load that fails
// asking for another would ask again every 200 ms while the cluster is
// down.
type followFailover struct{ rdb *redis.ClusterClient }

// DialHook leaves dials as they are.
func (h followFailover) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook reloads the slots when a call's node did not answer.
func (h followFailover) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if err != nil && !clusterSlotsCmd(cmd) && cmd.Name() != "command" && redisUnreachable(err) {
			h.rdb.ReloadState(ctx)
		}
		return err
	}
}

// ProcessPipelineHook reloads the slots when a pipeline's node did not
// answer.
func (h followFailover) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if err != nil && redisUnreachable(err) {
			h.rdb.ReloadState(ctx)
		}
		return err
	}
}
