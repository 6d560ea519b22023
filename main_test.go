package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/bot/telegram"
	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

const goodSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func validEnv() map[string]string {
	return map[string]string{
		"VIGIA_SECRET":         goodSecret,
		"VIGIA_REDIS_URL":      "redis://user:pass@localhost:6379/0",
		"VIGIA_TELEGRAM_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef",
	}
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(env(validEnv()), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Retention.Hours() != 90*24 || c.TelegramAPIURL != "https://api.telegram.org" || c.DefaultLanguage != "es" || len(c.Secret) != 32 {
		t.Fatalf("defaults: %+v", c)
	}
	// Filled where the configuration is loaded, for every command: zero
	// here made reset-2fa trim the audit log at "now".
	if c.Triage.AuditRetention != 365*24*time.Hour || c.Triage.ClaimTimeout != 30*time.Minute {
		t.Fatalf("triage defaults: %+v", c.Triage)
	}
}

func TestConfigParsesLists(t *testing.T) {
	e := validEnv()
	e["VIGIA_INVESTIGATORS"] = "telegram:123, discord:456"
	e["VIGIA_ADMINS"] = "telegram:1"
	e["VIGIA_INVESTIGATOR_CHATS"] = "telegram:-100123"
	e["VIGIA_RETENTION"] = "30d"
	e["VIGIA_RETENTION_CLOSED"] = "7d"
	e["VIGIA_DEFAULT_LANGUAGE"] = "pt-br"
	e["VIGIA_TELEGRAM_API_URL"] = "http://localhost:8081/"
	e["VIGIA_REDIS_URL"] = "rediss://vigia:secret@redis.example:6380/2"
	c, err := loadConfig(env(e), false)
	if err != nil {
		t.Fatal(err)
	}
	r := c.roles()
	if r.Of("telegram", "123") != 1 || r.Of("discord", "456") != 1 || r.Of("telegram", "1") != 2 || r.Of("telegram", "2") != 0 {
		t.Fatalf("roles: %v", r)
	}
	if c.InvestigatorChats[0] != "telegram:-100123" || c.Retention.Hours() != 30*24 || c.ClosedRetention.Hours() != 7*24 || c.VerifiedRetention.Hours() != 365*24 || c.DefaultLanguage != "pt-BR" || c.TelegramAPIURL != "http://localhost:8081" {
		t.Fatalf("config: %+v", c)
	}
	// Second factor on by default in serve, off in the demo; limits configurable.
	if !c.SecondFactor.Required || c.Limits != commands.DefaultLimits {
		t.Fatalf("defaults: %+v %+v", c.SecondFactor, c.Limits)
	}
	if d, _ := loadConfig(env(map[string]string{}), true); d.SecondFactor.Required {
		t.Fatal("the demo asks for a second factor")
	}
	e["VIGIA_INVESTIGATOR_2FA"], e["VIGIA_UNLOCK_PERIOD"], e["VIGIA_LIMIT_TIPS"], e["VIGIA_LIMIT_CHAT"] = "off", "4h", "5", "60"
	if c, err = loadConfig(env(e), false); err != nil || c.SecondFactor.Required || c.SecondFactor.UnlockFor.Hours() != 4 || c.Limits.TipsPerHour != 5 || c.Limits.ChatPerHour != 60 || c.Limits.QueriesPerHour != 300 {
		t.Fatalf("config: %+v %+v %v", c.SecondFactor, c.Limits, err)
	}
}

// Every bad value stops start-up with exit status 2 and one line naming the
// variable, and never prints the secret.
func TestBadConfigExitsTwoNamingTheVariable(t *testing.T) {
	cases := map[string]string{
		"VIGIA_SECRET":                  base64.StdEncoding.EncodeToString([]byte("too-short-secret-1234")),
		"VIGIA_REDIS_URL":               "http://localhost:6379",
		"VIGIA_TELEGRAM_TOKEN":          "not a token",
		"VIGIA_TELEGRAM_API_URL":        "ftp://x",
		"VIGIA_ADMINS":                  "telegram:abc",
		"VIGIA_INVESTIGATORS":           "matrix:123",
		"VIGIA_INVESTIGATOR_CHATS":      "telegram",
		"VIGIA_RETENTION":               "forever",
		"VIGIA_RETENTION_CLOSED":        "30m",
		"VIGIA_RETENTION_VERIFIED":      "always",
		"VIGIA_DEFAULT_LANGUAGE":        "de",
		"VIGIA_LOG_LEVEL":               "loud",
		"VIGIA_DRAFT_IDLE":              "1s",
		"VIGIA_CLAIM_TIMEOUT":           "soon",
		"VIGIA_CLAIM_REMINDER":          "0s",
		"VIGIA_URGENT_ANNOUNCE":         "-5m",
		"VIGIA_INVITE_TTL":              "999d",
		"VIGIA_AUDIT_RETENTION":         "1h",
		"VIGIA_PHONE_REGION":            "Mexico",
		"VIGIA_SIGNAL_WINDOW":           "1m",
		"VIGIA_CORROBORATION_THRESHOLD": "1",
		"VIGIA_PUBLISH_APPROVALS":       "0",
		"VIGIA_REDIS_MODE":              "galaxy",
		"VIGIA_INVESTIGATOR_2FA":        "sms",
		"VIGIA_UNLOCK_PERIOD":           "30d",
		"VIGIA_LIMIT_MESSAGES":          "0",
		"VIGIA_LIMIT_TIPS":              "lots",
		"VIGIA_LIMIT_QUERIES":           "-1",
		"VIGIA_LIMIT_CHAT":              "1e9",
	}
	for name, bad := range cases {
		e := validEnv()
		e[name] = bad
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &out, &errb)
		msg := errb.String()
		if code != 2 || !strings.HasPrefix(msg, "vigia: "+name+":") || strings.Count(msg, "\n") != 1 {
			t.Errorf("%s=%q: exit %d, stderr %q", name, bad, code, msg)
		}
		if strings.Contains(msg, bad) && name == "VIGIA_SECRET" {
			t.Errorf("the secret was printed: %q", msg)
		}
	}
	for _, name := range []string{"VIGIA_SECRET", "VIGIA_REDIS_URL", "VIGIA_TELEGRAM_TOKEN"} {
		e := validEnv()
		delete(e, name)
		var errb bytes.Buffer
		if code := run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), name) {
			t.Errorf("missing %s: exit %d, %q", name, code, errb.String())
		}
	}
	// A secret that is not valid base64 is not echoed either.
	e := validEnv()
	e["VIGIA_SECRET"] = "s3cr3t-not-base64!!"
	var errb bytes.Buffer
	run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
	if strings.Contains(errb.String(), "s3cr3t") {
		t.Errorf("secret printed: %q", errb.String())
	}
}

func TestKeygenPrintsAUsableSecret(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"keygen"}, env(nil), nil, &out, &bytes.Buffer{}); code != 0 {
		t.Fatalf("keygen exit %d", code)
	}
	e := validEnv()
	e["VIGIA_SECRET"] = strings.TrimSpace(out.String())
	if _, err := loadConfig(env(e), false); err != nil {
		t.Fatalf("keygen output rejected: %v", err)
	}
	var again bytes.Buffer
	run(context.Background(), []string{"keygen"}, env(nil), nil, &again, &bytes.Buffer{})
	if again.String() == out.String() {
		t.Fatal("keygen printed the same secret twice")
	}
}

// A bad value's message gives the range as it is written in the
// variables ("30d", not Go's "720h0m0s"), and a value with spaces around
// it (a .env file's habit) is read as the others are.
func TestConfigRangesReadAsWritten(t *testing.T) {
	for name, want := range map[string]string{
		"VIGIA_CLAIM_TIMEOUT":           "between 1m and 30d",
		"VIGIA_AUDIT_RETENTION":         "between 1d and 36500d",
		"VIGIA_CORROBORATION_THRESHOLD": "between 2 and 1000",
		"VIGIA_LIMIT_TIPS":              "between 1 and 1000000",
	} {
		e := validEnv()
		e[name] = "0"
		if _, err := loadConfig(env(e), false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=0: %v, want %q", name, err, want)
		}
	}
	e := validEnv()
	e["VIGIA_CORROBORATION_THRESHOLD"], e["VIGIA_PUBLISH_APPROVALS"], e["VIGIA_CLAIM_TIMEOUT"] = " 4", "2 ", " 2h "
	c, err := loadConfig(env(e), false)
	if err != nil || c.Threshold != 4 || c.PublishApprovals != 2 || c.Triage.ClaimTimeout != 2*time.Hour {
		t.Fatalf("spaced values: %v, threshold %d, approvals %d, claim timeout %v", err, c.Threshold, c.PublishApprovals, c.Triage.ClaimTimeout)
	}
}

func TestUnknownModeIsUsageError(t *testing.T) {
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, env(nil), nil, &bytes.Buffer{}, &errb); code != 2 ||
		!strings.Contains(errb.String(), "usage") || !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Fatalf("exit %d, %q", code, errb.String())
	}
}

// A help flag after a command that takes no arguments prints the usage
// (it started the demo, or failed on a missing secret); anything else
// after one is refused, not ignored. Neither starts anything: no stdin,
// no environment.
func TestArgumentsAfterACommandThatTakesNone(t *testing.T) {
	for _, mode := range []string{"serve", "demo", "keygen", "rotate-key"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{mode, "--help"}, env(nil), strings.NewReader(""), &out, &errb); code != 0 ||
			!strings.HasPrefix(out.String(), "usage: vigia") || errb.Len() > 0 {
			t.Errorf("vigia %s --help: exit %d, stdout %q, stderr %q", mode, code, out.String(), errb.String())
		}
		out.Reset()
		errb.Reset()
		if code := run(context.Background(), []string{mode, "extra"}, env(nil), strings.NewReader(""), &out, &errb); code != 2 ||
			!strings.Contains(errb.String(), mode+` takes no arguments (got "extra")`) || out.Len() > 0 {
			t.Errorf("vigia %s extra: exit %d, stdout %q, stderr %q", mode, code, out.String(), errb.String())
		}
	}
}

