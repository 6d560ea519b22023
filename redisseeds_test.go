package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"strings"
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
	for _, c := range []struct {
		args []string
		out  string
	}{
		{[]string{"reset-2fa", "telegram:111"}, "telegram:111 had no second factor enrolled"},
		{[]string{"rotate-key"}, "re-sealed: 1\n"},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), c.args, env(e), strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), c.out) {
			t.Errorf("%v with one node of seven answering: exit %d, %q %q", c.args, code, out.String(), errb.String())
		}
	}
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
