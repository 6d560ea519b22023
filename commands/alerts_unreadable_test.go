package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// A reporter's /forget, and an admin's /purge, of a tip whose entity's
// kept alert record was corrupted (a key of another type) are done and
// said done: the record is dropped (storage.UnreadableAlertsError), and
// the log counts it under "kept alerts not sent", naming neither the
// entity nor the receipt. Before, the reporter was told it failed, and
// every /forget again failed the same way.
// Mutation: the forget and purge handlers returning the storage error as
// it is (no unreadableAlerts) -> fails (the answer is the failure's).
func TestForgetAndPurgeFinishPastAnUnreadableAlertRecord(t *testing.T) {
	for _, how := range []string{"forget", "purge"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			tm, _ := newTwoChatTeam(t)
			tm.report("7001", "cobran piso desde el 5512345678", "")
			tm.report("7002", "el 5512345678 nos amenaza", "")
			code := tm.reportCode("7003", "del 5512345678 piden cuota")
			tm.retryFor(2 * time.Hour)
			if a, b := len(tm.sentTo(invChat)), len(tm.sentTo(otherInvChat)); a != 1 || b != 1 {
				t.Fatalf("the alert: %d and %d, want one each", a, b)
			}
			rdb := tm.srv.Client()
			recs := rdb.Keys(ctx, "w:{alerts}:a:*").Val()
			if len(recs) != 1 {
				t.Fatalf("kept alert records %v, want one", recs)
			}
			rdb.Set(ctx, recs[0], "corrupted", time.Hour)
			var r []commands.Reply
			want := tm.msg.Localize("en", "forget_done", nil)
			if how == "forget" {
				r = tm.as("7003", "R", commands.Request{Command: "forget", Args: code})
			} else {
				r = tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3"})
				want = tm.msg.Localize("en", "purge_done", map[string]any{"ID": "3"})
			}
			if len(r) != 1 || r[0].Text != want {
				t.Fatalf("/%s: %q, want %q", how, texts(r), want)
			}
			if rdb.Exists(ctx, recs[0]).Val() != 0 {
				t.Fatal("the unreadable record is still kept")
			}
			logs := tm.logs.String()
			if !strings.Contains(logs, "kept alerts not sent") || !strings.Contains(logs, "1 kept alert records could not be read") {
				t.Fatalf("the dropped record not counted in the log:\n%s", logs)
			}
			if mac := strings.TrimPrefix(recs[0], "w:{alerts}:a:"); strings.Contains(logs, mac) || strings.Contains(logs, code) {
				t.Fatalf("the log names the entity or the receipt:\n%s", logs)
			}
		})
	}
}
