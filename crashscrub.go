package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strings"
)

// The Go runtime prints a crash (an unrecovered panic, a fatal error such
// as concurrent map writes, a SIGQUIT dump) on file descriptor 2 itself,
// past any logger: the panic's value as text, and for each frame the
// argument words in hex. A chat or user id passed as an int64 is there
// (0x…), and a panic's value can quote a tip. scrubCrash rewrites such
// output so that it still says where (functions, files and lines) but
// not with what.

// frameArgs is the argument list the runtime prints after a frame's
// function name: hex words, "{…}" around a struct's or string's words,
// "?" for a value it is unsure of, "..." for more.
var frameArgs = regexp.MustCompile(`^(\S.*)\([0-9a-fx{}, .?]+\)$`)

// register is a line of a register dump (GOTRACEBACK=crash): a name and
// a hex value, which may be any word the program held.
var register = regexp.MustCompile(`^([a-z][a-z0-9]{0,7})( +)0x[0-9a-f]+$`)

// signalLine is the line the runtime prints after a panic's value where
// a signal caused it: the signal's name, code, address and pc.
var signalLine = regexp.MustCompile(`^\[signal (?:SIG[A-Z0-9]+: [a-z -]+|0x[0-9a-f]+) code=0x[0-9a-f]+ addr=0x[0-9a-f]+ pc=0x[0-9a-f]+\]$`)

// digits are masked in a runtime error's text: an index or a length
// could be a number the program was given.
var digits = regexp.MustCompile(`[0-9]+`)

// panicInPrint begins the fatal error of a panic while a panic's value
// was printed.
const panicInPrint = "panic while printing panic value: "

// maxCrashLine is how much of a line scrubCrash holds at a time.
const maxCrashLine = 64 << 10

// runtimeError matches what follows "runtime error: " in the errors the
// Go runtime panics with (runtime/error.go, panic.go, …): fixed words,
// bounds, or a type's name. Any other value that begins so (an error of
// a program's own, which may say anything) is withheld.
var runtimeError = regexp.MustCompile(`^(?:` +
	`(?:index out of range|slice bounds out of range|cannot convert slice with length [0-9]+ to array or pointer to array with length) *[\[\]0-9:]*(?: with (?:length|capacity) [0-9]+)?` +
	`|invalid memory address or nil pointer dereference|integer divide by zero|integer overflow|floating point error|negative shift amount` +
	`|(?:makeslice|growslice|gobytes|unsafe\.Slice|unsafe\.String|makechan): (?:len|cap|size) out of range` +
	`|unsafe\.(?:Slice|String): ptr is nil and len is not zero` +
	`|(?:hash of unhashable|comparing uncomparable) type [^ ]+` +
	`|range function [a-z ]+` +
	`)$`)

// withheld replaces a panic's value.
const withheld = "[value withheld by Vigía: it may quote a tip or an id; VIGIA_TRACEBACK=raw shows it]"

