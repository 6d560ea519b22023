package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// scriptReplyCutter is a TCP proxy to a Redis. Armed, it lets the next
// script call (EVALSHA or EVAL) run in Redis and loses its reply: every
// connection is cut as the reply comes back. From then on, until healed,
// a script call is answered LOADING without reaching Redis (a retry of
// it refused); other commands pass, and toTell's hold of an untold
// answer (holdUntold), no script these tests mean.
type scriptReplyCutter struct {
	addr    string
	to      string
	match   func(b []byte) bool // the script call to cut (lower case), else any
	armed   atomic.Bool
	loading atomic.Bool
	mu      sync.Mutex
	conns   []net.Conn
}

func startScriptReplyCutter(t *testing.T, to string) *scriptReplyCutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &scriptReplyCutter{addr: ln.Addr().String(), to: to}
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, err := net.Dial("tcp", p.to)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, r)
			p.mu.Unlock()
			var lose atomic.Bool
			go func() {
				buf := make([]byte, 1<<16)
				for {
					n, err := c.Read(buf)
					if err != nil {
						r.Close()
						return
					}
					b := bytes.ToLower(buf[:n])
					script := bytes.Contains(b, []byte("\r\nevalsha\r\n")) || bytes.Contains(b, []byte("\r\neval\r\n"))
					script = script && (p.match == nil || p.match(b))
					// toTell's hold (holdUntold) is no answer's script: a
					// retry of the answer refused, it still runs, as the
					// HDEL it replaced did (unless matched).
					script = script && (p.match != nil || !isHoldUntold(b))
					if script && p.loading.Load() {
						// One refusal a command (a pipeline's each).
						for range max(1, respCommands(buf[:n])) {
							io.WriteString(c, "-LOADING Redis is loading the dataset in memory\r\n")
						}
						continue
					}
					if script && p.armed.CompareAndSwap(true, false) {
						lose.Store(true)
					}
					if _, err := r.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
			go func() {
				buf := make([]byte, 1<<16)
				for {
					n, err := r.Read(buf)
					if err != nil {
						c.Close()
						return
					}
					if lose.Load() {
						p.loading.Store(true)
						p.mu.Lock()
						for _, c := range p.conns {
							c.Close()
						}
						p.conns = nil
						p.mu.Unlock()
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return p
}

// cutterClient is main's client (go-redis's retries, MaxRetries 3) through
// the reply cutter p.
// isHoldUntold reports whether a call (lower case) is toTell's hold.
func isHoldUntold(b []byte) bool {
	return bytes.Contains(b, []byte(storage.HoldUntoldHash)) || bytes.Contains(b, []byte("-- holduntold"))
}

func cutterClient(t *testing.T, p *scriptReplyCutter) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: p.addr, Protocol: 2, ContextTimeoutEnabled: true, DialerRetries: 1})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// An answer (AnswerOnce) whose script ran in Redis, its reply lost, and
// whose retry by go-redis (MaxRetries, 3 by default) was told LOADING:
// go-redis returned the retry's error, which says the answer was never
// stored (an outage: the reporter told NOT saved, or the message
// spooled, and replayed as "again", so the investigators were never
// told), though the question was closed by it. Sent once, its error is
// the lost reply's, the mark is looked for and found: the answer is
// returned as stored now, with its question, so the caller tells it.
// Mutation: answer's script run by answerQuestion.Run (go-redis's
// retries, no look) → fails: LOADING.
func TestAnswerWhoseRetryIsRefusedIsLookedFor(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	// As main's client: go-redis's retries (MaxRetries 3).
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "301", 30, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	pseudonym := st.Pseudonym("telegram", "301")
	// Another tip's question answered first: Redis has the script cached
	// (the EVALSHA armed runs, not told NOSCRIPT).
	other := submit(t, st, "302", 31, "", true)
	if _, _, err := st.AnswerOnce(ctx, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí", st.Pseudonym("telegram", "302"), 3101); err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	q, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 3001)
	if p.armed.Load() {
		t.Fatal("the answer's script did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || again || q.N != n || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
		t.Fatalf("its reply lost, its retry refused: %+v again=%v %v; want question %d stored now", q, again, err, n)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
	// The same message again: known, not stored twice.
	if _, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 3001); err != nil || !again {
		t.Fatalf("delivered again: again=%v %v", again, err)
	}
}

// A Send whose tip was stored (saveTip ran in Redis), its reply lost, and
// whose retry by go-redis was told LOADING: go-redis returned the
// retry's error, an outage, and the reporter heard the tip was NOT saved
// (or, spooled, it became a second tip at the replay), though it was in
// triage. Sent once, its error is the lost reply's, and the tip is looked
// for under its receipt (derived from reporter and draft): found, the
// Send returns it as stored, with its receipt.
// Mutation: saveTip's EvalSha on the pipeline as before (go-redis's
// retries) → fails: save tip: LOADING.
func TestSendWhoseRetryIsRefusedIsLookedFor(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	p.match = func(b []byte) bool { return bytes.Contains(b, []byte(":{tips}:triage\r\n")) }
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	submit(t, st, "401", 40, "", false) // saveTip cached in Redis
	ps := st.Pseudonym("telegram", "401")
	d, err := st.AddToDraft(ctx, ps, storage.DraftPart{EventID: 41, Part: tips.Part{Text: "Cobran piso en la farmacia"}})
	if err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	sub, err := st.SubmitDraft(ctx, ps, d.ID, "es")
	if p.armed.Load() {
		t.Fatal("the tip's save did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || sub.TipID == "" || sub.Receipt == "" || sub.Repeat {
		t.Fatalf("its reply lost, its retry refused: %+v %v; want the tip stored now", sub, err)
	}
	if tip, err := st.Tip(ctx, sub.TipID); err != nil || tip.Content.Text() != "Cobran piso en la farmacia" {
		t.Fatalf("tip %s: %v", sub.TipID, err)
	}
	// Sent again: the same tip, no second one.
	again, err := st.SubmitDraft(ctx, ps, d.ID, "es")
	if err != nil || again.TipID != sub.TipID || again.Receipt != sub.Receipt {
		t.Fatalf("sent again: %+v %v, want tip %s", again, err, sub.TipID)
	}
}

// A plain Answer (no platform event) whose script ran in Redis, its reply
// lost, and whose retry by go-redis was told LOADING: the reporter heard
// NOT saved (or, retried and run, the question was found closed:
// ErrNotFound, the answer taken for none), though the question was closed
// by it and the investigators never told. Sent once with a mark drawn for
// it, the lost reply is looked for by that mark: the question is
// returned as answered now.
// Mutation: Answer passing no mark (go-redis's retries, no look) → fails:
// answer: LOADING.
func TestPlainAnswerWhoseRetryIsRefusedIsLookedFor(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "501", 50, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	other := submit(t, st, "502", 51, "", true) // the script cached in Redis
	if _, err := st.Answer(ctx, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí"); err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	q, err := st.Answer(ctx, id, n, "El lunes")
	if p.armed.Load() {
		t.Fatal("the answer's script did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || q.N != n || q.Text != "¿Qué día?" || q.By.Route != ana.Route {
		t.Fatalf("its reply lost, its retry refused: %+v %v; want question %d answered now", q, err, n)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
	// Answered: closed to another.
	if _, err := st.Answer(ctx, id, n, "El martes"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("answered again: %v, want ErrNotFound", err)
	}
}

// respCommands counts the commands (RESP arrays of bulk strings) in b, a
// client's write; 0 where b is not whole.
func respCommands(b []byte) int {
	n := 0
	for len(b) > 0 {
		var args int
		rest, ok := respHeader(b, '*', &args)
		if !ok {
			return 0
		}
		for range args {
			var l int
			if rest, ok = respHeader(rest, '$', &l); !ok || len(rest) < l+2 {
				return 0
			}
			rest = rest[l+2:]
		}
		b = rest
		n++
	}
	return n
}

// respHeader reads "<kind><number>\r\n" off b's front into v.
func respHeader(b []byte, kind byte, v *int) ([]byte, bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if len(b) == 0 || b[0] != kind || i < 0 {
		return nil, false
	}
	n, err := strconv.Atoi(string(b[1:i]))
	if err != nil {
		return nil, false
	}
	*v = n
	return b[i+2:], true
}

// A Send whose claim (its first step: the draft claimed, the tip limit
// counted, a number drawn) ran in Redis, its reply lost, and whose retry
// by go-redis was told LOADING: go-redis returned the retry's error, an
// outage, and the reporter heard NOT saved (a retry that ran counted the
// limit twice and drew a second number, the first a gap). Sent once, its
// error is the lost reply's, and the claim is looked for in the draft
// ("sending" since this Send): found, the Send goes on and stores the tip.
// Mutation: the claim's EvalSha on the pipeline as before (go-redis's
// retries) → fails: claim draft: LOADING.
func TestSendClaimWhoseRetryIsRefusedIsLookedFor(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	p.match = func(b []byte) bool { return bytes.Contains(b, []byte("\r\nincr\r\n")) } // the claim's pipeline
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	submit(t, st, "601", 60, "", false) // claimDraft cached in Redis
	ps := st.Pseudonym("telegram", "601")
	d, err := st.AddToDraft(ctx, ps, storage.DraftPart{EventID: 61, Part: tips.Part{Text: "Cobran piso en la farmacia"}})
	if err != nil {
		t.Fatal(err)
	}
	p.armed.Store(true)
	sub, err := st.SubmitDraftWithin(ctx, ps, d.ID, "es", &storage.Limit{Subject: ps, Kind: "tip", Max: 1, Window: time.Hour})
	if p.armed.Load() {
		t.Fatal("the claim did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || sub.TipID == "" || sub.Receipt == "" || sub.Repeat {
		t.Fatalf("its reply lost, its retry refused: tip %q repeat %v %v; want the tip stored", sub.TipID, sub.Repeat, err)
	}
	if tip, err := st.Tip(ctx, sub.TipID); err != nil || tip.Content.Text() != "Cobran piso en la farmacia" {
		t.Fatalf("tip %s: %v", sub.TipID, err)
	}
	// Sent again: the same tip, no second one.
	again, err := st.SubmitDraft(ctx, ps, d.ID, "es")
	if err != nil || again.TipID != sub.TipID {
		t.Fatalf("sent again: tip %q %v, want tip %s", again.TipID, err, sub.TipID)
	}
}

// The same message (one platform event) delivered twice at once, as the
// answer to a question: the second delivery's script ran after the
// first's had closed the question (it answered "again"), and its reply
// was lost. Its look found the message's mark, not there when it read
// the question, and took it for its own: "stored now", and the
// investigators, told by the first delivery, were told again. Each call's
// token ("qt:<n>") says which call closed the question: not this one,
// it is the message again.
// Mutation: the look not comparing the token → fails: again false.
func TestAnswerDeliveredTwiceAtOnceIsToldOnce(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	first, _ := storeOn(t, srv.Client()) // the other delivery, straight to Redis
	id := submit(t, st, "701", 70, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	pseudonym := st.Pseudonym("telegram", "701")
	other := submit(t, st, "702", 71, "", true) // the script cached in Redis
	if _, _, err := st.AnswerOnce(ctx, other, ask(t, st, other, ana, "¿Dónde?"), "Aquí", st.Pseudonym("telegram", "702"), 7101); err != nil {
		t.Fatal(err)
	}
	h := &beforeAnswer{}
	var firstAgain bool
	var firstErr error
	h.run = func() { _, firstAgain, firstErr = first.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 7001) }
	rdb.AddHook(h)
	h.armed.Store(true)
	p.armed.Store(true)
	_, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 7001)
	if h.armed.Load() || p.armed.Load() {
		t.Fatal("the answer's script did not go through the hook and the proxy")
	}
	if firstErr != nil || firstAgain {
		t.Fatalf("first delivery: again=%v %v; want stored", firstAgain, firstErr)
	}
	if err != nil || !again {
		t.Fatalf("second delivery, its reply lost: again=%v %v; want again (told by the first)", again, err)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}

// beforeAnswer, armed, runs run before the next answer's script is sent.
type beforeAnswer struct {
	armed atomic.Bool
	run   func()
}

func (h *beforeAnswer) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *beforeAnswer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); strings.EqualFold(cmd.Name(), "evalsha") && len(a) == 13 && strings.Contains(a[3].(string), ":tip:") && h.armed.CompareAndSwap(true, false) {
			h.run()
		}
		return next(ctx, cmd)
	}
}
func (h *beforeAnswer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// The same message (one platform event) delivered again after its answer
// was stored (AnswerOnce read the question closed by it), whose script's
// reply was lost: the script answers "again" to it, and its reply lost
// read as an error, an outage, and the reporter heard their answer was
// NOT saved (sent again, a tip of its own), though it was stored. It is
// the message again, whatever the lost reply said.
// Mutation: the answer's error returned where the message's mark was
// there before (no again) → fails: answer: EOF.
func TestAnswerDeliveredAgainWhoseReplyIsLostIsAgain(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "801", 80, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	pseudonym := st.Pseudonym("telegram", "801")
	if _, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 8001); err != nil || again {
		t.Fatalf("first delivery: again=%v %v; want stored", again, err)
	}
	p.armed.Store(true)
	_, again, err := st.AnswerOnce(ctx, id, n, "El lunes", pseudonym, 8001)
	if p.armed.Load() {
		t.Fatal("the answer's script did not go through the proxy")
	}
	p.loading.Store(false)
	if err != nil || !again {
		t.Fatalf("delivered again, its reply lost: again=%v %v; want again", again, err)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El lunes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}

// The same message delivered again after its answer was stored, whose
// script is refused outright (LOADING: it never ran): its mark, read
// before, says the answer is stored; an error would tell the reporter
// NOT saved (sent again, a second answer). It is the message again.
// Mutation: the "again" branch for ReplyLost errors only (1c65b2b's) →
// fails: answer: LOADING.
func TestAnswerDeliveredAgainWhoseScriptIsRefusedIsAgain(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	p := startScriptReplyCutter(t, srv.Addr)
	rdb := cutterClient(t, p)
	st, _ := storeOn(t, rdb)
	id := submit(t, st, "802", 80, "", true)
	ana := storage.Claimer{Key: "ana-key", Name: "Ana", Route: "telegram:2002"}
	n := ask(t, st, id, ana, "¿Qué día?")
	pseudonym := st.Pseudonym("telegram", "802")
	if _, again, err := st.AnswerOnce(ctx, id, n, "El martes", pseudonym, 8002); err != nil || again {
		t.Fatalf("first delivery: again=%v %v; want stored", again, err)
	}
	p.loading.Store(true)
	_, again, err := st.AnswerOnce(ctx, id, n, "El martes", pseudonym, 8002)
	p.loading.Store(false)
	if err != nil || !again {
		t.Fatalf("delivered again, its script refused: again=%v %v; want again", again, err)
	}
	tip, err := st.Tip(ctx, id)
	if err != nil || strings.Join(answers(tip), "|") != "El martes" {
		t.Fatalf("answers %q %v, want one", answers(tip), err)
	}
}
