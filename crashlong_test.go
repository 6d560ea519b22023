package main

import (
	"bytes"
	"io"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// A line on standard error longer than what scrubCrash holds at a time,
// neither a log line nor one of the crash's own, is scrubbed whole: an
// id across the end of the first piece read (in two halves), or anywhere
// after it, was written in clear where that piece held nothing to mask,
// and where it did the rest of the line was dropped. Where the line can
// be cut between words it reads as scrubIDs reads it whole.
func TestScrubCrashScrubsLongLinesWhole_logscrub(t *testing.T) {
	filler := func(n int) string {
		return strings.Repeat("balacera hidalgo ", n/17+1)[:n]
	}
	for _, c := range []struct {
		name string
		line string
	}{
		{"across the first piece's end", filler(maxCrashLine-8) + " user 7306318845 sent tips"},
		{"word before the end, id after", filler(maxCrashLine-6) + " user 7306318845 sent tips"},
		{"id at the end, its word well before", filler(maxCrashLine-40) + " chat ids [7306318845, 5123456789, 4433221100, 6622334455] gone"},
		{"far after the first piece", filler(maxCrashLine+100) + " from 2026-12-07 05:00 EST 7306318845 " + filler(3*maxCrashLine) + " user 5123456789 left"},
		{"across every window", strings.Repeat(filler(maxCrashLine/3-17)+" user 7306318845 ", 12) + "end"},
		{"full-width digits", filler(maxCrashLine-9) + " user ７３０６３１８８４５ sent tips"},
	} {
		var out strings.Builder
		if err := scrubCrash(strings.NewReader(c.line+"\n"), &out); err != nil {
			t.Fatal(err)
		}
		if want := scrubIDs(c.line) + "\n"; out.String() != want {
			i := 0
			for i < min(len(want), out.Len()) && want[i] == out.String()[i] {
				i++
			}
			t.Errorf("%s: scrubbed %d bytes, want %d; from byte %d: %.80q, want %.80q", c.name, out.Len(), len(want), i, out.String()[i:], want[i:])
		}
	}

	// No word to cut at: every number is masked, none in clear, up to
	// the next cut or the line's end (the id after "ABC", which
	// scrubIDs would keep reading the line whole, too).
	for _, line := range []string{
		"ids " + strings.Repeat("7306318845, ", 3*maxCrashLine/12),
		"users " + strings.Repeat("7306318845 5123456789 ", maxCrashLine/22) + strings.Repeat("x", 100) + "0cc6ce9b1a2b3c4d5e6f708192a3b4c5 ABC 7306318845",
	} {
		var out strings.Builder
		if err := scrubCrash(strings.NewReader(line+"\n"), &out); err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`[0-9]{4,}|[0-9a-f]{12,}`).FindString(out.String()); m != "" {
			t.Errorf("%d bytes scrubbed left %q in clear", len(line), m)
		}
		if !strings.HasSuffix(out.String(), " ABC N\n") && strings.Contains(line, "ABC") {
			t.Errorf("the line's end scrubbed as %q", out.String()[max(0, out.Len()-40):])
		}
	}
}

// A line of 16 MiB is scrubbed as it is read: what the heap holds
// meanwhile stays far below the line's size, and the id at its end is
// not written in clear. What it holds is read after a collection: the
// heap before one also holds the windows already written, as much as the
// collector's pace leaves (with scrubIDs fast, 6.5 MiB of them at times
// under load, where it holds two windows).
func TestScrubCrashLongLineMemory_logscrub(t *testing.T) {
	const size = 16 << 20
	unit := []byte("balacera hidalgo ")
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	reads, pos := 0, 0
	src := io.LimitReader(readerFunc(func(p []byte) (int, error) {
		if reads++; reads%16 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		for i := range p {
			p[i] = unit[pos%len(unit)]
			pos++
		}
		return len(p), nil
	}), size)
	w := &leakWriter{needle: []byte("7306318845")}
	if err := scrubCrash(io.MultiReader(src, strings.NewReader(" user 7306318845\n")), w); err != nil {
		t.Fatal(err)
	}
	if w.found {
		t.Error("an id was written in clear")
	}
	if w.n < size/2 {
		t.Errorf("%d bytes written of a %d-byte line", w.n, size)
	}
	if peak > base+6<<20 {
		t.Errorf("the heap grew to %d bytes (from %d) for a %d-byte line", peak, base, size)
	}
}

// readerFunc is an io.Reader of a function.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// leakWriter counts what is written to it and looks for needle in it,
// across writes, holding no more than needle's length of it.
type leakWriter struct {
	needle []byte
	tail   []byte
	n      int
	found  bool
}

func (w *leakWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	buf := append(w.tail, p...)
	if bytes.Contains(buf, w.needle) {
		w.found = true
	}
	w.tail = append([]byte(nil), buf[max(0, len(buf)-len(w.needle)):]...)
	return len(p), nil
}

// A line whose first piece is, on its own, one JSON object that begins
// as a log line, and that runs on after it, is no log line (the logger
// writes one whole, its "\n" right after its "}"): what runs on was
// written unscrubbed. It is scrubbed as text; the piece is kept.
func TestScrubCrashScrubsWhatRunsOnAfterALogLinePiece_rev5(t *testing.T) {
	head := `{"time":"2026-12-07T05:00:00Z","level":"INFO","msg":"x"}`
	piece := head + strings.Repeat(" ", maxCrashLine-len(head))
	for _, tail := range []string{
		"user 7306318845 sent tips",
		" chat ids [7306318845, 5123456789] " + strings.Repeat("balacera hidalgo ", 2*maxCrashLine/17) + " user 5123456789",
		"0cc6ce9b1a2b3c4d5e6f708192a3b4c5",
	} {
		var out strings.Builder
		if err := scrubCrash(strings.NewReader(piece+tail+"\n"), &out); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), piece) {
			t.Errorf("the piece was not kept: %.80q", out.String())
		}
		if m := regexp.MustCompile(`[0-9]{4,}|[0-9a-f]{12,}`).FindString(out.String()[len(piece):]); m != "" {
			t.Errorf("%.40q: %q in clear after the piece", tail, m)
		}
		if want := piece + scrubIDs(tail) + "\n"; out.String() != want {
			t.Errorf("%.40q: scrubbed %d bytes, want %d", tail, out.Len(), len(want))
		}
	}
}
