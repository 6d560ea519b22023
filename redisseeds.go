package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
)

// askEach asks every address of addrs side by side (ask), for at most
// wait, and returns the index of the first to answer; or, none having
// answered, -1 and each one's reason, named by its place in
// VIGIA_REDIS_URL (seedName), in the URL's order. The asks still running
// when one answered are cancelled. ctx done (serve's start over, a
// signal), askEach returns at once, those not answered yet with ctx's
// error: go-redis's call waits out its deadline (wait), whatever a
// cancel, and stopping serve or the command waited for it (seedWait, 10
// s or more). Those calls end by that deadline.
func askEach(ctx context.Context, addrs []string, wait time.Duration, ask func(ctx context.Context, addr string) error) (int, []error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	type answer struct {
		i   int
		err error
	}
	answers := make(chan answer, len(addrs)) // room for all: none blocks once askEach returned
	for i, a := range addrs {
		go func() { answers <- answer{i, ask(ctx, a)} }()
	}
	errs := make([]error, len(addrs))
	for range addrs {
		var a answer
		select {
		case a = <-answers:
		case <-ctx.Done():
			for i, err := range errs {
				if err == nil {
					errs[i] = seedError(i, ctx.Err(), wait)
				}
			}
			return -1, errs
		}
		if a.err == nil {
			return a.i, nil
		}
		errs[a.i] = seedError(a.i, a.err, wait)
	}
	return -1, errs
}

// seedError is err, the reason of the address of place i in
// VIGIA_REDIS_URL (askEach, asked for at most wait), named by its place.
func seedError(i int, err error, wait time.Duration) error {
	reason := err.Error()
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		reason = "no answer in " + wait.String()
	}
	return &lineError{seedName(i) + ": " + reason, err}
}

// seedName names the address of place i in VIGIA_REDIS_URL: its host,
// then each addr= (the first is addr= 1). A place, not the address: a
// log line withholds addresses.
func seedName(i int) string {
	if i == 0 {
		return "its host"
	}
	return "addr= " + strconv.Itoa(i)
}

// seedsError is no address of VIGIA_REDIS_URL answering (askEach): every
// reason on one line, each still wrapped (a refused connection is a
// net.Error: redisUnreachable).
type seedsError []error

func (e seedsError) Error() string   { return oneLine(errors.Join(e...)) }
func (e seedsError) Unwrap() []error { return e }

// seedWait is how long askEach waits for the first answer: the dial
// timeout (dial_timeout=, 5 s unless set) and openWait, as
// firstAnswerWait.
func seedWait(dialTimeout time.Duration) time.Duration {
	return cmp.Or(dialTimeout, 5*time.Second) + openWait
}

// serveRedisClient is serve's client of VIGIA_REDIS_URL (redisClient);
// in cluster mode on the URL's nodes that answer (liveClusterClient),
// else go-redis asked them one after the other and a silent one spent
// the start's whole time. Its error is serve's (redisStartError): none
// answering stops serve (exit 1) with each node's reason, a refusal that
// is not an outage (not a cluster node, a wrong password) with exit 2.
func serveRedisClient(ctx context.Context, cfg Config) (redis.UniversalClient, error) {
	if cfg.RedisMode != "cluster" {
		return redisClient(cfg.RedisURL, cfg.RedisMode)
	}
	rdb, err := liveClusterClient(ctx, cfg.RedisURL, 0)
	if err != nil {
		return nil, redisStartError(cfg.RedisMode, err)
	}
	return rdb, nil
}

