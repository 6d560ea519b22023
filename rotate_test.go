package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// `vigia rotate-key` re-seals a Redis written under the old secret, prints
// counts (never a value), and refuses to run without the old secret.
func TestRotateKey(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	oldSecret, _ := base64.StdEncoding.DecodeString(otherSecret) // (one that passes the check, to start with alone below)
	receipt := tipUnder(t, srv, oldSecret)

	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), t.TempDir() // the bot's spool directory
	delete(e, "VIGIA_TELEGRAM_TOKEN")                                   // an operator's shell: the secrets, Redis and the spool, no bot token
	rotate := func(e map[string]string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	// Without the previous secret, or with the same one: exit 2, naming it.
	if code, _, msg := rotate(e); code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_SECRET_PREVIOUS:") {
		t.Fatalf("no previous secret: exit %d, %q", code, msg)
	}
	e["VIGIA_SECRET_PREVIOUS"] = goodSecret
	if code, _, msg := rotate(e); code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_SECRET_PREVIOUS:") || strings.Contains(msg, goodSecret) {
		t.Fatalf("previous equals the secret: exit %d, %q", code, msg)
	}
	e["VIGIA_SECRET_PREVIOUS"] = "not base64!"
	if code, _, msg := rotate(e); code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_SECRET_PREVIOUS:") || strings.Contains(msg, "not base64") {
		t.Fatalf("bad previous secret: exit %d, %q", code, msg)
	}

	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	code, out, msg := rotate(e) // the wrapped data key, the keyset
	if code != 0 || !strings.Contains(out, "re-sealed: 2\n") || !strings.Contains(out, "unreadable: 0\n") {
		t.Fatalf("rotate-key: exit %d, stdout %q, stderr %q", code, out, msg)
	}
	for _, secret := range []string{receipt, "telegram:555", "extorsión", e["VIGIA_SECRET_PREVIOUS"], goodSecret} {
		if strings.Contains(out+msg, secret) {
			t.Fatalf("rotate-key printed a value: %q %q", out, msg)
		}
	}
	if !strings.Contains(out, "remove VIGIA_SECRET_PREVIOUS and restart") {
		t.Fatalf("rotate-key does not say which variable to remove: %q", out)
	}
	// Done: again finds nothing to re-seal, and the new secret alone reads the tip.
	if code, out, _ := rotate(e); code != 0 || !strings.Contains(out, "re-sealed: 0\n") {
		t.Fatalf("second run: exit %d, %q", code, out)
	}
	// Given as a file, the previous secret is named so where to remove it.
	prevFile := filepath.Join(t.TempDir(), "vigia_secret_previous")
	if err := os.WriteFile(prevFile, []byte(e["VIGIA_SECRET_PREVIOUS"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fe := maps.Clone(e)
	delete(fe, "VIGIA_SECRET_PREVIOUS")
	fe["VIGIA_SECRET_PREVIOUS_FILE"] = prevFile
	if code, out, _ := rotate(fe); code != 0 || !strings.Contains(out, "remove VIGIA_SECRET_PREVIOUS_FILE and restart") {
		t.Fatalf("previous secret from a file: exit %d, %q", code, out)
	}
	cfg, err := loadConfig(env(validEnv()), false)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := cfg.keyring()
	readsTip(t, srv, kr, receipt)
	// A value under neither secret: reported, and exit 1.
	if err := srv.Client().HSet(ctx, "vigia:{team}:members", "stray", append([]byte{1}, bytes.Repeat([]byte{9}, 40)...)).Err(); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := rotate(e); code != 1 || !strings.Contains(out, "unreadable: 1\n") {
		t.Fatalf("unreadable value: exit %d, %q", code, out)
	}
	// The old secret alone no longer starts.
	delete(e, "VIGIA_SECRET_PREVIOUS")
	e["VIGIA_SECRET"] = base64.StdEncoding.EncodeToString(oldSecret)
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	if code, _, msg := rotate(e); code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_SECRET: "+storage.ErrWrongSecret.Error()) {
		t.Fatalf("wrong secrets: exit %d, %q", code, msg)
	}
}

// rotate-key does not say that nothing is left under the previous secret
// while the outage spool holds tips sealed under it: removing the old
// secret then would leave them unreadable. Once the bot has replayed them,
// it does.
func TestRotateKeyWaitsForTheSpool(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	oldSecret := bytes.Repeat([]byte{1}, 32)
	oldKr, _ := storage.NewKeyring(oldSecret)
	if st, err := storage.New(srv.Client(), oldKr, storage.Options{Prefix: "vigia"}); err != nil || st.Init(ctx) != nil {
		t.Fatalf("store: %v", err)
	}
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, oldKr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: "p", EventID: 1, Part: tips.Part{Text: "spooled during an outage"}}); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), dir
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	rotate := func() (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, msg := rotate()
	if code != 1 || strings.Contains(out, "nothing is left") || !strings.Contains(msg, "holds 1 tips sealed under the previous secret") || strings.Contains(out+msg, "spooled during") {
		t.Fatalf("spool under the old secret: exit %d, stdout %q, stderr %q", code, out, msg)
	}
	// The bot, running with both secrets, replays the spool.
	cfg, err := loadConfig(env(e), false)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := cfg.keyring()
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"})
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if sp, err = storage.OpenSpool(dir, kr); err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if code, out, msg := rotate(); code != 0 || !strings.Contains(out, "nothing is left") {
		t.Fatalf("after the replay: exit %d, stdout %q, stderr %q", code, out, msg)
	}
}