func TestDiscordConfig(t *testing.T) {
	e := validEnv()
	delete(e, "VIGIA_TELEGRAM_TOKEN")
	e["VIGIA_DISCORD_TOKEN"] = "Bot " + strings.Repeat("a", 60)
	e["VIGIA_DISCORD_GUILD_ID"] = "600000000000000001"
	e["VIGIA_DISCORD_INVESTIGATOR_ROLE"] = "700000000000000001"
	c, err := loadConfig(env(e), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.DiscordToken != strings.Repeat("a", 60) || c.DiscordGuildID != "600000000000000001" || c.DiscordRole != "700000000000000001" || c.TelegramToken != "" {
		t.Fatalf("config: %+v", c)
	}
	for name, bad := range map[string]string{"VIGIA_DISCORD_TOKEN": "short", "VIGIA_DISCORD_GUILD_ID": "my-server", "VIGIA_DISCORD_INVESTIGATOR_ROLE": "@mods", "VIGIA_DISCORD_API_URL": "discord.com"} {
		e2 := map[string]string{}
		for k, v := range e {
			e2[k] = v
		}
		e2[name] = bad
		var errb bytes.Buffer
		if code := run(context.Background(), nil, env(e2), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.HasPrefix(errb.String(), "vigia: "+name+":") {
			t.Errorf("%s=%q: exit %d, %q", name, bad, code, errb.String())
		}
	}
}

func TestReminderMustComeBeforeTimeout(t *testing.T) {
	e := validEnv()
	e["VIGIA_CLAIM_TIMEOUT"] = "15m" // shorter than the 20 min default reminder
	var errb bytes.Buffer
	if code := run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.HasPrefix(errb.String(), "vigia: VIGIA_CLAIM_TIMEOUT:") {
		t.Fatalf("exit %d, %q", code, errb.String())
	}
}

func TestRedisModes(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	e["VIGIA_REDIS_URL"] = "redis://:pw@s1:26379?addr=s2:26379&master_name=vigia"
	if _, err := loadConfig(env(e), false); err != nil {
		t.Fatalf("sentinel: %v", err)
	}
	e["VIGIA_REDIS_URL"] = "redis://s1:26379"
	if _, err := loadConfig(env(e), false); err == nil || !strings.Contains(err.Error(), "VIGIA_REDIS_URL") {
		t.Fatalf("sentinel without master_name: %v", err)
	}
	e["VIGIA_REDIS_MODE"] = "cluster"
	e["VIGIA_REDIS_URL"] = "rediss://vigia:pw@n1:7000?addr=n2:7001&addr=n3:7002"
	if _, err := loadConfig(env(e), false); err != nil {
		t.Fatalf("cluster: %v", err)
	}
	for _, mode := range []string{"single", "cluster", "sentinel"} {
		url := "redis://localhost:6379"
		if mode == "sentinel" {
			url += "?master_name=m"
		}
		c, err := redisClient(url, mode)
		if err != nil || c == nil {
			t.Fatalf("%s client: %v", mode, err)
		}
		c.Close()
	}
}

func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/secret"
	if err := os.WriteFile(path, []byte(goodSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	delete(e, "VIGIA_SECRET")
	e["VIGIA_SECRET_FILE"] = path
	c, err := loadConfig(env(e), false)
	if err != nil || len(c.Secret) != 32 {
		t.Fatalf("secret file: %v", err)
	}
	e["VIGIA_SECRET_FILE"] = dir + "/missing"
	var errb bytes.Buffer
	if code := run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.HasPrefix(errb.String(), "vigia: VIGIA_SECRET_FILE: cannot be read (open: no such file or directory)") ||
		strings.Contains(errb.String(), dir) {
		t.Fatalf("missing file: %d %q", code, errb.String())
	}
	os.WriteFile(path, []byte("not-a-secret"), 0o600)
	e["VIGIA_SECRET_FILE"] = path
	errb.Reset()
	if code := run(context.Background(), nil, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || strings.Contains(errb.String(), "not-a-secret") {
		t.Fatalf("bad file: %d %q", code, errb.String())
	}
	e["VIGIA_SECRET"] = goodSecret
	if _, err := loadConfig(env(e), false); err == nil {
		t.Fatal("both VIGIA_SECRET and VIGIA_SECRET_FILE accepted")
	}
}

// A secret file is read up to 4 KiB, a secret's size many times over: a
// file named by mistake (a log, /dev/zero) was read whole, until memory
// ran out, and a large one of base64 was taken for the secret. Refused
// naming the variable, never the path or the content.
func TestSecretFileIsReadUpToASecretsSize(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret-file-name")
	big := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 4000))
	if err := os.WriteFile(path, []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"VIGIA_SECRET_FILE", "VIGIA_SECRET_PREVIOUS_FILE"} {
		e := validEnv()
		if name == "VIGIA_SECRET_FILE" {
			delete(e, "VIGIA_SECRET")
		}
		e[name] = path
		_, err := loadOpsConfig(env(e))
		if err == nil || err.Error() != name+": holds more than 4096 bytes: it should name a file holding only the secret (`vigia keygen` prints one)" {
			t.Errorf("%s of %d bytes: %v", name, len(big), err)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's and the test's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeBotAPI answers the Bot API calls `serve` makes when idle: getMe, the
// set-up calls, and long polls that bring nothing.
func fakeBotAPI(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":42,"is_bot":true,"first_name":"V","username":"VigiaBot"}}`)
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			select {
			case <-r.Context().Done():
				return
			case <-time.After(time.Second):
			}
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// get returns a GET's status and body, or 0 when nothing answers.
func get(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The public listener (the webhook's) serves health checks but never
// /metrics: polled from outside, its counters would time tips and reporter
// commands. /metrics is on VIGIA_METRICS_ADDR alone.
func TestMetricsOnlyOnTheirOwnListener(t *testing.T) {
	rs := redistest.Start(t)
	api := fakeBotAPI(t)
	public, metrics := freeAddr(t), freeAddr(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = rs.URL(), api.URL
	e["VIGIA_HTTP_ADDR"], e["VIGIA_METRICS_ADDR"] = public, metrics
	e["VIGIA_SPOOL_DIR"], e["VIGIA_INVESTIGATOR_2FA"] = t.TempDir(), "off"
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), io.Discard, stderr) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, stderr.String())
		}
	}()

	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		code, _ := get("http://" + public + "/healthz")
		mcode, _ := get("http://" + metrics + "/metrics")
		if code == http.StatusOK && mcode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listeners not up: public %d, metrics %d; log: %s", code, mcode, stderr.String())
		}
		select {
		case <-tick.C:
		case c := <-done:
			t.Fatalf("serve exited with %d: %s", c, stderr.String())
		}
	}
	if code, body := get("http://" + public + "/metrics"); code != http.StatusNotFound || strings.Contains(body, "vigia_") {
		t.Errorf("public /metrics: %d %q", code, body)
	}
	if code, body := get("http://" + metrics + "/metrics"); code != http.StatusOK || !strings.Contains(body, "vigia_queue_open") ||
		!strings.Contains(body, "vigia_spool_owed_receipts 0") || !strings.Contains(body, "vigia_spool_owed_dropped_total 0") {
		t.Errorf("metrics listener /metrics: %d %q", code, body)
	}
	if code, _ := get("http://" + metrics + "/healthz"); code != http.StatusNotFound {
		t.Errorf("metrics listener /healthz: %d", code)
	}
}

// serve gives the index keys an earlier version left without an expiry
// one (the retention after an entity's newest tip), and leaves the keys
// outside the index alone.
// Mutation: serve not running the repair -> fails (no expiry by the
// deadline).
func TestServeGivesIndexKeysLeftWithoutExpiryOne(t *testing.T) {
	rs := redistest.Start(t)
	rdb := rs.Client()
	ctx := context.Background()
	entity, forms := "vigia:ix:e:m1", "vigia:forms"
	rdb.ZAdd(ctx, entity, redis.Z{Score: float64(time.Now().UnixMilli()), Member: "7"})
	rdb.Set(ctx, forms, time.Now().UnixMilli(), 0)
	api := fakeBotAPI(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = rs.URL(), api.URL
	e["VIGIA_SPOOL_DIR"], e["VIGIA_INVESTIGATOR_2FA"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off", "off"
	sctx, cancel := context.WithCancel(ctx)
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(sctx, []string{"serve"}, env(e), strings.NewReader(""), io.Discard, stderr) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, stderr.String())
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for rdb.PTTL(ctx, entity).Val() < 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the entity's set still without expiry; log: %s", stderr.String())
		}
		select {
		case <-tick.C:
		case c := <-done:
			t.Fatalf("serve exited with %d: %s", c, stderr.String())
		}
	}
	if ttl := rdb.PTTL(ctx, entity).Val(); ttl < 89*24*time.Hour || ttl > 90*24*time.Hour {
		t.Errorf("the entity's set expires in %v, want the retention after its tip", ttl)
	}
	if ttl := rdb.PTTL(ctx, forms).Val(); ttl != -1 {
		t.Errorf("the forms moment, outside the index, given an expiry (%v)", ttl)
	}
}

// The metrics listener is on loopback by default, can be moved or turned
// off, and never shares the public listener's address.
func TestMetricsAddrConfig(t *testing.T) {
	e := validEnv()
	if c, err := loadConfig(env(e), false); err != nil || c.MetricsAddr != "127.0.0.1:9464" {
		t.Fatalf("default: %q %v", c.MetricsAddr, err)
	}
	e["VIGIA_METRICS_ADDR"] = "off"
	if c, err := loadConfig(env(e), false); err != nil || c.MetricsAddr != "" {
		t.Fatalf("off: %q %v", c.MetricsAddr, err)
	}
	e["VIGIA_METRICS_ADDR"] = "10.0.0.5:9100"
	if c, err := loadConfig(env(e), false); err != nil || c.MetricsAddr != "10.0.0.5:9100" {
		t.Fatalf("set: %q %v", c.MetricsAddr, err)
	}
	for _, bad := range []map[string]string{
		{"VIGIA_METRICS_ADDR": "9464"},
		{"VIGIA_METRICS_ADDR": ":8080", "VIGIA_HTTP_ADDR": ":8080"},
	} {
		e := validEnv()
		for k, v := range bad {
			e[k] = v
		}
		var errb bytes.Buffer
		if code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb); code != 2 || !strings.HasPrefix(errb.String(), "vigia: VIGIA_METRICS_ADDR:") {
			t.Errorf("%v: exit %d, %q", bad, code, errb.String())
		}
	}
}

