package storage

import (
	"context"
	"errors"
	"fmt"
)

// walkReads bounds how many members of lists of duplicates one run of an
// approval's walk (publishedDuplicate) reads: the MaxDuplicates it checks
// and a batch (staleBatch) of stale entries. A walk that would read more
// stops short ({-9, 0}); walked drops the stale entries a batch a call
// and runs it again, so no one script keeps Redis busy however many
// stale entries the lists gathered.
const walkReads = MaxDuplicates + staleBatch

// maxWalkRuns is how many times walked runs a walk that keeps stopping
// short (stale entries gathering again between its runs) before it gives
// up.
const maxWalkRuns = 4

// errWalkShort is walked's error when the walk kept stopping short.
var errWalkShort = errors.New("lists of duplicates keep growing past one walk's reads")

// walked runs run, a script whose walk of the duplicates of tip id
// (publishedDuplicate) may stop short ({-9, 0}: more listed than one run
// reads, see walkReads): then it drops the stale entries of the lists
// behind id, a batch a call (dropStaleBehind), and runs it again. A walk
// with more than MaxDuplicates live duplicates behind id is {-8, 0},
// as the walk returns past that bound, without another run. Each batch is
// dropped atomically and dropping one again changes nothing: a walk cut
// short (a crash, a lost connection) leaves lists the next one goes
// through as it would have.
func (s *Store) walked(ctx context.Context, id string, run func() ([]int64, error)) ([]int64, error) {
	for try := 1; ; try++ {
		res, err := run()
		if err != nil || len(res) == 0 || res[0] != -9 {
			return res, err
		}
		if try == maxWalkRuns {
			return nil, fmt.Errorf("walk of duplicates: %w", errWalkShort)
		}
		many, err := s.dropStaleBehind(ctx, id)
		if err != nil {
			return nil, err
		}
		if many {
			return []int64{-8, 0}, nil
		}
	}
}

// dropStaleBehind walks the tips marked duplicates of tip id, and theirs,
// as publishedDuplicate does, but a list at a time and no more than
// staleBatch members a call (dropStale, each call atomic): the stale
// entries are dropped, the live ones followed. It stops, true, once it
// has seen more than MaxDuplicates live duplicates: the walk would
// refuse the approval past them anyway.
func (s *Store) dropStaleBehind(ctx context.Context, id string) (many bool, err error) {
	found, level := map[string]bool{id: true}, []string{id}
	n := 0
	for len(level) > 0 {
		var next []string
		for _, cur := range level {
			key := s.k.duplicates(cur)
			var cursor uint64
			for {
				members, nextCursor, err := s.rdb.SScan(ctx, key, cursor, "", staleBatch).Result()
				if err != nil {
					return false, fmt.Errorf("drop stale duplicates: %w", err)
				}
				// SSCAN's count is a hint: a small set comes whole, a
				// large one may come a little past it.
				for len(members) > 0 {
					batch := members[:min(len(members), staleBatch)]
					members = members[len(batch):]
					args := make([]any, 0, len(batch)+2)
					args = append(args, cur, s.k.publication(""))
					for _, m := range batch {
						args = append(args, m)
					}
					if dropStaleCall != nil {
						if err := dropStaleCall(); err != nil {
							return false, err
						}
					}
					live, err := dropStale.Run(ctx, s.rdb, []string{key}, args...).StringSlice()
					if err != nil {
						return false, fmt.Errorf("drop stale duplicates: %w", err)
					}
					for _, d := range live {
						if !found[d] {
							found[d], n = true, n+1
							next = append(next, d)
						}
					}
					if n > MaxDuplicates {
						return true, nil
					}
				}
				if cursor = nextCursor; cursor == 0 {
					break
				}
			}
		}
		level = next
	}
	return false, nil
}

// dropStaleCall, if set (by tests), runs before each of dropStaleBehind's
// batches; an error stops the walk there, as a crash would.
var dropStaleCall func() error
