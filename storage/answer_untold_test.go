package storage_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// An answer (AnswerOnce) whose script ran in Redis, its reply lost, and
// whose look for its mark failed too (Redis going): the caller gets an
// error (the spool's replay stops, and tries the entry again later), and
// no one told the investigators. Tried again, the same message found the
// question closed by its own mark: "again", so the replay marked it as
// the answer it was, told the reporter it was delivered, and the
// investigators were never told. The call is remembered by its token:
// tried again, the answer is returned as stored now, with its question,
// to be told once; a third time, it is "again".
// Mutation: again() ignoring the untold answers (always "again") fails
// this (tried again: again=true).
func TestAnswerWhoseLookFailsIsToldWhenTriedAgain(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	look := &failLook{}
	rdb.AddHook(look)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "901", 90, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	pseudonym := st.Pseudonym("telegram", "901")
	other := submit(t, st, "902", 91, "", true) // the script cached in Redis
	if _, _, err := answerTold(t, st, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí", st.Pseudonym("telegram", "902"), 9101); err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	look.armed.Store(true)
	if _, _, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001); err == nil {
		t.Fatal("its reply lost, its look failed: no error")
	}
	if p.armed.Load() || look.armed.Load() {
		t.Fatal("the answer's script and look did not go through the proxy and the hook")
	}
	p.loading.Store(false)
	q, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001)
	if err != nil || again || q.N != n || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
		t.Fatalf("tried again: %+v again=%v %v; want question %d stored now (untold)", q, again, err, n)
	}
	if _, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001); err != nil || !again {
		t.Fatalf("a third time: again=%v %v; want again (told once)", again, err)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}

// failLook, armed, fails the next look for an answer's mark (the HMGET
// after a lost reply, its first field "qa:<n>"), as Redis going would.
type failLook struct{ armed atomic.Bool }

func (h *failLook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *failLook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); strings.EqualFold(cmd.Name(), "hmget") && len(a) >= 4 && strings.HasPrefix(a[2].(string), "qa:") && h.armed.CompareAndSwap(true, false) {
			err := errors.New("dial tcp: connection refused")
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (h *failLook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// The same, the answer tried again by another process (a restart before
// the retry, or another replica given the redelivery), or sent again by
// the reporter in a message of its own (told NOT saved, as its outcome
// could not be known): what was not told is kept in Redis ("qu:<n>",
// sealed; "qh:<n>", a keyed hash of the words), so that retry is told it
// as stored now, once, and the words sent again are known as the same
// answer ("again" after that), not ErrNotFound (a tip of their own).
// Other words to the closed question are still ErrNotFound.
// Mutations: the script's closed-question branch without "qu:<n>" (always
// {}) fails both subtests (again=true, never told); without the "qh:<n>"
// match, the "sent again" subtest fails (ErrNotFound).
func TestUntoldAnswerIsToldAcrossProcessesAndResends(t *testing.T) {
	for _, resend := range []bool{false, true} {
		name := "tried again by another process"
		if resend {
			name = "sent again by the reporter"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			p := startScriptReplyCutter(t, srv.Addr)
			rdb := cutterClient(t, p)
			look := &failLook{}
			rdb.AddHook(look)
			st, _ := storeOn(t, rdb)
			id := submit(t, st, "901", 90, "", true)
			ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
			n := ask(t, st, id, ana, "¿Qué día?")
			pseudonym := st.Pseudonym("telegram", "901")
			other := submit(t, st, "902", 91, "", true) // the script cached in Redis
			if _, _, err := answerTold(t, st, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí", st.Pseudonym("telegram", "902"), 9101); err != nil {
				t.Fatal(err)
			}
			p.armed.Store(true)
			look.armed.Store(true)
			if _, _, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001); err == nil {
				t.Fatal("its reply lost, its look failed: no error")
			}
			p.loading.Store(false)
			fields := srv.Client().HGetAll(ctx, "t:{tips}:tip:"+id).Val()
			for f, v := range fields {
				if strings.Contains(v, "El lunes") || strings.Contains(v, "Qué día") {
					t.Fatalf("field %s holds the words in clear", f)
				}
			}
			next, _ := storeOn(t, srv.Client()) // restarted, or another replica
			text, event := "El lunes", int64(9001)
			if resend {
				text, event = "  El   lunes ", 9002
			}
			q, again, err := next.AnswerOnce(ctx, id, n, text, pseudonym, event)
			if err != nil || again || q.N != n || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
				t.Fatalf("%s: %+v again=%v %v; want question %d stored now (untold)", name, q, again, err, n)
			}
			if _, again, err := next.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9003); err != nil || !again {
				t.Fatalf("the words a third time: again=%v %v; want again (told once)", again, err)
			}
			if _, _, err := next.AnswerOnce(ctx, id, n, "El martes", pseudonym, 9004); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("other words: %v, want ErrNotFound", err)
			}
			tip, err := next.Tip(ctx, id)
			if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
				t.Fatalf("answers %q %v, want one", answers(tip), err)
			}
		})
	}
}

// The same, the message tried again (after a restart: another Store)
// while Redis still refuses scripts (LOADING: the retry's script never
// ran): its mark found already there before the script, the call was
// answered "again" (the reporter told it was delivered, the replay done)
// and what its first write kept untold ("qu:<n>") stayed in Redis, never
// told. It is told now, once: the next try is "again".
// Mutation: answer() with its mark found before the script always
// "again" (without toTell of "qu:<n>") fails this (again=true, untold).
func TestUntoldAnswerTriedAgainWhileScriptsAreRefusedIsTold(t *testing.T) {
	ctx := context.Background()
	_, p, st, id, n := untoldFirstTry(t)
	pseudonym := st.Pseudonym("telegram", "901")
	if !p.loading.Load() {
		t.Fatal("the proxy does not refuse scripts")
	}
	next, _ := storeOn(t, cutterClient(t, p)) // restarted; Redis still loading
	q, again, err := next.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001)
	if err != nil || again || q.N != n || q.Text != "¿Qué día?" || q.By.Route != "telegram:2002" {
		t.Fatalf("tried again, its script refused: %+v again=%v %v; want question %d stored now (untold)", q, again, err, n)
	}
	p.loading.Store(false)
	if _, again, err := next.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 9001); err != nil || !again {
		t.Fatalf("a third time: again=%v %v; want again (told once)", again, err)
	}
	tip, err := next.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}

