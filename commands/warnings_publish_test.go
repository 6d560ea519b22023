package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
)

// newTeamPublishing is newTeam where approvals investigators must approve
// a warning before it goes out (newTeam needs two).
func newTeamPublishing(t *testing.T, approvals int) *team {
	t.Helper()
	sent := &recorder{}
	e, srv := newEngine(t, "w", sent, commands.Options{
		Retention:        90 * 24 * time.Hour,
		Roles:            commands.Roles{"telegram:" + adminID: commands.Admin},
		Triage:           commands.Triage{ClaimTimeout: time.Hour},
		PublishApprovals: approvals,
	})
	return &team{env: e, srv: srv, sent: sent}
}

// investigators redeems an invitation for each "id name" given.
func (tm *team) investigators(users ...string) {
	for _, u := range users {
		id, name, _ := strings.Cut(u, " ")
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(id, name, commands.Request{Command: "redeem", Args: code})
	}
}

// deliverAll runs broadcast rounds until nothing is left to send.
func (tm *team) deliverAll(t *testing.T) {
	t.Helper()
	for range 4 {
		if err := tm.mux.BroadcastOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		tm.clk.Add(commands.PerChatGap)
	}
}

// publishTo subscribes chats (each by its admin) to the warnings sender
// delivers on Telegram, has a reporter send warningText and investigator
// Ana approve it: warning #1, ready for delivery.
func (tm *team) publishTo(t *testing.T, sender commands.Sender, chats ...string) {
	t.Helper()
	tm.mux.AddSender("telegram", sender)
	for _, chat := range chats {
		tm.inGroup("50", chat, true, commands.Request{Command: "subscribe"})
	}
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	tm.approve(t, "2002", "Ana", "1")
}

const identifyingWarning = "Fake police checkpoint on the highway to Toluca km 23, they rob drivers. Call me at 5511112222, I'm Ana from the church."

// /publish NUMBER never sends blindly: it shows the investigator exactly
// what would go out, flags what looks identifying, and sends only what they
// confirm (with the button, or by writing the text to publish).
func TestPublishShowsTheTextAndWaitsForConfirmation(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe", Language: "es"})
	tm.inGroup("50", "-2", true, commands.Request{Command: "subscribe", Language: "en"})
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: identifyingWarning})

	r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"})
	if len(r) != 1 || !r[0].Protected {
		t.Fatalf("preview: %+v", r)
	}
	today := map[string]any{"Date": tm.clk.Now().UTC().Format("2006-01-02")}
	shown := tm.msg.Localize("en", "broadcast_header", today) + "\n\n" + identifyingWarning
	for _, want := range []string{
		tm.msg.Localize("en", "publish_preview", map[string]any{"ID": "1", "Count": 2}, 2),
		"\n\n" + shown + "\n\n",
		tm.msg.Localize("en", "publish_identifying", nil) + "\n• phone number: +52 55 1111 2222",
		tm.msg.Localize("en", "publish_check", nil),
		tm.msg.Localize("en", "publish_confirm", map[string]any{"ID": "1"}),
	} {
		if !strings.Contains(r[0].Text, want) {
			t.Fatalf("the preview lacks %q:\n%s", want, r[0].Text)
		}
	}
	button := r[0].Buttons[0][0]
	if button.Label != "Publish this text" || !strings.HasPrefix(button.Data, "pub:1:") {
		t.Fatalf("button: %+v", r[0].Buttons)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 0 || len(platform.got["-2"]) != 0 {
		t.Fatalf("sent before anyone confirmed: %v", platform.got)
	}

	// Confirmed: what goes out is what was shown, under each community's header.
	if r = tm.as("2002", "Ana", commands.Request{Callback: button.Data}); r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 2}, 2) {
		t.Fatalf("confirmed: %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-2"]; len(got) != 1 || got[0] != shown {
		t.Fatalf("English community got %q, want what the investigator saw: %q", got, shown)
	}
	if got := platform.got["-1"]; len(got) != 1 || got[0] != tm.msg.Localize("es", "broadcast_header", today)+"\n\n"+identifyingWarning {
		t.Fatalf("Spanish community got %q", got)
	}

	// The text an investigator writes is their confirmation: it, and only
	// it, goes out.
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "Retén falso en la carretera a Toluca, km 23. Llámame al 5511112222."})
	edited := "Retén falso en la carretera a Toluca, km 23: no se detengan."
	if r = tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "2 " + edited}); r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "2", "Count": 2}, 2) {
		t.Fatalf("edited: %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-2"]; len(got) != 2 || !strings.HasSuffix(got[1], "\n\n"+edited) {
		t.Fatalf("edited warning delivered as %q", got)
	}
	for chat, msgs := range platform.got {
		for _, m := range msgs {
			if strings.Contains(m, "Llámame") {
				t.Fatalf("%s got the original text instead of the edited one: %q", chat, m)
			}
		}
	}
}

