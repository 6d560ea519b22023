package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A write the disk cuts short (it filled up mid-record) is answered NOT
// saved and leaves nothing behind: the records acknowledged after it stay
// readable, survive a restart and are replayed.
func TestSpoolShortWriteLosesNothing(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	a, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "A: cobran piso"}})
	if err != nil {
		t.Fatal(err)
	}
	// The disk fills up in the middle of the next record.
	restore := storage.ShortSpoolWrites(t)
	_, errB := sp.Append(storage.SpoolEntry{Pseudonym: "pB", EventID: 2, Part: tips.Part{Text: "B: " + strings.Repeat("x", 300)}})
	restore()
	if errB == nil {
		t.Fatal("a record cut short was acknowledged")
	}
	c, err := sp.Append(storage.SpoolEntry{Pseudonym: "pC", EventID: 3, Part: tips.Part{Text: "C: venden armas"}})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Len() != 2 {
		t.Fatalf("spool counts %d, want 2", sp.Len())
	}
	sp, err = storage.OpenSpool(dir, kr) // a restart
	if err != nil || sp.Len() != 2 {
		t.Fatalf("after a restart: %d %v", sp.Len(), err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	for code, want := range map[string]string{a: "A: cobran piso", c: "C: venden armas"} {
		if tip, err := st.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != want {
			t.Fatalf("receipt %s: %q %v", code, tip.Content.Text(), err)
		}
	}
}

// spoolAppend appends one tip to sp, failing the test if it cannot.
func spoolAppend(t *testing.T, sp *storage.Spool, p string, ev int64, text string) string {
	t.Helper()
	r, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: ev, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantTips fails unless every receipt names a stored tip of that text.
func wantTips(t *testing.T, st *storage.Store, want map[string]string) {
	t.Helper()
	for code, text := range want {
		if tip, err := st.TipByReceipt(context.Background(), code); err != nil || tip.Content.Text() != text {
			t.Fatalf("receipt %s: %q %v", code, tip.Content.Text(), err)
		}
	}
}

// A record sealed under a secret no longer configured (VIGIA_SECRET
// rotated, VIGIA_SECRET_PREVIOUS removed too early) used to be counted as
// nothing and to stop every replay, stranding each tip acknowledged after
// it. It is set aside in the quarantine file, counted, and the rest is
// replayed; set the old secret back and the quarantined tip is replayed.
func TestSpoolUnreadableRecordIsQuarantined(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	oldSecret, curSecret := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{7}, 32)
	old, _ := storage.NewKeyring(oldSecret)
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, old)
	if err != nil {
		t.Fatal(err)
	}
	a := spoolAppend(t, sp, "pA", 1, "A: sealed under the old secret")
	cur, _ := storage.NewKeyring(curSecret)
	if sp, err = storage.OpenSpool(dir, cur); err != nil { // restarted without the old secret
		t.Fatal(err)
	}
	if c := sp.Count(); c != (storage.SpoolCount{Unreadable: 1}) {
		t.Fatalf("after the restart: %+v", c)
	}
	b := spoolAppend(t, sp, "pB", 2, "B: acknowledged after the restart")
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{b: "B: acknowledged after the restart"})
	c := spoolAppend(t, sp, "pC", 3, "C: acknowledged after the replay")
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 1, Quarantined: 1}) {
		t.Fatalf("with C spooled: %+v", got)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("second replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{c: "C: acknowledged after the replay"})
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.replaying")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("tips.spool.replaying left behind: %v", err)
	}
	// The old secret back as the previous one: A opens, and is replayed.
	both, _ := storage.NewKeyring(curSecret, oldSecret)
	if sp, err = storage.OpenSpool(dir, both); err != nil {
		t.Fatal(err)
	}
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 1, Previous: 1}) {
		t.Fatalf("with the old secret back: %+v", got)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay of the quarantine: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{a: "A: sealed under the old secret"})
	if got := sp.Count(); got != (storage.SpoolCount{}) {
		t.Fatalf("after replaying the quarantine: %+v", got)
	}
}

