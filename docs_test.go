package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// modesRun are the commands run's switch on its first argument accepts,
// help flags left out, read from main.go's source.
func modesRun(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var modes []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "run" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "mode" {
				return true
			}
			for _, s := range sw.Body.List {
				for _, e := range s.(*ast.CaseClause).List {
					lit, ok := e.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					if m, err := strconv.Unquote(lit.Value); err == nil && !isHelp(m) {
						modes = append(modes, m)
					}
				}
			}
			return false
		})
	}
	if len(modes) == 0 {
		t.Fatal("main.go: run's switch on mode not found")
	}
	slices.Sort(modes)
	return modes
}

// `vigia help`, the command's doc comment and README's layout table name
// the commands run accepts, every one and no other: a command added to
// (or dropped from) the switch is added to (or dropped from) all three.
// Mutations: a case "foo" added to run's switch, or "bench" dropped from
// the usage's first line, the doc comment or README's table -> fails.
func TestUsageNamesEveryCommandRunAccepts(t *testing.T) {
	want := modesRun(t)
	first, _, _ := strings.Cut(usage, "\n")
	inner, ok := strings.CutPrefix(first, "usage: vigia [")
	if !ok || !strings.HasSuffix(inner, "]") {
		t.Fatalf("usage's first line %q", first)
	}
	check := func(where string, got []string) {
		t.Helper()
		got = slices.Clone(got)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s names %q; run accepts %q", where, got, want)
		}
	}
	check("the usage's first line", strings.Split(strings.TrimSuffix(inner, "]"), "|"))

	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc []string
	for _, m := range regexp.MustCompile(`(?m)^//\tvigia \[?([a-z0-9-]+)\]?`).FindAllSubmatch(src, -1) {
		doc = append(doc, string(m[1]))
	}
	check("main.go's doc comment", doc)

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `main.go`.*\\| CLI \\(([^)]*)\\)").FindSubmatch(readme)
	if row == nil {
		t.Fatal("README.md: the layout table's main.go row (\"CLI (`serve`, …)\") not found")
	}
	var table []string
	for _, m := range regexp.MustCompile("`([a-z0-9-]+)`").FindAllSubmatch(row[1], -1) {
		table = append(table, string(m[1]))
	}
	check("README's layout table", table)
}

// Every VIGIA_* variable Vigía or its tests read (knownVars) is named in
// README.md, so that an operator or a developer who meets one can learn
// what it does. VIGIA_FUZZ_TRACE, VIGIA_UPDATE_GOLDEN and
// VIGIA_CRASH_GUARDED were not.
// Mutation: VIGIA_FUZZ_TRACE's mention taken out of README -> fails.
func TestREADMENamesEveryKnownVariable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range knownVars {
		if !regexp.MustCompile("`" + name + "(=[^`]*)?`").Match(readme) {
			t.Errorf("README.md does not name %s (as `%s`)", name, name)
		}
	}
}

// README's first screen tells a newcomer to run the tests as CI does
// (.ci/run's go test line) and to try the demo as `make run` does.
// Mutation: .ci/run's line changed to "go test -race -p 1 ./..." -> fails.
func TestREADMEFirstScreenRunsWhatCIRuns(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(readme), "\n## ")
	if !ok {
		t.Fatal("README.md has no second section")
	}
	var blocks []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(head, -1) {
		blocks = append(blocks, strings.TrimSpace(m[1]))
	}
	lastLine := func(path, prefix string) string {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var found string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
				found = l
			}
		}
		if found == "" {
			t.Fatalf("%s has no line starting %q", path, prefix)
		}
		return found
	}
	ci := lastLine(".ci/run", "go test")
	demo := lastLine("Makefile", "go run . demo")
	if !slices.Equal(blocks, []string{demo, ci}) {
		t.Errorf("README's first screen runs %q; want the demo as the Makefile runs it and the tests as .ci/run does: %q", blocks, []string{demo, ci})
	}
}
