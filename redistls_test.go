package main

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// Over TLS, the first Send after Redis restarted (its connections cut)
// stores the tip: the client redisClient makes drops its dead idle
// connections before using one (tlsDialer), as go-redis does over plain
// TCP. Before, a Send's claim, sent once, went on a dead connection and
// failed ("claim draft: EOF"), once for each connection idle in the pool:
// the reporter told it could not be done right now.
// Mutation: redisClient without tlsDialer → this fails (claim draft:
// EOF).
func TestFirstSendAfterARestartOverTLSStoresTheTip(t *testing.T) {
	srv := redistest.StartTLS(t, "v")
	ctx := context.Background()
	u := url.URL{Scheme: "rediss", User: url.UserPassword(srv.User, srv.Password), Host: srv.Addr, Path: "/0"}
	uc, err := redisClient(u.String(), "")
	if err != nil {
		t.Fatal(err)
	}
	c := uc.(*redis.Client)
	defer c.Close()
	c.Options().TLSConfig.RootCAs = srv.CA // the test's own CA (dialled with the options' configuration)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	open := func(c redis.UniversalClient) *storage.Store {
		st, err := storage.New(c, kr, storage.Options{Prefix: "v"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open(c)
	// Six connections idle in the pool.
	var conns []*redis.Conn
	for range 6 {
		cn := c.Conn()
		if err := cn.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, cn)
	}
	for _, cn := range conns {
		cn.Close()
	}
	if n := c.PoolStats().IdleConns; n != 6 {
		t.Fatalf("%d connections idle, want 6", n)
	}
	srv.Restart()
	// A draft written meanwhile, through another client (this one's
	// connections still idle, dead).
	other := srv.Client()
	defer other.Close()
	p := st.Pseudonym("telegram", "1")
	d, err := open(other).AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:1", Part: tips.Part{Text: "cobran piso en el mercado de abastos"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatalf("Send %d after the restart: %v", i+1, err)
		}
		if _, err := st.TipByReceipt(ctx, sub.Receipt); err != nil {
			t.Fatalf("the tip: %v", err)
		}
	}
}
