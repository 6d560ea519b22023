package tests

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage/redistest"
)

// A reporter and an investigator do, through the real binary, what this
// session's changes were for, in odd forms: receipt codes spelled out a
// character at a time, in HTML character references, half in a link's
// address, lower case, without dashes; duplicate marks in each language
// and malformed; an Answer pressed three times (once redelivered), a file
// with a caption after it, delivered again; a /reply delivered again;
// /forget of a spelled-out code; /wipe 2h then /wipe now, which leaves
// the chat empty though the later wipe is still to come (the tip begun
// next is told it will take it unless sent before). The investigator
// reads no code in the tip the spelled-out one began, is told each answer
// once, understands each language's duplicate mark; a wipe discards the
// draft begun before it; and neither Redis nor the log holds the receipt
// codes, the tips' words or the reporter's id, username or name.
func TestHostileReporterSessionLeavesNoClearTrace(t *testing.T) {
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	tg.addFile("DOCX", []byte("%PDF-1.4 hola"))
	bot := startBot(t, tg, rs.URL())
	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	inv := user(investigatorID, "detective", "Ana", "en")
	invChat := privateChat(investigatorID, "detective", "Ana")
	repChat, invChatID := strconv.Itoa(reporterID), "9001"
	upd := 0
	push := func(from, c, fields map[string]any) map[string]any {
		upd++
		m := message(upd, from, c, fields)
		tg.push(m)
		return m
	}
	nRep, nInv := 0, 0
	waitRep := func(n int) []sent {
		nRep += n
		return tg.waitCalls(nRep, messagesTo(repChat))
	}
	waitInv := func(n int) []sent {
		nInv += n
		return tg.waitCalls(nInv, messagesTo(invChatID))
	}
	cb := func(id, data string) map[string]any {
		upd++
		u := map[string]any{"update_id": upd, "callback_query": map[string]any{
			"id": id, "from": rep, "chat_instance": "ci", "data": data,
			"message": map[string]any{"message_id": 5, "date": time.Now().Unix(), "chat": chat}}}
		tg.push(u)
		return u
	}
	find := func(c sent, p string) string {
		for _, b := range buttons(c) {
			if strings.HasPrefix(b, p) {
				return b
			}
		}
		t.Fatalf("no %s button in %q %v", p, c.Fields["text"], buttons(c))
		return ""
	}
	log := func(s string) { t.Log(s) }
	settle := func() { waitFor(t, func() bool { return tg.confirmedBeyond(int64(upd)) && inboxEmpty(rs) }) }
	sendTip := func(text string) string {
		push(rep, chat, map[string]any{"text": text})
		first := waitRep(1)[nRep-1]
		cb(fmt.Sprint("a", upd), find(first, "fu:"))
		waitRep(1)
		cb(fmt.Sprint("s", upd), find(first, "send:"))
		got := waitRep(2)
		r := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(got[nRep-2].Fields["text"])
		if r == "" {
			t.Fatalf("no receipt: %q", got[nRep-2].Fields["text"])
		}
		return r
	}
	code := sendTip("Tlacotalpan cobran piso zafiro")
	code2 := sendTip("Tlacotalpan cobran piso zafiro otra vez")
	log("codes " + code + " " + code2)
	sp := strings.Join(strings.Split(code, ""), " ")
	ent := ""
	for _, r := range code {
		ent += "&#" + strconv.Itoa(int(r)) + ";"
	}
	for _, s := range []string{"mi código " + sp + " fin", "código " + ent, "código " + code[:9] + " https://x.example/" + code[10:],
		"código " + strings.ToLower(code), "código " + strings.ReplaceAll(code, "-", "")} {
		push(rep, chat, map[string]any{"text": s})
		log(s + " → " + waitRep(1)[nRep-1].Fields["text"])
	}
	// The draft the spelled-out code began is sent: the investigator reads no code in it.
	draftFirst := tg.waitCalls(nRep, messagesTo(repChat))[nRep-5]
	cb("s3", find(draftFirst, "send:"))
	waitRep(2)
	push(inv, invChat, command("", "/tip", "3"))
	view := waitInv(1)[nInv-1].Fields["text"]
	log("tip 3 → " + view)
	for _, c := range []string{sp, code, code[:9], strings.ToLower(code[:9]), strings.Join(strings.Split(code[:4], ""), " ")} {
		if strings.Contains(view, c) {
			t.Errorf("the investigator's /tip 3 shows %q: %q", c, view)
		}
	}
	for _, a := range []string{"2 duplicate of 1", "2 duplicada de la 1", "2 doublon du 1", "2 duplicada da 1", "2 duplicate of", "2 duplicate of 2", "1 duplicate of 2", "2 duplicate of 1 5", "2 duplicate of 1 urgent", "2 duplicate of 9"} {
		push(inv, invChat, command("", "/triage", a))
		log("/triage " + a + " → " + waitInv(1)[nInv-1].Fields["text"])
	}
	push(inv, invChat, command("", "/ask", "1 ¿Qué día?"))
	waitInv(1)
	q := waitRep(1)[nRep-1]
	ans := find(q, "ans")
	log("question buttons " + strings.Join(buttons(q), ","))
	u1 := cb("p1", ans)
	log("answer press → " + waitRep(1)[nRep-1].Fields["text"])
	tg.redeliver(u1)
	cb("p2", ans)
	settle()
	log(fmt.Sprint("after two more presses rep msgs: ", len(tg.waitCalls(nRep, messagesTo(repChat)))))
	nRep = len(tg.waitCalls(nRep, messagesTo(repChat)))
	doc := push(rep, chat, map[string]any{"caption": "Tlacotalpan respuesta zafiro con archivo", "document": map[string]any{"file_id": "DOCX", "file_unique_id": "dx", "file_name": "a.pdf", "mime_type": "application/pdf", "file_size": 13}})
	settle()
	nr := len(tg.waitCalls(nRep, messagesTo(repChat)))
	for _, c := range tg.waitCalls(nr, messagesTo(repChat))[nRep:] {
		log("file+caption → " + c.Fields["text"])
	}
	nRep = nr
	tg.redeliver(doc)
	settle()
	nr = len(tg.waitCalls(nRep, messagesTo(repChat)))
	for _, c := range tg.waitCalls(nr, messagesTo(repChat))[nRep:] {
		log("file+caption again → " + c.Fields["text"])
	}
	nRep = nr
	push(inv, invChat, command("", "/ask", "2 ¿Cuántos?"))
	waitRep(1)
	r := push(rep, chat, command("", "/reply", code2+" tres Tlacotalpan"))
	log("/reply → " + waitRep(1)[nRep-1].Fields["text"])
	tg.redeliver(r)
	settle()
	nr = len(tg.waitCalls(nRep, messagesTo(repChat)))
	for _, c := range tg.waitCalls(nr, messagesTo(repChat))[nRep:] {
		log("/reply again → " + c.Fields["text"])
	}
	nRep = nr
	push(rep, chat, command("", "/reply", code2+" tres Tlacotalpan"))
	log("/reply new → " + waitRep(1)[nRep-1].Fields["text"])
	push(rep, chat, command("", "/forget", sp))
	log("/forget → " + waitRep(1)[nRep-1].Fields["text"])
	push(rep, chat, command("", "/forget", code2))
	log("/forget2 → " + waitRep(1)[nRep-1].Fields["text"])
	push(rep, chat, map[string]any{"text": "borrador Tlacotalpan"})
	waitRep(1)
	push(rep, chat, command("", "/wipe", "2h"))
	log("/wipe 2h → " + waitRep(1)[nRep-1].Fields["text"])
	push(rep, chat, command("", "/wipe", "now"))
	settle()
	tg.mu.Lock()
	nd := 0
	for _, c := range tg.calls {
		if strings.HasPrefix(c.Method, "delete") {
			nd++
		}
	}
	tg.mu.Unlock()
	log(fmt.Sprint("deletes after wipe now: ", nd))
	if got := tg.waitCalls(nRep, messagesTo(repChat)); len(got) != nRep {
		// The wiped chat stays empty, though /wipe 2h is still to come.
		t.Errorf("after /wipe now the bot wrote into the wiped chat: %q", got[nRep].Fields["text"])
		nRep = len(got)
	}
	push(rep, chat, map[string]any{"text": "después del borrado"})
	got := waitRep(1)[nRep-1].Fields["text"]
	if !strings.Contains(got, html.EscapeString(msgs.Localize("es", "draft_started", nil))) {
		t.Errorf("after /wipe now, a message answered %q: the draft begun before the wipe was kept", got)
	}
	// The tip begun then is told that the wipe set for later takes it
	// unless it is sent first.
	if due := msgs.Localize("es", "wipe_draft_due", map[string]any{"Delay": msgs.Localize("es", "age_hours", nil, 2)}); !strings.Contains(got, html.EscapeString(due)) {
		t.Errorf("the draft begun after /wipe now, with /wipe 2h to come, was answered %q, without %q", got, due)
	}
	waitFor(t, func() bool { return tg.confirmedBeyond(int64(upd)) && inboxEmpty(rs) })
	nInvAll := tg.waitCalls(nInv, messagesTo(invChatID))
	told := map[string]int{}
	for _, c := range nInvAll {
		told[c.Fields["text"]]++
	}
	// Each language's duplicate mark is understood (four, and the one with a priority after it).
	if n := told["Tip #2: duplicate."]; n != 5 {
		t.Errorf("duplicate marks understood %d times, want 5: %v", n, told)
	}
	// An answer pressed three times, its file sent again, a /reply sent again: each told once.
	for _, tip := range []string{"1", "2"} {
		n := 0
		for text, k := range told {
			if strings.HasPrefix(text, "The reporter of tip #"+tip+" answered.") {
				n += k
			}
		}
		if n != 1 {
			t.Errorf("the investigator was told %d answers to tip #%s, want 1: %v", n, tip, told)
		}
	}
	bot.stop(t)
	var dump map[string][]byte
	dump, err = rs.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hex := strconv.FormatInt(reporterID, 16)
	canaries := []string{repChat, hex, reporterName, reporterFirst, code, code2, strings.ReplaceAll(code, "-", ""), strings.ReplaceAll(code2, "-", ""), "Tlacotalpan", "zafiro"}
	for k, v := range dump {
		for _, s := range canaries {
			if strings.Contains(k, s) || strings.Contains(string(v), s) {
				t.Errorf("Redis %q holds %q", k, s)
			}
		}
	}
	for _, s := range canaries {
		if strings.Contains(bot.stderr.String(), s) {
			t.Errorf("log holds %q", s)
		}
	}
}
