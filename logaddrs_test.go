package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// ipPort is any IPv4 address with a port, as a dial or a resolver names
// one.
var ipPort = regexp.MustCompile(`\d{1,3}(\.\d{1,3}){3}:\d+`)

// unreachableRedis is a Redis URL nothing answers at, and what of it an
// output must not hold: its password, its user, its port and its host.
type unreachableRedis struct {
	url   string
	leaks []string
}

// unreachableRedisURLs are two Redis URLs, with a user and a password,
// that nothing answers at: a loopback port nothing listens on (a dial
// names it), and a host of .invalid no lookup finds (a lookup names it,
// and the Go resolver the server it asked).
func unreachableRedisURLs(t *testing.T) []unreachableRedis {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, port, _ := net.SplitHostPort(addr)
	const user, password = "opsuser", "hunter2-Pa55"
	host := "redis-" + port + ".invalid"
	return []unreachableRedis{
		{"redis://" + user + ":" + password + "@" + addr + "/0?max_retries=-1", []string{password, user, port, "127.0.0.1"}},
		{"redis://" + user + ":" + password + "@" + host + ":" + port + "/0?max_retries=-1", []string{password, user, port, host}},
	}
}

// checkWithholdsAddresses fails t if out, what a command printed or
// logged having failed to reach r, holds anything of r's URL or any
// address with a port (a resolver's), or if reason, the part of out
// that says why, no longer says it: a dial to ADDR or a lookup of HOST.
// Not "lookup HOST on ADDR": the system's resolver (cgo's: macOS's, or
// Linux's where nsswitch.conf names more than files and dns) names no
// server.
func checkWithholdsAddresses(t *testing.T, what, out, reason string, r unreachableRedis) {
	t.Helper()
	for _, leak := range r.leaks {
		if strings.Contains(out, leak) {
			t.Errorf("%s %s: %q is in the output:\n%s", what, r.url, leak, out)
		}
	}
	if ipPort.MatchString(out) {
		t.Errorf("%s %s: an address (a resolver's?) is in the output:\n%s", what, r.url, out)
	}
	if !strings.Contains(reason, "dial tcp ADDR") && !strings.Contains(reason, "lookup HOST") {
		t.Errorf("%s %s: the reason lost its words: %q", what, r.url, reason)
	}
}

// serve stopped by a Redis it cannot reach logs why, as go-redis's own
// "redis client" lines do: not where (the node's address, the host name
// looked up, the resolver that answered), and never the URL's password.
// The real process's log (run's standard error), every line of it.
func TestStoppedLogLineWithholdsAddresses(t *testing.T) {
	for _, r := range unreachableRedisURLs(t) {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = r.url, t.TempDir()
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &out, &errb); code != 1 {
			t.Fatalf("%s: exit %d, stderr:\n%s", r.url, code, errb.String())
		}
		log := errb.String()
		stopped := ""
		for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("not a JSON line: %q", line)
			}
			if rec["msg"] == "vigia stopped" {
				stopped, _ = rec["error"].(string)
			}
		}
		if stopped == "" || !strings.HasPrefix(stopped, "redis: ") {
			t.Fatalf("%s: no \"vigia stopped\" line with Redis's reason:\n%s", r.url, log)
		}
		checkWithholdsAddresses(t, "serve", log, stopped, r)
	}
}

// Whatever error comes to quote a Redis URL (a sentinel's, its primary's
// password in the query), or an address of any form, the logger writes
// it without: in the message and in every attribute.
func TestLoggerWithholdsURLCredentialsAndAddresses(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(&buf, nil)
	log.Error("vigia stopped", "error", `redis: dial rediss://admin:s3cr%40t@redis.internal:6380/0: refused`)
	log.Warn(`parse "redis://:p@ss:w0rd@[fd00::7]:6379/0?master_name=m&password=Pr1mary&sentinel_password=Sent1&addr=10.0.0.9:26379" failed`)
	log.Warn("redis client", "detail", "dial tcp: lookup redis-0.redis.svc.cluster.local on [fd00::53]:53: no such host")
	out := buf.String()
	for _, leak := range []string{"s3cr", "admin", "p@ss", "w0rd", "Pr1mary", "Sent1", "redis.internal", "fd00", "10.0.0.9", "6379", "6380", "26379", "cluster.local"} {
		if strings.Contains(out, leak) {
			t.Fatalf("%q is in the log:\n%s", leak, out)
		}
	}
	for _, want := range []string{"rediss://[credentials withheld]@ADDR/0: refused", "master_name=m&password=[withheld]&sentinel_password=[withheld]&addr=ADDR", "lookup HOST on ADDR: no such host", `"msg":"vigia stopped"`} {
		if !strings.Contains(out, want) {
			t.Fatalf("%q is missing from the log:\n%s", want, out)
		}
	}
}