// scrubCrash copies r to w line by line, rewriting what the runtime
// prints of a crash: a panic's value is withheld (a runtime error keeps
// its words, its numbers masked), what follows it up to the frames is
// dropped (but a signal's line), frames keep their function name but
// not their arguments ("main.f(...)"), and register values are masked.
// Log lines pass unchanged (the logger scrubbed them); any other line is
// scrubbed of ids and pseudonyms as a log line's text is (scrubIDs).
func scrubCrash(r io.Reader, w io.Writer) error {
	br := bufio.NewReaderSize(r, maxCrashLine)
	bw := bufio.NewWriter(w)
	inValue := false // after a "panic: " line, until the frames
	// A line longer than maxCrashLine is read in pieces (memory stays
	// bounded, however long a line the child writes): its first piece is
	// judged as a line. A line scrubbed as text (scrubIDs: none of the
	// crash's own) is scrubbed whole, a window at a time (longLine);
	// of any other, the rest is scrubbed as text after the first piece
	// where that came out unchanged (one JSON object that begins as a
	// log line: what runs on after it is not the logger's), and is
	// dropped otherwise.
	more := false      // the line's first piece has been read
	var long *longLine // the line is scrubbed as text in windows
	rest := false      // the line came out unchanged
	kept := false      // something of the line was written: its "\n" is
	// The previous piece ended in "\n": an empty piece is an empty line
	// (which ends a panic's value) only then; after a "\r" ("\r\n" or
	// "\r\r" in the value, a tip's CRLF line ends) it is not.
	afterNL := true
	spliced := false // a log line was written inside the previous line
	fatal := ""      // a fatal error's head a log line cut (fatalCut)
	for {
		piece, err := readPiece(br, bw.Flush)
		if len(piece) > 0 {
			body, nl := bytes.CutSuffix(piece, []byte("\n"))
			cr := false // a line a progress bar redraws ends in "\r"
			if !nl {
				body, cr = bytes.CutSuffix(piece, []byte("\r"))
			}
			if long != nil {
				long.write(body, bw)
				if nl || cr {
					long.end(bw)
					long = nil
				}
			} else if !more && inValue && len(body) == 0 && !(nl && afterNL) {
				kept, rest = false, false
			} else if !more {
				var out string
				asText := false
				out, kept = scrubCrashLineAs(string(body), &inValue, &spliced, &fatal, &asText)
				rest = kept && out == string(body)
				if kept && asText && err == bufio.ErrBufferFull {
					// Its first piece: an id may straddle its end, and
					// the rest is to be scrubbed as this is.
					long = &longLine{}
					long.write(body, bw)
					rest = false
				} else if rest && err == bufio.ErrBufferFull {
					// A first piece that came out unchanged (one
					// JSON object that begins as a log line, a
					// type's name) and a line that runs on after
					// it: no log line's (one is written whole, one
					// object and its "\n"), nor the crash's own.
					// The rest is scrubbed as text.
					bw.WriteString(out)
					long = &longLine{}
					rest = false
				} else if kept {
					bw.WriteString(out)
				}
			}
			if nl && kept {
				bw.WriteString("\n")
			}
			if cr && kept {
				// A rewritten line (a panic's value with a "\r"
				// in it) ends with a "\n": what follows is not to
				// be drawn over it.
				if rest {
					bw.WriteString("\r")
				} else {
					bw.WriteString("\n")
				}
			}
			more = !nl && !cr
			afterNL = nl
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if long != nil {
				long.end(bw)
			}
			if err == io.EOF {
				return bw.Flush()
			}
			bw.Flush()
			return err
		}
	}
}

// scrubCrashLine is scrubCrash for one line (without its "\n"); keep is
// false for a line to drop. inValue says whether the line comes after a
// panic's value began and before its frames; spliced, whether a log line
// was written inside the line before (splitLogLine); fatal, the head of a
// fatal error's line a log line was written inside before its message
// (fatalCut), or "".
func scrubCrashLine(line string, inValue, spliced *bool, fatal *string) (out string, keep bool) {
	var asText bool
	return scrubCrashLineAs(line, inValue, spliced, fatal, &asText)
}

