package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// An admin listed in VIGIA_ADMINS who lost their authenticator cannot be
// revoked and invited again: `vigia reset-2fa` forgets their key, locks
// them, and says so in the audit log; nobody else's key is touched.
func TestResetSecondFactor(t *testing.T) {
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
	lost, other := st.Pseudonym("telegram", "111"), st.Pseudonym("telegram", "222")
	for _, p := range []string{lost, other} {
		if err := st.Enroll(ctx, p, "JBSWY3DPEHPK3PXP"); err != nil {
			t.Fatal(err)
		}
		if ok, err := st.Unlock(ctx, p, 1, time.Hour); err != nil || !ok {
			t.Fatalf("unlock: %v %v", ok, err)
		}
	}

	e := validEnv()
	e["VIGIA_REDIS_URL"] = srv.URL()
	e["VIGIA_ADMINS"] = "telegram:111"
	// Run from a shell with the secret and Redis alone: no bot token.
	delete(e, "VIGIA_TELEGRAM_TOKEN")
	delete(e, "VIGIA_DISCORD_TOKEN")
	reset := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"reset-2fa"}, args...), env(e), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, msg := reset("--help"); code != 0 || !strings.HasPrefix(out, "usage: vigia reset-2fa") || msg != "" {
		t.Fatalf("reset-2fa --help: exit %d, %q %q", code, out, msg)
	}
	for _, bad := range [][]string{nil, {"111"}, {"telegram:111", "telegram:222"}, {"telegram:abc"}} {
		if code, _, msg := reset(bad...); code != 2 || !strings.HasPrefix(msg, "usage: vigia reset-2fa") {
			t.Fatalf("reset-2fa %q: exit %d, %q", bad, code, msg)
		}
	}
	if code, out, msg := reset("telegram:111"); code != 0 || !strings.Contains(out, "second factor of telegram:111 reset") {
		t.Fatalf("reset: exit %d, %q %q", code, out, msg)
	}
	if _, err := st.SecondFactor(ctx, lost); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the lost key is still enrolled: %v", err)
	}
	if ok, _ := st.Unlocked(ctx, lost); ok {
		t.Fatal("the member is still unlocked")
	}
	if _, err := st.SecondFactor(ctx, other); err != nil {
		t.Fatalf("another member's key went too: %v", err)
	}
	if ok, _ := st.Unlocked(ctx, other); !ok {
		t.Fatal("another member was locked")
	}
	log, err := st.AuditLog(ctx, 10)
	if err != nil || len(log) != 1 || log[0].Action != "reset-2fa" || log[0].Args != "telegram:111" {
		t.Fatalf("audit log: %+v %v", log, err)
	}
	if code, out, _ := reset("telegram:111"); code != 0 || !strings.Contains(out, "nothing to reset") || strings.Contains(out, "not on the team") {
		t.Fatalf("second reset: exit %d, %q", code, out)
	}
	// An id on no list and never invited: likely mistyped, and said so.
	if code, out, _ := reset("telegram:12"); code != 0 || !strings.Contains(out, "telegram:12 is not on the team either") {
		t.Fatalf("reset of a stranger: exit %d, %q", code, out)
	}
}

// reset-2fa appends to the audit log and deletes nothing from it: it once
// trimmed with a retention of zero (VIGIA_AUDIT_RETENTION unset), which
// dropped nearly every entry.
func TestResetSecondFactorKeepsAuditLog(t *testing.T) {
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
	const n = 500 // several stream nodes: approximate trimming drops whole ones
	for i := 0; i < n; i++ {
		if err := st.Audit(ctx, storage.AuditEntry{Who: "telegram:1 Ana", Action: "claim"}, 365*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(5 * time.Millisecond) // every entry older than the reset's "now"
	e := validEnv()
	e["VIGIA_REDIS_URL"] = srv.URL()
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"reset-2fa", "telegram:111"}, env(e), strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("reset-2fa: exit %d, %q", code, errb.String())
	}
	if got, err := srv.Client().XLen(ctx, "vigia:audit").Result(); err != nil || got != n+1 {
		t.Fatalf("audit entries after reset-2fa: %d, want %d (%v)", got, n+1, err)
	}
}
