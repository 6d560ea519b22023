package commands_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/tips"
)

// A photo refused because Redis could not say which words of its
// caption are receipt codes (told "NOT saved": with no spool, or with
// one, which takes no file stored already) leaves no file in Redis:
// none stored for it is left behind, sealed and pointed at by nothing,
// for a day. So for a photo sent after Answer was pressed, as a reply to
// the question, and as a tip's part; sent again, it is kept with its
// file.
// Mutation: keepPart not dropping the file it stored before that
// refusal → this fails (one file key left).
func TestRefusedPhotoLeavesNoFile(t *testing.T) {
	for _, spool := range []bool{false, true} {
		for _, how := range []string{"Answer pressed", "a reply", "a tip's part"} {
			name := how
			if spool {
				name += ", spooling"
			}
			t.Run(name, func(t *testing.T) {
				tm, receipt := questioned(t, "¿Qué día?")
				tm.notices(reporterID)
				var fail func()
				if spool {
					o := newSpoolingTeam(t, tm)
					s := &stopAtLookup{Store: tm.store, stop: func() {}, fail: true}
					o.engineStore = s
					o.start()
					fail = func() { s.armed.Store(true) }
				} else {
					s := failingAnswers(tm)
					fail = func() { s.receipts = true }
				}
				photo := commands.Request{Text: "mi código es " + receipt + ", en la esquina", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 525252}
				switch how {
				case "Answer pressed":
					tm.as(reporterID, "Rosa", commands.Request{Callback: "ans:1:1"})
				case "a reply":
					photo.ReplyToBot, photo.ReplyToID = true, "m1"
				}
				fail()
				if r := tm.as(reporterID, "Rosa", photo); len(r) != 1 || r[0].Text != tm.text("en", "error_storage", nil) {
					t.Fatalf("the photo, the lookup failing: %q", texts(r))
				}
				ctx := context.Background()
				if keys, err := tm.srv.Client().Keys(ctx, "w:file:*").Result(); err != nil || len(keys) != 0 {
					t.Fatalf("files left in Redis: %d %v", len(keys), err)
				}
				photo.EventID = 525253
				tm.as(reporterID, "Rosa", photo)
				if keys, err := tm.srv.Client().Keys(ctx, "w:file:*").Result(); err != nil || len(keys) != 1 {
					t.Fatalf("files in Redis once sent again: %d %v", len(keys), err)
				}
			})
		}
	}
}

// A photo refused because the draft is full leaves no file in Redis
// either.
// Mutation: keepPart not dropping the file on ErrDraftFull → this fails.
func TestPhotoOverAFullDraftLeavesNoFile(t *testing.T) {
	tm := newTeam(t)
	for i := range commands.DefaultLimits.MaxParts {
		tm.as(reporterID, "Rosa", commands.Request{Text: "parte", EventID: int64(600 + i)})
	}
	r := tm.as(reporterID, "Rosa", commands.Request{Text: "la foto", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 700})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tm.text("en", "draft_full", map[string]any{
		"Parts": tm.text("en", "count_messages", nil, commands.DefaultLimits.MaxParts), "Chars": tm.text("en", "count_characters", nil, commands.DefaultLimits.MaxChars),
	})) {
		t.Fatalf("the photo over a full draft: %q", texts(r))
	}
	if keys, err := tm.srv.Client().Keys(context.Background(), "w:file:*").Result(); err != nil || len(keys) != 0 {
		t.Fatalf("files left in Redis: %d %v", len(keys), err)
	}
}

// sentLate is a store whose EventSent says an event did not go out in a
// sent tip: as when the draft holding it is sent between that check and
// the part's write (a redelivery racing a Send).
type sentLate struct{ commands.Store }

func (sentLate) EventSent(context.Context, string, int64) (bool, error) { return false, nil }

// A photo delivered again once its tip went out, the Send landing after
// the redelivery's look (EventSent) but before its write, which refuses
// it (ErrDuplicateEvent): the copy of its file stored for it goes too.
// The tip's own file stays.
// Mutation: keepPart not dropping the file on ErrDuplicateEvent → this
// fails (two file keys left).
func TestPhotoDeliveredAgainAfterItsTipWentLeavesNoSecondFile(t *testing.T) {
	tm := newTeam(t)
	photo := commands.Request{Text: "la foto", Attachment: &tips.Attachment{Kind: tips.Photo}, FileData: albumPhoto(t), EventID: 800}
	r := tm.as(reporterID, "Rosa", photo)
	draft := strings.Split(press(r, "send:"), ":")[1]
	if r := tm.as(reporterID, "Rosa", commands.Request{Callback: "send:" + draft}); codeRE.FindString(r[0].Text) == "" {
		t.Fatalf("send: %q", texts(r))
	}
	ctx := context.Background()
	if keys, err := tm.srv.Client().Keys(ctx, "w:file:*").Result(); err != nil || len(keys) != 1 {
		t.Fatalf("files once sent: %d %v", len(keys), err)
	}
	tm.mux = commands.New(commands.Options{Store: sentLate{tm.store}, Messages: tm.msg, DefaultLanguage: "en", Now: tm.clk.Now,
		Retention: 90 * 24 * time.Hour, Logger: slog.New(slog.NewTextHandler(tm.logs, nil))})
	tm.mux.AddSender("telegram", tm.sent)
	if r := tm.as(reporterID, "Rosa", photo); len(r) != 0 { // (silent, as the first delivery was answered)
		t.Fatalf("the photo delivered again: %q", texts(r))
	}
	if keys, err := tm.srv.Client().Keys(ctx, "w:file:*").Result(); err != nil || len(keys) != 1 {
		t.Fatalf("files once delivered again: %d %v", len(keys), err)
	}
}
