package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// sendTip sends text as a tip from user and returns the receipt code.
func (e *env) sendTip(user, text string) string {
	e.t.Helper()
	r := e.do(user, commands.Request{Text: text})
	send := press(r, "send:")
	if send == "" {
		e.t.Fatalf("no Send after %q: %+v", text, r)
	}
	r = e.do(user, commands.Request{Callback: send})
	code := receiptRE.FindString(r[0].Text)
	if code == "" {
		e.t.Fatalf("no receipt: %+v", r)
	}
	return code
}

// A receipt code sent without /status, alone or after a word, is answered
// as /status and kept out of any tip (investigators would read it, and it
// answers questions and deletes the tip); text that only looks like one
// is a tip as any other.
func TestReceiptCodeAloneIsAStatusCheck(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	code := e.sendTip(reporterID, "me cobran piso en el mercado")
	status := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, text := range []string{code, strings.ToLower(code) + ".", "estado " + code, "código: " + strings.ReplaceAll(code, "-", " ")} {
		r := e.do(reporterID, commands.Request{Text: text})
		if len(r) != 1 || r[0].Text != status {
			t.Fatalf("%q: %+v", text, r)
		}
		if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%q started a draft (%v)", text, err)
		}
	}
	r := e.do(reporterID, commands.Request{Text: "ABCD-EFGH-JKMN-PQR5"}) // shaped like one, no tip has it
	if press(r, "send:") == "" {
		t.Fatalf("an unknown code-shaped text is not kept: %+v", r)
	}
}

// A receipt code after one stray word is answered as /status however the
// word is parted from it: by a space ("t CODE") as by punctuation
// ("t;CODE", "t-CODE"), or a stray letter right against it ("tCODE").
// Before, the first was a status check and the others started a draft:
// with the code cut, or, against the letter, the code kept for
// investigators to read. A word against something no tip has is a tip
// as any other.
func TestReceiptCodeAfterAStrayWordIsAStatusCheck(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	code := e.sendTip(reporterID, "me cobran piso en el mercado")
	groups := strings.Join(strings.Split(code, "-"), "; ")
	status := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, text := range []string{
		"t " + groups, "t;" + groups, "t-" + code, "t." + code, "t:" + code, "t/" + code, "código:" + code,
		"t" + code, "T" + code, "t_" + code, "t" + groups, "  t" + strings.ToLower(code),
	} {
		r := e.do(reporterID, commands.Request{Text: text})
		if len(r) != 1 || r[0].Text != status {
			t.Fatalf("%q: %+v", text, r)
		}
		if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%q started a draft (%v)", text, err)
		}
	}
	for _, text := range []string{"tABCD-EFGH-JKMN-PQR5", "WDBRF61J43F123456", "t;ABCD-EFGH-JKMN-PQR5"} {
		r := e.do(reporterID, commands.Request{Text: text})
		if press(r, "send:") == "" {
			t.Fatalf("%q, no tip's code, is not kept: %+v", text, r)
		}
	}
}

// A capitalised first word is no stray letter against a code: "Vimos 2
// carros rojos" ("imos 2 carros rojos" reads as sixteen characters of a
// code, one a digit) is a tip, spooled while Redis is down, not refused
// as a code that could not be looked up; so is a word, then punctuation,
// then prose ("Ojo:2 hombres con armas"). Only a code's groups, whole,
// follow the letter or the punctuation.
func TestProseAfterALetterIsSpooledInAnOutage(t *testing.T) {
	srv, _, sp, _, mux := spooling(t)
	ctx := context.Background()
	msg, _ := loadMessages()
	srv.Stop()
	for i, text := range []string{"Vimos 2 carros rojos", "Ellos 2 sicarios van", "Ojo:2 hombres con armas"} {
		req := commands.Request{Platform: "telegram", UserID: "702", ChatID: "702", Text: text, EventID: int64(400 + i)}
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		got := rec.take()[0].Text
		if code := codeRE.FindString(got); code == "" || got != msg.Localize("en", "spool_received", map[string]any{"Receipt": code}) {
			t.Errorf("%q during the outage: %q, want it spooled", text, got)
		}
	}
	if sp.Len() != 3 {
		t.Errorf("spool holds %d, want 3", sp.Len())
	}
}