// A negative database number in VIGIA_REDIS_URL is refused: go-redis
// selects only a database above 0, so "/-1" silently used database 0
// (another deployment's, perhaps). One past 2^31-1 is refused too.
func TestRedisDatabaseNumberIsChecked(t *testing.T) {
	for _, c := range []struct{ mode, url string }{
		{"single", "redis://:pw@localhost:6379/-1"},
		{"single", "redis://:pw@localhost:6379/0?db=-3"},
		{"single", "redis://:pw@localhost:6379/3000000000"},
		{"sentinel", "redis://:pw@localhost:26379/-1?master_name=m"},
	} {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = c.url, c.mode
		if _, err := loadConfig(env(e), false); err == nil || !strings.HasPrefix(err.Error(), "VIGIA_REDIS_URL: its database number must be between 0") {
			t.Errorf("%s %s: %v", c.mode, c.url, err)
		}
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://:pw@localhost:6379/15"
	if _, err := loadConfig(env(e), false); err != nil {
		t.Errorf("database 15: %v", err)
	}
}

// A Redis port is checked with the configuration: "localhost:99999" and
// ":0" passed, and serve failed on its first call, seconds later, with a
// generic error and exit status 1; ":-1" and ":abc" were said not to be
// redis:// URLs. Each is refused at once, naming the port, not the value;
// so is the port of a cluster's or sentinel's addr=. The default port
// (none given) and the ends of the range stay accepted.
// Mutation: redisPortOK always true → ":99999", ":0" and the addr=
// ports pass; the "invalid port" branch removed → ":-1" is "must be a
// redis:// URL" again; a sign read as of a name (as before) → addr=
// "n2:-1", "n2:+" and "n2:+70000" pass, and serve failed at its dial.
func TestRedisPortIsCheckedWithTheConfiguration(t *testing.T) {
	for _, c := range []struct{ mode, url, want string }{
		{"single", "redis://localhost:99999/0", "its port must be"},
		{"single", "redis://:s3cretPW@localhost:65536/0", "its port must be"},
		{"single", "rediss://localhost:0/0", "its port must be"},
		{"single", "redis://localhost:-1/0", "its port must be"},
		{"single", "redis://localhost:abc/0", "its port must be"},
		{"cluster", "redis://:s3cretPW@n1:7000?addr=n2:70001", "the port of each addr="},
		{"sentinel", "redis://s1:26379?addr=s2:0&master_name=m", "the port of each addr="},
		{"cluster", "redis://n1:7000?addr=n2:-1", "the port of each addr="},
		{"cluster", "redis://n1:7000?addr=n2:%2B", "the port of each addr="},
		{"sentinel", "redis://s1:26379?addr=s2:-6379&master_name=m", "the port of each addr="},
		{"cluster", "redis://n1:7000?addr=n2:%2B70000", "the port of each addr="},
	} {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = c.url, c.mode
		_, err := loadConfig(env(e), false)
		if err == nil || !strings.HasPrefix(err.Error(), "VIGIA_REDIS_URL: "+c.want) || strings.Contains(err.Error(), "s3cretPW") {
			t.Errorf("%s %s: %v", c.mode, c.url, err)
		}
	}
	for _, c := range []struct{ mode, url string }{
		{"single", "redis://localhost/0"},
		{"single", "redis://localhost:65535/0"},
		{"single", "redis://:pw@localhost:1/0"},
		{"cluster", "redis://n1:7000?addr=n2:65535"},
		{"cluster", "redis://n1:7000?addr=n2:%2B7001"},
		{"cluster", "redis://n1:7000?addr=n2:redis"},
		{"cluster", "redis://[::1]:7000?addr=[::1]:7001"},
		{"sentinel", "rediss://[::1]?addr=s2:26379&master_name=m"},
		{"single", "rediss://[::1]/0"},
	} {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = c.url, c.mode
		if _, err := loadConfig(env(e), false); err != nil {
			t.Errorf("%s %s: %v", c.mode, c.url, err)
		}
	}
	// serve exits 2 at once, before any call to Redis.
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://localhost:99999/0"
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.HasPrefix(errb.String(), "vigia: VIGIA_REDIS_URL: its port") {
		t.Errorf("serve: exit %d, %q", code, errb.String())
	}
}

// A listener's port is checked with the configuration: ":99999" and ":-1"
// passed, and serve was refused only when it came to listen, after it had
// written into Redis. A service name, as net.Listen takes, is accepted.
func TestListenerPortIsCheckedWithTheConfiguration(t *testing.T) {
	for _, name := range []string{"VIGIA_HTTP_ADDR", "VIGIA_METRICS_ADDR"} {
		for _, bad := range []string{":99999", ":-1", "127.0.0.1:65536", ":nonsuch"} {
			e := validEnv()
			e[name] = bad
			if _, err := loadConfig(env(e), false); err == nil || !strings.HasPrefix(err.Error(), name+": must be host:port") || strings.Contains(err.Error(), bad) {
				t.Errorf("%s=%q: %v", name, bad, err)
			}
		}
		e := validEnv()
		e[name] = "127.0.0.1:http"
		if _, err := loadConfig(env(e), false); err != nil {
			t.Errorf("%s with a service name: %v", name, err)
		}
	}
}

// The two listeners are compared as the addresses they bind, not as
// strings: ":9464" (every interface) and "127.0.0.1:9464" passed the
// configuration, then the second bind failed as if another process held
// the port. An overlap is refused at start, naming both variables and
// neither address.
func TestMetricsAddrOverlappingHTTPAddrIsRefused(t *testing.T) {
	for _, p := range [][2]string{
		{"127.0.0.1:9464", ":9464"},
		{":9464", "127.0.0.1:9464"},
		{"0.0.0.0:9464", "10.0.0.5:9464"},
		{"[::]:9464", "127.0.0.1:9464"},
		{"127.0.0.1:9464", "127.0.0.1:09464"},
		{"localhost:9464", "127.0.0.1:9464"},
		{"[::ffff:127.0.0.1]:9464", "127.0.0.1:9464"},
	} {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_SPOOL_DIR"] = "redis://127.0.0.1:1/0", t.TempDir() // (reached only if the overlap is missed)
		e["VIGIA_METRICS_ADDR"], e["VIGIA_HTTP_ADDR"] = p[0], p[1]
		var errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb)
		msg := errb.String()
		if code != 2 || !strings.HasPrefix(msg, "vigia: VIGIA_METRICS_ADDR: overlaps VIGIA_HTTP_ADDR") || strings.Contains(msg, "9464") {
			t.Errorf("metrics %s, http %s: exit %d, %q", p[0], p[1], code, msg)
		}
	}
	for _, p := range [][2]string{
		{"127.0.0.1:9464", ":8080"},
		{"127.0.0.1:9464", "127.0.0.2:9464"},
		{"10.0.0.5:9464", "127.0.0.1:9464"},
		{"127.0.0.1:0", ":0"},
		{"localhost:9464", "[::1]:9464"},
	} {
		e := validEnv()
		e["VIGIA_METRICS_ADDR"], e["VIGIA_HTTP_ADDR"] = p[0], p[1]
		if _, err := loadConfig(env(e), false); err != nil {
			t.Errorf("metrics %s, http %s: %v", p[0], p[1], err)
		}
	}
}

// A host name stands for the one address net.Listen binds it to, its
// first IPv4 address (else its first), not for every address it resolves
// to: "localhost:9464" beside "[::1]:9464" was refused where /etc/hosts
// also names ::1 localhost (Debian's, Ubuntu's), though both bind.
func TestListenersOverlapNamesBindOneAddress(t *testing.T) {
	hosts := map[string][]string{
		"localhost":     {"::1", "127.0.0.1"}, // IPv6 listed first
		"localhost4":    {"127.0.0.1", "::1"},
		"v6.example":    {"::1"},
		"two.example":   {"10.0.0.5", "10.0.0.6"},
		"any.example":   {"0.0.0.0"},
		"gone.example":  nil,
		"mixed.example": {"fe80::1", "10.0.0.6"},
	}
	lookup := func(_ context.Context, host string) ([]net.IPAddr, error) {
		ips, ok := hosts[host]
		if !ok || ips == nil {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		var addrs []net.IPAddr
		for _, ip := range ips {
			addrs = append(addrs, net.IPAddr{IP: net.ParseIP(ip)})
		}
		return addrs, nil
	}
	for _, c := range []struct {
		a, b    string
		overlap bool
	}{
		{"localhost:9464", "[::1]:9464", false},
		{"localhost:9464", "127.0.0.1:9464", true},
		{"localhost4:9464", "[::1]:9464", false},
		{"localhost:9464", "localhost4:9464", true},
		{"v6.example:9464", "[::1]:9464", true},
		{"v6.example:9464", "localhost:9464", false},
		{"two.example:9464", "10.0.0.5:9464", true},
		{"two.example:9464", "10.0.0.6:9464", false},
		{"mixed.example:9464", "10.0.0.6:9464", true},
		{"mixed.example:9464", "[fe80::1]:9464", false},
		{"any.example:9464", "10.0.0.6:9464", true},
		{"any.example:9464", "10.0.0.6:9465", false},
		{"gone.example:9464", "127.0.0.1:9464", false},
		{"gone.example:9464", "GONE.example:9464", true},
		{"[::1]:9464", ":9464", true},
		{"0.0.0.0:9464", "[::1]:9464", true}, // Go listens on [::] there, IPv4 and IPv6
	} {
		for _, p := range [][2]string{{c.a, c.b}, {c.b, c.a}} {
			if got := listenersOverlap(p[0], p[1], lookup); got != c.overlap {
				t.Errorf("%s beside %s: overlap %v, want %v", p[0], p[1], got, c.overlap)
			}
		}
	}
}

// explode panics with a chat id in its argument and in the panic's value,
// as a bug deep in a background loop could.
//
//go:noinline
func explode(chatID int64) {
	panic(fmt.Errorf("chat %d gone", chatID))
}

const panicChat = -1009876543210

// noChatID fails if logs hold the chat id explode was given, in decimal or
// as the hexadecimal word a Go traceback prints for an argument.
func noChatID(t *testing.T, logs string) {
	t.Helper()
	id := int64(panicChat)
	for _, s := range []string{"9876543210", fmt.Sprintf("%#x", uint64(id)), fmt.Sprintf("%#x", -id)} {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds %q: %s", s, logs)
		}
	}
	if !strings.Contains(logs, "vigia.explode ") || !strings.Contains(logs, "main_test.go:") {
		t.Errorf("the log does not say where it panicked: %s", logs)
	}
}

// A background loop that panics is logged without argument values (which
// can be a chat id) and runs again after a pause; the process goes on.
func TestBackgroundLoopSurvivesPanic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &syncBuffer{}
		log := slog.New(slog.NewJSONHandler(logs, nil))
		ctx, cancel := context.WithCancel(t.Context())
		var runs atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			keepRunning(ctx, log, "sweeper", time.Minute, func(ctx context.Context) {
				if runs.Add(1) == 1 {
					explode(panicChat)
				}
				<-ctx.Done()
			})
		}()
		synctest.Wait()
		if runs.Load() != 1 || !strings.Contains(logs.String(), "background loop panic") {
			t.Fatalf("%d runs, log %s", runs.Load(), logs)
		}
		time.Sleep(time.Minute) // the pause, on synctest's clock
		synctest.Wait()
		if runs.Load() != 2 {
			t.Fatalf("loop not restarted after its pause: %d runs", runs.Load())
		}
		cancel()
		<-done
		noChatID(t, logs.String())
	})
}

