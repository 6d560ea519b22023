package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// writeSizes records each write's size.
type writeSizes struct {
	bytes.Buffer
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.Buffer.Write(p)
}

// A log line over PIPE_BUF (a long stack, a long error) is written as
// several JSON log lines of at most 4096 bytes, each in one write, so no
// crash output the runtime writes meanwhile lands inside one of them;
// their texts joined are the line. Shorter lines and other writes (a
// progress bar) pass as they are.
func TestLongLogLinesAreWrittenInParts(t *testing.T) {
	var w writeSizes
	log := newLogger(&atomicLines{w: &w}, nil)
	long := strings.Repeat(`balacera "Hidalgo" \ en la calle — Allende <&> `, 400)
	log.Warn("short", "n", 1)
	log.Warn("long", "stack", long)
	_, _ = (&atomicLines{w: &w}).Write([]byte("\rintake  10% "))
	lines := strings.Split(strings.TrimSuffix(w.String(), "\rintake  10% "), "\n")
	lines = lines[:len(lines)-1]
	if len(lines) < 4 {
		t.Fatalf("%d lines, want the short one and the long one in parts:\n%.500s", len(lines), w.String())
	}
	var joined strings.Builder
	for i, l := range lines {
		if !strings.HasPrefix(l, logStart) || !json.Valid([]byte(l)) {
			t.Fatalf("line %d is not a JSON log line: %.200s", i, l)
		}
		if i == 0 {
			continue
		}
		var p logPart
		_ = json.Unmarshal([]byte(l), &p)
		if p.Part != i || p.Parts != len(lines)-1 || p.Level != "WARN" {
			t.Errorf("part %d: %+v", i, p)
		}
		joined.WriteString(p.Text)
	}
	for i, n := range w.sizes {
		if n > pipeBuf {
			t.Errorf("write %d: %d bytes, over PIPE_BUF", i, n)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(joined.String()), &rec); err != nil || rec["stack"] != long || rec["msg"] != "long" {
		t.Errorf("the parts' texts joined are not the line: %v %.200s", err, joined.String())
	}
	if !strings.HasSuffix(w.String(), "\n\rintake  10% ") {
		t.Errorf("a progress bar's redraw was changed: %q", w.String()[max(0, w.Len()-40):])
	}
}

// An attribute named "level" or "time" (any case) is not the line's
// level or time: a part repeats the handler's. Taken from the attribute
// (json.Unmarshal of the line keeps the last "Level"), a long one left a
// part no room for text, and logParts never ended, its pieces growing
// until the process ran out of memory.
func TestLongLogLineWithALevelAttribute(t *testing.T) {
	long := strings.Repeat("z", 5000)
	var line bytes.Buffer
	newLogger(&line, nil).Warn("x", "Level", long, "time", long)
	if h := lineHead(line.Bytes()); h.Level != "WARN" || len(h.Time) > 40 {
		t.Fatalf("a part would repeat %.60q, %.60q: not the handler's level and time", h.Level, h.Time)
	}
	var w writeSizes
	log := newLogger(&atomicLines{w: &w}, nil)
	log.Warn("x", "Level", long, "time", long)
	var joined strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n") {
		var p logPart
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Level != "WARN" || p.Part != i+1 {
			t.Fatalf("part %d: %v %.200s", i+1, err, l)
		}
		joined.WriteString(p.Text)
	}
	for i, n := range w.sizes {
		if n > pipeBuf {
			t.Errorf("write %d: %d bytes, over PIPE_BUF", i, n)
		}
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(joined.String()), &rec); err != nil || rec["Level"] != long || rec["msg"] != "x" {
		t.Errorf("the parts' texts joined are not the line: %v", err)
	}
	// A line of another writer's whose own time is that long: a part
	// repeats maxHead bytes of it.
	w = writeSizes{}
	_, _ = (&atomicLines{w: &w}).Write([]byte(`{"time":"` + long + `","level":"WARN","msg":"x"}` + "\n"))
	for i, n := range w.sizes {
		if n > pipeBuf {
			t.Errorf("another writer's line, write %d: %d bytes, over PIPE_BUF", i, n)
		}
	}
}

// interleavingWriter records writes. On the first, it lets the second
// logger log and waits, a bounded while, until that one has written: a
// second line's parts land inside the first line's wherever nothing
// keeps a line's parts together.
type interleavingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	start  chan struct{} // closed on the first write
	second atomic.Bool   // the second logger has written
}

func (w *interleavingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.buf.Write(p)
	first := w.buf.Len() == len(p)
	w.mu.Unlock()
	if first {
		close(w.start)
		for i := 0; i < 100_000 && !w.second.Load(); i++ {
			runtime.Gosched()
		}
	} else if bytes.Contains(p, []byte("engine /src")) {
		w.second.Store(true)
	}
	return n, err
}

// `vigia bench` logs through two loggers on one standard error (the
// libraries', go-redis's included, at WARN, and its engine's at ERROR),
// each locking its own writes only. Their long lines come out each in
// its parts, in order, not mixed: a part says its number, not its line.
func TestTwoLoggersLongLinesComeOutWhole(t *testing.T) {
	w := interleavingWriter{start: make(chan struct{})}
	stderr := &atomicLines{w: &w}
	libLog, engLog := newLogger(stderr, slog.LevelWarn), newLogger(stderr, slog.LevelError)
	stack := func(name string) string { return strings.Repeat(name+" /src/f.go:1; ", 600) }
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-w.start
		engLog.Error("engine", "stack", stack("engine"))
	}()
	libLog.Error("lib", "stack", stack("lib"))
	<-done
	var joined strings.Builder
	var whole []string
	next := 1
	for i, l := range strings.Split(strings.TrimSuffix(w.buf.String(), "\n"), "\n") {
		var p logPart
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Msg != logPartMsg {
			t.Fatalf("line %d is not a part: %v %.200s", i, err, l)
		}
		if p.Part != next {
			t.Fatalf("line %d is part %d of %d, want part %d: two lines' parts mixed", i, p.Part, p.Parts, next)
		}
		joined.WriteString(p.Text)
		if next++; p.Part < p.Parts {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(joined.String()), &rec); err != nil {
			t.Fatalf("line %d: the parts' texts joined are not a line: %v", i, err)
		}
		name, _ := rec["msg"].(string)
		if rec["stack"] != stack(name) {
			t.Fatalf("line %d: the parts' texts joined are not the line logged: %.200s", i, joined.String())
		}
		whole = append(whole, name)
		joined.Reset()
		next = 1
	}
	if len(whole) != 2 || next != 1 {
		t.Errorf("whole lines: %q, want lib's and engine's, the last one ended", whole)
	}
}