// Spaces or invisible characters alone are nothing to keep: no draft, no
// empty tip for investigators.
func TestBlankMessagesAreNotTips(t *testing.T) {
	e := newEnv(t, nil)
	for _, text := range []string{"   \n\t ", "\u200b", "\u200b\u200c\u200d\ufeff", "\u202e", "\u3164"} {
		r := e.do(reporterID, commands.Request{Text: text})
		if len(r) != 1 || r[0].Text != e.text("es", "unsupported_message", nil) || press(r, "send:") != "" {
			t.Fatalf("%q: %+v", text, r)
		}
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a blank message started a draft (%v)", err)
	}
}

// Variation selectors and the other invisible marks (the combining
// grapheme joiner, Mongolian free variation selectors, Khmer's inherent
// vowels), alone or among zero-width spaces, show nothing either: no draft
// for the reporter, no blank warning for the team to publish. After an
// emoji, a variation selector is part of a tip as any other.
func TestInvisibleMarksAloneAreNotTips(t *testing.T) {
	e := newEnv(t, nil)
	marks := []string{"\ufe0f", "\ufe0e\ufe0f", "\u034f", "\U000e0100", "\u180b", "\u17b4", "\u200b\ufe0f\u200b"}
	for _, text := range marks {
		r := e.do(reporterID, commands.Request{Text: text})
		if len(r) != 1 || r[0].Text != e.text("es", "unsupported_message", nil) || press(r, "send:") != "" {
			t.Fatalf("%q: %+v", text, r)
		}
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("invisible marks started a draft (%v)", err)
	}
	usage := e.text("es", "warn_usage", nil) + "\n\n" + e.text("es", "warn_advice", nil)
	for _, text := range marks {
		if r := e.do(reporterID, commands.Request{Command: "warn", Args: text}); len(r) != 1 || r[0].Text != usage {
			t.Fatalf("/warn %q: %+v", text, r)
		}
	}
	if list, _ := e.store.Recent(context.Background(), 5); len(list) != 0 {
		t.Fatalf("%d blank warnings stored", len(list))
	}
	if r := e.do(reporterID, commands.Request{Text: "\u2764\ufe0f"}); press(r, "send:") == "" {
		t.Fatalf("an emoji with its variation selector is not kept: %+v", r)
	}
}

