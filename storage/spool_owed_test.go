package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// A spooled tip's receipt the platform refused is kept for its
// reporter's next message: sealed on the spool's disk (never the code in
// clear), through a restart, until it is told; under another secret the
// file is set aside, not deleted.
func TestOwedReceiptsOutliveARestartSealed(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	const code = "K7QD-9XMA-R2TP-4WZN"
	// (Long enough not to be found in the sealed bytes by chance: two
	// bytes would be, in one run out of a few hundred.)
	const pA, pB = "pseudonym-of-reporter-A", "pseudonym-of-reporter-B"
	if _, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: pA, EventID: 7, Receipt: code, Note: "spool_file_lost"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: pB, EventID: 8, Receipt: "ABCD-EFGH-JKMN-PQR5"}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(code)) || bytes.Contains(b, []byte(strings.ReplaceAll(code, "-", ""))) || bytes.Contains(b, []byte(pA)) {
			t.Fatalf("%s holds the receipt or the pseudonym in clear", filepath.Base(f))
		}
	}
	if sp, err = storage.OpenSpool(dir, kr); err != nil { // a restart
		t.Fatal(err)
	}
	if got := sp.OwedReceipts(pA); len(got) != 1 || got[0].Receipt != code || got[0].EventID != 7 || got[0].Note != "spool_file_lost" {
		t.Fatalf("after a restart: %+v", got)
	}
	if err := sp.ReceiptsTold(pA, []int64{7}); err != nil {
		t.Fatal(err)
	}
	if sp, err = storage.OpenSpool(dir, kr); err != nil {
		t.Fatal(err)
	}
	if got := sp.OwedReceipts(pA); len(got) != 0 {
		t.Fatalf("told, still owed: %+v", got)
	}
	if got := sp.OwedReceipts(pB); len(got) != 1 {
		t.Fatalf("another reporter's owed receipt lost: %+v", got)
	}
	other, _ := storage.NewKeyring(bytes.Repeat([]byte{4}, 32))
	if sp, err = storage.OpenSpool(dir, other); err != nil {
		t.Fatalf("a file under another secret stopped the spool: %v", err)
	}
	if got := sp.OwedReceipts(pB); len(got) != 0 {
		t.Fatalf("opened under another secret: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "tips.spool.owed.unreadable")); err != nil {
		t.Fatalf("not set aside: %v", err)
	}
}

// Owed receipts outlive a rotation of the secret: the bot started with
// both secrets seals them again under the new one, so that once the old
// one is removed they still open. A file set aside under a secret the bot
// no longer had is read back once a secret that opens it is configured
// again (VIGIA_SECRET_PREVIOUS), and a second file set aside does not
// replace the first.
func TestOwedReceiptsOutliveASecretRotation(t *testing.T) {
	secret := testSecret
	keyring := func(s ...[]byte) *storage.Keyring { return testKeyring(t, s...) }
	oldS, newS, otherS := secret(5), secret(6), secret(7)
	dir := t.TempDir()
	open := func(kr *storage.Keyring) *storage.Spool {
		t.Helper()
		sp, err := storage.OpenSpool(dir, kr)
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	owed := func(sp *storage.Spool, pseudonym string) bool {
		got := sp.OwedReceipts(pseudonym)
		return len(got) == 1 && got[0].Receipt != ""
	}
	const pA, pB = "pseudonym-of-reporter-A", "pseudonym-of-reporter-B"
	if _, err := open(keyring(oldS)).OweReceipt(storage.OwedReceipt{Pseudonym: pA, EventID: 7, Receipt: "K7QD-9XMA-R2TP-4WZN"}); err != nil {
		t.Fatal(err)
	}
	// The rotation: new and old secret, then the new one alone.
	if sp := open(keyring(newS, oldS)); !owed(sp, pA) {
		t.Fatalf("during the rotation: %+v", sp.OwedReceipts(pA))
	}
	if sp := open(keyring(newS)); !owed(sp, pA) {
		t.Fatalf("after the rotation: %+v", sp.OwedReceipts(pA))
	}

	// A secret set by mistake: the file is set aside, not lost.
	sp := open(keyring(otherS))
	if len(sp.OwedReceipts(pA)) != 0 {
		t.Fatal("opened under another secret")
	}
	if _, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: pB, EventID: 8, Receipt: "ABCD-EFGH-JKMN-PQR5"}); err != nil {
		t.Fatal(err)
	}
	// Back to the right secret: pB's file is set aside too, and pA's,
	// set aside before, is read back.
	if sp := open(keyring(newS)); !owed(sp, pA) || len(sp.OwedReceipts(pB)) != 0 {
		t.Fatalf("the right secret back: %+v, %+v", sp.OwedReceipts(pA), sp.OwedReceipts(pB))
	}
	// The mistaken secret as the previous one: pB's file is read back.
	if sp := open(keyring(newS, otherS)); !owed(sp, pA) || !owed(sp, pB) {
		t.Fatalf("with the other secret as the previous one: %+v, %+v", sp.OwedReceipts(pA), sp.OwedReceipts(pB))
	}
	if sp := open(keyring(newS)); !owed(sp, pA) || !owed(sp, pB) {
		t.Fatalf("read back, then the previous secret removed: %+v, %+v", sp.OwedReceipts(pA), sp.OwedReceipts(pB))
	}
	if aside, _ := filepath.Glob(filepath.Join(dir, "tips.spool.owed.unreadable*")); len(aside) != 0 {
		t.Fatalf("read back, still set aside: %v", aside)
	}
}

// Past the limit of receipts owed at once, the oldest is dropped (its
// reporter is the least likely to write again), and each drop is counted:
// OweReceipt says how many, Owed how many since the spool was opened.
func TestOwedReceiptsOverTheLimitDropTheOldestCounted(t *testing.T) {
	storage.SmallOwedLimit(t, 3)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{3}, 32))
	dir := t.TempDir()
	sp, err := storage.OpenSpool(dir, kr)
	if err != nil {
		t.Fatal(err)
	}
	reporter := func(i int) string { return "pseudonym-of-reporter-" + string(rune('A'+i)) }
	for i := range 5 {
		dropped, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: reporter(i), EventID: int64(i), Receipt: "K7QD-9XMA-R2TP-4WZN"})
		if want := max(0, i-2) - max(0, i-3); err != nil || dropped != want {
			t.Fatalf("receipt #%d: %d dropped, want %d (%v)", i+1, dropped, want, err)
		}
	}
	if waiting, dropped := sp.Owed(); waiting != 3 || dropped != 2 {
		t.Fatalf("owed: %d waiting, %d dropped", waiting, dropped)
	}
	// The same receipt owed again (its message delivered again) drops
	// nothing.
	if dropped, err := sp.OweReceipt(storage.OwedReceipt{Pseudonym: reporter(4), EventID: 4, Receipt: "K7QD-9XMA-R2TP-4WZN"}); err != nil || dropped != 0 {
		t.Fatalf("owed again: %d dropped (%v)", dropped, err)
	}
	sp, err = storage.OpenSpool(dir, kr) // a restart
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if got := len(sp.OwedReceipts(reporter(i))); got != min(1, max(0, i-1)) {
			t.Errorf("reporter #%d: %d owed after a restart", i+1, got)
		}
	}
}

// testSecret is a 32-byte secret of byte b.
func testSecret(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// testKeyring is a keyring of secrets, the first current and the rest
// previous.
func testKeyring(t *testing.T, secrets ...[]byte) *storage.Keyring {
	t.Helper()
	kr, err := storage.NewKeyring(secrets[0], secrets[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}
