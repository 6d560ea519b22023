package storage_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// DraftFileRef finds the file a draft's part holds by the part's event,
// and nothing for another event, a part without a stored file, or a file
// gone (a new copy is then stored, not a reference to nothing).
func TestDraftFileRef(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	p := st.Pseudonym("telegram", "41")
	if _, err := st.DraftFileRef(ctx, p, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("no draft: %v", err)
	}
	ref, err := st.PutFile(ctx, []byte("%PDF-1.7"))
	if err != nil {
		t.Fatal(err)
	}
	for ev, part := range map[int64]tips.Part{
		1: {Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}},
		2: {Text: "sin archivo"},
	} {
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "r", Part: part}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.DraftFileRef(ctx, p, 1); err != nil || got != ref {
		t.Fatalf("the part's file: %v, same ref %v", err, got == ref)
	}
	for _, ev := range []int64{2, 3} {
		if _, err := st.DraftFileRef(ctx, p, ev); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("event %d: %v", ev, err)
		}
	}
	keys, err := srv.Client().Keys(ctx, "t:file:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("files: %v %v", keys, err)
	}
	srv.Client().Del(ctx, keys[0])
	if _, err := st.DraftFileRef(ctx, p, 1); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the file gone: %v", err)
	}
}
