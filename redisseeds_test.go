package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// Nodes of VIGIA_REDIS_URL that take the connection and never answer,
// or refuse it, beside one node of the cluster that answers, stop
// neither rotate-key nor reset-2fa: go-redis asks the URL's nodes for the
// slots one after the other in a random order, and a silent one spent
// the first call's whole time (10 s): both exited 1 ("cannot reach")
// while the cluster was up, unless the live node came first (here one
// chance in seven for each command). Mutation checked: openStore on
// redisClientWaiting for cluster mode too (no liveClusterClient) ->
// exit 1.
func TestOperatorCommandsUseTheClusterNodesThatAnswer(t *testing.T) {
	cluster := redistest.StartCluster(t)
	oldSecret := bytes.Repeat([]byte{1}, 32)
	kr, err := storage.NewKeyring(oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(cluster.Client(), kr, storage.Options{Prefix: "vigia"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "cluster"
	redisModeEnv(t, e)
	url := "redis://" + silentAddr(t) + "?addr=" + freeAddr(t)
	for range 5 {
		url += "&addr=" + silentAddr(t)
	}
	e["VIGIA_REDIS_URL"] = url + "&addr=" + cluster.Addrs[1]
	e["VIGIA_SECRET_PREVIOUS"] = base64.StdEncoding.EncodeToString(oldSecret)
	operatorCommandsSucceed(t, e, "one node of seven answering")
}

// No node of VIGIA_REDIS_URL answering in cluster mode (one silent, one
// refusing) stops rotate-key and reset-2fa with exit 1 and one line that
// names the cluster's nodes of VIGIA_REDIS_URL and what is wrong with
// each, by its place in the URL: it named a single Redis, with "read
// keyset: context deadline exceeded". Mutation checked: unreachableError
// without its cluster hint -> the single Redis's line.
func TestNoClusterNodeAnsweringIsOneLine(t *testing.T) {
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "cluster"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = "redis://" + silentAddr(t) + "?dial_timeout=1s&addr=" + freeAddr(t)
	for _, args := range [][]string{{"reset-2fa", "telegram:111"}, {"rotate-key"}} {
		var errb bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		go func() { done <- run(ctx, args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb) }()
		var code int
		select {
		case code = <-done:
		case <-time.After(time.Minute): // far past seedWait: not a timing, only no hanging
			cancel()
			<-done
			t.Fatalf("%v: still running after a minute", args)
		}
		cancel()
		msg := errb.String()
		if code != 1 || strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "vigia: redis: "+clusterUnreachableHint+" (its host: no answer in 6s; addr= 1: ") || !strings.Contains(msg, "connection refused") {
			t.Errorf("%v: exit %d, %q", args, code, msg)
		}
	}
}

// Every sentinel down or silent as serve starts: serve says so at once,
// naming VIGIA_REDIS_URL's sentinels, where it said nothing until it
// gave up (about 30 s); and it keeps trying as before: a sentinel back
// in time is used, and serve starts. Mutation checked: serve without
// watchSentinels -> no line before it stops.
func TestServeSaysAtOnceThatNoSentinelAnswers(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	defer func(d time.Duration) { openWait = d }(openWait)
	// (The sentinels' ask waits the dial timeout and openWait.)
	openWait = time.Second
	resume := sentinel.Pause() // it takes connections and answers nothing
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = sentinel.URL() + "?master_name=mymaster&dial_timeout=1s&addr=" + freeAddr(t)
	lines := &logLines{c: make(chan map[string]any, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, lines) }()
	waitLine := func(what string, match func(map[string]any) bool) map[string]any {
		t.Helper()
		deadline := time.After(time.Minute) // not a timing, only no hanging
		for {
			select {
			case l := <-lines.c:
				if match(l) {
					return l
				}
			case code := <-done:
				t.Fatalf("serve stopped (exit %d) before %s", code, what)
			case <-deadline:
				t.Fatalf("no %s after a minute", what)
			}
		}
	}
	warn := waitLine("line saying no sentinel answers", func(l map[string]any) bool {
		msg, _ := l["msg"].(string)
		return l["level"] == "WARN" && strings.Contains(msg, "sentinel of VIGIA_REDIS_URL")
	})
	if reason, _ := warn["reason"].(string); !strings.Contains(warn["msg"].(string), "keeps trying") ||
		!strings.Contains(reason, "its host: no answer in 2s") || !strings.Contains(reason, "addr= 1: ") || !strings.Contains(reason, "connection refused") {
		t.Errorf("the line %v does not say what is wrong with each sentinel, and that serve keeps trying", warn)
	}
	resume()
	waitLine(`"vigia serving" once the sentinel answers`, func(l map[string]any) bool { return l["msg"] == "vigia serving" })
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve stopped: exit %d", code)
	}
}

// logLines is a log's lines, decoded, as they are written.
type logLines struct {
	mu sync.Mutex
	c  chan map[string]any
}

func (w *logLines) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil {
			select {
			case w.c <- rec:
			default: // (a reader that stopped reading)
			}
		}
	}
	return len(p), nil
}

