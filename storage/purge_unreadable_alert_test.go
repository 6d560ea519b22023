package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/tips"
)

// A purge and a /forget of a tip whose entity's kept alert record cannot
// be read (not a hash; its deadline no number) finish: the record is
// dropped with its place among the due ones, as a claim drops it
// (claimAlert), and counted in an *UnreadableAlertsError (a count, never
// the entity), which says the rest was done. The tip's other entity's
// healthy alert is still recounted (made due, "rc"), and the tip is out
// of both entities. Done again, the operation finds nothing left to drop:
// no error. Before, checkAlert's script error (WRONGTYPE, a Lua
// comparison with nil) failed the whole purge or forget once its
// unindexing was done, and every retry failed the same way.
// Mutation: checkAlert without its check of the record (its first line
// back to HGET 'd', compared as it is) -> fails (the operation's error is
// a script error, the record kept).
func TestPurgeAndForgetDropAnUnreadableAlertRecord(t *testing.T) {
	ctx := context.Background()
	const text = "llaman del 55 1234 5678 y del 55 8765 4321 para cobrar piso"
	ops := map[string]func(*Store, string) error{
		"purge":  func(s *Store, id string) error { return s.Purge(ctx, id) },
		"forget": func(s *Store, id string) error { return s.Forget(ctx, id) },
	}
	for name, op := range ops {
		for _, c := range []string{"not a hash", "deadline no number"} {
			t.Run(name+"/"+c, func(t *testing.T) {
				s := internalStore(t)
				id := batchSubmit(t, s, "993", 1, text)
				indexUntilDone(t, s)
				es := tips.Extract(text, s.index0.Region)
				if len(es) != 2 {
					t.Fatalf("entities %v, want two phones", es)
				}
				bad, good := s.entityMAC(es[0].Key()), s.entityMAC(es[1].Key())
				later := s.now().Add(time.Hour).UnixMilli()
				rec := s.k.alertPending(bad)
				switch c {
				case "not a hash":
					s.rdb.Set(ctx, rec, "corrupted", time.Hour)
				case "deadline no number":
					s.rdb.HSet(ctx, rec, "s", "sealed", "d", "corrupted", "n", 1)
					s.rdb.Expire(ctx, rec, 2*time.Hour)
				}
				s.rdb.HSet(ctx, s.k.alertPending(good), "s", "sealed", "d", later, "n", 1, "ok", 1)
				s.rdb.Expire(ctx, s.k.alertPending(good), 2*time.Hour)
				s.rdb.ZAdd(ctx, s.k.alertsDue(), redis.Z{Score: float64(later), Member: bad})

				err := op(s, id)
				var ue *UnreadableAlertsError
				if !errors.As(err, &ue) || ue.Dropped != 1 {
					t.Fatalf("%s: %v, want the unreadable record dropped and counted", name, err)
				}
				if strings.Contains(err.Error(), bad) {
					t.Fatalf("the error names the entity: %v", err)
				}
				if s.rdb.Exists(ctx, rec).Val() != 0 || s.rdb.ZScore(ctx, s.k.alertsDue(), bad).Err() == nil {
					t.Fatal("the unreadable record is still kept, or still due")
				}
				if s.rdb.HGet(ctx, s.k.alertPending(good), "rc").Val() != "1" || s.rdb.ZScore(ctx, s.k.alertsDue(), good).Err() != nil {
					t.Fatal("the other entity's healthy alert not made due for its recount")
				}
				for _, mac := range []string{bad, good} {
					if s.rdb.ZScore(ctx, s.k.indexEntity(mac), id).Err() == nil {
						t.Fatal("the tip still counts for an entity")
					}
				}
				if err := op(s, id); err != nil && !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s again: %v, want it done", name, err)
				}
			})
		}
	}
}
