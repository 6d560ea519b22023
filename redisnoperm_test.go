package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Redis's ACL taking away Vigía's rights to reporters' keys while serve
// runs (NOPERM) is an outage: the reporter's message is spooled, and the
// operator is told once, in a line naming the ACL, what was refused and
// no key (Redis 7.2 names it, here through nopermNaming: a reporter's
// keys carry their pseudonym). serve logged only "tip spooled: redis
// unreachable", sending the operator after a sound network. Mutation
// checked: serve without the nopermNotice hook -> no such line. (The
// hook telling INFO's refusal too, optionalCommands empty, is not caught
// here: serve's INFO, the index expiry repair's, is not reliably made
// after the hook is added; TestNopermNoticeTellsNeededCallsOnce catches
// it.) The spooling of the messages is told once (spoolTally), not a
// line each. Mutation checked: the engine's spool not counted
// (tallyingSpool left out, the Mux's line back) -> no start line, and
// one line each.
func TestServeTellsOnceThatRedisACLRefusesIt_redisops(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	pseudonym := strings.Repeat("cd34", 8)
	url := strings.Replace(srv.LeastPrivilegeURL("vigia"), srv.Addr, nopermNaming(t, srv.Addr, "vigia:{"+pseudonym+"}:draft"), 1)
	updates := make(chan int, 2)
	sent := make(chan string, 10)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			select {
			case id := <-updates:
				fmt.Fprintf(w, `{"ok":true,"result":[{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":555,"type":"private"},"from":{"id":555,"is_bot":false,"first_name":"A","language_code":"en"},"text":"extorsión en el mercado central %d"}}]}`, id, id, time.Now().Unix(), id)
			case <-r.Context().Done():
			case <-time.After(time.Second):
				fmt.Fprint(w, `{"ok":true,"result":[]}`)
			}
		case strings.HasSuffix(r.URL.Path, "/sendMessage"):
			r.ParseMultipartForm(1 << 20)
			sent <- r.FormValue("text")
			fmt.Fprint(w, `{"ok":true,"result":{"message_id":900,"date":0,"chat":{"id":555,"type":"private"}}}`)
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	defer api.Close()
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = url, api.URL
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	lines := &logLines{c: make(chan map[string]any, 1000)}
	var errb bytes.Buffer
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(sctx, []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, teeWriter{&errb, lines})
	}()
	var told []map[string]any
	waitLine := func(what string, match func(map[string]any) bool) {
		t.Helper()
		deadline := time.After(time.Minute) // not a timing, only no hanging
		for {
			select {
			case l := <-lines.c:
				if l["msg"] == nopermLine {
					told = append(told, l)
				}
				if match(l) {
					return
				}
			case code := <-done:
				t.Fatalf("serve stopped (exit %d) before %s: %q", code, what, errb.String())
			case <-deadline:
				t.Fatalf("no %s after a minute: %q", what, errb.String())
			}
		}
	}
	waitLine(`"vigia serving"`, func(l map[string]any) bool { return l["msg"] == "vigia serving" })
	// Every key but a reporter's.
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "vigia", "resetkeys", "~vigia:[^{]*", "~vigia:{tips}:*", "~vigia:{team}:*",
		"~vigia:{alerts}:*", "~vigia:{bc}:*", "~vigia:{inbox}:*", "~vigia:{wipe}:*").Err(); err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for id := 1; id <= 3; id++ {
		updates <- id
		select {
		case <-sent:
			receipts++
		case code := <-done:
			t.Fatalf("serve stopped (exit %d) before message %d's receipt: %q", code, id, errb.String())
		case <-time.After(time.Minute): // not a timing, only no hanging
			t.Fatalf("no receipt for message %d after a minute: %q", id, errb.String())
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve stopped: exit %d", code)
	}
	started, each := 0, 0
	for len(lines.c) > 0 {
		l := <-lines.c
		switch l["msg"] {
		case nopermLine:
			told = append(told, l)
		case spoolStartLine:
			started++
		case "tip spooled: redis unreachable":
			each++
		}
	}
	// The spooling is told once, not a line a message (spoolTally).
	if started != 1 || each != 0 {
		t.Errorf("the spooling of 3 messages told by %d lines, and %d lines of one each, want one: %q", started, each, errb.String())
	}
	if len(told) != 1 {
		t.Fatalf("the ACL's refusal told %d times, want once: %q", len(told), errb.String())
	}
	line := fmt.Sprint(told[0])
	// (The README's user may not run INFO, which the index expiry repair
	// goes on without, as serve starts: not told.)
	if cmd, _ := told[0]["command"].(string); told[0]["level"] != "ERROR" || told[0]["refused"] != "key" || cmd == "" || cmd == "info" || cmd == "config" || strings.Contains(line, pseudonym) || strings.Contains(line, "draft") || strings.Contains(line, "id withheld") {
		t.Errorf("the line %v does not say what was refused, or names a key", told[0])
	}
}