// Pressing an earlier tip's Send again gives its receipt again, and says
// that what was written since is still waiting, with its own Send.
func TestOldSendSaysTheNewDraftWaits(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "primera denuncia"})
	oldSend := press(r, "send:")
	e.do(reporterID, commands.Request{Callback: oldSend})
	r = e.do(reporterID, commands.Request{Text: "segunda denuncia"})
	newSend := press(r, "send:")
	if newSend == "" || newSend == oldSend {
		t.Fatalf("second draft: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Callback: oldSend})
	if len(r) != 3 || r[2].Text != e.text("es", "draft_left", nil, 1) || press(r[2:], "send:") != newSend {
		t.Fatalf("old Send with a new draft waiting: %+v", r)
	}
	// With nothing waiting, only the receipt and the advice, as before.
	e.do(reporterID, commands.Request{Callback: newSend})
	if r = e.do(reporterID, commands.Request{Callback: oldSend}); len(r) != 2 {
		t.Fatalf("old Send, nothing waiting: %+v", r)
	}
}

// A first message whose hidden links take it over a tip's size is told so
// (it cannot go in any tip), not "something went wrong, try again".
func TestFirstMessageOverATipsSizeSaysSo(t *testing.T) {
	e := newEnv(t, nil)
	var links []string
	for i := range 100 {
		links = append(links, "https://pagos.example/"+strings.Repeat("a", 200)+string(rune('a'+i%26)))
	}
	r := e.do(reporterID, commands.Request{Text: "aquí y aquí", HiddenLinks: links, Language: "es"})
	if len(r) != 1 || r[0].Text != e.text("es", "message_too_long", map[string]any{"Max": commands.DefaultLimits.MaxMessageRunes}) {
		t.Fatalf("got %+v", r)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a draft was made: %v", err)
	}
	if strings.Contains(e.logs.String(), "level=ERROR") {
		t.Errorf("logged as an error:\n%s", e.logs.String())
	}
}

// A receipt code as a file's caption is left out of the tip (investigators
// would read it, and it lets whoever holds it act on the reporter's tip);
// the file is kept, and the reporter told.
func TestReceiptCodeAsACaptionIsLeftOut(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	r = tm.as(reporterID, "R", commands.Request{Text: "para " + code, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(r) != 1 || !strings.Contains(r[0].Text, tm.msg.Localize("en", "receipt_caption_dropped", nil)) || press(r, "send:") == "" {
		t.Fatalf("photo captioned with the code: %+v", r)
	}
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"})
	if len(shown) == 0 || strings.Contains(shown[0].Text, code) || len(shown[0].Files) != 1 {
		t.Fatalf("/tip 2: %+v", shown)
	}
	// Words that only look like a code stay the caption.
	r = tm.as(reporterID, "R", commands.Request{Text: "ABCD-EFGH-JKMN-PQR5", FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if strings.Contains(r[0].Text, tm.msg.Localize("en", "receipt_caption_dropped", nil)) {
		t.Errorf("a caption that is no tip's code was left out: %q", r[0].Text)
	}
}

// A receipt code within a sentence is cut out of the tip (investigators
// would read it; whoever holds it can act on its tip), the rest kept, and
// the reporter told; a code-like word that is no tip's code stays, and a
// message of codes alone keeps nothing.
func TestReceiptCodeInASentenceIsLeftOut(t *testing.T) {
	tm := newTeam(t)
	r := tm.as(reporterID, "R", commands.Request{Text: "cobran piso en el mercado"})
	code := codeRE.FindString(tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})[0].Text)
	spaced := strings.ReplaceAll(strings.ToLower(code), "-", " ")
	dropped := tm.msg.Localize("en", "receipt_text_dropped", nil)
	r = tm.as(reporterID, "R", commands.Request{Text: "mi código es " + code + " y la respuesta es no, el pago va a la cuenta ABCD-EFGH-JKMN-PQR5 (" + spaced + " o " + strings.ReplaceAll(code, "-", "–") + ")"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") || press(r, "send:") == "" {
		t.Fatalf("a code in a sentence: %+v", r)
	}
	tm.as(reporterID, "R", commands.Request{Callback: press(r, "send:")})
	shown := tm.as(adminID, "Ada", commands.Request{Command: "tip", Args: "2"})
	if len(shown) == 0 || strings.Contains(shown[0].Text, code) || strings.Contains(shown[0].Text, spaced) || strings.Contains(shown[0].Text, code[5:9]) ||
		!strings.Contains(shown[0].Text, "mi código es y la respuesta es no, el pago va a la cuenta ABCD-EFGH-JKMN-PQR5 ( o)") {
		t.Fatalf("/tip 2: %+v", shown)
	}
	// As NormalizeReceipt reads codes, within a sentence too: spaces of
	// other kinds, the minus sign, zero-width characters, full-width forms.
	for _, v := range []string{
		strings.ReplaceAll(code, "-", "\u00a0"), strings.ReplaceAll(code, "-", "\u2212"), strings.ReplaceAll(code, "-", "\u202f"),
		strings.ReplaceAll(code, "-", "  "), strings.Join(strings.Split(code, ""), "\u200b"),
		strings.Map(func(r rune) rune { return r + 0xFEE0 }, code), "\u200b" + code + "\u200b",
	} {
		r = tm.as(reporterID, "R", commands.Request{Text: "mi código es " + v + " y ya"})
		if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
			t.Errorf("code written as %q: %+v", v, r)
		}
		tm.as(reporterID, "R", commands.Request{Command: "cancel"})
	}
	r = tm.as(reporterID, "R", commands.Request{Text: code + ", " + code})
	if len(r) != 1 || r[0].Text != tm.msg.Localize("en", "receipt_only_message", nil) {
		t.Fatalf("a message of codes alone: %+v", r)
	}
	if r := tm.as(reporterID, "R", commands.Request{Text: "para seguir: ABCD-EFGH-JKMN-PQR5"}); len(r) != 1 || strings.Contains(r[0].Text, dropped) {
		t.Errorf("words that only look like a code were left out: %+v", r)
	}
}

// An edit of a message changes nothing Vigía keeps, and the reporter is
// told so (an edit that takes out their name must not look like it did).
func TestEditsAreAnsweredNotApplied(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(reporterID, commands.Request{Text: "me llamo Fulgencio Reyes y cobran piso"})
	if press(r, "send:") == "" {
		t.Fatalf("draft: %+v", r)
	}
	if r := e.do(reporterID, commands.Request{Edited: true, MessageID: "7"}); len(r) != 1 || r[0].Text != e.text("es", "edit_not_applied", nil) {
		t.Fatalf("an edit: %+v", r)
	}
	// Told once per message: its next edits are not answered; another
	// message's first edit is.
	if r := e.do(reporterID, commands.Request{Edited: true, MessageID: "7"}); len(r) != 0 {
		t.Fatalf("a second edit of the same message: %+v", r)
	}
	if r := e.do(reporterID, commands.Request{Edited: true, MessageID: "8"}); len(r) != 1 {
		t.Fatalf("another message's edit: %+v", r)
	}
	// An answer that did not go out (the platform failing) is given when
	// the edit comes again.
	e.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, Edited: true, MessageID: "9", EventID: 990}, failingReplier{})
	if r := e.do(reporterID, commands.Request{Edited: true, MessageID: "9", EventID: 990}); len(r) != 1 {
		t.Fatalf("the edit delivered again after a failed answer: %+v", r)
	}
	if d, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); err != nil || d.Parts != 1 {
		t.Fatalf("draft after the edit: %+v %v", d, err)
	}
	if r := e.do(reporterID, commands.Request{Edited: true, ChatID: "-100555", ChatKind: commands.Group}); len(r) != 0 {
		t.Fatalf("an edit in a group answered: %+v", r)
	}
}

