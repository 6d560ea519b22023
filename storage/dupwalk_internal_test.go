package storage

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage/redistest"
)

// perScript records, for every script run (EVAL or EVALSHA), how many
// times Redis ran HKEYS and HGET in it, from its command statistics: an
// entry of a list of duplicates the walk reads costs one HGET of its
// mark, and a stale one one HKEYS more (its marks under way).
type perScript struct {
	rdb          *redis.Client
	hkeys, hgets []int64
}

func (h *perScript) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *perScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *perScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name != "eval" && name != "evalsha" {
			return next(ctx, cmd)
		}
		h.rdb.ConfigResetStat(ctx)
		err := next(ctx, cmd)
		var hkeys, hgets int64
		for _, l := range strings.Split(h.rdb.Info(ctx, "commandstats").Val(), "\n") {
			name, rest, ok := strings.Cut(strings.TrimPrefix(l, "cmdstat_"), ":calls=")
			if !ok {
				continue
			}
			n, _ := strconv.ParseInt(rest[:strings.IndexByte(rest, ',')], 10, 64)
			switch name {
			case "hkeys":
				hkeys = n
			case "hget":
				hgets = n
			}
		}
		h.hkeys, h.hgets = append(h.hkeys, hkeys), append(h.hgets, hgets)
		return err
	}
}

