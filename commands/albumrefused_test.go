package commands_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"testing"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// albumPhoto is a small JPEG, cleaned when kept.
func albumPhoto(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// album sends reqs from user as the items of one private album (as the
// Telegram adapter marks them) and returns every reply.
func (e *env) album(user string, reqs ...commands.Request) []commands.Reply {
	e.t.Helper()
	var out []commands.Reply
	for i, req := range reqs {
		req.AlbumItems, req.AlbumMore = i+1, i+1 < len(reqs)
		out = append(out, e.do(user, req)...)
	}
	return out
}

// An album whose last item is refused (a file lost or too large, a kind
// Vigía does not take, over the hourly limit, the draft full) still says
// what its other items did: after the refusal, the draft they started
// with its category buttons (or the parts they added) and the pictures
// cleaned. Without it the reporter heard the refusal alone, and the
// draft sat unseen until it went idle.
func TestAlbumWithItsLastItemRefusedSaysWhatItDid(t *testing.T) {
	photo := func(t *testing.T) commands.Request {
		return commands.Request{Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t)}
	}
	tooLarge := map[string]any{"MB": storage.MaxFileSize >> 20}
	cases := []struct {
		name    string
		limits  func(*commands.Limits)
		last    commands.Request
		refusal string
		data    map[string]any
	}{
		{"file lost", nil, commands.Request{FileLost: true}, "file_not_received", nil},
		{"file announced too large", nil, commands.Request{FileLost: true, FileTooLarge: true}, "file_too_large", tooLarge},
		{"file too large to keep", nil, commands.Request{Attachment: &tips.Attachment{Kind: tips.Document}, FileData: make([]byte, storage.MaxFileSize+1)}, "file_too_large", tooLarge},
		{"unsupported", nil, commands.Request{Unsupported: true}, "unsupported_message", nil},
		{"over the hourly limit", func(l *commands.Limits) { l.PartsPerHour = 2 }, photo(t), "rate_limited", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newHookedEnv(t, nil, nil, func(o *commands.Options) {
				o.Limits = commands.DefaultLimits
				if tc.limits != nil {
					tc.limits(&o.Limits)
				}
			})
			r := e.album(reporterID, photo(t), photo(t), tc.last)
			want := e.text("es", "file_cleaned", nil, 2) + "\n\n" + e.text("es", "draft_started", nil) + "\n\n" + e.text("es", "choose_category", nil)
			if len(r) != 2 || r[0].Text != e.text("es", tc.refusal, tc.data) || r[1].Text != want || press(r[1:], "cat:") == "" || press(r[1:], "send:") == "" {
				t.Fatalf("a new reporter's album of 3, the last refused: %d replies %+v", len(r), r)
			}
			if tc.limits != nil {
				return // the limit holds for the rest of the hour
			}
			// The draft begun, the next album adds to it.
			r = e.album(reporterID, photo(t), tc.last)
			want = e.text("es", "file_cleaned", nil, 1) + "\n\n" + e.text("es", "draft_added", nil, 3)
			if len(r) != 2 || r[0].Text != e.text("es", tc.refusal, tc.data) || r[1].Text != want || press(r[1:], "send:") == "" {
				t.Fatalf("an album of 2, the last refused, after a draft: %d replies %+v", len(r), r)
			}
		})
	}
	t.Run("draft full", func(t *testing.T) {
		e := newHookedEnv(t, nil, nil, func(o *commands.Options) {
			o.Limits = commands.DefaultLimits
			o.Limits.MaxParts = 2
		})
		r := e.album(reporterID, photo(t), photo(t), photo(t))
		want := e.text("es", "file_cleaned", nil, 2) + "\n\n" + e.text("es", "draft_started", nil) + "\n\n" + e.text("es", "choose_category", nil)
		if len(r) != 2 || r[1].Text != want || press(r[1:], "cat:") == "" {
			t.Fatalf("an album of 3 into a draft of 2 parts at most: %d replies %+v", len(r), r)
		}
	})
}

// An album's first and middle items refused are told at once, each, and
// the album's answer counts only what was kept; an album wholly refused
// is answered with its refusals alone, no draft said to have begun.
func TestAlbumRefusedItemsAreTold(t *testing.T) {
	e := newEnv(t, nil)
	photo := commands.Request{Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t)}
	lost := commands.Request{FileLost: true}
	r := e.album(reporterID, lost, photo, commands.Request{Unsupported: true}, photo)
	want := e.text("es", "file_cleaned", nil, 2) + "\n\n" + e.text("es", "draft_started", nil) + "\n\n" + e.text("es", "choose_category", nil)
	if len(r) != 3 || r[0].Text != e.text("es", "file_not_received", nil) || r[1].Text != e.text("es", "unsupported_message", nil) || r[2].Text != want {
		t.Fatalf("an album of 4, the first and third refused: %d replies %+v", len(r), r)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", "7002")); err == nil {
		t.Fatal("another reporter has a draft")
	}
	r = e.album("7002", lost, commands.Request{Unsupported: true}, lost)
	if len(r) != 3 || r[0].Text != e.text("es", "file_not_received", nil) || r[1].Text != e.text("es", "unsupported_message", nil) || r[2].Text != e.text("es", "file_not_received", nil) {
		t.Fatalf("an album wholly refused: %d replies %+v", len(r), r)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", "7002")); err == nil {
		t.Fatal("an album wholly refused left a draft")
	}
}

// An album whose last item is over the chat's hourly limit (what the bot
// answers in one chat) is told both: the limit, and the draft its other
// items started.
func TestAlbumWithItsLastItemOverTheChatLimit(t *testing.T) {
	e := newHookedEnv(t, nil, nil, func(o *commands.Options) {
		o.Limits = commands.DefaultLimits
		o.Limits.ChatPerHour = 2
	})
	photo := commands.Request{Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t)}
	r := e.album(reporterID, photo, photo, photo)
	want := e.text("es", "file_cleaned", nil, 2) + "\n\n" + e.text("es", "draft_started", nil) + "\n\n" + e.text("es", "choose_category", nil)
	if len(r) != 2 || r[0].Text != e.text("es", "rate_limited", nil) || r[1].Text != want || press(r[1:], "cat:") == "" {
		t.Fatalf("an album of 3, the last over the chat limit: %d replies %+v", len(r), r)
	}
	// Past the first refusal, silence.
	if r := e.album(reporterID, photo, photo); len(r) != 0 {
		t.Fatalf("an album over the chat limit: %+v", r)
	}
}
