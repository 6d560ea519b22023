package commands_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// platform is a recording Sender that can also delete messages and wipe
// chats, like the Telegram adapter.
type platform struct {
	*recorder
	mu      sync.Mutex
	deleted []string // "chat/message"
	wiped   []string // "chat/upTo"
	fail    bool
	closed  bool // direct messages refused: Send says the destination is gone
}

func (p *platform) Send(ctx context.Context, chatID string, rep commands.Reply) ([]string, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("send: %w", commands.ErrDestinationGone)
	}
	return p.recorder.Send(ctx, chatID, rep)
}

func (p *platform) DeleteMessage(_ context.Context, chatID, messageID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deleted = append(p.deleted, chatID+"/"+messageID)
	return nil
}

func (p *platform) WipeChat(_ context.Context, chatID, upTo string) (commands.WipeResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return commands.WipeResult{}, context.DeadlineExceeded
	}
	p.wiped = append(p.wiped, chatID+"/"+upTo)
	return commands.WipeResult{}, nil
}

func (p *platform) took() (deleted, wiped []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.deleted...), append([]string(nil), p.wiped...)
}

// newGuarded is a Mux whose team must give a second factor.
func newGuarded(t *testing.T) (*env, *platform, *redistest.Server) {
	t.Helper()
	p := &platform{recorder: &recorder{}}
	e, srv := newEngine(t, "g", p, commands.Options{
		Roles:             commands.Roles{"telegram:" + adminID: commands.Admin, "telegram:" + investigatorID: commands.Investigator},
		InvestigatorChats: []string{"telegram:" + invChat},
		SecondFactor:      commands.SecondFactor{Required: true, UnlockFor: 12 * time.Hour, ShowSecretFor: 2 * time.Minute},
	})
	return e, p, srv
}

var secretRE = regexp.MustCompile(`(?m)^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$`)