// One flipped byte in a record in the middle: the records around it are
// replayed, and it alone is quarantined (still sealed).
func TestSpoolCorruptRecordIsQuarantined(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	a := spoolAppend(t, sp, "pA", 1, "A: cobran piso")
	path := filepath.Join(dir, "tips.spool")
	fi, _ := os.Stat(path)
	spoolAppend(t, sp, "pB", 2, "B: will be corrupted")
	c := spoolAppend(t, sp, "pC", 3, "C: venden armas")
	raw, _ := os.ReadFile(path)
	raw[fi.Size()+40] ^= 0x20 // inside B's sealed bytes
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if sp, err = storage.OpenSpool(dir, kr); err != nil {
		t.Fatal(err)
	}
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2, Unreadable: 1}) {
		t.Fatalf("count: %+v", got)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{a: "A: cobran piso", c: "C: venden armas"})
	if got := sp.Count(); got != (storage.SpoolCount{Quarantined: 1}) {
		t.Fatalf("after replay: %+v", got)
	}
	q, _ := os.ReadFile(filepath.Join(dir, "tips.spool.quarantine"))
	if strings.Contains(string(q), "corrupted") || len(q) < 30 {
		t.Fatalf("quarantine: %d bytes, sealed: %v", len(q), !strings.Contains(string(q), "corrupted"))
	}
}

// A record torn by a crash mid-append (never acknowledged: Append answers
// only after fsync), or the zeros some file systems leave of one, is cut
// off at start as before: no quarantine, and the tips before and after it
// are replayed. The torn records are real ones, cut where a crash can cut.
func TestSpoolTornTailIsCut(t *testing.T) {
	for name, tear := range map[string]func(path string, sizeA, sizeX int64){
		"torn length":       func(path string, a, _ int64) { os.Truncate(path, a+2) },
		"torn nonce":        func(path string, a, _ int64) { os.Truncate(path, a+4+1+12+3) },
		"torn record":       func(path string, a, _ int64) { os.Truncate(path, a+60) },
		"all but its last":  func(path string, _, x int64) { os.Truncate(path, x-1) },
		"zeros":             func(path string, a, _ int64) { os.Truncate(path, a); appendBytes(path, make([]byte, 64)) },
		"zeros, torn start": func(path string, a, _ int64) { os.Truncate(path, a); appendBytes(path, []byte{0, 0}) },
	} {
		t.Run(name, func(t *testing.T) {
			st, _, _ := newStore(t)
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			dir := t.TempDir()
			path := filepath.Join(dir, "tips.spool")
			sp, _ := storage.OpenSpool(dir, kr)
			a := spoolAppend(t, sp, "pA", 1, "A: before the crash")
			sizeA := fileSize(t, path)
			spoolAppend(t, sp, "pX", 9, "X: being written when the bot crashed "+strings.Repeat("x", 200))
			tear(path, sizeA, fileSize(t, path))
			sp, err := storage.OpenSpool(dir, kr) // the restart
			if err != nil {
				t.Fatal(err)
			}
			if got := fileSize(t, path); got != sizeA {
				t.Fatalf("file %d bytes after the restart, want the torn record cut (%d)", got, sizeA)
			}
			b := spoolAppend(t, sp, "pB", 2, "B: after the restart")
			if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2}) {
				t.Fatalf("count: %+v", got)
			}
			if n, err := sp.Replay(context.Background(), st); err != nil || n != 2 {
				t.Fatalf("replay: %d %v", n, err)
			}
			wantTips(t, st, map[string]string{a: "A: before the crash", b: "B: after the restart"})
			if _, err := os.Stat(path + ".quarantine"); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a torn record was quarantined: %v", err)
			}
		})
	}
}

