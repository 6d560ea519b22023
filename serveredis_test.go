package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// runServe runs serve with e until it stops, or, if serving is true,
// until it logs "vigia serving" (then it is stopped): its exit status
// and its log. A minute without either fails t (not a timing, only no
// hanging).
func runServe(t *testing.T, e map[string]string, serving bool) (int, string) {
	t.Helper()
	lines := &logLines{c: make(chan map[string]any, 1000)}
	var errb bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, teeWriter{&errb, lines})
	}()
	deadline := time.After(time.Minute)
	for {
		select {
		case l := <-lines.c:
			if serving && l["msg"] == "vigia serving" {
				cancel()
				return <-done, errb.String()
			}
		case code := <-done:
			return code, errb.String()
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("serve neither stopped nor served in a minute: %q", errb.String())
		}
	}
}

// countingBotAPI is a Bot API that answers every call as Telegram
// answers getMe for a valid token, counting the calls: for the tests of a
// start that must stop before it asks the platforms. Its URL is closed
// when t ends.
func countingBotAPI(t *testing.T) (url string, asked *atomic.Int32) {
	asked = new(atomic.Int32)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
	}))
	t.Cleanup(api.Close)
	return api.URL, asked
}

// teeWriter writes to a buffer and to logLines.
type teeWriter struct {
	b *bytes.Buffer
	l *logLines
}

func (w teeWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	w.b.Write(p)
	w.l.mu.Unlock()
	return w.l.Write(p)
}

// serve in cluster mode asks VIGIA_REDIS_URL's nodes side by side, as
// rotate-key and reset-2fa do (liveClusterClient), and starts on one
// that answers beside nodes that take the connection and never answer:
// go-redis asked them one after the other in a random order, and a
// silent one spent the start's whole time (serve stopped with exit 1
// while the cluster was up, unless the live node came first: here one
// chance in nine).
func TestServeUsesTheClusterNodesThatAnswer(t *testing.T) {
	cluster := redistest.StartCluster(t)
	defer func(d time.Duration) { initTimeout = d }(initTimeout)
	initTimeout = 5 * time.Second // (each silent node's call waits it out)
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "cluster"
	redisModeEnv(t, e)
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	url := "redis://" + silentAddr(t) + "?dial_timeout=1s&read_timeout=1m&addr=" + freeAddr(t)
	for range 7 {
		url += "&addr=" + silentAddr(t)
	}
	e["VIGIA_REDIS_URL"] = url + "&addr=" + cluster.Addrs[1]
	if code, log := runServe(t, e, true); code != 0 || !strings.Contains(log, `"msg":"vigia serving"`) {
		t.Fatalf("serve on one node of ten answering: exit %d, %q", code, log)
	}
}

// No node of VIGIA_REDIS_URL answering in cluster mode stops serve (exit
// 1) with the cluster's line naming each node's reason by its place in
// the URL, as rotate-key's and reset-2fa's (TestNoClusterNodeAnsweringIsOneLine).
func TestServeWithNoClusterNodeAnsweringSaysWhy(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "cluster"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = "redis://" + silentAddr(t) + "?dial_timeout=1s&addr=" + freeAddr(t)
	serveStopsOnSeeds(t, e, clusterUnreachableHint+" (its host: no answer in 6s; addr= 1: ")
}

// serveStopsOnSeeds runs serve on e, whose VIGIA_REDIS_URL names a silent
// node or sentinel, then one refusing the connection, and fails t unless
// serve stops with exit 1, its last line saying why from want on (the
// hint, each seed's reason by its place) with no "deadline exceeded"
// naming nothing. It returns serve's log.
func serveStopsOnSeeds(t *testing.T, e map[string]string, want string) string {
	t.Helper()
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+want) || !strings.Contains(last, "connection refused") || strings.Contains(last, "deadline exceeded") {
		t.Errorf("exit %d, %q", code, log)
	}
	return log
}

// Every sentinel silent or down until serve's start runs out of time:
// its last line names each sentinel's reason by its place in
// VIGIA_REDIS_URL, where it said "read keyset: context deadline
// exceeded", naming nothing; and no password of the URL.
func TestServeStoppedBySilentSentinelsSaysWhichDidNotAnswer(t *testing.T) {
	defer func(d, w time.Duration) { initTimeout, openWait = d, w }(initTimeout, openWait)
	initTimeout, openWait = 2*time.Second, time.Second
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = "redis://:s3cretPW@" + silentAddr(t) + "?master_name=mymaster&dial_timeout=1s&addr=" + freeAddr(t)
	if log := serveStopsOnSeeds(t, e, sentinelsUnreachableHint+" (its host: no answer in 2s; addr= 1: "); strings.Contains(log, "s3cretPW") {
		t.Errorf("the password in serve's log: %q", log)
	}
}

