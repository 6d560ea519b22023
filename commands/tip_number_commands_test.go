package commands_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// Every team command that takes a tip number answers a whole number no
// tip can have (0, below it, past 63 bits) as /tip does: one line, in the
// member's language, naming what was typed, whatever follows it; and
// nothing about the tips changes. Before, /triage named it "not
// understood" before its usage (-1, past 63 bits) or looked for tip #0
// ("there is no tip #0"), /note and /ask answered "no tip #0" or their
// usage, /publish, /retract and /purge their usage or "no tip #0".
// Mutation: readTipNumber without its tipIDOutOfRange check -> the
// cases of 0 fail (looked up as a tip).
func TestTipNumberNoTipCanHaveInEveryCommand(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	tm.report("7002", "venden armas en la esquina", tips.Weapons)
	tm.as("7003", "R", commands.Request{Command: "warn", Args: "retén falso en la carretera"})
	before := tm.tipKeys(t)
	huge := "99999999999999999999"
	for _, c := range []struct{ cmd, args, shown string }{
		{"triage", "0 verified", "0"},
		{"triage", "-1 verified high", "-1"},
		{"triage", huge + " dismissed", huge},
		{"triage", "0", "0"},
		{"triage", "-1", "-1"},
		{"triage", "2 duplicate of 0", "0"},
		{"triage", "2 duplicate -3", "-3"},
		{"triage", "2 duplicate " + huge, huge},
		{"note", "0 revisado", "0"},
		{"note", "-1 revisado", "-1"},
		{"note", "#00 revisado", "0"},
		{"note", huge + " revisado", huge},
		{"note", "-2", "-2"},
		{"ask", "0 ¿quién cobra?", "0"},
		{"ask", "-1 ¿quién cobra?", "-1"},
		{"ask", huge + " ¿quién cobra?", huge},
		{"publish", "0", "0"},
		{"publish", "-3 otro texto", "-3"},
		{"publish", huge, huge},
		{"retract", "0", "0"},
		{"retract", "-3", "-3"},
		{"retract", huge, huge},
		{"purge", "0", "0"},
		{"purge", "-1 now", "-1"},
		{"purge", huge + " now", huge},
	} {
		for _, lang := range []string{"en", "es", "fr", "pt-BR"} {
			r := tm.as(adminID, "Ada", commands.Request{Command: c.cmd, Args: c.args, Language: lang})
			if want := tm.msg.Localize(lang, "tip_not_a_number", map[string]any{"ID": c.shown}); len(r) != 1 || r[0].Text != want {
				t.Errorf("/%s %s in %s: %q, want %q", c.cmd, c.args, lang, texts(r), want)
			}
		}
	}
	if after := tm.tipKeys(t); !slices.Equal(before, after) {
		t.Errorf("the tips' records changed:\nbefore %q\nafter  %q", before, after)
	}
}

