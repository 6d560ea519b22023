package storage_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// cutAfterReply is a connection that, once armed, lets the first script
// on the tip counter (not the draw: unnumber) run, reads its reply, runs
// between, and then drops the connection as a network blip would: the
// client never sees the answer and sends the script again.
type cutAfterReply struct {
	net.Conn
	armed   *atomic.Bool
	match   func(lower []byte) bool // the command to cut after (its bytes, lower case)
	between func()
	cut     bool
}

func (c *cutAfterReply) Write(b []byte) (int, error) {
	if c.match(bytes.ToLower(b)) && c.armed.CompareAndSwap(true, false) {
		c.cut = true
	}
	return c.Conn.Write(b)
}

// cutClient is a client whose connections cut, once armed, after the
// first command match picks out has run.
func cutClient(t *testing.T, srv *redistest.Server, armed *atomic.Bool, match func([]byte) bool, between func()) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &cutAfterReply{Conn: conn, armed: armed, match: match, between: between}, nil
	}})
	t.Cleanup(func() { c.Close() })
	return c
}

// givingBack picks out unnumber: a script on the tip counter that draws
// nothing.
func givingBack(b []byte) bool {
	return bytes.Contains(b, []byte(":{tips}:seq")) && bytes.Contains(b, []byte("eval")) && !bytes.Contains(b, []byte("incr"))
}

// saving picks out saveTip: a script that adds to the triage stream.
func saving(b []byte) bool {
	return bytes.Contains(b, []byte(":{tips}:triage")) && bytes.Contains(b, []byte("eval")) && bytes.Contains(b, []byte(":{tips}:receipt:"))
}

func (c *cutAfterReply) Read(b []byte) (int, error) {
	if !c.cut {
		return c.Conn.Read(b)
	}
	n, err := c.Conn.Read(b)
	if err != nil {
		return n, err
	}
	if bytes.HasPrefix(b[:n], []byte("-NOSCRIPT")) { // not run: sent whole next
		c.cut = false
		c.armed.Store(true)
		return n, nil
	}
	// The script ran: its answer is here.
	c.between()
	c.Conn.Close()
	return 0, io.EOF
}

