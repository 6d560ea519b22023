package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// wipeStore is a store on a fresh Redis, with that Redis.
func wipeStore(t *testing.T) (*Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return s, srv
}

// Every key a scheduled deletion's script touches is one it declares
// (KEYS), as Redis Cluster needs to route it (and some managed Redis
// refuse a script that builds a key itself): read from MONITOR, each call
// a script makes ("[0 lua]") names a key of the EVALSHA or EVAL before it.
func TestWipeScriptsTouchDeclaredKeysOnly(t *testing.T) {
	s, srv := wipeStore(t)
	mon := monitorRedis(t, srv)
	if mon == nil {
		t.Skip("reads MONITOR, which the embedded Redis has not")
	}
	ctx := context.Background()
	now := time.Now()
	for _, r := range []string{"telegram:1", "discord:u2"} {
		if err := s.ScheduleWipe(ctx, Wipe{Route: r, MessageID: "9", Chat: true}, now); err != nil {
			t.Fatal(err)
		}
	}
	// One as versions before wipesOf kept it.
	if err := s.rdb.ZAdd(ctx, s.k.wipes(), redis.Z{Score: float64(now.UnixMilli()), Member: "old1"}).Err(); err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(Wipe{Route: "telegram:3", MessageID: "4", Chat: true})
	sealed, _ := s.kr.seal(old, "wipe:old1")
	if err := s.rdb.Set(ctx, s.k.wipe("old1"), sealed, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WipeDone(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	// A reporter's wipes read past a page given up (wipesAfter).
	for range chatWipePage + 1 {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:5", MessageID: "9", Chat: true, Pseudonym: "p9"}, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range s.rdb.ZRange(ctx, s.k.wipesBy("p9"), 0, chatWipePage-1).Val() {
		s.rdb.Set(ctx, s.k.wipeTakes(id), wipeTakesMax+1, time.Hour)
	}
	if _, err := s.ChatWipeDue(ctx, "p9"); err != nil {
		t.Fatal(err)
	}
	mark := "end-of-recording-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	srv.Client().Echo(ctx, mark)
	mon.conn.SetReadDeadline(time.Now().Add(time.Minute))
	var declared []string
	scripts, calls := 0, 0
	for {
		line, err := mon.rd.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		args := monitorArgs(line)
		if len(args) == 2 && args[1] == mark {
			break
		}
		if len(args) == 0 {
			continue
		}
		switch cmd := strings.ToLower(args[0]); {
		case cmd == "evalsha" || cmd == "eval":
			n, _ := strconv.Atoi(args[2])
			declared = args[3 : 3+n]
			scripts++
		case strings.Contains(line, "[0 lua]"):
			calls++
			if len(args) < 2 || !slices.Contains(declared, args[1]) {
				t.Errorf("a script's %s touches %q, not among its keys %q", cmd, args[1:min(2, len(args))], declared)
			}
		}
	}
	if scripts < 3 || calls < 6 {
		t.Fatalf("%d scripts making %d calls seen: the test proves nothing", scripts, calls)
	}
}

// monitorArgs reads the arguments of a MONITOR line, each quoted.
func monitorArgs(line string) []string {
	var args []string
	for rest := line; ; {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			return args
		}
		j := i + 1
		for j < len(rest) && rest[j] != '"' {
			if rest[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(rest) {
			return args
		}
		a, err := strconv.Unquote(rest[i : j+1])
		if err != nil {
			a = rest[i+1 : j]
		}
		args = append(args, a)
		rest = rest[j+1:]
	}
}

// A deletion scheduled by a version before the platforms' schedules (in
// the one schedule of every platform) is not lost: a process of another
// platform moves it to its platform's and leaves it there, and a process
// of its platform takes it.
func TestWipeOfTheOldScheduleGoesToItsPlatform(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	old, _ := json.Marshal(Wipe{Route: "telegram:3", MessageID: "4", Chat: true})
	sealed, _ := s.kr.seal(old, "wipe:old1")
	if err := s.rdb.Set(ctx, s.k.wipe("old1"), sealed, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.ZAdd(ctx, s.k.wipes(), redis.Z{Score: float64(now.Add(-time.Minute).UnixMilli()), Member: "old1"}).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeWipe(ctx, now, []string{"discord"}, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Discord's process took Telegram's: %v", err)
	}
	w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
	if err != nil || w.Route != "telegram:3" || w.MessageID != "4" || !w.Chat {
		t.Fatalf("Telegram's process: %+v %v", w, err)
	}
}

// A take whose script go-redis sends again (its answer lost on the way)
// still takes the job: the lease the first run wrote is its own.
func TestWipeTakeRunTwiceStillTakesIt(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true}, now); err != nil {
		t.Fatal(err)
	}
	id := s.rdb.ZRange(ctx, s.k.wipesOf("telegram"), 0, 0).Val()[0]
	keys := []string{s.k.wipesOf("telegram"), s.k.wipe(id), s.k.wipeTakes(id)}
	end := now.Add(time.Minute).UnixMilli()
	for run := range 2 {
		if err := takeWipe.Run(ctx, s.rdb, keys, id, now.UnixMilli(), end, wipeTakesMax, wipeNoticeTakesMax).Err(); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
	}
	if n := s.rdb.Get(ctx, s.k.wipeTakes(id)).Val(); n != "1" {
		t.Fatalf("one take run twice counted as %s takes", n)
	}
	// Another process, later in the lease, does not take it.
	if err := takeWipe.Run(ctx, s.rdb, keys, id, now.UnixMilli()+1000, end+1000, wipeTakesMax, wipeNoticeTakesMax).Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("taken by another within the lease: %v", err)
	}
}

// oldTakeWipe is how versions before wipesOf took a due job of the one
// schedule (KEYS[1]), whatever its platform: a process that did not run
// that platform then dropped it.
var oldTakeWipe = redis.NewScript(`
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, 1)
if #due == 0 then return false end
redis.call('ZREM', KEYS[1], due[1])
local key = ARGV[2] .. due[1]
local v = redis.call('GET', key)
redis.call('DEL', key)
if not v then return {due[1], ''} end
return {due[1], v}`)

// During a rolling upgrade a process of an earlier version (here a
// Discord one) still takes the due jobs of the one schedule, and drops a
// Telegram reporter's: a job an earlier version scheduled is moved to its
// platform's schedule by the first sweep of any process, before it is
// due, and is still done when due by a process that runs its platform.
// Mutation: moveWipe without outliveJob → its platform's schedule
// expires before it.
func TestWipeOfTheOldScheduleIsMovedBeforeAnOldProcessTakesIt(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	due := now.Add(time.Hour)
	old, _ := json.Marshal(Wipe{Route: "telegram:3", MessageID: "4", Chat: true})
	sealed, _ := s.kr.seal(old, "wipe:old1")
	if err := s.rdb.Set(ctx, s.k.wipe("old1"), sealed, 9*24*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.rdb.ZAdd(ctx, s.k.wipes(), redis.Z{Score: float64(due.UnixMilli()), Member: "old1"}).Err(); err != nil {
		t.Fatal(err)
	}
	// A job of the platform's own schedule, which expires with it.
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:5", MessageID: "6", Chat: true}, due.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A new Discord process sweeps now: nothing of its platform is due.
	if _, err := s.TakeWipe(ctx, now, []string{"discord"}, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Discord's process: %v", err)
	}
	// Moved, it makes its schedule live as long as it does.
	if ttl, job := s.rdb.PTTL(ctx, s.k.wipesOf("telegram")).Val(), s.rdb.PTTL(ctx, s.k.wipe("old1")).Val(); ttl < job {
		t.Fatalf("the schedule it was moved to expires in %v, before it (%v)", ttl, job)
	}
	// An old Discord process sweeps when the job is due.
	res, err := oldTakeWipe.Run(ctx, s.rdb, []string{s.k.wipes()}, due.UnixMilli(), s.k.wipe("")).Slice()
	if !errors.Is(err, redis.Nil) {
		t.Fatalf("an old process took the Telegram reporter's wipe: %v %v", res, err)
	}
	if _, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Telegram's process took it before it was due: %v", err)
	}
	w, err := s.TakeWipe(ctx, due, []string{"telegram"}, time.Minute)
	if err != nil || w.Route != "telegram:3" || w.MessageID != "4" || !w.Chat {
		t.Fatalf("Telegram's process when due: %+v %v", w, err)
	}
}

// A delayed wipe of a platform no process runs any more is never taken,
// nor dropped as its record expires (only a take drops one): its id
// stayed in that platform's schedule for ever. The schedule now goes
// with the last of its jobs' records, and never before one: a job still
// alive beside an expired one is still taken. Mutation: ScheduleWipe's
// script without outliveJob → the schedule never expires, test fails.
func TestWipeScheduleOfAPlatformNoLongerRunGoesWithItsJobs(t *testing.T) {
	s, srv := wipeStore(t)
	if !srv.Real {
		t.Skip("keys expire in real time only on a real redis-server")
	}
	ctx := context.Background()
	now := time.Now()
	// Due a week ago, less a moment: its record expires in that moment.
	if err := s.ScheduleWipe(ctx, Wipe{Route: "discord:u1", MessageID: "9", Chat: true}, now.Add(-7*24*time.Hour+300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	gone := func(key string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); s.rdb.Exists(ctx, key).Val() == 1; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s still in Redis, its job's record expired (members %v, ttl %v)", key,
					s.rdb.ZRange(ctx, key, 0, -1).Val(), s.rdb.PTTL(ctx, key).Val())
			}
		}
	}
	schedule := s.k.wipesOf("discord")
	gone(schedule)

	// Two jobs, one expiring at once: the other is still there to take.
	if err := s.ScheduleWipe(ctx, Wipe{Route: "discord:u2", MessageID: "10", Chat: true}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.ScheduleWipe(ctx, Wipe{Route: "discord:u1", MessageID: "9", Chat: true}, now.Add(-7*24*time.Hour+300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	ttl := s.rdb.PTTL(ctx, schedule).Val()
	for _, id := range s.rdb.ZRange(ctx, schedule, 0, -1).Val() {
		if job := s.rdb.PTTL(ctx, s.k.wipe(id)).Val(); job > ttl {
			t.Fatalf("the schedule expires in %v, before a job's record (%v)", ttl, job)
		}
	}
	w, err := s.TakeWipe(ctx, now.Add(time.Second), []string{"discord"}, time.Minute)
	if err == nil && w.Route == "discord:u1" {
		w, err = s.TakeWipe(ctx, now.Add(time.Second), []string{"discord"}, time.Minute)
	}
	if err != nil || w.Route != "discord:u2" {
		t.Fatalf("the job due now: %+v %v", w, err)
	}
}

// A job of the old schedule whose record expires between the sweep's
// read and its move (moveWipe) is dropped, not moved: moved alone into
// a platform's schedule that did not exist, it made that schedule with
// no expiry, which every later job then left so (a schedule kept with
// no expiry is taken for an earlier version's): a platform no longer
// run kept its jobs' ids for ever. Mutation: moveWipe without its check
// of the record → the schedule never expires, test fails.
func TestWipeOfTheOldScheduleExpiredAsItIsMovedLeavesNoScheduleWithoutExpiry(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	if err := s.rdb.ZAdd(ctx, s.k.wipes(), redis.Z{Score: float64(time.Now().UnixMilli()), Member: "old2"}).Err(); err != nil {
		t.Fatal(err)
	}
	// Read by the sweep, expired before the move: no record.
	if err := moveWipe.Run(ctx, s.rdb, []string{s.k.wipes(), s.k.wipesOf("discord"), s.k.wipe("old2")}, "old2").Err(); err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.ZCard(ctx, s.k.wipes()).Val(); n != 0 {
		t.Fatalf("%d left in the old schedule", n)
	}
	if err := s.ScheduleWipe(ctx, Wipe{Route: "discord:u3", MessageID: "11", Chat: true}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ttl := s.rdb.PTTL(ctx, s.k.wipesOf("discord")).Val(); ttl <= 0 {
		t.Fatalf("the platform's schedule has no expiry (%v): it would outlive its jobs", ttl)
	}
}

// takeReplyLost runs the take script (the one script with a job's takes
// among its keys) as a lost reply leaves it, once armed: it ran in
// Redis, then the client either got an error (lost: the connection
// broke, go-redis gave up), or ran it again (twice: go-redis retries a
// command whose connection dropped before the reply).
type takeReplyLost struct {
	armed atomic.Bool
	twice bool
}

func (h *takeReplyLost) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *takeReplyLost) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *takeReplyLost) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		takes := slices.ContainsFunc(cmd.Args(), func(a any) bool {
			s, _ := a.(string)
			return strings.HasPrefix(s, "w:{wipe}:takes:")
		})
		if err != nil && !errors.Is(err, redis.Nil) || !takes || !h.armed.CompareAndSwap(true, false) {
			return err
		}
		if h.twice {
			return next(ctx, cmd)
		}
		cmd.SetErr(io.ErrUnexpectedEOF)
		return cmd.Err()
	}
}

