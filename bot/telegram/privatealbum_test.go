package telegram

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/go-telegram/bot/models"

	"github.com/vigia-project/vigia/locales"
)

// An album sent in a private chat reaches the bot as one message per
// photo: every photo goes into the draft, and the reporter gets one
// answer for the album (the draft started, or its new count), not one per
// photo, and it counts the pictures cleaned ("these 3 pictures", not
// "this picture"). A photo sent alone is answered as ever.
func TestPrivateAlbumIsAnsweredOnce(t *testing.T) {
	mux, st := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(id string, n ...int) string { return html.EscapeString(msg.Localize("en", id, nil, n...)) }
	id := 0
	photo := func(album string) *models.Update {
		id++
		return update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},`+
			`"media_group_id":%q,"photo":[{"file_id":"P%d","file_unique_id":"u%d","width":2,"height":2,"file_size":%d}]}}`, id, id, album, id, id, len(tinyJPEG)))
	}
	answers := func() []string {
		var out []string
		for _, c := range api.take() {
			if c.method == "sendMessage" {
				out = append(out, c.fields["text"])
			}
		}
		return out
	}
	parts := func() int {
		d, err := st.Draft(context.Background(), st.Pseudonym(Platform, "5"))
		if err != nil {
			t.Fatal(err)
		}
		return d.Parts
	}
	a.handleBatch(context.Background(), mux, []*models.Update{photo("A1"), photo("A1"), photo("A1")})
	got := answers()
	if len(got) != 1 || got[0] != en("file_cleaned", 3)+"\n\n"+en("draft_started")+"\n\n"+en("choose_category") {
		t.Fatalf("a new tip from an album of 3: %d answers %q", len(got), got)
	}
	if n := parts(); n != 3 {
		t.Fatalf("the draft has %d parts, want the album's 3", n)
	}
	// A second album, then a photo alone, in one delivery.
	a.handleBatch(context.Background(), mux, []*models.Update{photo("A2"), photo("A2"), photo("")})
	got = answers()
	if len(got) != 2 || got[0] != en("file_cleaned", 2)+"\n\n"+en("draft_added", 5) || got[1] != en("file_cleaned", 1)+"\n\n"+en("draft_added", 6) {
		t.Fatalf("an album of 2 then a photo: %d answers %q", len(got), got)
	}
	if n := parts(); n != 6 {
		t.Fatalf("the draft has %d parts, want 6", n)
	}
	// A warning about one item (a video is kept as Telegram's reference,
	// not cleaned) is not held back for the album's answer.
	video := func() *models.Update {
		id++
		return update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},`+
			`"media_group_id":"A3","video":{"file_id":"V%d","file_unique_id":"v%d","width":2,"height":2,"duration":1}}}`, id, id, id, id))
	}
	a.handleBatch(context.Background(), mux, []*models.Update{video(), video()})
	got = answers()
	if len(got) != 2 || got[0] != en("file_not_cleaned")+"\n\n"+en("draft_added", 7) || got[1] != en("file_not_cleaned")+"\n\n"+en("draft_added", 8) {
		t.Fatalf("an album of 2 videos: %d answers %q", len(got), got)
	}
}

// An album partly refused (here an item of a kind Vigía does not take,
// as one of a media type the library cannot read reaches it) after the
// reporter's draft began: its answer says the photos were added to the
// draft, not that a new one started. And an album that starts a draft
// with a refused item says it started.
func TestPartlyRefusedAlbumAfterADraftSaysAdded(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(id string, n ...int) string { return html.EscapeString(msg.Localize("en", id, nil, n...)) }
	id := 0
	item := func(album, media string) *models.Update {
		id++
		return update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},`+
			`"media_group_id":%q%s}}`, id, id, album, media))
	}
	photo := func(album string) *models.Update {
		return item(album, fmt.Sprintf(`,"photo":[{"file_id":"P%d","file_unique_id":"u%d","width":2,"height":2,"file_size":%d}]`, id+1, id+1, len(tinyJPEG)))
	}
	answers := func() []string {
		var out []string
		for _, c := range api.take() {
			if c.method == "sendMessage" {
				out = append(out, c.fields["text"])
			}
		}
		return out
	}
	a.handleBatch(context.Background(), mux, []*models.Update{update(t, `{"update_id":100,"message":{"message_id":100,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},"text":"el Chapo cobra piso"}}`)})
	if got := answers(); len(got) != 1 || got[0] != en("draft_started")+"\n\n"+en("choose_category") {
		t.Fatalf("a text: %q", got)
	}
	a.handleBatch(context.Background(), mux, []*models.Update{item("B1", ""), photo("B1"), photo("B1")})
	got := answers()
	if len(got) != 2 || got[0] != en("unsupported_message") || got[1] != en("file_cleaned", 2)+"\n\n"+en("draft_added", 3) {
		t.Fatalf("an album of 3, one refused, after a draft of 1: %d answers %q", len(got), got)
	}
	// Dropped (/cancel): a new album, its first item refused, starts the
	// next draft.
	a.handleBatch(context.Background(), mux, []*models.Update{update(t, `{"update_id":200,"message":{"message_id":200,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},"text":"/cancel","entities":[{"type":"bot_command","offset":0,"length":7}]}}`)})
	if got := answers(); len(got) != 1 || got[0] != en("cancelled") {
		t.Fatalf("/cancel: %q", got)
	}
	a.handleBatch(context.Background(), mux, []*models.Update{item("B2", ""), photo("B2"), photo("B2")})
	got = answers()
	if len(got) != 2 || got[0] != en("unsupported_message") || got[1] != en("file_cleaned", 2)+"\n\n"+en("draft_started")+"\n\n"+en("choose_category") {
		t.Fatalf("an album of 3, one refused, with no draft: %d answers %q", len(got), got)
	}
}

// An album whose last item is refused (here of a kind Vigía does not
// take) is answered with that refusal and then the album's own answer:
// the draft its photos started, with the category buttons.
func TestAlbumWithItsLastItemRefused(t *testing.T) {
	mux, _ := engine(t)
	a, api := newRecording(t)
	msg, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := func(id string, n ...int) string { return html.EscapeString(msg.Localize("en", id, nil, n...)) }
	id := 0
	item := func(media string) *models.Update {
		id++
		return update(t, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":5,"type":"private"},"from":{"id":5,"first_name":"R"},`+
			`"media_group_id":"C1"%s}}`, id, id, media))
	}
	photo := func() *models.Update {
		return item(fmt.Sprintf(`,"photo":[{"file_id":"P%d","file_unique_id":"u%d","width":2,"height":2,"file_size":%d}]`, id+1, id+1, len(tinyJPEG)))
	}
	a.handleBatch(context.Background(), mux, []*models.Update{photo(), photo(), item("")})
	var got []string
	buttons := false
	for _, c := range api.take() {
		if c.method == "sendMessage" {
			got = append(got, c.fields["text"])
			buttons = strings.Contains(c.fields["reply_markup"], "cat:")
		}
	}
	if len(got) != 2 || got[0] != en("unsupported_message") || got[1] != en("file_cleaned", 2)+"\n\n"+en("draft_started")+"\n\n"+en("choose_category") || !buttons {
		t.Fatalf("an album of 3, the last refused: %d answers %q (category buttons: %v)", len(got), got, buttons)
	}
}