// A panicking HTTP handler (the webhook's) answers 500 and is logged the
// same way, not by net/http with the panic's value and a raw traceback.
func TestHTTPHandlerPanicIsRecovered(t *testing.T) {
	logs := &syncBuffer{}
	h := recoverHTTP(slog.New(slog.NewJSONHandler(logs, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { explode(panicChat) }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/hook", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	noChatID(t, logs.String())
}

// Spooled records that open under no configured secret are logged at ERROR
// once, when their number grows, as counts only.
func TestReportUnreadableSpool(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	n := reportUnreadable(log, storage.SpoolCount{Waiting: 3}, 0)
	if n != 0 || buf.Len() != 0 {
		t.Fatalf("nothing unreadable: %d %q", n, buf.String())
	}
	n = reportUnreadable(log, storage.SpoolCount{Unreadable: 1}, n)
	if n != 1 || !strings.Contains(buf.String(), `"level":"ERROR"`) || !strings.Contains(buf.String(), `"records":1`) {
		t.Fatalf("one unreadable: %d %q", n, buf.String())
	}
	buf.Reset()
	if n = reportUnreadable(log, storage.SpoolCount{Quarantined: 1}, n); n != 1 || buf.Len() != 0 {
		t.Fatalf("the same record, quarantined, reported again: %q", buf.String())
	}
	if n = reportUnreadable(log, storage.SpoolCount{Quarantined: 2}, n); n != 2 || !strings.Contains(buf.String(), `"records":2`) {
		t.Fatalf("a second one: %d %q", n, buf.String())
	}
}

// A bad entry in a list of people or chats is named by its position: the
// value, an id or a username, is never printed (README promises that of
// every configuration error).
func TestBadIDListNamesThePositionNotTheValue(t *testing.T) {
	for _, c := range []struct{ name, value, want string }{
		{"VIGIA_INVESTIGATORS", "telegram:111111111,telegram:@periodista_mx", "entry 2: the id must be a number (the numeric user id, not a @username)"},
		{"VIGIA_ADMINS", "telegram:111111111 telegram:222222222", "entry 1: the id must be a number (separate entries with commas)"},
		{"VIGIA_INVESTIGATOR_CHATS", "telegram:-100123, , signal:-100456", "entry 2 is not platform:id"},
	} {
		e := validEnv()
		e[c.name] = c.value
		var errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		msg := errb.String()
		if code != 2 || !strings.HasPrefix(msg, "vigia: "+c.name+": "+c.want) {
			t.Errorf("%s: exit %d, %q", c.name, code, msg)
		}
		for _, v := range []string{"periodista", "111111111", "222222222", "100456", "signal"} {
			if strings.Contains(msg, v) {
				t.Errorf("%s: the value was printed: %q", c.name, msg)
			}
		}
	}
}

// A spool directory that cannot be written stops serve at start with a
// VIGIA_SPOOL_DIR configuration error that does not print the path.
func TestServeRefusesUnwritableSpool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool-dir-name")
	if err := os.MkdirAll(filepath.Join(dir, "tips.spool.probe"), 0o700); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = dir, "off"
	var errb bytes.Buffer
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
	if msg := errb.String(); code != 2 || !strings.Contains(msg, "\nvigia: VIGIA_SPOOL_DIR: cannot be created, written and read back: open: is a directory\n") || strings.Contains(msg, "spool-dir-name") {
		t.Fatalf("exit %d, %q", code, msg)
	}
}

// A Redis that refuses the connection's settings (a database number it
// does not have) is a configuration mistake: serve and the operator's
// commands exit 2 naming VIGIA_REDIS_URL, as for any bad setting.
func TestRedisRefusingTheSettingsExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server (the embedded one has every database number)")
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"] = strings.TrimSuffix(rs.URL(), "/0") + "/99"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", fakeBotAPI(t).URL
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) // (rotate-key's)
	for _, args := range [][]string{{"serve"}, {"rotate-key"}} {
		var errb bytes.Buffer
		code := run(context.Background(), args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		if msg := errb.String(); code != 2 || !strings.Contains(msg, "vigia: VIGIA_REDIS_URL: "+storage.ErrRedisSettings.Error()) || !strings.Contains(msg, "DB index is out of range") {
			t.Errorf("%v: exit %d, %q", args, code, msg)
		}
	}
}

// VIGIA_REDIS_MODE=cluster on a Redis that is not a cluster node is a
// configuration mistake: serve, rotate-key and reset-2fa exit 2 with one
// line naming VIGIA_REDIS_MODE and what to do, not 1 with Redis's bare
// "cluster support disabled" (serve's as a JSON log line), and write
// nothing into that Redis.
func TestClusterModeOnARedisThatIsNoClusterExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server (the embedded one answers CLUSTER SLOTS)")
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = rs.URL(), "cluster"
	redisModeEnv(t, e)
	want := "vigia: VIGIA_REDIS_MODE: is cluster, but the Redis of VIGIA_REDIS_URL is not a cluster node (it has cluster support disabled): unset VIGIA_REDIS_MODE (single is the default), or point VIGIA_REDIS_URL at a node of the cluster\n"
	refusedAtStart(t, e, rs.Client(), want)
}

// VIGIA_REDIS_MODE=sentinel on a Redis that is not a sentinel (the
// primary's address as the URL's host) is a configuration mistake, as
// cluster on a Redis that is no cluster node: serve, rotate-key and
// reset-2fa exit 2 with one line naming VIGIA_REDIS_MODE and what to do,
// not 1 with "all sentinels specified in configuration are unreachable:
// ERR unknown command 'sentinel'", and write nothing into that Redis.
func TestSentinelModeOnARedisThatIsNoSentinelExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = rs.URL()+"?master_name=mymaster", "sentinel"
	redisModeEnv(t, e)
	want := "vigia: VIGIA_REDIS_MODE: is sentinel, but the Redis of VIGIA_REDIS_URL is not a sentinel (it does not know the SENTINEL command): point VIGIA_REDIS_URL's host (and each addr=) at the sentinels, naming the primary with master_name=, or unset VIGIA_REDIS_MODE (single is the default) to use this Redis alone\n"
	refusedAtStart(t, e, rs.Client(), want)
}

// VIGIA_REDIS_MODE=sentinel with a master_name= the sentinels do not know
// (real redis-servers: a primary, a sentinel monitoring it as "mymaster")
// is a configuration mistake: serve, rotate-key and reset-2fa exit 2 with
// one line naming VIGIA_REDIS_URL's master_name= and what to do. The
// sentinel's nil reply came back inside go-redis's "all sentinels ...
// unreachable" error and was read as a missing key: serve exited 1 with
// "keep keyset: ...: redis: nil", reset-2fa said "this Redis holds no
// Vigía data" (exit 2, the wrong diagnosis). The name the sentinel knows
// reaches the primary (reset-2fa's "no Vigía data" is then right).
func TestSentinelModeWithAnUnknownMasterNameExitsTwo(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = sentinel.URL() + "?master_name=mymaster"
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"reset-2fa", "telegram:111"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb); code != 2 || !strings.Contains(errb.String(), "holds no Vigía data") {
		t.Fatalf("master_name=mymaster: exit %d, %q", code, errb.String())
	}
	e["VIGIA_REDIS_URL"] = sentinel.URL() + "?master_name=nosuchmaster"
	want := "vigia: " + errUnknownPrimary.Error() + "\n"
	if !strings.Contains(want, "master_name=") || strings.Count(want, "\n") != 1 {
		t.Fatalf("the line %q names no master_name=", want)
	}
	refusedAtStart(t, e, primary.Client(), want)
}

// VIGIA_REDIS_MODE single (unset) on a node of a Redis Cluster (one that
// does not serve the keyset's slot: it answers MOVED) or on a sentinel
// (it refuses data commands as unknown), and cluster on a sentinel (it
// does not know CLUSTER SLOTS), are configuration mistakes: serve,
// rotate-key and reset-2fa exit 2 with one line naming VIGIA_REDIS_MODE
// and what to set instead, not 1 with Redis's bare "MOVED 1234 host:port"
// or "unknown command 'type'" (serve's as a JSON log line), and write
// nothing.
func TestRedisModeOfAnotherKindOfRedisExitsTwo(t *testing.T) {
	t.Run("single on a cluster node", func(t *testing.T) {
		cluster := redistest.StartCluster(t)
		cl := cluster.Client()
		owner, err := cl.MasterForKey(context.Background(), "vigia:keyset")
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cluster.Addrs, func(a string) bool { return a != owner.Options().Addr })
		e := validEnv()
		e["VIGIA_REDIS_URL"] = "redis://" + cluster.Addrs[i] + "/0"
		redisModeEnv(t, e)
		want := "vigia: " + errSingleOnACluster.Error() + "\n"
		if !strings.Contains(want, "VIGIA_REDIS_MODE=cluster") {
			t.Fatalf("the line %q does not say what to set", want)
		}
		refusedAtStart(t, e, cl, want)
	})
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	t.Run("single on a sentinel", func(t *testing.T) {
		want := "vigia: " + errSingleOnASentinel.Error() + "\n"
		if !strings.Contains(want, "VIGIA_REDIS_MODE=sentinel") || !strings.Contains(want, "master_name=") {
			t.Fatalf("the line %q does not say what to set", want)
		}
		// (Database 1: the connection's SELECT is refused first.)
		for _, url := range []string{sentinel.URL(), strings.TrimSuffix(sentinel.URL(), "/0") + "/1"} {
			e := validEnv()
			e["VIGIA_REDIS_URL"] = url
			redisModeEnv(t, e)
			refusedAtStart(t, e, primary.Client(), want)
		}
	})
	t.Run("cluster on a sentinel", func(t *testing.T) {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = sentinel.URL(), "cluster"
		redisModeEnv(t, e)
		want := "vigia: " + errClusterOnASentinel.Error() + "\n"
		if !strings.Contains(want, "VIGIA_REDIS_MODE=sentinel") {
			t.Fatalf("the line %q does not say what to set", want)
		}
		refusedAtStart(t, e, primary.Client(), want)
	})
}

// Sentinels that forget the primary after start (a SENTINEL REMOVE, a
// restart without their configuration) make every call that needs a new
// connection fail: an error, never data found missing. go-redis wraps
// their nil answer to the primary's name in "all sentinels specified in
// configuration are unreachable: redis: nil", which storage's
// errors.Is(err, redis.Nil) read as keys absent: a tip was reported as
// not found while Redis could not be reached.
func TestSentinelsThatForgetThePrimaryMakeErrorsNotMissingData(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	cfg, err := loadConfig(env(validEnv()), false)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := cfg.keyring()
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := redisClient(sentinel.URL()+"?master_name=mymaster", "sentinel")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	ctx := context.Background()
	st, err := storage.New(rdb, kr, storage.Options{Prefix: cfg.RedisPrefix})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Tip(ctx, "1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("before: tip 1: %v, want not found", err)
	}
	if err := sentinel.Client().Do(ctx, "SENTINEL", "REMOVE", "mymaster").Err(); err != nil {
		t.Fatal(err)
	}
	// The client's connections to the primary end: the next call dials,
	// asking the sentinels for the primary.
	if err := primary.Client().Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	_, err = st.Tip(ctx, "1")
	if err == nil || errors.Is(err, storage.ErrNotFound) || errors.Is(err, redis.Nil) || !errors.Is(err, storage.ErrUnknownPrimary) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("after the sentinel forgot the primary: tip 1: %v, want an error of unknown primary on one line, not a missing tip", err)
	}
	if has, err := st.HasKeyset(ctx); err == nil {
		t.Fatalf("after the sentinel forgot the primary: keyset %v, want an error", has)
	}
}