// /forget of the tip takes out the marks keyed to the reporter's answer
// ("qa:<n>", "qh:<n>", a keyed hash of their message and of their words)
// but not what the answer left untold ("qu:<n>", "qv:<n>", "qi:<n>": the
// question, its asker, the answer's place in the history): the reporter
// answered before they withdrew, the answer stays in the history, and
// its asker is told of it once, by the sweep, as they would have been had
// its write's reply not been lost. Once told, nothing of it is left.
// Mutation: forgetRoute taking out "qu:", "qv:" and "qi:" fails this (the
// sweep after the grace takes nothing: the asker never told).
func TestForgetKeepsAnUntoldAnswerToBeToldOnce(t *testing.T) {
	ctx := context.Background()
	srv, p, st, id, n := untoldFirstTry(t)
	p.loading.Store(false)
	key := "t:{tips}:tip:" + id
	for _, f := range []string{"qa:", "qu:", "qv:", "qi:", "qh:"} {
		if !srv.Client().HExists(ctx, key, f+strconv.Itoa(n)).Val() {
			t.Fatalf("before /forget, the tip has no %s%d: %v", f, n, srv.Client().HKeys(ctx, key).Val())
		}
	}
	if err := st.Forget(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, f := range srv.Client().HKeys(ctx, key).Val() {
		if strings.HasPrefix(f, "qa:") || strings.HasPrefix(f, "qh:") {
			t.Errorf("after /forget, the tip keeps %s", f)
		}
	}
	sweep, clk := storeOn(t, srv.Client())
	clk.Add(untoldGrace + time.Minute)
	got, err := takeUntold(t, sweep)
	if err != nil || len(got) != 1 || got[0].Question.By.Route != "telegram:2002" || got[0].Answer != "El lunes" {
		t.Fatalf("the sweep after /forget: %+v %v, want the answer to Ana's question", got, err)
	}
	for _, f := range srv.Client().HKeys(ctx, key).Val() {
		if strings.HasPrefix(f, "qu:") || strings.HasPrefix(f, "qv:") || strings.HasPrefix(f, "qi:") {
			t.Errorf("told, the tip keeps %s", f)
		}
	}
}

// /forget between an answer's write and its take (toTell): the answer
// written before the reporter withdrew is told, once, by the call that
// wrote it (not "again": no one told it, the sweep would find it gone).
// Mutation: forgetRoute taking out "qu:", "qv:" and "qi:" fails this
// (again=true, untold).
func TestForgetAsAnAnswerIsWrittenLetsItBeTold(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	answering := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	t.Cleanup(func() { answering.Close() })
	st, _ := storeOn(t, answering)
	forgetting, _ := storeOn(t, srv.Client())
	id := submit(t, st, "905", 95, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	h := &beforeUntoldTake{run: func() {
		if err := forgetting.Forget(ctx, id); err != nil {
			t.Error(err)
		}
	}}
	answering.AddHook(h)
	h.toTell.Store(true)
	q, again, err := st.AnswerOnce(ctx, id, n, "El lunes", st.Pseudonym("telegram", "905"), 9501)
	if h.toTell.Load() {
		t.Fatal("the answer's take did not go through the hook")
	}
	if err != nil || again || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
		t.Fatalf("the answer, /forget before its take: %+v again=%v %v; want Ana's question, to be told", q, again, err)
	}
	if _, _, err := st.ReporterRoute(ctx, id); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the route after /forget: %v, want ErrNotFound", err)
	}
}

// untoldFirstTry stores a tip of reporter 901 with Ana's question n
// ("¿Qué día?") and answers it "El lunes" once through a proxy that
// loses the script's reply and a hook that fails the look after it:
// the first try's error, what it wrote left untold ("qu:<n>"). Another
// tip is answered first so the script is cached in Redis.
func untoldFirstTry(t *testing.T) (*redistest.Server, *scriptReplyCutter, *storage.Store, string, int) {
	t.Helper()
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	look := &failLook{}
	rdb.AddHook(look)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "901", 90, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	other := submit(t, st, "902", 91, "", true) // the script cached in Redis
	if _, _, err := answerTold(t, st, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí", st.Pseudonym("telegram", "902"), 9101); err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	look.armed.Store(true)
	if _, _, err := st.AnswerOnce(ctx, id, n, "El lunes", st.Pseudonym("telegram", "901"), 9001); err == nil {
		t.Fatal("its reply lost, its look failed: no error")
	}
	return srv, p, st, id, n
}

// answerTold is AnswerOnce as the engine calls it: the answer told (its
// asker sent it), its untold copy is finished (FinishUntold), or it is
// left for the sweep.
func answerTold(t *testing.T, st *storage.Store, id string, n int, answer, pseudonym string, event int64) (storage.Question, bool, error) {
	t.Helper()
	ctx := context.Background()
	q, again, err := st.AnswerOnce(ctx, id, n, answer, pseudonym, event)
	if err == nil && !again {
		if ferr := st.FinishUntold(ctx, storage.UntoldAnswer{TipID: id, Question: q}); ferr != nil {
			t.Fatalf("finish: %v", ferr)
		}
	}
	return q, again, err
}
