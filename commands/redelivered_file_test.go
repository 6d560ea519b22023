package commands_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
	"github.com/vigia-project/vigia/tips"
)

// A message with a file delivered twice (the same platform update) while
// its part is in the open draft is the same event: the redelivery stores
// no second copy of the file, is answered as the first delivery was, and
// the tip sent holds each file once, readable; a new message's file is
// still stored.
func TestRedeliveredFileInTheDraftIsNotStoredAgain(t *testing.T) {
	srv := redistest.Start(t)
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{8}, 32))
	st, _ := storage.New(srv.Client(), kr, storage.Options{Prefix: "r"})
	ctx := context.Background()
	if err := st.Init(ctx); err != nil {
		t.Fatal(err)
	}
	msg, _ := loadMessages()
	mux := commands.New(commands.Options{Store: st, Messages: msg, DefaultLanguage: "en", Logger: slog.New(slog.DiscardHandler)})
	files := func() int {
		t.Helper()
		keys, err := srv.Client().Keys(ctx, "r:file:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	do := func(req commands.Request) []commands.Reply {
		req.Platform, req.UserID, req.ChatID = "telegram", "73", "73"
		rec := &recorder{}
		mux.Handle(ctx, req, rec)
		return rec.take()
	}
	photo := func(event int64) []commands.Reply {
		return do(commands.Request{Text: "la camioneta del cobro", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: event})
	}
	first := photo(100)
	if len(first) != 1 || files() != 1 {
		t.Fatalf("first delivery: %d files, %+v", files(), first)
	}
	again := photo(100)
	if len(again) != 1 || again[0].Text != first[0].Text {
		t.Fatalf("redelivered: %+v, first %+v", again, first)
	}
	if n := files(); n != 1 {
		t.Fatalf("the redelivery stored a copy: %d files", n)
	}
	if r := photo(101); len(r) != 1 || files() != 2 {
		t.Fatalf("a new message's file: %d stored, %+v", files(), r)
	}
	photo(100) // once more, the draft two parts long now
	if n := files(); n != 2 {
		t.Fatalf("the second redelivery stored a copy: %d files", n)
	}
	d, err := st.Draft(ctx, st.Pseudonym("telegram", "73"))
	if err != nil || d.Parts != 2 {
		t.Fatalf("draft: %+v %v", d, err)
	}
	do(commands.Request{Callback: "send:" + d.ID, EventID: 102})
	list, err := st.Recent(ctx, 5)
	if err != nil || len(list) != 1 {
		t.Fatalf("tips: %d %v", len(list), err)
	}
	refs := map[string]bool{}
	for _, p := range list[0].Content.Parts {
		if p.Attachment == nil {
			t.Fatalf("a part without its file: %+v", list[0].Content.Parts)
		}
		if _, err := st.File(ctx, p.Attachment.FileRef); err != nil {
			t.Fatalf("a file of the tip: %v", err)
		}
		refs[p.Attachment.FileRef] = true
	}
	if len(list[0].Content.Parts) != 2 || len(refs) != 2 {
		t.Fatalf("the tip's files: %d parts, %d files", len(list[0].Content.Parts), len(refs))
	}
}
