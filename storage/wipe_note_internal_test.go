package storage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// The note of a reporter's chat wipes on their state ("x:w", which the
// draft script reads) keeps that state no longer than the note is read
// (till the hour after the wipe's due time ends), and goes once their
// last wipe is done or given up: not while another is still to come.
// Before, the note made the state live two days from the schedule, and
// stayed in it, past the wipe, as long as the state did.
// Mutations: noteWipe keeping the state stateLife(now) → fails (its
// life); WipeDone not forgetting the note → fails (left once done).
func TestWipeNoteGoesWithTheReportersLastWipe(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	now := time.Now()
	st := s.k.state("p1")
	first, second := now.Add(2*time.Hour), now.Add(3*time.Hour)
	for _, due := range []time.Time{first, second} {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, due); err != nil {
			t.Fatal(err)
		}
	}
	// Till the end of the hour after the later one's due time, at most.
	limit := time.Unix((hours(second.Add(wipeNoted))+1)*3600, 0).Sub(now)
	if ttl := rdb.PTTL(ctx, st).Val(); ttl <= 0 || ttl > limit {
		t.Fatalf("state lives %v for the note; want at most %v", ttl, limit)
	}
	take := func(at time.Time) Wipe {
		t.Helper()
		w, err := s.TakeWipe(ctx, at, []string{"telegram"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if err := s.WipeDone(ctx, take(first)); err != nil {
		t.Fatal(err)
	}
	if !rdb.HExists(ctx, st, "x:w").Val() {
		t.Fatal("the note went with the first wipe; the second is still to come")
	}
	if err := s.WipeDone(ctx, take(second)); err != nil {
		t.Fatal(err)
	}
	if rdb.HExists(ctx, st, "x:w").Val() || rdb.Exists(ctx, st).Val() != 0 {
		t.Fatalf("left once the last wipe was done: %v", rdb.HGetAll(ctx, st).Val())
	}
}

// A wipe scheduled as the reporter's last one is done is noted all the
// same: the note dropped by the one done is put back when its reporter's
// wipes are found not empty after the drop (forgetWipeNote).
// Mutation: forgetWipeNote not putting the note back → fails.
func TestWipeNoteOfAWipeScheduledAsTheLastIsDoneStays(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	now := time.Now()
	st := s.k.state("p1")
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now); err != nil {
		t.Fatal(err)
	}
	// Another, in their wipes (its own note the one there), just after
	// WipeDone saw them empty: what forgetWipeNote then finds.
	if err := s.rdb.ZAdd(ctx, s.k.wipesBy("p1"), redis.Z{Score: float64(now.Add(time.Hour).UnixMilli()), Member: "later"}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.forgetWipeNote(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if !rdb.HExists(ctx, st, "x:w").Val() {
		t.Fatal("the note was dropped though a wipe is still to come")
	}
}

// dropNoteBeforeSchedule drops a reporter's wipe note (as the WipeDone of
// their last wipe does) just before the schedule script adds a wipe to
// their wipes: the race forgetWipeNote and ScheduleWipe settle between
// them.
type dropNoteBeforeSchedule struct {
	other *redis.Client
	state string
}

func (h dropNoteBeforeSchedule) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h dropNoteBeforeSchedule) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h dropNoteBeforeSchedule) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); len(a) > 1 && a[0] == "evalsha" && a[1] == scheduleWipe.Hash() {
			h.other.HDel(ctx, h.state, "x:w")
		}
		return next(ctx, cmd)
	}
}

// A wipe scheduled as the reporter's last one is done, whose note that
// WipeDone drops after ScheduleWipe noted it but before the wipe is in
// their wipes (where forgetWipeNote looks), is noted all the same:
// ScheduleWipe notes it again once it is there.
// Mutation: ScheduleWipe not noting it again → fails.
func TestWipeNoteDroppedAsTheWipeIsScheduledIsNotedAgain(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	st := s.k.state("p1")
	s.rdb.AddHook(dropNoteBeforeSchedule{other: rdb, state: st})
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !rdb.HExists(ctx, st, "x:w").Val() {
		t.Fatal("a wipe scheduled unnoted")
	}
}

