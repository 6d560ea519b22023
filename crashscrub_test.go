package main

import (
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestScrubCrash: what the runtime prints of a crash keeps where it
// happened (functions, files, lines, goroutine headers, fatal errors) and
// loses with what (a panic's value, however many lines it runs onto,
// frames' argument words, registers); log lines pass unchanged.
func TestScrubCrash(t *testing.T) {
	in := strings.Join([]string{
		`{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"started (2 adapters)"}`,
		`panic: chat 7306318845 said balacera [recovered]`,
		"\tpanic: line one of a tip",
		"\tline two of the tip",
		"",
		`goroutine 22 [running]:`,
		`main.crashHookLeak(0x1b37d93fd, {0xd8741bf2027, 0x8})`,
		"\t/src/vigia/crashhook.go:29 +0xa9",
		`github.com/vigia-project/vigia/commands.(*Mux).Handle(0xc0001, {0x1b37d93fd?, 0x0?}, ...)`,
		"\t/src/vigia/commands/mux.go:440 +0x1f",
		`main.main()`,
		`main.inlined(...)`,
		`created by main.init.0 in goroutine 1`,
		`rax    0x1b37d93fd`,
		`rip    0x46a2c1`,
		`fatal error: concurrent map writes`,
		`panic: runtime error: index out of range [7306318845] with length 3`,
		`[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x46a2c1]`,
		`panic: 7306318845`,
		`panic: runtime error: slice bounds out of range [7306318845:2]`,
		`panic: runtime error: hash of unhashable type main.U`,
		`panic: runtime error: integer divide by zero`,
		`panic: runtime error: tip 7306318845 said balacera`,
		`panic: runtime error: index out of range [1] with length 2: balacera`,
		"",
		`goroutine 1 [chan receive]:`,
		`fatal error: panic while printing panic value: chat 7306318845`,
		"\tsaid balacera",
		`fatal error: panic while printing panic value: type *main.T`,
		`fatal error: panic while printing panic value: type chat 7306318845`,
		"\tfatal error: panic while printing panic value: chat 7306318845",
		"",
		`no newline at the end (0x1b37d93fd)`,
	}, "\n")
	want := strings.Join([]string{
		`{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"started (2 adapters)"}`,
		`panic: ` + withheld + ` [recovered]`,
		"\tpanic: " + withheld,
		"",
		`goroutine 22 [running]:`,
		`main.crashHookLeak(...)`,
		"\t/src/vigia/crashhook.go:29 +0xa9",
		`github.com/vigia-project/vigia/commands.(*Mux).Handle(...)`,
		"\t/src/vigia/commands/mux.go:440 +0x1f",
		`main.main()`,
		`main.inlined(...)`,
		`created by main.init.0 in goroutine 1`,
		`rax    0x?`,
		`rip    0x?`,
		`fatal error: concurrent map writes`,
		`panic: runtime error: index out of range [N] with length N`,
		`[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x46a2c1]`,
		`panic: ` + withheld,
		`panic: runtime error: slice bounds out of range [N:N]`,
		`panic: runtime error: hash of unhashable type main.U`,
		`panic: runtime error: integer divide by zero`,
		`panic: ` + withheld,
		`panic: ` + withheld,
		"",
		`goroutine 1 [chan receive]:`,
		`fatal error: panic while printing panic value: ` + withheld,
		`fatal error: panic while printing panic value: type *main.T`,
		`fatal error: panic while printing panic value: ` + withheld,
		"\tfatal error: panic while printing panic value: " + withheld,
		"",
		`no newline at the end (...)`,
	}, "\n")
	checkScrubbed(t, in, want)
}

// TestScrubCrashWithholdsUpToFrames: what comes between a panic's
// "panic: " and its frames is withheld, whatever another goroutine
// writes in between: the value's rest after a log line written between
// its writes (the rest then has no "\t"), after a "\r" in the value, or
// after a log line between its lines; the signal's line is kept, and the
// frames and log lines after them are passed as before.
func TestScrubCrashWithholdsUpToFrames(t *testing.T) {
	const logLine = `{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"tip stored"}`
	in := strings.Join([]string{
		logLine,
		"panic: " + logLine, // "panic: ", a log line, then the value
		"chat 7306318845 said balacera",
		"panic: chat 7306318845\rsaid Hidalgo",
		"\tline two: Morelos",
		logLine,
		"\tline three: Juárez",
		"Zaragoza [recovered]",
		"\tpanic: runtime error: integer divide by zero",
		"[signal SIGFPE: floating-point exception code=0x1 addr=0x4a2c1 pc=0x4a2c1]",
		"",
		"goroutine 8 [running]:",
		"main.crashHookLeak(0x1b37d93fd)",
		"\t/src/vigia/crashhook.go:29 +0xa9",
		logLine,
		"",
	}, "\n")
	want := strings.Join([]string{
		logLine,
		"panic: " + withheld,
		"panic: " + withheld, // its "\r" a "\n"
		"\tpanic: runtime error: integer divide by zero",
		"[signal SIGFPE: floating-point exception code=0x1 addr=0x4a2c1 pc=0x4a2c1]",
		"",
		"goroutine 8 [running]:",
		"main.crashHookLeak(...)",
		"\t/src/vigia/crashhook.go:29 +0xa9",
		logLine,
		"",
	}, "\n")
	checkScrubbed(t, in, want)
}

// TestScrubCrashCRLFInValue: a panic's value with "\r\n" line ends (a
// tip pasted from Windows) or "\r\r" in it is withheld up to the frames:
// the empty piece after such a "\r" is not the empty line the runtime
// prints before the frames. Before, it ended the value there, and the
// value's next lines were passed in clear. A progress bar's "\r\n" in a
// log line still passes.
func TestScrubCrashCRLFInValue(t *testing.T) {
	in := "bench 10%\rbench 100%\r\n" +
		"panic: chat 7306318845 said\r\n\tbalacera en Hidalgo\r\rcalle Allende\r\n\tZaragoza\r\n" +
		"\n" +
		"goroutine 8 [running]:\n" +
		"main.crashHookLeak(0x1b37d93fd)\n"
	want := "bench 10%\rbench 100%\r\n" +
		"panic: " + withheld + "\n" +
		"\n" +
		"goroutine 8 [running]:\n" +
		"main.crashHookLeak(...)\n"
	checkScrubbed(t, in, want)
}

// TestScrubCrashLongLines: a line far longer than what scrubCrash holds
// at a time is scrubbed as a line (a panic's value withheld whole, a log
// line passed whole), and a line with no end does not fill memory.
func TestScrubCrashLongLines(t *testing.T) {
	long := strings.Repeat("balacera Hidalgo ", 3*maxCrashLine/17)
	in := strings.Join([]string{
		`{"msg":"` + long + `"}`,
		"panic: " + long,
		"\t" + long,
		"",
		`main.f(0x1b37d93fd)`,
		"",
	}, "\n")
	want := strings.Join([]string{
		`{"msg":"` + long + `"}`,
		"panic: " + withheld,
		"",
		`main.f(...)`,
		"",
	}, "\n")
	var out strings.Builder
	if err := scrubCrash(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("scrubbed %d bytes, want %d:\n%.300s", out.Len(), len(want), out.String())
	}

	// 64 MiB on one line: what is allocated meanwhile stays far below.
	const size = 64 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	line := io.LimitReader(repeatReader('a'), size)
	if err := scrubCrash(io.MultiReader(strings.NewReader("panic: "), line), io.Discard); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > size/16 {
		t.Errorf("a %d-byte line allocated %d bytes", size, grown)
	}
}

// repeatReader reads as an endless run of one byte.
type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// A progress bar redrawn with "\r" (vigia bench) is passed on as it is
// drawn, not held until a "\n" ends the bar. Reading a line up to "\n"
// alone fails this (the first redraw never arrives).
func TestScrubCrashPassesRedrawsOn(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	go func() { _ = scrubCrash(inR, outW); outW.Close() }()
	got := make(chan string, 1)
	go func() {
		want := len("\r\rintake  10% \r")
		b := make([]byte, 0, want)
		buf := make([]byte, 64)
		for len(b) < want {
			n, err := outR.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				break
			}
		}
		got <- string(b)
	}()
	if _, err := io.WriteString(inW, "\r\rintake  10% \rintake  20% "); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "\r\rintake  10% \r" {
			t.Errorf("passed on %q, want the first redraw %q", s, "\r\rintake  10% \r")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the first redraw was not passed on before the bar's next write (held until a \"\\n\")")
	}
	inW.Close()
	_, _ = io.Copy(io.Discard, outR)
}

