package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// In sentinel mode, sentinels that no longer know the primary make every
// new connection fail with storage.ErrUnknownPrimary (serve's dial hook):
// Redis cannot be reached, an outage like any other. A reporter's message
// is then spooled and they get a receipt, as when Redis is down; it was
// "error_storage" (not saved), the error not being counted as an outage.
// Mutation: StorageDown without ErrUnknownPrimary → this test fails.
func TestSentinelsForgettingThePrimaryIsAnOutage(t *testing.T) {
	msg, _ := loadMessages()
	ctx := context.Background()
	srv := redistest.Start(t)
	var forgot atomic.Bool
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, ContextTimeoutEnabled: true, MaxRetries: 1,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if forgot.Load() {
				return nil, fmt.Errorf("%w (all sentinels specified in configuration are unreachable: redis: nil)", storage.ErrUnknownPrimary)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}})
	t.Cleanup(func() { rdb.Close() })
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, _ := storage.New(rdb, kr, storage.Options{Prefix: "u"})
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Spool: sp,
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	sp.RouteWith(mux.RouteSpooled)
	forgot.Store(true)
	srv.Client().ClientKillByFilter(ctx, "TYPE", "normal", "SKIPME", "yes") // every pooled connection: the next call dials
	r := sayAs(mux, "84", commands.Request{Text: "Cobran piso en el mercado de abastos", EventID: 8400})
	if len(r) != 1 {
		t.Fatalf("sentinels without the primary: %q", texts(r))
	}
	code := codeRE.FindString(r[0].Text)
	if want := msg.Localize("en", "spool_received", map[string]any{"Receipt": code}); code == "" || r[0].Text != want || sp.Len() != 1 {
		t.Fatalf("sentinels without the primary, with a spool: %q (%d spooled), want spool_received", r[0].Text, sp.Len())
	}
}
