package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Wipe is a scheduled deletion in a private chat: one message the bot
// sent (an enrolment secret), or a whole conversation up to a message.
type Wipe struct {
	// Route is "platform:chat".
	Route string `json:"r"`
	// MessageID is the message to delete, or, for a whole chat, the newest
	// message to delete from.
	MessageID string `json:"m"`
	// Chat is true to delete the whole conversation the bot can delete.
	Chat bool `json:"c,omitempty"`
	// Language is what the reporter reads, for the notice afterwards.
	Language string `json:"l,omitempty"`
	// Pseudonym is the reporter's, for a whole chat: their unsent draft
	// goes with the chat when the wipe runs.
	Pseudonym string `json:"p,omitempty"`
	// Event is the platform event the wipe was set from, for a whole
	// chat: when it runs, copies of that message and earlier ones the
	// platform delivers again are not answered (MarkWiped). Zero in a job
	// set by a version before it.
	Event int64 `json:"e,omitempty"`
	// Attempts counts failed tries.
	Attempts int `json:"a,omitempty"`
	// Wiped is set once a try deleted the chat but could not send the
	// notice that follows it: a later try only sends the notice (the
	// chat is not wiped again, nor a draft begun since discarded), and
	// one given up tells the reporter the chat was wiped. Discarded says
	// whether that try discarded an unsent draft, for the notice.
	Wiped     bool `json:"w,omitempty"`
	Discarded bool `json:"d,omitempty"`
	// DiscardOwed is set, with Wiped, where that try could not discard
	// the reporter's unsent draft (Redis failed): the time of the wipe
	// (unix ms). A later try discards a draft begun by then (not one
	// begun since) before the notice: the process that owes it in
	// memory may not be the one that takes the job again.
	DiscardOwed int64 `json:"o,omitempty"`
	// GivenUp is set, by TakeWipe, on a job taken wipeTakesMax times in a
	// row without being settled (its process died each time: a job that
	// crashes it): it is not to be run, but its reporter is to be told it
	// was not done, then the job dropped (WipeDone); till then it is
	// given up again past its lease (the notice is owed, not lost with a
	// reply or a process). Taken says how many times. Its other
	// fields are as it was scheduled, unless its record could not be
	// opened (Route is empty then).
	GivenUp bool `json:"-"`
	Taken   int  `json:"-"`

	// id and platform name a job TakeWipe took, for WipeDone and
	// RetryWipe.
	id, platform string
}

// wipePlatform is the platform of a job's route ("platform:chat"), which
// names its schedule (wipesOf).
func wipePlatform(route string) (string, bool) {
	platform, _, ok := strings.Cut(route, ":")
	return platform, ok && platform != "" && !strings.ContainsAny(platform, "{} \t\n")
}

