package main

import (
	"bytes"
	"context"
	"encoding/json"
	stdlog "log"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// go-redis's own lines, such as a failed dial during an outage, reach the
// JSON log at WARN, without the node's address, instead of being written
// to stderr as plain text.
func TestRedisClientLogsAreJSON(t *testing.T) {
	var buf syncBuffer
	installRedisLogger(slog.New(slog.NewJSONHandler(&buf, timeless)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	if err := c.Ping(context.Background()).Err(); err == nil {
		t.Fatal("ping to a closed port succeeded")
	}
	out := buf.String()
	if out == "" {
		t.Fatal("go-redis logged nothing through slog")
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil || rec["level"] != "WARN" || rec["msg"] != "redis client" {
			t.Fatalf("not a JSON WARN line: %q (%v)", line, err)
		}
	}
	_, port, _ := net.SplitHostPort(addr)
	if strings.Contains(out, addr) || strings.Contains(out, port) {
		t.Fatalf("the address was logged: %s", out)
	}
}

// During an outage go-redis logs every failed dial: one line per period
// gets through, saying how many were dropped before it.
func TestRedisClientLogsAreRateLimited(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1_800_000_000, 0)
	l := &redisLogger{log: slog.New(slog.NewJSONHandler(&buf, timeless)), every: 10 * time.Second, now: func() time.Time { return now }}
	for i := 0; i < 5; i++ {
		l.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %v", 5, "dial tcp redis.internal:6379: connect: connection refused")
		now = now.Add(time.Second)
	}
	now = now.Add(10 * time.Second)
	l.Printf(context.Background(), "redis: connection pool: failed to dial after %d attempts: %v", 5, "dial tcp [::1]:6379: refused\ngoroutine 1 [running]:")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"suppressed":0`) || !strings.Contains(lines[1], `"suppressed":4`) {
		t.Fatalf("lines: %q", lines)
	}
	if strings.Contains(buf.String(), "6379") || strings.Contains(buf.String(), "redis.internal") || strings.Contains(buf.String(), "goroutine") {
		t.Fatalf("address or stack logged: %s", buf.String())
	}
	if !strings.Contains(lines[0], "connection pool: failed to dial after 5 attempts: dial tcp ADDR: connect: connection refused") {
		t.Fatalf("detail: %s", lines[0])
	}
}

// A call to a hung Redis ends with its context, as the reliability notes
// promise (the steps before a request give up after 3 s, replies get their
// own time): go-redis ignores contexts on the socket unless told, and
// would wait out its read timeout and retries instead.
func TestRedisCallsEndWithTheirContext(t *testing.T) {
	srv := redistest.Start(t)
	rdb, err := redisClient(srv.URL(), "single")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = rdb.Get(ctx, "k").Err()
	// Without it: go-redis's 3 s read timeout, tried four times.
	if took := time.Since(start); err == nil || took > 2*time.Second {
		t.Fatalf("a call to a hung Redis took %v (%v), its context 200 ms", took, err)
	}
}

// timeless leaves out the time of each line: the tests look for an address
// or a port in the log, and a timestamp's digits can hold one (a line
// stamped 20:18:37.787746379 "logged" port 6379).
var timeless = &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 {
		return slog.Attr{}
	}
	return a
}}

// The standard library's log package (discordgo's, net/http's server
// errors) writes through the scrubbing logger once run has built it: a
// JSON line, scrubbed, not plain text on stderr. Such a line written
// inside a crash's frame is then split off it, and neither part of the
// frame shows an argument word; a plain one was not, and the frame's
// words on both sides of it passed in clear.
func TestStdLogWritesThroughTheLogger(t *testing.T) {
	t.Cleanup(func() {
		stdlog.SetOutput(os.Stderr)
		stdlog.SetFlags(stdlog.LstdFlags)
	})
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, func(string) string { return "" }, strings.NewReader("/quit\n"), &out, &errb); code != 0 {
		t.Fatalf("vigia demo: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	stdlog.Printf("[DG0] wsapi.go:120:onEvent() chat 7306318845 via 10.0.0.7:443")
	line := strings.TrimSuffix(errb.String(), "\n")
	if !strings.HasPrefix(line, logStart) || !json.Valid([]byte(line)) || strings.Contains(line, "7306318845") || strings.Contains(line, "10.0.0.7") {
		t.Fatalf("the log package wrote %q, want a scrubbed JSON line", errb.String())
	}
	in := "goroutine 8 [running]:\nmain.crashHookLeak(0x1b37d93fd, " + line + "\n{0xd8741bf2027, 0x8})\n"
	want := "goroutine 8 [running]:\nmain.crashHookLeak(...)\n" + line + "\n"
	checkScrubbed(t, in, want)
}

// TestBenchRoutesLibraryLogsThroughTheLogger: vigia bench installs the
// scrubbing logger for the log package and go-redis before it dials
// Redis, as serve does; a library line there is one scrubbed JSON line
// (go-redis's of its failed dials, the log package's after the run).
func TestBenchRoutesLibraryLogsThroughTheLogger(t *testing.T) {
	t.Cleanup(func() {
		stdlog.SetOutput(os.Stderr)
		stdlog.SetFlags(stdlog.LstdFlags)
	})
	env := map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1/0"}
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if code := run(ctx, []string{"bench", "--sizes", "1", "--intake", "1", "--queries", "0", "--mem-tips", "0"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb); code == 0 {
		t.Fatalf("vigia bench against a closed port: exit 0, stderr %q", errb.String())
	}
	// go-redis's line of the failed dials, through the same logger.
	redisLine := ""
	for _, l := range strings.Split(errb.String(), "\n") {
		if strings.HasPrefix(l, logStart) && strings.Contains(l, `"msg":"redis client"`) {
			redisLine = l
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(redisLine), &rec); err != nil || rec["level"] != "WARN" || !strings.Contains(redisLine, "failed to dial") || strings.Contains(redisLine, "127.0.0.1") {
		t.Fatalf("vigia bench: go-redis's failed dials were not one scrubbed JSON line on its standard error (%v):\n%s", err, errb.String())
	}
	errb.Reset()
	stdlog.Printf("[DG0] wsapi.go:120:onEvent() chat 7306318845 via 10.0.0.7:443")
	line := strings.TrimSuffix(errb.String(), "\n")
	if !strings.HasPrefix(line, logStart) || !json.Valid([]byte(line)) || strings.Contains(line, "7306318845") || strings.Contains(line, "10.0.0.7") {
		t.Fatalf("after vigia bench, the log package wrote %q, want a scrubbed JSON line", errb.String())
	}
}
