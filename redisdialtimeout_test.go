package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// A dial_timeout= of 0 or less in VIGIA_REDIS_URL is a configuration
// error, exit 2 naming the variable: go-redis reads it as "no timeout"
// (-1), which the dialer takes for a deadline already past, so serve,
// rotate-key and bench failed every connection at once and said only that
// Redis could not be reached ("dial: no connection in -1ns", exit 1).
// Mutation: the DialTimeout check taken out of redisClientWaiting (or of
// sentinelOptions, or clusterOptions) -> fails for that mode.
func TestRedisDialTimeoutOfZeroOrLessIsRefused(t *testing.T) {
	addr := freeAddr(t) // nothing listens: refused before any call
	redisURLsRefused(t, "VIGIA_REDIS_URL: dial_timeout must be a positive duration", []struct{ mode, url string }{
		{"single", "redis://:pw-in-url@" + addr + "/0?dial_timeout=0"},
		{"single", "redis://:pw-in-url@" + addr + "/0?dial_timeout=-5s"},
		{"cluster", "redis://:pw-in-url@" + addr + "?dial_timeout=0s"},
		{"sentinel", "redis://:pw-in-url@" + addr + "?master_name=m&dial_timeout=-1"},
	})
	// A positive one is taken (the start then fails on the refused
	// connection, exit 1, not on the URL).
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://" + addr + "/0?dial_timeout=2s"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off"
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb); code == 2 || strings.Contains(errb.String(), "dial_timeout must") {
		t.Errorf("dial_timeout=2s: exit %d, %q", code, errb.String())
	}
}