// A chat wipe done whose notice is kept to be sent again (Wiped) leaves
// its reporter's wipes, and, the last of them, takes their note with it:
// it is no wipe still to come.
// Mutations: RetryWipe keeping it among their wipes → fails (due);
// RetryWipe not forgetting the note → fails (noted).
func TestWipeKeptForItsNoticeIsNoWipeToCome(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	if err := s.ScheduleWipe(ctx, Wipe{Route: "discord:u1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now); err != nil {
		t.Fatal(err)
	}
	w, err := s.TakeWipe(ctx, now, []string{"discord"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w.Wiped = true
	if err := s.RetryWipe(ctx, w, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if at, err := s.ChatWipeDue(ctx, "p1"); err == nil {
		t.Errorf("kept for its notice alone, told due %v", at)
	}
	if srv.Client().HExists(ctx, s.k.state("p1"), "x:w").Val() {
		t.Error("kept for its notice alone, still noted")
	}
	if w, err := s.TakeWipe(ctx, now.Add(time.Minute), []string{"discord"}, time.Minute); err != nil || !w.Wiped {
		t.Fatalf("the notice's try: %+v %v", w, err)
	}
}

// commandCount counts the commands on wipes' keys sent to Redis, one by
// one or in pipelines (not a connection's own: HELLO, CLIENT).
type commandCount struct{ n *atomic.Int64 }

func (h commandCount) count(cmd redis.Cmder) {
	if slices.ContainsFunc(cmd.Args(), func(a any) bool { s, _ := a.(string); return strings.Contains(s, "{wipe}") }) {
		h.n.Add(1)
	}
}

func (h commandCount) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h commandCount) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.count(cmd)
		return next(ctx, cmd)
	}
}
func (h commandCount) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.count(c)
		}
		return next(ctx, cmds)
	}
}

