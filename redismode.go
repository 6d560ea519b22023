package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
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

// errSingleOnACluster is VIGIA_REDIS_MODE single (the default) on a node
// of a Redis Cluster: it answers MOVED for the keys other nodes serve, and
// serve and the operator's commands stopped with exit 1 and Redis's bare
// "MOVED 1234 host:port", naming no variable.
var errSingleOnACluster = &configError{"VIGIA_REDIS_MODE", "is single (the default), but the Redis of VIGIA_REDIS_URL is a node of a Redis Cluster (it answered MOVED, sending Vigía's keys to another node): set VIGIA_REDIS_MODE=cluster (the other nodes as &addr=host:port in VIGIA_REDIS_URL)"}

// errSingleOnASentinel is VIGIA_REDIS_MODE single (the default) on a
// sentinel: it refuses every data command as unknown ("ERR unknown
// command 'type'"), which serve and the operator's commands printed with
// exit 1, naming no variable.
var errSingleOnASentinel = &configError{"VIGIA_REDIS_MODE", "is single (the default), but the Redis of VIGIA_REDIS_URL is a sentinel (it refuses data commands as unknown): set VIGIA_REDIS_MODE=sentinel and name the primary with ?master_name= in VIGIA_REDIS_URL (the name of the sentinels' `sentinel monitor` line), or point VIGIA_REDIS_URL at the primary itself"}

// errClusterOnASentinel is VIGIA_REDIS_MODE=cluster on a sentinel: cluster
// mode's first call (CLUSTER SLOTS) is refused as an unknown command.
var errClusterOnASentinel = &configError{"VIGIA_REDIS_MODE", "is cluster, but the Redis of VIGIA_REDIS_URL is a sentinel (it does not know the CLUSTER command): set VIGIA_REDIS_MODE=sentinel and name the primary with master_name=, or point VIGIA_REDIS_URL at a node of the cluster"}

// redisModeMismatch returns the configuration error that err, Redis's
// answer at start-up in mode (VIGIA_REDIS_MODE), stands for where it says
// that the server is not of the kind mode expects, a master_name= the
// sentinels do not know included; else nil. Checked before anything is
// written, or before anything but what the node it answered for holds.
func redisModeMismatch(mode string, err error) error {
	switch {
	case notACluster(err):
		return errNotACluster
	case notASentinel(err):
		return errNotASentinel
	case errors.Is(err, storage.ErrUnknownPrimary):
		return errUnknownPrimary
	case mode == "single" && (redis.HasErrorPrefix(err, "MOVED ") || redis.HasErrorPrefix(err, "ASK ")):
		return errSingleOnACluster
	case mode == "single" && (unknownCommand(err, "type") || unknownCommand(err, "select")):
		return errSingleOnASentinel
	case mode == "cluster" && unknownCommand(err, "cluster"):
		return errClusterOnASentinel
	}
	return nil
}

// unknownCommand reports whether err is Redis refusing the command name
// as unknown, as a sentinel refuses the keyset's first read (TYPE), or
// SELECT for a database number: not any command, as an older Redis may
// not know a later one Vigía uses, and is no sentinel for it.
func unknownCommand(err error, name string) bool {
	return redis.HasErrorPrefix(err, "unknown command '"+name+"'") || redis.HasErrorPrefix(err, "unknown command `"+name+"`")
}

// redisUnreachableHint says what to check when Redis cannot be reached at
// start-up, naming the variable: the error alone ("read keyset: dial tcp
// ADDR: connect: connection refused", or "context deadline exceeded" for
// rediss:// to a Redis that speaks no TLS) named none. Still exit 1: an
// outage may end, a restart may then succeed.
const redisUnreachableHint = "cannot reach the Redis of VIGIA_REDIS_URL, or it does not answer: check its host and port, that Redis is running, and that the URL is rediss:// if and only if that Redis speaks TLS"

// sentinelsUnreachableHint is redisUnreachableHint in sentinel mode,
// where the URL names the sentinels, which name the primary.
const sentinelsUnreachableHint = "cannot reach the sentinels of VIGIA_REDIS_URL (its host and each addr=) or the primary they name, or they do not answer: check their hosts and ports, that the sentinels and the primary are running, and that the URL is rediss:// if and only if they speak TLS"

