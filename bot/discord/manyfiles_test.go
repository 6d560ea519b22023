package discord

import (
	"bytes"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/vigia-project/vigia/locales"
)

// A DM that carries several files (Discord takes up to ten in one
// message) is answered once, as a Telegram album is: each file is a part
// of the draft, and the last one answers for all of them ("started",
// the pictures cleaned), not one "added" per file. A file that cannot be
// received is still told of at once (the last one too, with what those
// before it did), and the text is kept with the first.
// Mutation: directMessage not placing the files in an album run
// (commands.Request.AlbumItems, AlbumMore) → three answers to the
// three-picture message, one per file.
func TestDiscordMessageWithSeveralFilesIsAnsweredOnce(t *testing.T) {
	pic := picture(t)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/lost.jpg") {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Write(pic)
	}))
	defer cdn.Close()
	engine, msg := newEngine(t)
	api := &uploadAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	files := func(first int, names ...string) []*discordgo.MessageAttachment {
		return pictures(cdn.URL, len(pic), first, names...)
	}
	m := dm("hay halcones en la esquina", files(2001, "a.jpg", "b.jpg", "c.jpg")...)
	m.ID, m.Author.Locale = "2000", "en-US"
	a.onMessage(a.s, m)
	if got := api.snapshot(); len(got) != 1 || !answersFor(msg, got[0], 3) {
		t.Fatalf("answers to one message with three pictures: %q, want one saying the draft started, the 3 pictures cleaned", got)
	}

	// Three more, the middle one lost: that one is told at once; the last
	// answers for the two kept.
	m = dm("", files(3001, "d.jpg", "lost.jpg", "e.jpg")...)
	m.ID, m.Author.Locale = "3000", "en-US"
	a.onMessage(a.s, m)
	got := api.snapshot()[1:]
	lost := render(msg.Localize("en", "file_not_received", nil))[0]
	added := render(msg.Localize("en", "draft_added", nil, 5))[0]
	if len(got) != 2 || !strings.Contains(got[0], lost) || !strings.Contains(got[1], added) || !strings.Contains(got[1], render(msg.Localize("en", "file_cleaned", nil, 2))[0]) {
		t.Fatalf("answers to three pictures, the second lost: %q, want %q, then %q", got, lost, added)
	}

	// The last one lost: told, and what the one before it did is told too.
	m = dm("", files(4001, "f.jpg", "lost.jpg")...)
	m.ID, m.Author.Locale = "4000", "en-US"
	a.onMessage(a.s, m)
	got = api.snapshot()[3:]
	added = render(msg.Localize("en", "draft_added", nil, 6))[0]
	if all := strings.Join(got, "\n"); !strings.Contains(all, lost) || !strings.Contains(all, added) {
		t.Fatalf("answers to two pictures, the last lost: %q, want %q and %q", got, lost, added)
	}
}

// A "/word" naming a command, as the caption of several files, is the
// first file's text, not a command (the engine keeps a file whatever its
// caption says): the message is answered once, as any other with several
// files, not once per file. Mutation: directMessage leaving a file whose
// request still names the caption's command out of the album run (as
// e8288fa did, "a command's answer is its own") →
// TestDiscordFilesCaptionedWithACommandAreAnsweredOnce fails (three
// answers to one message).
func TestDiscordFilesCaptionedWithACommandAreAnsweredOnce(t *testing.T) {
	pic := picture(t)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(pic) }))
	defer cdn.Close()
	engine, msg := newEngine(t)
	api := &uploadAPI{}
	a := newTestAdapter(t, api, engine, time.Hour)
	a.useTable(engine.Commands())
	m := dm("/report hay halcones en la esquina", pictures(cdn.URL, len(pic), 5001, "a.jpg", "b.jpg", "c.jpg")...)
	m.ID, m.Author.Locale = "5000", "en-US"
	a.onMessage(a.s, m)
	if got := api.snapshot(); len(got) != 1 || !answersFor(msg, got[0], 3) {
		t.Fatalf("answers to one message with three pictures captioned \"/report …\": %q, want one saying the draft started, the 3 pictures cleaned", got)
	}
}

// picture is a small JPEG.
func picture(t *testing.T) []byte {
	t.Helper()
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewGray(image.Rect(0, 0, 2, 2)), nil); err != nil {
		t.Fatal(err)
	}
	return pic.Bytes()
}

// pictures are the JPEGs names (each of size bytes) under url, their ids
// counted from first.
func pictures(url string, size, first int, names ...string) []*discordgo.MessageAttachment {
	var out []*discordgo.MessageAttachment
	for n, name := range names {
		out = append(out, &discordgo.MessageAttachment{ID: strconv.Itoa(first + n), URL: url + "/" + name, ContentType: "image/jpeg", Size: size})
	}
	return out
}

// answersFor reports whether answer says that a draft started and that
// the hidden data of cleaned pictures went.
func answersFor(msg *locales.Bundle, answer string, cleaned int) bool {
	return strings.Contains(answer, render(msg.Localize("en", "draft_started", nil))[0]) &&
		strings.Contains(answer, render(msg.Localize("en", "file_cleaned", nil, cleaned))[0])
}
