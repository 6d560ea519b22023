package storage

import (
	"fmt"
	"strconv"
	"testing"
)

// HoldsReceipt answers from the receipts index, which follows held:
// two entries under one receipt (a code given with the entry) keep it
// held until both are replayed, and the same message spooled twice is
// one entry, released once. Mutations: release dropping the receipt
// whatever its count -> "one of two replayed" fails; hold counting the
// same message spooled again -> "spooled twice, replayed" fails.
func TestSpoolReceiptsIndexFollowsHeld_receipts(t *testing.T) {
	sp := &Spool{held: map[string]string{}, receipts: map[string]int{}}
	const code, other = "K7QD-9XMA-R2TP-4WZN", "ABCD-EFGH-JKMN-PQR5"
	sp.hold(SpoolEntry{Pseudonym: "pA", EventID: 1, Receipt: code})
	sp.hold(SpoolEntry{Pseudonym: "pB", EventID: 2, Receipt: code})
	if !sp.HoldsReceipt(code) || sp.HoldsReceipt(other) {
		t.Fatalf("two held: %v %v", sp.HoldsReceipt(code), sp.HoldsReceipt(other))
	}
	sp.release(spooledKey("pA", 1))
	if !sp.HoldsReceipt(code) {
		t.Error("one of two replayed: the other's receipt no longer held")
	}
	sp.release(spooledKey("pB", 2))
	if sp.HoldsReceipt(code) {
		t.Error("both replayed: still held")
	}
	sp.hold(SpoolEntry{Pseudonym: "pC", EventID: 3, Receipt: other})
	sp.hold(SpoolEntry{Pseudonym: "pC", EventID: 3, Receipt: other}) // (delivered again)
	sp.release(spooledKey("pC", 3))
	if sp.HoldsReceipt(other) || len(sp.receipts) != 0 || len(sp.held) != 0 {
		t.Errorf("spooled twice, replayed: held %v, index %v", sp.HoldsReceipt(other), sp.receipts)
	}
	sp.release(spooledKey("pC", 3)) // (none: nothing changes)
	if len(sp.receipts) != 0 {
		t.Errorf("released twice: index %v", sp.receipts)
	}
}

// BenchmarkSpoolHoldsReceipts_receipts is what a message's code-like
// words cost to look up in the spool during an outage (a lookup asks
// HoldsReceipt of each: CutReceipts at the replay, the live path's
// receiptsKnown), 2,048 codes against spools of 10 and 10,000 entries.
// Walking held for each code, it grew as codes × entries.
func BenchmarkSpoolHoldsReceipts_receipts(b *testing.B) {
	codes := make([]string, 2048)
	for i := range codes {
		codes[i] = fmt.Sprintf("A%03d-B%03d-C%03d-D%03d", i%1000, i/1000, i%997, i%991)
	}
	for _, n := range []int{10, 10000} {
		sp := &Spool{held: map[string]string{}, receipts: map[string]int{}}
		for i := range n {
			sp.hold(SpoolEntry{Pseudonym: "p" + strconv.Itoa(i), EventID: int64(i), Receipt: fmt.Sprintf("Z%03d-Y%03d-X%03d-W%03d", i%1000, i/1000, i%997, i%991)})
		}
		b.Run("spool-"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				for _, c := range codes {
					if sp.HoldsReceipt(c) {
						b.Fatal(c)
					}
				}
			}
		})
	}
}
