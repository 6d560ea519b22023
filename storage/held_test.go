package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
)

// The sweep's schedule of held messages answers those due now, the
// longest due first; a reschedule moves one, and does not make again an
// entry dropped meanwhile (its message gone, another process sweeping).
func TestHeldScheduleAnswersTheDueOnesAndIsNotRevived(t *testing.T) {
	ctx := context.Background()
	st, _, clk := newStore(t)
	now := clk.Now()
	a := storage.HeldRef{Pseudonym: "p:a", ID: "01"} // (a ':' in a pseudonym is read back whole)
	b := storage.HeldRef{Pseudonym: "pb", ID: "02"}
	c := storage.HeldRef{Pseudonym: "pc", ID: "03"}
	for ref, at := range map[storage.HeldRef]time.Time{a: now.Add(-time.Minute), b: now.Add(-time.Hour), c: now.Add(time.Minute)} {
		if err := st.ScheduleHeld(ctx, ref, at); err != nil {
			t.Fatal(err)
		}
	}
	due := func() []storage.HeldRef {
		t.Helper()
		d, err := st.DueHeld(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := due(); !slices.Equal(d, []storage.HeldRef{b, a}) {
		t.Fatalf("due: %v, want %v", d, []storage.HeldRef{b, a})
	}
	if err := st.RescheduleHeld(ctx, b, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.UnscheduleHeld(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.RescheduleHeld(ctx, a, now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := due(); len(d) != 0 {
		t.Fatalf("due after b's reschedule and a's end: %v", d)
	}
	clk.Add(2 * time.Hour)
	if d := due(); !slices.Equal(d, []storage.HeldRef{c, b}) {
		t.Fatalf("due two hours later: %v, want %v", d, []storage.HeldRef{c, b})
	}
}