// Every command that takes a tip number reads it alike (one parser): a
// word that is no tip number, whole number or not, is answered with one
// line, in the member's language, naming what was typed (cut if long),
// whatever follows it, by each command; nothing about the tips changes. Only where nothing visible was typed is it the command's
// usage. Before, "abc", "1.5" or "٣x" got the usage (/triage: "not
// understood" and its usage), and "/retract 0 extra" its usage where
// "/retract 0" was told 0 is not a tip number. Mutations: readTipNumber
// answering the usage for what is no whole number -> every malformed
// case fails; retract reading all its arguments as the number again
// -> "/retract 0 extra" and "/retract abc extra" fail.
func TestMalformedTipNumberIsAnsweredAlikeByEveryCommand(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	tm.report("7002", "venden armas en la esquina", tips.Weapons)
	tm.as("7003", "R", commands.Request{Command: "warn", Args: "retén falso en la carretera"})
	before := tm.tipKeys(t)
	// W is where the tip number goes.
	forms := map[string][]string{
		"triage":  {"W verified", "W", "W duplicate of 1"},
		"note":    {"W revisado", "W"},
		"ask":     {"W ¿quién cobra?", "W"},
		"publish": {"W", "W otro texto"},
		"retract": {"W", "W extra"},
		"purge":   {"W", "W now", "W extra"},
		"tip":     {"W", "W 2", "W 1 2"},
	}
	long := strings.Repeat("x", 30)
	langs, n := []string{"en", "es", "fr", "pt-BR"}, 0
	for _, w := range []struct{ typed, shown string }{
		{"abc", "abc"},
		{"1.5", "1.5"},
		{"٣x", "٣x"},
		{"-1x", "-1x"},
		{"+5", "+5"},
		{"#", "#"},
		{"#x", "#x"},
		{"-0", "0"},
		{"0", "0"},
		{"99999999999999999999", "99999999999999999999"},
		{long, strings.Repeat("x", 24) + "…"},
	} {
		for cmd, list := range forms {
			for _, form := range list {
				args := strings.Replace(form, "W", w.typed, 1)
				lang := langs[n%len(langs)] // each language in turn (within the chat's hourly limit)
				n++
				r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: args, Language: lang})
				if want := tm.msg.Localize(lang, "tip_not_a_number", map[string]any{"ID": w.shown}); len(r) != 1 || r[0].Text != want {
					t.Errorf("/%s %s in %s: %q, want %q", cmd, args, lang, texts(r), want)
				}
			}
		}
	}
	if after := tm.tipKeys(t); !slices.Equal(before, after) {
		t.Errorf("the tips' records changed:\nbefore %q\nafter  %q", before, after)
	}
	// Nothing visible to name: the usage.
	for cmd, usage := range map[string]string{"note": "note_usage", "ask": "ask_usage", "publish": "publish_usage", "retract": "retract_usage", "purge": "purge_usage", "tip": "tip_usage"} {
		for _, args := range []string{"", "\u200b", "\u200b texto"} {
			if r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: args}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", usage, nil) {
				t.Errorf("/%s %q: %q, want the usage", cmd, args, texts(r))
			}
		}
	}
	// A tip's number followed by what the command does not take: the
	// usage, as before.
	if r := tm.as(adminID, "Ada", commands.Request{Command: "retract", Args: "3 extra"}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "retract_usage", nil) {
		t.Errorf("/retract 3 extra: %q, want the usage", texts(r))
	}
}

// tipKeys returns every key of the tips' and the broadcasts' records with
// its value, as DUMP gives it, in order.
func (tm *team) tipKeys(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	c := tm.srv.Client()
	var out []string
	for _, match := range []string{"w:{tips}:*", "w:{bc}:*"} {
		keys, err := c.Keys(ctx, match).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			v, err := c.Dump(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, k+"="+v)
		}
	}
	slices.Sort(out)
	return out
}