// sentinelsOutage is err, serve's start stopped on, in sentinel mode
// out of time (go-redis retrying sentinels that did not name the
// primary, or a primary they named that did not answer): its reason was
// "read keyset: context deadline exceeded", which named nothing. The
// sentinels are asked once more (askSentinels): none naming the primary,
// the error is why, each sentinel's reason by its place in
// VIGIA_REDIS_URL (redisStartError); one naming it, the primary it names
// is asked (primaryUnanswered), and its reason is why. The primary
// answering now, err is left as it is.
func sentinelsOutage(ctx context.Context, cfg Config, err error) error {
	if cfg.RedisMode != "sentinel" || !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return err
	}
	opt, perr := redis.ParseFailoverURL(cfg.RedisURL)
	if perr != nil {
		return err // (loadConfig parsed it)
	}
	// One seedWait for the sentinels and the primary they name, the
	// start's bound (sentinelStartBound); each had its own.
	ctx, cancel := context.WithTimeout(ctx, seedWait(opt.DialTimeout))
	defer cancel()
	live, primary, errs := askSentinels(ctx, opt)
	if live < 0 {
		return redisStartError(cfg.RedisMode, sentinelsVerdict(errs))
	}
	if primary == "" {
		return err // (no address: go-redis would dial its default, localhost:6379)
	}
	if why := primaryUnanswered(ctx, opt, primary); why != nil && redisUnreachable(why) {
		return redisStartError(cfg.RedisMode, why)
	}
	return err
}

// primaryUnanswered asks the primary at addr (a sentinel of opt named it)
// once, PING, for at most seedWait (less if ctx ends sooner): nil if it answers, else why not, as
// one reason naming the primary (not its address: a log line withholds
// addresses).
func primaryUnanswered(ctx context.Context, opt *redis.FailoverOptions, addr string) error {
	wait := seedWait(opt.DialTimeout)
	if d, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(d).Round(time.Second))
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: addr, Username: opt.Username, Password: opt.Password, DB: opt.DB,
		TLSConfig: opt.TLSConfig, Dialer: opt.Dialer, DialTimeout: opt.DialTimeout, Protocol: 2, ContextTimeoutEnabled: true,
		ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, DialerRetries: 1, PoolSize: 1})
	defer c.Close()
	err := c.Ping(ctx).Err()
	if err == nil {
		return nil
	}
	reason := err.Error()
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		reason = "no answer in " + wait.String()
	}
	return &lineError{"the sentinels name the primary, which does not answer: " + reason, err}
}

// liveClusterClient is the cluster-mode client of an operator's command
// (rotate-key, reset-2fa) and of serve on the nodes of VIGIA_REDIS_URL
// that answer. go-redis asks the URL's nodes for the cluster's slots one
// after the other, in a random order, each for as long as the first
// call's deadline allows: a node that took the connection and never
// answered (or a host that dropped it) spent that call's whole time
// (firstAnswerWait, 10 s), and the command exited 1 while the other
// nodes answered. Here every node is asked side by side (CLUSTER SLOTS,
// as go-redis asks), once, for at most seedWait; go-redis asks the
// first to answer for the slots, from which it learns the others. If
// none answers: a node's refusal that is not an outage (not a cluster
// node, a wrong password) as it came, for openStore's diagnosis; else
// seedsError.
//
// The client keeps every node of the URL: go-redis asks them all again
// once the cluster is lost (a whole cluster restarted, its nodes at new
// addresses that the URL's names lead to); while it answers, those that
// are not its nodes are held (seedGate). Given only the first to
// answer, the client recovered from such an outage only if that one
// name led to a node again.
func liveClusterClient(ctx context.Context, url string, wait time.Duration) (redis.UniversalClient, error) {
	opt, err := clusterOptions(url, wait)
	if err != nil {
		return nil, err
	}
	// The asks read a copy: those still running when one answered go on
	// until cancelled, while NewClusterClient below writes to opt (init).
	node := redis.Options{Username: opt.Username, Password: opt.Password, ClientName: opt.ClientName,
		TLSConfig: opt.TLSConfig, Dialer: opt.Dialer, DialTimeout: opt.DialTimeout, Protocol: 2, ContextTimeoutEnabled: true,
		ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, DialerRetries: 1, PoolSize: 1}
	live, errs := askEach(ctx, opt.Addrs, seedWait(opt.DialTimeout), func(ctx context.Context, addr string) error {
		o := node
		o.Addr = addr
		c := redis.NewClient(&o)
		defer c.Close()
		return c.Do(ctx, "cluster", "slots").Err() // as go-redis asks (ClusterSlots, deprecated in its API, not in Redis)
	})
	if live < 0 {
		for _, err := range errs {
			if !redisUnreachable(err) {
				return nil, storage.RefusedSettings(errors.Unwrap(err))
			}
		}
		return nil, seedsError(errs)
	}
	gate := &seedGate{first: opt.Addrs[live], seeds: slices.Clone(opt.Addrs)} // (go-redis appends the nodes it learns to opt.Addrs's array)
	rdb := redis.NewClusterClient(opt)
	rdb.OnNewNode(func(c *redis.Client) {
		c.AddHook(gateHook{gate, c.Options().Addr})
		c.AddHook(followFailover{rdb})
	})
	return rdb, nil
}