// failingReplier fails every reply, as a platform that cannot be reached.
type failingReplier struct{}

func (failingReplier) Reply(context.Context, commands.Reply) error {
	return errors.New("platform down")
}

// refusingReplier refuses the replies refuse picks (counting from 1 for
// each kind of reply), as a platform answering 5xx, and records the rest.
type refusingReplier struct {
	recorder
	refuse func(rep commands.Reply) bool
}

func (r *refusingReplier) Reply(ctx context.Context, rep commands.Reply) error {
	if r.refuse(rep) {
		return errors.New("telegram sendMessage: 502")
	}
	return r.recorder.Reply(ctx, rep)
}

// receiptRefuser is a refusingReplier that refuses every reply holding a
// code (a receipt), and the count of those it refused.
func receiptRefuser() (*refusingReplier, *int) {
	refused := 0
	return &refusingReplier{refuse: func(rep commands.Reply) bool {
		if codeRE.MatchString(rep.Text) {
			refused++
			return true
		}
		return false
	}}, &refused
}

// Once a tip is stored, a reply the platform refuses is not answered with
// "your message may not have been saved" (it was): a refused receipt is
// sent once more, a refused safety advice leaves the receipt alone.
func TestStoredTipIsNotCalledUnsavedWhenARepliesFail(t *testing.T) {
	commands.ShortReceiptRetry(t)
	e := newEnv(t, nil)
	unsaved := e.text("es", "error_internal", nil)
	isReceipt := func(rep commands.Reply) bool { return receiptRE.MatchString(rep.Text) && len(rep.Buttons) == 0 }
	isAdvice := func(rep commands.Reply) bool {
		return len(rep.Buttons) > 0 && press([]commands.Reply{rep}, "wipe") != ""
	}
	for _, c := range []struct {
		name        string
		refuse      func(n map[string]int, rep commands.Reply) bool
		wantReceipt bool
	}{
		{"receipt refused once", func(n map[string]int, rep commands.Reply) bool { return isReceipt(rep) && n["receipt"] == 1 }, true},
		{"advice refused", func(n map[string]int, rep commands.Reply) bool { return isAdvice(rep) }, true},
		{"receipt refused twice", func(n map[string]int, rep commands.Reply) bool { return isReceipt(rep) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			user := "7" + strconv.Itoa(len(c.name))
			send := press(e.do(user, commands.Request{Text: "cobran piso en la tienda de la esquina"}), "send:")
			n := map[string]int{}
			w := &refusingReplier{refuse: func(rep commands.Reply) bool {
				switch {
				case isReceipt(rep):
					n["receipt"]++
				case isAdvice(rep):
					n["advice"]++
				}
				return c.refuse(n, rep)
			}}
			e.event++
			e.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: user, ChatID: user, Callback: send, EventID: e.event}, w)
			got := w.take()
			for _, r := range got {
				if r.Text == unsaved {
					t.Fatalf("told the stored tip may not have been saved: %+v", got)
				}
			}
			if has := len(got) > 0 && receiptRE.MatchString(got[0].Text); has != c.wantReceipt {
				t.Fatalf("receipt delivered %v, want %v: %+v", has, c.wantReceipt, got)
			}
			// Stored, once: pressing Send again gives the same receipt.
			again := e.do(user, commands.Request{Callback: send})
			if len(again) == 0 || !receiptRE.MatchString(again[0].Text) || (c.wantReceipt && receiptRE.FindString(again[0].Text) != receiptRE.FindString(got[0].Text)) {
				t.Fatalf("Send pressed again: %+v", again)
			}
		})
	}
}