// redisModeEnv completes e for the Redis-mode start-up tests: a spool
// directory, no metrics, a fake Bot API, and rotate-key's previous secret.
func redisModeEnv(t *testing.T, e map[string]string) {
	t.Helper()
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", fakeBotAPI(t).URL
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) // (rotate-key's)
}

// refusedAtStart runs serve, rotate-key and reset-2fa with e: each must
// exit 2 with want as its last line and no ERROR log line, and nothing
// may be written into the Redis of rdb.
func refusedAtStart(t *testing.T, e map[string]string, rdb redis.Cmdable, want string) {
	t.Helper()
	for _, args := range [][]string{{"serve"}, {"rotate-key"}, {"reset-2fa", "telegram:111"}} {
		var errb bytes.Buffer
		code := run(context.Background(), args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		if msg := errb.String(); code != 2 || !strings.HasSuffix(msg, want) || strings.Contains(msg, `"level":"ERROR"`) {
			t.Errorf("%v: exit %d, %q", args, code, msg)
		}
	}
	if n, err := rdb.DBSize(context.Background()).Result(); err != nil || n != 0 {
		t.Fatalf("Redis holds %d keys (%v), want none", n, err)
	}
}

// A Redis that cannot be reached at start-up (nothing listens at the
// URL's port) stops serve and the operator's commands with exit 1, as an
// outage that may end, but their last line names VIGIA_REDIS_URL and what
// to check: it said only "read keyset: dial tcp ADDR: connect: connection
// refused".
func TestUnreachableRedisAtStartNamesTheVariable(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://" + freeAddr(t) + "/0?max_retries=-1" // nothing listens; no retries
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", fakeBotAPI(t).URL
	for _, args := range [][]string{{"serve"}, {"reset-2fa", "telegram:111"}} {
		var errb bytes.Buffer
		code := run(context.Background(), args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if last := lines[len(lines)-1]; code != 1 || !strings.Contains(last, "redis: "+redisUnreachableHint+" (") || !strings.Contains(last, "connection refused") {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
}

// Sentinels that cannot be reached or do not answer (two that take the
// connection and never answer, one where nothing listens; or two where
// nothing listens) stop reset-2fa and rotate-key with exit 1 and one line
// naming VIGIA_REDIS_URL's sentinels, within openWait: each sentinel was
// asked until its read timeout and retries ran out (rotate-key's a
// minute): reset-2fa took 100 s; and the reason went on over one line per
// sentinel. serve (whose start has initTimeout) says the same on its last
// line.
func TestUnreachableSentinelsAtStartAreOneLineSoon(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	silent := "redis://" + silentAddr(t) + "/0?master_name=mymaster&addr=" + silentAddr(t) + "&addr=" + freeAddr(t)
	refused := "redis://" + freeAddr(t) + "/0?master_name=mymaster&addr=" + freeAddr(t)
	for _, url := range []string{silent, refused} {
		e["VIGIA_REDIS_URL"] = url
		for _, args := range [][]string{{"reset-2fa", "telegram:111"}, {"rotate-key"}, {"serve"}} {
			if args[0] == "serve" && url == refused {
				continue // (the same path as the silent ones', seconds sooner)
			}
			var errb bytes.Buffer
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int)
			go func() { done <- run(ctx, args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb) }()
			var code int
			select {
			case code = <-done:
			case <-time.After(time.Minute): // far past openWait and initTimeout: not a timing, only no hanging
				cancel()
				<-done
				t.Fatalf("%v: still running after a minute", args)
			}
			cancel()
			lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			last := lines[len(lines)-1]
			if code != 1 || !strings.Contains(last, "redis: "+sentinelsUnreachableHint+" (") || (args[0] != "serve" && len(lines) != 1) {
				t.Errorf("%v: exit %d, %q", args, code, errb.String())
			}
		}
	}
}

// A sentinel that takes the connection and never answers, beside one
// that answers (real redis-servers: a primary, a sentinel monitoring it),
// stops neither reset-2fa nor rotate-key: go-redis waits for every
// sentinel it asks, the silent one until its dial timeout (5 s), and the
// first call, bounded by openWait (5 s) alone, ran out just as the
// primary's address came: both exited 1 with "cannot reach the sentinels"
// while the primary and a sentinel were up.
func TestOneSilentSentinelStopsNoOperatorsCommand(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	oldSecret := bytes.Repeat([]byte{1}, 32)
	kr, err := storage.NewKeyring(oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(primary.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = sentinel.URL() + "?master_name=mymaster&addr=" + silentAddr(t)
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	operatorCommandsSucceed(t, e, "one of two sentinels silent")
}

// The unreachable line joins the reasons of several sentinels down
// (go-redis's errors.Join, one line each) on one line, the error still
// wrapped for the exit status's checks.
func TestUnreachableErrorIsOneLine(t *testing.T) {
	reason := fmt.Errorf("redis: all sentinels specified in configuration are unreachable: %w", errors.Join(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, context.DeadlineExceeded))
	err := unreachableError("sentinel", reason)
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "redis: "+sentinelsUnreachableHint+" (redis: all sentinels") || !strings.Contains(msg, "connection refused; context deadline exceeded") {
		t.Errorf("%q", msg)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !redisUnreachable(err) {
		t.Errorf("%v no longer wraps its reason", err)
	}
	if msg := unreachableError("single", reason).Error(); !strings.HasPrefix(msg, "redis: "+redisUnreachableHint+" (") {
		t.Errorf("single: %q", msg)
	}
}

// silentAddr is a loopback address that takes connections and never
// answers, closed when t ends.
func silentAddr(t *testing.T) string {
	addr, _ := silentListener(t)
	return addr
}

// silentListener is silentAddr, and a channel receiving once for each
// connection it took (the first 100; later ones are not told).
func silentListener(t *testing.T) (string, <-chan struct{}) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	accepted := make(chan struct{}, 100)
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	return l.Addr().String(), accepted
}

// A Redis whose keys under Vigía's prefix are another program's (the
// keyset's name holding a hash, the triage stream's a string) is a
// configuration mistake: serve, rotate-key and reset-2fa, each run alone
// on it, exit 2 naming VIGIA_REDIS_PREFIX, not 1 with Redis's bare
// WRONGTYPE (nor rotate-key "no keyset", naming VIGIA_REDIS_URL), and
// write nothing into that Redis (serve kept its keyset there).
func TestRedisWithAnotherProgramsKeysExitsTwo(t *testing.T) {
	rs := redistest.Start(t)
	c := rs.Client()
	ctx := context.Background()
	e := validEnv()
	e["VIGIA_REDIS_URL"] = rs.URL()
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_TELEGRAM_API_URL"] = t.TempDir(), "off", fakeBotAPI(t).URL
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) // (rotate-key's)
	for _, foreign := range []func() error{
		func() error { return c.HSet(ctx, "vigia:keyset", "user", "42").Err() },
		func() error { return c.Set(ctx, "vigia:{tips}:triage", "another program's value", 0).Err() },
	} {
		for _, args := range [][]string{{"serve"}, {"rotate-key"}, {"reset-2fa", "telegram:111"}} {
			if err := c.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if err := foreign(); err != nil {
				t.Fatal(err)
			}
			var errb bytes.Buffer
			code := run(ctx, args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
			if msg := errb.String(); code != 2 || !strings.Contains(msg, "vigia: VIGIA_REDIS_PREFIX: "+storage.ErrForeignKeys.Error()) {
				t.Errorf("%v: exit %d, %q", args, code, msg)
			}
			if keys, err := c.Keys(ctx, "*").Result(); err != nil || len(keys) != 1 {
				t.Errorf("%v: the other program's Redis holds %q after it (%v), want its one key", args, keys, err)
			}
			if k, err := c.HGet(ctx, "vigia:keyset", "user").Result(); err == nil && k != "42" {
				t.Errorf("%v: the other program's hash was changed: %q", args, k)
			}
		}
	}
}

// An address serve cannot listen on (taken by another process) is named
// by its variable, and, as every configuration error, without its value.
func TestBusyListenerIsNamedWithoutTheAddress(t *testing.T) {
	rs := redistest.Start(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, port, _ := net.SplitHostPort(busy.Addr().String())
	for _, name := range []string{"VIGIA_HTTP_ADDR", "VIGIA_METRICS_ADDR"} {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"], e["VIGIA_SPOOL_DIR"] = rs.URL(), fakeBotAPI(t).URL, t.TempDir()
		e["VIGIA_METRICS_ADDR"] = "off"
		e[name] = busy.Addr().String()
		var errb bytes.Buffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		last := lines[len(lines)-1] // after the start-up warnings, in JSON
		if code != 2 || last != "vigia: "+name+": cannot listen there: bind: address already in use" || strings.Contains(last, port) {
			t.Errorf("%s taken: exit %d, %q", name, code, errb.String())
		}
	}
}

// A listener whose host name does not resolve is refused without the
// name (written with a final dot, so no search domain can make it
// resolve): net's lookup error ("lookup NAME on RESOLVER: no such host") was
// printed whole, though configuration errors never print a value.
func TestUnresolvableListenerIsNamedWithoutTheHost(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var wg sync.WaitGroup
	err := listen(ctx, &wg, cancel, slog.New(slog.DiscardHandler), "VIGIA_METRICS_ADDR", "vigia-no-such-host.invalid.:0", http.NewServeMux())
	cancel(nil)
	wg.Wait()
	if err == nil || !strings.HasPrefix(err.Error(), "VIGIA_METRICS_ADDR: cannot listen there: its host name does not resolve (") || strings.Contains(err.Error(), "vigia-no-such-host") {
		t.Fatalf("unresolvable host: %v", err)
	}
}

// The example a duration's error gives is a value that variable accepts:
// VIGIA_AUDIT_RETENTION (at least 1d) said `such as "30m" or "7d"`.
func TestDurationErrorsGiveAnAcceptedExample(t *testing.T) {
	quoted := regexp.MustCompile(`such as ("[^"]*")(?: or ("[^"]*"))?`)
	for _, name := range []string{"VIGIA_RETENTION", "VIGIA_RETENTION_CLOSED", "VIGIA_RETENTION_VERIFIED", "VIGIA_DRAFT_IDLE",
		"VIGIA_CLAIM_TIMEOUT", "VIGIA_CLAIM_REMINDER", "VIGIA_URGENT_ANNOUNCE", "VIGIA_INVITE_TTL", "VIGIA_AUDIT_RETENTION",
		"VIGIA_UNLOCK_PERIOD", "VIGIA_SIGNAL_WINDOW"} {
		e := validEnv()
		e[name] = "0"
		_, err := loadConfig(env(e), false)
		m := quoted.FindStringSubmatch(fmt.Sprint(err))
		if m == nil {
			t.Errorf("%s=0: %v, with no example", name, err)
			continue
		}
		for _, q := range m[1:] {
			if q == "" {
				continue
			}
			example, _ := strconv.Unquote(q)
			e := validEnv()
			e[name] = example
			if name == "VIGIA_CLAIM_REMINDER" {
				e["VIGIA_CLAIM_TIMEOUT"] = "30d" // a reminder must come before the timeout
			}
			if _, err := loadConfig(env(e), false); err != nil {
				t.Errorf("%s: the example %s is refused: %v", name, q, err)
			}
		}
	}
}

// A webhook URL whose path http.ServeMux cannot route literally (a brace,
// an unclean path) is refused naming the variable; serve registered it
// and panicked at start ("bad wildcard segment", "unclean path").
func TestWebhookPathIsChecked(t *testing.T) {
	for _, u := range []string{"https://bot.example.org/t{", "https://bot.example.org/tg/{id}", "https://bot.example.org/a//b",
		"https://bot.example.org/a/../b", "https://bot.example.org/a%20b", "https://bot.example.org/./"} {
		e := validEnv()
		e["VIGIA_TELEGRAM_WEBHOOK_URL"], e["VIGIA_TELEGRAM_WEBHOOK_SECRET"], e["VIGIA_HTTP_ADDR"] = u, "abcdefghijklmnopqrstuvwxyz", ":8080"
		_, err := loadConfig(env(e), false)
		if err == nil || !strings.HasPrefix(err.Error(), "VIGIA_TELEGRAM_WEBHOOK_URL: its path") {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"https://bot.example.org", "https://bot.example.org/", "https://bot.example.org/telegram",
		"https://bot.example.org/tg/", "https://bot.example.org/a.b-c_d~e/f0"} {
		e := validEnv()
		e["VIGIA_TELEGRAM_WEBHOOK_URL"], e["VIGIA_TELEGRAM_WEBHOOK_SECRET"], e["VIGIA_HTTP_ADDR"] = u, "abcdefghijklmnopqrstuvwxyz", ":8080"
		c, err := loadConfig(env(e), false)
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: serve's routing panics: %v", u, r)
				}
			}()
			publicMux(func(http.ResponseWriter, *http.Request) {}).Handle("POST "+webhookPath(c.WebhookURL), http.NotFoundHandler())
		}()
	}
}

// A Redis without an append-only file loses, when it restarts, every tip a
// reporter was told is received: serve refuses it (exit 2, naming
// VIGIA_REDIS_URL and the override), and with the override,
// VIGIA_ALLOW_REDIS_WITHOUT_AOF=yes, serves with an ERROR line saying so.
func TestServeRefusesRedisWithoutAOF(t *testing.T) {
	rs := redistest.Start(t)
	if !rs.Real {
		t.Skip("needs a real redis-server (the embedded one has no CONFIG)")
	}
	if err := rs.Client().ConfigSet(context.Background(), "appendonly", "no").Err(); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = rs.URL(), fakeBotAPI(t).URL
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATOR_2FA"] = t.TempDir(), "off", "off"
	errb := &syncBuffer{}
	refusedCtx, stop := context.WithTimeout(context.Background(), 20*time.Second) // (a serve that starts ends here)
	defer stop()
	code := run(refusedCtx, []string{"serve"}, env(e), strings.NewReader(""), io.Discard, errb)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; code != 2 || !strings.HasPrefix(last, "vigia: VIGIA_REDIS_URL: this Redis runs without an append-only file (appendonly no)") ||
		!strings.Contains(last, "set VIGIA_ALLOW_REDIS_WITHOUT_AOF=yes") {
		t.Fatalf("without AOF: exit %d, %q", code, errb.String())
	}
	// Refused before it wrote anything: the Redis is left as it was found
	// (no keyset, no triage stream), for its operator to fix or drop.
	if keys, err := rs.Client().Keys(context.Background(), "*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("the refused Redis was written to: %v %v", keys, err)
	}

	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), io.Discard, stderr) }()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(stderr.String(), `"msg":"vigia serving"`) {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not serving with the override: %s", stderr.String())
		}
		select {
		case <-tick.C:
		case c := <-done:
			cancel()
			t.Fatalf("serve exited with %d despite the override: %s", c, stderr.String())
		}
	}
	cancel()
	if c := <-done; c != 0 {
		t.Errorf("serve exit %d: %s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), `"level":"ERROR","msg":"VIGIA_ALLOW_REDIS_WITHOUT_AOF is set and Redis runs without an append-only file`) {
		t.Errorf("no ERROR line for the override: %s", stderr.String())
	}
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "maybe"
	if _, err := loadConfig(env(e), false); err == nil || !strings.HasPrefix(err.Error(), "VIGIA_ALLOW_REDIS_WITHOUT_AOF: ") {
		t.Errorf("a bad value: %v", err)
	}
}

// A platform that fails once serve is serving (Discord's gateway not
// reached) stops it with one "vigia stopped" line, the ERROR with the
// reason: an INFO "vigia stopped" with no reason came first, as after a
// clean stop, then the ERROR.
func TestServeStoppedByAFailureSaysSoOnce(t *testing.T) {
	rs := redistest.Start(t)
	e := validEnv()
	delete(e, "VIGIA_TELEGRAM_TOKEN")
	e["VIGIA_DISCORD_TOKEN"] = strings.Repeat("x", 59) + ".y"
	e["VIGIA_REDIS_URL"], e["VIGIA_DISCORD_API_URL"] = rs.URL(), "http://"+freeAddr(t) // nothing listens
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATORS"] = t.TempDir(), "off", "discord:1"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	var errb syncBuffer
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb)
	var stopped []string
	for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		if strings.Contains(line, `"msg":"vigia stopped"`) {
			stopped = append(stopped, line)
		}
	}
	if code != 1 || len(stopped) != 1 || !strings.Contains(stopped[0], `"level":"ERROR"`) || !strings.Contains(stopped[0], `"error":"discord gateway: `) {
		t.Fatalf("exit %d, stopped lines %q, log:\n%s", code, stopped, errb.String())
	}
}