// With several approvals needed, approvals count for one text: a text
// edited after an investigator saw the preview is shown to them again,
// and their press approves nothing they did not see.
func TestPublishApprovalsAreForTheTextSeen(t *testing.T) {
	tm := newTeam(t)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Beto")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: identifyingWarning})

	stale := press(tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}), "pub:")
	edited := "Fake police checkpoint on the highway to Toluca, km 23: do not stop."
	if r := tm.as("2003", "Beto", commands.Request{Command: "publish", Args: "1 " + edited}); r[0].Text != tm.msg.Localize("en", "publish_waiting", map[string]any{"ID": "1", "Count": 1, "Needed": 2}, 1) {
		t.Fatalf("Beto's edited approval: %+v", r)
	}
	// Ana presses the button under the original text: nothing is approved;
	// she is shown the text that would go out now.
	r := tm.as("2002", "Ana", commands.Request{Callback: stale})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "publish_changed", map[string]any{"ID": "1"})) ||
		!strings.Contains(r[0].Text, "\n\n"+edited+"\n\n") || strings.Contains(r[0].Text, "5511112222") ||
		!strings.Contains(r[0].Text, tm.msg.Localize("en", "publish_approvals", map[string]any{"Count": 1, "Needed": 2}, 1)) {
		t.Fatalf("stale press: %+v", r)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 0 {
		t.Fatalf("published on a press for another text: %q", platform.got["-1"])
	}
	if r = tm.as("2002", "Ana", commands.Request{Callback: press(r, "pub:")}); r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1) {
		t.Fatalf("Ana approves the edited text: %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-1"]; len(got) != 1 || !strings.HasSuffix(got[0], "\n\n"+edited) {
		t.Fatalf("delivered %q", got)
	}
	if r = tm.as("2002", "Ana", commands.Request{Callback: stale}); r[0].Text != tm.msg.Localize("en", "publish_already", map[string]any{"ID": "1"}) {
		t.Fatalf("a press after the publication: %+v", r)
	}
}

// Investigators see at once, in their language, that a tip is a community
// warning, and how to publish it.
func TestWarningsAreMarkedInTip(t *testing.T) {
	tm := newTeam(t)
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: identifyingWarning})
	r := tm.as(reporterID, "R", commands.Request{Text: "un tip normal"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	if r := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1", Language: "es-MX"}); !strings.Contains(r[0].Text, tm.msg.Localize("es", "tip_warning", map[string]any{"ID": "1"})) {
		t.Fatalf("/tip of a warning: %s", r[0].Text)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "2"}); strings.Contains(r[0].Text, "Community warning") {
		t.Fatalf("/tip of a tip: %s", r[0].Text)
	}
}

// A warning's history records each approval and the publication (who, and
// the text published) and the retraction, in the investigator's language.
func TestPublicationInTheHistory(t *testing.T) {
	tm := newTeam(t)
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Beto")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: identifyingWarning})
	es := commands.Request{Command: "tip", Args: "1", Language: "es-MX"}
	edited := "Fake police checkpoint on the highway to Toluca, km 23: do not stop."
	tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1 " + edited})
	tm.approve(t, "2003", "Beto", "1")
	tm.deliverAll(t)
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	text := tm.as("2002", "Ana", es)[0].Text
	when := tm.clk.Now().UTC()
	var lines []string
	for _, e := range []struct {
		kind, who, text string
		at              time.Time
	}{
		{"approved", tm.tagged("2002", "Ana"), edited, when.Add(-4 * commands.PerChatGap)},
		{"published", tm.tagged("2003", "Beto"), edited, when.Add(-4 * commands.PerChatGap)},
		{"retracted", tm.tagged("2002", "Ana"), "", when},
	} {
		lines = append(lines, tm.msg.Localize("es", "history_"+e.kind, map[string]any{"Time": e.at.Format("2006-01-02 15:04 UTC"), "Who": e.who}))
		if e.text != "" { // quoted below its entry
			lines = append(lines, commands.QuoteMark+" "+e.text)
		}
	}
	if want := strings.Join(lines, "\n"); !strings.Contains(text, want) {
		t.Fatalf("history lacks\n%s\nin\n%s", want, text)
	}
	// The text published is in the tip's history, which goes with the tip;
	// the audit log, kept a year, records its length and the button press.
	audit := unisolated(tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "50"})[0].Text)
	for _, want := range []string{"/publish 1 " + tm.msg.Localize("en", "audit_text_withheld", nil, len([]rune(edited))), "/publish 1 (button)"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
	if strings.Contains(audit, "Toluca") {
		t.Errorf("audit holds the text published:\n%s", audit)
	}
}

