package telegram

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/vigia-project/vigia/commands"
	"github.com/vigia-project/vigia/locales"
	"github.com/vigia-project/vigia/storage"
	"github.com/vigia-project/vigia/storage/redistest"
)

// replies is a commands.Replier that keeps what the engine answered.
type replies struct {
	mu  sync.Mutex
	got []commands.Reply
}

func (r *replies) Reply(_ context.Context, rep commands.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, rep)
	return nil
}

// engine is the real Mux on a real store, as main wires it, with flood
// limits out of the way so a fuzzer may send thousands of tips.
func engine(tb testing.TB) (*commands.Mux, *storage.Store) {
	tb.Helper()
	srv := redistest.Start(tb)
	kr, err := storage.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := storage.New(srv.Client(), kr, storage.Options{Prefix: "fz", Retention: time.Hour, DraftIdle: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.Init(context.Background()); err != nil {
		tb.Fatal(err)
	}
	msg, err := locales.Load()
	if err != nil {
		tb.Fatal(err)
	}
	limits := commands.DefaultLimits
	limits.PartsPerHour, limits.TipsPerHour, limits.QueriesPerHour, limits.ChatPerHour = 1<<30, 1<<30, 1<<30, 1<<30
	mux := commands.New(commands.Options{
		Store: st, Messages: msg, Retention: time.Hour, Limits: limits,
		Roles:           commands.Roles{"telegram:9001": commands.Investigator},
		Logger:          slog.New(slog.DiscardHandler),
		DefaultLanguage: "en",
	})
	return mux, st
}

// clickable finds, in text an investigator sees, what Telegram would turn
// into a link to the reported site: a scheme ("https://", "tg://"), "www.",
// a host name with a letter-only top-level label ("evil.example",
// "t.me/x", "a@evil.example"; Latin ones also with "。", "．", "｡"), an IPv4
// address. It does not count @mentions, #hashtags or phone numbers: they
// open Telegram itself, not the reported site. Written apart from tips'
// patterns, so a gap there is not mirrored here.
var clickable = regexp.MustCompile(`(?i)` +
	`[a-z0-9+.-]:/{2}|www\.|` +
	`[\p{L}\p{M}\p{N}-]\.\p{L}{2}|` +
	`[\p{Latin}\p{N}-][。．｡]\p{Latin}{2}|` +
	`\d[.。．｡]\d{1,3}[.。．｡]\d{1,3}[.。．｡]\d`)

// defanged is a scheme the bot wrote: "hxxps://" is not a link.
var defanged = regexp.MustCompile(`(?i)hxxps?:/{2}`)

// sentTip files text as a tip from a fresh reporter and returns the
// investigator's /tip and /recent views as Telegram HTML messages.
func sentTip(t *testing.T, mux *commands.Mux, st *storage.Store, reporter int, text string) (views []string, ok bool) {
	ctx := context.Background()
	id := strconv.Itoa(reporter)
	do := func(req commands.Request) []commands.Reply {
		req.Platform, req.EventID = Platform, int64(reporter)*10+int64(len(req.Callback)+len(req.Command))
		if req.UserID == "" {
			req.UserID, req.ChatID, req.UserChat = id, id, id
		}
		w := &replies{}
		mux.Handle(ctx, req, w)
		if len(w.got) == 0 {
			t.Fatalf("no answer to %+v", req)
		}
		return w.got
	}
	send := ""
	for _, rep := range do(commands.Request{ChatKind: commands.Private, Text: text, Language: "es"}) {
		for _, row := range rep.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "send:") {
					send = b.Data
				}
			}
		}
	}
	if send == "" {
		return nil, false // nothing to keep (empty once neutralised, too long)
	}
	do(commands.Request{ChatKind: commands.Private, Callback: send, Language: "es"})
	list, err := st.Recent(ctx, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("tip not stored: %v", err)
	}
	inv := commands.Request{UserID: "9001", ChatID: "9001", UserChat: "9001", ChatKind: commands.Private, Language: "en", CommandAtStart: true, Addressed: true}
	tip, recent := inv, inv
	tip.Command, tip.Args = "tip", list[0].ID
	recent.Command, recent.Args = "recent", "1"
	for _, req := range []commands.Request{tip, recent} {
		for _, rep := range do(req) {
			views = append(views, renderText(rep.Text)...)
		}
	}
	return views, true
}

// FuzzInvestigatorView sends arbitrary text as a tip through the engine
// and shows it to an investigator (/tip and /recent) as the Telegram
// adapter renders it: no active tag, no clickable link to anything
// reported, no bidirectional or invisible format character.
func FuzzInvestigatorView(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s)
	}
	for _, s := range []string{
		"pago en https://evil.example/x?utm_source=y y www.cobro.example, t.me/narcos, evil.example, pago@evil.example",
		"HTTPS://EVIL.EXAMPLE ftp://x.example tg://resolve?domain=narcos ton://x intent://y",
		"h\u200Bttps://evil.example ww\u2060w.evil.example evil\u200B.example e\u202Evil.example",
		"evil。example ｅｖｉｌ．ｅｘａｍｐｌｅ t｡me/narcos 200.57.1.9 10。0。0。1",
		"пример.рф bücher.de e\u0301vil.example evil.xn--p1ai",
		"<a href=\"https://evil.example\">x</a> [x](https://evil.example) &lt;a href=x&gt;",
	} {
		f.Add(s)
	}
	mux, st := engine(f)
	reporter := 0
	f.Fuzz(func(t *testing.T, text string) {
		reporter++
		views, ok := sentTip(t, mux, st, 1000+reporter, text)
		if !ok {
			return
		}
		for _, v := range views {
			seen := visible(t, v)
			if m := clickable.FindString(defanged.ReplaceAllString(seen, "")); m != "" {
				t.Fatalf("clickable %q in what the investigator sees:\n%s", m, seen)
			}
			// (The word joiner the bot puts after a slash keeps a
			// "/command" the reporter wrote from being tapped; the
			// direction mark of the bot's quote mark keeps it on the left.)
			for _, l := range strings.Split(strings.ReplaceAll(seen, "/\u2060", "/"), "\n") {
				for _, r := range strings.TrimPrefix(l, commands.QuoteMark) {
					if r != 0x200D && unicode.Is(unicode.Cf, r) {
						t.Fatalf("format character %U shown to the investigator:\n%q", r, seen)
					}
				}
			}
		}
	})
}
