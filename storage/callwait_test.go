package storage_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A store's client bounds each call made under WithCallWait (the calls of
// a reporter's request, senderCallWait), and WithCallWait(ctx, 0) lifts
// the bound again (a file up to 20 MB, PutFile, which a slow link may take
// longer to carry). The call here is a BLPOP that Redis answers after
// 1 s (its least block), under a bound of 100 ms.
// Mutations: New without the hook → "bounded" fails; WithCallWait keeping
// the outer bound for d <= 0 → "lifted" fails.
func TestCallWaitBoundsEachCallAndZeroLiftsIt_hung(t *testing.T) {
	srv := redistest.Start(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.Protocol, opt.ContextTimeoutEnabled = 2, true
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { rdb.Close() })
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if _, err := storage.New(rdb, kr, storage.Options{Prefix: "cw"}); err != nil {
		t.Fatal(err)
	}
	bounded := storage.WithCallWait(context.Background(), 100*time.Millisecond)
	// (Ended by its context or by the socket deadline go-redis sets from
	// it: either way, not Redis's answer.)
	if err := rdb.BLPop(bounded, time.Second, "cw:none").Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("bounded: %v, want the call's 100 ms to run out before Redis answers", err)
	}
	lifted := storage.WithCallWait(bounded, 0)
	if got := storage.CallWait(lifted); got != 0 {
		t.Fatalf("lifted: CallWait %v", got)
	}
	if err := rdb.BLPop(lifted, time.Second, "cw:none").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("lifted: %v, want Redis's answer (nil) after 1 s", err)
	}
}