// A photo sent as an answer goes to a draft (only its words answer) even
// when the platform refuses the "answer done" reply: the refused reply
// must not cut the handling short (it once left the photo in no draft,
// the reporter told nothing).
func TestAnswerFileKeptWhenAnswerDoneRefused(t *testing.T) {
	tm, _ := questioned(t, "¿Tiene una foto?")
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	done := tm.text("en", "answer_done", nil)
	w := &refusingReplier{refuse: func(rep commands.Reply) bool { return rep.Text == done }}
	tm.event++
	tm.mux.Handle(context.Background(), commands.Request{Platform: "telegram", UserID: reporterID, ChatID: reporterID, UserChat: reporterID, Name: "Rosa",
		EventID: tm.event, Text: "La camioneta", FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}, ReplyToBot: true, ReplyToID: "m1"}, w)
	d, err := tm.store.Draft(context.Background(), tm.store.Pseudonym("telegram", reporterID))
	if err != nil || d.Parts != 1 {
		t.Fatalf("the answer's photo is in no draft: %+v %v (replies %+v)", d, err, w.take())
	}
}

// The receipt's second try gets the reply's own time: refused just as the
// request's time ran out, it is still sent again.
func TestRefusedReceiptRetriedAfterTheRequestsTime(t *testing.T) {
	commands.ShortReceiptRetry(t)
	e := newEnv(t, nil)
	user := "7771"
	send := press(e.do(user, commands.Request{Text: "cobran piso en la tienda de la esquina"}), "send:")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	refused := false
	w := &refusingReplier{refuse: func(rep commands.Reply) bool {
		if receiptRE.MatchString(rep.Text) && len(rep.Buttons) == 0 && !refused {
			refused = true
			cancel() // the request's time is over
			return true
		}
		return false
	}}
	e.event++
	e.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: user, ChatID: user, Callback: send, EventID: e.event}, w)
	if got := w.take(); len(got) == 0 || !receiptRE.MatchString(got[0].Text) {
		t.Fatalf("no receipt after the retry: %+v", got)
	}
}

// countingStore counts the receipt lookups of cutMessageReceipts.
type countingStore struct {
	commands.Store
	lookups atomic.Int32
}

func (s *countingStore) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	s.lookups.Add(1)
	return s.Store.ReceiptsKnown(ctx, codes)
}

// The receipt codes of a message's hidden links are looked up together:
// one round trip, however many links (Telegram allows a hundred).
func TestHiddenLinksAreLookedUpOnce(t *testing.T) {
	cs := &countingStore{}
	e := newHookedEnv(t, func(s commands.Store) commands.Store { cs.Store = s; return cs }, nil)
	var links []string
	for i := range 50 {
		links = append(links, fmt.Sprintf("https://example.com/%d/AB%02d-DEFG-HJK1-MNPQ", i, i))
	}
	cs.lookups.Store(0)
	if r := e.do(reporterID, commands.Request{Text: "mira los enlaces", HiddenLinks: links}); len(r) == 0 {
		t.Fatal("no answer")
	}
	if n := cs.lookups.Load(); n != 1 {
		t.Fatalf("%d receipt lookups for one message with 50 links", n)
	}
}

// oldReceipts is a store where a tip also has a receipt code of letters
// alone, as one in 400 drawn before codes always held a digit had.
type oldReceipts struct {
	commands.Store
	old  string
	real *string
}

