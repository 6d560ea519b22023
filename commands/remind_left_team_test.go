package commands_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// A claim whose investigator has left the team since (taken out of
// VIGIA_INVESTIGATORS, the bot restarted) is not reminded to them: the
// reminder would tell someone no longer on the team of the tip's number
// and that it is still open. A member still on the team is reminded.
func TestNoReminderToAMemberWhoLeftTheTeam(t *testing.T) {
	sent := &recorder{}
	o := commands.Options{
		Retention: 90 * 24 * time.Hour,
		Roles:     commands.Roles{"telegram:" + adminID: commands.Admin, "telegram:" + investigatorID: commands.Investigator},
		Triage:    commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute},
	}
	e, srv := newEngine(t, "w", sent, o)
	if !srv.Real {
		t.Skip("claim idle times come from a real redis-server")
	}
	tm := &team{env: e, srv: srv, sent: sent}
	ctx := context.Background()
	for _, text := range []string{"cobran piso en el mercado", "venden armas en la esquina"} {
		r := tm.as(reporterID, "R", commands.Request{Text: text})
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	}
	if r := tm.as(investigatorID, "Ivo", commands.Request{Command: "next"}); !strings.Contains(r[0].Text, "Tip #1") {
		t.Fatalf("/next: %q", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "next"}); !strings.Contains(r[0].Text, "Tip #2") {
		t.Fatalf("/next: %q", r[0].Text)
	}
	c := srv.Client()
	for _, p := range c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 10}).Val() {
		c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, p.Consumer, 0, p.ID, "IDLE", (20 * time.Minute).Milliseconds(), "JUSTID")
	}

	// Restarted without the investigator in the configuration.
	later := &recorder{}
	o.Roles = commands.Roles{"telegram:" + adminID: commands.Admin}
	o.Store, o.Messages, o.Now, o.DefaultLanguage, o.Logger = tm.store, tm.msg, tm.clk.Now, "en", slog.New(slog.DiscardHandler)
	mux := commands.New(o)
	mux.AddSender("telegram", later)
	if err := mux.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	if got := later.sent[investigatorID]; len(got) != 0 {
		t.Errorf("reminded after leaving the team: %q", got[0].Text)
	}
	if got := later.sent[adminID]; len(got) != 1 || !strings.Contains(got[0].Text, "#2") {
		t.Errorf("the admin, still on the team, was not reminded of tip #2: %+v", got)
	}
}
