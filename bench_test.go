package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A small `vigia bench` run measures every figure, writes the same figures
// as JSON, and a second run continues the fill instead of starting over.
func TestBenchRunsAndWritesJSON(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("vigia bench reads Redis's INFO cpu and memory, which the embedded Redis does not have")
	}
	out := filepath.Join(t.TempDir(), "bench.json")
	env := map[string]string{"VIGIA_REDIS_URL": srv.URL()}
	var stdout, stderr bytes.Buffer
	args := []string{"bench", "--sizes", "40,60", "--concurrency", "1,4", "--intake", "10", "--queries", "3", "--mem-tips", "200", "--json", out}
	if code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var rep benchReport
	b, err := os.ReadFile(out)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("no JSON report: %v\n%s", err, b)
	}
	if len(rep.Intake) != 2 || rep.Intake[1].Concurrency != 4 || rep.Intake[0].Engine.Ops != 10 || rep.Intake[0].Raw.Ops < 10 || rep.Intake[0].Ratio <= 0 {
		t.Fatalf("intake: %+v", rep.Intake)
	}
	// A tip costs more CPU than a raw write, in the bot and in Redis, and
	// it was indexed (at a rate no faster than it was received).
	for _, in := range rep.Intake {
		if in.EngineCPU.BotUS <= in.RawCPU.BotUS || in.EngineCPU.RedisUS <= in.RawCPU.RedisUS || in.RawCPU.RedisUS <= 0 ||
			in.IndexedPerSec <= 0 || in.IndexedPerSec > in.Engine.PerSec || in.IndexedRatio != in.IndexedPerSec/in.Raw.PerSec {
			t.Fatalf("CPU or indexed figures: %+v", in)
		}
	}
	if rep.BytesPerTip <= 0 || rep.BytesPerTipAtScale <= 0 || rep.AtScaleTips < 60 {
		t.Fatalf("no memory figure: %+v", rep)
	}
	if rep.RSSGrowthPct == nil {
		t.Fatalf("no RSS growth from 40 to 60 tips: %+v", rep)
	}
	if len(rep.Scales) != 2 || rep.Scales[0].Tips < 40 || rep.Scales[1].Tips < 60 || rep.Scales[1].BotRSSMiB <= 0 || rep.Scales[1].RedisMiB <= 0 {
		t.Fatalf("scales: %+v", rep.Scales)
	}
	for _, q := range []string{"search", "entity", "signals"} {
		if l := rep.Scales[1].Queries[q]; l.Ops != 3 || l.P99ms < l.P50ms {
			t.Fatalf("/%s: %+v", q, l)
		}
	}
	for _, want := range []string{"engine tip/s", "ratio", "indexed tip/s", "engine Redis", "search p50", "Redis memory per 280-character tip"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("table lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "ETA") {
		t.Fatalf("no progress bar:\n%s", stderr.String())
	}
	// The raw baseline and the memory prefix leave nothing behind.
	dump, err := srv.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for k := range dump {
		if strings.HasPrefix(k, "vigia-bench-raw:") || strings.HasPrefix(k, "vigia-bench-mem:") {
			t.Fatalf("left behind: %s", k)
		}
	}
	// A second run continues: the stored tips are already there.
	stdout.Reset()
	stderr.Reset()
	args = []string{"bench", "--sizes", "60", "--concurrency", "1", "--intake", "5", "--queries", "2", "--mem-tips", "0"}
	if code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "fill to 60") {
		t.Fatalf("the second run filled again:\n%s", stderr.String())
	}
}

func TestBenchBadArguments(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{}, []string{"bench"}, "VIGIA_REDIS_URL"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--sizes", "10,5"}, "--sizes"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--concurrency", "x"}, "--concurrency"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--prefix", "vigia"}, "prefix of its own"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1", "VIGIA_REDIS_PREFIX": "vigia-mx"}, []string{"bench", "--prefix", "vigia-mx"}, "prefix of its own"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1", "VIGIA_REDIS_PREFIX": "b-raw"}, []string{"bench", "--prefix", "b"}, "prefix of its own"},
		// Its keys are deleted by pattern: no wildcard may reach others'.
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--prefix", "*"}, "--prefix"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--prefix", "prod:x"}, "--prefix"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--intake", "-5"}, "--intake"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--intake", "0"}, "--intake"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--queries", "-1"}, "--queries"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--mem-tips", "-1"}, "--mem-tips"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--concurrency", "100000"}, "--concurrency"},
		// A stray word would silently drop the flags after it.
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--sizes", "1", "oops", "--intake", "5"}, "oops"},
		{map[string]string{"VIGIA_REDIS_URL": "redis://127.0.0.1:1"}, []string{"bench", "--json", "/nonexistent/dir/x.json"}, "--json"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, func(k string) string { return c.env[k] }, strings.NewReader(""), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, stderr.String())
		}
	}
}

// The synthetic tips are as long as asked in characters, not bytes (the
// memory figure is per 280-character tip), and none ends in a space.
func TestBenchTipsAreMeasuredInCharacters(t *testing.T) {
	for i := range 2000 {
		g := &tipGen{r: rand.New(rand.NewPCG(7, uint64(i)))}
		n := 50 + i%951
		if i%2 == 0 {
			n = 280
		}
		s := g.text(n)
		if got := utf8.RuneCountInString(s); got != n || strings.HasSuffix(s, " ") {
			t.Fatalf("asked %d characters, got %d: %q", n, got, s)
		}
	}
}

