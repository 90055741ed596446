package policy

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps policy a leaf package (STYLE.md, convention 1): its
// code, subpackages included, imports only the standard library, awserr,
// arn (itself a leaf), and its own subpackages; never the store, the
// server or database/sql.
func TestImports(t *testing.T) {
	const module = "github.com/latchkey/latchkey/"
	allowed := func(path string) bool {
		switch {
		case path == "database/sql" || strings.HasPrefix(path, "database/sql/"):
			return false
		case path == module+"internal/awserr", path == module+"internal/arn", strings.HasPrefix(path, module+"internal/policy/"):
			return true
		}
		first, _, _ := strings.Cut(path, "/")
		return !strings.Contains(first, ".") // the standard library
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !allowed(p) {
				t.Errorf("%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
