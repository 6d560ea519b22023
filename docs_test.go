package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
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

// House style (DESIGN.md): a comment on every exported name. Every
// exported function, method of an exported type, type, constant and
// variable outside package main has a doc comment, and that of a function
// or type begins with its name (go doc shows it as the name's). Methods
// that implement a standard interface (Error, Unwrap, String) are left
// out: their meaning is the interface's. TipByReceipt had lost its
// comment to ReceiptsKnown above it (which go doc showed as TipByReceipt's),
// and ClaimerOf's began "Claimer".
// Mutations: TipByReceipt's comment moved back above ReceiptsKnown, or
// ClaimerOf's made "Claimer returns…" again -> fails.
func TestEveryExportedNameHasItsComment(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		begins := func(doc *ast.CommentGroup, name string) bool {
			text := doc.Text()
			return strings.HasPrefix(text, name+" ") || strings.HasPrefix(text, name+"\n")
		}
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv != nil {
					recv := d.Recv.List[0].Type
					if s, ok := recv.(*ast.StarExpr); ok {
						recv = s.X
					}
					if id, ok := recv.(*ast.Ident); ok && !id.IsExported() {
						continue
					}
					if slices.Contains([]string{"Error", "Unwrap", "String"}, d.Name.Name) {
						continue
					}
				}
				if d.Doc == nil {
					t.Errorf("%s: %s has no comment", fset.Position(d.Pos()), d.Name.Name)
				} else if !begins(d.Doc, d.Name.Name) {
					t.Errorf("%s: %s's comment begins %q", fset.Position(d.Pos()), d.Name.Name, strings.SplitN(d.Doc.Text(), "\n", 2)[0])
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						doc := s.Doc
						if doc == nil && len(d.Specs) == 1 {
							doc = d.Doc
						}
						if !s.Name.IsExported() {
							continue
						}
						if doc == nil && d.Doc == nil {
							t.Errorf("%s: type %s has no comment", fset.Position(s.Pos()), s.Name.Name)
						} else if doc != nil && !begins(doc, s.Name.Name) {
							t.Errorf("%s: type %s's comment begins %q", fset.Position(s.Pos()), s.Name.Name, strings.SplitN(doc.Text(), "\n", 2)[0])
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
								t.Errorf("%s: %s has no comment", fset.Position(n.Pos()), n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