// staleWarning is a warning W with, in its list of duplicates, 5,000
// stale entries (half marked a duplicate of another tip since, half gone)
// and 20 live ones; the first live one, L, has in its own list 700 stale
// entries and 3 live ones. It returns W, the live duplicates of W and
// those of L.
func staleWarning(t *testing.T, s *Store) (w string, live, behindL []string) {
	t.Helper()
	ctx := context.Background()
	if err := s.Subscribe(ctx, Subscription{Platform: "telegram", Chat: "-100", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.SubmitWarning(ctx, s.Pseudonym("telegram", "9"), "retén falso en el km 23", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	w = sub.TipID
	pipe := s.rdb.Pipeline()
	fill := func(orig string, from, stale, n int) (kept []string) {
		for i := range stale {
			m := strconv.Itoa(from + i)
			if i%2 == 0 {
				pipe.HSet(ctx, s.k.publication(m), "dup", "424242") // marked otherwise since
			}
			pipe.SAdd(ctx, s.k.duplicates(orig), m)
		}
		for i := range n {
			m := strconv.Itoa(from + stale + i)
			pipe.HSet(ctx, s.k.publication(m), "dup", orig)
			pipe.SAdd(ctx, s.k.duplicates(orig), m)
			kept = append(kept, m)
		}
		return kept
	}
	live = fill(w, 300000, 5000, 20)
	behindL = fill(live[0], 400000, 700, 3)
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return w, live, behindL
}

// listed returns the members of the list of duplicates of tip id, sorted.
func listed(t *testing.T, s *Store, id string) []string {
	t.Helper()
	m, err := s.rdb.SMembers(context.Background(), s.k.duplicates(id)).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func walkStore(t *testing.T) *Store {
	t.Helper()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("counts calls in Redis's command statistics, which the embedded one has not")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(srv.Client(), kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// An approval of a warning whose lists of duplicates hold 5,700 stale
// entries beside 23 live ones ends as one walk of them all did: the stale
// entries dropped, the live ones kept, refused while one of them is
// published (deep in the chain), started once it is not. Yet no script
// reads more than a batch (staleBatch) of stale entries: the walk stops
// short and they are dropped a batch a call.
// Mutation: publishedDuplicate without its stop short (read > reads) →
// one run reads all 5,700 stale entries (5,700 HKEYS), test fails;
// walked not dropping them (returning {-9, 0} as it is) → the approval
// is started unchecked (a -9 read as approvals), test fails.
func TestApprovalWalksStaleDuplicatesInBoundedRuns(t *testing.T) {
	ctx := context.Background()
	s := walkStore(t)
	w, live, behindL := staleWarning(t, s)
	published := behindL[1]
	s.rdb.HSet(ctx, s.k.publication(published), "state", "published")
	h := &perScript{rdb: s.rdb.(*redis.Client)}
	s.rdb.AddHook(h)
	a := PublishApproval{By: Claimer{Key: "inv-a", Route: "telegram:inv-a"}, Needed: 1}
	r, err := s.ApprovePublication(ctx, w, a)
	if err != nil || r.PublishedDuplicate != published || r.Started {
		t.Fatalf("approval with #%s published behind it: %+v %v; want refused, that duplicate published", published, r, err)
	}
	if p, err := s.PendingPublication(ctx, w, nil); err != nil || p.Approvals != 0 {
		t.Fatalf("refused, yet recorded: %+v %v", p, err)
	}
	runs, most := len(h.hkeys), slices.Max(h.hkeys)
	t.Logf("refused approval: %d script runs, at most %d HKEYS and %d HGET in one (staleBatch %d, walkReads %d)", runs, most, slices.Max(h.hgets), staleBatch, walkReads)
	if most > staleBatch+1 { // +1: the approve script's HKEYS of the warning's own record
		t.Fatalf("one script run read %d stale entries (HKEYS %v); want at most a batch, %d", most, h.hkeys, staleBatch)
	}
	if runs < 5700/staleBatch {
		t.Fatalf("%d script runs for 5,700 stale entries: the test does not see them", runs)
	}
	// A walk that finds a published duplicate stops there, stale entries
	// left unread or not: the live ones all stay.
	for _, l := range [][2]any{{w, live}, {live[0], behindL}} {
		if got := listed(t, s, l[0].(string)); !isSubset(l[1].([]string), got) {
			t.Fatalf("#%s's list after the refused walk lacks some of its %d live duplicates (%d entries)", l[0], len(l[1].([]string)), len(got))
		}
	}

	h.hkeys, h.hgets = nil, nil
	s.rdb.HDel(ctx, s.k.publication(published), "state")
	if r, err := s.ApprovePublication(ctx, w, a); err != nil || !r.Started {
		t.Fatalf("approval with no duplicate published: %+v %v; want started", r, err)
	}
	t.Logf("started approval: %d script runs, at most %d HKEYS and %d HGET in one", len(h.hkeys), slices.Max(h.hkeys), slices.Max(h.hgets))
	if most := slices.Max(h.hkeys); most > staleBatch+1 {
		t.Fatalf("one script run read %d stale entries (HKEYS %v); want at most a batch, %d", most, h.hkeys, staleBatch)
	}
	if got, want := listed(t, s, w), slices.Sorted(slices.Values(live)); !slices.Equal(got, want) {
		t.Fatalf("W's list after the walk holds %d entries, want its %d live ones", len(got), len(want))
	}
	if got := listed(t, s, live[0]); !slices.Equal(got, behindL) {
		t.Fatalf("L's list after the walk holds %d entries, want its %d live ones", len(got), len(behindL))
	}
}

func isSubset(sub, of []string) bool {
	for _, m := range sub {
		if !slices.Contains(of, m) {
			return false
		}
	}
	return true
}

// A walk cut short after its first batch (the process died, the
// connection was lost) leaves the lists part gone through: the approval
// failed, nothing recorded; the next approval goes through the rest and
// ends as one walk of them all did.
// Mutation: dropStale dropping a live entry it was given with the stale
// ones (SREM of every member) → the first batch takes live entries with
// it, the lists end short; walked stopping after one round of drops
// (maxWalkRuns 1) → the next approval fails too.
func TestApprovalWalkCutShortIsCompletedByTheNext(t *testing.T) {
	ctx := context.Background()
	s := walkStore(t)
	w, live, behindL := staleWarning(t, s)
	calls := 0
	dropStaleCall = func() error {
		if calls++; calls == 2 {
			return errors.New("cut short")
		}
		return nil
	}
	t.Cleanup(func() { dropStaleCall = nil })
	a := PublishApproval{By: Claimer{Key: "inv-a", Route: "telegram:inv-a"}, Needed: 1}
	if r, err := s.ApprovePublication(ctx, w, a); err == nil {
		t.Fatalf("approval cut short in its walk: %+v; want an error", r)
	}
	if p, err := s.PendingPublication(ctx, w, nil); err != nil || p.Approvals != 0 {
		t.Fatalf("cut short, yet recorded: %+v %v", p, err)
	}
	n := len(listed(t, s, w))
	if n >= 5020 || n <= walkReads {
		t.Fatalf("W's list holds %d entries after one batch; want a batch of the 5,020 gone through", n)
	}
	dropStaleCall = nil
	if r, err := s.ApprovePublication(ctx, w, a); err != nil || !r.Started {
		t.Fatalf("the next approval: %+v %v; want started", r, err)
	}
	if got, want := listed(t, s, w), slices.Sorted(slices.Values(live)); !slices.Equal(got, want) {
		t.Fatalf("W's list holds %d entries, want its %d live ones", len(got), len(want))
	}
	if got := listed(t, s, live[0]); !slices.Equal(got, behindL) {
		t.Fatalf("L's list holds %d entries, want its %d live ones", len(got), len(behindL))
	}
}

// A warning with more live duplicates than MaxDuplicates in a list longer
// than one walk reads (1,600 live, 2,000 stale): its approval is refused
// as too many, nothing recorded, and /publish's check says so too, as the
// walk said reading it whole; the stale entries it dropped before it saw
// too many live ones are gone, no live one.
// Mutation: walked without its answer past MaxDuplicates live ones
// (many) → the walk keeps stopping short, the approval fails
// (errWalkShort), test fails.
func TestApprovalWithTooManyLiveDuplicatesInALongListIsRefused(t *testing.T) {
	ctx := context.Background()
	s := walkStore(t)
	if err := s.Subscribe(ctx, Subscription{Platform: "telegram", Chat: "-100", Language: "es"}); err != nil {
		t.Fatal(err)
	}
	sub, err := s.SubmitWarning(ctx, s.Pseudonym("telegram", "9"), "retén falso en el km 23", "es", 1, "")
	if err != nil {
		t.Fatal(err)
	}
	w := sub.TipID
	pipe := s.rdb.Pipeline()
	var live []string
	for i := range 3600 {
		m := strconv.Itoa(500000 + i)
		if i%9 < 4 { // 1,600 live among 2,000 stale
			pipe.HSet(ctx, s.k.publication(m), "dup", w)
			live = append(live, m)
		}
		pipe.SAdd(ctx, s.k.duplicates(w), m)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, tooMany, err := s.PublishedDuplicate(ctx, w); err != nil || !tooMany {
		t.Fatalf("/publish's check of a warning with %d live duplicates: too many %v, %v; want too many", len(live), tooMany, err)
	}
	a := PublishApproval{By: Claimer{Key: "inv-a", Route: "telegram:inv-a"}, Needed: 1}
	if r, err := s.ApprovePublication(ctx, w, a); err != nil || !r.TooManyDuplicates || r.Started {
		t.Fatalf("approval of a warning with %d live duplicates: %+v %v; want refused as too many", len(live), r, err)
	}
	if p, err := s.PendingPublication(ctx, w, nil); err != nil || p.Approvals != 0 {
		t.Fatalf("refused, yet recorded: %+v %v", p, err)
	}
	if got := listed(t, s, w); !isSubset(live, got) || len(got) >= 3600 {
		t.Fatalf("W's list holds %d entries; want its %d live ones and fewer stale", len(got), len(live))
	}
}