// The take that gives a job up (its processes died) whose answer is lost
// does not lose the notice its reporter is owed: the script ran (it gave
// the job up), go-redis either sent it again or gave up, and the job is
// still returned given up, with its route, by the same call (twice) or
// by a take past its lease (lost); WipeDone drops it then. Before, the
// give-up dropped the job: the second run, or the next take, found
// nothing, and the reporter, told their chat would be wiped, was never
// told it was not.
// Mutation: the take script dropping the job on its give-up (ZREM, DEL)
// → not given up again, test fails (both ways).
func TestWipeGivenUpSurvivesALostReply(t *testing.T) {
	for _, twice := range []bool{false, true} {
		srv := redistest.Start(t)
		rdb := srv.Client()
		h := &takeReplyLost{twice: twice}
		rdb.AddHook(h)
		kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
		s, err := New(rdb, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		now := time.Now()
		job := Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Language: "es", Pseudonym: "p1"}
		if err := s.ScheduleWipe(ctx, job, now); err != nil {
			t.Fatal(err)
		}
		for take := range wipeTakesMax { // processes that died
			if w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); err != nil || w.GivenUp {
				t.Fatalf("twice %v: take %d: %+v %v", twice, take+1, w, err)
			}
			now = now.Add(time.Minute + time.Second)
		}
		h.armed.Store(true)
		w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
		if h.armed.Load() {
			t.Fatalf("twice %v: the take's reply was not lost: the test tests nothing", twice)
		}
		if !twice {
			if err == nil {
				t.Fatalf("lost: take %+v: want its error", w)
			}
			// The next sweep, past the lease of the take that gave it up.
			now = now.Add(time.Minute + time.Second)
			if w, err = s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); err != nil {
				t.Fatalf("lost: the take after it: %v", err)
			}
		}
		if err != nil || !w.GivenUp || w.Route != job.Route || w.Language != "es" || w.Taken != wipeTakesMax {
			t.Fatalf("twice %v: take after a lost reply %+v %v: want given up, with its route, taken %d times", twice, w, err, wipeTakesMax)
		}
		// Within its lease nobody else gives it up (told twice).
		if w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); !errors.Is(err, ErrNotFound) {
			t.Fatalf("twice %v: taken again within the lease: %+v %v", twice, w, err)
		}
		if err := s.WipeDone(ctx, w); err != nil {
			t.Fatal(err)
		}
		if keys := srv.Client().Keys(ctx, "w:{wipe}:*").Val(); len(keys) != 0 {
			t.Fatalf("twice %v: left once told: %v", twice, keys)
		}
	}
}

