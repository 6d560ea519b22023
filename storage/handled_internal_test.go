package storage

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// A handled mark costs Redis a few bytes, not a key of its own (about
// 180 bytes a message, kept for the retention, against a target of 2 KB
// a tip): 50,000 marks of one week, as many messages sent in tips or
// answered, take less than 60 bytes each, buckets, expiries and Redis's
// tables included.
// Mutation: a key a mark (SET under the bucket's name and the field,
// PX) → about 150 bytes a mark, this fails.
func TestHandledMarksAreCompact(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("memory is measured on a real redis-server")
	}
	kr, _ := NewKeyring(bytes.Repeat([]byte{5}, 32))
	s, err := New(srv.Client(), kr, Options{Prefix: "m", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := markHandled.Load(ctx, s.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	used := func() int64 {
		t.Helper()
		info := s.rdb.Info(ctx, "memory").Val()
		n := func(name string) int64 {
			m := regexp.MustCompile(`(?m)^` + name + `:(\d+)`).FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("no %s in INFO memory", name)
			}
			v, _ := strconv.ParseInt(m[1], 10, 64)
			return v
		}
		return n("used_memory") - n("mem_clients_normal")
	}
	before := used()
	const marks = 50_000
	now := time.Now()
	for from := 0; from < marks; from += 1000 {
		pipe := s.rdb.Pipeline()
		for i := from; i < from+1000; i++ {
			bucket, field := s.handledMark("reporter"+strconv.Itoa(i%700), int64(100000+i))
			markHandled.EvalSha(ctx, pipe, []string{s.k.handled(handledWeek(now), bucket)}, field, handledAnswer, s.handledTTL(now).Milliseconds())
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	per := float64(used()-before) / marks
	t.Logf("%.1f bytes a mark", per)
	if per > 60 {
		t.Fatalf("a handled mark costs Redis %.1f bytes, want at most 60", per)
	}
}
