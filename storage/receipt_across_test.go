package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// draftOf adds each text as a part of one draft of user's and returns
// the draft's id.
func draftOf(t *testing.T, st *storage.Store, user string, ev int64, texts ...string) (string, string) {
	t.Helper()
	p := st.Pseudonym("telegram", user)
	var d storage.Draft
	for i, text := range texts {
		var err error
		if d, err = st.AddToDraft(context.Background(), p, storage.DraftPart{EventID: ev + int64(i), Part: tips.Part{Text: text}}); err != nil {
			t.Fatal(err)
		}
	}
	return p, d.ID
}

// A receipt code pasted in two goes (its first half ending one message,
// its second starting the next) is cut when the tip is stored: the
// sealed tip does not hold its pieces, nor the blind index its groups
// (an investigator who knew the code could search for them). A
// code-like word that is no tip's code, split the same way, stays.
func TestReceiptCodeSplitAcrossPartsIsNotStored(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	code := submitText(t, st, "301", 1, "cobran piso en el mercado").Receipt
	p, id := draftOf(t, st, "302", 10, "mi código es "+code[:9], code[10:]+" gracias", "la cuenta es ABCD-EFGH", "JKMN-PQR5")
	sub, err := st.SubmitDraft(ctx, p, id, "es")
	if err != nil {
		t.Fatal(err)
	}
	indexAll(t, st)
	tip, err := st.Tip(ctx, sub.TipID)
	if err != nil {
		t.Fatal(err)
	}
	text := tip.Content.Text()
	if strings.Contains(text, code[:9]) || strings.Contains(text, code[10:]) || !tip.AcrossCut {
		t.Errorf("stored with the code's pieces: %q (marked cut: %v)", text, tip.AcrossCut)
	}
	if want := "mi código es\n\ngracias\n\nla cuenta es ABCD-EFGH\n\nJKMN-PQR5"; text != want {
		t.Errorf("stored %q, want %q", text, want)
	}
	for _, group := range []string{code[:4], code[5:9], code[10:14], code[15:]} {
		got, _, err := st.Search(ctx, group, clk.Now().Add(-time.Hour), "", 10)
		if err != nil || slices.ContainsFunc(got, func(t tips.Tip) bool { return t.ID == sub.TipID }) {
			t.Errorf("search %q finds %v, %v", group, ids(got), err)
		}
	}
	if got, _, _ := st.Search(ctx, "gracias", clk.Now().Add(-time.Hour), "", 10); len(got) != 1 || got[0].ID != sub.TipID {
		t.Errorf("the rest of the tip is not indexed: %v", ids(got))
	}
}

// A code given to a tip still in the spool (Options.HeldReceipt) is cut
// as a stored one's; a failed lookup fails the Send, the draft kept, so
// that the tip is never stored with the code.
func TestReceiptCodeSplitAcrossPartsHeldOrLookupFailed(t *testing.T) {
	ctx := context.Background()
	const held = "JCJH-0X19-7ZXF-6YQN"
	var fail atomic.Bool
	rdb := redistest.Start(t).Client()
	rdb.AddHook(pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		return fail.Load() && len(cmds) > 0 && cmds[0].Name() == "exists"
	}})
	kr, err := storage.NewKeyring([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", HeldReceipt: func(c string) bool { return c == held }})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p, id := draftOf(t, st, "303", 10, "código JCJH-0X19", "7ZXF-6YQN", "listo")
	fail.Store(true)
	if _, err := st.SubmitDraft(ctx, p, id, "es"); err == nil {
		t.Fatal("stored while the codes could not be looked up")
	}
	fail.Store(false)
	sub, err := st.SubmitDraft(ctx, p, id, "es")
	if err != nil {
		t.Fatal(err)
	}
	tip, err := st.Tip(ctx, sub.TipID)
	if err != nil {
		t.Fatal(err)
	}
	if text := tip.Content.Text(); text != "código\n\nlisto" {
		t.Errorf("stored %q", text)
	}
}

// A draft that holds nothing but a receipt code pasted in two goes is no
// tip: once the code is cut, nothing is left for investigators to read,
// so no empty tip is queued and no receipt given for it; the draft goes.
func TestReceiptCodeSplitAcrossPartsAloneIsNoTip(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	code := submitText(t, st, "304", 1, "cobran piso en el mercado").Receipt
	p, id := draftOf(t, st, "305", 10, code[:9], " "+code[10:]+" ")
	sub, err := st.SubmitDraft(ctx, p, id, "es")
	if !errors.Is(err, storage.ErrOnlyReceipts) {
		tip, _ := st.Tip(ctx, sub.TipID)
		t.Fatalf("Send: %v; stored tip %q: %q", err, sub.TipID, tip.Content.Text())
	}
	if d, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("draft left: %+v, %v", d, err)
	}
	if got, err := st.Recent(ctx, 10); err != nil || len(got) != 1 {
		t.Errorf("tips stored: %v, %v", ids(got), err)
	}
}
