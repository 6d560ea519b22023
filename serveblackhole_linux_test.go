package main

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// A single Redis whose connection is never made (a host that drops it,
// a black hole: not refused) stops serve after firstDial's dials, its
// line saying so, before it asks Telegram for the token: go-redis dials
// five times before a call fails, each for the dial timeout, and
// retries the call, so serve waited the check's whole deadline
// (initTimeout, 15 s) whatever dial_timeout=, then said "ping: no
// answer in 15s". A dial timeout of 3 s or more is one dial; a shorter
// one is dialled again until 3 s (firstDialBudget), the line saying how
// many dials. Mutation checked: refusedAtOnce without firstDial -> the
// last line "ping: no answer in 15s".
func TestServeStopsAtOnceOnARedisNeverConnected(t *testing.T) {
	for _, c := range []struct{ timeout, said string }{
		{"3s", "(dial: no connection in 3s (dial_timeout=))"},
		{"1s", "dials, dial_timeout= 1s each))"},
	} {
		t.Run(c.timeout, func(t *testing.T) {
			api, asked := countingBotAPI(t)
			addr := blackHoleAddr(t)
			e := validEnv()
			e["VIGIA_REDIS_URL"] = "redis://:s3cretPW@" + addr + "/0?dial_timeout=" + c.timeout
			e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", api
			code, log := runServe(t, e, false)
			lines := strings.Split(strings.TrimSpace(log), "\n")
			last := lines[len(lines)-1]
			if code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (dial: no connection in ") || !strings.Contains(last, c.said) {
				t.Errorf("exit %d, last line %q", code, last)
			}
			if n := asked.Load(); n != 0 {
				t.Errorf("the Bot API was asked %d times before serve said Redis is not reached", n)
			}
			if strings.Contains(log, "s3cretPW") || strings.Contains(log, addr) {
				t.Errorf("the password or the address in serve's log: %q", log)
			}
		})
	}
}

// A dial_timeout= under a second is shorter than the wait before the
// kernel sends a SYN again (1 s): one SYN dropped on the way (here the
// black hole's full queue) failed serve's only dial at start-up, and
// serve stopped (exit 1), where go-redis would have dialled again.
// firstDial dials again, a new SYN each time, within firstDialBudget.
// Mutation checked: firstDial returning after its first dial, as before
// -> "the first SYN dropped: 1 dials, dial tcp ...: i/o timeout".
func TestFirstDialDialsAgainAfterADroppedSYN(t *testing.T) {
	fd, addr := blackHole(t)
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 300 * time.Millisecond})
	defer c.Close()
	opt := *c.Options() // (its dialer and its dials' count and pause, as serve's)
	var dials atomic.Int32
	dial := opt.Dialer
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 2 {
			// The first SYN was dropped: the queue is emptied, as a
			// host's whose drop has passed, and the next one is taken.
			nfd, _, err := syscall.Accept(fd)
			if err != nil {
				return nil, err
			}
			syscall.Close(nfd)
		}
		return dial(ctx, network, addr)
	}
	n, err := firstDial(context.Background(), &opt)
	if err != nil || n != 2 {
		t.Errorf("the first SYN dropped: %d dials, %v", n, err)
	}
}

// blackHoleAddr is blackHole's address.
func blackHoleAddr(t *testing.T) string {
	t.Helper()
	_, addr := blackHole(t)
	return addr
}

// blackHole is a loopback address whose dials hang until their
// timeout, and its listening socket: a socket listening with a backlog
// of 0 whose queue one connection, never accepted, fills, so that Linux
// drops the SYNs of the next ones. Closed when t ends.
func blackHole(t *testing.T) (int, string) {
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
	return fd, addr
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
