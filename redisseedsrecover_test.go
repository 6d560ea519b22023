package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// Nodes of VIGIA_REDIS_URL that take the connection and never answer,
// beside one node of a cluster that answers, are not asked while the
// cluster answers: once the first call had returned, go-redis asked
// every node of the URL, one after the other in a random order, for the
// slots (ForEachMaster, as the store's persistence check and its scans
// run, loads them each time) and for its commands (COMMAND, asked on
// every call until one node answers it, for 5 s each): a silent one
// spent the call's whole time, and ForEachMaster and calls failed while
// the cluster was up. Mutations checked: the gate holding the URL's
// nodes only until the first call returned (as in cd253b7) ->
// "ForEachMaster ... context deadline exceeded"; COMMAND not held ->
// "call ... context deadline exceeded".
func TestClusterClientDoesNotAskSilentNodesOfTheURLWhileTheClusterAnswers(t *testing.T) {
	cluster := redistest.StartCluster(t)
	url := "redis://" + silentAddr(t) + "?addr=" + freeAddr(t)
	for range 5 {
		url += "&addr=" + silentAddr(t)
	}
	rdb, err := liveClusterClient(context.Background(), url+"&addr="+cluster.Addrs[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	cc := rdb.(*redis.ClusterClient)
	// Each silent node first in go-redis's order some six times in ten:
	// a few rounds ask one nearly surely. The deadline is not a timing,
	// only far less than a silent node holds a call (until its deadline,
	// COMMAND 5 s).
	for i := range 8 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := cc.Set(ctx, "k", i, 0).Err(); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() }); err != nil {
			t.Errorf("ForEachMaster %d: %v", i, err)
		}
		cancel()
	}
}

// The node of VIGIA_REDIS_URL that answered first is held like the
// URL's other nodes once the cluster answered, if its answer does not
// name it: a node that left the cluster, or a name that led to a node
// and now leads to a host that takes connections and never answers. It
// was never held: go-redis asked it for the slots (in the minute after
// a start or a recovery, every node it ever knew; ForEachMaster, as the
// store's persistence check and its scans run, each time) and for its
// commands, and it spent each such call's whole time while the cluster
// answered. Here the URL's first node is a name leading to a node of the
// cluster (which names the node by its own address), then silenced.
// Mutation checked: held() exempting the first to answer always (as
// before) -> "ForEachMaster N: context deadline exceeded".
func TestClusterClientHoldsTheFirstNodeOfTheURLOnceTheClusterAnswers(t *testing.T) {
	cluster := redistest.StartCluster(t)
	name := forwarder(t)
	name.to(cluster.Addrs[0])
	ctx := context.Background()
	rdb, err := liveClusterClient(ctx, "redis://"+name.addr+"?addr="+silentAddr(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	cc := rdb.(*redis.ClusterClient)
	if err := cc.Set(ctx, "k", "before", 0).Err(); err != nil { // (the slots loaded through the name)
		t.Fatal(err)
	}
	name.silenced()
	// The name asked some one load in four (it and the cluster's three
	// nodes, the other node of the URL held): twenty rounds ask it
	// nearly surely. The deadline is not a timing, only far less than a
	// silent node holds a call (until its deadline, COMMAND 5 s).
	for i := range 20 {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if err := cc.Set(ctx, "k", i, 0).Err(); err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		if err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return c.Ping(ctx).Err() }); err != nil {
			t.Errorf("ForEachMaster %d: %v", i, err)
		}
		cancel()
	}
}

// A cluster restarted whole (its node at a new address, as a container
// rescheduled gets) is used again once a node of VIGIA_REDIS_URL leads
// to it, though not the one that answered first as the client was made:
// the client was given that one alone (and the nodes it learned from
// it), and kept failing, every call, while the URL's other name led to
// the cluster. Here the URL's nodes are names (forwarders, as a
// Service's or DNS's), the first leading to the node, the second to
// nothing as the client is made; after the outage the first leads to
// nothing and the second to the node; the client is then asked to load
// the slots again, as go-redis does every minute. Mutation checked: liveClusterClient
// giving go-redis the first to answer alone (opt.Addrs =
// []string{opt.Addrs[live]}, as before) -> "still failing after the
// cluster came back".
func TestClusterClientRecoversThroughAnotherNodeOfTheURL(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("VIGIA_REQUIRE_REDIS") == "1" {
			t.Fatal("VIGIA_REQUIRE_REDIS=1 but redis-server is not installed")
		}
		t.Skip("needs redis-server")
	}
	dir := t.TempDir()
	node := startClusterNode(t, bin, dir)
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: node.addr})
	if err := c.Do(ctx, "cluster", "addslotsrange", 0, 16383).Err(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	waitUntil(t, "cluster_state:ok", func() bool {
		info, _ := c.ClusterInfo(ctx).Result()
		return strings.Contains(info, "cluster_state:ok")
	})
	c.Close()

	first, second := forwarder(t), forwarder(t)
	first.to(node.addr)
	rdb, err := liveClusterClient(ctx, "redis://"+first.addr+"?dial_timeout=1s&addr="+second.addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "before", 0).Err(); err != nil {
		t.Fatalf("before the outage: %v", err)
	}

	node.stop()
	first.to("")
	if err := rdb.Set(ctx, "k", "during", 0).Err(); err == nil {
		t.Fatal("a call succeeded with the cluster down")
	}
	node = startClusterNode(t, bin, dir) // (its nodes.conf: the same node, its slots, a new port)
	second.to(node.addr)
	// go-redis loads the slots again every ClusterStateReloadInterval (a
	// minute): asked for here, not waited for.
	cc := rdb.(*redis.ClusterClient)
	waitUntil(t, "still failing after the cluster came back", func() bool {
		cc.ReloadState(ctx)
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		return cc.Set(cctx, "k", "after", 0).Err() == nil
	})
}

