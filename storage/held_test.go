package storage_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
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

// Answerers names every reporter with answering marks, on each master of
// a cluster, and no one else: not a reporter with other keys only, not
// one under another prefix on the same Redis.
func TestAnswerersAreTheReportersWithMarks(t *testing.T) {
	ctx := context.Background()
	cl := redistest.StartCluster(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := storage.New(cl.Client(), kr, storage.Options{Prefix: "c2"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 12 { // (spread over the three masters)
		p := st.Pseudonym("telegram", strconv.Itoa(1000+i))
		if err := st.SetAnswering(ctx, p, `{"x":{}}`, time.Hour); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	if err := other.SetAnswering(ctx, st.Pseudonym("telegram", "2000"), `{"x":{}}`, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.SetLanguage(ctx, st.Pseudonym("telegram", "2001"), "es"); err != nil {
		t.Fatal(err)
	}
	got, err := st.Answerers(ctx)
	slices.Sort(got)
	slices.Sort(want)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("answerers: %v (%v), want %v", got, err, want)
	}
}
