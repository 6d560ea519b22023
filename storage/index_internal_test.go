package storage

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// A tip purged between the indexer reading it and writing its sketch
// leaves a hash holding that sketch alone: it gets an expiry, so it does
// not stay for ever; a stored tip's own expiry is left as it was.
func TestSketchOfAPurgedTipDoesNotStay(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{3}, 32))
	s, err := New(rdb, kr, Options{Prefix: "w", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	text := "cobran piso a los comerciantes del mercado cada viernes por la tarde"
	if _, err := s.index(ctx, "7", "p", time.Now(), text, false); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.k.tip("7")).Val(); ttl <= 0 {
		t.Fatalf("the purged tip's sketch stays for ever (TTL %v): %v", ttl, rdb.HGetAll(ctx, s.k.tip("7")).Val())
	}
	rdb.HSet(ctx, s.k.tip("8"), "s", "new")
	rdb.Expire(ctx, s.k.tip("8"), time.Hour)
	if _, err := s.index(ctx, "8", "p", time.Now(), text, false); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.k.tip("8")).Val(); ttl > time.Hour || ttl <= 0 {
		t.Fatalf("a stored tip's expiry changed: %v", ttl)
	}
}
