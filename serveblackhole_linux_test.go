package main

import (
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A single Redis whose connection is never made (a host that drops it,
// a black hole: not refused) stops serve after one dial of the URL's
// dial timeout, its line saying so, before it asks Telegram for the
// token: go-redis dials five times before a call fails, each for the
// dial timeout, and retries the call, so serve waited the check's whole
// deadline (initTimeout, 15 s) whatever dial_timeout=, then said "ping:
// no answer in 15s". Mutation checked: refusedAtOnce without firstDial
// -> the last line "ping: no answer in 15s".
func TestServeStopsAtOnceOnARedisNeverConnected(t *testing.T) {
	api, asked := countingBotAPI(t)
	addr := blackHoleAddr(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://:s3cretPW@" + addr + "/0?dial_timeout=1s"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", api
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (dial: no connection in 1s (dial_timeout=))") {
		t.Errorf("exit %d, last line %q", code, last)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the Bot API was asked %d times before serve said Redis is not reached", n)
	}
	if strings.Contains(log, "s3cretPW") || strings.Contains(log, addr) {
		t.Errorf("the password or the address in serve's log: %q", log)
	}
}

// blackHoleAddr is a loopback address whose dials hang until their
// timeout: a socket listening with a backlog of 0 whose queue one
// connection, never accepted, fills, so that Linux drops the SYNs of
// the next ones. Closed when t ends.
func blackHoleAddr(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	filler, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	// The queue full, a dial no longer connects (else the test would
	// check nothing).
	if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("a dial to the black hole connected")
	}
	return addr
}

// A dial timeout longer than the start's check (initTimeout) is cut
// short by it: serve stops then, its line saying how long it waited for
// the connection (the check's time), not "ping: no answer in 0s" (the
// Ping timed from after the dial, its context spent) nor, as the dial's
// context may time out before the check's shows it, the dial timeout it
// never waited. Mutation checked: refusedAtOnce timing the Ping from
// after firstDial, as first written -> "ping: no answer in 0s" (or, one
// run in a few, "dial: no connection in 1m0s (dial_timeout=)").
func TestServeOnARedisNeverConnectedPastTheStartsCheckSaysHowLongItWaited(t *testing.T) {
	defer func(d time.Duration) { initTimeout = d }(initTimeout)
	initTimeout = 2 * time.Second
	addr := blackHoleAddr(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://" + addr + "/0?dial_timeout=1m"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off"
	code, log := runServe(t, e, false)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (dial: no connection in 2s)") {
		t.Errorf("exit %d, last line %q", code, last)
	}
}