// ChatWipeDue, which a draft's wipe warning reads, costs the same for a
// reporter who set many wipes as for one who set a single one: it reads
// the soonest few, not all of them. It still finds the soonest live one
// past wipes given up (held till told) and dropped.
// Mutation: ChatWipeDue reading all the reporter's wipes (ZRANGE 0 -1) →
// fails (commands).
func TestChatWipeDueReadsTheSoonestWipesOnly(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	for i := range 200 {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now.Add(time.Hour+time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// (Its script sent once first: Redis keeps it for the looks after.)
	if _, err := s.ChatWipeDue(ctx, "p0"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	var n atomic.Int64
	s.rdb.AddHook(commandCount{&n})
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != now.Add(time.Hour).UnixMilli() {
		t.Fatalf("due %v %v", at, err)
	}
	if got := n.Load(); got > 1+2*chatWipePage {
		t.Fatalf("%d commands for one look, want at most %d", got, 1+2*chatWipePage)
	}

	// The soonest ones given up (held till told) or dropped (expired):
	// passed over, across pages.
	ids := s.rdb.ZRange(ctx, s.k.wipesBy("p1"), 0, 10).Val()
	for i, id := range ids[:10] {
		if i%2 == 0 {
			s.rdb.Set(ctx, s.k.wipeTakes(id), wipeTakesMax+1, time.Hour)
		} else {
			s.rdb.Del(ctx, s.k.wipe(id))
		}
	}
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != now.Add(time.Hour+10*time.Minute).UnixMilli() {
		t.Fatalf("past ten given up or dropped: due %v %v, want the eleventh", at, err)
	}
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != now.Add(time.Hour+10*time.Minute).UnixMilli() {
		t.Fatalf("looked again: due %v %v, want the eleventh", at, err)
	}
}

// A chat wipe tried again past the hour its schedule noted (taken late:
// the platform's process, or Redis, was down at its due time; or the
// processes that took it died) is noted again till the hour after its
// new try: a tip begun before that try is warned that the wipe will
// delete it, as one begun before its first. Before, the note lapsed with
// the hour of the wipe's first due time, and the try still discarded the
// draft, unwarned (on Telegram, without a word after).
// Mutation: RetryWipe not noting a chat wipe tried again → fails.
func TestWipeTriedAgainPastItsNoteIsNotedAgain(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	s.now = func() time.Time { return now }
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Hour) // taken three hours late, and failed
	w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w.Attempts++
	if err := s.RetryWipe(ctx, w, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	d, err := s.AddToDraft(ctx, "p1", DraftPart{EventID: 7, Part: tips.Part{Text: "uno"}})
	if err != nil || !d.WipeUntold {
		t.Fatalf("a tip begun before the wipe's try again: %+v %v, want the wipe untold", d, err)
	}
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != now.Add(time.Minute).UnixMilli() {
		t.Fatalf("due %v %v, want its try again", at, err)
	}
}

// onSecondRange runs f once, before the second read of a page of a
// reporter's wipes (wipesAfter's EVALSHA; its EVAL follows the first
// where Redis had not seen the script).
type onSecondRange struct {
	n *atomic.Int64
	f func()
}

func (h onSecondRange) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h onSecondRange) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "evalsha" && slices.ContainsFunc(cmd.Args(), func(a any) bool { s, _ := a.(string); return strings.Contains(s, ":{wipe}:by:") }) && h.n.Add(1) == 2 {
			h.f()
		}
		return next(ctx, cmd)
	}
}
func (h onSecondRange) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A wipe given up (held till its reporter is told) that another process
// drops while ChatWipeDue reads the reporter's wipes does not make it
// pass over a live one: it reads them by due time, not by position.
// Before, the next page started as many places on as were passed over,
// one of them gone: the live wipe after it was skipped, "none" was
// answered, and the draft marked as told without a warning.
// Mutation: ChatWipeDue paging by position (ZRANGE skip…) → fails.
func TestChatWipeDueFindsALiveWipeThoughOneGivenUpGoesMeanwhile(t *testing.T) {
	s, srv := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	for i := range chatWipePage + 1 {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now.Add(time.Hour+time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	ids := s.rdb.ZRange(ctx, s.k.wipesBy("p1"), 0, -1).Val()
	for _, id := range ids[:chatWipePage] { // the first page: all given up
		s.rdb.Set(ctx, s.k.wipeTakes(id), wipeTakesMax+1, time.Hour)
	}
	other := srv.Client() // another process, telling the first one's reporter and dropping it
	s.rdb.AddHook(onSecondRange{new(atomic.Int64), func() {
		other.ZRem(ctx, s.k.wipesBy("p1"), ids[0])
		other.Del(ctx, s.k.wipe(ids[0]), s.k.wipeTakes(ids[0]))
	}})
	want := now.Add(time.Hour + time.Duration(chatWipePage)*time.Minute)
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != want.UnixMilli() {
		t.Fatalf("due %v %v, want the live one, %v", at, err, want)
	}

	// Due at the same time, across pages: those passed over are not read
	// as new, nor is the live one after them skipped.
	same := now.Add(2 * time.Hour)
	for range 3*chatWipePage + 1 {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p2"}, same); err != nil {
			t.Fatal(err)
		}
	}
	ids = s.rdb.ZRange(ctx, s.k.wipesBy("p2"), 0, -1).Val()
	for _, id := range ids[:3*chatWipePage] {
		s.rdb.Set(ctx, s.k.wipeTakes(id), wipeTakesMax+1, time.Hour)
	}
	if at, err := s.ChatWipeDue(ctx, "p2"); err != nil || at.UnixMilli() != same.UnixMilli() {
		t.Fatalf("due %v %v, want the last of those due together, %v", at, err, same)
	}
	s.rdb.Set(ctx, s.k.wipeTakes(ids[3*chatWipePage]), wipeTakesMax+1, time.Hour)
	if at, err := s.ChatWipeDue(ctx, "p2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("all given up: due %v %v, want none", at, err)
	}
}

// A chat wipe taken again past its lease (the process that took it died
// running it), or taken late (the platform's process, or Redis, down past
// its due time's next hour), is noted again till the hour after its
// lease: a tip begun before it runs is warned that the wipe will delete
// it. Before, only a try again (RetryWipe) noted it again: taken again
// past the hour its schedule noted, it ran without the note and
// discarded a draft begun meanwhile unwarned.
// Mutation: TakeWipe not noting the chat wipe it takes → fails.
func TestWipeTakenAgainPastItsNoteIsNotedAgain(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	now := time.Now()
	s.now = func() time.Time { return now }
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute) // taken when due; its process dies running it
	first, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Hour) // taken again three hours later (the platform's process down meanwhile)
	w, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute)
	if err != nil || w.id != first.id || w.GivenUp {
		t.Fatalf("taken again: %+v %v, want the job taken before", w, err)
	}
	d, err := s.AddToDraft(ctx, "p1", DraftPart{EventID: 7, Part: tips.Part{Text: "uno"}})
	if err != nil || !d.WipeUntold {
		t.Fatalf("a tip begun as the wipe is taken again: %+v %v, want the wipe untold", d, err)
	}

	// Nor is one kept for its notice alone (its chat wiped) noted: it
	// deletes no draft.
	if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:2", MessageID: "9", Chat: true, Pseudonym: "p2", Wiped: true}, now); err != nil {
		t.Fatal(err)
	}
	st := s.k.state("p2")
	if err := s.rdb.HDel(ctx, st, "x:w").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeWipe(ctx, now, []string{"telegram"}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if s.rdb.HExists(ctx, st, "x:w").Val() {
		t.Fatal("a wipe whose chat is wiped noted as to come")
	}
}