// rotate-key run where the bot's spool is not (another working directory,
// VIGIA_SPOOL_DIR left out of the operator's shell: the default is
// relative) found no spool file there and said that nothing was left
// under the previous secret, so the operator removed it, and tips the bot
// had spooled under it during an outage went to quarantine, unreadable.
// The bot creates its spool directory at start: one missing is not the
// bot's, and rotate-key says so instead.
func TestRotateKeyMissingSpoolDirIsNotAllClear(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	oldSecret := bytes.Repeat([]byte{1}, 32)
	oldKr, _ := storage.NewKeyring(oldSecret)
	if st, err := storage.New(srv.Client(), oldKr, storage.Options{Prefix: "vigia"}); err != nil || st.Init(ctx) != nil {
		t.Fatalf("store: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "not-the-bots-spool")
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), missing
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	var out, errb bytes.Buffer
	code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb)
	if code != 1 || strings.Contains(out.String(), "nothing is left") || !strings.Contains(errb.String(), "VIGIA_SPOOL_DIR") {
		t.Fatalf("missing spool directory: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if strings.Contains(out.String()+errb.String(), missing) {
		t.Fatalf("rotate-key printed the path: %q", errb.String()) // as withoutPath: paths may name the host's layout
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("rotate-key created the spool directory: %v", err)
	}
}

// serve with a VIGIA_SECRET that is not the one Redis was written with
// exits 2 naming VIGIA_SECRET, as rotate-key and reset-2fa do; it used to
// exit 1 with a "redis:" error, as if Redis had failed.
func TestServeWithWrongSecretIsConfigError(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_METRICS_ADDR"], e["VIGIA_SPOOL_DIR"] = srv.URL(), "off", t.TempDir()
	e["VIGIA_INVESTIGATORS"] = "telegram:1" // no start-up warning before the error
	var out, errb bytes.Buffer
	secret, _ := base64.StdEncoding.DecodeString(goodSecret)
	kr, _ := storage.NewKeyring(secret)
	if st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"}); err != nil || st.Init(ctx) != nil {
		t.Fatal("first start (keeps the keyset)")
	}
	other := otherSecret
	e["VIGIA_SECRET"] = other
	for _, args := range [][]string{{"serve"}, {"reset-2fa", "telegram:1"}} {
		errb.Reset()
		code := run(ctx, args, env(e), strings.NewReader(""), &out, &errb)
		// The error is the last line (a Redis that does not answer CONFIG
		// GET, as the embedded one, is warned of before it).
		msg := errb.String()
		lines := strings.Split(strings.TrimSpace(msg), "\n")
		if code != 2 || !strings.HasPrefix(lines[len(lines)-1], "vigia: VIGIA_SECRET: "+storage.ErrWrongSecret.Error()) || strings.Contains(msg, other) {
			t.Errorf("%s with another secret: exit %d, %q", args[0], code, msg)
		}
	}
}

