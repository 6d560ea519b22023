package commands_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/tips"
)

// failFiles fails every write of a stored file, as a connection dropped
// during a large write would; everything else goes through.
type failFiles struct{}

func (failFiles) DialHook(next redis.DialHook) redis.DialHook { return next }
func (failFiles) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "set" && strings.Contains(cmd.Args()[1].(string), ":file:") {
			err := &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (failFiles) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// A photo whose file cannot be written is never silently dropped from a
// tip the reporter is told is kept: without a spool the message is NOT
// saved; with one, its caption is spooled and the reporter is told the
// file itself was not kept.
func TestFileThatCannotBeStoredIsNotDroppedSilently(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	photo := func(text string) commands.Request {
		return commands.Request{Text: text, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}}
	}
	e := newHookedEnv(t, nil, failFiles{})
	if got := e.do(reporterID, photo("el halcón de la esquina")); len(got) != 1 || got[0].Text != e.text("es", "error_storage", nil) {
		t.Fatalf("without a spool: %+v", got)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); err == nil {
		t.Fatal("the caption went into a draft without its photo")
	}

	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	e = newHookedEnv(t, nil, failFiles{}, func(o *commands.Options) { o.Spool = sp })
	got := e.do(reporterID, photo("el halcón de la esquina"))
	code := receiptRE.FindString(got[0].Text)
	want := e.text("es", "spool_received", map[string]any{"Receipt": code}) + "\n\n" + e.text("es", "spool_file_lost", nil)
	if len(got) != 1 || code == "" || got[0].Text != want {
		t.Fatalf("with a spool: %+v", got)
	}
	if sp.Len() != 1 {
		t.Fatalf("spool holds %d", sp.Len())
	}
	// A photo alone has nothing to keep: NOT saved.
	if got := e.do(reporterID, photo("")); len(got) != 1 || got[0].Text != e.text("es", "error_storage", nil) {
		t.Fatalf("photo alone: %+v", got)
	}
	if _, err := e.store.Draft(context.Background(), e.store.Pseudonym("telegram", reporterID)); err == nil {
		t.Fatal("a draft was started without the photo")
	}
}

// downAll fails every command while down is set, as an unreachable Redis.
type downAll struct{ down *atomic.Bool }

func (h downAll) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h downAll) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if h.down.Load() {
			err := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}
func (h downAll) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if h.down.Load() {
			err := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		return next(ctx, cmds)
	}
}

// While Redis is down, a message whose file the platform could not hand
// over is spooled with its text, and the reporter is still asked for the
// file: "saved safely" alone would make them think it went with it.
func TestLostFileWhileSpoolingIsTold(t *testing.T) {
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	down := &atomic.Bool{}
	e := newHookedEnv(t, nil, downAll{down}, func(o *commands.Options) { o.Spool = sp })
	down.Store(true)
	r := e.do(reporterID, commands.Request{Text: "el halcón de la esquina", FileLost: true})
	code := receiptRE.FindString(r[0].Text)
	want := e.text("es", "spool_received", map[string]any{"Receipt": code}) + "\n\n" + e.text("es", "file_not_received", nil)
	if len(r) != 1 || code == "" || r[0].Text != want {
		t.Fatalf("replies %+v", r)
	}
}

// A file the platform announced as too large was not fetched: the
// reporter is told the limit, not asked to send it again (which would
// fail the same way); the text with it is kept.
func TestFileTooLargeIsToldTheLimit(t *testing.T) {
	e := newEnv(t, nil)
	tooLarge := e.text("es", "file_too_large", map[string]any{"MB": storage.MaxFileSize >> 20})
	if !strings.Contains(tooLarge, fmt.Sprint(storage.MaxFileSize>>20)) {
		t.Fatalf("the limit is not in %q", tooLarge)
	}
	r := e.do(reporterID, commands.Request{FileLost: true, FileTooLarge: true})
	if len(r) != 1 || r[0].Text != tooLarge {
		t.Fatalf("a file alone: %+v", r)
	}
	r = e.do(reporterID, commands.Request{Text: "el video del halcón", FileLost: true, FileTooLarge: true})
	if len(r) != 1 || !strings.HasPrefix(r[0].Text, tooLarge+"\n\n") || !strings.Contains(r[0].Text, e.text("es", "draft_started", nil)) {
		t.Fatalf("a file with text: %+v", r)
	}
}

// A forwarded photo (from a person not named) whose file cannot be stored
// is spooled with its caption still marked as forwarded: replayed, it is
// not the reporter's own words.
func TestSpooledForwardKeepsItsMark(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	e := newHookedEnv(t, nil, failFiles{}, func(o *commands.Options) { o.Spool = sp })
	got := e.do(reporterID, commands.Request{Text: "mañana cobramos a la tienda de la esquina", FileData: png,
		Attachment: &tips.Attachment{Kind: tips.Photo}, ForwardedFromPerson: true})
	code := receiptRE.FindString(got[0].Text)
	if code == "" || sp.Len() != 1 {
		t.Fatalf("not spooled: %+v", got)
	}
	if n, err := sp.Replay(context.Background(), e.store); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	tip, err := e.store.TipByReceipt(context.Background(), code)
	if err != nil || len(tip.Content.Parts) != 1 || tip.Content.Parts[0].Forward == nil {
		t.Fatalf("the spooled forward: %+v %v", tip.Content.Parts, err)
	}
}

