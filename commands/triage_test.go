package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// team is a Mux with an admin from the configuration, a real Redis, an
// injected clock, and recording senders for notifications.
type team struct {
	*env
	srv  *redistest.Server
	sent *recorder
}

const adminID = "1001"

func newTeam(t *testing.T) *team {
	t.Helper()
	sent := &recorder{}
	e, srv := newEngine(t, "w", sent, commands.Options{
		Retention:         90 * 24 * time.Hour,
		Roles:             commands.Roles{"telegram:" + adminID: commands.Admin},
		InvestigatorChats: []string{"telegram:-100777"},
		Triage:            commands.Triage{ClaimTimeout: time.Hour, RemindAfter: 10 * time.Minute, UrgentAfter: 5 * time.Minute},
		PublishApprovals:  2,
	})
	return &team{env: e, srv: srv, sent: sent}
}

// newEngine is a Mux on a real Redis under prefix, with an injected clock,
// English by default (unless o says another language), a debug log kept in env.logs, and sender for
// Telegram; o gives the rest of the configuration.
func newEngine(t *testing.T, prefix string, sender commands.Sender, o commands.Options) (*env, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	clk := &clock{t: time.Now()}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: prefix, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	logs := &bytes.Buffer{}
	o.Store, o.Messages, o.Now = st, msg, clk.Now
	if o.DefaultLanguage == "" {
		o.DefaultLanguage = "en"
	}
	if o.Logger == nil { // (a test's own logger keeps env.logs empty)
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	mux := commands.New(o)
	mux.AddSender("telegram", sender)
	return &env{t: t, mux: mux, store: st, msg: msg, clk: clk, logs: logs}, srv
}

var codeRE = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`)

func (tm *team) as(user, name string, req commands.Request) []commands.Reply {
	req.Name, req.UserChat = name, user
	return tm.do(user, req)
}

func TestTriageLifecycle(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }

	// An admin invites; the new investigator redeems; a second use fails.
	r := tm.as(adminID, "Admin Ada", commands.Request{Command: "invite", Args: "investigator"})
	code := codeRE.FindString(r[0].Text)
	if code == "" || !r[0].Protected {
		t.Fatalf("invite: %+v", r)
	}
	if r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "recent"}); r[0].Text != en("unknown_command", nil) {
		t.Fatalf("before redeeming: %+v", r)
	}
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "redeem", Args: strings.ToLower(code)})
	if r[0].Text != tm.msg.Localize("en", "redeem_ok", map[string]any{"Role": en("role_investigator", nil)}) {
		t.Fatalf("redeem: %+v", r)
	}
	if r = tm.as("3003", "Intruso", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_bad", nil) {
		t.Fatalf("second use: %+v", r)
	}
	if r = tm.as("3003", "Intruso", commands.Request{Command: "redeem", Args: "0000-0000-0000-0000"}); r[0].Text != en("redeem_bad", nil) {
		t.Fatalf("unknown code: %+v", r)
	}

	// A reporter sends a tip and allows questions.
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Text: "Cobran piso en el mercado", Language: "es"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Callback: "fu:" + draft + ":1", Language: "es"})
	if r[0].Text != tm.msg.Localize("es", "followup_on", nil) || press(r, "fu:"+draft+":0") == "" {
		t.Fatalf("follow-up toggle: %+v", r)
	}
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Callback: "send:" + draft, Language: "es"})
	receipt := codeRE.FindString(r[0].Text)
	// A second reporter opts out.
	r = tm.as("7002", "Otro", commands.Request{Text: "Venden armas", Language: "es"})
	if r = tm.as("7002", "Otro", commands.Request{Callback: press(r, "send:"), Language: "es"}); codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("second tip: %+v", r)
	}

	// The investigator takes the oldest tip, with decision buttons.
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "next"})
	if !strings.Contains(r[0].Text, en("next_claimed", nil)) || !strings.Contains(r[0].Text, "Cobran piso") || press(r, "tr:1:verified") == "" {
		t.Fatalf("next: %+v", r)
	}
	for _, leak := range []string{reporterID, "Rosa"} {
		if strings.Contains(r[0].Text, leak) {
			t.Fatalf("the investigator sees %q: %s", leak, r[0].Text)
		}
	}
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "queue"})
	if !strings.Contains(r[0].Text, "\n• 1 · "+tm.tagged("2002", "Ana Investigadora")+"\n") || !strings.Contains(r[0].Text, "Waiting: 1") {
		t.Fatalf("queue: %s", r[0].Text)
	}

	// She asks; the question reaches the reporter's chat in Spanish, unsigned.
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "ask", Args: "1 ¿Qué días pasan?"})
	if r[0].Text != en("ask_sent", nil) {
		t.Fatalf("ask: %+v", r)
	}
	q := tm.sent.sent[reporterID]
	if len(q) != 1 || !strings.Contains(q[0].Text, "¿Qué días pasan?") || strings.Contains(q[0].Text, "Ana") || press(q, "ans:1") == "" {
		t.Fatalf("question delivered: %+v", q)
	}
	if !strings.HasPrefix(q[0].Text, strings.Split(tm.msg.Localize("es", "question_to_reporter", map[string]any{"Date": "x", "Question": "y"}), "x")[0]) {
		t.Fatalf("question not in the reporter's language: %q", q[0].Text)
	}
	if q[0].Language != "es" { // for the demo's console: its lines are in the session's
		t.Fatalf("the question does not say it is in Spanish: %q", q[0].Language)
	}
	// The other reporter opted out: no question can reach them.
	if r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "ask", Args: "2 ¿Dónde?"}); r[0].Text != tm.msg.Localize("en", "ask_not_allowed", map[string]any{"ID": "2"}) {
		t.Fatalf("ask an opted-out reporter: %+v", r)
	}
	if len(tm.sent.sent["7002"]) != 0 {
		t.Fatal("a question reached a reporter who said no")
	}
	// The reporter sees the open question with /status, then answers by replying.
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Command: "status", Args: receipt, Language: "es"})
	if !strings.Contains(r[0].Text, "¿Qué días pasan?") {
		t.Fatalf("status with a question: %+v", r)
	}
	// A forged Answer button from someone else is refused.
	if r = tm.as("7002", "Otro", commands.Request{Callback: "ans:1", Language: "es"}); r[0].Text != tm.msg.Localize("es", "answer_none", nil) {
		t.Fatalf("forged answer button: %+v", r)
	}
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Text: "Los martes y viernes", ReplyToBot: true, ReplyToID: "m1", Language: "es"})
	if r[0].Text != tm.msg.Localize("es", "answer_done", nil) {
		t.Fatalf("answer: %+v", r)
	}
	notice := tm.sent.sent["2002"]
	if len(notice) != 1 || !strings.Contains(notice[0].Text, "Los martes y viernes") {
		t.Fatalf("claimer not notified: %+v", tm.sent.sent)
	}

	// Triage: verified with a priority and labels; a note; the history shows it all.
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "triage", Args: "1 verified high mercado cobro-de-piso"})
	if r[0].Text != tm.msg.Localize("en", "triage_done", map[string]any{"ID": "1", "Status": en("status_verified", nil)}) {
		t.Fatalf("triage: %+v", r)
	}
	tm.as("2002", "Ana Investigadora", commands.Request{Command: "note", Args: "1 Coincide con otro caso"})
	r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "tip", Args: "1"})
	for _, want := range []string{"mercado, cobro-de-piso", "¿Qué días pasan?", "Los martes y viernes", "Coincide con otro caso", "verified · high"} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("/tip 1 lacks %q:\n%s", want, r[0].Text)
		}
	}
	// The reporter sees the public status.
	r = tm.as(reporterID, "Rosa Reportera", commands.Request{Command: "status", Args: receipt, Language: "es"})
	if !strings.Contains(r[0].Text, strings.Split(tm.msg.Localize("es", "status_confirmed", map[string]any{"Age": "x"}), "x")[1]) {
		t.Fatalf("reporter status after verification: %+v", r)
	}
	// /forget: no more questions.
	tm.as(reporterID, "Rosa Reportera", commands.Request{Command: "forget", Args: receipt, Language: "es"})
	if r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "ask", Args: "1 ¿Algo más?"}); r[0].Text != tm.msg.Localize("en", "ask_not_allowed", map[string]any{"ID": "1"}) {
		t.Fatalf("ask after forget: %+v", r)
	}

	// Revoked: the investigator is refused like anyone else.
	tm.as(adminID, "Admin Ada", commands.Request{Command: "revoke", Args: "telegram:2002"})
	if r = tm.as("2002", "Ana Investigadora", commands.Request{Command: "next"}); r[0].Text != en("unknown_command", nil) {
		t.Fatalf("revoked investigator: %+v", r)
	}

	// Every team step is in the audit log, with its arguments; reporters
	// are not. A question's or note's text is not: it is in the tip's
	// history, and must go with the tip, where the audit log stays a year.
	r = tm.as(adminID, "Admin Ada", commands.Request{Command: "audit", Args: "50"})
	r[0].Text = unisolated(r[0].Text)
	for _, want := range []string{"/invite investigator", "/redeem investigator", "/next", "/queue", "/triage 1 verified high", "/tip 1", "/revoke telegram:2002", "Ana Investigadora",
		"/ask 1 " + tm.msg.Localize("en", "audit_text_withheld", nil, len([]rune("¿Qué días pasan?"))),
		"/note 1 " + tm.msg.Localize("en", "audit_text_withheld", nil, len([]rune("Coincide con otro caso")))} {
		if !strings.Contains(r[0].Text, want) {
			t.Errorf("audit lacks %q:\n%s", want, r[0].Text)
		}
	}
	if strings.Contains(r[0].Text, "Qué días") || strings.Contains(r[0].Text, "Coincide") {
		t.Errorf("audit holds the text of a question or note:\n%s", r[0].Text)
	}
	if strings.Contains(r[0].Text, "Rosa") || strings.Contains(r[0].Text, reporterID) || strings.Contains(r[0].Text, "Intruso") {
		t.Errorf("audit names a reporter or a failed stranger:\n%s", r[0].Text)
	}
	_ = ctx
}

func TestClaimExpiryReturnsTipAndReminds(t *testing.T) {
	tm := newTeam(t)
	if !tm.srv.Real {
		t.Skip("claim idle times come from a real redis-server")
	}
	ctx := context.Background()
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	code = codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2003", "Beto", commands.Request{Command: "redeem", Args: code})
	r := tm.as(reporterID, "R", commands.Request{Text: "algo"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	// Ana works in Spanish: her reminder comes in Spanish.
	if r = tm.as("2002", "Ana", commands.Request{Command: "next", Language: "es"}); !strings.Contains(r[0].Text, "algo") {
		t.Fatalf("next: %+v", r)
	}
	if r = tm.as("2003", "Beto", commands.Request{Command: "next"}); r[0].Text != tm.msg.Localize("en", "next_empty", nil) {
		t.Fatalf("a claimed tip was handed out again: %+v", r)
	}
	// Make the claim look 50 minutes old to Redis (its idle time is the
	// stream's own clock), and move the engine's clock along.
	c := tm.srv.Client()
	pend := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 10}).Val()
	c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (50 * time.Minute).Milliseconds())
	if err := tm.mux.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	if got := tm.sent.sent["2002"]; len(got) != 1 || got[0].Text != tm.msg.Localize("es", "remind_claim", map[string]any{"ID": "1", "Age": tm.msg.Localize("es", "age_minutes", nil, 50)}) {
		t.Fatalf("reminder: %+v", tm.sent.sent)
	}
	tm.mux.Remind(ctx)
	if len(tm.sent.sent["2002"]) != 1 {
		t.Fatal("reminded twice")
	}
	// Past the claim timeout (1 h), the tip goes back to the queue.
	c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (61 * time.Minute).Milliseconds())
	if r = tm.as("2003", "Beto", commands.Request{Command: "next"}); !strings.Contains(r[0].Text, "algo") {
		t.Fatalf("expired claim not returned: %+v", r)
	}
	// Beto is reminded of his claim; once it times out Ana takes it back
	// with /triage, and she is reminded of it in her turn.
	idle := func(d time.Duration) {
		pend := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 10}).Val()
		c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", d.Milliseconds(), "JUSTID")
	}
	idle(50 * time.Minute)
	tm.mux.Remind(ctx)
	if len(tm.sent.sent["2003"]) != 1 {
		t.Fatalf("Beto not reminded: %+v", tm.sent.sent)
	}
	idle(61 * time.Minute)
	if r = tm.as("2002", "Ana", commands.Request{Command: "triage", Args: "1 claimed"}); !strings.HasPrefix(r[0].Text, "Tip #1") {
		t.Fatalf("Ana takes the timed-out claim: %q", r[0].Text)
	}
	idle(50 * time.Minute)
	tm.mux.Remind(ctx)
	if len(tm.sent.sent["2002"]) != 2 {
		t.Fatalf("a claim taken with /triage is never reminded: %+v", tm.sent.sent["2002"])
	}
}

func TestUrgentAnnouncedButtonsAndTeam(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	r := tm.as(reporterID, "R", commands.Request{Text: "secuestro en curso"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	// Urgent and waiting for longer than UrgentAfter: announced once in the
	// investigator chats.
	tm.as("2002", "Ana", commands.Request{Command: "triage", Args: "1 new urgent"})
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	tm.mux.Remind(ctx)
	got := tm.sent.sent["-100777"]
	if len(got) != 1 || !strings.Contains(got[0].Text, "#1") {
		t.Fatalf("urgent announcement: %+v", tm.sent.sent)
	}
	// Decision buttons work for investigators only.
	if r = tm.as("2002", "Ana", commands.Request{Command: "next"}); !strings.Contains(r[0].Text, "secuestro") {
		t.Fatalf("next: %+v", r)
	}
	if r = tm.as(reporterID, "R", commands.Request{Callback: "tr:1:dismissed"}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "button_invalid", nil) {
		t.Fatalf("a reporter pressed a triage button: %+v", r)
	}
	r = tm.as("2002", "Ana", commands.Request{Callback: "tr:1:dismissed"})
	if !strings.Contains(r[0].Text, tm.msg.Localize("en", "status_dismissed", nil)) {
		t.Fatalf("dismiss button: %+v", r)
	}
	r = tm.as(reporterID, "R", commands.Request{Command: "recent"})
	if r[0].Text != tm.msg.Localize("en", "unknown_command", nil) {
		t.Fatalf("reporter: %+v", r)
	}
	r = tm.as(adminID, "Ada", commands.Request{Command: "team"})
	if !strings.Contains(r[0].Text, "Ana\u2069 · telegram:2002") || !strings.Contains(r[0].Text, "telegram:"+adminID) {
		t.Fatalf("team: %s", r[0].Text)
	}
	// Investigators cannot use admin commands.
	if r = tm.as("2002", "Ana", commands.Request{Command: "invite"}); r[0].Text != tm.msg.Localize("en", "unknown_command", nil) {
		t.Fatalf("investigator /invite: %+v", r)
	}
}

// Two questions to one reporter about two tips: a reply answers the tip of
// the question replied to, never the other; a reply to some other bot
// message is no answer at all.
func TestRepliesAnswerTheirOwnQuestion(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code})
	for _, text := range []string{"uno", "dos"} {
		r := tm.as(reporterID, "R", commands.Request{Text: text})
		draft := strings.Split(press(r, "send:"), ":")[1]
		tm.as(reporterID, "R", commands.Request{Callback: "fu:" + draft + ":1"})
		tm.as(reporterID, "R", commands.Request{Callback: "send:" + draft})
	}
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 ¿pregunta uno?"}) // message m1
	tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "2 ¿pregunta dos?"}) // message m2
	// A reply to another bot message starts a tip, it answers nothing.
	r := tm.as(reporterID, "R", commands.Request{Text: "otra cosa", ReplyToBot: true, ReplyToID: "m99"})
	if !strings.Contains(r[0].Text, tm.msg.Localize("en", "draft_started", nil)) {
		t.Fatalf("reply to an unrelated message: %+v", r)
	}
	tm.as(reporterID, "R", commands.Request{Command: "cancel"})
	tm.as(reporterID, "R", commands.Request{Text: "respuesta a uno", ReplyToBot: true, ReplyToID: "m1"})
	one := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "1"})[0].Text
	two := tm.as("2002", "Ana", commands.Request{Command: "tip", Args: "2"})[0].Text
	if !strings.Contains(one, "respuesta a uno") || strings.Contains(two, "respuesta a uno") {
		t.Fatalf("answer went to the wrong tip:\n#1 %s\n#2 %s", one, two)
	}
	if !strings.Contains(two, "¿pregunta dos?") {
		t.Fatalf("question two lost: %s", two)
	}
}

// A claimed tip is its claimer's (or an admin's) to change; revoking a
// member puts their claims back on the queue; without an audit entry no
// team action runs.
func TestClaimOwnershipRevokeAndAuditFailure(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
	}
	r := tm.as(reporterID, "R", commands.Request{Text: "algo"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	for _, args := range []string{"1 new", "1 claimed", "1 dismissed"} {
		r = tm.as("2003", "Beto", commands.Request{Command: "triage", Args: args})
		if !strings.HasPrefix(r[0].Text, "Tip #1 was claimed by "+tm.tagged("2002", "Ana")) {
			t.Fatalf("Beto /triage %s on Ana's claim: %+v", args, r)
		}
	}
	if r = tm.as("2003", "Beto", commands.Request{Callback: "tr:1:new"}); !strings.HasPrefix(r[0].Text, "Tip #1 was claimed by "+tm.tagged("2002", "Ana")) {
		t.Fatalf("Beto's button on Ana's claim: %+v", r)
	}
	// Revoking Ana returns her claim to the queue; Beto can take it.
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2002"})
	if r = tm.as("2003", "Beto", commands.Request{Command: "next"}); !strings.Contains(r[0].Text, "algo") {
		t.Fatalf("revoked member's claim not released: %+v", r)
	}
	// The audit log broken (wrong type): team actions are refused.
	tm.srv.Client().Del(ctx, "w:audit")
	tm.srv.Client().Set(ctx, "w:audit", "not a stream", 0)
	if r = tm.as("2003", "Beto", commands.Request{Command: "queue"}); strings.Contains(r[0].Text, "Waiting") {
		t.Fatalf("a team action ran without an audit entry: %+v", r)
	}
}

// Opening a tip again (escalating it, putting it back in the queue,
// claiming it; by command or button) does not shred it: a verified tip
// older than the retention, with its history, files, receipt and the way
// to reach its reporter, lives on as an open tip does, the retention from
// its reopening (its new queue entry lives that long). Closing it again
// gives it the documented time of that decision.
func TestOpeningATipNeverShortensItsLife(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	c := tm.srv.Client()
	r := tm.as(reporterID, "R", commands.Request{Text: "el alcalde cobra a los transportistas"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "R", commands.Request{FileData: []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64)), Attachment: &tips.Attachment{Kind: tips.Photo}})
	tm.as(reporterID, "R", commands.Request{Callback: "fu:" + draft + ":1"})
	receipt := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: "send:" + draft})[0].Text)
	records := []string{"w:{tips}:tip:1", "w:{tips}:log:1", "w:{tips}:route:1"}
	for _, pattern := range []string{"w:{tips}:receipt:*", "w:file:*"} {
		found, err := c.Keys(ctx, pattern).Result()
		if err != nil || len(found) != 1 {
			t.Fatalf("%s: %v %v", pattern, found, err)
		}
		records = append(records, found[0])
	}
	lives := func(step string, lo, hi time.Duration) {
		t.Helper()
		for _, k := range records {
			if ttl := c.PTTL(ctx, k).Val(); ttl < lo || ttl > hi {
				t.Errorf("after %s, %s lives %v, want %v to %v", step, k, ttl, lo, hi)
			}
		}
	}
	const day = 24 * time.Hour
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 verified"})
	lives("verified", 364*day, 365*day)
	for _, open := range []struct {
		name string
		req  commands.Request
	}{
		{"/triage 1 escalated", commands.Request{Command: "triage", Args: "1 escalated"}},
		{"/triage 1 new", commands.Request{Command: "triage", Args: "1 new"}},
		{"/triage 1 claimed", commands.Request{Command: "triage", Args: "1 claimed"}},
		{"the escalate button", commands.Request{Callback: "tr:1:escalated"}}, // on the claimed tip
	} {
		tm.clk.Add(100 * day) // older than the retention (90 days), long before the year runs out
		if r = tm.as(adminID, "Ada", open.req); len(r) == 0 || !strings.HasPrefix(r[0].Text, "Tip #1: ") {
			t.Fatalf("%s: %+v", open.name, r)
		}
		// Not shredded; as long as an open tip's queue entry lives (the
		// retention from now), not the verified year it had left.
		lives(open.name, 89*day, 90*day)
	}
	if r = tm.as(reporterID, "R", commands.Request{Command: "status", Args: receipt}); !strings.Contains(r[0].Text, "ago") {
		t.Errorf("the reporter's receipt after reopening: %q", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 dismissed"})
	lives("dismissed", 29*day, 30*day) // VIGIA_RETENTION_CLOSED, 30 days by default
}

// raceDecide runs before, once, as a decision reaches the store.
type raceDecide struct {
	commands.Store
	before func()
}

func (s *raceDecide) Decide(ctx context.Context, id string, by storage.Claimer, d storage.Decision) error {
	if f := s.before; f != nil {
		s.before = nil
		f()
	}
	return s.Store.Decide(ctx, id, by, d)
}

// A claim that lands while a decision is on its way is not overwritten:
// the decision is refused as if the claim had been there first.
func TestDecisionRacingAClaimIsRefused(t *testing.T) {
	rs := &raceDecide{}
	e := newHookedEnv(t, func(s commands.Store) commands.Store { rs.Store = s; return rs }, nil, func(o *commands.Options) {
		o.Roles = commands.Roles{"telegram:9001": commands.Investigator, "telegram:9002": commands.Investigator}
	})
	r := e.do(reporterID, commands.Request{Text: "algo pasa en la esquina"})
	e.do(reporterID, commands.Request{Callback: press(r, "send:")})
	var beto []commands.Reply
	rs.before = func() { beto = e.do("9002", commands.Request{Command: "next", Name: "Beto"}) }
	ana := e.do("9001", commands.Request{Command: "triage", Args: "1 dismissed", Name: "Ana"})
	if len(beto) == 0 || !strings.Contains(beto[0].Text, "algo pasa") {
		t.Fatalf("Beto's /next: %+v", beto)
	}
	if want := e.text("es", "decide_claimed", map[string]any{"ID": "1", "Who": e.tagged("9002", "Beto"), "Age": e.text("es", "age_under_minute", nil)}); ana[0].Text != want {
		t.Errorf("Ana's /triage 1 dismissed after Beto claimed #1: %q, want %q", ana[0].Text, want)
	}
	if tip, err := e.store.Tip(context.Background(), "1"); err != nil || tip.Status != tips.StatusClaimed || tip.ClaimedBy != "Beto" {
		t.Errorf("tip #1 after the race: %s claimed by %q (%v), want Beto's claim", tip.Status, tip.ClaimedBy, err)
	}
}

// A claim idle for the claim timeout is waiting in /queue, and no longer
// keeps others from deciding the tip, by command or button; a live claim
// still does.
func TestTimedOutClaimDoesNotBlockOthers(t *testing.T) {
	tm := newTeam(t)
	if !tm.srv.Real {
		t.Skip("claim idle times come from a real redis-server")
	}
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
	}
	r := tm.as(reporterID, "R", commands.Request{Text: "algo"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	claimedBy := func(who string) string {
		return en("decide_claimed", map[string]any{"ID": "1", "Who": who, "Age": tm.msg.Localize("en", "age_under_minute", nil)})
	}
	if r = tm.as("2003", "Beto", commands.Request{Command: "triage", Args: "1 claimed"}); r[0].Text != claimedBy(tm.tagged("2002", "Ana")) {
		t.Fatalf("Beto /triage 1 claimed on Ana's live claim: %q", r[0].Text)
	}
	if r = tm.as("2003", "Beto", commands.Request{Command: "tip", Args: "1"}); !strings.Contains(r[0].Text, "Claimed by "+tm.tagged("2002", "Ana")) || strings.Contains(r[0].Text, en("tip_claim_lapsed", nil)) {
		t.Fatalf("/tip with a live claim: %q", r[0].Text)
	}
	// Ana's claim untouched past the timeout (1 h), as Redis measures it.
	c := tm.srv.Client()
	pend := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 10}).Val()
	c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (61 * time.Minute).Milliseconds(), "JUSTID")
	if r = tm.as("2003", "Beto", commands.Request{Command: "queue"}); !strings.Contains(r[0].Text, "Waiting: 1") {
		t.Fatalf("/queue with a timed-out claim: %q", r[0].Text)
	}
	// /tip says so too, where it names the claim.
	if r = tm.as("2003", "Beto", commands.Request{Command: "tip", Args: "1"}); !strings.Contains(r[0].Text, "Claimed by "+tm.tagged("2002", "Ana")) || !strings.Contains(r[0].Text, en("tip_claim_lapsed", nil)) {
		t.Fatalf("/tip with a timed-out claim: %q", r[0].Text)
	}
	if r = tm.as("2003", "Beto", commands.Request{Command: "triage", Args: "1 claimed"}); r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_claimed", nil)}) {
		t.Fatalf("Beto /triage 1 claimed on Ana's timed-out claim: %q", r[0].Text)
	}
	// Now Beto's claim is the live one.
	if r = tm.as("2002", "Ana", commands.Request{Callback: "tr:1:dismissed"}); r[0].Text != claimedBy(tm.tagged("2003", "Beto")) {
		t.Fatalf("Ana's button on Beto's live claim: %q", r[0].Text)
	}
	pend = c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: "w:{tips}:triage", Group: storage.TriageGroup, Start: "-", End: "+", Count: 10}).Val()
	c.Do(ctx, "XCLAIM", "w:{tips}:triage", storage.TriageGroup, pend[0].Consumer, 0, pend[0].ID, "IDLE", (61 * time.Minute).Milliseconds(), "JUSTID")
	if r = tm.as("2002", "Ana", commands.Request{Callback: "tr:1:verified"}); r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_verified", nil)}) {
		t.Fatalf("Ana's button on Beto's timed-out claim: %q", r[0].Text)
	}
	if tip, err := tm.store.Tip(ctx, "1"); err != nil || tip.Status != tips.StatusVerified {
		t.Fatalf("tip #1: %s %v", tip.Status, err)
	}
}

// A decision button under a tip /next handed out acts while the tip is
// claimed, once: an old message's button does not undo a decision made
// since, a colleague's or the presser's own.
func TestOldTriageButtonsDoNotUndoADecision(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	for _, u := range []struct{ id, name string }{{"2002", "Ana"}, {"2003", "Beto"}} {
		code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
		tm.as(u.id, u.name, commands.Request{Command: "redeem", Args: code})
	}
	for _, text := range []string{"cobran piso en el mercado", "venden armas en la feria", "amenazan a un periodista"} {
		r := tm.as(reporterID, "R", commands.Request{Text: text})
		tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	}
	spent := func(id string, st tips.Status) string {
		return en("triage_button_spent", map[string]any{"ID": id, "Status": en("status_"+string(st), nil)})
	}
	status := func(id string) tips.Status {
		t.Helper()
		tip, err := tm.store.Tip(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return tip.Status
	}
	// Ana verifies #1, then presses Dismiss under the same message.
	if r := tm.as("2002", "Ana", commands.Request{Command: "next"}); press(r, "tr:1:verified") == "" {
		t.Fatalf("/next: %+v", r)
	}
	tm.as("2002", "Ana", commands.Request{Callback: "tr:1:verified"})
	if r := tm.as("2002", "Ana", commands.Request{Callback: "tr:1:dismissed"}); len(r) != 1 || r[0].Text != spent("1", tips.StatusVerified) {
		t.Fatalf("a second button on a decided tip: %+v", r)
	}
	// Ana releases #2 and Beto dismisses it; then Ana's old Verify, and
	// Release, change nothing.
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	if r := tm.as("2002", "Ana", commands.Request{Callback: "tr:2:new"}); r[0].Text != en("triage_done", map[string]any{"ID": "2", "Status": en("status_new", nil)}) {
		t.Fatalf("release: %q", r[0].Text)
	}
	if r := tm.as("2002", "Ana", commands.Request{Callback: "tr:2:verified"}); r[0].Text != spent("2", tips.StatusNew) {
		t.Fatalf("Verify after Release: %q", r[0].Text)
	}
	tm.as("2003", "Beto", commands.Request{Command: "next"})
	tm.as("2003", "Beto", commands.Request{Callback: "tr:2:dismissed"})
	for _, b := range []string{"tr:2:verified", "tr:2:new", "tr:2:escalated"} {
		if r := tm.as("2002", "Ana", commands.Request{Callback: b}); r[0].Text != spent("2", tips.StatusDismissed) {
			t.Fatalf("Ana's old %s after Beto's decision: %q", b, r[0].Text)
		}
	}
	if st := status("1"); st != tips.StatusVerified {
		t.Errorf("tip #1 is %s, want verified", st)
	}
	if st := status("2"); st != tips.StatusDismissed {
		t.Errorf("tip #2 is %s, want dismissed", st)
	}
	// /triage still changes a decided tip; an admin's button is spent too.
	if r := tm.as("2002", "Ana", commands.Request{Command: "triage", Args: "1 dismissed"}); r[0].Text != en("triage_done", map[string]any{"ID": "1", "Status": en("status_dismissed", nil)}) {
		t.Fatalf("/triage on a decided tip: %q", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Callback: "tr:1:verified"}); r[0].Text != spent("1", tips.StatusDismissed) {
		t.Fatalf("an admin's old button: %q", r[0].Text)
	}
	// An admin's old button, after a release and someone else's claim:
	// the button was for the earlier claim, it does nothing (the buttons
	// name the claim they were shown for).
	tm.as(reporterID, "R", commands.Request{Callback: press(tm.as(reporterID, "R", commands.Request{Text: "secuestran en la carretera"}), "send:")})
	r := tm.as(adminID, "Ada", commands.Request{Command: "next"}) // #3, the oldest waiting
	oldDismiss, oldRelease := press(r, "tr:3:dismissed"), press(r, "tr:3:new")
	if oldDismiss == "" || oldDismiss == "tr:3:dismissed" {
		t.Fatalf("buttons without their claim: %+v", r)
	}
	tm.as(adminID, "Ada", commands.Request{Callback: oldRelease})
	tm.clk.Add(time.Second) // a new claim, a later stamp
	tm.as("2003", "Beto", commands.Request{Command: "next"})
	if r := tm.as(adminID, "Ada", commands.Request{Callback: oldDismiss}); r[0].Text != spent("3", tips.StatusClaimed) {
		t.Fatalf("an admin's old button on a new claim: %q", r[0].Text)
	}
	if st := status("3"); st != tips.StatusClaimed {
		t.Fatalf("tip #3 is %s, want still claimed by Beto", st)
	}
	tm.as("2003", "Beto", commands.Request{Command: "triage", Args: "3 new"})
	// A tip still claimed: its button acts (#3 via Beto's /next).
	tm.as("2003", "Beto", commands.Request{Command: "next"})
	if r := tm.as("2003", "Beto", commands.Request{Callback: "tr:3:escalated"}); r[0].Text != en("triage_done", map[string]any{"ID": "3", "Status": en("status_escalated", nil)}) {
		t.Fatalf("escalate: %q", r[0].Text)
	}
	// Each language has the message.
	for _, lang := range []string{"es", "fr", "pt-BR"} {
		if m := tm.msg.Localize(lang, "triage_button_spent", map[string]any{"ID": "2", "Status": "x"}); m == spent("2", "x") || !strings.Contains(m, "/triage 2") {
			t.Errorf("%s: %q", lang, m)
		}
	}
}

// /next CATEGORY finds the oldest waiting tip of that category however
// many tips of other categories wait before it.
func TestNextCategoryLooksAtEveryOpenTip(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	const others = 2050 // more than one look at the queue used to read
	for i := range others {
		p := fmt.Sprintf("%064x", i+1)
		d, err := tm.store.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Part: tips.Part{Text: "otra cosa"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := tm.store.SetDraftCategory(ctx, p, d.ID, tips.Other); err != nil {
			t.Fatal(err)
		}
		if _, err := tm.store.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
			t.Fatal(err)
		}
	}
	r := tm.as(reporterID, "R", commands.Request{Text: "venden droga en la esquina"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "R", commands.Request{Callback: "cat:" + draft + ":" + string(tips.Drugs)})
	tm.as(reporterID, "R", commands.Request{Callback: "send:" + draft})
	id := fmt.Sprint(others + 1)

	r = tm.as(adminID, "Ada", commands.Request{Command: "next", Args: "drugs"})
	if !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "next_claimed", nil)) || !strings.Contains(r[0].Text, "venden droga") {
		t.Fatalf("/next drugs with %d other tips before it: %q", others, r[0].Text)
	}
	if tip, err := tm.store.Tip(ctx, id); err != nil || tip.Status != tips.StatusClaimed || tip.ClaimedBy != "Ada" {
		t.Fatalf("tip #%s: %s claimed by %q (%v)", id, tip.Status, tip.ClaimedBy, err)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "next", Args: "drugs"}); r[0].Text != tm.msg.Localize("en", "next_empty_category", map[string]any{"Category": tm.msg.Localize("en", "category_drugs", nil)}) {
		t.Fatalf("second /next drugs: %q", r[0].Text)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "queue"}); !strings.Contains(r[0].Text, fmt.Sprintf("Waiting: %d", others)) {
		t.Fatalf("/queue: %q", r[0].Text)
	}
}

// /queue counts, and the urgent-tip announcement sees, an open tip however
// many entries come before it in the queue (here those of tips that
// expired while waiting, which only /next clears).
func TestQueueAndAnnouncementsSeeEveryOpenTip(t *testing.T) {
	tm := newTeam(t)
	if !tm.srv.Real {
		// Pages of 500 pending entries take the embedded Redis longer
		// than a read may wait; CI runs this on a real redis-server.
		t.Skip("10,000 queue entries need a real redis-server")
	}
	ctx := context.Background()
	pipe := tm.srv.Client().Pipeline()
	for i := range 10050 {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "w:{tips}:triage", Values: []string{"id", fmt.Sprint(900000 + i)}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	r := tm.as(reporterID, "R", commands.Request{Text: "secuestro en curso"})
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 new urgent"})
	if r = tm.as(adminID, "Ada", commands.Request{Command: "queue"}); !strings.Contains(r[0].Text, "Waiting: 1") {
		t.Errorf("/queue: %q", r[0].Text)
	}
	tm.clk.Add(6 * time.Minute)
	if err := tm.mux.Remind(ctx); err != nil {
		t.Fatal(err)
	}
	want := tm.msg.Localize("en", "announce_urgent", map[string]any{"ID": "1", "Age": tm.msg.Localize("en", "age_minutes", nil, 6)})
	if got := tm.sent.sent[invChat]; len(got) != 1 || got[0].Text != want {
		t.Errorf("urgent announcement: %+v, want %q", got, want)
	}
}

// Investigators name a category for /next as they read it, in their own
// language ("drogas", "trata", "Persona desaparecida"); anything else gets
// the categories listed, not another command's usage.
func TestNextTakesCategoryNamesInEveryLanguage(t *testing.T) {
	tm := newTeam(t)
	send := func(text string, cat tips.Category) {
		r := tm.as(reporterID, "R", commands.Request{Text: text})
		draft := strings.Split(press(r, "send:"), ":")[1]
		tm.as(reporterID, "R", commands.Request{Callback: "cat:" + draft + ":" + string(cat)})
		tm.as(reporterID, "R", commands.Request{Callback: "send:" + draft})
	}
	send("venden droga en la esquina", tips.Drugs)
	send("se llevaron a mi hermano", tips.Missing)
	send("obligan a muchachas a trabajar", tips.Trafficking)
	for arg, want := range map[string]string{"Drogas": "venden droga", "desaparecida": "se llevaron", "TRATA": "obligan a muchachas"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "next", Args: arg, Language: "es"})
		if !strings.Contains(r[0].Text, want) {
			t.Fatalf("/next %s: %q", arg, r[0].Text)
		}
	}
	for _, bad := range []string{"bogus", "5", "de", "drugs extra"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "next", Args: bad, Language: "es"})
		if !strings.HasPrefix(r[0].Text, strings.Split(tm.msg.Localize("es", "next_usage", nil), ":")[0]) || !strings.Contains(r[0].Text, "Trata de personas") {
			t.Fatalf("/next %s: %q", bad, r[0].Text)
		}
	}
}

// A note or question over the limit is refused as too long, saying the
// limit, not with the usage (which reads as if the command were mistyped).
func TestNoteTooLongSaysSo(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	long := strings.Repeat("á", 2001)
	for _, cmd := range []string{"note", "ask"} {
		r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: "1 " + long})
		if want := tm.msg.Localize("en", "text_too_long", map[string]any{"Max": 2000}); r[0].Text != want {
			t.Fatalf("long /%s: %q", cmd, r[0].Text)
		}
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"}); strings.Contains(r[0].Text, "ááá") {
		t.Fatal("the long note or question was saved")
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "note", Args: "1 " + long[:2*2000]}); r[0].Text != tm.msg.Localize("en", "note_done", map[string]any{"ID": "1"}) {
		t.Fatalf("note of 2,000 characters: %q", r[0].Text)
	}
}

// A note or question typed on the line after the tip number is that tip's
// note or question, and its text stays out of the audit log as when a
// space separates them.
func TestTextAfterALineBreak(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	if r := tm.as(adminID, "Ada", commands.Request{Command: "note", Args: "1\nInformante_vive_en_calle_Sur_12"}); r[0].Text != tm.msg.Localize("en", "note_done", map[string]any{"ID": "1"}) {
		t.Fatalf("/note 1⏎text: %q", r[0].Text)
	}
	if r := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "1"}); !strings.Contains(r[0].Text, "Informante_vive_en_calle_Sur_12") {
		t.Fatalf("the note is not in the history: %q", r[0].Text)
	}
	tm.as(adminID, "Ada", commands.Request{Command: "ask", Args: "1\n¿Usted_es_el_sobrino_de_Pedro?"})
	r := tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "10"})
	r[0].Text = unisolated(r[0].Text)
	if strings.Contains(r[0].Text, "Informante") || strings.Contains(r[0].Text, "sobrino") {
		t.Fatalf("the audit log holds the text:\n%s", r[0].Text)
	}
	if !strings.Contains(r[0].Text, "/note 1 "+tm.msg.Localize("en", "audit_text_withheld", nil, len("Informante_vive_en_calle_Sur_12"))) {
		t.Fatalf("the audit log lacks the note:\n%s", r[0].Text)
	}
}

// An investigator may type a decision in their own language: statuses,
// priorities and categories by their names in any language Vigía speaks
// (several words whole), what follows them kept as labels; a near miss
// is refused with the usage, which lists the names, and changes nothing.
func TestTriageTakesNamesInEveryLanguage(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		tm.report("7001", fmt.Sprintf("cobran piso en el mercado %d", i), tips.Extortion)
	}
	cases := []struct {
		id, args string
		status   tips.Status
		prio     tips.Priority
		cat      tips.Category
		labels   []string
	}{
		{"1", "verificada alta drogas mercado", tips.StatusVerified, tips.High, tips.Drugs, []string{"mercado"}},
		{"2", "Classé sans suite URGENTE", tips.StatusDismissed, tips.Urgent, tips.Extortion, nil},
		{"3", "duplicada 1 baixa", tips.StatusDuplicate, tips.Low, tips.Extortion, nil},
		{"4", "pris-en-charge drugs high x", tips.StatusClaimed, tips.High, tips.Drugs, []string{"x"}},
	}
	for _, c := range cases {
		r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: c.id + " " + c.args, Language: "es"})
		want := tm.msg.Localize("es", "triage_done", map[string]any{"ID": c.id, "Status": tm.msg.Localize("es", "status_"+string(c.status), nil)})
		if r[0].Text != want {
			t.Fatalf("/triage %s %s: %q", c.id, c.args, r[0].Text)
		}
		tip, err := tm.store.Tip(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if tip.Status != c.status || tip.Priority != c.prio || tip.Category != c.cat || fmt.Sprint(tip.Labels) != fmt.Sprint(c.labels) {
			t.Fatalf("/triage %s %s: %s %s %s %q", c.id, c.args, tip.Status, tip.Priority, tip.Category, tip.Labels)
		}
	}
	before, _ := tm.store.Tip(ctx, "1")
	// A word not understood: the usage says what is taken (too many
	// labels, or one too long: TestTriageNamesTheLabelLimitPassed).
	for _, bad := range []string{"verificado", "pris", "bogus alta",
		"verificada alta alta", "verificada alta baja"} { // two priorities: not one of them as a label
		r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: "1 " + bad, Language: "es"})
		if !strings.HasSuffix(r[0].Text, tm.msg.Localize("es", "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40})) || !strings.Contains(r[0].Text, "verificada") ||
			!strings.Contains(r[0].Text, "Como máximo 10 etiquetas, de hasta 40 caracteres") {
			t.Fatalf("/triage 1 %s: %q", bad, r[0].Text)
		}
	}
	if after, _ := tm.store.Tip(ctx, "1"); after.Status != before.Status || after.Priority != before.Priority {
		t.Fatalf("a refused decision changed the tip: %s %s", after.Status, after.Priority)
	}
}

// Revoking an admin voids the invitations they made and nobody used yet:
// otherwise a revoked admin could come straight back with a code kept for
// the purpose, or let in whoever they gave one to.
func TestRevokedAdminsInvitationsAreVoid(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	invite := func(who, name, args string) string {
		t.Helper()
		code := codeRE.FindString(tm.as(who, name, commands.Request{Command: "invite", Args: args})[0].Text)
		if code == "" {
			t.Fatalf("%s could not invite", name)
		}
		return code
	}
	redeemed := func(who, name, code, role string) bool {
		t.Helper()
		r := tm.as(who, name, commands.Request{Command: "redeem", Args: code})
		switch r[0].Text {
		case en("redeem_ok", map[string]any{"Role": en("role_"+role, nil)}):
			return true
		case en("redeem_bad", nil):
			return false
		}
		t.Fatalf("redeem: %q", r[0].Text)
		return false
	}
	if !redeemed("2002", "Mallory", invite(adminID, "Ada", "admin"), "admin") {
		t.Fatal("a configured admin's invitation refused")
	}
	// An admin by invitation invites while on the team.
	if !redeemed("2003", "Beto", invite("2002", "Mallory", ""), "investigator") {
		t.Fatal("an admin's invitation refused")
	}
	back, friend := invite("2002", "Mallory", "admin"), invite("2002", "Mallory", "")
	if r := tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2002"}); !strings.Contains(r[0].Text, "telegram:2002") {
		t.Fatalf("revoke: %q", r[0].Text)
	}
	if redeemed("2002", "Mallory", back, "admin") {
		t.Error("a revoked admin came back with their own code")
	}
	if redeemed("2004", "Eve", friend, "investigator") {
		t.Error("a revoked admin's invitation let someone in")
	}
	team := tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text
	if strings.Contains(team, "Mallory") || strings.Contains(team, "Eve") || !strings.Contains(team, "Beto") {
		t.Errorf("/team after the revocation: %s", team)
	}
	// The investigator Mallory let in stays (revoking one member is not
	// revoking those they brought in); a new code from Ada still works.
	if !redeemed("2004", "Eve", invite(adminID, "Ada", ""), "investigator") {
		t.Error("a configured admin's invitation refused after a revocation")
	}
}

// Each audit entry is one line: a line break typed in a command's
// arguments cannot start what reads as another member's entry. And
// /audit N shows N entries before itself.
func TestAuditEntriesCannotBeForged(t *testing.T) {
	tm := newTeam(t)
	code := codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite"})[0].Text)
	tm.as("2002", "Mallory", commands.Request{Command: "redeem", Args: code})
	forged := "extorsion\n2026-12-03 21:26:35 · telegram:2003 Beto · /tip 1\u20282026-12-03 21:26:36 · telegram:2003 Beto · /tip 2"
	tm.as("2002", "Mallory", commands.Request{Command: "search", Args: forged})
	tm.as("2002", "Mallory", commands.Request{Command: "recent", Args: strings.Repeat("x", 5000)})
	r := tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "2"})
	r[0].Text = unisolated(r[0].Text)
	lines := strings.Split(r[0].Text, "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "/recent") || !strings.Contains(lines[1], "/search extorsion⏎") || strings.Contains(r[0].Text, "\u2028") {
		t.Fatalf("/audit 2:\n%s", r[0].Text)
	}
	if n := len([]rune(lines[0])); n > 300 {
		t.Errorf("a 5,000-character argument shown in %d characters", n)
	}
	if r = tm.as(adminID, "Ada", commands.Request{Command: "audit", Args: "1"}); !strings.Contains(unisolated(r[0].Text), "/audit 2") || strings.Contains(unisolated(r[0].Text), "/audit 1") {
		t.Errorf("/audit 1: %q", r[0].Text)
	}
}

// /team lists the configured members in the same order every time.
func TestTeamListIsStable(t *testing.T) {
	e, _ := newEngine(t, "s", &recorder{}, commands.Options{Roles: commands.Roles{
		"telegram:" + adminID: commands.Admin, "telegram:3": commands.Investigator, "discord:2": commands.Investigator,
		"telegram:4": commands.Investigator, "discord:9": commands.Admin, "telegram:5": commands.Investigator,
	}})
	first := e.do(adminID, commands.Request{Command: "team", UserChat: adminID})[0].Text
	if i, j := strings.Index(first, "discord:2"), strings.Index(first, "telegram:5"); i < 0 || j < 0 || i > j {
		t.Fatalf("/team:\n%s", first)
	}
	for range 10 {
		if again := e.do(adminID, commands.Request{Command: "team", UserChat: adminID})[0].Text; again != first {
			t.Fatalf("/team changed order:\n%s\n---\n%s", first, again)
		}
	}
}

// A member given a code for a role they already have (or a lower one)
// is told so, and the code stays unused for whoever it was meant for: it
// was spent, and listed them twice in /team. A code for a higher role
// still promotes.
func TestRedeemByAMemberKeepsTheCode(t *testing.T) {
	tm := newTeam(t)
	en := func(id string, data map[string]any) string { return tm.msg.Localize("en", id, data) }
	invite := func(args string) string {
		return codeRE.FindString(tm.as(adminID, "Ada", commands.Request{Command: "invite", Args: args})[0].Text)
	}
	code := invite("")
	if r := tm.as(adminID, "Ada", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_already", map[string]any{"Role": en("role_admin", nil)}) {
		t.Fatalf("a configured admin redeeming: %q", r[0].Text)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: code}); r[0].Text != en("redeem_ok", map[string]any{"Role": en("role_investigator", nil)}) {
		t.Fatalf("the code after an admin tried it: %q", r[0].Text)
	}
	again := invite("")
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: again}); r[0].Text != en("redeem_already", map[string]any{"Role": en("role_investigator", nil)}) {
		t.Fatalf("an investigator redeeming an investigator's code: %q", r[0].Text)
	}
	if team := tm.as(adminID, "Ada", commands.Request{Command: "team"})[0].Text; strings.Count(team, "Ana") != 1 {
		t.Fatalf("/team:\n%s", team)
	}
	// A void code (its admin revoked since) is not said to "still work".
	tm.as("2005", "Mallory", commands.Request{Command: "redeem", Args: invite("admin")})
	void := codeRE.FindString(tm.as("2005", "Mallory", commands.Request{Command: "invite"})[0].Text)
	tm.as(adminID, "Ada", commands.Request{Command: "revoke", Args: "telegram:2005"})
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: void}); r[0].Text != en("redeem_bad", nil) {
		t.Fatalf("a member given a void code: %q", r[0].Text)
	}
	if r := tm.as("2002", "Ana", commands.Request{Command: "redeem", Args: invite("admin")}); r[0].Text != en("redeem_ok", map[string]any{"Role": en("role_admin", nil)}) {
		t.Fatalf("an investigator given an admin's code: %q", r[0].Text)
	}
}

// /triage names each thing that takes one value once: a second original
// after duplicate-of ("/triage 2 duplicate 1 1"), as a second priority
// already was, a second category, or a second status ("verified
// dismissed", "verified duplicate-of 1"), gets the usage, in the user's
// language, and nothing is decided; none is kept as a label. A number
// stays a label where no original is named ("verified 2024").
// Mutation: the second-original check dropped → "/triage 2 duplicate 1 1"
// marks #2 with a label "1", test fails; the second-category check
// dropped → "verified drugs weapons" labels #2 "weapons", test fails;
// the second-status check dropped → "verified dismissed" labels #2
// "dismissed", test fails.
func TestTriageNamesEachValueOnce(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		tm.report("7001", fmt.Sprintf("cobran piso en el mercado %d", i), tips.Extortion)
	}
	for _, c := range []struct{ lang, args string }{
		{"en", "2 duplicate 1 1"}, {"en", "2 duplicate-of 1 3"}, {"es", "2 duplicada 1 alta #3"}, {"fr", "2 doublon 1 urgent mercado 3"},
		{"pt-BR", "2 duplicate 1 ３"}, {"en", "2 verified drugs weapons"}, {"es", "2 verificada alta drogas armas"},
		{"en", "2 verified dismissed"}, {"fr", "2 vérifié classé sans suite"}, {"en", "2 verified duplicate-of 1"},
		{"pt-BR", "2 descartada alta verificada"}, {"es", "2 escalada drogas nueva"},
	} {
		r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: c.args, Language: c.lang})
		if want := tm.msg.Localize(c.lang, "triage_usage", map[string]any{"MaxLabels": 10, "LabelLen": 40}); len(r) != 1 || !strings.HasSuffix(r[0].Text, want) {
			t.Errorf("/triage %s in %s answered %+v, want the usage", c.args, c.lang, r)
		}
		if tip, err := tm.store.Tip(ctx, "2"); err != nil || tip.Status == tips.StatusDuplicate || tip.Status == tips.StatusVerified || len(tip.Labels) != 0 || tip.Category != tips.Extortion {
			t.Fatalf("/triage %s changed #2: %s %q %s %v", c.args, tip.Status, tip.Labels, tip.Category, err)
		}
	}
	for args, labels := range map[string]string{"2 duplicate 1 high mercado": "[mercado]", "3 verified drugs 2024": "[2024]"} {
		id := args[:1]
		if r := tm.as(adminID, "Ada", commands.Request{Command: "triage", Args: args}); !strings.HasPrefix(r[0].Text, "Tip #"+id+": ") {
			t.Fatalf("/triage %s: %q", args, r[0].Text)
		}
		if tip, _ := tm.store.Tip(ctx, id); fmt.Sprint(tip.Labels) != labels {
			t.Errorf("/triage %s: labels %q, want %s", args, tip.Labels, labels)
		}
	}
}