// go-redis's own line is cut to 200 bytes: after its URL's password is
// withheld, not before, which could cut the "@" that marks it.
func TestRedisClientLineCutAfterScrub(t *testing.T) {
	s := redisLogDetail(strings.Repeat("x", 180) + " redis://u:longpassword@h:6379")
	if strings.Contains(s, "longpass") {
		t.Fatalf("password logged: %q", s)
	}
}

// A panic's line keeps where it happened: its stack's "file.go:123"
// positions are not addresses (they were all written ADDR).
func TestLoggerKeepsStackPositions(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf, nil).Error("handler panic", "panic", "runtime.Error", "stack", commands.Stack(1), "error", "dial tcp 10.0.0.7:6379: refused")
	out := buf.String()
	if !regexp.MustCompile(`logaddrs_test\.go:\d+`).MatchString(out) {
		t.Fatalf("the stack lost its positions:\n%s", out)
	}
	if strings.Contains(out, "10.0.0.7") || !strings.Contains(out, "dial tcp ADDR: refused") {
		t.Fatalf("the other attributes are not scrubbed:\n%s", out)
	}
}

// A string with nothing scrubAddrs withholds costs no copy: every line
// logged passes it, a burst of them during an outage too.
func TestScrubAddrsCopiesNothingToWithhold(t *testing.T) {
	for _, s := range []string{"context deadline exceeded", "telegram inbox read failed", strings.Repeat("word ", 20000)} {
		if n := testing.AllocsPerRun(20, func() { _ = scrubAddrs(s) }); n != 0 {
			t.Fatalf("%.20q: %v allocations", s, n)
		}
	}
}

// A Redis key a NOPERM or WRONGTYPE names keeps its number ("tip:1234"
// is a tip's key, not a host and a port: the operator needs it), while
// every host:port around it is still withheld, however close to a key.
func TestLoggerKeepsRedisKeysWithholdsAddresses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"NOPERM User vigia has no permissions to access the 'vigia:{tips}:tip:1234' key", "'vigia:{tips}:tip:1234' key"},
		{"WRONGTYPE vigia:{bc}:job:77 vigia:{tips}:log:42 vigia:{wipe}:takes:99", "vigia:{bc}:job:77 vigia:{tips}:log:42 vigia:{wipe}:takes:99"},
		{"prod.eu:{tips}:route:12345 is gone", "prod.eu:{tips}:route:12345 is gone"},
		{"vigia:ix:lsh:{20261130}:1234", "vigia:ix:lsh:{20261130}:1234"},
		{"dial tcp redis:6379: connect: connection refused", "dial tcp ADDR: connect"},
		{"MOVED 3999 redis-node-2:6381", "MOVED 3999 ADDR"},
		// An IPv4 address with its zone, whole ("1.2.3.4%ADDR" kept the
		// address).
		{"dial udp 10.0.0.7%eth0:6379: connect: connection refused", "dial udp ADDR: connect"},
		{"dial tcp 10.0.0.7%br-1a2b:6379 10.0.0.7%en0:6380", "dial tcp ADDR ADDR"},
		{"dial tcp [fe80::1%eth0]:6379 [fd00::7%en0]:6380", "dial tcp ADDR ADDR"},
		{"'vigia:{tips}:tip:12' dial tcp 10.0.0.7:6379 [fd00::7]:6380 redis:6381", "'vigia:{tips}:tip:12' dial tcp ADDR ADDR ADDR"},
		{"vigia:{tips}:tip:12:redis:6379", "vigia:{tips}:tip:12:ADDR"},
		{"vigia:{x}:redis.internal:6379", "vigia:{x}:ADDR"},
		{"opts {Addr:redis:6379 DB:0}", "opts {Addr:ADDR DB:0}"},
		{"{Network:tcp}:redis-0:6379", "{Network:tcp}:ADDR"},
		{"redis://h/{a}:b:6379 and redis://:{a}@h:6379", "redis://h/{a}:ADDR and redis://[credentials withheld]@ADDR"},
		// An address dressed as a key: a host after a tag, or in it.
		{"vigia:{tips}:redis:6379 vigia:{x}:redis-node-2:6381", "vigia:{tips}:ADDR vigia:{x}:ADDR"},
		{"err:{Network:tcp}:redis-0:6379 x:{10.0.0.7:6379}:0 y:{[fd00::7]:6380}:tip:1", "err:{Network:tcp}:ADDR x:{ADDR}:0 y:{ADDR}:tip:1"},
	} {
		var buf bytes.Buffer
		newLogger(&buf, nil).Warn("redis failed", "error", c.in)
		var rec map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		got, _ := rec["error"].(string)
		if !strings.Contains(got, c.want) {
			t.Errorf("%q logged %q, want %q in it", c.in, got, c.want)
		}
		for _, leak := range []string{"6380", "6381", "10.0.0.7", "fd00", "redis.internal", "redis-", ":6379", "%"} {
			if strings.Contains(got, leak) {
				t.Errorf("%q logged %q: %q is in it", c.in, got, leak)
			}
		}
	}
}