// A bot token the platform rejects (Telegram's getMe, Discord's
// /users/@me: 401) stops serve, exit 2 naming the token's variable, before
// it writes anything into Redis: it kept a keyset there under the secret
// of that run first, and with the secret corrected along with the token
// the next start was refused as the wrong secret.
func TestRejectedBotTokenLeavesRedisAsFound(t *testing.T) {
	rs := redistest.Start(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized","message":"401: Unauthorized","code":0}`)
	}))
	defer api.Close()
	for _, c := range []struct{ name, msg string }{
		{"VIGIA_TELEGRAM_TOKEN", "Telegram rejected this token; check it with @BotFather"},
		{"VIGIA_DISCORD_TOKEN", "Discord rejected this token; reset it in the Developer Portal"},
	} {
		e := validEnv()
		if c.name == "VIGIA_DISCORD_TOKEN" {
			delete(e, "VIGIA_TELEGRAM_TOKEN")
			e["VIGIA_DISCORD_TOKEN"] = strings.Repeat("x", 59) + ".y"
		}
		e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"], e["VIGIA_DISCORD_API_URL"] = rs.URL(), api.URL, api.URL
		e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATORS"] = t.TempDir(), "off", "telegram:1"
		e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
		var errb syncBuffer
		code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if last := lines[len(lines)-1]; code != 2 || last != "vigia: "+c.name+": "+c.msg {
			t.Errorf("%s rejected: exit %d, %q", c.name, code, errb.String())
		}
		if keys, err := rs.Client().Keys(context.Background(), "*").Result(); err != nil || len(keys) != 0 {
			t.Errorf("serve wrote to Redis before refusing %s: %v %v", c.name, keys, err)
			rs.Client().FlushAll(context.Background())
		}
	}
}

// serveAgainstBotAPI runs serve with the Bot API at apiURL and Redis at
// redisURL until it stops, as the start-up tests do: its exit status,
// what it wrote to stderr, and the environment it ran with (its token).
func serveAgainstBotAPI(t *testing.T, redisURL, apiURL string) (int, *syncBuffer, map[string]string) {
	t.Helper()
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = redisURL, apiURL
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATORS"] = t.TempDir(), "off", "telegram:1"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	errb := &syncBuffer{}
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, errb)
	return code, errb, e
}

// A Bot API URL that answers 404 without a Bot API answer (a local Bot
// API server's address or path mistyped) stops serve as the URL's fault,
// exit 2 naming VIGIA_TELEGRAM_API_URL, before Redis is written: not read
// as a rejected token, nor as a failure to retry.
func TestBotAPIURLWithoutBotAPIIsRefused(t *testing.T) {
	rs := redistest.Start(t)
	api := httptest.NewServer(http.NotFoundHandler())
	defer api.Close()
	code, errb, _ := serveAgainstBotAPI(t, rs.URL(), api.URL+"/wrong")
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; code != 2 || !strings.HasPrefix(last, "vigia: VIGIA_TELEGRAM_API_URL: no Telegram Bot API answers at this URL") {
		t.Errorf("a URL answering 404 without the Bot API: exit %d, %q", code, errb.String())
	}
	if keys, err := rs.Client().Keys(context.Background(), "*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("serve wrote to Redis before refusing the URL: %v %v", keys, err)
	}
}

// The token check before Init has a deadline of its own: a platform that
// does not answer getMe spent Init's, and serve failed as "redis: context
// deadline exceeded" on a sound Redis. Here getMe hangs the first time
// (the check gives up and serve goes on) and is refused the second (the
// adapter's own): serve gets as far as the adapter, which names the token.
func TestSlowTokenCheckLeavesInitItsDeadline(t *testing.T) {
	defer func(d time.Duration) { initTimeout = d }(initTimeout)
	// Long enough for the check to send its getMe on a loaded machine:
	// at 2 s, under a load of 25, the check's deadline passed before it
	// sent anything, and the adapter's getMe was the one that hung.
	initTimeout = 5 * time.Second
	rs := redistest.Start(t)
	var calls atomic.Int32
	release := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-r.Context().Done(): // the check gave up
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	defer api.Close()
	defer close(release)
	code, errb, _ := serveAgainstBotAPI(t, rs.URL(), api.URL)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if last := lines[len(lines)-1]; code != 2 || last != "vigia: VIGIA_TELEGRAM_TOKEN: Telegram rejected this token; check it with @BotFather" || calls.Load() != 2 {
		t.Errorf("getMe hung, then refused: exit %d, %d calls, %q", code, calls.Load(), errb.String())
	}
}