func TestSecondFactor(t *testing.T) {
	e, p, _ := newGuarded(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return e.msg.Localize("en", id, data) }
	inv := func(req commands.Request) []commands.Reply {
		req.UserChat = investigatorID
		return e.do(investigatorID, req)
	}
	code := func(secret string, at time.Time) string {
		c, err := totp.GenerateCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Vetted but locked: team commands and buttons answer "locked" and show nothing.
	e.do(reporterID, commands.Request{Callback: press(e.do(reporterID, commands.Request{Text: "Extorsión en la tienda de la esquina"}), "send:")})
	if r := inv(commands.Request{Command: "recent"}); len(r) != 1 || r[0].Text != en("locked", nil) {
		t.Fatalf("locked /recent: %+v", r)
	}
	if r := inv(commands.Request{Callback: "tr:1:verified"}); len(r) != 1 || r[0].Text != en("locked", nil) {
		t.Fatalf("locked triage button: %+v", r)
	}
	if r := inv(commands.Request{Command: "unlock", Args: "123456"}); r[0].Text != en("unlock_not_enrolled", nil) {
		t.Fatalf("unlock before enrolling: %+v", r)
	}

	// Enrolment: the secret goes to the member's private chat, protected,
	// and is deleted after two minutes.
	if r := inv(commands.Request{Command: "enroll"}); len(r) != 0 {
		t.Fatalf("enroll in the private chat needs no second answer: %+v", r)
	}
	sent := p.sent[investigatorID]
	if len(sent) != 1 || !sent[0].Protected {
		t.Fatalf("enrolment message: %+v", sent)
	}
	secret := strings.ReplaceAll(secretRE.FindString(sent[0].Text), " ", "")
	if len(secret) != 32 {
		t.Fatalf("no secret in %q", sent[0].Text)
	}
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := p.took(); len(d) != 0 {
		t.Fatalf("secret deleted too early: %v", d)
	}
	e.clk.Add(2*time.Minute + time.Second)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if d, _ := p.took(); len(d) != 1 || d[0] != investigatorID+"/m1" {
		t.Fatalf("secret message not deleted once: %v", d)
	}

	// A wrong code, then the right one: unlocked; the same code cannot be replayed.
	if r := inv(commands.Request{Command: "unlock", Args: "000000"}); r[0].Text != en("unlock_wrong", nil) {
		t.Fatalf("wrong code: %+v", r)
	}
	good := code(secret, e.clk.Now())
	if r := inv(commands.Request{Command: "unlock", Args: good}); r[0].Text != en("unlocked", map[string]any{"Period": "12 hours"}) {
		t.Fatalf("good code: %+v", r)
	}
	if r := inv(commands.Request{Command: "recent"}); strings.Contains(r[0].Text, en("locked", nil)) || !strings.Contains(r[0].Text, "#1") {
		t.Fatalf("unlocked /recent: %+v", r)
	}
	inv(commands.Request{Command: "lock"})
	if r := inv(commands.Request{Command: "recent"}); r[0].Text != en("locked", nil) {
		t.Fatalf("after /lock: %+v", r)
	}
	if r := inv(commands.Request{Command: "unlock", Args: good}); r[0].Text != en("unlock_used", nil) {
		t.Fatalf("replayed code: %+v", r)
	}

	// The next code unlocks for 12 hours, not more.
	e.clk.Add(30 * time.Second)
	inv(commands.Request{Command: "unlock", Args: code(secret, e.clk.Now())})
	e.clk.Add(11 * time.Hour)
	if r := inv(commands.Request{Command: "recent"}); r[0].Text == en("locked", nil) {
		t.Fatalf("locked again after 11 h: %+v", r)
	}
	e.clk.Add(time.Hour + time.Second)
	if r := inv(commands.Request{Command: "recent"}); r[0].Text != en("locked", nil) {
		t.Fatalf("still unlocked after 12 h: %+v", r)
	}

	// Replacing the secret needs a code from the current one.
	if r := inv(commands.Request{Command: "enroll"}); r[0].Text != en("enroll_usage", nil) {
		t.Fatalf("re-enrol without a code: %+v", r)
	}
	if len(p.sent[investigatorID]) != 1 {
		t.Fatal("a new secret was sent without a code")
	}

	// Replaced with a code from the current one, the new secret is guarded
	// at once: until the member's first code from it, a bare /enroll (a
	// stolen unlocked phone) still cannot replace it; a code from it can.
	e.clk.Add(30 * time.Second)
	inv(commands.Request{Command: "enroll", Args: code(secret, e.clk.Now())})
	if len(p.sent[investigatorID]) != 2 {
		t.Fatalf("no new secret after a code: %+v", p.sent[investigatorID])
	}
	replaced := strings.ReplaceAll(secretRE.FindString(p.sent[investigatorID][1].Text), " ", "")
	if r := inv(commands.Request{Command: "enroll"}); len(r) != 1 || r[0].Text != en("enroll_usage", nil) || len(p.sent[investigatorID]) != 2 {
		t.Fatalf("bare /enroll after a replacement: %+v", r)
	}
	if r := inv(commands.Request{Command: "recent"}); r[0].Text != en("locked", nil) {
		t.Fatalf("unlocked by the replacement: %+v", r)
	}
	inv(commands.Request{Command: "enroll", Args: code(replaced, e.clk.Now())})
	if len(p.sent[investigatorID]) != 3 {
		t.Fatal("a code from the new secret did not replace it")
	}
	secret = strings.ReplaceAll(secretRE.FindString(p.sent[investigatorID][2].Text), " ", "")

	// Right codes do not run down the attempts (locking and unlocking a
	// few times shut a member out), nor does what is not six digits.
	for range 6 {
		e.clk.Add(30 * time.Second)
		inv(commands.Request{Command: "lock"})
		for _, bad := range []string{"abc", "12345"} {
			if r := inv(commands.Request{Command: "unlock", Args: bad}); r[0].Text != en("unlock_usage", nil) {
				t.Fatalf("/unlock %s: %+v", bad, r)
			}
		}
		if r := inv(commands.Request{Command: "unlock", Args: code(secret, e.clk.Now())}); r[0].Text != en("unlocked", map[string]any{"Period": "12 hours"}) {
			t.Fatalf("lock and unlock again: %+v", r)
		}
	}

	// Wrong codes are limited: after 5 attempts even the right code is refused.
	e.clk.Add(30 * time.Second)
	for range 5 {
		inv(commands.Request{Command: "unlock", Args: "111111"})
	}
	if r := inv(commands.Request{Command: "unlock", Args: code(secret, e.clk.Now())}); r[0].Text != en("unlock_too_many", nil) {
		t.Fatalf("6th attempt: %+v", r)
	}

	// Nothing secret reaches the audit log or the logs.
	admin := func(req commands.Request) []commands.Reply { req.UserChat = adminID; return e.do(adminID, req) }
	admin(commands.Request{Command: "enroll"})
	adminSecret := strings.ReplaceAll(secretRE.FindString(p.sent[adminID][0].Text), " ", "")
	admin(commands.Request{Command: "unlock", Args: code(adminSecret, e.clk.Now())})
	r := admin(commands.Request{Command: "audit", Args: "50"})
	if !strings.Contains(r[0].Text, "/unlock "+en("audit_code_withheld", nil)) || strings.Contains(r[0].Text, good) {
		t.Fatalf("audit should record /unlock without its code:\n%s", r[0].Text)
	}
	for _, s := range []string{secret, adminSecret, good} {
		if strings.Contains(e.logs.String(), s) {
			t.Fatalf("logs hold a secret or code")
		}
	}
}

// A new key that cannot reach the member (direct messages closed: on
// Discord, /enroll in a server sends the key by DM) is not stored: the
// member is told why, and the key they have still unlocks and still
// guards a later /enroll. Storing it first locked them out (neither
// /unlock nor /enroll without an admin's reset-2fa).
// Mutation: Enroll stored before the Send → /unlock with the old key
// answers unlock_wrong.
func TestEnrollWithClosedDirectMessagesKeepsTheKey(t *testing.T) {
	e, p, _ := newGuarded(t)
	en := func(id string) string { return e.msg.Localize("en", id, nil) }
	inv := func(req commands.Request) []commands.Reply {
		req.UserChat = investigatorID
		return e.do(investigatorID, req)
	}
	code := func(secret string) string {
		e.clk.Add(30 * time.Second)
		c, err := totp.GenerateCode(secret, e.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	inv(commands.Request{Command: "enroll"})
	secret := strings.ReplaceAll(secretRE.FindString(p.sent[investigatorID][0].Text), " ", "")
	if r := inv(commands.Request{Command: "unlock", Args: code(secret)}); r[0].Text != e.msg.Localize("en", "unlocked", map[string]any{"Period": "12 hours"}) {
		t.Fatalf("unlock: %+v", r)
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	if r := inv(commands.Request{Command: "enroll", Args: code(secret)}); len(r) != 1 || r[0].Text != en("enroll_dm_closed") {
		t.Fatalf("/enroll with direct messages closed: %+v", r)
	}
	inv(commands.Request{Command: "lock"})
	if r := inv(commands.Request{Command: "unlock", Args: code(secret)}); r[0].Text != e.msg.Localize("en", "unlocked", map[string]any{"Period": "12 hours"}) {
		t.Fatalf("the key the member has, after a new one failed to reach them: %+v", r)
	}
	p.mu.Lock()
	p.closed = false
	p.mu.Unlock()
	if r := inv(commands.Request{Command: "enroll"}); r[0].Text != en("enroll_usage") {
		t.Fatalf("bare /enroll after the failed one: %+v", r)
	}
	inv(commands.Request{Command: "enroll", Args: code(secret)})
	if n := len(p.sent[investigatorID]); n != 2 {
		t.Fatalf("%d keys sent, want the first and the replacement", n)
	}
}

func TestRevokedMemberLosesSecondFactor(t *testing.T) {
	e, p, _ := newGuarded(t)
	admin := func(req commands.Request) []commands.Reply { req.UserChat = adminID; return e.do(adminID, req) }
	admin(commands.Request{Command: "enroll"})
	secret := strings.ReplaceAll(secretRE.FindString(p.sent[adminID][0].Text), " ", "")
	c, _ := totp.GenerateCode(secret, e.clk.Now())
	admin(commands.Request{Command: "unlock", Args: c})
	invite := admin(commands.Request{Command: "invite", Args: "investigator"})
	code := codeRE.FindString(invite[0].Text)
	e.do("3003", commands.Request{Command: "redeem", Args: code, UserChat: "3003"})
	e.do("3003", commands.Request{Command: "enroll", UserChat: "3003"})
	s2 := strings.ReplaceAll(secretRE.FindString(p.sent["3003"][0].Text), " ", "")
	c2, _ := totp.GenerateCode(s2, e.clk.Now())
	if r := e.do("3003", commands.Request{Command: "unlock", Args: c2, UserChat: "3003"}); !strings.Contains(r[0].Text, "Unlocked") {
		t.Fatalf("member unlock: %+v", r)
	}
	pseudonym := e.store.Pseudonym("telegram", "3003")
	if r := admin(commands.Request{Command: "revoke", Args: "telegram:3003"}); !strings.Contains(r[0].Text, "telegram:3003") {
		t.Fatalf("revoke: %+v", r)
	}
	if _, err := e.store.SecondFactor(context.Background(), pseudonym); err != storage.ErrNotFound {
		t.Fatalf("second factor kept after revocation: %v", err)
	}
}

// wiperID is a reporter whose id cannot appear in Redis by chance.
const wiperID = "8837261"

func TestChatWipe(t *testing.T) {
	e, p, srv := newGuarded(t)
	ctx := context.Background()
	en := func(id string, data map[string]any) string { return e.msg.Localize("en", id, data) }
	rep := func(req commands.Request) []commands.Reply {
		req.UserChat, req.Language = wiperID, "en"
		return e.do(wiperID, req)
	}
	r := rep(commands.Request{Callback: press(rep(commands.Request{Text: "Venden armas en el taller", MessageID: "40"}), "send:"), MessageID: "42"})
	// After sending, the reporter is offered a wipe now, in 1 h or in 24 h.
	if press(r, "wipe:0") == "" || press(r, "wipe:60") == "" || press(r, "wipe:1440") == "" {
		t.Fatalf("no wipe buttons after sending: %+v", r)
	}
	if !strings.Contains(r[len(r)-1].Text, "/forget") {
		t.Fatalf("/forget is not offered: %q", r[len(r)-1].Text)
	}

	// Now: the chat is wiped from the button's message, and nothing is said after.
	if r := rep(commands.Request{Callback: "wipe:0", MessageID: "44"}); len(r) != 0 {
		t.Fatalf("a wipe leaves a message behind: %+v", r)
	}
	if _, w := p.took(); len(w) != 1 || w[0] != wiperID+"/44" {
		t.Fatalf("wipe now: %v", w)
	}

	// Later: scheduled, done when due, once.
	if r := rep(commands.Request{Command: "wipe", Args: "2h", MessageID: "50"}); len(r) != 1 || !strings.Contains(r[0].Text, "2") {
		t.Fatalf("/wipe 2h: %+v", r)
	}
	e.clk.Add(time.Hour)
	if err := e.mux.RunWipes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, w := p.took(); len(w) != 1 {
		t.Fatalf("wiped before the delay: %v", w)
	}
	e.clk.Add(time.Hour + time.Second)
	for range 2 {
		if err := e.mux.RunWipes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, w := p.took(); len(w) != 2 || w[1] != wiperID+"/50" {
		t.Fatalf("delayed wipe: %v", w)
	}

	// A failed wipe is said; bad delays and forged buttons change nothing.
	p.fail = true
	if r := rep(commands.Request{Command: "wipe", MessageID: "60"}); r[0].Text != en("wipe_failed", nil) {
		t.Fatalf("failed wipe: %+v", r)
	}
	p.fail = false
	// Delays are whole minutes: "30s" was scheduled and announced as "1 minute".
	for _, bad := range []string{"3d", "-1h", "soon", "25h", "1.5h", "30s", "500ms", "1m30s"} {
		if r := rep(commands.Request{Command: "wipe", Args: bad}); r[0].Text != en("wipe_usage", nil) {
			t.Fatalf("/wipe %s: %+v", bad, r)
		}
	}
	// "1d" is the longest delay, 24h, as /signals reads days.
	if day, want := rep(commands.Request{Command: "wipe", Args: "1D"}), rep(commands.Request{Command: "wipe", Args: "24h"}); len(day) != 1 || day[0].Text != want[0].Text || day[0].Text == en("wipe_usage", nil) {
		t.Fatalf("/wipe 1d: %+v, /wipe 24h: %+v", day, want)
	}
	rep(commands.Request{Callback: "wipe:99999"})
	rep(commands.Request{Callback: "wipe:-5"})
	if _, w := p.took(); len(w) != 2 {
		t.Fatalf("bad input wiped: %v", w)
	}
	// In a group there is nothing to wipe.
	if r := e.do(wiperID, commands.Request{Command: "wipe", ChatID: "-100555", ChatKind: commands.Group, Addressed: true}); r[0].Text != en("private_only_command", nil) {
		t.Fatalf("group /wipe: %+v", r)
	}
	// The scheduled job holds the chat only sealed.
	rep(commands.Request{Command: "wipe", Args: "1h", MessageID: "70"})
	dump, err := srv.Dump(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range dump {
		if strings.Contains(k+string(v), wiperID) {
			t.Fatalf("a scheduled wipe names the chat in clear")
		}
	}
}

// A reporter's answer reaches an investigator whose team commands are
// locked without its words (the phone may be in someone else's hands):
// they read it in /tip once unlocked.
func TestAnswerToALockedMemberWithholdsTheWords(t *testing.T) {
	e, p, _ := newGuarded(t)
	en := func(id string, data map[string]any) string { return e.msg.Localize("en", id, data) }
	inv := func(req commands.Request) []commands.Reply {
		req.UserChat = investigatorID
		return e.do(investigatorID, req)
	}
	inv(commands.Request{Command: "enroll"})
	secret := strings.ReplaceAll(secretRE.FindString(p.sent[investigatorID][0].Text), " ", "")
	unlock := func() {
		t.Helper()
		e.clk.Add(31 * time.Second) // a fresh code
		c, err := totp.GenerateCode(secret, e.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r := inv(commands.Request{Command: "unlock", Args: c}); !strings.HasPrefix(r[0].Text, en("unlocked", map[string]any{"Period": "12 hours"})) {
			t.Fatalf("unlock: %+v", r)
		}
	}
	unlock()
	r := e.do(reporterID, commands.Request{Text: "Cobran piso en el mercado"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	e.do(reporterID, commands.Request{Callback: "fu:" + draft + ":1"})
	e.do(reporterID, commands.Request{Callback: "send:" + draft})
	inv(commands.Request{Command: "next"})
	if r := inv(commands.Request{Command: "ask", Args: "1 ¿Qué día?"}); r[0].Text != en("ask_sent", nil) {
		t.Fatalf("/ask: %+v", r)
	}
	question := "m" + strconv.Itoa(len(p.sent[reporterID]))
	inv(commands.Request{Command: "lock"})
	before := len(p.sent[investigatorID])
	e.do(reporterID, commands.Request{Text: "El lunes a las nueve", ReplyToBot: true, ReplyToID: question})
	got := p.sent[investigatorID][before:]
	if len(got) != 1 || got[0].Text != en("answer_notify_locked", map[string]any{"ID": "1"}) || strings.Contains(got[0].Text, "lunes") {
		t.Fatalf("the locked member was told: %+v", got)
	}
	unlock()
	if r := inv(commands.Request{Command: "tip", Args: "1"}); !strings.Contains(r[0].Text, "El lunes a las nueve") {
		t.Fatalf("/tip after unlocking: %q", r[0].Text)
	}
}