func (s oldReceipts) code(c string) string {
	if c == s.old {
		return *s.real
	}
	return c
}

func (s oldReceipts) TipByReceipt(ctx context.Context, code string) (tips.Tip, error) {
	return s.Store.TipByReceipt(ctx, s.code(code))
}

func (s oldReceipts) ReceiptsKnown(ctx context.Context, codes []string) ([]bool, error) {
	mapped := make([]string, len(codes))
	for i, c := range codes {
		mapped[i] = s.code(c)
	}
	return s.Store.ReceiptsKnown(ctx, mapped)
}

// A receipt code of letters alone, given out before every code held a
// digit, sent without /status is a status check too, as one with a digit
// is; words shaped like one that no tip has are a tip as any other.
func TestOldReceiptCodeOfLettersAloneIsAStatusCheck(t *testing.T) {
	var real string
	const old = "ABCD-EFGH-JKMN-PQRS"
	e := newEnv(t, func(s commands.Store) commands.Store { return oldReceipts{s, old, &real} })
	ctx := context.Background()
	real = e.sendTip(reporterID, "me cobran piso en el mercado")
	status := e.text("es", "status_received", map[string]any{"Age": e.text("es", "age_under_minute", nil)})
	for _, text := range []string{old, strings.ToLower(old) + ".", "estado " + old, "código: " + strings.ReplaceAll(old, "-", " ")} {
		r := e.do(reporterID, commands.Request{Text: text})
		if len(r) != 1 || r[0].Text != status {
			t.Fatalf("%q: %+v", text, r)
		}
		if _, err := e.store.Draft(ctx, e.store.Pseudonym("telegram", reporterID)); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("%q started a draft (%v)", text, err)
		}
	}
	r := e.do(reporterID, commands.Request{Text: "esta casa para mama"}) // shaped like one, no tip has it
	if press(r, "send:") == "" {
		t.Fatalf("words shaped like a code of letters are not kept: %+v", r)
	}
	// As a file's caption: left out, the file kept; the words stay.
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 64))
	dropped := e.text("es", "receipt_caption_dropped", nil)
	r = e.do(reporterID, commands.Request{Text: "para " + old, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(r) != 1 || !strings.Contains(r[0].Text, dropped) || press(r, "send:") == "" {
		t.Fatalf("photo captioned with the old code: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Text: "esta casa para mama", FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(r) != 1 || strings.Contains(r[0].Text, dropped) {
		t.Fatalf("a caption shaped like a code of letters was left out: %+v", r)
	}
}

// A receipt code of letters alone (given out before every code held a
// digit) is cut from a sentence, as one with a digit is, when a tip has
// it: investigators would read it. In a group's conversation it is
// removed as one with a digit is. Words shaped like one that no tip has
// stay, in a tip and in a group.
func TestOldReceiptCodeOfLettersAloneIsCutFromSentences(t *testing.T) {
	var real string
	const old = "ABCD-EFGH-JKMN-PQRS"
	e := newEnv(t, func(s commands.Store) commands.Store { return oldReceipts{s, old, &real} })
	ctx := context.Background()
	real = e.sendTip(reporterID, "me cobran piso en el mercado")
	dropped := e.text("es", "receipt_text_dropped", nil)
	r := e.do(reporterID, commands.Request{Text: "¿qué pasa con " + strings.ToLower(strings.ReplaceAll(old, "-", " ")) + "? esta casa para mama"})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, dropped+"\n\n") {
		t.Fatalf("the old code in a sentence: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Callback: press(r, "send:")})
	tip, err := e.store.TipByReceipt(ctx, receiptRE.FindString(r[0].Text))
	if err != nil || tip.Content.Text() != "¿qué pasa con? esta casa para mama" {
		t.Fatalf("the tip: %q (%v)", tip.Content.Text(), err)
	}
	// In a group's conversation: removed, the group told; words shaped
	// like one no tip has are the group's.
	group := func(text string) (*adminReplier, []commands.Reply) {
		e.event++
		w := &adminReplier{recorder: &recorder{}}
		e.mux.Handle(ctx, commands.Request{Platform: "telegram", UserID: "3003", UserChat: "3003", ChatID: "-100555", ChatKind: commands.Group,
			Text: text, EventID: e.event}, w)
		return w, w.take()
	}
	if w, r := group("ya lo denuncié, mi código es " + old + " para que vean"); !w.deleted || len(r) != 1 || r[0].Text != e.text("es", "group_private_only_removed", nil) {
		t.Errorf("the old code in a group: deleted %v, %+v", w.deleted, r)
	}
	if w, r := group("vamos a esta casa para mama luego"); w.deleted || len(r) != 0 {
		t.Errorf("words shaped like a code in a group: deleted %v, %+v", w.deleted, r)
	}
}

// The category buttons stay on the latest message about an open draft
// (each part added, the category set, the follow-up toggled), on Telegram
// and on Discord (whose messages hold five rows of five buttons at most):
// a reporter who wrote a second message can still pick a category, and
// change it; the tip goes with the last one picked.
func TestCategoryButtonsStayOnTheLatestDraftMessage(t *testing.T) {
	for _, platform := range []string{"telegram", "discord"} {
		e := newEnv(t, nil)
		ctx := context.Background()
		do := func(req commands.Request) []commands.Reply {
			t.Helper()
			req.Platform = platform
			r := e.do(reporterID, req)
			if len(r) != 1 || len(r[0].Buttons) > 5 {
				t.Fatalf("%s: %+v", platform, r)
			}
			for _, row := range r[0].Buttons {
				if len(row) > 5 {
					t.Fatalf("%s: a row of %d buttons", platform, len(row))
				}
			}
			return r
		}
		r := do(commands.Request{Text: "me cobran piso en el mercado"})
		id := strings.TrimPrefix(press(r, "send:"), "send:")
		r = do(commands.Request{Text: "cada semana, los lunes"})
		if r[0].Text != e.text("es", "draft_added", nil, 2) || press(r, "cat:"+id+":extortion") == "" {
			t.Fatalf("%s: the second message's answer has no category buttons: %+v", platform, r)
		}
		r = do(commands.Request{Callback: press(r, "cat:"+id+":violence")})
		if press(r, "cat:"+id+":extortion") == "" {
			t.Fatalf("%s: the category set, none can be picked again: %+v", platform, r)
		}
		r = do(commands.Request{Callback: press(r, "fu:")})
		if press(r, "cat:"+id+":extortion") == "" {
			t.Fatalf("%s: follow-up toggled, no category buttons: %+v", platform, r)
		}
		r = do(commands.Request{Callback: press(r, "cat:"+id+":extortion")})
		r = e.do(reporterID, commands.Request{Platform: platform, Callback: press(r, "send:")})
		tip, err := e.store.TipByReceipt(ctx, receiptRE.FindString(r[0].Text))
		if err != nil || tip.Category != tips.Extortion {
			t.Fatalf("%s: the tip's category %q (%v)", platform, tip.Category, err)
		}
	}
}

// filesGone is a store where every file of a sent draft had expired.
type filesGone struct{ commands.Store }

func (s filesGone) SubmitDraftWithin(ctx context.Context, pseudonym, draftID, language string, limit *storage.Limit) (storage.Submission, error) {
	sub, err := s.Store.SubmitDraftWithin(ctx, pseudonym, draftID, language, limit)
	sub.FilesGone = 2
	return sub, err
}

// SubmitClaimed is the Send whose claim came with the profile's read
// (storage.ProfileSend): the same steps after it, files gone alike.
func (s filesGone) SubmitClaimed(ctx context.Context, cl *storage.SendClaim, language string) (storage.Submission, error) {
	sub, err := s.Store.SubmitClaimed(ctx, cl, language)
	sub.FilesGone = 2
	return sub, err
}

// A tip sent with files that had expired before Send says so with its
// receipt: "received" never hides a file missing.
func TestReceiptTellsOfFilesGone(t *testing.T) {
	e := newEnv(t, func(s commands.Store) commands.Store { return filesGone{s} })
	r := e.do(reporterID, commands.Request{Text: "me cobran piso en el mercado"})
	r = e.do(reporterID, commands.Request{Callback: press(r, "send:")})
	code := receiptRE.FindString(r[0].Text)
	if want := e.text("es", "sent", map[string]any{"Receipt": code}) + "\n\n" + e.text("es", "sent_files_gone", nil, 2); code == "" || r[0].Text != want {
		t.Fatalf("the receipt: %q", r[0].Text)
	}
}
