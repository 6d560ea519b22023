package tests

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage/redistest"
)

// A reporter replies in text to a question while Redis is down, the
// reply holding the tip's receipt code with a stray letter against it,
// and checks the code "t;CODE" meanwhile: the reply is spooled and, once
// Redis is back, reaches the investigator as the answer without the
// code; neither Redis nor the log holds the code, the reply's words or
// the reporter's id, username or name.
func TestHostileTextReplyInAnOutageLeavesNoClearTrace(t *testing.T) {
	rs := redistest.Start(t)
	tg := newFakeTelegram(t, token)
	bot := startBot(t, tg, rs.URL())
	rep := user(reporterID, reporterName, reporterFirst, "es-MX")
	chat := privateChat(reporterID, reporterName, reporterFirst)
	inv := user(investigatorID, "detective", "Ana", "en")
	invChat := privateChat(investigatorID, "detective", "Ana")
	repChat, invChatID := strconv.Itoa(reporterID), "9001"
	upd := 0
	push := func(from, c, fields map[string]any) {
		upd++
		tg.push(message(upd, from, c, fields))
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
	cb := func(id, data string) {
		upd++
		tg.push(map[string]any{"update_id": upd, "callback_query": map[string]any{
			"id": id, "from": rep, "chat_instance": "ci", "data": data,
			"message": map[string]any{"message_id": 5, "date": time.Now().Unix(), "chat": chat}}})
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
	push(rep, chat, map[string]any{"text": "Tlacotalpan cobran piso zafiro"})
	first := waitRep(1)[nRep-1]
	cb("a1", find(first, "fu:"))
	waitRep(1)
	cb("s1", find(first, "send:"))
	got := waitRep(2)
	code := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(got[nRep-2].Fields["text"])
	if code == "" {
		t.Fatalf("no receipt: %q", got[nRep-2].Fields["text"])
	}
	plain := strings.ReplaceAll(code, "-", "")
	push(inv, invChat, command("", "/ask", "1 ¿Qué día?"))
	waitInv(1)
	q := waitRep(1)[nRep-1]
	qid, _ := strconv.Atoi(q.Fields["_message_id"])

	rs.Stop()
	push(rep, chat, map[string]any{"text": "El martes Tlacotalpan esmeralda t" + plain,
		"reply_to_message": map[string]any{"message_id": qid, "date": 1, "chat": chat, "from": map[string]any{"id": 999000, "is_bot": true, "first_name": "Vigía"}}})
	t.Logf("reply in the outage → %q", waitRep(1)[nRep-1].Fields["text"])
	push(rep, chat, map[string]any{"text": "t;" + code})
	t.Logf("t;CODE in the outage → %q", waitRep(1)[nRep-1].Fields["text"])
	rs.Restart()
	var answer string
	waitFor(t, func() bool {
		for _, c := range tg.waitCalls(nInv, messagesTo(invChatID))[nInv:] {
			if strings.Contains(c.Fields["text"], "esmeralda") {
				answer = c.Fields["text"]
				return true
			}
		}
		return false
	})
	t.Logf("investigator told → %q", answer)
	for _, s := range []string{plain, code, plain[:8], plain[8:]} {
		if strings.Contains(strings.ToUpper(answer), s) {
			t.Errorf("the investigator was told %q: %q", s, answer)
		}
	}
	waitFor(t, func() bool { return tg.confirmedBeyond(int64(upd)) && inboxEmpty(rs) })
	bot.stop(t)
	dump, err := rs.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hex := strconv.FormatInt(reporterID, 16)
	canaries := []string{repChat, hex, reporterName, reporterFirst, code, plain, "Tlacotalpan", "zafiro", "esmeralda", "Qué día"}
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
	t.Log(fmt.Sprint("log lines: ", strings.Count(bot.stderr.String(), "\n")))
}
