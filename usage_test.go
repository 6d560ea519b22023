package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// `vigia help` lists every command of its first line, each once, and
// every description starts in one column: on the command's line, after
// two spaces at least, or on the lines under it (a command whose
// arguments reach the column has its description on the next line). The
// rotate-key and reset-2fa lines started theirs further right than the
// others, and so did the lines under reset-2fa's. No line is wider than
// a terminal's 80 columns.
// Mutation: the usage as it was (rotate-key's and reset-2fa's
// descriptions after their names, two spaces on) -> this test fails.
func TestUsageColumnsAreAligned(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"help"}, env(nil), strings.NewReader(""), &out, &errb); code != 0 || errb.Len() > 0 {
		t.Fatalf("vigia help: exit %d, stderr %q", code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	modes, ok := strings.CutPrefix(lines[0], "usage: vigia [")
	if !ok || !strings.HasSuffix(modes, "]") {
		t.Fatalf("first line %q", lines[0])
	}
	want := strings.Split(strings.TrimSuffix(modes, "]"), "|")
	var listed []string
	column := -1  // where descriptions start, from the first one
	pending := "" // a command whose description is on the next line
	for n, line := range lines[1:] {
		n += 2 // the line's number
		if w := utf8.RuneCountInString(line); w > 80 {
			t.Errorf("line %d is %d columns wide: %q", n, w, line)
		}
		if strings.TrimSpace(line) == "" {
			if pending != "" {
				t.Errorf("%s has no description", pending)
			}
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		at := indent // where this line's description starts
		if indent == 2 {
			if pending != "" {
				t.Errorf("%s has no description", pending)
			}
			name, _, _ := strings.Cut(line[2:], " ")
			listed = append(listed, name)
			gap := strings.Index(line[2:], "  ")
			if gap < 0 { // the description on the next line
				pending = name
				continue
			}
			at = 2 + gap + len(line[2+gap:]) - len(strings.TrimLeft(line[2+gap:], " "))
		} else if pending == "" && len(listed) == 0 {
			t.Errorf("line %d is indented by %d before any command: %q", n, indent, line)
		}
		pending = ""
		if column < 0 {
			column = at
		}
		if at != column {
			t.Errorf("line %d's description starts at column %d, the first's at %d:\n%s", n, at+1, column+1, line)
		}
	}
	if pending != "" {
		t.Errorf("%s has no description", pending)
	}
	if strings.Join(listed, "|") != strings.Join(want, "|") {
		t.Errorf("commands described %q, want those of the first line %q", listed, want)
	}
}