// A job given up whose reporter is never told (each process that takes it
// dies before WipeDone: the notice is what kills it) is dropped untold
// after wipeNoticeTakesMax more takes, not given up every lease until it
// expires.
func TestWipeGivenUpIsDroppedAfterItsNoticeTakes(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true}, now); err != nil {
		t.Fatal(err)
	}
	given := 0
	for range wipeTakesMax + wipeNoticeTakesMax + 3 {
		w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if w.GivenUp {
			given++
		}
		now = now.Add(time.Minute + time.Second)
	}
	if given != 1+wipeNoticeTakesMax {
		t.Fatalf("given up %d times, want %d", given, 1+wipeNoticeTakesMax)
	}
	if keys := srv.Client().Keys(ctx, "w:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left: %v", keys)
	}
}

// A chat wipe given up by its takes (every process that took it died),
// held only till its reporter is told it was not done, is not told as
// still set by ChatWipeDue: it will never run, and /wipe now would
// promise the reporter a wipe that never comes. One still taken (its
// fifth take, being run) is. Before, a job given up whose notice was
// owed (held up to wipeNoticeTakesMax more leases) was told as due.
// Mutation: ChatWipeDue not reading the job's takes → test fails.
func TestChatWipeDueLeavesOutAWipeGivenUp(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	due := now.Add(time.Hour)
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, due); err != nil {
		t.Fatal(err)
	}
	now = due
	for take := range wipeTakesMax { // processes that died
		if w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); err != nil || w.GivenUp {
			t.Fatalf("take %d: %+v %v", take+1, w, err)
		}
		if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != due.UnixMilli() {
			t.Fatalf("take %d: due %v %v, want %v", take+1, at, err, due)
		}
		now = now.Add(time.Minute + time.Second)
	}
	w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
	if err != nil || !w.GivenUp {
		t.Fatalf("the take after: %+v %v, want given up", w, err)
	}
	if at, err := s.ChatWipeDue(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("given up, its notice owed: told due %v (%v)", at, err)
	}
	if err := s.WipeDone(ctx, w); err != nil {
		t.Fatal(err)
	}
	if keys := srv.Client().Keys(ctx, "w:{wipe}:*").Val(); len(keys) != 0 {
		t.Fatalf("left once told: %v", keys)
	}
}
