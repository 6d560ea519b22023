package commands_test

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// refusingProxy is a TCP proxy to a Redis that, once refusing, cuts the
// connections it has and answers every command on a new one with reply
// (a RESP error, "-LOADING …"), none of them reaching Redis: a Redis
// loading its data after a restart, or a replica cut from its primary.
type refusingProxy struct {
	addr     string
	to       string
	reply    string
	refusing atomic.Bool
	mu       sync.Mutex
	conns    []net.Conn
}

func startRefusingProxy(t *testing.T, to, reply string) *refusingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &refusingProxy{addr: ln.Addr().String(), to: to, reply: reply}
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
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.mu.Unlock()
			if p.refusing.Load() {
				go p.refuse(c)
				continue
			}
			r, err := net.Dial("tcp", p.to)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, r)
			p.mu.Unlock()
			go func() { io.Copy(r, c); r.Close() }()
			go func() { io.Copy(c, r); c.Close() }()
		}
	}()
	return p
}

// refuseFromNow cuts every connection: the next ones are refused.
func (p *refusingProxy) refuseFromNow() {
	p.refusing.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// refuse answers each command read on c (a RESP array of bulk strings)
// with the proxy's reply.
func (p *refusingProxy) refuse(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil || len(line) < 3 || line[0] != '*' {
			return
		}
		n, _ := strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		for range n {
			head, err := r.ReadBytes('\n')
			if err != nil || len(head) < 3 || head[0] != '$' {
				return
			}
			size, _ := strconv.Atoi(string(bytes.TrimSpace(head[1:])))
			if _, err := r.Discard(size + 2); err != nil {
				return
			}
		}
		if _, err := io.WriteString(c, p.reply); err != nil {
			return
		}
	}
}

// A Redis that refuses every command for a while, before running it
// (loading its append-only file after a restart, a replica whose primary
// is down, a cluster down), is storage unavailable, as one unreachable
// is: a reporter's message is spooled (received, a tip of its own), or,
// with no spool, told it was NOT saved; never "something went wrong",
// and never looked for in the draft (the write did not run), nor is
// anything of it in the log.
// Mutation: StorageDown without storage.Refused → this test fails
// (error_internal, nothing spooled); writeMayHaveRun without it → the
// cases without a spool fail (held_part_unknown: "it may already be in
// your tip", though the write never ran).
func TestRedisRefusingForAWhileIsAnOutage(t *testing.T) {
	msg, _ := loadMessages()
	for _, c := range []struct {
		name, reply string
		spool       bool
	}{
		{"LOADING", "-LOADING Redis is loading the dataset in memory\r\n", false},
		{"LOADING, with a spool", "-LOADING Redis is loading the dataset in memory\r\n", true},
		{"MASTERDOWN, with a spool", "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n", true},
		{"CLUSTERDOWN", "-CLUSTERDOWN The cluster is down\r\n", false},
		{"TRYAGAIN, with a spool", "-TRYAGAIN Multiple keys request during rehashing of slot\r\n", true},
		{"READONLY", "-READONLY You can't write against a read only replica.\r\n", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := redistest.Start(t)
			p := startRefusingProxy(t, srv.Addr, c.reply)
			// As main's client: go-redis's retries (MaxRetries 3).
			rdb := redis.NewClient(&redis.Options{Addr: p.addr, Protocol: 2, ContextTimeoutEnabled: true, DialerRetries: 1})
			t.Cleanup(func() { rdb.Close() })
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			st, _ := storage.New(rdb, kr, storage.Options{Prefix: "r"})
			if err := st.Init(t.Context()); err != nil {
				t.Fatal(err)
			}
			logs := &bytes.Buffer{}
			o := commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.NewTextHandler(logs, nil))}
			var sp *storage.Spool
			if c.spool {
				var err error
				if sp, err = storage.OpenSpool(t.TempDir(), kr); err != nil {
					t.Fatal(err)
				}
				o.Spool = sp
			}
			mux := commands.New(o)
			if r := sayAs(mux, "83", commands.Request{Text: "Cobran piso en la farmacia", EventID: 8300}); len(r) != 1 || press(r, "send:") == "" {
				t.Fatalf("a first message: %q", texts(r))
			}
			p.refuseFromNow()
			r := sayAs(mux, "83", commands.Request{Text: "Los vieron el lunes", EventID: 8301})
			want := msg.Localize("en", "error_storage", nil)
			if c.spool {
				want = msg.Localize("en", "spool_received", map[string]any{"Receipt": codeRE.FindString(texts(r)[0])})
			}
			if len(r) != 1 || r[0].Text != want {
				t.Fatalf("Redis answering %s: %q, want %q", c.name, texts(r), want)
			}
			if sp != nil && sp.Len() != 1 {
				t.Fatalf("%d spooled, want 1", sp.Len())
			}
			if bytes.Contains(logs.Bytes(), []byte("lunes")) {
				t.Fatalf("the log holds the message: %s", logs)
			}
		})
	}
}
