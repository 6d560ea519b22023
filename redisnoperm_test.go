package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// Redis's ACL taking away Vigía's rights to reporters' keys while serve
// runs (NOPERM) is an outage: the reporter's message is spooled, and the
// operator is told once, in a line naming the ACL, what was refused and
// no key (Redis 7.2 names it, here through nopermNaming: a reporter's
// keys carry their pseudonym). serve logged only "tip spooled: redis
// unreachable", sending the operator after a sound network. Mutation
// checked: serve without the nopermNotice hook -> no such line; the hook
// telling INFO's refusal too (optionalCommands empty) -> the line is
// INFO's, at the start, though the README's user is refused INFO.
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
	for id := 1; id <= 2; id++ {
		updates <- id
		waitLine(fmt.Sprintf("message %d spooled", id), func(l map[string]any) bool { return l["msg"] == "tip spooled: redis unreachable" })
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve stopped: exit %d", code)
	}
	for len(lines.c) > 0 {
		if l := <-lines.c; l["msg"] == nopermLine {
			told = append(told, l)
		}
	}
	if len(told) != 1 {
		t.Fatalf("the ACL's refusal told %d times, want once: %q", len(told), errb.String())
	}
	line := fmt.Sprint(told[0])
	// (The README's user may not run INFO, which the index expiry repair
	// goes on without, as serve starts: not told.)
	if cmd, _ := told[0]["command"].(string); told[0]["level"] != "ERROR" || told[0]["refused"] != "key" || cmd == "" || optionalCommands[cmd] || strings.Contains(line, pseudonym) || strings.Contains(line, "draft") || strings.Contains(line, "id withheld") {
		t.Errorf("the line %v does not say what was refused, or names a key", told[0])
	}
	if sp := len(sent); sp < 2 {
		t.Errorf("%d messages sent to the reporter, want a receipt for each of 2", sp)
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
