package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage/redistest"
)

// nopermNaming is a proxy in front of the Redis at addr that rewrites
// each NOPERM reply as Redis 7.2 and later write it, naming the key
// (here key; Redis 7.0 names none): its address.
func nopermNaming(t *testing.T, addr, key string) string {
	t.Helper()
	return replyRewriting(t, addr, func(line []byte) []byte {
		if bytes.HasPrefix(line, []byte("-NOPERM")) {
			return []byte("-NOPERM User vigia has no permissions to access the '" + key + "' key\r\n")
		}
		return line
	})
}

// replyRewriting is a proxy in front of the Redis at addr that passes
// each line of Redis's replies through rewrite: its address.
func replyRewriting(t *testing.T, addr string, rewrite func(line []byte) []byte) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			go func() { io.Copy(s, c); s.Close() }()
			go func() {
				defer c.Close()
				r := bufio.NewReader(s)
				for {
					line, err := r.ReadBytes('\n')
					if _, werr := c.Write(rewrite(line)); werr != nil || err != nil {
						return
					}
				}
			}()
		}
	}()
	return l.Addr().String()
}

// rotate-key and reset-2fa refused a key by Redis's ACL (NOPERM), which
// Redis 7.2 and later name in the reply, print no pseudonym on stderr:
// rotate-key printed "rotate-key interrupted, run it again: rekey: read:
// NOPERM ... 'vigia:{<pseudonym>}:draft' key" (scrubAddrs keeps a key's
// tail), and openStore's "VIGIA_REDIS_URL: ..." printed Redis's reply as
// it came. Mutations checked: rotate-key's interrupted line on
// scrubAddrs alone -> the rekey case prints the pseudonym; openFailed's
// VIGIA_REDIS_URL line on err as it came -> the keyset case does.
func TestOperatorCommandsPrintNoPseudonymANopermNames_redisops(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	oldSecret := bytes.Repeat([]byte{3}, 32)
	tipUnder(t, srv, oldSecret)
	pseudonym := strings.Repeat("ab12", 8)
	key := "vigia:{" + pseudonym + "}:draft"
	if err := srv.Client().HSet(ctx, key, "x", "y").Err(); err != nil {
		t.Fatal(err)
	}
	proxy := nopermNaming(t, srv.Addr, key)
	for _, c := range []struct {
		name string
		keys []string
		args []string
		says string
	}{
		// Every key but a reporter's: rotate-key's walk is refused one.
		{"rekey", []string{"~vigia:[^{]*", "~vigia:{tips}:*", "~vigia:{team}:*", "~vigia:{alerts}:*", "~vigia:{bc}:*", "~vigia:{inbox}:*", "~vigia:{wipe}:*"},
			[]string{"rotate-key"}, "vigia: rotate-key interrupted, run it again: "},
		// No key: the first read (the keyset) is refused.
		{"keyset", nil, []string{"rotate-key"}, "vigia: VIGIA_REDIS_URL: "},
		{"keyset", nil, []string{"reset-2fa", "telegram:111"}, "vigia: VIGIA_REDIS_URL: "},
	} {
		args := append([]string{"ACL", "SETUSER", "vigia", "reset", "on", ">pw", "+@all", "-@dangerous"}, c.keys...)
		acl := make([]any, len(args))
		for i, a := range args {
			acl[i] = a
		}
		if err := srv.Client().Do(ctx, acl...).Err(); err != nil {
			t.Fatal(err)
		}
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = "redis://vigia:pw@"+proxy+"/0", t.TempDir()
		e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
		var out, errb bytes.Buffer
		code := run(ctx, c.args, env(e), strings.NewReader(""), &out, &errb)
		msg := errb.String()
		if code == 0 || !strings.Contains(msg, c.says) || !strings.Contains(msg, "NOPERM") || strings.Contains(msg, pseudonym) {
			t.Errorf("%s %v: exit %d, %q", c.name, c.args, code, msg)
		}
	}
}
