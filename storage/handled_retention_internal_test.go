package storage

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A week's bucket made under a shorter retention (VIGIA_RETENTION raised
// since, or a replica still on the old one) is given the longer one by
// the next mark written into it, by an answer or with a tip: a mark
// lives at least as long as its tip.
// Mutation: markHandled and saveTip giving an expiry only to a bucket
// without one → this fails (the bucket lives 30 days, the tip 90).
func TestHandledBucketOutlivesTipAfterRetentionRaised(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := NewKeyring(bytes.Repeat([]byte{9}, 32))
	open := func(retention time.Duration) *Store {
		s, err := New(rdb, kr, Options{Prefix: "h", Retention: retention, DraftIdle: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	short, long := open(30*24*time.Hour), open(90*24*time.Hour)
	p := short.Pseudonym("telegram", "66")
	// Another event of p whose mark falls in the same bucket as ev's.
	twin := func(ev int64) int64 {
		b, _ := short.handledMark(p, ev)
		for e := ev + 1; ; e++ {
			if c, _ := short.handledMark(p, e); c == b {
				return e
			}
		}
	}
	bucketOf := func(ev int64) string {
		b, _ := short.handledMark(p, ev)
		return short.k.handled(handledWeek(short.now()), b)
	}
	// An answer.
	if err := short.RememberAnswer(ctx, p, 1000); err != nil {
		t.Fatal(err)
	}
	e := twin(1000)
	if err := long.RememberAnswer(ctx, p, e); err != nil {
		t.Fatal(err)
	}
	if life := rdb.PTTL(ctx, bucketOf(e)).Val(); life < 90*24*time.Hour {
		t.Fatalf("an answer's bucket lives %v under a 90-day retention", life)
	}
	// A tip.
	if err := short.RememberAnswer(ctx, p, 500000); err != nil {
		t.Fatal(err)
	}
	e = twin(500000)
	d, err := long.AddToDraft(ctx, p, DraftPart{EventID: e, Part: tips.Part{Text: "cobran piso en el mercado"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := long.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	tipLife := rdb.PTTL(ctx, long.k.tip(sub.TipID)).Val()
	if life := rdb.PTTL(ctx, bucketOf(e)).Val(); life < tipLife {
		t.Fatalf("a sent message's bucket lives %v, its tip %v", life, tipLife)
	}
}