// A Send that stores no tip gives its number back (7c7e0a0). If the
// answer to that give-back is lost (a dropped connection, a read
// timeout) the client sends it again, and by then another Send may have
// drawn the same number for a tip: the number was given back twice, the
// next tip drew it a second time and overwrote the first (its text, its
// key: a tip told "received" and lost) on the same number.
func TestGivenBackNumberRetriedDoesNotNumberTwoTips(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	var armed atomic.Bool
	var between func()
	st1, _ := storeOn(t, cutClient(t, srv, &armed, givingBack, func() { between() }))
	st2, _ := storeOn(t, srv.Client())
	var lastDraft string
	send := func(st *storage.Store, user string, text string) storage.Submission {
		t.Helper()
		p := st.Pseudonym("telegram", user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:" + user, Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		lastDraft = d.ID
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	send(st1, "81", "cobran piso en el mercado")
	firstDraft := lastDraft
	var second storage.Submission
	between = func() { second = send(st2, "82", "venden armas detrás de la iglesia") }
	armed.Store(true)
	// The first reporter taps Send again: no tip, its number given back,
	// the answer lost; meanwhile the second reporter's tip is stored.
	p1 := st1.Pseudonym("telegram", "81")
	if again, err := st1.SubmitDraft(ctx, p1, firstDraft, "es"); err != nil || !again.Repeat {
		t.Fatalf("Send again: %+v %v", again, err)
	}
	if armed.Load() {
		t.Fatal("the give-back was never cut")
	}
	third := send(st2, "83", "y el jueves llega otra camioneta")
	if third.TipID == second.TipID {
		t.Errorf("two tips numbered #%s", third.TipID)
	}
	tip, err := st2.TipByReceipt(ctx, second.Receipt)
	if err != nil || tip.ID != second.TipID || !bytes.Contains([]byte(tip.Content.Text()), []byte("armas")) {
		t.Errorf("the second reporter's tip: %s %q %v", tip.ID, tip.Content.Text(), err)
	}
	if n, err := st2.TipCount(ctx); err != nil || n != 3 {
		t.Errorf("tip count %d %v, want 3", n, err)
	}
}

// Many reporters press Send at once, each twice (a double tap: one of
// the two stores nothing and gives its number back), and others press
// Send on a cancelled draft: every tip has a number of its own and keeps
// its own text, and no number is above the count.
func TestConcurrentSendsGivingNumbersBackNumberEachTipOnce(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	st, _ := storeOn(t, srv.Client())
	const reporters = 24
	type sent struct {
		sub  storage.Submission
		text string
	}
	var (
		mu  sync.Mutex
		out []sent
		wg  sync.WaitGroup
	)
	for r := range reporters {
		p := st.Pseudonym("telegram", strconv.Itoa(100+r))
		text := fmt.Sprintf("camioneta blanca número %d en la esquina", r)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:" + strconv.Itoa(100+r), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		if r%4 == 3 {
			if err := st.DiscardDraft(ctx, p, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
				if err != nil {
					return // cancelled, or sent by the other tap
				}
				mu.Lock()
				out = append(out, sent{sub, text})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	owner := map[string]string{}
	stored := 0
	for _, s := range out {
		if prev, ok := owner[s.sub.TipID]; ok {
			if prev != s.text {
				t.Errorf("tip #%s numbers two tips", s.sub.TipID)
			}
			continue
		}
		owner[s.sub.TipID] = s.text
		stored++
		tip, err := st.TipByReceipt(ctx, s.sub.Receipt)
		if err != nil || tip.ID != s.sub.TipID || tip.Content.Text() != s.text {
			t.Errorf("tip #%s: %s %q %v, want %q", s.sub.TipID, tip.ID, tip.Content.Text(), err, s.text)
		}
	}
	if want := reporters - reporters/4; stored != want {
		t.Errorf("%d tips stored, want %d", stored, want)
	}
	n, err := st.TipCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for id := range owner {
		if i, _ := strconv.ParseInt(id, 10, 64); i < 1 || i > n {
			t.Errorf("tip #%s beyond the count %d", id, n)
		}
	}
}

// A tip's save whose answer is lost is sent again by the client, and
// finds the tip it stored under its receipt: that is this Send's own tip,
// stored now, not a Send pressed before. Taken for one, the Send gave its
// number back, and the next tip drew it too and overwrote the first.
func TestSaveSentAgainKeepsItsTipNumber(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	var armed atomic.Bool
	st1, _ := storeOn(t, cutClient(t, srv, &armed, saving, func() {}))
	st2, _ := storeOn(t, srv.Client())
	send := func(st *storage.Store, user, text string) storage.Submission {
		t.Helper()
		p := st.Pseudonym("telegram", user)
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:" + user, Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	armed.Store(true)
	first := send(st1, "81", "cobran piso en el mercado")
	if armed.Load() {
		t.Fatal("the save was never cut")
	}
	next := send(st2, "82", "venden armas detrás de la iglesia")
	if next.TipID == first.TipID {
		t.Errorf("two tips numbered #%s", next.TipID)
	}
	tip, err := st2.TipByReceipt(ctx, first.Receipt)
	if err != nil || tip.ID != first.TipID || tip.Content.Text() != "cobran piso en el mercado" {
		t.Errorf("the first reporter's tip #%s: %s %q %v", first.TipID, tip.ID, tip.Content.Text(), err)
	}
	if n, err := st2.TipCount(ctx); err != nil || n != 2 {
		t.Errorf("tip count %d %v, want 2", n, err)
	}
	if first.Repeat {
		t.Errorf("the first Send read as a Send pressed again: %+v", first)
	}
}