// seedGate keeps go-redis's asks of the cluster's slots, and of its
// commands (COMMAND, asked of three nodes at random), away from the
// nodes of VIGIA_REDIS_URL that are not nodes of the cluster, while the
// cluster answers: go-redis asks its nodes one after the other, in a
// random order, for as long as the call's deadline allows, and a silent
// node of the URL spent the whole of it. Until a node answered, only the
// first to answer liveClusterClient's ask is asked; once one did, a node
// of the URL that the last answer does not name is held, the first to
// answer too (a node that left the cluster, a name that led to it and
// leads nowhere now: asked while the cluster answers, it spent calls'
// time as the others did). The held refuse at once (errSeedHeld) unless
// the last ask of the slots to a node failed, or named no node (the
// cluster lost): then every node of the URL is asked, as go-redis asks
// them, until one answers. A node of the URL that the slots name is a
// node of the cluster, never held.
type seedGate struct {
	first string   // the node of the URL that answered first
	seeds []string // the URL's nodes
	lost  atomic.Bool

	mu    sync.Mutex
	named map[string]bool // the nodes the slots named in the last answer (nil: none answered yet)
}

// errSeedHeld is a node of VIGIA_REDIS_URL not asked (seedGate).
var errSeedHeld = errors.New("not asked: a node of VIGIA_REDIS_URL held while the cluster's nodes answer")

// held reports whether the node at addr is held (seedGate).
func (g *seedGate) held(addr string) bool {
	if g.lost.Load() || !slices.Contains(g.seeds, addr) {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.named == nil {
		return addr != g.first
	}
	return !g.named[addr]
}

// answered records the answer to CLUSTER SLOTS (cmd) of the node at
// origin, or its failure. The nodes it names are addressed as go-redis
// addresses them (slotAddr): those are the addresses it asks.
func (g *seedGate) answered(origin string, cmd redis.Cmder, err error) {
	slots, ok := cmd.(*redis.ClusterSlotsCmd)
	if err != nil || !ok {
		g.lost.Store(true)
		return
	}
	named := map[string]bool{}
	for _, s := range slots.Val() {
		for _, n := range s.Nodes {
			named[slotAddr(n.Addr, origin)] = true
		}
	}
	if len(named) == 0 {
		// A node that serves no slot (reset, or not yet given any):
		// no cluster to hold the URL's nodes for.
		g.lost.Store(true)
		return
	}
	g.mu.Lock()
	g.named = named
	g.mu.Unlock()
	g.lost.Store(false)
}

// slotAddr is the address go-redis gives the node that CLUSTER SLOTS,
// asked of the node at origin, names addr (its newClusterState): a
// loopback host is origin's host where origin's is not loopback (a
// cluster announcing 127.0.0.1, reached from another host), and port 0
// origin's port (a TLS-only cluster). Held by that name's answer, a node
// of the URL go-redis asks by the other was never asked.
func slotAddr(addr, origin string) string {
	originHost, originPort, _ := net.SplitHostPort(origin)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if !loopbackHost(originHost) {
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			host = originHost
		}
	}
	if port == "0" && originPort != "" && originPort != "0" {
		port = originPort
	}
	return net.JoinHostPort(host, port)
}

// loopbackHost reports whether host is a loopback address or name, as
// go-redis reads one (its isLoopback): localhost, a *.docker.internal.
func loopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	host = strings.ToLower(host)
	return host == "localhost" || strings.HasSuffix(host, ".docker.internal")
}

// gateHook is seedGate's hook on the client of the node at addr.
type gateHook struct {
	gate *seedGate
	addr string
}

