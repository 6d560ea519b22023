package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
)

// "/status CODE gracias", as reporters type, checks the code and ignores
// the words after it (the code typed in groups too); /forget likewise.
// Words alone, or a code too short, still get the usage answer, and
// /forget forgets nothing.
// Mutation: status and forget reading all of the arguments as the code
// (tips.NormalizeReceipt, as before) → both answer the usage.
func TestStatusAndForgetIgnoreWordsAfterTheCode(t *testing.T) {
	e := newEnv(t, nil)
	code := e.sendTip(reporterID, "me cobran piso en el mercado cada lunes")
	received := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, args := range []string{
		code + " gracias",
		code + ", muchas gracias!",
		strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " gracias",
		code + "\nya mandé fotos",
	} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != received {
			t.Errorf("/status %q: %+v", args, r)
		}
	}
	for _, args := range []string{"gracias", "gracias " + code[:9], code[:14] + " gracias"} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
			t.Errorf("/status %q: %+v", args, r)
		}
		r = e.do(reporterID, commands.Request{Command: "forget", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "forget_usage", nil) {
			t.Errorf("/forget %q: %+v", args, r)
		}
	}
	r := e.do(reporterID, commands.Request{Command: "forget", Args: code + " por favor", Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "forget_done", nil) {
		t.Errorf("/forget CODE por favor: %+v", r)
	}
}

// "/forget CODE1 CODE2" (two tips at once) forgets neither and answers the
// usage: read as CODE1 with words after it, it forgot the first alone and
// said "done", the second tip's route left for questions to reach the
// reporter who believed it gone. /status likewise answers the usage, not
// the first tip's status as if it were both. The same code twice is one.
// Mutation: receiptFirst not looking past the code → /forget forgets the
// first tip and says done, test fails.
func TestForgetOfTwoCodesForgetsNeither(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	askable := func(text string) string { // a tip whose reporter allows questions
		t.Helper()
		r := e.do(reporterID, commands.Request{Text: text})
		draft := strings.Split(press(r, "send:"), ":")[1]
		e.do(reporterID, commands.Request{Callback: "fu:" + draft + ":1"})
		r = e.do(reporterID, commands.Request{Callback: "send:" + draft})
		return receiptRE.FindString(r[0].Text)
	}
	first := askable("me cobran piso en el mercado cada lunes")
	second := askable("el mismo grupo cobra en la central de abastos")
	routed := func(code string) bool {
		t.Helper()
		tip, err := e.store.TipByReceipt(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.store.ReporterRoute(ctx, tip.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if !routed(first) || !routed(second) {
		t.Fatal("the tips have no route to forget")
	}
	for _, args := range []string{first + " " + second, first + ", " + strings.ToLower(second) + " gracias", first + " y " + second} {
		r := e.do(reporterID, commands.Request{Command: "forget", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "forget_usage", nil) {
			t.Errorf("/forget %q: %+v", args, r)
		}
		r = e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
			t.Errorf("/status %q: %+v", args, r)
		}
	}
	if !routed(first) || !routed(second) {
		t.Fatal("/forget of two codes forgot one")
	}
	r := e.do(reporterID, commands.Request{Command: "forget", Args: first + " " + first + " gracias", Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "forget_done", nil) || routed(first) || !routed(second) {
		t.Errorf("/forget CODE CODE gracias: %+v", r)
	}
}

// A code typed against an emoji or a flag ("/status CODE🇲🇽", "/forget
// 🙏CODE🙏", as reporters type on a phone) or after words ("/status mi
// código es CODE") is read, not answered with the usage as if no code had
// been sent; two codes still get the usage, and /forget forgets neither.
// Mutation: receiptFirst without its last look (the one code anywhere in
// the arguments) → /status CODE🇲🇽 answers the usage, test fails.
func TestStatusAndForgetReadACodeTouchingEmoji(t *testing.T) {
	e := newEnv(t, nil)
	code := e.sendTip(reporterID, "me cobran piso en el mercado cada lunes")
	other := e.sendTip(reporterID, "el mismo grupo cobra en la central de abastos")
	received := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, args := range []string{
		code + "🇲🇽",
		"🇲🇽" + code + "🇲🇽",
		code + "👍",
		"❤️" + code + "🙏🏽",
		"mi código es " + code,
		"el código: " + code + " gracias",
	} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != received {
			t.Errorf("/status %q: %+v", args, r)
		}
	}
	for _, args := range []string{code + "🇲🇽" + other, "mi código es " + code + " y " + other + "👍"} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
			t.Errorf("/status %q: %+v", args, r)
		}
		r = e.do(reporterID, commands.Request{Command: "forget", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "forget_usage", nil) {
			t.Errorf("/forget %q: %+v", args, r)
		}
	}
	r := e.do(reporterID, commands.Request{Command: "forget", Args: "🙏" + code + "🙏", Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "forget_done", nil) {
		t.Errorf("/forget 🙏CODE🙏: %+v", r)
	}
}

// "/status para esta CODE" (a four-letter word right before the code) is
// read as CODE: the code-like words found there are the windows of one
// run of groups (PARA-ESTA-…, ESTA-…, CODE), one code typed, not three;
// the one a tip has is read. Before, the usage was answered as if two
// codes had been sent. Two tips' codes still get the usage.
// Mutation: receiptFirst without its look at the windows of one run
// (oneRun false) → /status para esta CODE answers the usage, test fails.
func TestStatusAndForgetReadACodeAfterFourLetterWords(t *testing.T) {
	e := newEnv(t, nil)
	code := e.sendTip(reporterID, "me cobran piso en el mercado cada lunes")
	other := e.sendTip(reporterID, "el mismo grupo cobra en la central de abastos")
	received := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, args := range []string{
		"para esta " + code,
		"para esta " + strings.ToLower(code) + " gracias",
		"esta " + code,
		"ver bien esta " + code + "🙏",
	} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != received {
			t.Errorf("/status %q: %+v", args, r)
		}
	}
	for _, args := range []string{"para esta " + code + " " + other, "para esta 2ZZZ-ZZZZ-ZZZZ-ZZZZ"} {
		r := e.do(reporterID, commands.Request{Command: "status", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "status_usage", nil) {
			t.Errorf("/status %q: %+v", args, r)
		}
		r = e.do(reporterID, commands.Request{Command: "forget", Args: args, Language: "es-MX"})
		if len(r) != 1 || r[0].Text != e.text("es", "forget_usage", nil) {
			t.Errorf("/forget %q: %+v", args, r)
		}
	}
	r := e.do(reporterID, commands.Request{Command: "forget", Args: "para esta " + code, Language: "es-MX"})
	if len(r) != 1 || r[0].Text != e.text("es", "forget_done", nil) {
		t.Errorf("/forget para esta CODE: %+v", r)
	}
}