// clusterUnreachableHint is redisUnreachableHint in cluster mode, where
// the URL's host and each addr= are nodes of the cluster, any one of
// which names the others.
const clusterUnreachableHint = "cannot reach any node of the cluster of VIGIA_REDIS_URL (its host and each addr=), or none answers: check their hosts and ports, that the nodes are running, and that the URL is rediss:// if and only if they speak TLS"

// unreachableError is err, Redis not reached at start-up in mode, as one
// line: the hint naming the variable, then err's reason, whose lines
// (one per sentinel or node where several are down) are joined with "; ".
func unreachableError(mode string, err error) error {
	hint := redisUnreachableHint
	switch mode {
	case "sentinel":
		hint = sentinelsUnreachableHint
	case "cluster":
		hint = clusterUnreachableHint
	}
	return &lineError{"redis: " + hint + " (" + oneLine(err) + ")", err}
}

// redisStartError is err, Redis's answer as serve starts in mode, as serve
// stops on it: a configuration error naming its variable (exit 2) where
// Redis refused what the configuration asked (the secret, the settings,
// the prefix, a mode that does not match the server); unreachableError
// where Redis was not reached (exit 1: an outage may end); else err.
func redisStartError(mode string, err error) error {
	var ce *configError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, storage.ErrWrongSecret):
		// A configuration mistake, as rotate-key and reset-2fa say
		// (openStore): exit 2 naming the variable, not a Redis failure.
		return &configError{"VIGIA_SECRET", err.Error()}
	case errors.Is(err, storage.ErrRedisSettings):
		return &configError{"VIGIA_REDIS_URL", err.Error()} // (Redis's reason holds no secret)
	case errors.Is(err, storage.ErrForeignKeys):
		return &configError{"VIGIA_REDIS_PREFIX", err.Error()}
	}
	if cerr := redisModeMismatch(mode, err); cerr != nil {
		return cerr
	}
	if redisUnreachable(err) {
		return unreachableError(mode, err)
	}
	return fmt.Errorf("redis: %w", err)
}

// lineError is an error's text rewritten, the error still wrapped.
type lineError struct {
	text string
	err  error
}

func (e *lineError) Error() string { return e.text }
func (e *lineError) Unwrap() error { return e.err }

// openWait bounds an operator's command's first call to Redis (rotate-key,
// reset-2fa): in sentinel mode it asks each sentinel for the primary,
// every ask waiting out the read timeout (rotate-key's a minute) and its
// retries, and sentinels that did not answer kept reset-2fa waiting 73 s
// or more, rotate-key longer. The sentinels are asked side by side; the
// call has this long after the dial timeout (firstAnswerWait).
var openWait = 5 * time.Second

// firstAnswerWait is how long openStore waits for Redis's first answer:
// the client's dial timeout (5 s unless the URL's dial_timeout= sets it),
// then openWait. go-redis waits for every sentinel it asks, one that takes
// the connection and never answers until its dial timeout, before it dials
// the primary another sentinel named: bounded by openWait (5 s) alone, the
// call ran out just as that address came, and rotate-key and reset-2fa
// exited 1 ("cannot reach the sentinels") while the primary and the other
// sentinels answered.
func firstAnswerWait(rdb redis.UniversalClient) time.Duration {
	switch c := rdb.(type) {
	case *redis.Client:
		return c.Options().DialTimeout + openWait
	case *redis.ClusterClient:
		return c.Options().DialTimeout + openWait
	}
	return openWait
}

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

// sentinelNil is a hook on the sentinel-mode client: a sentinel's nil
// answer to the primary's name (it monitors none of that name: a wrong
// master_name=, or sentinels that forgot the primary after a restart
// without their configuration or a SENTINEL REMOVE) comes back from every
// call needing a new connection wrapped in go-redis's "all sentinels
// specified in configuration are unreachable: redis: nil", and
// errors.Is(err, redis.Nil), storage's test for a missing key or field,
// held for it: a tip was "not found", a pipeline's failure read as keys
// absent. The hook makes it storage.ErrUnknownPrimary, which is not
// redis.Nil, with go-redis's reason on one line.
//
// A sentinel refusing the connection's settings (NOAUTH, WRONGPASS: a
// password set on it or changed while serve runs) is a redis.Error
// inside the dial's error, and go-redis reads a pipeline's error that
// is one as each command's own reply: it gives none of them the error,
// and a pipeline whose result was read from its commands (a reporter's
// message added to their draft) found no error and no reply ("unexpected
// reply <nil>"), told the reporter their message may not be saved, and
// spooled nothing. The hook makes it storage.ErrRedisSettings, which is
// no redis.Error, with the sentinels' reasons on one line: an outage
// while serving (commands.StorageDown), a configuration error at
// start-up (exit 2 naming VIGIA_REDIS_URL), as before.
type sentinelNil struct{}