// nopermNotice says nothing of the commands Vigía goes on without (INFO
// and CONFIG GET, refused to the README's user: -@dangerous; CONFIG GET
// granted here, so taken away), and tells a needed call's NOPERM once,
// a pipeline's too. Mutation checked: optionalCommands empty -> INFO's
// refusal is told.
func TestNopermNoticeTellsNeededCallsOnce_redisops(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	url := srv.LeastPrivilegeURL("vigia")
	if err := srv.Client().Do(ctx, "ACL", "SETUSER", "vigia", "-config|get").Err(); err != nil {
		t.Fatal(err)
	}
	rdb, err := redisClient(url, "single")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var logb syncBuffer
	rdb.AddHook(newNopermNotice(newLogger(&logb, slog.LevelInfo)))
	if err := rdb.Info(ctx, "server").Err(); err == nil || !strings.HasPrefix(err.Error(), "NOPERM") {
		t.Fatalf("INFO: %v, want NOPERM", err)
	}
	if err := rdb.ConfigGet(ctx, "append*").Err(); err == nil || !strings.HasPrefix(err.Error(), "NOPERM") {
		t.Fatalf("CONFIG GET: %v, want NOPERM", err)
	}
	if n := strings.Count(logb.String(), "NOPERM"); n != 0 {
		t.Fatalf("the optional commands' refusal told: %q", logb.String())
	}
	pipe := rdb.Pipeline()
	pipe.Set(ctx, "vigia:ok", "1", 0)
	pipe.Set(ctx, "other:{"+strings.Repeat("ef56", 8)+"}:st", "1", 0)
	if _, err := pipe.Exec(ctx); err == nil {
		t.Fatal("a key outside the user's pattern was written")
	}
	if err := rdb.Get(ctx, "other:x").Err(); err == nil {
		t.Fatal("a key outside the user's pattern was read")
	}
	if n := strings.Count(logb.String(), nopermLine); n != 1 || !strings.Contains(logb.String(), `"command":"set","refused":"key"`) || strings.Contains(logb.String(), "ef56") {
		t.Errorf("told %d times, want once, naming set and a key: %q", n, logb.String())
	}
}

// seenRefusals is a hook that records each NOPERM a call or a pipeline's
// command came back with, by the command's name and first argument.
type seenRefusals struct {
	mu   *sync.Mutex
	seen *[]string
}

func (h seenRefusals) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h seenRefusals) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.record(cmd)
		return err
	}
}

func (h seenRefusals) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, c := range cmds {
			h.record(c)
		}
		return err
	}
}

func (h seenRefusals) record(c redis.Cmder) {
	if _, ok := noperm(c.Err()); !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.seen = append(*h.seen, fmt.Sprint(c.Args()[:min(2, len(c.Args()))]...))
}

// go-redis names itself on every new connection (CLIENT SETINFO) and goes
// on if Redis refuses it: an ACL without +client|setinfo (Redis 7.2 and
// later; a 7.0 server, which has no SETINFO, is made to answer so by a
// proxy) refuses it on every connection serve's pool opens, and Vigía
// loses nothing. nopermNotice told it at ERROR as an outage, "reporters'
// messages are spooled", on the first connection opened once serve had
// started. Mutation checked: CLIENT SETINFO not among the refusals Vigía
// goes on without -> the line is logged, naming "client".
func TestNopermNoticeSaysNothingOfClientSetinfo_rev1_redisops(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	url := srv.LeastPrivilegeURL("vigia")
	// Redis 7.2 and later know the subcommand; 7.0 refuses the rule.
	_ = srv.Client().Do(ctx, "ACL", "SETUSER", "vigia", "-client|setinfo").Err()
	proxy := replyRewriting(t, srv.Addr, func(line []byte) []byte {
		if bytes.HasPrefix(bytes.ToUpper(line), []byte("-ERR UNKNOWN SUBCOMMAND 'SETINFO'")) {
			return []byte("-NOPERM User vigia has no permissions to run the 'client|setinfo' command\r\n")
		}
		return line
	})
	rdb, err := redisClient(strings.Replace(url, srv.Addr, proxy, 1), "single")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var (
		mu   sync.Mutex
		seen []string
	)
	var logb syncBuffer
	rdb.AddHook(newNopermNotice(newLogger(&logb, slog.LevelInfo)))
	rdb.AddHook(seenRefusals{&mu, &seen})
	if err := rdb.Set(ctx, "vigia:ok", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	refused := fmt.Sprint(seen)
	mu.Unlock()
	if !strings.Contains(strings.ToLower(refused), "clientsetinfo") {
		t.Fatalf("CLIENT SETINFO was not refused on the new connection (refusals seen: %s)", refused)
	}
	if strings.Contains(logb.String(), nopermLine) {
		t.Errorf("the refused CLIENT SETINFO, which go-redis goes on without, was told: %q", logb.String())
	}
}