// A Redis that refuses the connection (single mode, nothing listening
// at the URL's port, go-redis's retries left as they are) stops serve at
// once, before it asks Telegram for the token: it asked getMe, then
// waited out the retries of Init's calls before it said so.
func TestServeSaysAtOnceThatRedisRefusesTheConnection(t *testing.T) {
	api, asked := countingBotAPI(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://" + freeAddr(t) + "/0"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", api
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (") || !strings.Contains(last, "connection refused") {
		t.Errorf("exit %d, %q", code, log)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the Bot API was asked %d times before serve said Redis refuses the connection", n)
	}
}

// A single Redis that takes the connection and never answers stops
// serve as soon as its first Ping gets no answer in the URL's timeouts
// (5 s by default), before it asks Telegram for the token, its line
// saying "no answer in": serve went on to the token check and Init, said
// nothing for some 25 s, then stopped on "read keyset: context deadline
// exceeded". Mutation checked: refusedAtOnce stopping on ECONNREFUSED
// alone -> the Bot API asked once, the last line "deadline exceeded".
func TestServeStopsAtOnceOnARedisThatDoesNotAnswer(t *testing.T) {
	api, asked := countingBotAPI(t)
	addr, accepted := silentListener(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://:s3cretPW@" + addr + "/0"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", api
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (ping: no answer in ") || strings.Contains(last, "deadline exceeded") {
		t.Errorf("exit %d, last line %q", code, last)
	}
	select {
	case <-accepted:
	default:
		t.Error("serve never connected to the silent Redis")
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the Bot API was asked %d times before serve said Redis does not answer", n)
	}
	if strings.Contains(log, "s3cretPW") || strings.Contains(log, addr) {
		t.Errorf("the password or the address in serve's log: %q", log)
	}
}

// Sentinels whose answer is a configuration error that serve stops on
// with exit 2 (a master_name= they do not know, a password they want)
// get no line promising that start-up keeps trying: only the exit-2
// line naming the variable.
func TestServeDoesNotPromiseRetryingBeforeExitTwo(t *testing.T) {
	primary := redistest.Start(t)
	for _, c := range []struct {
		name, query string
		prepare     func(s *redistest.Server) error
	}{
		{"unknown master_name", "?master_name=nosuchmaster", func(*redistest.Server) error { return nil }},
		{"sentinel wants a password", "?master_name=mymaster", func(s *redistest.Server) error {
			return s.Client().Do(context.Background(), "ACL", "SETUSER", "default", "resetpass", ">sentinel-pw").Err()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sentinel := redistest.StartSentinel(t, primary)
			if err := c.prepare(sentinel); err != nil {
				t.Fatal(err)
			}
			e := validEnv()
			e["VIGIA_REDIS_MODE"] = "sentinel"
			redisModeEnv(t, e)
			e["VIGIA_REDIS_URL"] = sentinel.URL() + c.query
			code, log := runServe(t, e, false)
			if code != 2 || strings.Contains(log, "keeps trying") || !strings.Contains(log, "VIGIA_REDIS_URL") {
				t.Errorf("exit %d, %q", code, log)
			}
		})
	}
}

// A sentinel that names the primary while the primary is down or silent
// until serve's start runs out of time: serve's last line says the
// primary the sentinels name does not answer, and why, where it ended
// "read keyset: context deadline exceeded", naming nothing. Mutation
// checked: sentinelsOutage leaving err as it was when a sentinel names
// the primary -> both cases end "context deadline exceeded".
func TestServeSaysThePrimaryTheSentinelsNameDoesNotAnswer_redisops(t *testing.T) {
	defer func(d, w time.Duration) { initTimeout, openWait = d, w }(initTimeout, openWait)
	initTimeout, openWait = 2*time.Second, time.Second
	for _, c := range []struct {
		name, want string
		breakIt    func(primary *redistest.Server) (undo func())
	}{
		{"down", "connect: connection refused", func(p *redistest.Server) func() { p.Stop(); return func() {} }},
		{"silent", "no answer in 2s", func(p *redistest.Server) func() { return p.Pause() }},
	} {
		t.Run(c.name, func(t *testing.T) {
			primary := redistest.Start(t)
			sentinel := redistest.StartSentinel(t, primary)
			defer c.breakIt(primary)()
			e := validEnv()
			e["VIGIA_REDIS_MODE"] = "sentinel"
			redisModeEnv(t, e)
			e["VIGIA_REDIS_URL"] = sentinel.URL() + "?master_name=mymaster&dial_timeout=1s"
			code, log := runServe(t, e, false)
			lines := strings.Split(strings.TrimSpace(log), "\n")
			last := lines[len(lines)-1]
			want := "redis: " + sentinelsUnreachableHint + " (the sentinels name the primary, which does not answer: "
			if code != 1 || !strings.Contains(last, want) || !strings.Contains(last, c.want) || strings.Contains(last, "deadline exceeded") {
				t.Errorf("exit %d, last line %q", code, last)
			}
		})
	}
}

// Sentinel mode, every sentinel refusing the connection: serve stops once
// its check's deadline (initTimeout) passes without the primary, before
// it asks the platforms, its last line naming each sentinel's reason. It
// waited that deadline on the check's Ping, then asked Telegram (its
// check's deadline spent: "telegram getMe failed at start-up"), then
// waited Init's initTimeout on the same sentinels: about 30 s by default
// (40 with silent sentinels), where sentinelStartBound is 25. Mutation
// checked: refusedAtOnce leaving sentinel mode to Init -> the Bot API is
// asked, and "telegram getMe failed" is logged.
func TestServeInSentinelModeStopsWithinItsBound_redisops(t *testing.T) {
	defer func(d, w time.Duration) { initTimeout, openWait = d, w }(initTimeout, openWait)
	initTimeout, openWait = 2*time.Second, time.Second
	api, asked := countingBotAPI(t)
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_TELEGRAM_API_URL"] = api
	e["VIGIA_REDIS_URL"] = "redis://" + freeAddr(t) + "/0?master_name=mymaster&dial_timeout=1s&addr=" + freeAddr(t)
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+sentinelsUnreachableHint+" (its host: ") || !strings.Contains(last, "addr= 1: ") || !strings.Contains(last, "connection refused") {
		t.Errorf("exit %d, last line %q", code, last)
	}
	if n := asked.Load(); n != 0 || strings.Contains(log, "telegram getMe failed") {
		t.Errorf("the Bot API asked %d times, or its check left no time (getMe failed), before serve stopped on the sentinels: %q", n, log)
	}
	if !strings.Contains(log, "and stops within "+sentinelStartBound(time.Second).String()+" if none does") {
		t.Errorf("serve did not say within how long it stops: %q", log)
	}
}
