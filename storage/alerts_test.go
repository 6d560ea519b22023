package storage_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// recountHook acts once armed, on the recount of a kept alert's
// reporters (ZCOUNT): it answers none left, and runs then (as another
// process would, just after the alert was claimed).
type recountHook struct {
	armed atomic.Bool
	then  func(ctx context.Context)
}

func (h *recountHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *recountHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *recountHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if c, ok := cmd.(*redis.IntCmd); ok && cmd.Name() == "zcount" && h.armed.CompareAndSwap(true, false) {
			c.SetVal(0)
			h.then(ctx)
		}
		return err
	}
}

// raiseAlert has three reporters name one phone number and returns the
// alert the third raised.
func raiseAlert(t *testing.T, st *storage.Store) storage.Signal {
	t.Helper()
	ctx := context.Background()
	for i, user := range []string{"1", "2", "3"} {
		p := st.Pseudonym("telegram", user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(10 + i), Route: "telegram:" + user, Language: "es",
			Part: tips.Part{Text: "cobran piso, llaman del 55 1234 5678"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	alerts := indexAll(t, st)
	if len(alerts) != 1 {
		t.Fatalf("three reporters raised %d alerts, want 1", len(alerts))
	}
	return alerts[0]
}

// A kept alert found withdrawn as its record goes (another process drops
// it, or it expires, just after the claim): its withdrawn mark does not
// make the record anew, a hash with no expiry left in Redis for ever.
// Mutation: the mark written with a plain HSET → a key left with no
// expiry.
func TestWithdrawnMarkDoesNotRecreateAGoneAlert(t *testing.T) {
	ctx := context.Background()
	h := &recountHook{}
	st, clk, rdb := hookedStoreClient(t, h)
	sig := raiseAlert(t, st)
	chats := []string{"telegram:-100777", "telegram:-100778"}
	if err := st.KeepAlert(ctx, sig, chats[:1]); err != nil {
		t.Fatal(err)
	}
	keys := rdb.Keys(ctx, "t:{alerts}:a:*").Val()
	if len(keys) != 1 {
		t.Fatalf("kept alerts %v", keys)
	}
	h.then = func(ctx context.Context) { rdb.Del(ctx, keys[0]) }
	h.armed.Store(true)
	clk.Add(2 * time.Minute)
	due, err := st.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn {
		t.Fatalf("due %+v %v, want the alert withdrawn", due, err)
	}
	if h.armed.Load() {
		t.Fatal("the recount was not seen")
	}
	for _, k := range rdb.Keys(ctx, "t:{alerts}:a:*").Val() {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl < 0 {
			t.Errorf("key %s left with no expiry (%v), fields %v", k, ttl, rdb.HKeys(ctx, k).Val())
		}
	}
}
