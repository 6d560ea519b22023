package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigia-project/vigia/commands"
)

type echo struct{ got []commands.Request }

func (e *echo) Handle(ctx context.Context, req commands.Request, w commands.Replier) {
	e.got = append(e.got, req)
	_ = w.Reply(ctx, commands.Reply{Text: "ok", Buttons: [][]commands.Button{{{Label: "Send", Data: "send:1"}}}})
}

// A huge line does not end the session; commands, buttons and /as are
// translated as the engine expects.
func TestConsoleLines(t *testing.T) {
	in := strings.Repeat("x", 3<<20) + "\n/status@VigiaBot ABCD\n#1\n#9\n/as investigator\nhola\n/quit\nnever read\n"
	out := &bytes.Buffer{}
	a := New(Options{In: strings.NewReader(in), Out: out, Say: func(id string, _ map[string]any) string { return id },
		Identities: []Identity{{Role: "reporter", UserID: "1"}, {Role: "investigator", UserID: "2"}}})
	h := &echo{}
	if err := a.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 4 {
		t.Fatalf("%d requests: %+v", len(h.got), h.got)
	}
	if len(h.got[0].Text) != 256<<10 {
		t.Fatalf("long line kept %d bytes", len(h.got[0].Text))
	}
	if h.got[1].Command != "status" || h.got[1].Args != "ABCD" || !h.got[1].CommandAtStart {
		t.Fatalf("command: %+v", h.got[1])
	}
	if h.got[2].Callback != "send:1" {
		t.Fatalf("button: %+v", h.got[2])
	}
	if h.got[3].UserID != "2" || h.got[3].Text != "hola" {
		t.Fatalf("after /as: %+v", h.got[3])
	}
	if !strings.Contains(out.String(), "demo_as") {
		t.Fatalf("no switch notice: %q", out.String()[:200])
	}
}

// A wipe in a pipe says what a platform would do; at a terminal it also
// clears the screen.
func TestConsoleWipe(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		var out bytes.Buffer
		a := New(Options{Out: &out, Interactive: interactive, Identities: []Identity{{Role: "reporter", UserID: "1"}},
			Say: func(id string, _ map[string]any) string { return "<" + id + ">" }})
		if _, err := a.WipeChat(context.Background(), "1", ""); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "<demo_wiped>") || strings.Contains(out.String(), "\033[2J") != interactive {
			t.Fatalf("interactive=%v: %q", interactive, out.String())
		}
	}
}