// clusterNode is a cluster-enabled redis-server of a test.
type clusterNode struct {
	addr string
	cmd  *exec.Cmd
}

func (n *clusterNode) stop() {
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
}

// startClusterNode starts a cluster-enabled redis-server on a free
// loopback port with its files in dir (its nodes.conf kept from a
// previous start there), and waits until it answers; stopped when t
// ends.
func startClusterNode(t *testing.T, bin, dir string) *clusterNode {
	t.Helper()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--dir", dir,
		"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-announce-ip", "127.0.0.1",
		"--appendonly", "yes", "--save", "", "--logfile", filepath.Join(dir, "redis-"+port+".log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &clusterNode{addr, cmd}
	t.Cleanup(n.stop)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	waitUntil(t, "the cluster node never answered", func() bool { return c.Ping(context.Background()).Err() == nil })
	return n
}

// waitUntil waits, at most 30 s, until ok; else fails t, saying why.
func waitUntil(t *testing.T, why string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(why)
		}
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// forwarderAddr is a loopback address whose connections are forwarded to
// the address last given to to ("": closed at once), as a name that
// leads to a node, or to none; or, silenced, taken and never answered.
type forwarderAddr struct {
	addr   string
	target atomic.Value // string
	// silence, set by silenced, holds each new connection unanswered,
	// and cuts those forwarded.
	silence func()
}

func (f *forwarderAddr) to(addr string) { f.target.Store(addr) }

// silenced makes f a name that leads to a host that takes connections
// and never answers (a node gone, its address blackholed): the
// connections forwarded are cut, and the new ones are held unanswered.
func (f *forwarderAddr) silenced() { f.silence() }

func forwarder(t *testing.T) *forwarderAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &forwarderAddr{addr: l.Addr().String()}
	f.to("")
	var mu sync.Mutex
	var conns []net.Conn
	silent := false
	f.silence = func() {
		mu.Lock()
		defer mu.Unlock()
		silent = true
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := l.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err != nil {
				continue
			}
			mu.Lock()
			if silent {
				conns = append(conns, in)
				mu.Unlock()
				continue
			}
			mu.Unlock()
			target := f.target.Load().(string)
			if target == "" {
				in.Close()
				continue
			}
			out, err := net.DialTimeout("tcp", target, time.Second)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(out, in); out.Close() }()
			go func() { defer wg.Done(); io.Copy(in, out); in.Close() }()
		}
	}()
	return f
}

// The gate reads the nodes an answer names as go-redis addresses them,
// and so never holds a node of VIGIA_REDIS_URL that go-redis asks as a
// node of the cluster: a cluster announcing 127.0.0.1, reached from
// another host (go-redis asks the answering node's host instead), and a
// TLS-only cluster announcing port 0 (go-redis asks the answering node's
// port). Read by their announced names, every node of the URL was held,
// the first to answer too: go-redis's loads of the slots, once they ask
// only the cluster's nodes (a minute after a start), were all refused,
// and the client never learned a failover. Before an answer only the
// first to answer is asked; after a failure, or an answer naming no
// node, every one. Mutation checked: slotAddr returning addr as it came
// -> "held" for both clusters' second nodes.
func TestSeedGateReadsTheNodesAsGoRedisAddressesThem(t *testing.T) {
	answer := func(g *seedGate, origin string, nodes ...string) {
		cmd := redis.NewClusterSlotsCmd(context.Background(), "cluster", "slots")
		var slots []redis.ClusterSlot
		for i, n := range nodes {
			slots = append(slots, redis.ClusterSlot{Start: i, End: i, Nodes: []redis.ClusterNode{{Addr: n}}})
		}
		cmd.SetVal(slots)
		g.answered(origin, cmd, nil)
	}
	g := &seedGate{first: "10.0.0.5:7000", seeds: []string{"10.0.0.5:7000", "10.0.0.5:7001", "redis.example:6379"}}
	if g.held("10.0.0.5:7000") || !g.held("10.0.0.5:7001") {
		t.Errorf("before an answer: the first held %v, another held %v; want only the first asked", g.held("10.0.0.5:7000"), g.held("10.0.0.5:7001"))
	}
	answer(g, "10.0.0.5:7000", "127.0.0.1:7000", "127.0.0.1:7001")
	for _, addr := range []string{"10.0.0.5:7000", "10.0.0.5:7001"} {
		if g.held(addr) {
			t.Errorf("a cluster announcing 127.0.0.1: %s, a node go-redis asks, held", addr)
		}
	}
	if !g.held("redis.example:6379") {
		t.Error("a node of the URL the cluster does not name is not held")
	}
	g.answered("10.0.0.5:7001", redis.NewClusterSlotsCmd(context.Background(), "cluster", "slots"), errors.New("i/o timeout"))
	if g.held("redis.example:6379") {
		t.Error("the cluster lost: a node of the URL still held")
	}
	answer(g, "10.0.0.5:7001", "127.0.0.1:7000", "127.0.0.1:7001")
	if !g.held("redis.example:6379") {
		t.Error("the cluster answering again: a node of the URL it does not name not held")
	}
	answer(g, "10.0.0.5:7001")
	if g.held("redis.example:6379") {
		t.Error("an answer naming no node: a node of the URL held")
	}

	tls := &seedGate{first: "10.0.0.6:6380", seeds: []string{"10.0.0.6:6380", "10.0.0.7:6380"}}
	answer(tls, "10.0.0.6:6380", "10.0.0.6:0", "10.0.0.7:0")
	if tls.held("10.0.0.7:6380") {
		t.Error("a TLS-only cluster announcing port 0: its second node, which go-redis asks, held")
	}
}
