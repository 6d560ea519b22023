package commands_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

// redisKeys lists every key in Redis, with its kind and, for a hash, its
// fields; for a set or sorted set, its members.
func redisKeys(t *testing.T, tm *team) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := tm.srv.Client()
	out := map[string]string{}
	iter := c.Scan(ctx, 0, "*", 0).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		var v []string
		kind := c.Type(ctx, k).Val()
		switch kind {
		case "hash":
			v = c.HKeys(ctx, k).Val()
		case "set":
			v = c.SMembers(ctx, k).Val()
		case "zset":
			v = c.ZRange(ctx, k, 0, -1).Val()
		}
		sort.Strings(v)
		out[k] = fmt.Sprint(kind, v)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// /forget CODE erases what is keyed to the tip and to the route to its
// reporter, checked over every key in Redis before and after it: the
// route; the tip's open questions, who asked them, when, its expired
// ones' marks and the keyed marks of the reporter's answers ("q:", "qb:",
// "qs:", "qe:", "qa:", "qh:", "oq"); the Answer pressed for it and the
// bot's questions' messages in the reporter's marks, whose answers' events
// no longer name it; the client language; the tip's place among the
// entities it names. The tip stays (in triage and /search, its history
// with the answers), flagged "fg"; what is keyed to the reporter's
// messages alone, naming no tip, stays for its time (their state's "x:"
// marks, two days; the week's handled bucket, the retention): a message
// delivered again after /forget is known as handled and goes nowhere, as
// README says. Nothing else changes.
func TestForgetErasesWhatIsKeyedToTheTipAndItsRoute(t *testing.T) {
	tm := newTeam(t)
	ctx := context.Background()
	tm.join("2002", "Ana")
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado, llaman del +52 55 1234 5678", Language: "es"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "Rosa", commands.Request{Callback: "fu:" + draft + ":1", Language: "es"})
	receipt := codeRE.FindString(tm.as(reporterID, "Rosa", commands.Request{Callback: "send:" + draft, Language: "es"})[0].Text)
	if err := tm.mux.IndexPending(ctx); err != nil {
		t.Fatal(err)
	}
	tm.as("2002", "Ana", commands.Request{Command: "next"})
	for _, q := range []string{"¿Qué día?", "¿Cuántos eran?", "¿Dónde?"} {
		if r := tm.as("2002", "Ana", commands.Request{Command: "ask", Args: "1 " + q}); r[0].Text != tm.text("en", "ask_sent", nil) {
			t.Fatalf("/ask 1 %s: %q", q, texts(r))
		}
	}
	tm.notices(reporterID)
	if r := tm.as(reporterID, "Rosa", commands.Request{Text: "El lunes", ReplyToBot: true, ReplyToID: "m1", EventID: 424242, Language: "es"}); len(r) != 1 || r[0].Text != tm.text("es", "answer_done", nil) {
		t.Fatalf("the answer: %q", texts(r))
	}
	tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:3", Language: "es"}) // Answer pressed, left armed
	before := redisKeys(t, tm)
	pseudonym := tm.store.Pseudonym("telegram", reporterID)
	for _, want := range []string{"w:{tips}:route:1", "w:{" + pseudonym + "}:answering"} {
		if _, ok := before[want]; !ok {
			t.Fatalf("before /forget, no %s in %v", want, slices.Sorted(maps.Keys(before)))
		}
	}
	for _, f := range []string{"qa:1", "qh:1", "q:2", "qb:2", "qs:2", "q:3", "oq"} {
		if !strings.Contains(before["w:{tips}:tip:1"], " "+f+" ") && !strings.Contains(before["w:{tips}:tip:1"], "["+f+" ") {
			t.Fatalf("before /forget, the tip has no %s: %s", f, before["w:{tips}:tip:1"])
		}
	}
	entities := 0
	for k, v := range before {
		if strings.HasPrefix(k, "w:ix:e:") && strings.Contains(v, "1") {
			entities++
		}
	}
	if entities == 0 {
		t.Fatalf("the tip counts for no entity before /forget: %v", slices.Sorted(maps.Keys(before)))
	}

	if r := tm.as(reporterID, "Rosa", commands.Request{Command: "forget", Args: receipt, Language: "es"}); len(r) != 1 || r[0].Text != tm.text("es", "forget_done", nil) {
		t.Fatalf("/forget: %q", texts(r))
	}
	after := redisKeys(t, tm)

	for _, k := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[k]; !ok {
			t.Errorf("/forget made %s: %s", k, after[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		a, kept := after[k]
		switch {
		case k == "w:{tips}:route:1", k == "w:clang:"+pseudonym:
			if kept {
				t.Errorf("%s outlives /forget", k)
			}
		case k == "w:{tips}:tip:1":
			// Its question fields go, "qn" (how many were numbered) and
			// "qt" (when, for the day's limit) stay: the team's, naming
			// no one; "fg" says it was withdrawn.
			var want []string
			for _, f := range strings.Fields(strings.Trim(strings.TrimPrefix(before[k], "hash"), "[]")) {
				if f == "oq" || strings.HasPrefix(f, "q") && strings.Contains(f, ":") {
					continue
				}
				want = append(want, f)
			}
			want = append(want, "fg")
			sort.Strings(want)
			if a != fmt.Sprint("hash", want) {
				t.Errorf("the tip after /forget: %s\nwant %s\n(before %s)", a, want, before[k])
			}
		case strings.HasPrefix(k, "w:ix:e:"):
			if a == before[k] && strings.Contains(a, "1") {
				t.Errorf("entity %s still counts the tip: %s", k, a)
			}
		case k == "w:{"+pseudonym+"}:answering":
			v, err := tm.store.Answering(ctx, pseudonym)
			if err != nil || strings.Contains(v, `"t":"1"`) {
				t.Errorf("the reporter's marks still name the tip: %s %v", v, err)
			}
		default:
			if a != before[k] {
				t.Errorf("/forget changed %s: %s, before %s", k, a, before[k])
			}
		}
	}
}
