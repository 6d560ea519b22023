package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// pipeBuf is PIPE_BUF on Linux: the most a write(2) to a pipe puts in it
// at once, with no other process's or thread's write inside it.
const pipeBuf = 4096

// atomicLines passes writes to w, but a JSON log line longer than
// pipeBuf, which it writes as several lines of at most pipeBuf bytes
// each (logParts). The guarded child's standard error is a pipe the
// runtime writes a crash's output to as well: a longer line is written
// in pieces, the runtime's writes may land between them, and scrubCrash,
// which passes a line that begins as a log line whole (logStart), passed
// a panic's value or a frame's argument words written inside it in
// clear. No write is held back: a progress bar's redraw, a shorter line
// go as they come.
//
// Writes are one at a time, a line's parts together: each logger's
// handler locks its own writes only, and a process with two loggers on
// standard error (`vigia bench`'s for the libraries, go-redis's
// included, and its engine's) would otherwise write two long lines' parts
// mixed, with nothing to tell which part is whose.
type atomicLines struct {
	mu sync.Mutex
	w  io.Writer
}

func (a *atomicLines) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(p) <= pipeBuf || !bytes.HasPrefix(p, []byte(logStart)) || !bytes.HasSuffix(p, []byte("}\n")) {
		return a.w.Write(p)
	}
	for _, part := range logParts(p) {
		if _, err := a.w.Write(part); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// logPart is one line of a log line written in parts: the line's time
// and level, and a piece of its text; the texts in order are the line.
type logPart struct {
	Time  string `json:"time"`
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Part  int    `json:"part"`
	Parts int    `json:"parts"`
	Text  string `json:"text"`
}

// logPartMsg is the message of every part.
const logPartMsg = "log line in parts (over 4096 bytes): join the texts"

// logParts cuts line (a JSON log line, "\n" included) into lines of at
// most pipeBuf bytes, each a JSON log line holding a piece of it.
func logParts(line []byte) [][]byte {
	head := lineHead(line)
	text := strings.TrimSuffix(string(line), "\n")
	// What a part holds besides its text, with room for the numbers.
	overhead := len(encodePart(logPart{Time: head.Time, Level: head.Level, Msg: logPartMsg, Part: 1 << 20, Parts: 1 << 20}))
	var pieces []string
	for text != "" {
		room, n := pipeBuf-overhead, 0
		for n < len(text) {
			r, size := utf8.DecodeRuneInString(text[n:])
			if room -= escapedLen(r); room < 0 {
				break
			}
			n += size
		}
		pieces = append(pieces, text[:n])
		text = text[n:]
	}
	parts := make([][]byte, len(pieces))
	for i, p := range pieces {
		parts[i] = encodePart(logPart{Time: head.Time, Level: head.Level, Msg: logPartMsg, Part: i + 1, Parts: len(pieces), Text: p})
	}
	return parts
}

// lineHead is the time and level the handler writes first in a log
// line, each cut to maxHead bytes. Not json.Unmarshal of the line: it
// takes a later attribute named "time" or "level" (or "Level", it
// matches keys in any case) over the handler's, and one as long as a
// part left no room for the text.
func lineHead(line []byte) (head struct{ Time, Level string }) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return head
	}
	for _, f := range []*string{&head.Time, &head.Level} {
		_, _ = dec.Token() // the key: logStart, then slog's order
		t, _ := dec.Token()
		s, _ := t.(string)
		if len(s) > maxHead {
			s = strings.ToValidUTF8(s[:maxHead], "")
		}
		*f = s
	}
	return head
}

// maxHead is the most of a line's time or level a part repeats.
const maxHead = 64

// encodePart is part as a JSON line, "&", "<" and ">" not escaped.
func encodePart(part logPart) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(part)
	return b.Bytes()
}

// escapedLen is how many bytes r takes in a JSON string (encodePart's).
func escapedLen(r rune) int {
	switch {
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == utf8.RuneError || r == '\u2028' || r == '\u2029':
		return 6
	}
	return utf8.RuneLen(r)
}