// A tail that is no record and no torn one of this bot (here: a length
// and bytes no secret of the bot sealed) might be an acknowledged tip
// whose length was damaged: it is not cut but kept, counted and
// quarantined, and the tips around it are replayed.
func TestSpoolUnknownTailIsKept(t *testing.T) {
	st, _, _ := newStore(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	path := filepath.Join(dir, "tips.spool")
	sp, _ := storage.OpenSpool(dir, kr)
	a := spoolAppend(t, sp, "pA", 1, "A: before")
	junk := append([]byte{0, 0, 0, 200}, bytes.Repeat([]byte{1}, 50)...)
	appendBytes(path, junk)
	size := fileSize(t, path)
	sp, err := storage.OpenSpool(dir, kr) // the restart
	if err != nil {
		t.Fatal(err)
	}
	if got := fileSize(t, path); got != size {
		t.Fatalf("OpenSpool cut %d bytes", size-got)
	}
	b := spoolAppend(t, sp, "pB", 2, "B: after the restart")
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2, Unreadable: 1}) {
		t.Fatalf("count: %+v", got)
	}
	if n, err := sp.Replay(context.Background(), st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{a: "A: before", b: "B: after the restart"})
	if got := sp.Count(); got != (storage.SpoolCount{Quarantined: 1}) {
		t.Fatalf("after the replay: %+v", got)
	}
	if q, _ := os.ReadFile(path + ".quarantine"); !bytes.Contains(q, junk) {
		t.Fatal("the quarantine does not hold the tail's bytes")
	}
}

// One flipped bit in a record's length field, wherever the record is and
// whatever the length becomes, loses no record: not the ones after it
// (this used to cut the file there, as if torn by a crash, deleting tips
// whose reporters had been told "received", with vigia_spool_size 0), and
// not the damaged one, which still opens once its end is found.
func TestSpoolDamagedLengthLosesNothing(t *testing.T) {
	pastTheEnd := func(n uint32) uint32 { return n | 0x10000 }
	for name, c := range map[string]struct {
		rec  int
		flip func(n uint32) uint32
	}{
		"first, past the end":  {0, pastTheEnd},
		"first, not a length":  {0, func(n uint32) uint32 { return n | 0x1000000 }},
		"first, shorter":       {0, func(n uint32) uint32 { return n & (n - 1) }},
		"first, longer":        {0, func(n uint32) uint32 { return n | unsetBit(n, 0x20) }},
		"middle, past the end": {1, pastTheEnd},
		"middle, shorter":      {1, func(n uint32) uint32 { return n & (n - 1) }},
		"last, past the end":   {2, pastTheEnd},
		"last, longer":         {2, func(n uint32) uint32 { return n | unsetBit(n, 0x20) }},
	} {
		t.Run(name, func(t *testing.T) {
			st, _, _ := newStore(t)
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			dir := t.TempDir()
			path := filepath.Join(dir, "tips.spool")
			sp, _ := storage.OpenSpool(dir, kr)
			want := map[string]string{}
			var starts []int64
			for i, text := range []string{"A: cobran piso", "B: venden armas " + strings.Repeat("b", 100), "C: la camioneta blanca"} {
				starts = append(starts, fileSize(t, path))
				want[spoolAppend(t, sp, "p"+text[:1], int64(i+1), text)] = text
			}
			size := fileSize(t, path)
			flipLength(t, path, starts[c.rec], c.flip)
			sp, err := storage.OpenSpool(dir, kr) // the restart
			if err != nil {
				t.Fatal(err)
			}
			if got := fileSize(t, path); got != size {
				t.Fatalf("OpenSpool cut %d bytes of acknowledged records", size-got)
			}
			if got := sp.Count(); got != (storage.SpoolCount{Waiting: 3}) {
				t.Fatalf("count: %+v", got)
			}
			if n, err := sp.Replay(context.Background(), st); err != nil || n != 3 {
				t.Fatalf("replay: %d %v", n, err)
			}
			wantTips(t, st, want)
		})
	}
}

