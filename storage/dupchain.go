package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// MaxDuplicateHops bounds a chain of duplicate marks (a duplicate of a
// duplicate of … its original): /triage follows one of this many marks
// (MaxDuplicateHops+1 tips) to its end, and Decide records no mark that
// would make one longer (see DuplicateChainError).
const MaxDuplicateHops = 8

// maxChainReads is how many times Decide reads the tips behind a tip it
// marks a duplicate, while marks onto its chain keep being recorded
// meanwhile, before it gives up.
const maxChainReads = 4

// The kinds of DuplicateChainError.
const (
	// ChainCycle: the tip marked onto leads back, by its marks, to the
	// tip being marked (Tip is the one marked a duplicate of it).
	ChainCycle = "cycle"
	// ChainLong: the chain from the tip marked onto runs past the bound
	// (read to Tip).
	ChainLong = "long"
	// ChainDeep: with the tips marked duplicates of the tip being marked
	// (Behind marks deep), the chain from the farthest of them would run
	// past the bound (Tip is the chain's original).
	ChainDeep = "deep"
	// ChainMoved: marks onto the chain kept being recorded while it was
	// read (maxChainReads times).
	ChainMoved = "moved"
	// ChainMany: more than MaxDuplicates tips are marked duplicates of the
	// tip being marked (Tip), counting theirs: more than a mark reads to
	// check the chains behind it (see duplicatesBehind). Refused before
	// the script, nothing recorded.
	ChainMany = "many"
)

// DuplicateChainError is Decide's refusal of a duplicate mark that the
// chain, as it stands when the mark is written, does not allow: checked in
// the script that writes it, so two marks at once (A a duplicate of B and
// B of A, or A marked onto an original being marked itself) cannot close
// a cycle or make a chain longer than MaxDuplicateHops. Nothing is
// recorded.
type DuplicateChainError struct {
	Kind   string
	Tip    string
	Behind int
}

func (e *DuplicateChainError) Error() string { return "duplicate mark refused: chain " + e.Kind }

func newDuplicateChainError(res []any) error {
	kind, _ := res[0].(string)
	tip, _ := res[1].(string)
	behind, _ := res[2].(string)
	e := &DuplicateChainError{Kind: kind, Tip: tip}
	e.Behind, _ = strconv.Atoi(behind)
	return e
}

// duplicatesBehind reads how many marks deep the tips marked duplicates
// of tip id go (by its list of duplicates, each member checked against
// its own mark: one marked otherwise since is passed by), up to
// MaxDuplicateHops (deeper makes no difference: no mark onto id's chain
// is allowed then); and first the version of them ("dv", see decide), so
// that the decide script refuses a reading a mark recorded since changed.
// It reads no more than MaxDuplicates members of those lists in all (each
// level's are counted before they are read): past that, the stale
// entries of the lists it reached (tips marked otherwise since, or gone,
// as an approval's walk finds them: see dropStaleDuplicates) are dropped,
// until more than MaxDuplicates live ones are seen, and they are read
// again; still past it, the mark is refused (a
// DuplicateChainError, ChainMany), as an approval of a warning with that
// many duplicates is (Approval.TooManyDuplicates), rather than read
// without bound. So stale entries never count toward the bound.
func (s *Store) duplicatesBehind(ctx context.Context, id string) (version string, behind int, err error) {
	version, err = s.rdb.HGet(ctx, s.k.tip(id), "dv").Result()
	if errors.Is(err, redis.Nil) {
		version = "0"
	} else if err != nil {
		return "", 0, fmt.Errorf("duplicates behind: %w", err)
	}
	behind, reached, err := s.readBehind(ctx, id)
	var many *DuplicateChainError
	if errors.As(err, &many) && many.Kind == ChainMany {
		if err := s.dropStaleDuplicates(ctx, reached); err != nil {
			return "", 0, err
		}
		behind, _, err = s.readBehind(ctx, id)
	}
	if err != nil {
		return "", 0, err
	}
	return version, behind, nil
}

