package storage

import (
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/tips"
)

// Tips indexed, before handles kept their marks, under the cut form of
// the bot's own handle ("@hola\u0331mundo" was "hola") are taken out of
// that form's set when a tip naming it is indexed (siftCutForm): they are
// not brought into the bot's own handle, which is no entity, so the bot
// raises no alert and is no signal.
// Mutation: siftOpen reading tips.Extract without Own.Without -> this
// test fails ("@holamundo" a signal of 3 reporters, its tips under it).
func TestSiftBringsNoTipIntoTheBotsOwnHandle(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[2] // "@hola\u0331mundo" was "hola"
	users := []string{"o1", "o2", "o3"}
	var old []string
	for n, u := range users {
		old = append(old, batchSubmit(t, s, u, int64(n+1), c.oldText))
	}
	indexUntilDone(t, s)
	for n, id := range old {
		indexEntityAsBefore(t, s, id, users[n], c.kind, c.oldNow, c.cut)
	}
	own := new(tips.Own)
	own.Add(c.oldNow) // the bot's own handle, "holamundo"
	s.index0.Own = own
	batchSubmit(t, s, "o4", 4, c.text)
	alerts := indexUntilDone(t, s)
	for _, a := range alerts {
		if a.Entity.Key() == c.kind+":"+c.oldNow {
			t.Errorf("an alert of the bot's own handle: %+v", a)
		}
	}
	sigs, err := s.Signals(ctx, 7*24*time.Hour, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range sigs {
		if g.Entity.Key() == c.kind+":"+c.oldNow {
			t.Errorf("the bot's own handle is a signal: %+v", g)
		}
	}
	if n := s.rdb.ZCard(ctx, s.k.indexEntity(s.entityMAC(c.kind+":"+c.oldNow))).Val(); n != 0 {
		t.Errorf("the bot's own handle's set holds %d members", n)
	}
}