// A spooled message whose file was not kept, delivered again by the
// platform (a restart before it heard the message was handled: the first
// answer may never have gone out), is answered as then: with its receipt
// and the word that the file is not in the tip, before the replay and
// after it. "Received" alone would leave the reporter believing their
// photo reached investigators.
func TestRedeliveredSpooledMessageStillSaysItsFileWasNotKept(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	for _, c := range []struct {
		name string
		req  commands.Request
		note string
	}{
		{"not stored", commands.Request{FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}}, "spool_file_lost"},
		{"not received", commands.Request{FileLost: true}, "file_not_received"},
	} {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
			sp, err := storage.OpenSpool(t.TempDir(), kr)
			if err != nil {
				t.Fatal(err)
			}
			down := &atomic.Bool{}
			e := newHookedEnv(t, nil, downAll{down}, func(o *commands.Options) { o.Spool = sp })
			req := c.req
			req.Text, req.EventID = "el halcón de la esquina", 900
			note := "\n\n" + e.text("es", c.note, map[string]any{"MB": storage.MaxFileSize >> 20})
			down.Store(true)
			first := e.do(reporterID, req)
			code := receiptRE.FindString(first[0].Text)
			if len(first) != 1 || first[0].Text != e.text("es", "spool_received", map[string]any{"Receipt": code})+note {
				t.Fatalf("the first answer: %+v", first)
			}
			if again := e.do(reporterID, req); len(again) != 1 || again[0].Text != first[0].Text {
				t.Fatalf("delivered again before the replay: %+v", again)
			}
			down.Store(false)
			if n, err := sp.Replay(context.Background(), e.store); err != nil || n != 1 {
				t.Fatalf("replay: %d %v", n, err)
			}
			if again := e.do(reporterID, req); len(again) != 1 || again[0].Text != e.text("es", "sent", map[string]any{"Receipt": code})+note {
				t.Fatalf("delivered again after the replay: %+v", again)
			}
		})
	}
}

// A spooled message whose file was kept after all (Redis failed between
// the file and its draft), delivered again after the replay, is not told
// its file was lost: the tip holds it.
func TestRedeliveredSpooledMessageWithItsFileKeptSaysNothingLost(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	kr, _ := storage.NewKeyring(bytes.Repeat([]byte{5}, 32))
	sp, err := storage.OpenSpool(t.TempDir(), kr)
	if err != nil {
		t.Fatal(err)
	}
	e := newHookedEnv(t, nil, downAll{&atomic.Bool{}}, func(o *commands.Options) { o.Spool = sp })
	ctx := context.Background()
	ref, err := e.store.PutFile(ctx, png)
	if err != nil {
		t.Fatal(err)
	}
	const text = "el halcón de la esquina"
	code, err := sp.Append(storage.SpoolEntry{Pseudonym: e.store.Pseudonym("telegram", reporterID), EventID: 900,
		Part: tips.Part{Text: text, Attachment: &tips.Attachment{Platform: tips.Stored, Kind: tips.Photo, FileRef: ref}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sp.Replay(ctx, e.store); err != nil || n != 1 {
		t.Fatalf("replay: %d %v", n, err)
	}
	again := e.do(reporterID, commands.Request{Text: text, EventID: 900, FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if len(again) != 1 || again[0].Text != e.text("es", "sent", map[string]any{"Receipt": code}) {
		t.Fatalf("delivered again after the replay: %+v", again)
	}
}

// failRefresh fails, while on, every pipeline that sets a stored file's
// expiry, as a connection dropped then would.
type failRefresh struct{ on *atomic.Bool }

func (failRefresh) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (failRefresh) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h failRefresh) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if h.on.Load() && (cmd.Name() == "pexpire" || cmd.Name() == "expire") && strings.Contains(fmt.Sprint(cmd.Args()[1]), ":file:") {
				err := &net.OpError{Op: "write", Net: "tcp", Err: syscall.ECONNRESET}
				cmd.SetErr(err)
				return err
			}
		}
		return next(ctx, cmds)
	}
}

// A part added to a draft with a file is kept, and said so, even when its
// files' expiry could not be refreshed with the draft's: it is in the
// draft (told "not saved", the reporter would send it twice).
func TestPartKeptWhenItsDraftFilesAreNotRefreshed(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	h := failRefresh{on: &atomic.Bool{}}
	e := newHookedEnv(t, nil, h)
	r := e.do(reporterID, commands.Request{FileData: png, Attachment: &tips.Attachment{Kind: tips.Photo}})
	if press(r, "send:") == "" {
		t.Fatalf("the photo: %+v", r)
	}
	h.on.Store(true)
	r = e.do(reporterID, commands.Request{Text: "el halcón de la esquina"})
	if len(r) != 1 || r[0].Text != e.text("es", "draft_added", nil, 2) {
		t.Fatalf("the second part: %+v", r)
	}
}