// With no community to receive it, /publish says so at once, sends and
// records nothing, and the warning can be published once one subscribes.
func TestPublishWithNoCommunity(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	ctx := context.Background()
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.investigators("2002 Ana")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	none := tm.msg.Localize("es", "publish_no_community", map[string]any{"ID": "1"})
	for _, args := range []string{"1", "1 " + warningText} {
		if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: args, Language: "es"}); len(r) != 1 || r[0].Text != none {
			t.Fatalf("/publish %s with no community: %+v", args, r)
		}
	}
	// A community that takes only warnings naming its region.
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe", Args: "Norte"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}); r[0].Text != tm.msg.Localize("en", "publish_no_region", map[string]any{"ID": "1", "Regions": "norte"}) {
		t.Fatalf("/publish with no community for its region: %+v", r)
	}
	if b, err := tm.store.Broadcasts(ctx); err != nil || len(b) != 0 {
		t.Fatalf("broadcasts: %v %v", b, err)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"}); strings.Contains(r[0].Text, "published by") {
		t.Fatalf("recorded as published: %s", r[0].Text)
	}
	// Once a community takes it, it is published as usual.
	tm.inGroup("50", "-2", true, commands.Request{Command: "subscribe"})
	if r := tm.approve(t, "2002", "Ana", "1"); r[0].Text != tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1) {
		t.Fatalf("after a community subscribed: %+v", r)
	}
	tm.deliverAll(t)
	if got := platform.got["-2"]; len(got) != 1 || !strings.HasSuffix(got[0], "\n\n"+warningText) {
		t.Fatalf("delivered %q", got)
	}
	if report := platform.got["2002"]; len(report) == 0 || !strings.Contains(report[len(report)-1], "delivered to 1 of 1 community;") {
		t.Fatalf("report: %q", report)
	}
}