// ScheduleWipe stores w, sealed (it names a chat), to run at due, in its
// platform's schedule: only a process that runs that platform takes it.
// The schedule outlives the job's record, and no more: the schedule of a
// platform no process runs any more (its jobs never taken, never dropped)
// goes once the last of its jobs' records has expired.
func (s *Store) ScheduleWipe(ctx context.Context, w Wipe, due time.Time) error {
	platform, ok := wipePlatform(w.Route)
	if !ok {
		return errors.New("schedule wipe: no platform in its route")
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	id := hex.EncodeToString(b)
	plain, err := json.Marshal(w)
	if err != nil {
		return err
	}
	sealed, err := s.kr.seal(plain, "wipe:"+id)
	if err != nil {
		return err
	}
	// A job outlives its due time by a week at most: a chat that could not
	// be reached by then is not worth keeping a route to.
	ttl := max(time.Until(due)+7*24*time.Hour, time.Millisecond)
	keys := []string{s.k.wipe(id), s.k.wipesOf(platform)}
	if w.Chat && w.Pseudonym != "" {
		keys = append(keys, s.k.wipesBy(w.Pseudonym))
		// Noted on the reporter's own state first, where the draft script
		// reads it (AddToDraft's WipeUntold: no read more for a part),
		// so that no wipe is scheduled unnoted.
		if err := s.noteWipe(ctx, w.Pseudonym, hours(due.Add(wipeNoted))); err != nil {
			return fmt.Errorf("schedule wipe: %w", err)
		}
	}
	err = scheduleWipe.Run(ctx, s.rdb, keys, sealed, ttl.Milliseconds(), id, due.UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("schedule wipe: %w", err)
	}
	if w.Chat && w.Pseudonym != "" {
		// Noted again, now that it is in their wipes: the last of their
		// wipes done meanwhile may have dropped the note before this one
		// was there (forgetWipeNote). Noted before already, so a failure
		// here loses nothing but to that race.
		_ = s.noteWipe(ctx, w.Pseudonym, hours(due.Add(wipeNoted)))
	}
	return nil
}

// noteWipe notes on pseudonym's state that one of their chat wipes may
// be to come until the hour until (noteWipe's script). The state lives
// till that hour ends, no longer for the note: a whole hour, as the
// other "x:" fields are kept, so that its expiry says no more than the
// hour; the note goes before (forgetWipeNote) once their last wipe is
// done.
func (s *Store) noteWipe(ctx context.Context, pseudonym string, until int64) error {
	life := time.Unix((until+1)*3600, 0).Sub(s.now())
	return noteWipe.Run(ctx, s.rdb, []string{s.k.state(pseudonym)}, until, max(life, time.Millisecond).Milliseconds()).Err()
}

// forgetWipeNote drops the note of pseudonym's chat wipes (noteWipe)
// once the last of them is done or given up (their wipes were seen
// empty): nothing about the reporter outlives their wipes for it. A wipe
// they schedule meanwhile is noted again: found in their wipes after
// the drop, the note dropped is put back; added after that look,
// ScheduleWipe notes it again itself.
func (s *Store) forgetWipeNote(ctx context.Context, pseudonym string) error {
	until, err := dropWipeNote.Run(ctx, s.rdb, []string{s.k.state(pseudonym)}).Int64()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("forget wipe note: %w", err)
	}
	n, err := s.rdb.ZCard(ctx, s.k.wipesBy(pseudonym)).Result()
	if err != nil {
		return fmt.Errorf("forget wipe note: %w", err)
	}
	if n > 0 {
		if err := s.noteWipe(ctx, pseudonym, until); err != nil {
			return fmt.Errorf("forget wipe note: %w", err)
		}
	}
	return nil
}

// dropWipeNote drops the note of a reporter's chat wipes ("x:w") from
// their state KEYS[1], and answers it (nil if there was none).
var dropWipeNote = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'x:w')
if v then redis.call('HDEL', KEYS[1], 'x:w') end
return v`)

// wipeNoted is how long past its due time a reporter's chat wipe is
// noted on their state as maybe still to come (noteWipe): one tried
// again, or taken again past a lease, runs a little late.
const wipeNoted = time.Hour

// noteWipe notes, on a reporter's state KEYS[1], that a chat wipe they
// scheduled may be to come until the hour ARGV[1] (field "x:w", valued
// as the state's other "x:" fields are, in hours, and forgotten with
// them past it: finishDraft), the latest of their wipes; the state lives
// at least ARGV[2] ms (till that hour ends).
var noteWipe = redis.NewScript(`
if tonumber(redis.call('HGET', KEYS[1], 'x:w') or '0') < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'x:w', ARGV[1]) end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`)

// outliveJob, in a script, makes a platform's schedule (schedule) live
// at least as long as a job's record added to it (ms more), given its
// time to live before the job was added (before, as PTTL answered it).
// One kept with no expiry (by versions before schedules expired) is left
// so: it may hold jobs that live longer.
const outliveJob = `
local function outliveJob(schedule, before, ms)
  if before == -2 or (before >= 0 and before < ms) then redis.call('PEXPIRE', schedule, ms) end
end
`

// scheduleWipe stores job ARGV[3] (its record KEYS[1], sealed ARGV[1],
// expiring in ARGV[2] ms) due at ARGV[4] (unix ms) in its platform's
// schedule KEYS[2], and, for a reporter's chat wipe, in their wipes
// KEYS[3] (wipesBy); each outlives it (outliveJob).
var scheduleWipe = redis.NewScript(outliveJob + `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do
  local before = redis.call('PTTL', KEYS[i])
  redis.call('ZADD', KEYS[i], ARGV[4], ARGV[3])
  outliveJob(KEYS[i], before, tonumber(ARGV[2]))