// DialHook turns a dial's wrapped redis.Nil into storage.ErrUnknownPrimary,
// and a sentinel's refusal of the settings into storage.ErrRedisSettings.
func (sentinelNil) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil && errors.Is(err, redis.Nil) {
			if down := sentinelsDown(err); len(down) > 0 {
				return nil, &lineError{errForgotOrDown + oneLine(errors.Join(down...)), errors.Join(down...)}
			}
			return nil, fmt.Errorf("%w (%s)", storage.ErrUnknownPrimary, oneLine(err))
		}
		if err != nil && errors.Is(storage.RefusedSettings(err), storage.ErrRedisSettings) {
			return nil, fmt.Errorf("%w (%s)", storage.ErrRedisSettings, oneLine(err))
		}
		return conn, err
	}
}

// errForgotOrDown begins the reason of sentinels that answered that they
// monitor no primary of the name asked while the others did not answer:
// the name may be wrong, or those that answered forgot the primary (a
// restart without their configuration) and the others know it. Not
// storage.ErrUnknownPrimary, a configuration error that stopped start-up
// with exit 2, telling the operator to fix master_name=: an outage, as
// the sentinels down are (exit 1 at start-up, unreachableError; tips
// spooled while serving), the reasons of those down wrapped.
const errForgotOrDown = "the sentinels that answered monitor no primary of the name master_name= gives (a wrong name, or sentinels that forgot the primary: restarted without their configuration), and the others do not answer: "

// sentinelsDown is, in go-redis's error for a primary no sentinel named
// (one error each, errors.Join), those of the sentinels that did not
// answer that they know no such primary (redis.Nil).
func sentinelsDown(err error) []error {
	for ; err != nil; err = errors.Unwrap(err) {
		if each, ok := err.(interface{ Unwrap() []error }); ok {
			var down []error
			for _, e := range each.Unwrap() {
				if !errors.Is(e, redis.Nil) {
					down = append(down, e)
				}
			}
			return down
		}
	}
	return nil
}

// ProcessHook leaves calls as they are.
func (sentinelNil) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

// ProcessPipelineHook leaves pipelines as they are.
func (sentinelNil) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// unstampedRefusal is a hook on the single and sentinel clients (a
// cluster's client already does this): a new connection Redis refuses as
// it is set up (WRONGPASS: the password changed while serve runs; NOAUTH;
// a database number out of range) fails a pipeline with a redis.Error,
// and go-redis gives such an error to none of the pipeline's commands,
// reading it as one of their own replies. A pipeline read from its
// commands (a reporter's message added to their draft) then found no
// error and no reply ("unexpected reply <nil>"): the reporter was told
// their message may not be saved, and nothing was spooled (rule 2). The
// hook gives that error to each command when none holds an error, so
// the caller sees Redis's refusal (commands.StorageDown: an outage).
// A transaction that WATCH aborted (redis.TxFailedErr) is left as it is.
type unstampedRefusal struct{}

// DialHook leaves dials as they are.
func (unstampedRefusal) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook leaves calls as they are: a call's error is its own.
func (unstampedRefusal) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

// ProcessPipelineHook gives a pipeline's redis.Error that no command
// holds to each of its commands.
func (unstampedRefusal) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		var rerr redis.Error
		if err == nil || !errors.As(err, &rerr) || errors.Is(err, redis.TxFailedErr) {
			return err
		}
		for _, c := range cmds {
			if c.Err() != nil {
				return err
			}
		}
		for _, c := range cmds {
			c.SetErr(err)
		}
		return err
	}
}

// oneLine is err's text on one line: go-redis joins each sentinel's
// error with a newline.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