// A query is timed only if it got the command's own answer: results, or
// that there are none; anything else (an unknown command, a refusal, an
// error) fails the run instead of being timed as a fast answer.
func TestBenchQueriesMustGetTheirAnswer(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	var logs bytes.Buffer
	eng, err := newBenchEngine(ctx, srv.Client(), "bq", &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	var event atomic.Int64
	event.Store(1000)
	if err := eng.submit(ctx, "r1", "llaman del "+benchPhone+" para cobrar piso a la tienda de la esquina", &event); err != nil {
		t.Fatal(err)
	}
	if err := eng.indexed(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range [][2]string{{"search", "cobrar piso"}, {"search", "nadaquecoincida"}, {"entity", benchPhone}, {"entity", "55 9999 0000"}, {"signals", "7d"}, {"queue", ""}} {
		if err := eng.query(ctx, q[0], q[1], event.Add(1)); err != nil {
			t.Errorf("/%s %s: %v", q[0], q[1], err)
		}
	}
	for _, q := range [][2]string{{"nosuchcommand", ""}, {"entity", "no entity here"}, {"signals", "forever"}} {
		if err := eng.query(ctx, q[0], q[1], event.Add(1)); err == nil {
			t.Errorf("/%s %s was taken for an answer", q[0], q[1])
		}
	}
}

// panickyReplier panics on its first reply, as a bug in an adapter would.
type panickyReplier struct{ n int }

func (r *panickyReplier) Reply(context.Context, commands.Reply) error {
	if r.n++; r.n == 1 {
		panic("reply")
	}
	return nil
}

// The bench engine logs through serve's scrubbing logger: its errors (a
// handler's panic, here) are JSON lines, as serve's, not slog's text.
func TestBenchLogsThroughTheScrubbingLogger(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	var logs bytes.Buffer
	eng, err := newBenchEngine(ctx, srv.Client(), "bl", &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.stop()
	eng.mux.Handle(ctx, commands.Request{Platform: benchPlatform, UserID: benchInvestigator, ChatID: benchInvestigator,
		ChatKind: commands.Private, EventID: 1, Command: "help", CommandAtStart: true, Language: "en"}, &panickyReplier{})
	out := strings.TrimSpace(logs.String())
	if !strings.Contains(out, "handler panic") {
		t.Fatalf("the handler's panic was not logged:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if !json.Valid([]byte(l)) || !strings.HasPrefix(l, logStart) {
			t.Errorf("not a line of serve's JSON logger: %s", l)
		}
	}
}

// A bench that cannot reach its Redis says so, in its last line, without
// where: no address, no host name looked up, no resolver, and never the
// URL's password, as serve's "vigia stopped" line. It printed "dial tcp
// 127.0.0.1:<port>" and "lookup <host> on <resolver>" in clear.
func TestBenchFinalErrorWithholdsAddresses(t *testing.T) {
	for _, r := range unreachableRedisURLs(t) {
		var stdout, stderr bytes.Buffer
		env := map[string]string{"VIGIA_REDIS_URL": r.url}
		code := run(context.Background(), []string{"bench", "--sizes", "1", "--intake", "1", "--queries", "0", "--mem-tips", "0", "--prefix", "bench-unreachable"},
			func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		out := stderr.String()
		if code != 1 || !strings.Contains(out, "vigia bench: redis: cannot reach the Redis of VIGIA_REDIS_URL") {
			t.Fatalf("%s: exit %d, stderr:\n%s", r.url, code, out)
		}
		checkWithholdsAddresses(t, "bench", out, out, r)
	}
}

// A bench that fails on a key Redis's ACL refuses ends with a line
// naming why, but not the key's pseudonym, which Redis 7.2 quotes in its
// NOPERM (nopermNaming stands for it): the line passed scrubAddrs alone,
// or nothing where Redis refused the keyset (a configuration error), the
// pseudonym in clear where no crash guard scrubs standard error
// (VIGIA_TRACEBACK=raw, a platform without one).
func TestBenchFinalErrorWithholdsPseudonyms_revlogs(t *testing.T) {
	srv := redistest.Start(t)
	if !srv.Real {
		t.Skip("ACLs need a real redis-server")
	}
	pseudonym := strings.Repeat("cd34", 8)
	for _, c := range []struct {
		name, keys string
		code       int
	}{
		{"keyset refused", "~nothing:*", 2},
		{"backlog refused", "~bench-noperm:* -xinfo|groups", 1},
	} {
		admin := srv.Client()
		args := []any{"ACL", "SETUSER", "vigia", "reset", "on", ">pw", "+@all", "-@dangerous"}
		for _, k := range strings.Fields(c.keys) {
			args = append(args, k)
		}
		if err := admin.Do(context.Background(), args...).Err(); err != nil {
			t.Fatal(err)
		}
		url := "redis://vigia:pw@" + nopermNaming(t, srv.Addr, "vigia:{"+pseudonym+"}:draft") + "/0"
		var stdout, stderr bytes.Buffer
		env := map[string]string{"VIGIA_REDIS_URL": url}
		code := run(context.Background(), []string{"bench", "--sizes", "1", "--intake", "1", "--queries", "0", "--mem-tips", "0", "--prefix", "bench-noperm"},
			func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		out := stderr.String()
		if code != c.code || !strings.Contains(out, "vigia bench: ") || !strings.Contains(out, "NOPERM") {
			t.Fatalf("%s: exit %d, stderr:\n%s", c.name, code, out)
		}
		if strings.Contains(out, pseudonym) || !strings.Contains(out, "[id withheld]") {
			t.Errorf("%s: the pseudonym in clear, or no line withholding it:\n%s", c.name, out)
		}
	}
}
