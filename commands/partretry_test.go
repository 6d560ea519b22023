package commands_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// retryRefuser is a TCP proxy to a Redis. Armed, it lets the next draft
// write (AddToDraft's pipeline, ZADD on the drafts' deadlines and
// EVALSHA; or, eval, the EVAL of its script Redis did not have cached)
// run in Redis, and loses its reply: every connection is cut as the
// reply comes back. Until healed, a retry of it is then refused: new
// connections are refused (refuse), or the write is answered LOADING
// without reaching Redis.
type retryRefuser struct {
	t       *testing.T
	addr    string
	to      string
	refuse  bool
	write   func([]byte) int // how many commands b holds if it is the write, else 0
	armed   atomic.Bool
	loading atomic.Bool
	mu      sync.Mutex
	ln      net.Listener
	conns   []net.Conn
}

func startRetryRefuser(t *testing.T, to string, refuse, eval bool) *retryRefuser {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &retryRefuser{t: t, addr: ln.Addr().String(), to: to, refuse: refuse, write: draftPipeline, ln: ln}
	if eval {
		p.write = draftEval
	}
	t.Cleanup(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.ln != nil {
			p.ln.Close()
		}
		for _, c := range p.conns {
			c.Close()
		}
	})
	go p.accept(ln)
	return p
}

// draftPipeline is 2 if b is AddToDraft's pipeline.
func draftPipeline(b []byte) int {
	b = bytes.ToLower(b)
	if bytes.Contains(b, []byte("\r\nzadd\r\n")) && bytes.Contains(b, []byte(":drafts\r\n")) && bytes.Contains(b, []byte("\r\nevalsha\r\n")) {
		return 2
	}
	return 0
}

// draftEval is 1 if b is the EVAL of AddToDraft's script (by a comment
// of its own).
func draftEval(b []byte) int {
	if bytes.Contains(bytes.ToLower(b), []byte("\r\neval\r\n")) && bytes.Contains(b, []byte("(DropDraftBefore)")) {
		return 1
	}
	return 0
}

func (p *retryRefuser) accept(ln net.Listener) {
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
				cmds := p.write(buf[:n])
				if cmds > 0 && p.loading.Load() {
					// The retry, refused before it runs.
					io.WriteString(c, strings.Repeat("-LOADING Redis is loading the dataset in memory\r\n", cmds))
					continue
				}
				if cmds > 0 && p.armed.CompareAndSwap(true, false) {
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
					p.lost()
					return
				}
				if _, err := c.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
	}
}

// lost cuts every connection, its reply unsent, refusing what comes next
// first.
func (p *retryRefuser) lost() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse {
		p.ln.Close()
		p.ln = nil
	} else {
		p.loading.Store(true)
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// heal has the proxy take connections and pass writes again.
func (p *retryRefuser) heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.loading.Store(false)
	if p.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Errorf("listen again at %s: %v", p.addr, err)
		return
	}
	p.ln = ln
	go p.accept(ln)
}

// healedAfterWrite is a store whose proxy is healed once a draft write
// returns: the write and its retries saw the outage, the reads after
// them do not.
type healedAfterWrite struct {
	*storage.Store
	p *retryRefuser
}

func (s *healedAfterWrite) AddToDraft(ctx context.Context, p string, d storage.DraftPart) (storage.Draft, error) {
	defer s.p.heal()
	return s.Store.AddToDraft(ctx, p, d)
}

// A typed message whose draft write ran in Redis, its reply lost, and
// whose retry by go-redis (MaxRetries, 3 by default) was refused: the
// error go-redis returned was the retry's (connection refused, LOADING),
// which says the write never ran, and the reporter heard it was NOT
// saved, or something went wrong (or, with a spool, it was spooled as a
// tip of its own besides), though it was in their draft. The write is
// sent once: its error is the lost reply's, the part is looked for,
// found, and the reporter told it was added, once. (A pipeline's retry
// refused a connection leaves its commands the first attempt's error:
// go-redis stamps an error only on a command without one.)
// Mutation: AddToDraft's pipeline and EVAL retried (no onceScripter) →
// the LOADING cases and "EVAL, retry refused" fail.
func TestPartWriteWhoseRetryIsRefusedIsLookedFor(t *testing.T) {
	msg, _ := loadMessages()
	added := msg.Localize("en", "draft_added", nil, 2)
	for _, c := range []struct {
		name                  string
		eval, refuse, spooled bool
	}{
		{"retry refused", false, true, false},
		{"retry refused, with a spool", false, true, true},
		{"retry told LOADING", false, false, false},
		{"retry told LOADING, with a spool", false, false, true},
		{"EVAL, retry refused", true, true, false},
		{"EVAL, retry refused, with a spool", true, true, true},
		{"EVAL, retry told LOADING", true, false, false},
		{"EVAL, retry told LOADING, with a spool", true, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			srv := redistest.Start(t)
			p := startRetryRefuser(t, srv.Addr, c.refuse, c.eval)
			// As main's client: go-redis's retries (MaxRetries 3).
			rdb := redis.NewClient(&redis.Options{Addr: p.addr, Protocol: 2, ContextTimeoutEnabled: true, DialerRetries: 1})
			t.Cleanup(func() { rdb.Close() })
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			st, _ := storage.New(rdb, kr, storage.Options{Prefix: "l"})
			if err := st.Init(ctx); err != nil {
				t.Fatal(err)
			}
			logs := &bytes.Buffer{}
			o := commands.Options{Store: &healedAfterWrite{Store: st, p: p}, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(logs, nil))}
			var sp *storage.Spool
			if c.spooled {
				var err error
				if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
					t.Fatal(err)
				}
				o.Spool = sp
			}
			mux := commands.New(o)
			if sp != nil {
				sp.RouteWith(mux.RouteSpooled)
			}
			if r := sayAs(mux, "82", commands.Request{Text: "Cobran piso en la farmacia", EventID: 8200}); len(r) != 1 || press(r, "send:") == "" {
				t.Fatalf("a first message: %q", texts(r))
			}
			if c.eval {
				// As after a Redis restart: its scripts are sent again.
				if err := srv.Client().ScriptFlush(ctx).Err(); err != nil {
					t.Fatal(err)
				}
			}
			p.armed.Store(true)
			r := sayAs(mux, "82", commands.Request{Text: "Los vieron el lunes", EventID: 8201})
			if p.armed.Load() {
				t.Fatal("the draft write did not go through the proxy")
			}
			if len(r) != 1 || r[0].Text != added {
				t.Fatalf("its write's reply lost, its retry refused: %q, want %q", texts(r), added)
			}
			if sp != nil && sp.Len() != 0 {
				t.Fatalf("spooled too: %d entries", sp.Len())
			}
			if d, err := st.Draft(ctx, st.Pseudonym("telegram", "82")); err != nil || d.Parts != 2 {
				t.Fatalf("the draft %+v %v, want 2 parts", d, err)
			}
			if bytes.Contains(logs.Bytes(), []byte("lunes")) {
				t.Fatalf("the log holds the message: %s", logs)
			}
		})
	}
}
