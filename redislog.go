package main

import (
	"context"
	"fmt"
	stdlog "log"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisLogEvery is the least time between two lines of go-redis's own
// logging: during an outage it reports every failed dial, many a second.
const redisLogEvery = 10 * time.Second

// redisLogger routes go-redis's own log lines (by default plain text on
// stderr, which breaks the JSON logs) through slog at WARN, at most one
// line per redisLogEvery, counting the lines it drops.
type redisLogger struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	last    time.Time
	dropped int
}

// installRedisLogger makes go-redis log through log. It is process-wide.
func installRedisLogger(log *slog.Logger) {
	redis.SetLogger(&redisLogger{log: log, every: redisLogEvery, now: time.Now})
}

// Printf is go-redis's logging interface (internal.Logging).
func (l *redisLogger) Printf(ctx context.Context, format string, v ...any) {
	dropped, ok := l.take()
	if !ok {
		return
	}
	l.log.WarnContext(ctx, "redis client", "detail", redisLogDetail(fmt.Sprintf(format, v...)), "suppressed", dropped)
}

// take reports whether a line may be logged now, and how many were
// dropped since the last one.
func (l *redisLogger) take() (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.dropped++
		return 0, false
	}
	dropped := l.dropped
	l.last, l.dropped = now, 0
	return dropped, true
}

// redisAddr matches a host:port or ip:port, as dial errors name the Redis
// node ("dial tcp 10.0.0.7:6379: connect: connection refused"; an
// IPv4-mapped one unbracketed, "::ffff:10.0.0.7:6379", whole: its
// "::ffff:" left before "ADDR" hid an id after it from scrubIDs; an IPv4
// one with its zone, "1.2.3.4%eth0:6379", as net.UDPAddr writes one,
// whole: "1.2.3.4%ADDR" kept the address; a bracketed one with an
// interface's name, "[fe80::1%eth0]:6379", was kept whole), and,
// first, the tail of a Redis key from its hash tag on (redisKeyTail),
// which scrubAddrs keeps.
var redisAddr = regexp.MustCompile(redisKeyTail + `|\[[0-9A-Fa-f:.%]+(?:%[A-Za-z0-9_-]{1,16})?\]:\d+|(?:::(?i:ffff):)?\b\d{1,3}(\.\d{1,3}){3}(?:%[A-Za-z0-9_-]{1,16})?:\d+|\b[A-Za-z][A-Za-z0-9.-]*:\d{2,5}\b`)

// redisKeyTail matches a Redis key's hash tag and what follows it up to
// its number (a tip's: "vigia:{tips}:tip:1234", "{bc}:job:77",
// "ix:lsh:{20261130}:1234"), which would otherwise read as a host and a
// port ("tip:1234"). It begins with the ":" before the tag; the tag holds
// letters, digits, "_" and "-" only (Vigía's: a word, a pseudonym, a
// week), no ":" or "." (not "{10.0.0.7:6379}", "{Network:tcp}"), and
// the word before the number, if any, is one of Vigía's keys' that end
// in one (keys.go), so that no host is taken for it ("…:{tips}:redis:6379",
// "…:{x}:redis-0:6379" are ADDR). A host:port after a key's number
// ("…:tip:12:redis:6379") is not part of it.
const redisKeyTail = `:\{[A-Za-z0-9_-]*\}(?::(?:tip|log|route|pub|dups|job|takes))?:\d+\b`

// redisLogDetail keeps what a line says, not where: its first line (a
// recovered panic comes with a stack), addresses replaced (which node
// failed is in Redis's own logs; scrubAddrs), ids and pseudonyms withheld
// (scrubIDs), and bounded in length, once scrubbed: cut first, a URL's
// password could lose the "@" that marks it, and a pseudonym in a key
// quoted cut to fewer than 16 hex digits was no longer withheld (longHex).
func redisLogDetail(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimPrefix(s, "redis: ")
	s = scrubIDs(scrubAddrs(s))
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// routeStdLog makes the standard library's log package (net/http's
// server errors, discordgo's and go-telegram/bot's lines outside the
// hooks the adapters set) write through log at WARN, one JSON line per
// call, scrubbed as every line is. Its default writes plain text on
// stderr, unscrubbed, and, in the guarded child, a plain line written
// inside a crash's frame is not recognised as a log line (logStart): the
// frame's argument words on either side of it passed in clear. It is
// process-wide.
func routeStdLog(log *slog.Logger) {
	stdlog.SetFlags(0) // the handler writes the time
	stdlog.SetPrefix("")
	stdlog.SetOutput(slog.NewLogLogger(log.Handler(), slog.LevelWarn).Writer())
}
