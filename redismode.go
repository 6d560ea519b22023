package main

import "github.com/redis/go-redis/v9"

// errNotACluster is VIGIA_REDIS_MODE=cluster on a Redis that is not a
// cluster node: cluster mode's first call (CLUSTER SLOTS) is refused with
// "cluster support disabled". A mode that does not match the server, not
// an outage: serve and the operator's commands exit 2 naming the variable
// (they stopped with exit 1 and Redis's bare reply, serve's as a JSON log
// line naming no variable).
var errNotACluster = &configError{"VIGIA_REDIS_MODE", "is cluster, but the Redis of VIGIA_REDIS_URL is not a cluster node (it has cluster support disabled): unset VIGIA_REDIS_MODE (single is the default), or point VIGIA_REDIS_URL at a node of the cluster"}

// notACluster reports whether err is a Redis refusing cluster mode
// because it is not a cluster node (errNotACluster).
func notACluster(err error) bool {
	// (HasErrorPrefix takes off Redis's "ERR ".)
	return redis.HasErrorPrefix(err, "This instance has cluster support disabled")
}
