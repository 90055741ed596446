package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var docCode = regexp.MustCompile("(?s)```[^\n]*\n(.*?)```|`([^`]+)`")

// CheckCommandLines fails t for every command line of the binary root
// (named root.Name()) in the repository's documents, found from dir up to
// the repository root in repoRoot, that names a command or a flag the
// binary does not have; and when too few lines are found (the
// documents read wrongly: fewer than atLeast lines). Used by each binary's own test.
func CheckCommandLines(t *testing.T, root *cobra.Command, repoRoot string, atLeast int) {
	t.Helper()
	invoke := regexp.MustCompile(`(?:^|[\s/(])` + regexp.QuoteMeta(root.Name()) + `((?: +-{0,2}[A-Za-z][\w-]*(?:=\S*)?)+)`)
	n := 0
	for _, doc := range []string{"README.md", "RELIABILITY.md", "BENCHMARKS.md"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range docCode.FindAllStringSubmatch(string(b), -1) {
			text := strings.ReplaceAll(code[1]+code[2], "\\\n", " ")
			if code[2] != "" {
				text = strings.Join(strings.Fields(text), " ") // a span may wrap
			}
			for _, line := range strings.Split(text, "\n") {
				if code[1] != "" { // a code block: leave its shell comments out
					if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] == ' ') {
						line = line[:i]
					}
				}
				for _, m := range invoke.FindAllStringSubmatch(line, -1) {
					if problem := checkInvocation(root, strings.Fields(m[1])); problem != "" {
						t.Errorf("%s: %q: %s", doc, strings.TrimSpace(m[0]), problem)
					}
					n++
				}
			}
		}
	}
	if n < atLeast {
		t.Errorf("only %d %s command lines found in the documents: the test reads them wrongly", n, root.Name())
	}
}

// checkInvocation walks words (after the binary's name) down the command
// tree and checks the flags that follow; "" when all is known. A word
// that names no subcommand is the root's unknown command, or, further
// down, an argument or prose after the command.
func checkInvocation(root *cobra.Command, words []string) string {
	cmd := root
	i := 0
	for ; i < len(words) && !strings.HasPrefix(words[i], "-"); i++ {
		var next *cobra.Command
		for _, c := range cmd.Commands() {
			if c.Name() == words[i] || c.HasAlias(words[i]) {
				next = c
			}
		}
		if next == nil {
			if cmd == root {
				return root.Name() + " has no command " + words[i]
			}
			break
		}
		cmd = next
	}
	for ; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") {
			continue // a flag's value
		}
		name, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		var ok bool
		if strings.HasPrefix(w, "--") {
			ok = cmd.Flags().Lookup(name) != nil || cmd.InheritedFlags().Lookup(name) != nil || name == "help"
		} else {
			ok = len(name) == 1 && (cmd.Flags().ShorthandLookup(name) != nil || cmd.InheritedFlags().ShorthandLookup(name) != nil || name == "h")
		}
		if !ok {
			return cmd.CommandPath() + " has no flag " + w
		}
	}
	return ""
}
