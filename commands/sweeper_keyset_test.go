package commands_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// The sweeper checks the keyset: a replica (re)started since Redis lost
// its data, after a rotation, kept its own secret's MAC keys and made the
// triage groups again, so that no running replica noticed the loss; the
// running replica's sweeper replaces them with the keys in use, and says
// so (no key in the log).
func TestSweeperMakesReplicasAgreeOnTheKeyset(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := func(secrets ...[]byte) *storage.Store {
		kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "c", Retention: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	start(secret, oldSecret)
	running := start(secret)
	if err := srv.Client().FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	newcomer := start(secret)
	msg, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer // read once the sweeper stopped
	mux := commands.New(commands.Options{Store: running, Messages: msg, Retention: 48 * time.Hour, DefaultLanguage: "es",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	done := make(chan struct{})
	go func() { defer close(done); mux.RunSweeper(ctx, 10*time.Millisecond, time.Hour) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		got, err := newcomer.CheckKeyset(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got == storage.KeysetAdopted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the running replica's sweeper never replaced the newcomer's keyset")
		}
	}
	if running.Pseudonym("telegram", "1") != newcomer.Pseudonym("telegram", "1") {
		t.Fatal("the replicas name a reporter with different pseudonyms")
	}
	cancel()
	<-done
	if l := logs.String(); !strings.Contains(l, "replaced with the keys in use") {
		t.Errorf("the log does not say the keyset was replaced:\n%s", l)
	}
}

// keyset: a replica still on the old secret during a rotation finds the
// keyset sealed under the new one (rotate-key ran) at every sweep: it says
// so once, not every minute, and again only once the reason changes or a
// check went through since; never with key or secret material.
func TestKeysetNotCheckedIsToldOnce(t *testing.T) {
	ctx := context.Background()
	oldSecret, secret := bytes.Repeat([]byte{5}, 32), bytes.Repeat([]byte{7}, 32)
	srv := redistest.Start(t)
	start := func(secrets ...[]byte) *storage.Store {
		kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
		if err != nil {
			t.Fatal(err)
		}
		st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "c", Retention: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	old := start(oldSecret) // the bot before the rotation, still running
	rotating := start(secret, oldSecret)
	keyset, err := srv.Client().Get(ctx, "c:keyset").Result()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotating.Rekey(ctx, nil); err != nil { // the keyset sealed under the new secret
		t.Fatal(err)
	}
	msg, err := loadMessages()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	mux := commands.New(commands.Options{Store: old, Messages: msg, Retention: 48 * time.Hour, DefaultLanguage: "es",
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	told := func() int { return strings.Count(logs.String(), "keyset not checked") }
	for range 5 {
		mux.CheckKeysetNow(ctx)
	}
	if n := told(); n != 1 {
		t.Fatalf("told %d times in 5 sweeps, want once:\n%s", n, logs.String())
	}
	// Put back as the old replica sealed it: its check goes through, then
	// fails again (sealed under the new secret once more): told again.
	if err := srv.Client().Set(ctx, "c:keyset", keyset, 0).Err(); err != nil {
		t.Fatal(err)
	}
	mux.CheckKeysetNow(ctx)
	if _, err := rotating.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		mux.CheckKeysetNow(ctx)
	}
	if n := told(); n != 2 {
		t.Fatalf("told %d times, want twice (once before the check went through, once after):\n%s", n, logs.String())
	}
	for _, s := range [][]byte{oldSecret, secret} {
		for _, enc := range []string{string(s), base64.StdEncoding.EncodeToString(s), hex.EncodeToString(s)} {
			if strings.Contains(logs.String(), enc) {
				t.Fatal("a secret in the log")
			}
		}
	}
}