// scrubCrashLineAs is scrubCrashLine that sets asText where the line was
// scrubbed as text (scrubIDs: a line neither a log line's nor one of the
// crash's own that it rewrites).
func scrubCrashLineAs(line string, inValue, spliced *bool, fatal *string, asText *bool) (out string, keep bool) {
	if *fatal != "" && !strings.HasPrefix(line, logStart) {
		// The message of a fatal error whose "fatal error: " (and what
		// of the message came with it) was written before: judged with
		// it, as on one line, and shown without it. But a line of
		// another crash's own (another goroutine's "panic: " and value,
		// written before the message), which the head would hide, and
		// any line after a panic's value began in a log line between,
		// are judged alone.
		head := *fatal
		*fatal, *spliced = "", false
		if !*inValue && !crashOwnLine(line) {
			out, keep := scrubCrashLineAs(head+line, inValue, spliced, fatal, asText)
			if rest, ok := strings.CutPrefix(out, head); ok && keep {
				return rest, true
			}
			return "", false
		}
	}
	// An Error or String method that panics as the runtime prints a
	// panic's value: the runtime throws with what it recovered, a string
	// (which may quote a tip), or a type's name.
	for _, prefix := range []string{"fatal error: " + panicInPrint, "\tfatal error: " + panicInPrint} {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			*inValue = true
			if t, ok := strings.CutPrefix(v, "type "); ok && !strings.ContainsAny(t, " \t") {
				return line, true
			}
			return prefix + withheld, true
		}
	}
	for _, prefix := range []string{"panic: ", "\tpanic: "} {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			*inValue = true
			return prefix + panicValue(v), true
		}
	}
	// Between a panic's "panic: " and the frames, the runtime prints the
	// value in many writes (each of its lines, "\t" before each next,
	// " [recovered]"), and the value may hold a "\r", which ends a piece
	// here: a log line another goroutine writes meanwhile (its writes
	// queued behind a full pipe, say) would leave the rest of the value
	// on a line of its own, without the "\t". So everything up to the
	// frames is withheld but a panic's next "panic: " (handled above)
	// and the line of the signal that caused it; the runtime starts the
	// frames after an empty line (dopanic_m). A log line written there
	// is lost; nothing else writes "panic: " at the start of a line.
	if *inValue {
		switch {
		case line == "":
			*inValue = false
		case signalLine.MatchString(line):
			return line, true
		default:
			return "", false
		}
	}
	if strings.HasPrefix(line, logStart) && !json.Valid([]byte(line)) {
		// Not one JSON line: something was written inside it. Vigía's
		// logger writes a line in one write of at most PIPE_BUF
		// (atomicLines), which nothing enters; a longer one, from
		// elsewhere, a pipe may take in pieces, and the runtime's
		// "panic: " and its value, or a frame's words, land between
		// them. The line is withheld; a panic's value begun in it is
		// withheld up to the frames, as one begun on a line.
		if strings.Contains(line, "panic: ") || strings.Contains(line, "fatal error: ") {
			*inValue = true
		}
		return brokenLogLine, true
	}
	if *spliced {
		*spliced = false
		switch {
		case strings.HasPrefix(line, logStart):
			// Another log line: the rest may follow it.
			*spliced = true
		case frameRest.MatchString(line):
			return "", false
		}
	}
	if i := strings.Index(line[min(len(line), 1):], logStart); i >= 0 && !strings.HasPrefix(line, logStart) {
		*spliced = true
		head, log := line[:i+1], line[i+1:]
		if fatalCut(head) {
			*fatal = head
		}
		if head = spliceHead(head); head != "" {
			return head + "\n" + log, true
		}
		return log, true
	}
	if m := frameArgs.FindStringSubmatch(line); m != nil {
		return m[1] + "(...)", true
	}
	if m := register.FindStringSubmatch(line); m != nil {
		return m[1] + m[2] + "0x?", true
	}
	if !strings.HasPrefix(line, logStart) {
		// A line that is no log line's and none of the crash's own
		// that is rewritten above (a goroutine's header, a frame's file
		// and line, a line written on standard error by Vigía's code or
		// a library, "vigia bench: …"): ids and pseudonyms are masked
		// by the logger's own rules (scrubIDs); a log line was
		// scrubbed as it was written. Not scrubAddrs: a frame's
		// "file.go:123" is no address.
		*asText = true
		return scrubIDs(line), true
	}
	return line, true
}

// brokenLogLine replaces a line that begins as a log line but is not one
// JSON object.
const brokenLogLine = "[log line withheld by Vigía: other output was written inside it]"

// logStart begins every line Vigía's logger writes (newLogger: JSON,
// the time first). Found past the start of a line that is not a log
// line, it is a log line another goroutine wrote while the runtime wrote
// that line, which it writes in pieces ("main.f", "(", "0x1b37d93fd",
// ", ", …, ")"), and the rest of the line follows the log line's "\n".
// A log line itself may hold it (a map, a struct or a group whose first
// key is "time" is written as a JSON object, not a quoted string); it is
// written whole, in one write (up to PIPE_BUF), so nothing lands inside
// it, and it is not cut.
const logStart = `{"time":"`