// DialHook leaves dials as they are.
func (h gateHook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook refuses CLUSTER SLOTS and COMMAND on a held node, and
// records the others' answers to CLUSTER SLOTS.
func (h gateHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		slots := clusterSlotsCmd(cmd)
		if !slots && (cmd.Name() != "command" || len(cmd.Args()) != 1) {
			return next(ctx, cmd)
		}
		if h.gate.held(h.addr) {
			cmd.SetErr(errSeedHeld)
			return errSeedHeld
		}
		err := next(ctx, cmd)
		if slots {
			h.gate.answered(h.addr, cmd, err)
		}
		return err
	}
}

// ProcessPipelineHook leaves pipelines as they are (go-redis asks for
// the slots and the commands with calls of their own).
func (h gateHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// clusterSlotsCmd reports whether cmd is CLUSTER SLOTS.
func clusterSlotsCmd(cmd redis.Cmder) bool {
	args := cmd.Args()
	if len(args) != 2 || cmd.Name() != "cluster" {
		return false
	}
	sub, ok := args[1].(string)
	return ok && strings.EqualFold(sub, "slots")
}

// errMonitorsNone is a sentinel's nil answer to the primary's name
// (askSentinels).
var errMonitorsNone = errors.New("monitors no primary of the name master_name= gives (a wrong name, or a sentinel that forgot the primary)")

// askSentinels asks each sentinel of opt for the primary side by side
// (askEach), once: the index of the first to name it and the primary's
// address it named, or -1 and each one's reason, errMonitorsNone for a
// nil answer.
func askSentinels(ctx context.Context, opt *redis.FailoverOptions) (int, string, []error) {
	// The asks read copies: those still running when one answered go on
	// until cancelled, while the caller may hand opt to go-redis.
	sentinel := redis.Options{Username: opt.SentinelUsername, Password: opt.SentinelPassword,
		TLSConfig: opt.TLSConfig, Dialer: opt.Dialer, DialTimeout: opt.DialTimeout, Protocol: 2, ContextTimeoutEnabled: true,
		ReadTimeout: -1, WriteTimeout: -1, MaxRetries: -1, DialerRetries: 1, PoolSize: 1}
	master := opt.MasterName
	// The asks still running after one answered go on writing: named is
	// read under mu.
	var mu sync.Mutex
	named := map[string]string{}
	live, errs := askEach(ctx, opt.SentinelAddrs, seedWait(opt.DialTimeout), func(ctx context.Context, addr string) error {
		o := sentinel
		o.Addr = addr
		c := redis.NewSentinelClient(&o)
		defer c.Close()
		hostPort, err := c.GetMasterAddrByName(ctx, master).Result()
		if errors.Is(err, redis.Nil) {
			return errMonitorsNone
		}
		if err == nil && len(hostPort) == 2 {
			mu.Lock()
			named[addr] = net.JoinHostPort(hostPort[0], hostPort[1])
			mu.Unlock()
		}
		return err
	})
	if live < 0 {
		return -1, "", errs
	}
	mu.Lock()
	defer mu.Unlock()
	return live, named[opt.SentinelAddrs[live]], nil
}

// sentinelsNamePrimary is, for an operator's command in sentinel mode,
// nil if a sentinel of VIGIA_REDIS_URL names the primary (askSentinels);
// else why none does, at once, for openStore's diagnosis: each answering
// that it monitors no such primary is storage.ErrUnknownPrimary (a wrong
// master_name=, exit 2); a refusal that is not an outage (not a
// sentinel, a wrong password) as it came; else seedsError, each one's
// reason (exit 1: some down, the others forgot the primary or not). The
// command's own client waited for go-redis's retries to run out
// (firstAnswerWait), and said "context deadline exceeded".
func sentinelsNamePrimary(ctx context.Context, url string) error {
	opt, err := redis.ParseFailoverURL(url)
	if err != nil {
		return nil // (redisClientWaiting says so)
	}
	live, _, errs := askSentinels(ctx, opt)
	if live >= 0 {
		return nil
	}
	return sentinelsVerdict(errs)
}

// sentinelsVerdict is why no sentinel named the primary, each one's
// reason errs (askSentinels): each answering that it monitors no such
// primary is storage.ErrUnknownPrimary (a wrong master_name=, exit 2); a
// refusal that is not an outage (not a sentinel, a wrong password) as it
// came; else seedsError, each one's reason (exit 1: some down, the others
// forgot the primary or not).
func sentinelsVerdict(errs []error) error {
	none := 0
	for _, err := range errs {
		switch {
		case errors.Is(err, errMonitorsNone):
			none++
		case !redisUnreachable(err):
			return storage.RefusedSettings(errors.Unwrap(err))
		}
	}
	if none == len(errs) {
		return fmt.Errorf("%w (%s)", storage.ErrUnknownPrimary, seedsError(errs).Error())
	}
	return seedsError(errs)
}

// watchSentinels, in sentinel mode, asks each sentinel of VIGIA_REDIS_URL
// for the primary (askSentinels) while serve starts, and logs at once if
// none names it for a reason that may pass (sentinelsVerdict: an
// outage, not a configuration error, which stops the start with exit 2):
// serve's start waits for them (its check's initTimeout, refusedAtOnce)
// before it says anything, go-redis retrying. The start goes on as
// before: a sentinel back within that time is used, and one still down
// then stops serve (exit 1, unreachableError). stop ends the ask, and no line is
// logged after it.
func watchSentinels(ctx context.Context, cfg Config, log *slog.Logger) (stop func()) {
	if cfg.RedisMode != "sentinel" {
		return func() {}
	}
	opt, err := redis.ParseFailoverURL(cfg.RedisURL)
	if err != nil {
		return func() {} // (loadConfig parsed it)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		live, _, errs := askSentinels(ctx, opt)
		if live >= 0 || ctx.Err() != nil {
			return
		}
		if _, outage := sentinelsVerdict(errs).(seedsError); !outage {
			// A configuration error (a wrong master_name=, a sentinel's
			// password, not a sentinel): the start stops on it with exit
			// 2, its own line saying why; retrying would not fix it.
			return
		}
		log.Warn("redis: no sentinel of VIGIA_REDIS_URL (its host and each addr=) names the primary of master_name=: check their hosts and ports, that the sentinels and the primary are running, and master_name=; start-up keeps trying for "+initTimeout.String()+", and stops within "+sentinelStartBound(opt.DialTimeout).String()+" if none does",
			"reason", seedsError(errs).Error())
	}()
	return func() {
		cancel()
		<-done
	}
}

// sentinelOptions is VIGIA_REDIS_URL's sentinel client options
// (redisClient), calls waiting for an answer at least wait.
func sentinelOptions(url string, wait time.Duration) (*redis.FailoverOptions, error) {
	opt, err := redis.ParseFailoverURL(url)
	if err != nil {
		return nil, &configError{"VIGIA_REDIS_URL", "is not a valid sentinel URL"}
	}
	if !redisPoolSizesOK(opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns, opt.PipelinePoolSize) {
		return nil, errRedisPoolSizes
	}
	if opt.DialTimeout < 0 {
		return nil, errRedisDialTimeout
	}
	opt.Protocol = 2
	opt.ContextTimeoutEnabled = true // see redisClientWaiting
	opt.ReadTimeout = max(opt.ReadTimeout, wait)
	if opt.TLSConfig != nil {
		opt.Dialer = tlsDialer(opt.TLSConfig, opt.DialTimeout) // see redisClientWaiting
	}
	return opt, nil
}

// clusterOptions is VIGIA_REDIS_URL's cluster client options (redisClient),
// calls waiting for an answer at least wait.
func clusterOptions(url string, wait time.Duration) (*redis.ClusterOptions, error) {
	opt, err := redis.ParseClusterURL(url)
	if err != nil {
		return nil, &configError{"VIGIA_REDIS_URL", "is not a valid cluster URL"}
	}
	if !redisPoolSizesOK(opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns, opt.PipelinePoolSize) {
		return nil, errRedisPoolSizes
	}
	if opt.DialTimeout < 0 {
		return nil, errRedisDialTimeout
	}
	opt.Protocol = 2
	opt.ContextTimeoutEnabled = true // see redisClientWaiting
	opt.ReadTimeout = max(opt.ReadTimeout, wait)
	if opt.TLSConfig != nil {
		opt.Dialer = tlsDialer(opt.TLSConfig, opt.DialTimeout) // see redisClientWaiting
	}
	return opt, nil
}
