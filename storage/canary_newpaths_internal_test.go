package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// The canary of tests/canary_test.go, on the keys and fields the store
// gained since (its end-to-end run reaches none of them: its tip names no
// handle with marks, raises no alert, asks no question of a reporter who
// opted in, subscribes no region in an Indic script): the tips brought in
// from an entity's past forms and their mark ("ix:f:"), when handles
// first kept their marks ("forms") and a recount a cut form's sift
// owes, left owed by a crash ("ix:rc"), the open
// questions' slots ("qs:"), a warning's duplicates ("{bc}:dups:") and
// the decision its approver was shown ("an:"), a withdrawal being told ("t:") and a record
// kept before instances raised again ("h"), a subscription's RegionWords,
// a Send claimed with the sender's profile (ProfileSend), an answer's
// mark ("x:a") and a receipt marked as an answer's (NoTipAnswer), and the
// held messages' schedule ("held"). Neither a
// value stored nor an argument sent to Redis (MONITOR: a value sent in
// clear to a script that stores only its MAC leaks all the same) holds a
// reporter's or an investigators' chat id, a community's, the tip's or
// the question's words, or a receipt code, in any of the forms a leak
// takes.
// Mutation: foldPastForms' mark holding the entity's value (SetNX of
// e.Value, not 1) -> this fails (ix:f: holds "khabar_हिदी", and so does
// the SET sent). Mutation: sift owing the recount under the entity's
// value (oweRecount of e.Value, not its MAC) -> this fails (ix:rc holds
// "khabar_ह", and so does the ZADD sent). Mutation: markReceiptNoTip
// keyed by the code itself (s.k.receiptNoTip(receipt)) -> this fails
// (the key, and the SET sent, hold the receipt).
func TestNewPathsKeepNoCanaryInRedis(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	mon := monitorRedis(t, srv)
	kr, err := NewKeyring(bytes.Repeat([]byte{5}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(srv.Client(), kr, Options{Prefix: "c", Retention: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	const (
		repChat  = "7770123456" // the reporters' chats: 77701234561…3
		invChat  = "-1009876543210"
		invChat2 = "-1009876543211"
		group    = "-1009876543299"
		words    = "Extorsionan en la bodega azul de Tlaquepaque"
		question = "¿Quién cobra en la bodega azul?"
		answer   = "El señor del portón verde"
		region   = "दिल्ली"
	)
	handle := "@khabar_हिंदी"
	text := words + ", avisan por " + handle
	chats := []string{"telegram:" + invChat, "telegram:" + invChat2}

	// Three reporters name the handle, each asking to be reachable; the
	// third's Send claimed with its profile.
	var ids, receipts []string
	for i := range 3 {
		user := "canary" + strconv.Itoa(i)
		p := s.Pseudonym("telegram", user)
		d, err := s.AddToDraft(ctx, p, DraftPart{EventID: int64(i + 1), Route: "telegram:" + repChat + strconv.Itoa(i+1), Part: tips.Part{Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDraftFollowUp(ctx, p, d.ID, true); err != nil {
			t.Fatal(err)
		}
		var sub Submission
		if i < 2 {
			sub, err = s.SubmitDraft(ctx, p, d.ID, "es")
		} else {
			limit := &Limit{Subject: p, Kind: "chat", Max: 100, Window: time.Hour}
			_, cl, perr := s.ProfileSend(ctx, p, limit, false, d.ID, &Limit{Subject: p, Kind: "tip", Max: 100, Window: time.Hour})
			if perr != nil || cl == nil {
				t.Fatalf("profile send: claim %v, %v", cl, perr)
			}
			sub, err = s.SubmitClaimed(ctx, cl, "es")
		}
		if err != nil {
			t.Fatal(err)
		}
		ids, receipts = append(ids, sub.TipID), append(receipts, sub.Receipt)
		if i == 1 {
			// The first two were indexed before handles kept their marks.
			indexUntilDone(t, s)
			for n := range 2 {
				indexEntityAsBefore(t, s, ids[n], "canary"+strconv.Itoa(n), "handle", "khabar_हिदी", "khabar_ह")
			}
		}
	}
	alerts := indexUntilDone(t, s)
	e := tips.Extract(handle, "")[0]
	mac := s.entityMAC(e.Key())
	if n := s.rdb.Exists(ctx, s.k.indexFolded(mac)).Val(); n != 1 || len(alerts) != 1 {
		t.Fatalf("past forms folded: %d, alerts %+v: want the fold made, and its alert (the test proves nothing)", n, alerts)
	}
	sig := alerts[0]

	// A tip naming the old cut form: its set's tips of the handle are
	// sifted out, and the process stops before the recount it owes.
	afterSiftWrites = func() { afterSiftWrites = nil; panic("the process stops here") }
	t.Cleanup(func() { afterSiftWrites = nil })
	batchSubmit(t, s, "canary3", 4, words+", avisan por @khabar_ह")
	_, _ = s.IndexTips(ctx, 50, time.Millisecond, func(Signal) error { return nil })
	if afterSiftWrites != nil || s.rdb.ZCard(ctx, s.k.indexRecountOwed()).Val() != 1 || s.rdb.Exists(ctx, s.k.indexFormsSince()).Val() != 1 {
		t.Fatal("no sift cut off with its recount owed, or no forms key: the test proves nothing of them")
	}

	// A question to the first reporter: numbered, given back (not
	// delivered), numbered again, asked and answered.
	n, err := s.QuestionNumber(ctx, ids[0], time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UnnumberQuestion(ctx, ids[0], n); err != nil {
		t.Fatal(err)
	}
	if n, err = s.QuestionNumber(ctx, ids[0], time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.Ask(ctx, ids[0], n, Claimer{Name: "Ana", Route: chats[0]}, question); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Answer(ctx, ids[0], n, answer); err != nil {
		t.Fatal(err)
	}
	// A second one left open, in its slot.
	if _, err := s.QuestionNumber(ctx, ids[1], time.Hour); err != nil {
		t.Fatal(err)
	}

	// The alert: taken by the first chat, kept; the record taken for one
	// kept before instances, raised again (its "h"), sent to the second.
	if err := s.KeepAlert(ctx, sig, chats[:1]); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertDelivered(ctx, sig, chats[0], "4242"); err != nil {
		t.Fatal(err)
	}
	s.rdb.HDel(ctx, s.k.alertPending(mac), "i")
	if _, err := s.AlertMissing(ctx, &sig, chats); err != nil {
		t.Fatal(err)
	}
	if h := s.rdb.HGet(ctx, s.k.alertPending(mac), alertHandedField).Val(); h == "" {
		t.Fatal(`no "h" in the record: the test proves nothing of it`)
	}
	if err := s.AlertDelivered(ctx, sig, chats[1], "4243"); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepSentAlert(ctx, sig, chats[1:]); err != nil {
		t.Fatal(err)
	}
	// Its reporters withdraw: each chat is told, the first after a
	// refusal; the second chat's notice left pending (a crash).
	for _, id := range ids {
		if err := s.Forget(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.checkAlerts(ctx, []string{mac}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // its next attempt
	due, err := s.DueAlerts(ctx, chats, 10)
	if err != nil || len(due) != 1 || !due[0].Withdrawn || len(due[0].Took) != 2 {
		t.Fatalf("due %+v %v, want the alert withdrawn from both chats", due, err)
	}
	w := due[0].Signal
	leases := map[string]string{}
	for _, chat := range chats {
		tell, lease, err := s.AlertRetracting(ctx, w, chat)
		if err != nil || !tell {
			t.Fatalf("retracting: %v %v", tell, err)
		}
		leases[chat] = lease
	}
	if err := s.AlertNotRetracted(ctx, w, chats[0], leases[chats[0]]); err != nil {
		t.Fatal(err)
	}
	tell, lease, err := s.AlertRetracting(ctx, w, chats[0])
	if err != nil || !tell {
		t.Fatalf("retracting again: %v %v", tell, err)
	}
	if err := s.AlertRetracted(ctx, w, chats[0], lease); err != nil {
		t.Fatal(err)
	}
	if v := s.rdb.HGet(ctx, s.k.alertPending(mac), alertTellingOf(s.alertChatMAC(mac, chats[1]))).Val(); v == "" {
		t.Fatal(`no "t:" field pending: the test proves nothing of it`)
	}

	// A community subscribed to a region in an Indic script.
	if err := s.Subscribe(ctx, Subscription{Platform: "telegram", Chat: group, Language: "es", Regions: []string{region}}); err != nil {
		t.Fatal(err)
	}
	if dest, _, err := s.reach(ctx, "Retén falso en "+region); err != nil || len(dest) != 1 {
		t.Fatalf("reach: %v %v, want the community", dest, err)
	}

	// A warning, a reporter's tip marked its duplicate (the original's
	// duplicates, "{bc}:dups:"), and an approval of the warning (the
	// decision its approver was shown, "an:"), which reads them.
	const (
		member  = "4242000777"
		warning = "Retén falso en la carretera de Zapopan, " + region // (the community's region)
	)
	by := Claimer{Key: s.Pseudonym("telegram", member), Name: "Ana", Route: "telegram:" + invChat}
	ws, err := s.SubmitWarning(ctx, s.Pseudonym("telegram", member), warning, "es", 77, "telegram:"+invChat)
	if err != nil {
		t.Fatal(err)
	}
	dup := batchSubmit(t, s, "canary-dup", 78, words+", otra vez")
	if err := s.Decide(ctx, dup, by, Decision{Status: tips.StatusDuplicate, DuplicateOf: ws.TipID}); err != nil {
		t.Fatal(err)
	}
	wt, err := s.Tip(ctx, ws.TipID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovePublication(ctx, ws.TipID, PublishApproval{By: by, Needed: 2, Decision: wt.Decision}); err != nil {
		t.Fatal(err)
	}
	if s.rdb.SCard(ctx, s.k.duplicates(ws.TipID)).Val() != 1 || !slices.ContainsFunc(s.rdb.HKeys(ctx, s.k.publication(ws.TipID)).Val(), func(f string) bool { return strings.HasPrefix(f, "an:") }) {
		t.Fatal(`no duplicates listed, or no "an:" field: the test proves nothing of them`)
	}

	// The first reporter's answer delivered (its "x:a" mark), a receipt
	// marked as an answer's at a replay (NoTipAnswer), and a held message
	// scheduled for the sweep ({prefix}:held), moved and dropped.
	p0 := s.Pseudonym("telegram", "canary0")
	if err := s.RememberAnswer(ctx, p0, 9); err != nil {
		t.Fatal(err)
	}
	if was, err := s.handledAs(ctx, p0, 9, time.Time{}); err != nil || was != NoTipAnswer {
		t.Fatalf("the answer's mark: %q %v: the test proves nothing of it", was, err)
	}
	if err := s.markReceiptNoTip(ctx, receipts[2], NoTipAnswer); err != nil {
		t.Fatal(err)
	}
	held, gone := HeldRef{Pseudonym: p0, ID: "0f1e2d3c4b5a6978"}, HeldRef{Pseudonym: s.Pseudonym("telegram", "canary1"), ID: "8796a5b4c3d2e1f0"}
	for _, h := range []HeldRef{held, gone} {
		if err := s.ScheduleHeld(ctx, h, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RescheduleHeld(ctx, held, now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.UnscheduleHeld(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.ZCard(ctx, s.k.heldDue()).Val(); n != 1 {
		t.Fatalf("%d held messages scheduled: the test proves nothing of the schedule", n)
	}

	canaries := []string{text, words, "Tlaquepaque", "bodega azul", handle, "khabar", question, answer, "portón verde",
		invChat, invChat2, group, region, member, warning, "Zapopan"}
	for i := range 3 {
		canaries = append(canaries, repChat+strconv.Itoa(i+1))
	}
	for _, r := range receipts {
		canaries = append(canaries, r, strings.ReplaceAll(r, "-", ""))
	}
	var forms []string
	for _, c := range canaries {
		forms = append(forms, leakForms(c)...)
	}
	dump, err := srv.Dump(ctx)
	if err != nil || len(dump) == 0 {
		t.Fatalf("dump: %d keys, %v", len(dump), err)
	}
	for k, v := range dump {
		for _, f := range forms {
			if strings.Contains(k, f) || bytes.Contains(v, []byte(f)) {
				t.Errorf("Redis key %q holds %q", k, f)
			}
		}
	}
	if mon != nil {
		told := map[string]bool{}
		for _, args := range mon.commands(t, srv) {
			for _, f := range forms {
				if strings.Contains(args, f) && !told[f] {
					told[f] = true
					t.Errorf("a command sent to Redis holds %q: %.200q", f, args)
				}
			}
		}
	}
}

// leakForms is s as it may leak (as tests' canaryForms): in clear, lower-
// and upper-cased, hex, base64; a number in hex too.
func leakForms(s string) []string {
	forms := []string{s, strings.ToLower(s), strings.ToUpper(s), hex.EncodeToString([]byte(s)),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		forms = append(forms, strconv.FormatInt(n, 16))
	}
	return forms
}

// redisMonitor is every command a redis-server ran since monitorRedis,
// from MONITOR (as tests' recordCommands).
type redisMonitor struct {
	conn net.Conn
	rd   *bufio.Reader
}

// monitorRedis starts recording srv's commands; nil with miniredis.
func monitorRedis(t *testing.T, srv *redistest.Server) *redisMonitor {
	t.Helper()
	if !srv.Real {
		return nil
	}
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rd := bufio.NewReader(conn)
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := rd.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("MONITOR: %q, %v", line, err)
	}
	return &redisMonitor{conn: conn, rd: rd}
}

// commands returns the arguments of every command run since
// monitorRedis, each command's joined by NULs, up to a mark it sends.
func (m *redisMonitor) commands(t *testing.T, srv *redistest.Server) []string {
	t.Helper()
	mark := "end-of-recording-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := srv.Client().Echo(context.Background(), mark).Err(); err != nil {
		t.Fatal(err)
	}
	m.conn.SetReadDeadline(time.Now().Add(time.Minute)) // a Redis gone silent, not a wait
	var cmds []string
	for {
		line, err := m.rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading MONITOR after %d commands: %v", len(cmds), err)
		}
		var args []string
		for rest := line; ; {
			i := strings.IndexByte(rest, '"')
			if i < 0 {
				break
			}
			j := i + 1
			for j < len(rest) && rest[j] != '"' {
				if rest[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(rest) {
				break
			}
			a, err := strconv.Unquote(rest[i : j+1])
			if err != nil {
				a = rest[i+1 : j]
			}
			args = append(args, a)
			rest = rest[j+1:]
		}
		if len(args) == 2 && strings.EqualFold(args[0], "echo") && args[1] == mark {
			return cmds
		}
		cmds = append(cmds, strings.Join(args, "\x00"))
	}
}