// A sentinel that forgot the primary (it answers that it monitors none
// of the name asked) while the other sentinel is down is an outage, not
// a configuration mistake: the name may be right, and the sentinel down
// know the primary. serve, rotate-key and reset-2fa exit 1 with the
// sentinels' line, each sentinel's reason (serve's in the line it logs
// at once), and write nothing; they exited 2 telling the operator to fix
// master_name=. The same sentinel alone still exits 2
// (TestSentinelModeWithAnUnknownMasterNameExitsTwo). Mutations checked:
// sentinelNil without the sentinelsDown case -> serve exits 2;
// sentinelsNamePrimary's ErrUnknownPrimary for any nil answer -> the
// operator's commands exit 2; watchSentinels not called -> serve does
// not say why.
func TestASentinelThatForgotThePrimaryBesideOneDownIsAnOutage(t *testing.T) {
	primary := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, primary)
	ctx := context.Background()
	// (No retries: go-redis's retries of the sentinel down outlasted
	// serve's start, which then stopped on its deadline, whatever the
	// others answered.)
	url := sentinel.URL() + "?master_name=mymaster&max_retries=-1&addr=" + freeAddr(t)
	if err := sentinel.Client().Do(ctx, "SENTINEL", "REMOVE", "mymaster").Err(); err != nil {
		t.Fatal(err)
	}
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = url
	for _, args := range [][]string{{"serve"}, {"rotate-key"}, {"reset-2fa", "telegram:111"}} {
		var errb bytes.Buffer
		code := run(ctx, args, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb)
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		last := lines[len(lines)-1]
		says := "redis: " + sentinelsUnreachableHint + " (its host: " + errMonitorsNone.Error() + "; addr= 1: "
		if args[0] == "serve" {
			// (Its last line after go-redis's retries, the reasons in the
			// line watchSentinels logged at once.)
			says = "redis: " + sentinelsUnreachableHint + " ("
			if !strings.Contains(errb.String(), `"reason":"its host: `+errMonitorsNone.Error()+"; addr= 1: ") {
				t.Errorf("serve did not say why no sentinel names the primary: %q", errb.String())
			}
		}
		if code != 1 || !strings.Contains(last, says) || args[0] != "serve" && !strings.Contains(last, "connection refused") {
			t.Errorf("%v: exit %d, %q", args, code, errb.String())
		}
	}
	if n, err := primary.Client().DBSize(ctx).Result(); err != nil || n != 0 {
		t.Fatalf("the primary holds %d keys (%v), want none", n, err)
	}
}

// serve told to stop (SIGTERM) while it starts on a sentinel that takes
// the connection and never answers stops once its own calls give up, not
// when the sentinels' ask (watchSentinels) would have: go-redis's call
// waits out its deadline whatever a cancel, and stop waited for it (the
// URL's dial timeout and openWait: here ten minutes). Mutation checked:
// askEach waiting for every answer, not for ctx too -> serve still
// running after a minute.
func TestServeStoppedWhileASentinelIsSilentStops(t *testing.T) {
	addr, accepted := silentListener(t)
	e := validEnv()
	e["VIGIA_REDIS_MODE"] = "sentinel"
	redisModeEnv(t, e)
	e["VIGIA_REDIS_URL"] = "redis://" + addr + "?master_name=mymaster&dial_timeout=10m"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, env(e), strings.NewReader(""), &bytes.Buffer{}, &errb) }()
	// Two connections taken: the sentinels' ask's and serve's own client's.
	for range 2 {
		select {
		case <-accepted:
		case code := <-done:
			t.Fatalf("serve stopped (exit %d) before it asked the sentinel twice: %q", code, errb.String())
		case <-time.After(time.Minute): // not a timing, only no hanging
			t.Fatal("the sentinel not asked twice in a minute")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute): // far short of the ask's ten minutes: not a timing, only no hanging
		t.Fatal("serve still running a minute after it was told to stop")
	}
	if strings.Contains(errb.String(), "no sentinel of VIGIA_REDIS_URL") {
		t.Errorf("serve said no sentinel answers after it was told to stop: %q", errb.String())
	}
}

// operatorCommandsSucceed runs reset-2fa and rotate-key on e (a store
// holding one tip sealed with e's VIGIA_SECRET_PREVIOUS, no second factor
// enrolled) and fails t, naming the case (how), unless each exits 0 having
// done its work.
func operatorCommandsSucceed(t *testing.T, e map[string]string, how string) {
	t.Helper()
	for _, c := range []struct {
		args []string
		out  string
	}{
		{[]string{"reset-2fa", "telegram:111"}, "telegram:111 had no second factor enrolled"},
		{[]string{"rotate-key"}, "re-sealed: 1\n"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), c.args, env(e), strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), c.out) {
			t.Errorf("%v with %s: exit %d, %q %q", c.args, how, code, out.String(), errb.String())
		}
	}
}
