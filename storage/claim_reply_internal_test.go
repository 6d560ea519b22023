package storage

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// A Send's claim answers with the draft's fields as they are once it
// wrote them (what its Send seals into the tip), built from the one read
// it made before writing: the same fields and values as the draft then
// holds, each once, in every case a claim meets — a new draft, one
// claimed before (a Send pressed again), an earlier version's leftovers
// ("rk" without a claim, a stale "lb"), a part spooled as a tip of its own
// — and, where Redis keeps the draft compact (a listpack: small values,
// as docker-compose.yml configures it), in the order HGETALL gives them
// (a hash table's order is its own: compared as fields).
func TestClaimAnswersTheDraftAsWritten(t *testing.T) {
	for _, compact := range []bool{true, false} {
		t.Run(fmt.Sprintf("listpack=%v", compact), func(t *testing.T) {
			ctx := context.Background()
			s := callsStore(t)
			if compact {
				s.rdb.ConfigSet(ctx, "hash-max-listpack-value", "1024")
			} else {
				s.rdb.ConfigSet(ctx, "hash-max-listpack-value", "16") // a sealed part is longer: a hash table
			}
			user := 0
			draft := func(events ...int64) (string, Draft) {
				user++
				p := s.Pseudonym("telegram", strconv.Itoa(user))
				var d Draft
				for _, ev := range events {
					var err error
					if d, err = s.AddToDraft(ctx, p, DraftPart{EventID: ev, Part: tips.Part{Text: "me cobran piso " + strconv.FormatInt(ev, 10)}}); err != nil {
						t.Fatal(err)
					}
				}
				return p, d
			}
			limit := &Limit{Kind: "tips", Max: 10, Window: time.Hour}
			claim := func(p string, d Draft) {
				t.Helper()
				now := time.Now()
				args := append(append([]any{d.ID, now.UnixMilli()}, s.limitArgs(limit)...), "r"+strconv.Itoa(user), hours(now.Add(sentMemory)), stateLife(now))
				got, err := claimDraft.Run(ctx, s.rdb, []string{s.k.draft(p), s.k.state(p)}, args...).StringSlice()
				if err != nil {
					t.Fatal(err)
				}
				want, err := s.rdb.Eval(ctx, "return redis.call('HGETALL', KEYS[1])", []string{s.k.draft(p)}).StringSlice() // in its order
				if err != nil {
					t.Fatal(err)
				}
				gotMap := map[string]string{}
				for i := 0; i+1 < len(got); i += 2 {
					if _, twice := gotMap[got[i]]; twice {
						t.Fatalf("the claim answered field %q twice: %q", got[i], got)
					}
					gotMap[got[i]] = got[i+1]
				}
				wantMap := map[string]string{}
				for i := 0; i+1 < len(want); i += 2 {
					wantMap[want[i]] = want[i+1]
				}
				if len(got) != len(want) || !reflect.DeepEqual(gotMap, wantMap) {
					t.Fatalf("the claim answered %q, the draft holds %q", got, want)
				}
				if enc := s.rdb.ObjectEncoding(ctx, s.k.draft(p)).Val(); compact != (enc == "listpack") {
					t.Fatalf("the draft is a %s", enc)
				}
				if compact && !reflect.DeepEqual(got, want) {
					t.Fatalf("the claim answered %q, in another order than HGETALL's %q", got, want)
				}
				if gotMap["sending"] != strconv.FormatInt(now.UnixMilli(), 10) || gotMap["claimed"] == "" {
					t.Fatalf("the claim answered %q: not this Send's", got)
				}
			}
			// A new draft of one part, then of three.
			p, d := draft(1)
			claim(p, d)
			p, d = draft(2, 3, 4)
			claim(p, d)
			// Claimed before: pressed again (the same parts, "sending" anew).
			claim(p, d)
			// A part added since the claim, then Send pressed again.
			if _, err := s.AddToDraft(ctx, p, DraftPart{EventID: 5, Part: tips.Part{Text: "y otra cosa"}}); err != nil {
				t.Fatal(err)
			}
			claim(p, d)
			// An earlier version's "rk" left without a claim: written over in place.
			p, d = draft(6)
			s.rdb.HSet(ctx, s.k.draft(p), "rk", "old")
			claim(p, d)
			// A stale "lb" (an earlier version's finishDraft): dropped, not answered.
			p, d = draft(7, 8)
			s.rdb.HSet(ctx, s.k.draft(p), "lb", "1")
			claim(p, d)
			if s.rdb.HExists(ctx, s.k.draft(p), "lb").Val() {
				t.Fatal("the stale lb is still there")
			}
			// A part spooled as a tip of its own: left out, "n" one less.
			p, d = draft(9, 10)
			s.rdb.HSet(ctx, s.k.state(p), "x:9", hours(time.Now().Add(time.Hour)))
			claim(p, d)
			if n := s.rdb.HGet(ctx, s.k.draft(p), "n").Val(); n != "1" {
				t.Fatalf("the draft counts %s parts, want 1", n)
			}
		})
	}
}
