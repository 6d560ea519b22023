package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A message sent while every connection of the pool is busy (Redis slow
// or hung, each call waits its PoolTimeout for one, redis: connection
// pool timeout) was never sent to Redis: it is an outage, as Redis
// unreachable is. With a spool the message is spooled, and its reporter
// given a receipt; without one, told it was NOT saved, which is true (no
// look: the write never went out, and a look would fail too, and say it
// may be in their tip). It was "Something went wrong on our side"
// (error_internal), and never spooled.
// Mutations: StorageDown without ErrPoolTimeout → both cases fail;
// writeMayHaveRun true for it → "no spool" fails (held_part_unknown).
func TestMessageWhenNoConnectionIsFreeIsAnOutage(t *testing.T) {
	msg, _ := loadMessages()
	for _, spooled := range []bool{false, true} {
		t.Run(map[bool]string{false: "no spool", true: "spool"}[spooled], func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			// One connection, for commands and pipelines alike.
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, ContextTimeoutEnabled: true,
				PoolSize: 1, PipelinePoolSize: -1, PoolTimeout: 50 * time.Millisecond})
			t.Cleanup(func() { rdb.Close() })
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			st, _ := storage.New(rdb, kr, storage.Options{Prefix: "l"})
			if err := st.Init(ctx); err != nil {
				t.Fatal(err)
			}
			logs := &bytes.Buffer{}
			o := commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(logs, nil))}
			var sp *storage.Spool
			if spooled {
				var err error
				if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
					t.Fatal(err)
				}
				o.Spool = sp
			}
			mux := commands.New(o)
			if sp != nil {
				sp.RouteWith(mux.RouteSpooled)
			}
			// The pool's one connection, taken until the test ends.
			admin := srv.Client()
			done := make(chan struct{})
			go func() {
				defer close(done)
				rdb.BLPop(ctx, 0, "l:busy")
			}()
			t.Cleanup(func() { admin.RPush(ctx, "l:busy", "x"); <-done })
			for deadline := time.Now().Add(time.Minute); !strings.Contains(admin.ClientList(ctx).Val(), "cmd=blpop"); time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the pool's connection never blocked")
				}
			}
			r := sayAs(mux, "83", commands.Request{Text: "Venden armas en la bodega del puerto", EventID: 8300})
			if len(r) != 1 {
				t.Fatalf("no connection free: %q", texts(r))
			}
			if spooled {
				code := codeRE.FindString(r[0].Text)
				if want := msg.Localize("en", "spool_received", map[string]any{"Receipt": code}); code == "" || r[0].Text != want || sp.Len() != 1 {
					t.Fatalf("no connection free, with a spool: %q (%d spooled), want spool_received", r[0].Text, sp.Len())
				}
			} else if want := msg.Localize("en", "error_storage", nil); r[0].Text != want {
				t.Fatalf("no connection free: %q, want %q\n%s", r[0].Text, want, logs)
			}
			if n := admin.Exists(ctx, "l:{"+st.Pseudonym("telegram", "83")+"}:draft").Val(); n != 0 {
				t.Fatal("a draft was written")
			}
			if strings.Contains(logs.String(), "bodega") {
				t.Fatalf("the log holds the message: %s", logs)
			}
		})
	}
}
