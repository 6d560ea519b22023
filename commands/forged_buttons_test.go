package commands_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// Button data is the client's to write (any Telegram client can send any
// callback data): data no button of ours carries, or carries for another
// role, is answered in the presser's language that the button does not
// work, naming nothing (not whose button it is), and changes nothing.
// Before, every one of these got no answer at all (the press went
// unanswered), but for tip 0, which the triage button looked for ("there
// is no tip #0"). Mutation: Context.forgedButton saying nothing -> every
// case fails.
func TestForgedButtonDataIsAnsweredAndChangesNothing(t *testing.T) {
	tm, _ := questioned(t, "¿Quién cobra?") // Ana (2002) claimed tip 1 and asked its reporter
	tm.join("2003", "Beto")
	tm.report("7002", "venden armas en la esquina", tips.Weapons)
	tm.as("7003", "R", commands.Request{Command: "warn", Args: "retén falso en la carretera"})
	huge := "99999999999999999999"
	forged := map[string][]string{
		"2002": { // an investigator: numbers, statuses and stamps no button has
			"tr:0:verified", "tr:-1:verified", "tr:" + huge + ":verified", "tr:x:verified", "tr::verified",
			"tr:1:bogus", "tr:1:claimed", "tr:1", "tr:1:verified:abc", "tr:1:verified:-5", "tr:1:verified:0",
			"pub:0:0", "pub:-1:0", "pub:" + huge + ":0", "pub:x:0", "pub:3:x", "pub:3:-1", "pub:3",
			"zz:1", "tr", "x",
		},
		reporterID: { // the reporter: their own buttons forged, and the team's
			"ans:0:1", "ans:-1:1", "ans:" + huge + ":1", "ans:x:1", "ans:1:0", "ans:1:-1", "ans:1:x", "ans:1:" + huge,
			"ansh:2", "wipe:x", "wipe:-5", "wipe:" + huge, "cat:x:bogus",
			"tr:1:verified", "tr:1:dismissed:1", "pub:3:0", "zz:1",
		},
	}
	before := tm.state(t)
	was := map[string]tips.Tip{}
	for _, id := range []string{"1", "2"} {
		tip, err := tm.store.Tip(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		was[id] = tip
	}
	for user, list := range forged {
		for _, data := range list {
			for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
				r := tm.as(user, "X", commands.Request{Callback: data, Language: lang})
				if want := tm.msg.Localize(lang, "button_invalid", nil); len(r) != 1 || r[0].Text != want {
					t.Errorf("%s pressed %q in %s: %q, want %q", user, data, lang, texts(r), want)
				}
			}
		}
	}
	tm.sameState(t, before)
	// Another's tip, with data a button carries: each is told why
	// nothing was done, as before, and the tips do not change (the
	// queue's own bookkeeping may: the stream is not compared).
	for _, c := range []struct {
		user, data, msg string
		data2           map[string]any
	}{
		{"7002", "ans:1:1", "answer_none", nil}, // tip 1 is Rosa's, not 7002's
		{"7002", "ans:2:1", "answer_none", nil}, // 7002's own tip, never asked
	} {
		if r := tm.as(c.user, "X", commands.Request{Callback: c.data}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", c.msg, c.data2) {
			t.Errorf("%s pressed %q: %q, want %s", c.user, c.data, texts(r), c.msg)
		}
	}
	spent := tm.msg.Localize("en", "triage_button_spent", map[string]any{"ID": "2", "Status": tm.msg.Localize("en", "status_new", nil)})
	if r := tm.as("2002", "Ana", commands.Request{Callback: "tr:2:verified"}); len(r) != 1 || r[0].Text != spent {
		t.Errorf("Ana pressed a decision on tip 2, never hers: %q, want %q", texts(r), spent)
	}
	if r := tm.as("2003", "Beto", commands.Request{Callback: "tr:1:verified"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, "Tip #1 was claimed by ") {
		t.Errorf("Beto pressed a decision on tip 1, Ana's: %q", texts(r))
	}
	for id, want := range map[string]tips.Status{"1": tips.StatusClaimed, "2": tips.StatusNew} {
		if tip, err := tm.store.Tip(context.Background(), id); err != nil || tip.Status != want || len(tip.History) != len(was[id].History) || tip.ClaimedBy != was[id].ClaimedBy {
			t.Errorf("tip %s changed: %s, claimed by %q, %d history entries (%v)", id, tip.Status, tip.ClaimedBy, len(tip.History), err)
		}
	}
}

// sameState fails t with what differs if Redis's state is not before.
func (tm *team) sameState(t *testing.T, before []string) {
	t.Helper()
	after := tm.state(t)
	for _, kv := range after {
		if !slices.Contains(before, kv) {
			t.Errorf("Redis changed: now %q", kv)
		}
	}
	for _, kv := range before {
		if !slices.Contains(after, kv) {
			t.Errorf("Redis changed: was %q", kv)
		}
	}
}

// state returns Redis's keys with their values (as DUMP gives them), in
// order (a hash's fields in order), less what every event may write whatever it does: the audit log,
// the members' state (their rate-limit counters) and last activity.
func (tm *team) state(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	c := tm.srv.Client()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		if strings.HasSuffix(k, ":audit") || strings.HasSuffix(k, "}:st") || strings.HasSuffix(k, ":{team}:active") {
			continue
		}
		var v string
		if typ, err := c.Type(ctx, k).Result(); err != nil {
			t.Fatal(err)
		} else if typ == "hash" { // (its fields in order: a rewrite may move them)
			m, err := c.HGetAll(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for f, fv := range m {
				fields = append(fields, f+":"+fv)
			}
			slices.Sort(fields)
			v = strings.Join(fields, ",")
		} else if typ == "stream" { // (its entries and claims: a look leaves its consumer's seen-time)
			v = streamState(t, c, k)
		} else if v, err = c.Dump(ctx, k).Result(); err != nil {
			t.Fatal(err)
		}
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// streamState is a stream's entries and, for each of its groups, the
// entries claimed: by whom, how many times delivered.
func streamState(t *testing.T, c *redis.Client, k string) string {
	t.Helper()
	ctx := context.Background()
	entries, err := c.XRange(ctx, k, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprint(entries)
	groups, err := c.XInfoGroups(ctx, k).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		pending, err := c.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: k, Group: g.Name, Start: "-", End: "+", Count: 1000}).Result()
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf(" %s %d:", g.Name, g.Pending)
		for _, p := range pending {
			out += fmt.Sprintf(" %s %s %d", p.ID, p.Consumer, p.RetryCount)
		}
	}
	return out
}

// The follow-up toggle's data is the client's to write too: a value no
// button carries (only 0 and 1 are), or a draft id of no draft's shape,
// is answered in the reporter's language that the button does not work,
// and the draft stays as it was. Before, "fu:DRAFT:2" (any value but 1)
// turned questions off as if 0 had been pressed, and a malformed id was
// told the draft is no longer in progress. Mutation: followUpButton
// without its check of the value and the id -> every case fails (a
// value but 0 or 1 turns questions off, Redis changes; a malformed id
// answers draft_stale).
func TestForgedFollowUpButtonIsAnsweredAndChangesNothing(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	tm.as(reporterID, "Rosa", commands.Request{Callback: "fu:" + draft + ":1"}) // questions allowed
	before := tm.state(t)
	for _, data := range []string{
		"fu:" + draft + ":2", "fu:" + draft + ":x", "fu:" + draft + ":", "fu:" + draft, "fu:" + draft + ":1:1",
		"fu:" + draft + ":-1", "fu:zz:0", "fu::0", "fu:", "fu:" + draft + "0:0", "fu:" + strings.ToUpper(draft) + ":0",
	} {
		for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
			r := tm.as(reporterID, "Rosa", commands.Request{Callback: data, Language: lang})
			if want := tm.msg.Localize(lang, "button_invalid", nil); len(r) != 1 || r[0].Text != want {
				t.Errorf("Rosa pressed %q in %s: %q, want %q", data, lang, texts(r), want)
			}
		}
	}
	tm.sameState(t, before)
	// A genuine press still works: questions turned off.
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "fu:" + draft + ":0"}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "followup_off", nil) {
		t.Errorf("Rosa pressed fu:DRAFT:0: %q, want followup_off", texts(r))
	}
}