// rotate-key waits for Redis's answer past the client's read timeout (3 s
// by default; 200 ms in this URL): putting a long stream's rebuilt copy in
// place is one script that carries every pending entry over, and one cut
// off was reported as a failure (and sent again by the client, which then
// found the copy gone) although Redis went on and finished it. Here Redis
// is busy with another script for 1.5 s as rotate-key starts.
func TestRotateKeyWaitsForSlowRedisAnswers(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("the embedded Redis runs no Lua loop")
	}
	oldSecret := bytes.Repeat([]byte{1}, 32)
	kr, _ := storage.NewKeyring(oldSecret)
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL()+"?read_timeout=200ms", t.TempDir()
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	delete(e, "VIGIA_TELEGRAM_TOKEN")

	// Sent on a connection of its own and not waited for: Redis runs it
	// before it takes rotate-key's connections.
	busy := `local s = redis.call('TIME') s = s[1] * 1000000 + s[2]
while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] - s > 1500000 then return 1 end end`
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(busy), busy); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "re-sealed: 1\n") {
		t.Fatalf("rotate-key with Redis busy for a while: exit %d, %q %q", code, out.String(), errb.String())
	}
	if reply, err := bufio.NewReader(conn).ReadString('\n'); err != nil || reply != ":1\r\n" {
		t.Fatalf("the busy script: %q %v", reply, err)
	}
}

// heldWriter holds its first Write until release is closed, having closed
// entered: a rotate-key run writing its progress there stops part-way.
type heldWriter struct {
	entered, release chan struct{}
	once             sync.Once
	mu               sync.Mutex
	buf              bytes.Buffer
}

func (w *heldWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.entered); <-w.release })
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Two rotate-key runs at once made each other stop part-way ("run it
// again"). The second is refused at start, exit 1, changing nothing; the
// first goes on and releases its lock, which expires if a run dies.
func TestRotateKeyTwoRunsAtOnce(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	oldSecret := bytes.Repeat([]byte{1}, 32)
	tipUnder(t, srv, oldSecret)
	// Enough keys for the first run to report progress (every 1,000)
	// part-way, where it is held.
	pipe := rdb.Pipeline()
	for i := range 1500 {
		pipe.Set(ctx, fmt.Sprintf("vigia:filler:%d", i), "x", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, k := range rdb.Keys(ctx, "vigia:*").Val() {
		before[k] = fmt.Sprint(rdb.Dump(ctx, k).Val())
	}

	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), t.TempDir()
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	delete(e, "VIGIA_TELEGRAM_TOKEN")

	first := &heldWriter{entered: make(chan struct{}), release: make(chan struct{})}
	var out1 bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out1, first) }()
	select {
	case <-first.entered:
	case code := <-done:
		t.Fatalf("the first run ended (%d) before it was held: %q %q", code, out1.String(), first.buf.String())
	}
	if ttl := rdb.PTTL(ctx, "vigia:rekey:lock").Val(); ttl <= 0 {
		t.Errorf("the first run's lock does not expire (PTTL %v): a run that dies would block every other", ttl)
	}
	// What the held first run has not reached yet: the second must not
	// touch it either.
	for k := range before {
		if v := fmt.Sprint(rdb.Dump(ctx, k).Val()); v != before[k] {
			delete(before, k)
		}
	}

	var out2, err2 bytes.Buffer
	code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out2, &err2)
	if code == 0 || !strings.Contains(err2.String(), "another rotate-key run is in progress") || out2.Len() != 0 {
		t.Errorf("second run while the first is in progress: exit %d, stdout %q, stderr %q", code, out2.String(), err2.String())
	}
	for k, v := range before {
		if now := fmt.Sprint(rdb.Dump(ctx, k).Val()); now != v {
			t.Errorf("the refused second run changed %s", k)
		}
	}

	close(first.release)
	if code := <-done; code != 0 || !strings.Contains(out1.String(), "re-sealed: 2\n") {
		t.Fatalf("the first run: exit %d, stdout %q, stderr %q", code, out1.String(), first.buf.String())
	}
	if n := rdb.Exists(ctx, "vigia:rekey:lock").Val(); n != 0 {
		t.Fatal("the first run left its lock behind")
	}
	var out3, err3 bytes.Buffer
	if code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out3, &err3); code != 0 || !strings.Contains(out3.String(), "re-sealed: 0\n") {
		t.Fatalf("a run after the first: exit %d, %q %q", code, out3.String(), err3.String())
	}
}