// checkScrubbed fails t unless scrubCrash turns in into want.
func checkScrubbed(t *testing.T, in, want string) {
	t.Helper()
	var out strings.Builder
	if err := scrubCrash(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("scrubbed:\n%q\nwant:\n%q", out.String(), want)
	}
}

// TestScrubCrashLogLineInsideAFrame: the runtime writes a frame's line in
// pieces (the function, "(", each argument word, ", ", ")"), and a
// register's too; a log line another goroutine writes in between lands
// inside it, and the line's rest follows the log line. Neither part
// shows an argument word or a register's value; the log lines pass
// whole, each on a line of its own.
func TestScrubCrashLogLineInsideAFrame(t *testing.T) {
	const logLine = `{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"tip stored (0x1)"}`
	in := strings.Join([]string{
		"goroutine 8 [running]:",
		"main.crashHookLeak(0x1b37d93fd, " + logLine,
		"{0xd8741bf2027, 0x8})",
		"\t/src/vigia/crashhook.go:29 +0xa9",
		"main.crashHookLeak(" + logLine,
		logLine,
		"0x1b37d93fd)",
		"main.f(0x1b37d93fd)" + logLine,
		"",
		"main.(*T).g(0x1b37d93fd" + logLine,
		", 0x2" + logLine,
		", 0x3)",
		"main.crash" + logLine,
		"HookLeak(0x1b37d93fd)",
		"\t/src/vigia/crashhook.go:29 +0x" + logLine,
		"a9",
		"rax    0x1b37d93fd" + logLine,
		"rbx    " + logLine,
		"0x1b37d93fd",
		"main.h(...)",
		logLine,
		"",
		"goroutine 9 [select]:",
	}, "\n")
	want := strings.Join([]string{
		"goroutine 8 [running]:",
		"main.crashHookLeak(...)",
		logLine,
		"\t/src/vigia/crashhook.go:29 +0xa9",
		"main.crashHookLeak(...)",
		logLine,
		logLine,
		"main.f(...)",
		logLine,
		"main.(*T).g(...)",
		logLine,
		logLine,
		"main.crash",
		logLine,
		"HookLeak(...)",
		"\t/src/vigia/crashhook.go:29 +0x",
		logLine,
		logLine, // "a9" goes: hex, as a word's rest is
		"rbx    ",
		logLine,
		"main.h(...)",
		logLine,
		"",
		"goroutine 9 [select]:",
	}, "\n")
	checkScrubbed(t, in, want)
}