end
return 1`)

// ChatWipeDue is when the soonest of the chat wipes the reporter
// pseudonym scheduled and that are not done yet is due (or was: one
// being run, or to be tried again). One given up by its takes (held till
// its reporter is told it was not done) is not: it will not run.
// ErrNotFound if there is none. It reads their wipes a few at a time,
// soonest first, and stops at the first still to come: a draft's warning
// costs the same however many wipes they set (see chatWipePage). Each
// page starts past the wipe the last one ended at, by its due time and
// id (wipesAfter), not at a position: a wipe passed over that another
// process drops meanwhile (told, done) moves the others' positions, and
// a page by position would skip one; nor at its due time alone: those
// passed over that are due in the same millisecond would be read again
// on every page.
func (s *Store) ChatWipeDue(ctx context.Context, pseudonym string) (time.Time, error) {
	key := s.k.wipesBy(pseudonym)
	after, afterID := "", "" // where the last page ended: none yet
	for {
		raw, err := wipesAfter.Run(ctx, s.rdb, []string{key}, after, afterID, chatWipePage).StringSlice()
		if err != nil {
			return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
		}
		type job struct {
			id  string
			due float64
		}
		var jobs []job
		for i := 0; i+1 < len(raw); i += 2 {
			due, err := strconv.ParseFloat(raw[i+1], 64)
			if err != nil {
				return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
			}
			jobs = append(jobs, job{raw[i], due})
		}
		live := make([]*redis.IntCmd, len(jobs))
		takes := make([]*redis.StringCmd, len(jobs))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, j := range jobs {
				live[i] = p.Exists(ctx, s.k.wipe(j.id))
				takes[i] = p.Get(ctx, s.k.wipeTakes(j.id))
			}
			return nil
		}); err != nil && !errors.Is(err, redis.Nil) {
			return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
		}
		for i, j := range jobs { // (by due time, soonest first)
			if err := live[i].Err(); err != nil {
				return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
			}
			if err := takes[i].Err(); err != nil && !errors.Is(err, redis.Nil) {
				return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
			}
			if n, _ := takes[i].Int(); n > wipeTakesMax {
				continue // given up: dropped (WipeDone) once its reporter is told
			}
			if live[i].Val() == 1 {
				return time.UnixMilli(int64(j.due)), nil
			}
			// Dropped without its reporter's wipes (given up untold, or
			// expired): forgotten here too.
			if err := s.rdb.ZRem(ctx, key, j.id).Err(); err != nil {
				return time.Time{}, fmt.Errorf("chat wipe due: %w", err)
			}
		}
		if len(jobs) < chatWipePage {
			return time.Time{}, ErrNotFound
		}
		last := jobs[len(jobs)-1]
		after, afterID = strconv.FormatFloat(last.due, 'f', -1, 64), last.id
	}
}

// wipesAfter answers, with their due times, the first ARGV[3] of a
// reporter's wipes KEYS[1] (wipesBy) that come after the one ARGV[2] due
// at ARGV[1] (the first ones if ARGV[1] is empty), in the set's order: by
// due time, then by id, byte by byte. That one need not be there still
// (dropped meanwhile): where it would be is found among those due when
// it was, by halves, so a page costs the same however many are due in
// the same millisecond. (Ids are compared a byte at a time, not with
// Lua's string order, which follows the server's locale.)
var wipesAfter = redis.NewScript(`
local from = 0
if ARGV[1] ~= '' then
  local function after(a, b) -- a sorts after b
    for i = 1, math.min(#a, #b) do
      local x, y = string.byte(a, i), string.byte(b, i)
      if x ~= y then return x > y end
    end
    return #a > #b
  end
  local lo = redis.call('ZCOUNT', KEYS[1], '-inf', '(' .. ARGV[1])
  local hi = redis.call('ZCOUNT', KEYS[1], '-inf', ARGV[1])
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local m = redis.call('ZRANGE', KEYS[1], mid, mid)[1]
    if after(m, ARGV[2]) then hi = mid else lo = mid + 1 end
  end
  from = lo
end
return redis.call('ZRANGE', KEYS[1], from, from + tonumber(ARGV[3]) - 1, 'WITHSCORES')`)

// chatWipePage is how many of a reporter's wipes ChatWipeDue reads at a
// time: the soonest is nearly always the answer; a few given up, held
// till told, or dropped, are passed over in the same round trips.
const chatWipePage = 4

// wipeTakesMax is how many times in a row a job is taken without being
// settled (WipeDone, RetryWipe) before it is given up: a job whose run
// kills its process (a poison job) is not taken again every lease until
// it expires, killing a process each time. A job that fails is settled
// (RetryWipe) and counted apart (Wipe.Attempts), so the takes count
// deaths only: a process restarted once or twice mid-run (a deploy)
// loses no wipe.
const wipeTakesMax = 5

// wipeNoticeTakesMax is how many more times a job given up (GivenUp) is
// taken, each to tell its reporter, before it is dropped untold: its
// notice is owed until WipeDone drops it, so a take whose answer was
// lost, or a process that died before the notice, does not lose it; and a
// notice whose sending kills its process is not taken every lease.
const wipeNoticeTakesMax = 3

// takeWipe takes job ARGV[1] (its schedule KEYS[1], its record KEYS[2],
// its takes KEYS[3]) if it is due at ARGV[2] (unix ms) and not being
// run: its place in the schedule becomes the end of the lease ARGV[3],
// and the script answers its record. Past the lease (its process died),
// it is due again: taken again, not lost, up to ARGV[4] times in a row
// (wipeTakesMax); a take after that gives it up: it answers how many
// times it was taken (ARGV[4]) and its record, for its reporter to be
// told it was not done, and leaves the job leased as any take does, its
// notice owed until WipeDone drops it: an answer lost (go-redis sends
// the script again, or gives up) is answered again, by this call's run
// again or by a take past the lease. ARGV[5] (wipeNoticeTakesMax) more
// takes after the first give-up drop it untold. A lease that already
// ends at ARGV[3] is this call's own, written by a first run whose
// answer was lost (go-redis sends the script again): taken (or given up)
// again, not left until the lease ends, nor counted twice. (Another
// process taking the same job in the same millisecond would take it too:
// a chat wiped twice.) A job whose record expired is dropped.
var takeWipe = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return false end
local own = tonumber(s) == tonumber(ARGV[3])
if not own and tonumber(s) > tonumber(ARGV[2]) then return false end
local v = redis.call('GET', KEYS[2])
if not v then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[3])
  return false
end
local max = tonumber(ARGV[4])
local n
if own then
  n = tonumber(redis.call('GET', KEYS[3]) or '0')
else
  n = redis.call('INCR', KEYS[3])
  if n > max + tonumber(ARGV[5]) + 1 then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('DEL', KEYS[2], KEYS[3])
    return false
  end
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
if n > max then return {max, v} end
return v`)