// rotate-key does not say that nothing is left under the previous secret
// while receipts owed to reporters (tips.spool.owed) are sealed under it:
// with the old secret removed they would open under none. The bot,
// started with both secrets, seals them again under the new one; then
// rotate-key says it, and they open under the new secret alone.
func TestRotateKeyWaitsForOwedReceipts(t *testing.T) {
	const code = "K7QD-9XMA-R2TP-4WZN"
	rotateKeyWaitsForTheSpool(t, "holds 1 receipts owed to reporters", code,
		func(sp *storage.Spool) error {
			_, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: "pseudonym-of-a-reporter", EventID: 1, Receipt: code})
			return err
		},
		func(sp *storage.Spool) bool {
			got := sp.OwedReceipts("pseudonym-of-a-reporter")
			return len(got) == 1 && got[0].Receipt == code
		})
}

// Nor while discards owed by chat wipes (tips.spool.discards) are sealed
// under it: with the old secret removed, the file would be set aside at
// the next start, the discards lost, and a sweep would tell a wiped chat
// "your unsent tip was deleted".
// Mutation: InspectSpool not counting them -> exit 0 at the first run.
func TestRotateKeyWaitsForOwedDiscards(t *testing.T) {
	const pseudonym = "pseudonym-of-a-wiped-reporter"
	wiped := time.UnixMilli(1_796_000_000_123)
	rotateKeyWaitsForTheSpool(t, "holds 1 discards owed by chat wipes", pseudonym,
		func(sp *storage.Spool) error {
			_, err := sp.OweDiscard(pseudonym, storage.OwedDiscard{Wiped: wiped, UpTo: 401})
			return err
		},
		func(sp *storage.Spool) bool {
			got := sp.DiscardsOwed()
			return len(got) == 1 && got[pseudonym].Wiped.Equal(wiped) && got[pseudonym].UpTo == 401
		})
}

// rotateKeyWaitsForTheSpool has owe keep something in a spool under the
// old secret, then checks that rotate-key exits 1 saying says (and not
// secret), that it says nothing is left once the bot opened the spool
// with both secrets, and that kept finds it under the new secret alone.
func rotateKeyWaitsForTheSpool(t *testing.T, says, secret string, owe func(*storage.Spool) error, kept func(*storage.Spool) bool) {
	t.Helper()
	ctx := context.Background()
	srv := redistest.Start(t)
	oldSecret := bytes.Repeat([]byte{1}, 32)
	oldKr, _ := storage.NewKeyring(oldSecret)
	if st, err := storage.New(srv.Client(), oldKr, storage.Options{Prefix: "vigia"}); err != nil || st.Init(ctx) != nil {
		t.Fatalf("store: %v", err)
	}
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, oldKr)
	if err != nil {
		t.Fatal(err)
	}
	if err := owe(sp); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), dir
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	rotate := func() (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, []string{"rotate-key"}, env(e), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	rc, out, msg := rotate()
	if rc != 1 || strings.Contains(out, "nothing is left") || !strings.Contains(msg, says) || strings.Contains(out+msg, secret) {
		t.Fatalf("kept under the old secret: exit %d, stdout %q, stderr %q", rc, out, msg)
	}
	// The bot restarts with both secrets.
	cfg, err := loadConfig(env(e), false)
	if err != nil {
		t.Fatal(err)
	}
	kr, _ := cfg.keyring()
	if _, err = storage.OpenSpool(dir, kr); err != nil {
		t.Fatal(err)
	}
	if rc, out, msg := rotate(); rc != 0 || !strings.Contains(out, "nothing is left") {
		t.Fatalf("after the bot's restart: exit %d, stdout %q, stderr %q", rc, out, msg)
	}
	newKr, _ := storage.NewKeyring(cfg.Secret)
	if sp, err = storage.OpenSpool(dir, newKr); err != nil {
		t.Fatal(err)
	}
	if !kept(sp) {
		t.Fatal("not found under the new secret alone")
	}
}

