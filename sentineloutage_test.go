package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// replies records an engine's replies.
type replies []commands.Reply

func (r *replies) Reply(_ context.Context, rep commands.Reply) error {
	*r = append(*r, rep)
	return nil
}

// Sentinels that stop naming the primary while serve runs (one forgot it:
// SENTINEL REMOVE, a restart without its configuration; one answering
// NOAUTH: a password set on it) leave no connection to be made: a
// reporter's message is spooled and answered with its receipt, as in any
// outage, never with an error and nothing kept.
func TestReporterIsSpooledWhileTheSentinelsNameNoPrimary(t *testing.T) {
	for _, c := range []struct {
		name    string
		breakIt func(ctx context.Context, sentinel *redistest.Server) error
	}{
		{"forgot the primary", func(ctx context.Context, s *redistest.Server) error {
			return s.Client().Do(ctx, "SENTINEL", "REMOVE", "mymaster").Err()
		}},
		{"answers NOAUTH", func(ctx context.Context, s *redistest.Server) error {
			c := s.Client()
			if err := c.Do(ctx, "ACL", "SETUSER", "default", "resetpass", ">a-new-password").Err(); err != nil {
				return err
			}
			// (Connections already made stay authenticated.)
			return c.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err()
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			primary := redistest.Start(t)
			sentinel := redistest.StartSentinel(t, primary)
			rdb, err := redisClient(sentinel.URL()+"?master_name=mymaster", "sentinel")
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			eng, sp := spoolingEngine(t, "sentinel", rdb)
			ctx := context.Background()
			if err := c.breakIt(ctx, sentinel); err != nil {
				t.Fatal(err)
			}
			// The client's connections to the primary end: the next call
			// dials, asking the sentinel for the primary.
			if err := primary.Client().Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
				t.Fatal(err)
			}
			reporterIsSpooled(t, eng, sp)
		})
	}
}

// spoolingEngine is serve's engine in mode on rdb, with a spool.
func spoolingEngine(t *testing.T, mode string, rdb redis.UniversalClient) (*engine, *storage.Spool) {
	t.Helper()
	cfg, err := loadConfig(env(validEnv()), false)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RedisMode = mode
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := newEngine(context.Background(), cfg, rdb, kr, slog.New(slog.DiscardHandler), commands.Roles{}, nil, sp, nil)
	if err != nil {
		t.Fatal(err)
	}
	return eng, sp
}

// reporterIsSpooled sends eng a reporter's message and fails t unless it
// is answered with the spool's receipt and spooled.
func reporterIsSpooled(t *testing.T, eng *engine, sp *storage.Spool) {
	t.Helper()
	var got replies
	eng.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: "555", ChatID: "555", ChatKind: commands.Private,
		EventID: 77, Text: "extorsión en el mercado central", Language: "en"}, &got)
	msg, _ := locales.Load()
	spooled := strings.Split(msg.Localize("en", "spool_received", map[string]any{"Receipt": "X"}), "X")[0]
	if len(got) == 0 || !strings.HasPrefix(got[0].Text, spooled) {
		t.Fatalf("the reporter was told %+v, want the spool's receipt", got)
	}
	if n := sp.Len(); n != 1 {
		t.Fatalf("%d messages spooled, want 1", n)
	}
}

// A password changed on Redis while serve runs (single mode, or the
// primary's in sentinel mode) refuses every new connection as it is set
// up (WRONGPASS): an outage until the operator fixes VIGIA_REDIS_URL. A
// reporter's message is spooled and answered with its receipt; go-redis
// gave the refusal to none of a pipeline's commands, and the reporter was
// told "may not have been saved", nothing spooled.
func TestReporterIsSpooledWhenRedisRefusesTheChangedPassword(t *testing.T) {
	for _, mode := range []string{"single", "sentinel"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			primary := redistest.Start(t)
			url := "redis://:old-password@" + primary.Addr + "/0"
			if mode == "sentinel" {
				url = redistest.StartSentinel(t, primary).URL() + "?master_name=mymaster&password=old-password"
			}
			admin := primary.Client()
			if err := admin.Do(ctx, "CONFIG", "SET", "requirepass", "old-password").Err(); err != nil {
				t.Fatal(err)
			}
			rdb, err := redisClient(url, mode)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			eng, sp := spoolingEngine(t, mode, rdb)
			// (admin's connection stays authenticated.)
			if err := admin.Do(ctx, "CONFIG", "SET", "requirepass", "a-new-password").Err(); err != nil {
				t.Fatal(err)
			}
			// Connections already made stay authenticated: the next call dials.
			if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
				t.Fatal(err)
			}
			reporterIsSpooled(t, eng, sp)
		})
	}
}

// One sentinel that forgot the primary (SENTINEL REMOVE: a restart
// without its configuration) beside another answering NOAUTH (a password
// set on it) while serve runs: no connection to the primary can be made
// (go-redis's "all sentinels ... unreachable", one reason each, turned
// by sentinelNil into errForgotOrDown wrapping the NOAUTH refusal), an
// outage like the others. A reporter's message is spooled and answered
// with its receipt, not lost nor answered with an error; in either order
// of the sentinels in VIGIA_REDIS_URL. A check of what was handled
// already (sentinelNil, unstampedRefusal, StorageDown): no change to
// mutate. Without the sentinelNil hook the NOAUTH-first order fails (the
// reporter is told their message may not have been saved, nothing
// spooled); the forgetful-first order passes either way.
func TestReporterIsSpooledWhenOneSentinelForgotAndTheOtherAnswersNOAUTH_redisops(t *testing.T) {
	for _, forgetfulFirst := range []bool{true, false} {
		t.Run(map[bool]string{true: "forgetful first", false: "NOAUTH first"}[forgetfulFirst], func(t *testing.T) {
			ctx := context.Background()
			primary := redistest.Start(t)
			forgetful, locked := redistest.StartSentinel(t, primary), redistest.StartSentinel(t, primary)
			first, second := forgetful, locked
			if !forgetfulFirst {
				first, second = locked, forgetful
			}
			rdb, err := redisClient(first.URL()+"?master_name=mymaster&addr="+second.Addr, "sentinel")
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			eng, sp := spoolingEngine(t, "sentinel", rdb)
			if err := forgetful.Client().Do(ctx, "SENTINEL", "REMOVE", "mymaster").Err(); err != nil {
				t.Fatal(err)
			}
			lc := locked.Client()
			if err := lc.Do(ctx, "ACL", "SETUSER", "default", "resetpass", ">a-new-password").Err(); err != nil {
				t.Fatal(err)
			}
			// (Connections already made stay authenticated.)
			if err := lc.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
				t.Fatal(err)
			}
			// The client's connections to the primary, made while the
			// sentinels named it, are cut: the next needs a sentinel.
			if err := primary.Client().Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
				t.Fatal(err)
			}
			reporterIsSpooled(t, eng, sp)
		})
	}
}