// A Bot API that takes getMe and never answers stops serve after two
// tries of telegramStartTimeout (20 s each outside tests): the token
// check's, then the adapter's; exit 1, the last line naming
// VIGIA_TELEGRAM_API_URL and saying no answer came. Before, the check
// gave up at its 15 s deadline and the adapter's getMe waited the HTTP
// client's 65 s. Mutation: serve's New not told the check got no answer
// (StartTries left 0, the default 2) -> getMe asked 3 times, the test
// fails (whoAmI without its per-try timeout: see
// TestGetMeThatNeverAnswersIsAskedTwiceThenGivenUp).
func TestBotAPIThatNeverAnswersStopsServeAfterTwoTries(t *testing.T) {
	defer func(d time.Duration) { telegramStartTimeout = d }(telegramStartTimeout)
	telegramStartTimeout = 200 * time.Millisecond
	rs := redistest.Start(t)
	var asked atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			asked.Add(1)
		}
		<-r.Context().Done() // never answers
	}))
	defer api.Close()
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = rs.URL(), api.URL
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATORS"] = t.TempDir(), "off", "telegram:1"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	var errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb) }()
	var code int
	select {
	case code = <-done:
	case <-time.After(60 * time.Second):
		cancel()
		<-done
		t.Fatalf("serve still starting after 60 s against a Bot API that never answers (getMe asked %d times)", asked.Load())
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	want := "telegram: " + telegramUnreachableHint(api.URL) + " (getMe: no answer within 200ms, twice)"
	if last := lines[len(lines)-1]; code != 1 || !strings.Contains(last, want) || asked.Load() != 2 {
		t.Errorf("a Bot API that never answers: exit %d, getMe asked %d times, %q; want exit 1, 2 times, a last line holding %q", code, asked.Load(), errb.String(), want)
	}
	if _, secret, _ := strings.Cut(e["VIGIA_TELEGRAM_TOKEN"], ":"); strings.Contains(errb.String(), secret) {
		t.Errorf("the token is in the output: %q", errb.String())
	}
}

// Connection counts in VIGIA_REDIS_URL that go-redis panics on as it
// makes its client (a negative pool_size: "makechan: size out of range";
// any past 2^31-1; on a cluster at the first call) are a configuration
// error, exit 2 naming the variable: serve, rotate-key and bench crashed
// with a stack trace.
func TestRedisPoolSizesGoRedisCannotMakeAreRefused(t *testing.T) {
	addr := freeAddr(t) // nothing listens: refused before any call
	redisURLsRefused(t, "VIGIA_REDIS_URL: pool_size must be between 0", []struct{ mode, url string }{
		{"single", "redis://:pw-in-url@" + addr + "/0?pool_size=-1"},
		{"single", "redis://:pw-in-url@" + addr + "/0?min_idle_conns=3000000000"},
		{"cluster", "redis://:pw-in-url@" + addr + "?pool_size=-1"},
		{"cluster", "redis://:pw-in-url@" + addr + "?max_active_conns=3000000000"},
		{"sentinel", "redis://:pw-in-url@" + addr + "?master_name=m&pool_size=-2"},
		{"sentinel", "redis://:pw-in-url@" + addr + "?master_name=m&pipeline_pool_size=3000000000"},
	})
}

// redisURLsRefused checks that serve and rotate-key (and bench, in single
// mode) refuse each VIGIA_REDIS_URL as a configuration error: exit 2, a
// line holding want, and never the URL's password ("pw-in-url").
func redisURLsRefused(t *testing.T, want string, cases []struct{ mode, url string }) {
	t.Helper()
	for _, c := range cases {
		e := validEnv()
		e["VIGIA_REDIS_URL"], e["VIGIA_REDIS_MODE"] = c.url, c.mode
		e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32)) // (rotate-key's)
		e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off"
		cmds := [][]string{{"serve"}, {"rotate-key"}}
		if c.mode == "single" {
			cmds = append(cmds, []string{"bench"})
		}
		for _, args := range cmds {
			var errb bytes.Buffer
			code := run(context.Background(), args, env(e), strings.NewReader(""), io.Discard, &errb)
			if msg := errb.String(); code != 2 || !strings.Contains(msg, want) || strings.Contains(msg, "pw-in-url") {
				t.Errorf("%v, %s %s: exit %d, %q", args, c.mode, c.url, code, msg)
			}
		}
	}
}

// Telegram numbers updates per bot: an update of another bot put behind
// the same Redis (the previous one banned, its token burned), under an
// update_id the previous bot used in the last day, is stored, not taken
// for a redelivery and dropped; a redelivery is still stored once.
func TestTelegramInboxKnowsUpdatesAgainPerBot(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	secret, _ := base64.StdEncoding.DecodeString(goodSecret)
	kr, _ := storage.NewKeyring(secret)
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.InitInbox(ctx, telegram.Platform); err != nil {
		t.Fatal(err)
	}
	old, next := telegramInbox{st: st, bot: "111"}, telegramInbox{st: st, bot: "222"}
	for _, add := range []struct {
		in  telegramInbox
		raw string
	}{
		{old, `{"update_id":500,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"a"}}`},
		{next, `{"update_id":500,"message":{"message_id":1,"date":2,"chat":{"id":6,"type":"private"},"text":"b"}}`},
		{next, `{"update_id":500,"message":{"message_id":1,"date":2,"chat":{"id":6,"type":"private"},"text":"b"}}`},
	} {
		if err := add.in.Add(ctx, []byte(add.raw)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := old.Len(ctx); err != nil || n != 2 {
		t.Fatalf("%d updates stored (%v), want the two bots' one each", n, err)
	}
}

// An invitation code seen in a group while Redis was down, and no tip
// spooled: the replay loop still voids it once Redis answers.
func TestReplayLoopVoidsHeldInvitationsWithoutSpooledTips(t *testing.T) {
	rs := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rs.Client(), kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code, err := st.Invite(ctx, "investigator", "by", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.HoldVoids([]string{code}); err != nil {
		t.Fatal(err)
	}
	go replaySpool(ctx, sp, st, slog.New(slog.DiscardHandler), nil, nil)
	for deadline := time.Now().Add(20 * time.Second); sp.VoidsWaiting() > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, err := st.InviteRole(ctx, code); err == nil {
		t.Fatal("the held invitation was not voided by the replay loop")
	}
}

// A listener host name the resolver could not answer for now (a timeout,
// a server failing) is not refused as a name that does not resolve (a
// configuration error, exit 2): the start fails, to be tried again, and
// says so, without the name. A name that does not exist is still refused.
func TestListenerHostNotResolvedNowIsNotRefused(t *testing.T) {
	for _, c := range []struct {
		de     *net.DNSError
		config bool
		want   string
	}{
		{&net.DNSError{Err: "i/o timeout", Name: "metrics.example.", Server: "10.0.0.2:53", IsTimeout: true, IsTemporary: true}, false,
			"VIGIA_METRICS_ADDR: cannot listen there: its host name could not be resolved now (i/o timeout)"},
		{&net.DNSError{Err: "server misbehaving", Name: "metrics.example.", Server: "10.0.0.2:53", IsTemporary: true}, false,
			"VIGIA_METRICS_ADDR: cannot listen there: its host name could not be resolved now (server misbehaving)"},
		{&net.DNSError{Err: "no such host", Name: "metrics.example.", Server: "10.0.0.2:53", IsNotFound: true}, true,
			"VIGIA_METRICS_ADDR: cannot listen there: its host name does not resolve (no such host)"},
	} {
		err := listenError("VIGIA_METRICS_ADDR", &net.OpError{Op: "listen", Net: "tcp", Err: c.de})
		var ce *configError
		if err == nil || err.Error() != c.want || errors.As(err, &ce) != c.config {
			t.Errorf("%s: %v (configuration error: %v)", c.de.Err, err, errors.As(err, &ce))
		}
	}
}

// The usage names every variable the demo ignores (demoStorageVars), by
// name or by a prefix ending in "*": it said "VIGIA_REDIS_URL and
// VIGIA_SECRET", as if VIGIA_SECRET_FILE or VIGIA_REDIS_PREFIX were read.
func TestUsageNamesWhatTheDemoIgnores(t *testing.T) {
	_, demoLine, _ := strings.Cut(usage, "  demo ")
	demoLine, _, _ = strings.Cut(demoLine, "  keygen ")
	for _, v := range demoStorageVars {
		named := false
		for _, w := range strings.FieldsFunc(demoLine, func(r rune) bool { return r == ' ' || r == '(' || r == ')' || r == '\n' }) {
			if w == v || (strings.HasSuffix(w, "*") && strings.HasPrefix(v, strings.TrimSuffix(w, "*"))) {
				named = true
			}
		}
		if !named {
			t.Errorf("the usage's demo line does not name %s among the variables it ignores:\n%s", v, demoLine)
		}
	}
}

// The demo run where storage variables are set says, in its banner, that
// it ignores each of them (demoStorageVars): it named VIGIA_REDIS_URL and
// VIGIA_SECRET alone, as if VIGIA_SECRET_FILE or VIGIA_REDIS_PREFIX were
// read.
// Mutation: the banner's note given no variables (or the old wording) →
// it names none of them.
func TestDemoBannerNamesEveryVariableItIgnores(t *testing.T) {
	var out, errb bytes.Buffer
	e := map[string]string{"VIGIA_SECRET_FILE": "/nonexistent/secret", "VIGIA_REDIS_PREFIX": "prod"}
	if code := run(context.Background(), []string{"demo"}, env(e), strings.NewReader("/quit\n"), &out, &errb); code != 0 {
		t.Fatalf("vigia demo: exit %d, stderr %q", code, errb.String())
	}
	banner, _, _ := strings.Cut(out.String(), "\n\n")
	if !strings.Contains(banner, "it ignores "+strings.Join(demoStorageVars, ", ")+".") {
		t.Errorf("the banner does not name every variable the demo ignores:\n%s", banner)
	}
}

// serve's backfill of the lists of duplicates waits while another process
// runs it, and finishes it once that one's lease is over (it died): a
// mark from before the lists is listed, the backfill done for good.
// Mutation: backfillDuplicates returning when another holds it -> never
// done.
func TestBackfillLoopFinishesWhatAnotherLeft(t *testing.T) {
	rs := redistest.Start(t)
	rdb := rs.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 2 {
		p := st.Pseudonym("telegram", strconv.Itoa(i))
		d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: int64(i + 1), Part: tips.Part{Text: "cobran piso"}})
		if err != nil {
			t.Fatal(err)
		}
		sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.TipID)
	}
	if err := st.Decide(ctx, ids[1], storage.Claimer{Key: "k", Name: "Ana"}, storage.Decision{Status: tips.StatusDuplicate, DuplicateOf: ids[0]}); err != nil {
		t.Fatal(err)
	}
	list := "v:{bc}:dups:" + ids[0]
	rdb.Del(ctx, list, "v:{bc}:pub:"+ids[1]) // as before the lists
	// Another process's run, its lease over in a moment (it died).
	end := time.Now().Add(300 * time.Millisecond).UnixMilli()
	if err := rdb.Set(ctx, "v:dupsfill", "other "+strconv.FormatInt(end, 10)+" 0", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		backfillDuplicates(ctx, st, slog.New(slog.DiscardHandler), 20*time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the backfill loop did not finish")
	}
	if v := rdb.Get(ctx, "v:dupsfill").Val(); v != "done" {
		t.Fatalf("backfill state %q, want done", v)
	}
	if !rdb.SIsMember(ctx, list, ids[1]).Val() {
		t.Fatalf("#%s not listed as a duplicate of #%s", ids[1], ids[0])
	}
}

// serve's index expiry repair waits while another process runs it, and
// runs it once that one's lease is over (it was killed midway): a key
// left without expiry is given one at this start, not a day later.
// Mutation: repairIndexExpiry returning when another holds it -> the key
// keeps no expiry.
func TestIndexExpiryRepairLoopFinishesWhatAnotherLeft(t *testing.T) {
	rs := redistest.Start(t)
	rdb := rs.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	bare := "v:ix:d:somemac" // an entity's display value, left without expiry
	rdb.Set(ctx, bare, "sealed", 0)
	// Another process's run, its lease over in a moment (it was killed).
	end := time.Now().Add(300 * time.Millisecond).UnixMilli()
	if err := rdb.Set(ctx, "v:ix:ttl", "other "+strconv.FormatInt(end, 10), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		repairIndexExpiry(ctx, st, slog.New(slog.DiscardHandler), 20*time.Millisecond)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the repair loop did not finish")
	}
	if ttl := rdb.PTTL(ctx, bare).Val(); ttl <= 0 {
		t.Fatalf("%s left without expiry (%v)", bare, ttl)
	}
	if v := rdb.Get(ctx, "v:ix:ttl").Val(); v != "done" {
		t.Fatalf("repair mark %q, want done", v)
	}
}

// VIGIA_RETENTION at most 50 years: a longer one (parseDays reads up to
// 100,000 days) put the trim points of the queue, the audit log and the
// indexes before 1970, and every tip save failed ("ERR Invalid stream
// ID"). Refused at start-up, naming the variable; 50 years accepted.
// Mutation: the maximum dropped from loadConfig → fails (100000d accepted).
func TestRetentionLongerThanFiftyYearsIsRefused(t *testing.T) {
	for _, v := range []string{"100000d", "18251d", "438001h"} {
		e := validEnv()
		e["VIGIA_RETENTION"] = v
		if _, err := loadConfig(env(e), false); err == nil || !strings.HasPrefix(err.Error(), "VIGIA_RETENTION:") {
			t.Errorf("VIGIA_RETENTION=%s: %v, want refused naming it", v, err)
		}
	}
	for _, v := range []string{"18250d", "438000h"} {
		e := validEnv()
		e["VIGIA_RETENTION"] = v
		if c, err := loadConfig(env(e), false); err != nil || c.Retention != 18250*24*time.Hour {
			t.Errorf("VIGIA_RETENTION=%s: %v %v, want 50 years", v, c.Retention, err)
		}
	}
}

// A Bot API answering getMe with a server error (Telegram's, or a
// proxy's 502 before a local server) stops serve at once after two
// tries, the token check's and the adapter's: the first failure logged
// as it happens, the last line exit 1 saying it is the server's trouble
// and what to do, naming VIGIA_TELEGRAM_API_URL where it is set, the
// status after it; never the token. Before, the last line was the bare
// "telegram getMe: no Bot API answer (HTTP 502)". Mutations: serve
// without its ErrServerError branch -> the bare line, the test fails;
// checkTokens not counting a server error as unanswered -> getMe asked
// 3 times, and nothing logged by the check, the test fails.
func TestBotAPIServerErrorStopsServeSaidPlainly(t *testing.T) {
	rs := redistest.Start(t)
	var asked atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>502 Bad Gateway</html>")
	}))
	defer api.Close()
	code, errb, e := serveAgainstBotAPI(t, rs.URL(), api.URL)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	want := "telegram: the Bot API server of VIGIA_TELEGRAM_API_URL, or a proxy before it, answered with a server error: check that server's logs and that it is running behind the proxy (getMe: HTTP 502 Bad Gateway, twice)"
	if last := lines[len(lines)-1]; code != 1 || !strings.Contains(last, want) || asked.Load() != 2 {
		t.Errorf("a Bot API answering 502: exit %d, getMe asked %d times, %q; want exit 1, 2 times, a last line holding %q", code, asked.Load(), errb.String(), want)
	}
	if first := lines[0]; !strings.Contains(first, `"level":"WARN"`) || !strings.Contains(first, "telegram getMe failed at start-up") || !strings.Contains(first, "HTTP 502 Bad Gateway") {
		t.Errorf("the check's failure was not the first line logged: %q", errb.String())
	}
	if _, secret, _ := strings.Cut(e["VIGIA_TELEGRAM_TOKEN"], ":"); strings.Contains(errb.String(), secret) || strings.Contains(errb.String(), "/bot") {
		t.Errorf("the token, or the URL holding it, is in the output: %q", errb.String())
	}
	if h := telegramServerError(telegram.ErrServerError, defaultTelegramAPIURL).Error(); !strings.Contains(h, "Telegram's side") || strings.Contains(h, "VIGIA_TELEGRAM_API_URL") {
		t.Errorf("Telegram's own server in trouble: %q", h)
	}
}