// moveWipe moves job ARGV[1] (its record KEYS[3]) from the schedule of
// every platform, as versions before wipesOf kept it (KEYS[1]), to its
// platform's (KEYS[2]), due when it was; KEYS[2] outlives it
// (outliveJob). One whose record expired since it was read is dropped,
// not moved: added alone, it would make its platform's schedule with no
// expiry, which outliveJob then leaves so for good.
var moveWipe = redis.NewScript(outliveJob + `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return 0 end
local ttl = redis.call('PTTL', KEYS[3])
if ttl == -2 then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
local before = redis.call('PTTL', KEYS[2])
redis.call('ZADD', KEYS[2], s, ARGV[1])
if ttl > 0 then outliveJob(KEYS[2], before, ttl) end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`)

// TakeWipe takes the job due longest by now among those of platforms (the
// ones this process runs) for lease: another process does not take it
// before the lease ends, when it is due again unless WipeDone or
// RetryWipe settled it. ErrNotFound if none is due. A job of another
// platform is never taken: it stays for the process that runs it. A job
// taken wipeTakesMax times in a row, never settled, is returned GivenUp
// (not to be run), leased like any other: its notice is owed until
// WipeDone drops it.
func (s *Store) TakeWipe(ctx context.Context, now time.Time, platforms []string, lease time.Duration) (Wipe, error) {
	if err := s.moveOldWipes(ctx); err != nil {
		return Wipe{}, err
	}
	max := strconv.FormatInt(now.UnixMilli(), 10)
	end := now.Add(lease).UnixMilli()
	for range 10 { // (each try lost to another process, or a job expired)
		cmds := make([]*redis.ZSliceCmd, len(platforms))
		if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, platform := range platforms {
				cmds[i] = p.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: s.k.wipesOf(platform), ByScore: true, Start: "-inf", Stop: max, Count: 1})
			}
			return nil
		}); err != nil {
			return Wipe{}, fmt.Errorf("due wipes: %w", err)
		}
		first, platform, id := math.Inf(1), "", ""
		for i, c := range cmds {
			if z := c.Val(); len(z) == 1 && z[0].Score < first {
				first, platform, id = z[0].Score, platforms[i], fmt.Sprint(z[0].Member)
			}
		}
		if id == "" {
			return Wipe{}, ErrNotFound
		}
		res, err := takeWipe.Run(ctx, s.rdb, []string{s.k.wipesOf(platform), s.k.wipe(id), s.k.wipeTakes(id)},
			id, now.UnixMilli(), end, wipeTakesMax, wipeNoticeTakesMax).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return Wipe{}, fmt.Errorf("take wipe: %w", err)
		}
		if a, ok := res.([]any); ok && len(a) == 2 {
			return s.givenUpWipe(id, platform, a[0], a[1]), nil
		}
		v, _ := res.(string)
		w := Wipe{id: id, platform: platform}
		plain, err := s.kr.open([]byte(v), "wipe:"+id)
		if err != nil || json.Unmarshal(plain, &w) != nil {
			// Unreadable: nothing to do with it.
			if err := s.WipeDone(ctx, w); err != nil {
				return Wipe{}, err
			}
			continue
		}
		w.id, w.platform = id, platform
		if w.Chat && w.Pseudonym != "" && !w.Wiped {
			// To run now, or, its process dying, past the lease: noted
			// till the hour after that, as RetryWipe notes a try again.
			// A job taken late, or again past a lease, is run past the
			// note its schedule made (its due time's next hour): a draft
			// begun meanwhile would be discarded unwarned. Not noted, it
			// is not run now: taken again past the lease.
			if err := s.noteWipe(ctx, w.Pseudonym, hours(time.UnixMilli(end).Add(wipeNoted))); err != nil {
				return Wipe{}, fmt.Errorf("take wipe: %w", err)
			}
		}
		return w, nil
	}
	return Wipe{}, ErrNotFound
}

