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

// A retention reaching back before 1970 (VIGIA_AUDIT_RETENTION up to 100
// years; VIGIA_RETENTION up to 100,000 days before it was held to 50
// years): the trim point of the triage queue, and of the audit log, is
// clamped at the streams' first id, not sent as a negative one, which
// Redis refuses ("ERR Invalid stream ID"): every tip save, and every
// audit entry, failed.
// Mutation: saveTip's trim point not clamped → the tip's save fails;
// Audit's not clamped → the audit entry fails.
func TestRetentionReachingBefore1970StillSavesTipsAndAudit(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	rdb := srv.Client()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	st, err := storage.New(rdb, kr, storage.Options{Prefix: "t", Retention: 100000 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	p := st.Pseudonym("telegram", "68")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 91801, Part: tips.Part{Text: "venden armas detrás del mercado"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitDraft(ctx, p, d.ID, "es"); err != nil {
		t.Fatalf("a tip saved with a retention of 100,000 days: %v", err)
	}
	if n := rdb.XLen(ctx, "t:{tips}:triage").Val(); n != 1 {
		t.Fatalf("%d tips in the queue, want 1", n)
	}
	if err := st.Audit(ctx, storage.AuditEntry{Who: "telegram:1 test", Action: "claim"}, 100*365*24*time.Hour); err != nil {
		t.Fatalf("an audit entry with a retention of 100 years: %v", err)
	}
}