// A damaged length in a record no configured secret opens (sealed under a
// secret since removed): it cannot be told from a torn record by its
// bytes, so it is quarantined whole, never cut, and the records after it
// are replayed.
func TestSpoolDamagedLengthUnderAnotherSecret(t *testing.T) {
	for name, rec := range map[string]int{"first": 0, "last": 2} {
		t.Run(name, func(t *testing.T) {
			st, _, _ := newStore(t)
			old, _ := storage.NewKeyring(bytes.Repeat([]byte{1}, 32))
			cur, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
			dir := t.TempDir()
			path := filepath.Join(dir, "tips.spool")
			want := map[string]string{}
			var starts []int64
			for i, text := range []string{"A: cobran piso", "B: venden armas", "C: la camioneta blanca"} {
				kr := cur
				if i == rec {
					kr = old
				}
				sp, _ := storage.OpenSpool(dir, kr)
				starts = append(starts, fileSize(t, path))
				r := spoolAppend(t, sp, "p"+text[:1], int64(i+1), text)
				if i != rec {
					want[r] = text
				}
			}
			size := fileSize(t, path)
			raw, _ := os.ReadFile(path)
			end := size
			if rec < 2 {
				end = starts[rec+1]
			}
			sealed := raw[starts[rec]+4 : end]
			flipLength(t, path, starts[rec], func(n uint32) uint32 { return n | 0x10000 })
			sp, err := storage.OpenSpool(dir, cur) // the restart
			if err != nil {
				t.Fatal(err)
			}
			if got := fileSize(t, path); got != size {
				t.Fatalf("OpenSpool cut %d bytes of acknowledged records", size-got)
			}
			if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2, Unreadable: 1}) {
				t.Fatalf("count: %+v", got)
			}
			if n, err := sp.Replay(context.Background(), st); err != nil || n != 2 {
				t.Fatalf("replay: %d %v", n, err)
			}
			wantTips(t, st, want)
			if got := sp.Count(); got != (storage.SpoolCount{Quarantined: 1}) {
				t.Fatalf("after the replay: %+v", got)
			}
			if q, _ := os.ReadFile(path + ".quarantine"); !bytes.Contains(q, sealed) {
				t.Fatal("the quarantine does not hold the damaged record's bytes")
			}
		})
	}
}

// unsetBit is the lowest bit from 'from' up that n does not have.
func unsetBit(n, from uint32) uint32 {
	for n&from != 0 {
		from <<= 1
	}
	return from
}

// flipLength rewrites the length of the record at off in the spool file.
func flipLength(t *testing.T, path string, off int64, flip func(uint32) uint32) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(raw[off:])
	binary.BigEndian.PutUint32(raw[off:], flip(n))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// fileSize is the size of the file at path, 0 if there is none yet.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func appendBytes(path string, b []byte) {
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(b)
	f.Close()
}

// OpenSpool proves the directory takes writes (a probe file written,
// fsynced and removed): a spool that cannot be written must stop the bot
// at start, not fail the first tip of an outage.
func TestOpenSpoolFailsWhenNotWritable(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	if _, err := storage.OpenSpool(dir, kr); err != nil {
		t.Fatalf("a writable directory: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*probe*")); len(files) != 0 {
		t.Fatalf("the probe was left behind: %v", files)
	}
	// The probe's name taken by a directory: no file can be written there
	// (the way that fails even for root, which ignores permission bits).
	if err := os.Mkdir(filepath.Join(dir, "tips.spool.probe"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.OpenSpool(dir, kr); err == nil {
		t.Fatal("OpenSpool succeeded where nothing can be written")
	}
	if os.Geteuid() != 0 {
		ro := t.TempDir()
		if err := os.Chmod(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o700) })
		if _, err := storage.OpenSpool(ro, kr); err == nil {
			t.Fatal("OpenSpool succeeded on a read-only directory")
		}
	}
}

