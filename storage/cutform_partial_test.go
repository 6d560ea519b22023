package storage

import (
	"context"
	"testing"
	"time"
)

// A sift that cannot open every tip of a cut form's set (one whose data
// does not open; or more than maxCandidates) takes the other entities'
// tips out all the same, and their reporters' tags with them: the set no
// longer holds those tips, so a later sift could not take the tags out,
// and they would count reporters who never named the cut form toward its
// alert. A reporter who also named it stays, and so does the tip that
// does not open, with its reporter.
// Mutation: the sift keeping the tags when partial (`if !complete {
// return nil }`) -> fails (an alert of 5 reporters; 922 and 923 counted).
func TestPartialSiftTakesOutTheReportersOfTheTipsItTakesOut(t *testing.T) {
	ctx := context.Background()
	s := internalStore(t)
	c := cutFormCases[0]
	mac := s.entityMAC(c.kind + ":" + c.cut)
	ek := s.k.indexEntity(mac)
	tag := func(u string) string { return "r" + s.reporterMAC(mac, s.Pseudonym("telegram", u)) }
	s.rdb.Set(ctx, s.k.indexSifted(mac), 1, time.Hour) // no sift while the set is made
	broken := batchSubmit(t, s, "921", 1, c.text)
	batchSubmit(t, s, "924", 2, "otra vez "+c.text)
	indexUntilDone(t, s)
	s.rdb.HSet(ctx, s.k.tip(broken), "d", "no longer opens")
	for n, u := range []string{"922", "923", "924"} {
		id := batchSubmit(t, s, u, int64(10+n), c.oldText)
		indexUntilDone(t, s)
		indexEntityAsBefore(t, s, id, u, c.kind, c.oldNow, c.cut)
	}
	if n := s.rdb.ZCount(ctx, ek, "-inf", "(0").Val(); n != 4 {
		t.Fatalf("the cut form counts %d reporters before the sift, want 4: the test starts wrong", n)
	}
	s.rdb.Del(ctx, s.k.indexSifted(mac))
	batchSubmit(t, s, "925", 20, "de nuevo "+c.text)
	alerts := indexUntilDone(t, s)
	if len(alerts) != 1 || alerts[0].Entity.Key() != c.kind+":"+c.cut || alerts[0].Reporters != 3 {
		t.Errorf("alerts %+v, want one of %s:%s, of 3 reporters (921, 924, 925)", alerts, c.kind, c.cut)
	}
	for _, u := range []string{"922", "923"} {
		if _, err := s.rdb.ZScore(ctx, ek, tag(u)).Result(); err == nil {
			t.Errorf("reporter %s, whose only tip there was another entity's, still counts toward the cut form", u)
		}
	}
	for _, u := range []string{"921", "924", "925"} {
		if _, err := s.rdb.ZScore(ctx, ek, tag(u)).Result(); err != nil {
			t.Errorf("reporter %s, who named the cut form, no longer counts toward it", u)
		}
	}
	if _, err := s.rdb.ZScore(ctx, ek, broken).Result(); err != nil {
		t.Error("the tip that does not open was taken out: the sift was not partial, the test proves nothing")
	}
}