// givenUpWipe is job id of platform as the take script gave it up: taken
// n times, its record sealed. One that cannot be opened is returned with
// no route. It is still held (its notice owed) until WipeDone drops it.
func (s *Store) givenUpWipe(id, platform string, n, sealed any) Wipe {
	taken, _ := n.(int64)
	v, _ := sealed.(string)
	var w Wipe
	plain, err := s.kr.open([]byte(v), "wipe:"+id)
	if err != nil || json.Unmarshal(plain, &w) != nil {
		w = Wipe{}
	}
	w.GivenUp, w.Taken = true, int(taken)
	w.id, w.platform = id, platform
	return w
}

// moveOldWipes moves the jobs in the schedule versions before wipesOf
// kept for every platform to their platform's, where TakeWipe finds them,
// each due when it was. A process of any platform moves them; none is
// taken. They are moved at once, not when due: during a rolling upgrade
// a process of an earlier version still takes a due job of that schedule
// whatever its platform, and drops one of a platform it does not run (a
// Telegram reporter's wipe taken by a Discord process, never done).
func (s *Store) moveOldWipes(ctx context.Context) error {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.wipes(), ByScore: true, Start: "-inf", Stop: "+inf", Count: 50}).Result()
	if err != nil {
		return fmt.Errorf("due wipes: %w", err)
	}
	for _, id := range ids {
		v, err := s.rdb.Get(ctx, s.k.wipe(id)).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("due wipes: %w", err)
		}
		var w Wipe
		plain, oerr := s.kr.open([]byte(v), "wipe:"+id)
		platform, ok := "", false
		if err == nil && oerr == nil && json.Unmarshal(plain, &w) == nil {
			platform, ok = wipePlatform(w.Route)
		}
		if !ok {
			// Expired or unreadable: nothing to do with it.
			if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, s.k.wipes(), id)
				p.Del(ctx, s.k.wipe(id))
				return nil
			}); err != nil {
				return fmt.Errorf("due wipes: %w", err)
			}
			continue
		}
		if err := moveWipe.Run(ctx, s.rdb, []string{s.k.wipes(), s.k.wipesOf(platform), s.k.wipe(id)}, id).Err(); err != nil {
			return fmt.Errorf("due wipes: %w", err)
		}
	}
	return nil
}