// TestScrubCrashLogLineHoldingItsStart: a log line whose attribute is a
// map, a struct or a group with "time" first holds `{"time":"` past its
// start, unescaped (a JSON object, not a string). It is a log line, not
// one the runtime wrote with a log line inside it: it passes whole, and
// the line after it is not taken for a frame's rest.
func TestScrubCrashLogLineHoldingItsStart(t *testing.T) {
	var logs strings.Builder
	log := newLogger(&logs, nil)
	log.Info("tip stored (0x1)", "v", map[string]string{"time": "soon"})
	log.Info("tip stored (0x2)", slog.Group("g", "time", "later"))
	log.Info("tip stored (0x3)", "v", struct {
		Time string `json:"time"`
	}{"now"})
	lines := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines: %q", len(lines), logs.String())
	}
	for _, l := range lines {
		if !strings.Contains(l[1:], logStart) {
			t.Fatalf("the log line does not hold %q past its start: %s", logStart, l)
		}
	}
	in := lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n\ngoroutine 1 [running]:\nmain.f(0x1b37d93fd)\n"
	want := lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n\ngoroutine 1 [running]:\nmain.f(...)\n"
	checkScrubbed(t, in, want)
}

// A line that begins as a log line but is not one JSON object had
// something written inside it: a log line over PIPE_BUF is written in
// pieces, and the runtime's crash output can land between them. It was
// passed whole, a panic's value in it in clear, and the value's next
// lines too (its "panic: " was not at a line's start). Now the line is
// withheld, and the value up to the frames.
func TestScrubCrashInsideALongLogLine(t *testing.T) {
	head := `{"time":"2026-12-06T17:00:00Z","level":"ERROR","msg":"handler panic","stack":"` + strings.Repeat("main.f /src/f.go:1; ", 200)
	in := strings.Join([]string{
		head + "panic: chat 7306318845 said balacera",
		"\tline two: calle Allende",
		"",
		"goroutine 1 [running]:",
		head + "main.crashHookLeak(0x1b37d93fd, {0xd8741bf2027, 0x8})",
		`main.g /src/g.go:2; "}`,
		"",
	}, "\n")
	want := strings.Join([]string{
		brokenLogLine,
		"",
		"goroutine 1 [running]:",
		brokenLogLine,
		`main.g /src/g.go:2; "}`,
		"",
	}, "\n")
	checkScrubbed(t, in, want)
}

