package main

import (
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// spoolTally tells the operator of serve's spooling in a few lines, not
// one a message: the first message spooled once Redis stops taking them
// (an outage, or its ACL refusing Vigía: NOPERM), at once; then, at most
// every spoolTallyEvery, how many more were spooled; and, once the replay
// left none waiting, that the spooling is over, with how many it took in
// all. Each message spooled was its own WARN line ("tip spooled: redis
// unreachable"), which an outage under load, or a NOPERM lasting until
// someone fixed the ACL, made the whole log. Counts and platforms only:
// nothing of a message, a reporter or a chat.
type spoolTally struct {
	log   *slog.Logger
	now   func() time.Time
	every time.Duration

	mu sync.Mutex
	// open: messages spooled since the spool was last left empty.
	open bool
	// since is when the first of them was spooled, told when the last
	// line was logged.
	since, told time.Time
	// total counts them by platform, fresh those spooled since told.
	total, fresh map[string]int
}

// spoolTallyEvery is the least time between two of spoolTally's counts.
const spoolTallyEvery = time.Minute

// newSpoolTally is a spoolTally logging to log.
func newSpoolTally(log *slog.Logger) *spoolTally {
	return &spoolTally{log: log, now: time.Now, every: spoolTallyEvery}
}

// spoolStartLine is the line spoolTally logs at the first message spooled.
const spoolStartLine = "tips spooled: Redis does not take them (unreachable, or refusing them: see the lines about Redis); each is kept, sealed, in VIGIA_SPOOL_DIR, its reporter told it is received, and replayed into Redis once it takes them. " +
	"The next ones are counted (tips still spooled), not logged one by one, until the replay leaves none waiting (spooling over)"

// spooled counts a message spooled on platform, and tells the first.
func (t *spoolTally) spooled(platform string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if !t.open {
		t.open, t.since, t.told = true, now, now
		t.total, t.fresh = map[string]int{platform: 1}, map[string]int{}
		t.log.Warn(spoolStartLine, "platform", platform)
		return
	}
	t.total[platform]++
	t.fresh[platform]++
}

// report logs how many messages were spooled since the last line, if
// any were and it was spoolTallyEvery ago or more; waiting is how many
// the spool holds (asked only then: it reads the spool).
func (t *spoolTally) report(waiting func() int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if !t.open || len(t.fresh) == 0 || now.Sub(t.told) < t.every {
		return
	}
	t.log.Warn("tips still spooled: Redis does not take them yet", "spooled", sum(t.fresh), "platforms", byPlatform(t.fresh),
		"spooled_total", sum(t.total), "spooling_for", now.Sub(t.since).Round(time.Second).String(), "waiting", waiting())
	t.told, t.fresh = now, map[string]int{}
}

// over logs that the spooling is over if the spool holds no message
// (waiting, asked under the tally's lock: a message spooled meanwhile
// is counted after, as the first of the next spooling).
func (t *spoolTally) over(waiting func() int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.open || waiting() > 0 {
		return
	}
	t.log.Info("spooling over: the replay left no tip waiting in the spool", "spooled_total", sum(t.total), "platforms", byPlatform(t.total),
		"lasted", t.now().Sub(t.since).Round(time.Second).String())
	t.open, t.total, t.fresh = false, nil, nil
}

// sum is the sum of counts.
func sum(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// byPlatform is counts as "discord=1,telegram=3".
func byPlatform(counts map[string]int) string {
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s=%d", p, counts[p]))
	}
	return strings.Join(parts, ",")
}

// tallyingSpool is the engine's spool (commands.Spooler), each message
// it keeps counted by tally.
type tallyingSpool struct {
	*storage.Spool
	tally *spoolTally
}

// Append keeps e, and counts it under its platform (its route's part
// before the chat: never the chat).
func (s tallyingSpool) Append(e storage.SpoolEntry) (string, error) {
	receipt, err := s.Spool.Append(e)
	if err == nil {
		platform, _, _ := strings.Cut(e.Route, ":")
		s.tally.spooled(platform)
	}
	return receipt, err
}

// jitter is d less up to half of it, at random.
func jitter(d time.Duration) time.Duration {
	return d - rand.N(d/2+1)
}
