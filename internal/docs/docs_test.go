package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/iam"
	"github.com/latchkey/latchkey/internal/sts"
)

// documents are the files checked, relative to the repository root.
var documents = []string{"README.md", "RELIABILITY.md", "BENCHMARKS.md"}

// tree is what the documents may cite: the repository's files and its Go
// test functions.
type tree struct {
	root  string
	files map[string]bool // slash paths relative to root, directories too
	// funcs maps a Test, Fuzz or Benchmark function's name to the package
	// names (and directory base names) that declare it.
	funcs map[string][]string
	// cases are the string literals of internal/store/storetest: the names
	// of the conformance suite's cases.
	cases map[string]bool
}

func loadTree(t *testing.T) *tree {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root is not two levels up: %v", err)
	}
	tr := &tree{root: root, files: map[string]bool{}, funcs: map[string][]string{}, cases: map[string]bool{}}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || rel == "bin") {
			return filepath.SkipDir
		}
		if p == root {
			return nil
		}
		tr.files[rel] = true
		if d.IsDir() || !strings.HasSuffix(rel, ".go") {
			return nil
		}
		inStoretest := strings.HasPrefix(rel, "internal/store/storetest/")
		if !strings.HasSuffix(rel, "_test.go") && !inStoretest {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := strings.TrimSuffix(f.Name.Name, "_test")
		dir := filepath.Base(filepath.Dir(p))
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && testFunc.MatchString(fn.Name.Name) {
				tr.funcs[fn.Name.Name] = append(tr.funcs[fn.Name.Name], pkg, dir)
			}
		}
		if inStoretest {
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						tr.cases[s] = true
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var (
	testFunc = regexp.MustCompile(`^(Test|Fuzz|Benchmark)[A-Z0-9_]\w*$`)
	// citedFunc is a test function, with its package when given:
	// e2e.TestCrashSafety, TestCrashSafety, BenchmarkHandler.
	citedFunc = regexp.MustCompile(`\b(?:([a-z][a-z0-9]*)\.)?((?:Test|Fuzz|Benchmark)[A-Z0-9_]\w*)`)
	codeSpan  = regexp.MustCompile("`([^`]+)`")
	mdLink    = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)
	fence     = regexp.MustCompile("(?ms)^```[^\n]*\n(.*?)^```")
	caseName  = regexp.MustCompile(`^[A-Z][a-z]+(?:[A-Z][a-z]*)+$`)
	pathToken = regexp.MustCompile(`[A-Za-z0-9_./*-]+`)
)

func readDoc(t *testing.T, tr *tree, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tr.root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCitedTestsExist: every Test, Fuzz and Benchmark function a document
// names exists, in the package it names.
func TestCitedTestsExist(t *testing.T) {
	tr := loadTree(t)
	for _, doc := range documents {
		problems, n := tr.citedTests(readDoc(t, tr, doc))
		report(t, doc, problems)
		t.Logf("%s: %d test functions cited", doc, n)
	}
}

func report(t *testing.T, doc string, problems []string) {
	t.Helper()
	for _, p := range problems {
		t.Errorf("%s %s", doc, p)
	}
}

func (tr *tree) citedTests(text string) (problems []string, n int) {
	for _, m := range citedFunc.FindAllStringSubmatch(text, -1) {
		pkg, name := m[1], m[2]
		n++
		where, ok := tr.funcs[name]
		switch {
		case !ok:
			problems = append(problems, "cites "+m[0]+": no such function in any _test.go file")
		case pkg != "" && !slices.Contains(where, pkg):
			problems = append(problems, "cites "+m[0]+": "+name+" is declared in "+strings.Join(where, ", ")+", not in package "+pkg)
		}
	}
	return problems, n
}

// TestCitedConformanceCasesExist: the conformance suite's cases that the
// documents name next to `storetest` are cases of the suite.
// `ConcurrentInlineQuotaUser`/`Group` stands for two cases.
func TestCitedConformanceCasesExist(t *testing.T) {
	tr := loadTree(t)
	n := 0
	for _, doc := range documents {
		problems, k := tr.citedCases(readDoc(t, tr, doc))
		report(t, doc, problems)
		n += k
	}
	if n == 0 {
		t.Error("no conformance case found next to `storetest`: the test reads the documents wrongly")
	}
}

func (tr *tree) citedCases(text string) (problems []string, n int) {
	for _, line := range strings.Split(text, "\n") {
		if !strings.Contains(line, "`storetest`") {
			continue
		}
		prev := ""
		for _, loc := range codeSpan.FindAllStringSubmatchIndex(line, -1) {
			span := line[loc[2]:loc[3]]
			name := span
			switch {
			case prev != "" && strings.HasSuffix(line[:loc[0]], "`/") && lastWord.MatchString(span):
				name = lastWord.ReplaceAllString(prev, span)
			case !caseName.MatchString(span):
				prev = ""
				continue
			}
			if !tr.cases[name] {
				problems = append(problems, "cites the conformance case "+name+", which internal/store/storetest does not name")
			}
			n++
			prev = name
		}
	}
	return problems, n
}

var lastWord = regexp.MustCompile(`[A-Z][a-z]+$`)

// TestCitedFilesExist: every repository path a document cites exists — in
// code spans, code blocks and links: paths under a top-level directory
// (internal/bench, e2e/testdata/js/package-lock.json, ./internal/app),
// top-level files, and Go or shell files named by their last elements
// (sqlstore/txn.go).
func TestCitedFilesExist(t *testing.T) {
	tr := loadTree(t)
	for _, doc := range documents {
		problems, n := tr.citedFiles(readDoc(t, tr, doc))
		report(t, doc, problems)
		t.Logf("%s: %d paths cited", doc, n)
	}
}

var topDoc = regexp.MustCompile(`^[A-Z]+\.md$`)

func (tr *tree) citedFiles(text string) (problems []string, n int) {
	var tokens []string
	for _, m := range fence.FindAllStringSubmatch(text, -1) {
		tokens = append(tokens, pathToken.FindAllString(m[1], -1)...)
	}
	for _, m := range codeSpan.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
		tokens = append(tokens, pathToken.FindAllString(m[1], -1)...)
	}
	for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
		if !strings.Contains(m[1], "://") {
			tokens = append(tokens, m[1])
		}
	}
	for _, tok := range tokens {
		p := strings.TrimSuffix(strings.TrimPrefix(strings.TrimRight(tok, ".,:;"), "./"), "/")
		first, _, nested := strings.Cut(p, "/")
		switch {
		case strings.Contains(p, "*") || p == "" || p == "bin" || strings.HasPrefix(p, "bin/"):
			continue // globs and build outputs
		case nested && tr.files[first] && !strings.Contains(first, "."), !nested && tr.files[p]:
			if !tr.files[p] {
				problems = append(problems, "cites "+tok+": no such file or directory")
			}
			n++
		case !nested && topDoc.MatchString(p):
			problems = append(problems, "cites "+tok+": no such file at the top of the repository")
		case nested && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".sh")):
			if !tr.hasSuffix("/" + p) {
				problems = append(problems, "cites "+tok+": no file of the repository ends so")
			}
			n++
		}
	}
	return problems, n
}

