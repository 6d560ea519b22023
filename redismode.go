package main

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"
)

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

// errNotASentinel is VIGIA_REDIS_MODE=sentinel on a Redis that is not a
// sentinel (the primary's address given as the URL's host, as for
// single): sentinel mode's first call (SENTINEL get-master-addr-by-name)
// is refused as an unknown command, and go-redis reports "all sentinels
// specified in configuration are unreachable". A mode that does not match
// the server, as errNotACluster: exit 2 naming the variable, not exit 1
// and Redis's bare reply (restarted in a loop by a supervisor).
var errNotASentinel = &configError{"VIGIA_REDIS_MODE", "is sentinel, but the Redis of VIGIA_REDIS_URL is not a sentinel (it does not know the SENTINEL command): point VIGIA_REDIS_URL's host (and each addr=) at the sentinels, naming the primary with master_name=, or unset VIGIA_REDIS_MODE (single is the default) to use this Redis alone"}

// notASentinel reports whether err is a Redis refusing sentinel mode's
// SENTINEL command as unknown (errNotASentinel): Redis and Valkey quote
// the command 'so', miniredis and older Redis `so`.
func notASentinel(err error) bool {
	return redis.HasErrorPrefix(err, "unknown command 'sentinel'") || redis.HasErrorPrefix(err, "unknown command `sentinel`")
}

// redisUnreachableHint says what to check when Redis cannot be reached at
// start-up, naming the variable: the error alone ("read keyset: dial tcp
// ADDR: connect: connection refused", or "context deadline exceeded" for
// rediss:// to a Redis that speaks no TLS) named none. Still exit 1: an
// outage may end, a restart may then succeed.
const redisUnreachableHint = "cannot reach the Redis of VIGIA_REDIS_URL, or it does not answer: check its host and port, that Redis is running, and that the URL is rediss:// if and only if that Redis speaks TLS"

// redisUnreachable reports whether err is Redis not reached or not
// answering: a connection refused or cut, a host that does not resolve, a
// TLS handshake with a Redis that speaks none, no answer in time.
func redisUnreachable(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// errUnknownPrimary is VIGIA_REDIS_MODE=sentinel with a master_name= the
// sentinels do not know (storage.ErrUnknownPrimary): a name that does not
// match theirs, not an outage. It stopped serve with exit 1 and "keep
// keyset: ... all sentinels ... unreachable: redis: nil", naming no
// variable, and reset-2fa with "this Redis holds no Vigía data".
var errUnknownPrimary = &configError{"VIGIA_REDIS_URL", "its sentinels monitor no primary of the name its master_name= gives: set master_name= to the name of their `sentinel monitor` line (SENTINEL MASTERS on a sentinel lists them)"}