// An approval counts while its investigator is on the team: one revoked
// since no longer makes up the number. And the report goes to whoever
// started the delivery, who is told they will get it.
func TestRevokedApprovalsDoNotCount(t *testing.T) {
	tm := newTeam(t) // two approvals
	platform := &community{}
	tm.mux.AddSender("telegram", platform)
	tm.inGroup("50", "-1", true, commands.Request{Command: "subscribe"})
	tm.investigators("2002 Ana", "2003 Beto", "2004 Mallory")
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: warningText})
	waiting := tm.msg.Localize("en", "publish_waiting", map[string]any{"ID": "1", "Count": 1, "Needed": 2}, 1)
	if r := tm.as("2004", "Mallory", commands.Request{Callback: press(tm.as("2004", "Mallory", commands.Request{Command: "publish", Args: "1"}), "pub:")}); r[0].Text != waiting {
		t.Fatalf("Mallory approves: %q", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2004"})
	// The preview counts it no more either.
	preview := tm.as("2003", "Beto", commands.Request{Command: "publish", Args: "1"})
	if none := tm.msg.Localize("en", "publish_approvals", map[string]any{"Count": 0, "Needed": 2}, 0); !strings.Contains(preview[0].Text, none) {
		t.Fatalf("preview after Mallory's revocation lacks %q:\n%s", none, preview[0].Text)
	}
	if r := tm.as("2003", "Beto", commands.Request{Callback: press(preview, "pub:")}); r[0].Text != waiting {
		t.Fatalf("Beto's approval after Mallory's revocation: %q", r[0].Text)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 0 {
		t.Fatalf("published on a revoked member's approval: %q", platform.got["-1"])
	}
	started := tm.msg.Localize("en", "publish_started", map[string]any{"ID": "1", "Count": 1}, 1)
	if r := tm.as("2002", "Ana", commands.Request{Callback: press(tm.as("2002", "Ana", commands.Request{Command: "publish", Args: "1"}), "pub:")}); r[0].Text != started {
		t.Fatalf("Ana's approval: %q", r[0].Text)
	}
	tm.deliverAll(t)
	if len(platform.got["-1"]) != 1 {
		t.Fatalf("not delivered: %q", platform.got["-1"])
	}
	report := func(chat string) bool {
		for _, m := range platform.got[chat] {
			if strings.HasPrefix(m, "Warning #1: delivered to 1 of 1 community") {
				return true
			}
		}
		return false
	}
	if !report("2002") || report("2003") || len(platform.got["2004"]) != 0 {
		t.Fatalf("reports: Ana %q, Beto %q, Mallory %q", platform.got["2002"], platform.got["2003"], platform.got["2004"])
	}
}

// A published warning is not purged while its copies may be up: the
// purge would erase which messages went where, and nothing could withdraw
// them. Retracted and withdrawn, it is purged.
func TestPublishedWarningIsRetractedBeforeItIsPurged(t *testing.T) {
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.publishTo(t, platform, "-1", "-2")
	tm.deliverAll(t)
	if len(platform.visible(warningText)) == 0 {
		t.Fatal("not delivered")
	}
	purge := func() string {
		return tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "1"})[0].Text
	}
	refused := tm.msg.Localize("en", "purge_published", map[string]any{"ID": "1"})
	if s := purge(); s != refused {
		t.Fatalf("/purge of a published warning: %s", s)
	}
	tm.as("2002", "Ana", commands.Request{Command: "retract", Args: "1"})
	if s := purge(); s != refused {
		t.Fatalf("/purge while its copies are withdrawn: %s", s)
	}
	tm.deliverAll(t)
	if left := platform.visible(warningText); len(left) != 0 {
		t.Fatalf("copies left after the retraction: %v", left)
	}
	// A copy recorded after another broadcaster finished the withdrawal
	// (its broadcast no longer active) is still one to delete.
	ctx := context.Background()
	c := tm.srv.Client()
	dests, _ := c.HGetAll(ctx, "w:{bc}:job:1").Result()
	dest := ""
	for key := range dests {
		if !strings.HasPrefix(key, "m:") && key != "~" {
			dest = key
			break
		}
	}
	c.HSet(ctx, "w:{bc}:job:1", dest, "RDd")
	c.SRem(ctx, "w:{bc}:jobs", "1")
	if s := purge(); s != refused {
		t.Fatalf("/purge with a copy recorded late: %s", s)
	}
	// A correction claimed and cut short by a crash is counted done (never
	// sent twice): it does not hold the purge up.
	c.HSet(ctx, "w:{bc}:job:1", dest, "Rs1")
	if s := purge(); s != tm.msg.Localize("en", "purge_done", map[string]any{"ID": "1"}) {
		t.Fatalf("/purge after the withdrawal: %s", s)
	}
	if s := purge(); s != tm.msg.Localize("en", "tip_not_found", map[string]any{"ID": "1"}) {
		t.Fatalf("/purge again: %s", s)
	}

	// "now" purges a published warning at once, and says its copies stay.
	tm.as(reporterID, "R", commands.Request{Command: "warn", Args: "segundo aviso: " + warningText})
	tm.approve(t, "2002", "Ana", "2")
	tm.deliverAll(t)
	r := tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "2 now"})
	if want := tm.msg.Localize("en", "purge_done", map[string]any{"ID": "2"}) + "\n\n" + tm.msg.Localize("en", "purge_copies_left", nil); r[0].Text != want {
		t.Fatalf("/purge 2 now: %s", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3 later"}); r[0].Text != tm.msg.Localize("en", "purge_usage", nil) {
		t.Fatalf("/purge 3 later: %s", r[0].Text)
	}
	// "now" in the admin's language, as Discord's field asks for it.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "purge", Args: "3 ahora"}); r[0].Text != tm.msg.Localize("en", "tip_not_found", map[string]any{"ID": "3"}) {
		t.Fatalf("/purge 3 ahora: %s", r[0].Text)
	}
}

// The reports of a broadcast go to the investigator who approved it (or
// retracted it) only while they are on the team: revoked, they hear no
// more of the team's work. One still on the team does.
func TestRevokedInvestigatorGetsNoBroadcastReports(t *testing.T) {
	for _, revoke := range []bool{false, true} {
		tm := newTeamPublishing(t, 1)
		platform := &community{}
		tm.publishTo(t, platform, "-1", "-2")
		if revoke {
			tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2002"})
		}
		tm.deliverAll(t)
		if got := platform.got["2002"]; revoke != (len(got) == 0) {
			t.Errorf("revoked %v: the approver was told %q", revoke, got)
		}
	}
	tm := newTeamPublishing(t, 1)
	platform := &community{}
	tm.publishTo(t, platform, "-1", "-2")
	tm.deliverAll(t)
	tm.investigators("2003 Beto")
	tm.as("2003", "Beto", commands.Request{Command: "retract", Args: "1"})
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2003"})
	tm.deliverAll(t)
	if got := platform.got["2003"]; len(got) != 0 {
		t.Errorf("the revoked retractor was told %q", got)
	}
}
