package storage_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/vigia-project/vigia/storage"
)

// BenchmarkHoldVoidsManyCodes_revreceipts is HoldVoids of the most codes
// a group message reads (tips.ReceiptCodesIn: some 2,048), none held
// yet, each run in a spool of its own (the fsynced append included).
func BenchmarkHoldVoidsManyCodes_revreceipts(b *testing.B) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	codes := make([]string, 2048)
	for i := range codes {
		codes[i] = fmt.Sprintf("A%03d-B%03d-C%03d-D%03d", i%1000, i/1000, i, i)
	}
	for b.Loop() {
		b.StopTimer()
		sp, err := storage.OpenSpool(b.TempDir(), kr)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := sp.HoldVoids(codes); err != nil {
			b.Fatal(err)
		}
	}
}
