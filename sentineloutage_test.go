package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

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
			cfg, err := loadConfig(env(validEnv()), false)
			if err != nil {
				t.Fatal(err)
			}
			cfg.RedisMode = "sentinel"
			rdb, err := redisClient(sentinel.URL()+"?master_name=mymaster", "sentinel")
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
			sp, err := storage.OpenSpool(t.TempDir(), kr)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			eng, err := newEngine(ctx, cfg, rdb, kr, slog.New(slog.DiscardHandler), commands.Roles{}, nil, sp, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.breakIt(ctx, sentinel); err != nil {
				t.Fatal(err)
			}
			// The client's connections to the primary end: the next call
			// dials, asking the sentinel for the primary.
			if err := primary.Client().Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
				t.Fatal(err)
			}
			var got replies
			eng.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "555", ChatID: "555", ChatKind: commands.Private,
				EventID: 77, Text: "extorsión en el mercado central", Language: "en"}, &got)
			msg, _ := locales.Load()
			spooled := strings.Split(msg.Localize("en", "spool_received", map[string]any{"Receipt": "X"}), "X")[0]
			if len(got) == 0 || !strings.HasPrefix(got[0].Text, spooled) {
				t.Fatalf("the reporter was told %+v, want the spool's receipt", got)
			}
			if n := sp.Len(); n != 1 {
				t.Fatalf("%d messages spooled, want 1", n)
			}
		})
	}
}