// The category, Send and Cancel buttons under a draft carry its id, which
// the client may write too: an id of no draft's shape (16 lowercase
// hexadecimal digits) is answered, in the reporter's language, that the
// button does not work, as the other buttons' forged data is, and the
// draft stays as it was (not sent, not discarded, its category unset).
// Before, each answered draft_stale ("no longer in progress"), and a
// Send press handed the forged id to the store's first step.
// Mutation: callback without the id checks (and sendPress taking any id)
// -> 92 of the 96 cases fail (draft_stale), and the genuine Send after
// them gives no receipt; "cat:DRAFT:x:drugs" passes, as before the checks
// (its category, "x:drugs", is none: forgedButton), kept so it stays so.
func TestForgedDraftButtonsAreAnsweredAndChangeNothing(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "Cobran piso en el mercado"})
	draft := strings.Split(press(r, "send:"), ":")[1]
	before := tm.state(t)
	var forged []string
	for _, id := range []string{"zz", "", strings.ToUpper(draft), draft + "0", draft[:15], "../" + draft[3:], strings.Repeat("a", 5000), draft + ":x"} {
		forged = append(forged, "send:"+id, "cancel:"+id, "cat:"+id+":drugs")
	}
	for _, data := range forged {
		for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
			r := tm.as(reporterID, "Rosa", commands.Request{Callback: data, Language: lang})
			if want := tm.msg.Localize(lang, "button_invalid", nil); len(r) != 1 || r[0].Text != want {
				t.Errorf("Rosa pressed %.40q in %s: %q, want %q", data, lang, texts(r), want)
			}
		}
	}
	tm.sameState(t, before)
	// The genuine buttons still work.
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "cat:" + draft + ":drugs"}); len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.msg.Localize("en", "category_set", map[string]any{"Category": "Drugs"})) {
		t.Errorf("Rosa pressed cat:DRAFT:drugs: %q", texts(r))
	}
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "send:" + draft}); len(r) == 0 || codeRE.FindString(r[0].Text) == "" {
		t.Errorf("Rosa pressed send:DRAFT: %q, want a receipt", texts(r))
	}
}