// WipeDone drops w, a job TakeWipe took: done, or given up; with the
// last chat wipe of its reporter, the note of it on their state
// (forgetWipeNote).
func (s *Store) WipeDone(ctx context.Context, w Wipe) error {
	if w.id == "" {
		return errors.New("wipe done: not a job taken")
	}
	var left *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.k.wipesOf(w.platform), w.id)
		p.Del(ctx, s.k.wipe(w.id), s.k.wipeTakes(w.id))
		if w.Chat && w.Pseudonym != "" {
			p.ZRem(ctx, s.k.wipesBy(w.Pseudonym), w.id)
			left = p.ZCard(ctx, s.k.wipesBy(w.Pseudonym))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("wipe done: %w", err)
	}
	if left != nil && left.Val() == 0 {
		// Their last wipe: its note goes too (it would otherwise keep
		// their state, and that they set a wipe, till its hour ends).
		if err := s.forgetWipeNote(ctx, w.Pseudonym); err != nil {
			return fmt.Errorf("wipe done: %w", err)
		}
	}
	return nil
}

// RetryWipe keeps w, a job TakeWipe took, as it is now (its Attempts), to
// run again at due. One dropped meanwhile is not made again. Its takes
// are settled: it is given up by its Attempts, not by its takes. A chat
// wipe whose chat is wiped (Wiped: kept for its notice alone) leaves its
// reporter's wipes (ChatWipeDue tells it no more as to come), and, with
// the last of them, the note of them on their state; any other chat wipe
// is noted again till the hour after due (noteWipe).
func (s *Store) RetryWipe(ctx context.Context, w Wipe, due time.Time) error {
	if w.id == "" {
		return errors.New("retry wipe: not a job taken")
	}
	plain, err := json.Marshal(w)
	if err != nil {
		return err
	}
	sealed, err := s.kr.seal(plain, "wipe:"+w.id)
	if err != nil {
		return err
	}
	var left *redis.IntCmd
	var kept *redis.StatusCmd
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		kept = p.SetArgs(ctx, s.k.wipe(w.id), sealed, redis.SetArgs{Mode: "XX", KeepTTL: true})
		p.ZAddXX(ctx, s.k.wipesOf(w.platform), redis.Z{Score: float64(due.UnixMilli()), Member: w.id})
		switch {
		case w.Chat && w.Pseudonym != "" && w.Wiped:
			// The chat is wiped: only its notice is to come. It is no
			// wipe of theirs still to come (ChatWipeDue), nor noted.
			p.ZRem(ctx, s.k.wipesBy(w.Pseudonym), w.id)
			left = p.ZCard(ctx, s.k.wipesBy(w.Pseudonym))
		case w.Chat && w.Pseudonym != "":
			p.ZAddXX(ctx, s.k.wipesBy(w.Pseudonym), redis.Z{Score: float64(due.UnixMilli()), Member: w.id})
		}
		p.Del(ctx, s.k.wipeTakes(w.id)) // settled: its takes start again
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("retry wipe: %w", err)
	}
	if left != nil && left.Val() == 0 {
		if err := s.forgetWipeNote(ctx, w.Pseudonym); err != nil {
			return fmt.Errorf("retry wipe: %w", err)
		}
	}
	if w.Chat && w.Pseudonym != "" && !w.Wiped && kept.Err() == nil {
		// Still to come, at due: noted till the hour after it, as when it
		// was scheduled (a try taken late, past that note's hour, would
		// otherwise discard a draft begun meanwhile unwarned).
		if err := s.noteWipe(ctx, w.Pseudonym, hours(due.Add(wipeNoted))); err != nil {
			return fmt.Errorf("retry wipe: %w", err)
		}
	}
	return nil
}