// readBehind is duplicatesBehind's reading, without the version; it
// returns, with a ChainMany refusal, the tips whose lists it counted.
func (s *Store) readBehind(ctx context.Context, id string) (behind int, reached []string, err error) {
	level, seen, read := []string{id}, map[string]bool{id: true}, 0
	for ; behind < MaxDuplicateHops; behind++ {
		reached = append(reached, level...)
		pipe := s.rdb.Pipeline()
		sizes := make([]*redis.IntCmd, len(level))
		for i, cur := range level {
			sizes[i] = pipe.SCard(ctx, s.k.duplicates(cur))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return 0, nil, fmt.Errorf("duplicates behind: %w", err)
		}
		n := 0
		for _, size := range sizes {
			n += int(size.Val())
		}
		if n == 0 {
			break
		}
		if read += n; read > MaxDuplicates {
			return 0, reached, &DuplicateChainError{Kind: ChainMany, Tip: id}
		}
		pipe = s.rdb.Pipeline()
		lists := make([]*redis.StringSliceCmd, len(level))
		for i, cur := range level {
			lists[i] = pipe.SMembers(ctx, s.k.duplicates(cur))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return 0, nil, fmt.Errorf("duplicates behind: %w", err)
		}
		type member struct {
			id, of string
			mark   *redis.SliceCmd
		}
		var members []member
		pipe = s.rdb.Pipeline()
		for i, cur := range level {
			for _, m := range lists[i].Val() {
				if !seen[m] {
					members = append(members, member{m, cur, pipe.HMGet(ctx, s.k.tip(m), "s", "dup")})
				}
			}
		}
		if len(members) == 0 {
			break
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return 0, nil, fmt.Errorf("duplicates behind: %w", err)
		}
		var next []string
		for _, m := range members {
			v := m.mark.Val()
			if len(v) == 2 && v[0] == string(tips.StatusDuplicate) && v[1] == m.of && !seen[m.id] {
				seen[m.id] = true
				next = append(next, m.id)
			}
		}
		if len(next) == 0 {
			break
		}
		level = next
	}
	return behind, nil, nil
}

// dropStale takes out of tip ARGV[1]'s list of duplicates (KEYS[1]) those
// of its members ARGV[3]… whose mark, recorded or under way (publication
// hash ARGV[2] .. member), no longer names it, as an approval's walk
// does (namesOriginal): marked otherwise since, or gone. Every key is in
// hash slot {bc}. It returns the members it kept (live: their marks
// still name it), which dropStaleDuplicates counts toward the bound.
var dropStale = redis.NewScript(namesOriginal + `
local live = {}
for i = 3, #ARGV do
  if namesOriginal(ARGV[2] .. ARGV[i], ARGV[1]) then live[#live + 1] = ARGV[i]
  else redis.call('SREM', KEYS[1], ARGV[i]) end
end
return live`)

// staleBatch is how many members of a list of duplicates one dropStale
// call checks: a list is gone through a batch at a time (SSCAN), so that
// no call keeps Redis busy for long however long the list is.
const staleBatch = 500

// dropStaleDuplicates drops the stale entries of the lists of duplicates
// of tips ids (see dropStale), until it has seen more than MaxDuplicates
// live entries in them: those stay listed whatever the rest holds, so the
// mark is refused anyway, and the rest is left unread. A refused mark's
// work is so bounded by MaxDuplicates (a batch past it) and the stale
// entries it drops, however many live duplicates a tip has. Each stale
// entry is dropped once: the lists' growth is paid for once, not at every
// mark.
func (s *Store) dropStaleDuplicates(ctx context.Context, ids []string) error {
	// The live entries seen, by list: SSCAN may return a member twice
	// (the set resized meanwhile), which must not count twice.
	live := map[[2]string]bool{}
	for _, id := range ids {
		key := s.k.duplicates(id)
		var cursor uint64
		for {
			members, next, err := s.rdb.SScan(ctx, key, cursor, "", staleBatch).Result()
			if err != nil {
				return fmt.Errorf("drop stale duplicates: %w", err)
			}
			if len(members) > 0 {
				args := make([]any, 0, len(members)+2)
				args = append(args, id, s.k.publication(""))
				for _, m := range members {
					args = append(args, m)
				}
				kept, err := dropStale.Run(ctx, s.rdb, []string{key}, args...).StringSlice()
				if err != nil {
					return fmt.Errorf("drop stale duplicates: %w", err)
				}
				for _, m := range kept {
					live[[2]string{id, m}] = true
				}
				if len(live) > MaxDuplicates {
					return nil
				}
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
	}
	return nil
}