// A tip spooled during an outage is dated when it was spooled, not when
// it was replayed hours later; a record of an earlier version (no time)
// takes the replay's.
func TestSpooledTipKeepsItsTime(t *testing.T) {
	st, srv, clk := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	sent := clk.Now().Truncate(time.Millisecond)
	a, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "vienen esta noche"}, At: sent})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(5 * time.Hour) // the outage
	b, err := sp.Append(storage.SpoolEntry{Pseudonym: "pB", EventID: 2, Part: tips.Part{Text: "otro"}, At: clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	tip, err := st.TipByReceipt(ctx, a)
	if err != nil || !tip.Created.Equal(sent) {
		t.Fatalf("spooled at %v, dated %v (%v)", sent, tip.Created, err)
	}
	// Its retention (48 h here) counts from then too.
	if ttl := srv.Client().PTTL(ctx, "t:{tips}:tip:"+tip.ID).Val(); ttl > 43*time.Hour || ttl < 42*time.Hour {
		t.Errorf("a tip spooled 5 h ago lives %v more, want about 43 h", ttl)
	}
	// A time ahead of the store's clock is not believed.
	if tip, err := st.TipByReceipt(ctx, b); err != nil || !tip.Created.Equal(clk.Now().Truncate(time.Millisecond)) {
		t.Fatalf("a time ahead: dated %v, now %v (%v)", tip.Created, clk.Now(), err)
	}
}

// A message spooled while Redis hung, whose draft write was already on its
// way and ran when Redis resumed, is kept once: the spooled tip has it,
// and the draft's Send leaves it out (and, if nothing else is left, says
// so instead of sending it again).
func TestSpooledMessageIsNotSentAgainWithTheDraft(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "61")
	// The ghost: the draft write of event 7 ran; the handler had given up
	// and spooled the same message.
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 7, Part: tips.Part{Text: "cobran piso en la tienda"}}); err != nil {
		t.Fatal(err)
	}
	code, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 7, Part: tips.Part{Text: "cobran piso en la tienda"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 8, Part: tips.Part{Text: "y traen armas"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	if tip, err := st.TipByReceipt(ctx, sub.Receipt); err != nil || tip.Content.Text() != "y traen armas" {
		t.Fatalf("the draft's tip: %q %v, want only the message not spooled", tip.Content.Text(), err)
	}
	if tip, err := st.TipByReceipt(ctx, code); err != nil || tip.Content.Text() != "cobran piso en la tienda" {
		t.Fatalf("the spooled tip: %q %v", tip.Content.Text(), err)
	}
	// A draft of nothing but a spooled message: nothing is sent, and the
	// draft is gone (a later message starts a new one).
	d, err = st.AddToDraft(ctx, p, storage.DraftPart{EventID: 9, Part: tips.Part{Text: "otro aviso"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Append(storage.SpoolEntry{Pseudonym: p, EventID: 9, Part: tips.Part{Text: "otro aviso"}}); err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); !errors.Is(err, storage.ErrDraftSpooled) {
		t.Fatalf("Send of a draft already spooled: %v", err)
	}
	// The same Send again (its answer lost): the same answer, not "gone".
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); !errors.Is(err, storage.ErrDraftSpooled) {
		t.Fatalf("Send of a draft already spooled, pressed again: %v", err)
	}
	if _, err := st.Draft(ctx, p); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the spooled draft is still there: %v", err)
	}
	d, err = st.AddToDraft(ctx, p, storage.DraftPart{EventID: 10, Part: tips.Part{Text: "nuevo"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil || sub.Repeat {
		t.Fatalf("a new draft after it: %+v %v", sub, err)
	}
}

// A replay that both quarantines a record of the spool (damaged, or under
// a secret no longer set) and replays one from the quarantine (its old
// secret set back) keeps both records it could not open: rewriting the
// quarantine file dropped the one just added, an acknowledged tip lost.
func TestSpoolReplayKeepsWhatItQuarantinesWhileReplayingQuarantine(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	oldSecret, curSecret := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{7}, 32)
	old, _ := storage.NewKeyring(oldSecret)
	cur, _ := storage.NewKeyring(curSecret)
	dir := t.TempDir()
	path := filepath.Join(dir, "tips.spool")
	sp, err := storage.OpenSpool(dir, old)
	if err != nil {
		t.Fatal(err)
	}
	a := spoolAppend(t, sp, "pA", 1, "A: sealed under the old secret")
	if sp, err = storage.OpenSpool(dir, cur); err != nil { // restarted under the new secret alone
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 0 {
		t.Fatalf("replay: %d %v", n, err)
	}
	spoolAppend(t, sp, "pB", 2, "B: acknowledged, then a bit flips")
	c := spoolAppend(t, sp, "pC", 3, "C: venden armas")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[40] ^= 0x20 // a byte of B's record rots
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	both, _ := storage.NewKeyring(curSecret, oldSecret) // the old secret set back
	if sp, err = storage.OpenSpool(dir, both); err != nil {
		t.Fatal(err)
	}
	if got := sp.Count(); got != (storage.SpoolCount{Waiting: 2, Previous: 1, Unreadable: 1}) {
		t.Fatalf("before the replay: %+v", got)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{a: "A: sealed under the old secret", c: "C: venden armas"})
	if got := sp.Count(); got != (storage.SpoolCount{Quarantined: 1}) {
		t.Fatalf("B's record is gone: %+v", got)
	}
	if sp, err = storage.OpenSpool(dir, both); err != nil || sp.Count() != (storage.SpoolCount{Quarantined: 1}) {
		t.Fatalf("after a restart: %+v %v", sp.Count(), err)
	}
}

// Once every tip is replayed, the spool directory holds no sealed data:
// not the replayed files, nor the copy a crash left while the quarantine
// file was being rewritten (the quarantine file, replaced only by a
// rename, still held every record of it).
func TestSpoolReplayLeavesNoSealedRemnants(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	oldSecret, curSecret := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{7}, 32)
	old, _ := storage.NewKeyring(oldSecret)
	cur, _ := storage.NewKeyring(curSecret)
	both, _ := storage.NewKeyring(curSecret, oldSecret)
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, old)
	if err != nil {
		t.Fatal(err)
	}
	a := spoolAppend(t, sp, "pA", 1, "A: sealed under the old secret")
	if sp, err = storage.OpenSpool(dir, cur); err != nil { // the old secret dropped too early
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 0 {
		t.Fatalf("replay: %d %v", n, err)
	}
	// A crash while the quarantine file was being rewritten: its new
	// version written, not yet renamed into place.
	q := filepath.Join(dir, "tips.spool.quarantine")
	held, err := os.ReadFile(q)
	if err != nil || len(held) == 0 {
		t.Fatalf("quarantine: %d bytes %v", len(held), err)
	}
	if err := os.WriteFile(q+".new", held, 0o600); err != nil {
		t.Fatal(err)
	}
	if sp, err = storage.OpenSpool(dir, both); err != nil { // restarted, the old secret set back
		t.Fatal(err)
	}
	b := spoolAppend(t, sp, "pB", 2, "B: venden armas")
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	wantTips(t, st, map[string]string{a: "A: sealed under the old secret", b: "B: venden armas"})
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		if e.Name() != "lock" {
			t.Errorf("left in the spool directory after every tip was replayed: %s", e.Name())
		}
	}
}

// A receipt code of letters alone (drawn before every code held a digit)
// written in a spooled message is cut at the replay when a tip has it, as
// one with a digit is; words shaped like one that no tip has stay.
func TestSpooledOldReceiptCodeIsCutAtReplay(t *testing.T) {
	st, _, clk := newStore(t)
	ctx := context.Background()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	const old = "ABCD-EFGH-JKMN-PQRS"
	first, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 1, Part: tips.Part{Text: "vienen esta noche"}, At: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	second, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 2, Part: tips.Part{Text: "qué pasa con abcd efgh jkmn pqrs? esta casa para mama"}, At: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	tip, err := st.TipByReceipt(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if want := "qué pasa con abcd efgh jkmn pqrs? esta casa para mama"; tip.Content.Text() != want {
		t.Fatalf("no tip has the code yet, the text changed: %q", tip.Content.Text())
	}
	// Now a tip has it: the same message spooled again is cut.
	a, _ := st.TipByReceipt(ctx, first)
	if err := st.GiveReceipt(ctx, a.ID, old); err != nil {
		t.Fatal(err)
	}
	third, err := sp.Append(storage.SpoolEntry{Pseudonym: "pA", EventID: 3, Part: tips.Part{Text: "qué pasa con abcd efgh jkmn pqrs? esta casa para mama"}, At: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	if tip, err := st.TipByReceipt(ctx, third); err != nil || tip.Content.Text() != "qué pasa con? esta casa para mama" {
		t.Fatalf("the spooled tip: %q %v", tip.Content.Text(), err)
	}
}

// A message the platform delivers again and again while Redis is down (a
// restart, a handler that gave up, each before the platform heard it was
// handled) may be spooled more than once: it is one tip, under the one
// receipt each delivery was given, and a delivery spooled in a later
// outage, after the replay, makes no second tip either.
func TestSameMessageSpooledTwiceIsReplayedOnce(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "62")
	e := storage.SpoolEntry{Pseudonym: p, EventID: 5, Part: tips.Part{Text: "cobran piso en la tienda"}}
	first := spoolAppend(t, sp, p, 5, e.Part.Text)
	if again, err := sp.Append(e); err != nil || again != first {
		t.Fatalf("spooled again: receipt %q %v, first %q", again, err, first)
	}
	if n, err := sp.Replay(ctx, st); err != nil || n != 2 {
		t.Fatalf("replay: %d %v", n, err)
	}
	// A later outage: delivered once more, and spooled.
	if again, err := sp.Append(e); err != nil || again != first {
		t.Fatalf("spooled after the replay: receipt %q %v, first %q", again, err, first)
	}
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want 1: %v", len(list), err)
	}
	if tip, err := st.TipByReceipt(ctx, first); err != nil || tip.Content.Text() != e.Part.Text {
		t.Fatalf("the tip: %q %v", tip.Content.Text(), err)
	}
	if sp.Len() != 0 {
		t.Fatalf("%d left in the spool", sp.Len())
	}
}

// A message's mark as sent in a tip (finishDraft) is keyed with the MAC
// keys kept in Redis, which a rotation of VIGIA_SECRET leaves as they
// are: the message delivered again after rotate-key, and spooled, is
// still known to be in its tip, not replayed as a second one.
func TestSentMarkOutlivesASecretRotation(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	old := rekeyStore(t, srv.Client(), secretA)
	p := old.Pseudonym("telegram", "63")
	const text = "cobran piso en la tienda de la esquina"
	d, err := old.AddToDraft(ctx, p, storage.DraftPart{EventID: 5, Part: tips.Part{Text: text}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := old.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	rotating := rekeyStore(t, srv.Client(), secretB, secretA)
	if _, err := rotating.Rekey(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// Rotated: VIGIA_SECRET_PREVIOUS removed, the bot restarted.
	kr, err := storage.NewKeyring(secretB)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	again := spoolAppend(t, sp, st.Pseudonym("telegram", "63"), 5, text)
	if _, err := sp.Replay(ctx, st); err != nil {
		t.Fatal(err)
	}
	if list, err := st.Recent(ctx, 10); err != nil || len(list) != 1 {
		t.Fatalf("%d tips, want the one sent: %v", len(list), err)
	}
	if tip, err := st.TipByReceipt(ctx, sub.Receipt); err != nil || tip.Content.Text() != text {
		t.Fatalf("the sent tip: %q %v", tip.Content.Text(), err)
	}
	if why, err := st.ReceiptNoTip(ctx, again); err != nil || why != storage.NoTipSent {
		t.Fatalf("the receipt of the message spooled again: %q %v", why, err)
	}
}

// A spool file that cannot be read (here a directory where the file being
// replayed belongs) is no longer counted as empty without a word: Counted
// returns its error, and still counts the files it can read.
func TestSpoolCountedSaysAFileCannotBeRead(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	spoolAppend(t, sp, "pA", 1, "cobran piso")
	if err := os.Mkdir(filepath.Join(dir, "tips.spool.replaying"), 0o700); err != nil {
		t.Fatal(err)
	}
	c, err := sp.Counted()
	if err == nil {
		t.Fatal("a spool file that cannot be read, counted without an error")
	}
	if c.Waiting != 1 {
		t.Fatalf("the readable file's tips: %d counted, want 1", c.Waiting)
	}
}