// fatalCut reports whether head, what came of a line before a log line
// was written inside it, is a fatal error's line cut before its message
// could be judged: the runtime writes "fatal error: ", then the message
// (throw: "panic while printing panic value: " and a panic's value, which
// may quote a tip), in writes of their own, and a log line can land
// between them. The message then begins the line after the log line.
func fatalCut(head string) bool {
	for _, prefix := range []string{"fatal error: ", "\tfatal error: "} {
		if rest, ok := strings.CutPrefix(head, prefix); ok && strings.HasPrefix(panicInPrint, rest) {
			return true
		}
	}
	return false
}

// crashOwnLine reports whether line is one scrubCrashLine rewrites for
// how it begins: a panic's value ("panic: "), a fatal error's line, a
// register's.
func crashOwnLine(line string) bool {
	l := strings.TrimPrefix(line, "\t")
	return strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") || register.MatchString(line)
}

// frameStart is a frame's line cut short by a log line: the function's
// name, "(", the argument words written so far, maybe the ")".
var frameStart = regexp.MustCompile(`^(\S.*)\([0-9a-fx{}, .?]*\)?$`)

// frameRest is the rest of a frame's or a register's line, after a log
// line written inside it: argument words, or a register's value.
var frameRest = regexp.MustCompile(`^\(?[0-9a-fx{}, .?]*\)?$`)

// spliceHead is what is shown of head, the part of a line written before
// a log line landed inside it: a frame's function without its argument
// words, a file's line or any line with no hex word as it is, and
// nothing of the rest (a register's value, argument words continued).
func spliceHead(head string) string {
	if m := frameStart.FindStringSubmatch(head); m != nil {
		return m[1] + "(...)"
	}
	if frameRest.MatchString(head) {
		return ""
	}
	if strings.HasPrefix(head, "\t") || !strings.Contains(head, "0x") {
		return head
	}
	return ""
}

// panicValue is what is shown of a panic's value v: a runtime error's
// words (which say what went wrong: "index out of range", "invalid
// memory address or nil pointer dereference") with its numbers masked,
// and nothing of any other value. A mark the runtime adds to a value
// that was recovered is kept.
func panicValue(v string) string {
	mark := ""
	for _, m := range []string{" [recovered, repanicked]", " [recovered]"} {
		if s, ok := strings.CutSuffix(v, m); ok {
			v, mark = s, m
			break
		}
	}
	if e, ok := strings.CutPrefix(v, "runtime error: "); ok && runtimeError.MatchString(e) {
		return digits.ReplaceAllLiteralString(v, "N") + mark
	}
	return withheld + mark
}

