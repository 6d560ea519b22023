package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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

// A file sent early in a draft lives as long as the draft: each part
// added gives the draft's files a draft's life again, as it gives the
// draft (a draft kept open by new parts would otherwise lose its first
// files before Send). The draft keeps only the files' random ids, never
// their keys.
func TestDraftFilesLiveAsLongAsTheirDraft(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	p := st.Pseudonym("telegram", "42")
	ref, err := st.PutFile(ctx, []byte("%PDF-1.7 early"))
	if err != nil {
		t.Fatal(err)
	}
	id, key, _ := strings.Cut(ref, ":")
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}}}); err != nil {
		t.Fatal(err)
	}
	// The file near the end of its life, the draft still open: a part added.
	rdb.PExpire(ctx, "t:file:"+id, 5*time.Second)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "r", Part: tips.Part{Text: "y otra cosa"}}); err != nil {
		t.Fatal(err)
	}
	file, draft := rdb.PTTL(ctx, "t:file:"+id).Val(), rdb.PTTL(ctx, st.DraftKey(p)).Val()
	if file < draft-time.Minute {
		t.Fatalf("the draft lives %v more, its file %v", draft, file)
	}
	all, err := rdb.HGetAll(ctx, st.DraftKey(p)).Result()
	if err != nil {
		t.Fatal(err)
	}
	for f, v := range all {
		if strings.Contains(v, key) || strings.Contains(f, key) {
			t.Fatalf("the draft holds the file's key (field %s)", f)
		}
	}
	d, err := st.Draft(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil {
		t.Fatal(err)
	}
	tip, err := st.TipByReceipt(ctx, sub.Receipt)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := st.File(ctx, tip.Content.Parts[0].Attachment.FileRef); err != nil || string(data) != "%PDF-1.7 early" {
		t.Fatalf("the tip's file: %q %v", data, err)
	}
}

// A draft's file gone when it is sent (expired all the same) is counted in
// the Submission, for its reporter to be told; files still there are not.
func TestSubmissionCountsFilesGone(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	p := st.Pseudonym("telegram", "43")
	var ids []string
	for ev := int64(1); ev <= 3; ev++ {
		ref, err := st.PutFile(ctx, []byte("%PDF-1.7 "+strconv.FormatInt(ev, 10)))
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := strings.Cut(ref, ":")
		ids = append(ids, id)
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Client().Del(ctx, "t:file:"+ids[0], "t:file:"+ids[2])
	d, err := st.Draft(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || sub.FilesGone != 2 {
		t.Fatalf("files gone: %d (%v)", sub.FilesGone, err)
	}
}

// A file sent in a tip keeps the tip's life when parts added during its
// Send stay as a new draft: the parts added to that draft afterwards
// refresh the new draft's files, not the sent tip's, which would then
// live a draft's life and be gone from the tip.
func TestSentFileKeepsTheTipsLifeAfterPartsLeft(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	rdb := srv.Client()
	p := st.Pseudonym("telegram", "44")
	ref, err := st.PutFile(ctx, []byte("%PDF-1.7 sent"))
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(ref, ":")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}}})
	if err != nil {
		t.Fatal(err)
	}
	_, cl, err := st.ProfileSend(ctx, p, nil, false, d.ID, nil)
	if err != nil || cl == nil {
		t.Fatalf("claim: %v %v", cl, err)
	}
	// A file while the Send is on its way: left as a new draft.
	ref2, err := st.PutFile(ctx, []byte("%PDF-1.7 left"))
	if err != nil {
		t.Fatal(err)
	}
	id2, _, _ := strings.Cut(ref2, ":")
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref2}}}); err != nil {
		t.Fatal(err)
	}
	sub, err := st.SubmitClaimed(ctx, cl, "es")
	if err != nil || sub.Left != 1 {
		t.Fatalf("sent: %+v %v", sub, err)
	}
	rdb.PExpire(ctx, "t:file:"+id2, 5*time.Second)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 3, Route: "r", Part: tips.Part{Text: "y algo más"}}); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, "t:file:"+id).Val(); ttl < 47*time.Hour {
		t.Fatalf("the sent tip's file lives %v more, its tip 48h", ttl)
	}
	// The new draft does not hold the sent file as one of its own (its
	// refreshes only lengthen a file's life, yet the file is the tip's).
	if files := rdb.HGet(ctx, st.DraftKey(p), "files").Val(); strings.Contains(files, id) || !strings.Contains(files, id2) {
		t.Fatalf("the new draft's files: sent one in %v, its own in %v", strings.Contains(files, id), strings.Contains(files, id2))
	}
	// The new draft's own file still lives as long as it.
	if file, draft := rdb.PTTL(ctx, "t:file:"+id2).Val(), rdb.PTTL(ctx, st.DraftKey(p)).Val(); file < draft-time.Minute {
		t.Fatalf("the new draft lives %v more, its file %v", draft, file)
	}
}