// pagesRead counts the wipes read from a reporter's wipes (wipesBy), page
// by page, whatever reads them.
type pagesRead struct{ n *atomic.Int64 }

func (h pagesRead) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h pagesRead) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if !slices.ContainsFunc(cmd.Args(), func(a any) bool { s, _ := a.(string); return strings.Contains(s, ":{wipe}:by:") }) {
			return err
		}
		switch c := cmd.(type) {
		case *redis.ZSliceCmd:
			h.n.Add(int64(len(c.Val())))
		case *redis.StringSliceCmd:
			h.n.Add(int64(len(c.Val())))
		case *redis.Cmd:
			if v, ok := c.Val().([]any); ok {
				h.n.Add(int64(len(v) / 2)) // (id and due time)
			}
		}
		return err
	}
}
func (h pagesRead) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// Many of a reporter's wipes given up (held till each is told) and due
// in the same millisecond (a burst of /wipe 1h in one message's time, or
// one process's jobs given up together) cost ChatWipeDue a read of each,
// once: it pages past the last wipe read by its due time and id. Before,
// each page started again at that due time and read again every wipe
// passed over that was due then: the wipes read grew with the square of
// those given up in the same millisecond (200: some 5,000 read).
// Mutation: ChatWipeDue as before (paging by due time, reading the ties
// again) → fails.
func TestChatWipeDueReadsWipesDueTogetherOnce(t *testing.T) {
	s, _ := wipeStore(t)
	ctx := context.Background()
	same := time.Now().Add(time.Hour)
	const given = 200
	for range given + 1 {
		if err := s.ScheduleWipe(ctx, Wipe{Route: "telegram:1", MessageID: "9", Chat: true, Pseudonym: "p1"}, same); err != nil {
			t.Fatal(err)
		}
	}
	ids := s.rdb.ZRange(ctx, s.k.wipesBy("p1"), 0, -1).Val()
	for _, id := range ids[:given] {
		s.rdb.Set(ctx, s.k.wipeTakes(id), wipeTakesMax+1, time.Hour)
	}
	var n atomic.Int64
	s.rdb.AddHook(pagesRead{&n})
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != same.UnixMilli() {
		t.Fatalf("due %v %v, want the last of those due together, %v", at, err, same)
	}
	if got := n.Load(); got > given+chatWipePage {
		t.Fatalf("%d wipes read to pass %d given up, want at most %d", got, given, given+chatWipePage)
	}
	// Ties broken by id across a page whose last wipe another process
	// drops before the next page is read: the next starts where it was.
	s.rdb.AddHook(onSecondRange{new(atomic.Int64), func() {
		s.rdb.ZRem(ctx, s.k.wipesBy("p1"), ids[chatWipePage-1])
	}})
	if at, err := s.ChatWipeDue(ctx, "p1"); err != nil || at.UnixMilli() != same.UnixMilli() {
		t.Fatalf("the last of a page dropped: due %v %v, want the last of those due together, %v", at, err, same)
	}
	n.Store(0)
	s.rdb.Set(ctx, s.k.wipeTakes(ids[given]), wipeTakesMax+1, time.Hour)
	if at, err := s.ChatWipeDue(ctx, "p1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("all given up: due %v %v, want none", at, err)
	}
	if got := n.Load(); got > given+chatWipePage {
		t.Fatalf("%d wipes read to pass %d given up, want at most %d", got, given, given+chatWipePage)
	}
}