// readPiece is bufio.Reader.ReadSlice('\n') that ends a piece at a "\r"
// too: `vigia bench` redraws its progress bars with "\r" and no "\n",
// and each redraw is to be passed on as it comes, not held until the
// bar's last. The runtime writes no "\r" in a crash's output but in a
// panic's value, which is withheld up to the frames. Like
// ReadSlice, it returns bufio.ErrBufferFull with a full buffer holding
// neither, and the piece is valid until the next read. Before it waits
// for what the child has not written yet, it calls flush: what was read
// is passed on as it is written, a line at a time.
func readPiece(br *bufio.Reader, flush func() error) ([]byte, error) {
	scanned := 0
	for n := 1; ; {
		if n > br.Buffered() {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		buf, err := br.Peek(n)
		if i := bytes.IndexAny(buf[scanned:], "\r\n"); i >= 0 {
			piece := buf[:scanned+i+1]
			_, _ = br.Discard(len(piece))
			return piece, nil
		}
		scanned = len(buf)
		if err != nil || len(buf) == br.Size() {
			_, _ = br.Discard(len(buf))
			if err == nil {
				err = bufio.ErrBufferFull
			}
			return buf, err
		}
		// What is buffered, without waiting; past it, wait for a byte more.
		n = min(max(len(buf)+1, br.Buffered()), br.Size())
	}
}

// longLine scrubs a line longer than maxCrashLine as text, as scrubIDs
// scrubs it whole, holding less than two windows of maxCrashLine bytes
// however long the line: an id across the end of the first piece read,
// or anywhere after it, was written in clear where the first piece held
// nothing to mask, and the rest of the line was dropped where it did.
// Each window is cut where scrubbing its two sides apart masks what
// scrubbing them together masks (textCut) and each side is scrubbed by
// scrubIDs; a window with no such cut has every number and hex run
// masked (maskNumbers), and so has what follows it up to the next cut:
// it may continue what the window began ("user " and the id, a list).
type longLine struct {
	pend    []byte // read and not yet written, from a cut or a masked window
	maskAll bool   // pend follows a window with no cut
}

// write adds p, a piece of the line, and writes what windows it fills.
func (l *longLine) write(p []byte, w *bufio.Writer) {
	l.pend = append(l.pend, p...)
	for len(l.pend) >= maxCrashLine {
		cut := textCut(l.pend)
		if cut <= 0 {
			w.WriteString(maskNumbers(string(l.pend)))
			l.pend, l.maskAll = l.pend[:0], true
			return
		}
		w.WriteString(l.scrub(l.pend[:cut]))
		l.pend, l.maskAll = append(l.pend[:0], l.pend[cut:]...), false
	}
}

// end writes what is left of the line, which has ended.
func (l *longLine) end(w *bufio.Writer) {
	w.WriteString(l.scrub(l.pend))
	l.pend = l.pend[:0]
}

// scrub is what is written of b, text from a cut or after a masked
// window.
func (l *longLine) scrub(b []byte) string {
	if l.maskAll {
		return maskNumbers(string(b))
	}
	return scrubIDs(string(b))
}

// textCut is the last place in b, text of a line, where scrubbing what is
// before it and what is after it apart masks no less than scrubbing them
// together, or 0 if there is none: after a space, before a word of three
// lower-case letters or more that b holds whole, not "and". Nothing
// scrubIDs reads runs on across such a word: an identity word's number,
// a date's, a list's next ("and" may join two), a time's zone (upper
// case, or "m=") and a hex run all end before it, and the word itself
// begins what follows anew. Not an IPv6 address's first group, a word
// of hex letters with a ":" after it or after the hex digits that
// follow ("peer dead::1 7306318845", "peer fec0::1 7306318845"): the
// address is kept after an identity word, the id after it masked.
func textCut(b []byte) int {
	for p := len(b) - 1; p > 0; p-- {
		if b[p-1] != ' ' {
			continue
		}
		e := p
		for e < len(b) && ('a' <= b[e]|0x20 && b[e]|0x20 <= 'z') {
			e++
		}
		if e == len(b) || e-p < 3 || string(b[p:e]) == "and" {
			continue
		}
		if h := p + hexGroupLen(b[p:]); h < len(b) && b[h] == ':' && len(bytes.Trim(b[p:e], "abcdefABCDEF")) == 0 {
			// An IPv6 address's first group ("dead::1",
			// "fec0::1": its letters, and its digits if
			// any), what an identity word's number may be.
			continue
		}
		if lower := bytes.ToLower(b[p : p+3]); !bytes.Equal(lower, b[p:p+3]) {
			continue
		}
		return p
	}
	return 0
}

// hexGroupLen is the length of the hex digits b begins with, where they
// are four at most (an IPv6 address's group), else 0.
func hexGroupLen(b []byte) int {
	n := 0
	for n < len(b) && n <= 4 && ('0' <= b[n] && b[n] <= '9' || 'a' <= b[n]|0x20 && b[n]|0x20 <= 'f') {
		n++
	}
	if n > 4 {
		return 0
	}
	return n
}

// anyNumber is a run of digits (of any script) and the hex digits
// around it: in a window of a long line with no cut, where what it
// continues is unknown, each is masked.
var anyNumber = regexp.MustCompile(`[0-9a-fA-F]*\p{Nd}[0-9a-fA-F\p{Nd}]*`)

// maskNumbers is what longLine writes of a window it found no cut in, or
// of what follows one up to the next cut: long hex runs withheld
// (withheldHex), every other number masked.
func maskNumbers(s string) string {
	return anyNumber.ReplaceAllLiteralString(withholdHex(s), "N")
}
