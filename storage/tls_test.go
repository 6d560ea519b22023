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

// The storage flows over TLS, as an ACL user allowed only Vigía's key
// prefix: every key Vigía touches is under the prefix.
func TestFlowsOverTLSWithPrefixACL(t *testing.T) {
	srv := redistest.StartTLS(t, "v")
	ctx := context.Background()
	c := srv.Client()
	defer c.Close()
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{9}, 32))
	st, err := storage.New(c, kr, storage.Options{Prefix: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	// The ACL really limits keys: anything outside the prefix is refused.
	if err := c.Set(ctx, "other:key", "x", 0).Err(); err == nil {
		t.Fatal("the ACL user could write outside its prefix")
	}
	p := st.Pseudonym("telegram", "1")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "telegram:1", Part: tips.Part{Text: "cobran piso, llaman del 55 1234 5678"}})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	indexAll(t, st)
	if _, err := st.TipByReceipt(ctx, sub.Receipt); err != nil {
		t.Fatal(err)
	}
	cl := storage.Claimer{Key: "inv", Name: "Ana"}
	if _, err := st.Next(ctx, cl, "", time.Hour, 3); err != nil {
		t.Fatal(err)
	}
	if got, _, err := st.Search(ctx, "piso", time.Now().Add(-time.Hour), "", 5); err != nil || len(got) != 1 {
		t.Fatalf("search: %d %v", len(got), err)
	}
	if err := st.Audit(ctx, storage.AuditEntry{Who: "x", Action: "next"}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Invite(ctx, "investigator", "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := st.Subscribe(ctx, storage.Subscription{Platform: "telegram", Chat: "-1"}); err != nil {
		t.Fatal(err)
	}
}