// A fatal error among the parts of a long log line: the runtime writes
// "fatal error: ", the message and "\n" in writes of their own, and a
// part (one write, atomicLines) can land after "fatal error: ", the
// message then beginning the line after the part. The message of a panic
// while printing a panic's value (which may quote a tip) passed there in
// clear, and its next lines too, unrecognised. Now it is judged as on
// its line: withheld up to the frames, or kept where the runtime's own
// words ("concurrent map writes", a type's name); the parts pass whole.
func TestScrubCrashFatalErrorAmongLogParts(t *testing.T) {
	var logs strings.Builder
	newLogger(&atomicLines{w: &logs}, nil).Error("redis failed", "error", "user_id=7306318845 "+strings.Repeat("main.f /src/f.go:1; ", 500))
	parts := strings.Split(strings.TrimSuffix(logs.String(), "\n"), "\n")
	if len(parts) < 3 || strings.Contains(logs.String(), "7306318845") {
		t.Fatalf("want a line in 3 parts or more, its id scrubbed: %.300s", logs.String())
	}
	in := strings.Join([]string{
		parts[0],
		"fatal error: " + parts[1],
		"panic while printing panic value: chat 7306318845 said balacera",
		"\tcalle Allende",
		parts[2],
		"",
		"goroutine 1 [running]:",
		"main.f(0x1b37d93fd)",
		"fatal error: " + parts[0],
		parts[1],
		"concurrent map writes",
		"",
		"fatal error: panic while " + parts[2],
		"printing panic value: chat 7306318845",
		"",
		"\tfatal error: " + parts[0],
		"panic while printing panic value: type *main.T",
		"",
	}, "\n")
	want := strings.Join([]string{
		parts[0],
		"fatal error: ",
		parts[1],
		"panic while printing panic value: " + withheld,
		"",
		"goroutine 1 [running]:",
		"main.f(...)",
		"fatal error: ",
		parts[0],
		parts[1],
		"concurrent map writes",
		"",
		"fatal error: panic while ",
		parts[2],
		"printing panic value: " + withheld,
		"",
		"\tfatal error: ",
		parts[0],
		"panic while printing panic value: type *main.T",
		"",
	}, "\n")
	checkScrubbed(t, in, want)
}

// A fatal error's "fatal error: " cut by a log line, and before its
// message another goroutine's crash output: a "panic: " and its value, a
// fatal error of its own, a register's line. Each is judged as it is, not
// as the first fatal error's message (where "fatal error: panic: …"
// passed whole, the value in clear). And a panic's value begun in a
// broken log line there ends at the empty line before the frames, which
// are shown.
func TestScrubCrashFatalErrorCutThenAnotherCrash(t *testing.T) {
	const logLine = `{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"tip stored"}`
	for _, c := range []struct{ name, next, want string }{
		{"panic", "panic: chat 7306318845 said balacera\n\tcalle Allende\n", "panic: " + withheld + "\n"},
		{"nested panic", "\tpanic: chat 7306318845 said balacera\n", "\tpanic: " + withheld + "\n"},
		{"runtime error", "panic: runtime error: index out of range [7306318845] with length 3\n", "panic: runtime error: index out of range [N] with length N\n"},
		{"fatal error", "fatal error: panic while printing panic value: chat 7306318845\n", "fatal error: panic while printing panic value: " + withheld + "\n"},
		{"register", "rax    0x1b37d93fd\n", "rax    0x?\n"},
		{"broken log line", `{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"panic: chat 7306318845` + "\n", brokenLogLine + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := "fatal error: " + logLine + "\n" + c.next + "\ngoroutine 1 [running]:\nmain.f(0x1b37d93fd)\nconcurrent map writes\n"
			want := "fatal error: \n" + logLine + "\n" + c.want + "\ngoroutine 1 [running]:\nmain.f(...)\nconcurrent map writes\n"
			checkScrubbed(t, in, want)
		})
	}
}

// A line on standard error that is neither a log line nor one the crash
// scrubber rewrites (one Vigía's code or a library writes there: "vigia
// bench: " and an error, which scrubAddrs alone scrubbed) has its ids
// and pseudonyms masked by the logger's rules: it passed in clear. The
// runtime's own lines (a goroutine's header, a frame's file and line)
// and log lines pass unchanged.
func TestScrubCrashMasksIdsInOtherLines_logs(t *testing.T) {
	const pseudonym = "0cc6ce9b1a2b3c4d5e6f708192a3b4c5"
	in := strings.Join([]string{
		`vigia bench: NOPERM User vigia has no permissions to access the 'vigia:{` + pseudonym + `}:st' key`,
		`vigia: chat 7306318845: 400`,
		`goroutine 22 [running]:`,
		"\t/src/vigia/bot/telegram/chat.go:29 +0xa9",
		`created by main.init.0 in goroutine 1`,
		`{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"x","tips_from":7306318845}`,
	}, "\n") + "\n"
	want := strings.Join([]string{
		`vigia bench: NOPERM User vigia has no permissions to access the 'vigia:{[id withheld]}:st' key`,
		`vigia: chat N: 400`,
		`goroutine 22 [running]:`,
		"\t/src/vigia/bot/telegram/chat.go:29 +0xa9",
		`created by main.init.0 in goroutine 1`,
		`{"time":"2026-12-06T17:00:00Z","level":"INFO","msg":"x","tips_from":7306318845}`,
	}, "\n") + "\n"
	var out strings.Builder
	if err := scrubCrash(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != want {
		t.Errorf("scrubbed\n%s\nwant\n%s", out.String(), want)
	}
}