// A receipt code typed where a command takes a tip number (pasted in the
// wrong place, in any form the tips package reads it) is answered, in the
// member's language, that it is a code and no tip number, without
// repeating it or any of its groups: repeated, it would stay in the
// investigators' chat for everyone there, and a code lets whoever holds
// it answer questions or delete its tip. Nothing about the tips changes.
// A word that is no code before one is still named. Before, the word was
// repeated as typed (the code whole, "K7QD-9XMA-R2TP-4WZN", or its first
// group, "k7qd", of "k7qd 9xma r2tp 4wzn"). Mutations: codeAtStart
// answering false -> all 70 code cases fail; codeAtStart counting every
// code of the arguments, not only those word is part of -> the "abc"
// cases fail (told it looks like a code).
func TestCodeTypedForTipNumberIsNeverRepeated(t *testing.T) {
	tm := newTeam(t)
	tm.report("7001", "cobran piso en el mercado", tips.Extortion)
	tm.as("7003", "R", commands.Request{Command: "warn", Args: "retén falso en la carretera"})
	before := tm.tipKeys(t)
	forms := map[string]string{
		"triage": "W verified", "note": "W revisado", "ask": "W ¿quién cobra?", "publish": "W",
		"retract": "W", "purge": "W now", "tip": "W",
	}
	groups := []string{"K7QD", "9XMA", "R2TP", "4WZN", "8HJK"}
	langs, n := []string{"en", "es", "fr", "pt-BR"}, 0
	for _, code := range []string{
		"K7QD-9XMA-R2TP-4WZN",
		"k7qd 9xma r2tp 4wzn",
		"K7QD9XMAR2TP4WZN",
		"#K7QD-9XMA-R2TP-4WZN",
		"𝐊𝟕𝐐𝐃-𝟗𝐗𝐌𝐀-𝐑𝟐𝐓𝐏-𝟒𝐖𝐙𝐍",
		"[K7QD]-[9XMA]-[R2TP]-[4WZN]",
		"K7QD\u200b9XMA\u200bR2TP\u200b4WZN",
		"ⓚ⑦ⓠⓓ-⑨ⓧⓜⓐ-ⓡ②ⓣⓟ-④ⓦⓩⓝ",
		"K7QD 9XMA R2TP 4WZN 8HJK",
		"K7QD-9XMA https://x.com/?c=R2TP-4WZN",
	} {
		for cmd, form := range forms {
			args := strings.Replace(form, "W", code, 1)
			lang := langs[n%len(langs)]
			n++
			r := tm.as(adminID, "Ada", commands.Request{Command: cmd, Args: args, Language: lang})
			if want := tm.msg.Localize(lang, "tip_not_a_number_code", nil); len(r) != 1 || r[0].Text != want {
				t.Errorf("/%s %s in %s: %q, want %q", cmd, args, lang, texts(r), want)
			}
			for _, g := range groups {
				if len(r) == 1 && strings.Contains(strings.ToUpper(r[0].Text), g) {
					t.Errorf("/%s %s: the answer repeats %s", cmd, args, g)
				}
			}
		}
	}
	if after := tm.tipKeys(t); !slices.Equal(before, after) {
		t.Errorf("the tips' records changed:\nbefore %q\nafter  %q", before, after)
	}
	// A word that is no code, a code after it: the word is named.
	for _, args := range []string{"abc K7QD-9XMA-R2TP-4WZN", "abc k7qd 9xma r2tp 4wzn"} {
		if r := tm.as(adminID, "Ada", commands.Request{Command: "note", Args: args}); len(r) != 1 || r[0].Text != tm.msg.Localize("en", "tip_not_a_number", map[string]any{"ID": "abc"}) {
			t.Errorf("/note %s: %q, want abc named not a tip number", args, texts(r))
		}
	}
}

// A receipt code of letters alone (given out before every code held a
// digit) is a code only when a tip has it: typed for the tip number, it is
// not repeated then; words shaped like one that no tip has are named as
// any other word. Mutation: codeAtStart not looking codes of letters
// alone up (none taken for a code) -> the old code is repeated
// ("ABCD-EFGH-JKMN-PQRS no es un número de denuncia").
func TestOldCodeOfLettersAloneTypedForTipNumberIsNotRepeated(t *testing.T) {
	var real string
	const old = "ABCD-EFGH-JKMN-PQRS"
	e := newEnv(t, func(s commands.Store) commands.Store { return oldReceipts{s, old, &real} })
	real = e.sendTip(reporterID, "me cobran piso en el mercado")
	for _, args := range []string{old, "abcd efgh jkmn pqrs"} {
		if r := e.do(investigatorID, commands.Request{Command: "tip", Args: args}); len(r) != 1 || r[0].Text != e.text("es", "tip_not_a_number_code", nil) {
			t.Errorf("/tip %s: %q, want tip_not_a_number_code", args, texts(r))
		}
	}
	if r := e.do(investigatorID, commands.Request{Command: "tip", Args: "esta casa para mama"}); len(r) != 1 || r[0].Text != e.text("es", "tip_not_a_number", map[string]any{"ID": "esta"}) {
		t.Errorf("/tip esta casa para mama: %q, want esta named not a tip number", texts(r))
	}
}
