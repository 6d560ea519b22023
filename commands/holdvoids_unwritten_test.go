package commands_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// An invitation code posted in a group while Redis is down, whose voiding
// the spool cannot write (a full or read-only disk), is still refused by
// this replica once Redis is back, before any replay; the ERROR line says
// that the voiding is kept in memory only. Mutation: Spool.HoldVoids
// keeping nothing of a voiding it could not write (as before) -> the code
// is redeemed.
func TestAnInvitationSeenWhileItsVoidingCannotBeWrittenIsRefused(t *testing.T) {
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32)) // (newEngine's)
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	e, srv := newEngine(t, "w", &recorder{}, commands.Options{Roles: commands.Roles{"telegram:" + adminID: commands.Admin}, Spool: sp})
	if !srv.Real {
		t.Skip("needs a real redis-server to stop and restart")
	}
	tm := &team{env: e, srv: srv}
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	if err := os.Mkdir(filepath.Join(dir, "voids.spool"), 0o700); err != nil { // (no file can be written there)
		t.Fatal(err)
	}
	srv.Stop()
	tm.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "702", ChatID: "-100555", ChatKind: commands.Group,
		Text: "el código es " + code, EventID: 500}, &adminReplier{recorder: &recorder{}})
	if logs := tm.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "refused here") || !strings.Contains(logs, "lost if") {
		t.Errorf("the ERROR line does not say the voiding is kept in memory only:\n%s", logs)
	}
	srv.Restart()
	for deadline := time.Now().Add(10 * time.Second); tm.store.Ping(ctx) != nil && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if r := tm.as("703", "Bea", commands.Request{Command: "redeem", Args: code}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "redeem_bad", nil) {
		t.Errorf("an invitation seen in a group in the outage, its voiding not written: %+v", r)
	}
}