// A part added while its draft is being sent refreshes the draft's files
// as the Send gives them the tip's life: the refresh, landing after the
// Send, does not give a sent file a draft's life again (it would be gone
// from the tip a day later).
func TestPartAddedDuringSendLeavesTheSentFilesLife(t *testing.T) {
	ctx := context.Background()
	var hold atomic.Bool
	var st *storage.Store
	var cl *storage.SendClaim
	var sub storage.Submission
	var sendErr error
	st, _, rdb := hookedStoreClient(t, pipeHook{before: func(_ context.Context, cmds []redis.Cmder) bool {
		for _, c := range cmds {
			if n := c.Name(); (n != "pexpire" && n != "expire") || !strings.Contains(fmt.Sprint(c.Args()[1]), ":file:") {
				return false
			}
		}
		if len(cmds) > 0 && hold.CompareAndSwap(true, false) {
			// The part's refresh of its draft's files, held back: the
			// Send goes through meanwhile.
			sub, sendErr = st.SubmitClaimed(ctx, cl, "es")
		}
		return false
	}})
	p := st.Pseudonym("telegram", "45")
	ref, err := st.PutFile(ctx, []byte("%PDF-1.7 sent"))
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(ref, ":")
	d, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 1, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, cl, err = st.ProfileSend(ctx, p, nil, false, d.ID, nil); err != nil || cl == nil {
		t.Fatalf("claim: %v %v", cl, err)
	}
	hold.Store(true)
	if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: 2, Route: "r", Part: tips.Part{Text: "y otra cosa"}}); err != nil {
		t.Fatal(err)
	}
	if hold.Load() || sendErr != nil || sub.Left != 1 {
		t.Fatalf("the Send during the part's add: %+v %v (held %v)", sub, sendErr, !hold.Load())
	}
	if ttl := rdb.PTTL(ctx, "t:file:"+id).Val(); ttl < 47*time.Hour {
		t.Fatalf("the sent tip's file lives %v more, its tip 48h", ttl)
	}
}

// A Send pressed again (its receipt lost on the way) tells of the files
// that were gone when the tip was stored, as the first answer did: that
// answer may never have reached the reporter.
func TestRepeatedSendCountsFilesGone(t *testing.T) {
	st, srv, _ := newStore(t)
	ctx := context.Background()
	p := st.Pseudonym("telegram", "46")
	var ids []string
	for ev := int64(1); ev <= 2; ev++ {
		ref, err := st.PutFile(ctx, []byte("%PDF-1.7 "+strconv.FormatInt(ev, 10)))
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := strings.Cut(ref, ":")
		ids = append(ids, id)
		if _, err := st.AddToDraft(ctx, p, storage.DraftPart{EventID: ev, Route: "r", Part: tips.Part{Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Document, FileRef: ref}}}); err != nil {
			t.Fatal(err)
		}
	}
	srv.Client().Del(ctx, "t:file:"+ids[1])
	d, err := st.Draft(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || first.FilesGone != 1 {
		t.Fatalf("first Send: %+v %v", first, err)
	}
	again, err := st.SubmitDraft(ctx, p, d.ID, "es")
	if err != nil || !again.Repeat || again.Receipt != first.Receipt || again.FilesGone != 1 {
		t.Fatalf("pressed again: %+v %v", again, err)
	}
}