// A Bot API that answers the token check's getMe with a server error,
// then the adapter's not at all, stops serve with a last line that says
// so, each try in order: not "a server error, twice" (one came), nor
// "cannot reach" alone (one answered). The hint names both troubles and
// VIGIA_TELEGRAM_API_URL; never the token. Mutations: serve's New not
// given the check's failure (FailedBefore) -> "(getMe: no answer within
// 200ms)" alone, the test fails; telegramServerError without its mixed
// hint -> "answered with a server error:" as if every try had, the test
// fails.
func TestBotAPIServerErrorThenNoAnswerSaysBoth_telegram(t *testing.T) {
	defer func(d time.Duration) { telegramStartTimeout = d }(telegramStartTimeout)
	telegramStartTimeout = 200 * time.Millisecond
	rs := redistest.Start(t)
	var asked atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asked.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>502 Bad Gateway</html>")
			return
		}
		<-r.Context().Done() // never answers
	}))
	defer api.Close()
	code, errb, e := serveAgainstBotAPI(t, rs.URL(), api.URL)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	want := "telegram: the Bot API server of VIGIA_TELEGRAM_API_URL, or a proxy before it, answered with a server error, and at another try not at all: " +
		"check that server's logs, that it is running behind the proxy, and the URL's host and port (getMe: HTTP 502 Bad Gateway, then no answer within 200ms)"
	if last := lines[len(lines)-1]; code != 1 || !strings.Contains(last, want) || asked.Load() != 2 {
		t.Errorf("a 502, then no answer: exit %d, getMe asked %d times, %q; want exit 1, 2 times, a last line holding %q", code, asked.Load(), errb.String(), want)
	}
	if _, secret, _ := strings.Cut(e["VIGIA_TELEGRAM_TOKEN"], ":"); strings.Contains(errb.String(), secret) || strings.Contains(errb.String(), "/bot") {
		t.Errorf("the token, or the URL holding it, is in the output: %q", errb.String())
	}
	if h := telegramServerError(&bothKinds{}, defaultTelegramAPIURL).Error(); !strings.Contains(h, "Telegram's side or on this machine's way to it") || strings.Contains(h, "VIGIA_TELEGRAM_API_URL") {
		t.Errorf("Telegram's own server, a 5xx and no answer: %q", h)
	}
}

// bothKinds is an error of both start-up kinds, as telegram.New's after
// a server error and no answer.
type bothKinds struct{}

func (*bothKinds) Error() string   { return telegram.ErrServerError.Error() + " (getMe: …)" }
func (*bothKinds) Unwrap() []error { return []error{telegram.ErrServerError, telegram.ErrUnreachable} }

// A Bot API that cannot be reached at start-up (nothing listens at
// VIGIA_TELEGRAM_API_URL's port) stops serve with exit 1, as an outage
// that may end, but its last line names VIGIA_TELEGRAM_API_URL and what
// to check, the reason after it, and never the token (the Bot API's URL
// path holds it): it said only "telegram getMe: Post ...: connection
// refused". Unset, the variable is named as unset, with the network to
// check. Mutation: serve without its ErrUnreachable branch -> the line
// is the bare error, the test fails.
func TestUnreachableBotAPIAtStartNamesTheVariable(t *testing.T) {
	rs := redistest.Start(t)
	e := validEnv()
	e["VIGIA_REDIS_URL"], e["VIGIA_TELEGRAM_API_URL"] = rs.URL(), "http://"+freeAddr(t)
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"], e["VIGIA_INVESTIGATORS"] = t.TempDir(), "off", "telegram:1"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"] = "yes"
	var errb syncBuffer
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), io.Discard, &errb)
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.Contains(last, "telegram: "+telegramUnreachableHint(e["VIGIA_TELEGRAM_API_URL"])+" (getMe: ") || !strings.Contains(last, "connection refused") {
		t.Errorf("an unreachable Bot API: exit %d, %q", code, errb.String())
	}
	token := e["VIGIA_TELEGRAM_TOKEN"]
	if _, secret, _ := strings.Cut(token, ":"); strings.Contains(errb.String(), secret) || strings.Contains(errb.String(), "/bot") {
		t.Errorf("the token, or the URL holding it, is in the output: %q", errb.String())
	}
	// The hint sees the URL, not whether the variable was set: set to
	// api.telegram.org itself, "VIGIA_TELEGRAM_API_URL is not set" alone
	// would be false, so it says both.
	if h := telegramUnreachableHint(defaultTelegramAPIURL); !strings.Contains(h, "VIGIA_TELEGRAM_API_URL is not set, or set to it") || !strings.Contains(h, "network") {
		t.Errorf("unset (or set to Telegram's own), the hint is %q", h)
	}
	if h := telegramUnreachableHint("http://localhost:8081"); !strings.Contains(h, "of VIGIA_TELEGRAM_API_URL") || strings.Contains(h, "localhost") {
		t.Errorf("set, the hint is %q", h)
	}
}

// serve stopped by Redis refusing its settings (ErrRedisSettings: a
// configuration error, exit 2) says why without the pseudonym a NOPERM
// names (Redis 7.2 quotes the key it refuses; nopermNaming stands for
// it): the line, written past the logger, printed it in clear where no
// crash guard scrubs standard error (VIGIA_TRACEBACK=raw).
func TestServeConfigErrorWithholdsPseudonyms_revlogs(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	pseudonym := strings.Repeat("cd34", 8)
	if err := srv.Client().Do(context.Background(), "ACL", "SETUSER", "vigia", "reset", "on", ">pw", "~nothing:*", "+@all", "-@dangerous").Err(); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_URL"] = "redis://vigia:pw@" + nopermNaming(t, srv.Addr, "vigia:{"+pseudonym+"}:draft") + "/0"
	e["VIGIA_SPOOL_DIR"], e["VIGIA_METRICS_ADDR"] = t.TempDir(), "off"
	e["VIGIA_ALLOW_REDIS_WITHOUT_AOF"], e["VIGIA_TELEGRAM_API_URL"] = "yes", "http://127.0.0.1:1"
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &stderr)
	out := stderr.String()
	if code != 2 || !strings.Contains(out, "vigia: VIGIA_REDIS_URL: ") || !strings.Contains(out, "NOPERM") {
		t.Fatalf("exit %d, stderr:\n%s", code, out)
	}
	if strings.Contains(out, pseudonym) || !strings.Contains(out, "[id withheld]") {
		t.Errorf("the pseudonym in clear, or no line withholding it:\n%s", out)
	}
}