// The operator's commands refuse a Redis that holds no keyset under the
// prefix (the bot never started there: another database number or prefix
// than the bot's), exit 2, and write nothing. rotate-key kept a keyset
// there under the new secret and reported "nothing is left under the
// previous secret"; reset-2fa wrote its audit entry there.
func TestOperatorCommandsRefuseARedisWithoutVigia(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	e := validEnv()
	delete(e, "VIGIA_TELEGRAM_TOKEN")
	e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = srv.URL(), t.TempDir()
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	for _, args := range [][]string{{"rotate-key"}, {"reset-2fa", "telegram:1"}} {
		var out, errb bytes.Buffer
		code := run(ctx, args, env(e), strings.NewReader(""), &out, &errb)
		if msg := errb.String(); code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_REDIS_URL: this Redis holds no Vigía data under VIGIA_REDIS_PREFIX") || out.Len() != 0 {
			t.Errorf("%v on an empty Redis: exit %d, %q %q", args, code, out.String(), msg)
		}
		if keys, err := srv.Client().Keys(ctx, "*").Result(); err != nil || len(keys) != 0 {
			t.Fatalf("%v wrote to a Redis it refused: %v %v", args, keys, err)
		}
	}
}

// tipUnder stores a reporter's tip in srv under a keyring made from
// secret, as a running bot would, and gives its receipt code.
func tipUnder(t *testing.T, srv *redistest.Server, secret []byte) string {
	t.Helper()
	ctx := context.Background()
	kr, err := storage.NewKeyring(secret)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "555")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:555", Part: tips.Part{Text: "extorsión en el mercado"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	return sub.Receipt
}

// readsTip fails the test unless a store on srv under kr alone starts
// and finds the tip of receipt.
func readsTip(t *testing.T, srv *redistest.Server, kr *storage.Keyring, receipt string) {
	t.Helper()
	ctx := context.Background()
	fresh, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Init(ctx); err != nil {
		t.Fatalf("the new secret alone: %v", err)
	}
	if _, err := fresh.TipByReceipt(ctx, receipt); err != nil {
		t.Fatalf("the tip under the new secret alone: %v", err)
	}
}

// rotate-key and reset-2fa, Redis out of reach, say so without where: no
// address, host name or resolver, never the URL's password, as serve's
// log does. They printed "dial tcp 127.0.0.1:<port>" and "lookup <host>
// on <resolver>" in clear.
func TestOperatorCommandsWithholdRedisAddresses(t *testing.T) {
	for _, r := range unreachableRedisURLs(t) {
		for _, args := range [][]string{{"rotate-key"}, {"reset-2fa", "telegram:42"}} {
			e := validEnv()
			e["VIGIA_REDIS_URL"], e["VIGIA_SECRET_PREVIOUS"], e["VIGIA_SPOOL_DIR"] = r.url, otherSecret, t.TempDir()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, env(e), strings.NewReader(""), &stdout, &stderr)
			out := stderr.String()
			if code != 1 || !strings.Contains(out, "cannot reach the Redis of VIGIA_REDIS_URL") {
				t.Fatalf("%s %s: exit %d, stderr:\n%s", args[0], r.url, code, out)
			}
			checkWithholdsAddresses(t, args[0], out, out, r)
		}
	}
}
