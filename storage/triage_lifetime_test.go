package storage_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A dismissal overtaken by a verification recorded after it (two /triage
// racing, or the dismissal's script run again late): the tip reads
// verified, and it, its history, its receipt and its photo live as long
// as a verified tip does, not the hour a dismissal gives: the dismissal's
// late steps do not shred the verified tip on the dismissed schedule.
// Mutation: expireTip setting the lifetime whatever the last decision
// (no "dn" check in expireDecided) -> the verified tip lives an hour.
func TestOvertakenDecisionLeavesTheLaterLifetime(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "t", Retention: 48 * time.Hour,
		ClosedRetention: time.Hour, VerifiedRetention: 10 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "804")
	d, _ := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:804", Part: tips.Part{Text: "venta de armas en la calle Juárez"}})
	ref, err := st.PutFile(ctx, []byte("foto"))
	if err != nil {
		t.Fatal(err)
	}
	st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Photo, FileRef: ref}}})
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	raced := false
	storage.AfterDecide(t, func() {
		if raced {
			return
		}
		raced = true // the dismissal is recorded; its after-steps wait
		if err := st.Decide(ctx, sub.TipID, storage.Claimer{Key: "inv-c", Name: "Cy"}, storage.Decision{Status: tips.StatusVerified}); err != nil {
			t.Error(err)
		}
	})
	if err := st.Decide(ctx, sub.TipID, storage.Claimer{Key: "inv-b", Name: "Bob"}, storage.Decision{Status: tips.StatusDismissed}); err != nil || !raced {
		t.Fatalf("dismissal: %v (raced %v)", err, raced)
	}
	if tp, err := st.Tip(ctx, sub.TipID); err != nil || tp.Status != tips.StatusVerified {
		t.Fatalf("tip %+v %v: want verified", tp.Status, err)
	}
	c := srv.Client()
	keys := []string{"t:{tips}:tip:" + sub.TipID, "t:{tips}:log:" + sub.TipID}
	receipts, _ := c.Keys(ctx, "t:{tips}:receipt:*").Result()
	files, _ := c.Keys(ctx, "t:file:*").Result()
	if len(receipts) != 1 || len(files) != 1 {
		t.Fatalf("receipts %d, files %d: want one each", len(receipts), len(files))
	}
	for _, k := range append(append(keys, receipts...), files...) {
		if ttl := c.PTTL(ctx, k).Val(); ttl < 9*24*time.Hour {
			t.Errorf("verified tip's %s lives %v, want about 10 days", k, ttl)
		}
	}
}
