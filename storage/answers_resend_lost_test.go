package storage_test

import (
	"context"
	"strings"
	"testing"
)

// An answer left untold (its first write's reply lost, its look failed:
// "qu:<n>" kept), sent again by the reporter in a message of its own (the
// same words, "qh:<n>"), whose script took "qu:<n>" to tell it, its reply
// lost in turn: the mark it looked for was the first message's, not its
// own, so it was an error (the reporter told to wait), and "qu:<n>" was
// gone (taken by the script whose reply was lost): the words sent a third
// time were "again", acknowledged, and the investigators never told.
// The answer must be returned to be told exactly once over the three.
// Mutations: the script's closed-question branch taking "qu:<n>" itself
// (HDEL before returning it) fails this (told 0 times); the words' mark
// ("qh:<n>") dropped both from the branch that read it before the script
// and from the look after the lost reply fails it (the resend an error,
// told only on the third try); either one alone is enough.
func TestResendWhoseReplyIsLostIsToldOnce_answers(t *testing.T) {
	ctx := context.Background()
	_, p, st, id, n := untoldFirstTry(t)
	pseudonym := st.Pseudonym("telegram", "901")
	p.loading.Store(false)
	told := 0
	tell := func(try string, event int64) error {
		t.Helper()
		q, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, event)
		if err == nil && !again {
			if q.N != n || q.Text != "¿Qué día?" || q.By.Route != "telegram:2002" {
				t.Fatalf("%s: told %+v, want question %d and Ana", try, q, n)
			}
			told++
		}
		t.Logf("%s: again=%v err=%v", try, again, err)
		return err
	}
	p.armed.Store(true)
	err := tell("sent again, its reply lost", 9002)
	if p.armed.Load() {
		t.Fatal("the resend's script did not go through the proxy")
	}
	if err != nil {
		// Its look after the lost reply worked: the words are found
		// recorded ("qh:<n>"), durable, not an unknown outcome.
		t.Errorf("sent again, its reply lost: %v; want the answer found recorded", err)
	}
	p.loading.Store(false)
	tell("sent a third time", 9003)
	if _, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9004); err != nil || !again {
		t.Fatalf("a fourth time: again=%v %v; want again", again, err)
	}
	if told != 1 {
		t.Fatalf("the answer was told %d times, want exactly once", told)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}