func (tr *tree) hasSuffix(s string) bool {
	for p := range tr.files {
		if strings.HasSuffix("/"+p, s) {
			return true
		}
	}
	return false
}

// TestAPIListNamesEveryAction: the README's "API" section names every
// action of the operation table, and names no action the table lacks.
func TestAPIListNamesEveryAction(t *testing.T) {
	tr := loadTree(t)
	text := readDoc(t, tr, "README.md")
	_, api, ok := strings.Cut(text, "\n## API\n")
	if !ok {
		t.Fatal(`README.md has no "## API" section`)
	}
	api, _, _ = strings.Cut(api, "\n## ")
	list, _, _ := strings.Cut(api, "\n### ") // the lists, before the subsections
	words := map[string]bool{}
	for _, w := range regexp.MustCompile(`\b[A-Z][A-Za-z0-9]+\b`).FindAllString(list, -1) {
		words[w] = true
	}
	served := map[string]bool{}
	ops := append((&iam.Service{}).Operations(), (&sts.Service{}).Operations()...)
	for _, o := range ops {
		served[o.Action] = true
		if !words[o.Action] {
			t.Errorf("README.md's API list does not name %s (%s)", o.Action, o.Service)
		}
	}
	verb := regexp.MustCompile(`^(Create|Get|List|Update|Delete|Put|Tag|Untag|Attach|Detach|Add|Remove|Set|Simulate|Assume)[A-Z]`)
	for w := range words {
		if verb.MatchString(w) && !served[w] {
			t.Errorf("README.md's API list names %s, which the operation table does not serve", w)
		}
	}
	if len(ops) < 100 {
		t.Errorf("only %d operations found: the table is read wrongly", len(ops))
	}
}

// TestChecksCatchMistakes: the checks above find what they are for, so
// that their passing means something.
func TestChecksCatchMistakes(t *testing.T) {
	tr := loadTree(t)
	tests := []struct {
		name  string
		check func(string) ([]string, int)
		text  string
		want  string // in the one problem found; "" for none
	}{
		{"test exists", tr.citedTests, "`sigv4.TestVectors`", ""},
		{"test missing", tr.citedTests, "proved by `sigv4.TestVectorsStageByStage`", "TestVectorsStageByStage"},
		{"test in another package", tr.citedTests, "`e2e.TestVectors`", "not in package e2e"},
		{"bare test missing", tr.citedTests, "run TestNoSuchThing -v", "TestNoSuchThing"},
		{"case exists", tr.citedCases, "`storetest` (`ConcurrentInlineQuotaUser`/`Group`)", ""},
		{"case missing", tr.citedCases, "`storetest` (`ConcurrentInlineQuotaUser`/`Nobody`)", "ConcurrentInlineQuotaNobody"},
		{"file exists", tr.citedFiles, "(`internal/store/sqlstore/bulk.go`) and [it](internal/awsmanaged/README.md)", ""},
		{"file missing", tr.citedFiles, "see `internal/bench/nope.go`", "internal/bench/nope.go"},
		{"file in a code block", tr.citedFiles, "```sh\ngo test ./internal/nothere -run X\n```\n", "./internal/nothere"},
		{"short path missing", tr.citedFiles, "(`sqlstore/nope.go`)", "sqlstore/nope.go"},
		{"link missing", tr.citedFiles, "[the notes](NOTES.md)", "NOTES.md"},
		{"not a repository path", tr.citedFiles, "`DATA/master.key`, `arn:aws:iam::aws:policy/`, `/usr/lib/postgresql/VERSION/bin`", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems, _ := tc.check(tc.text)
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("problems %q, want none", problems)
			case tc.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], tc.want)):
				t.Errorf("problems %q, want one naming %s", problems, tc.want)
			}
		})
	}
}
