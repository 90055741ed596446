package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var (
	docCode   = regexp.MustCompile("(?s)```[^\n]*\n(.*?)```|`([^`]+)`")
	docInvoke = regexp.MustCompile(`(?:^|[\s/(])latchkey-bench((?: +-{0,2}[A-Za-z][\w-]*(?:=\S*)?)+)`)
)

// TestDocumentedCommandsExist: every `latchkey-bench …` command line in the
// repository's documents names commands and flags latchkey-bench has.
func TestDocumentedCommandsExist(t *testing.T) {
	root := newRootCmd()
	n := 0
	for _, doc := range []string{"README.md", "RELIABILITY.md", "BENCHMARKS.md"} {
		b, err := os.ReadFile(filepath.Join("..", "..", doc))
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range docCode.FindAllStringSubmatch(string(b), -1) {
			text := code[1] + code[2]
			text = strings.ReplaceAll(text, "\\\n", " ")
			if code[2] != "" {
				text = strings.Join(strings.Fields(text), " ") // a span may wrap
			}
			for _, line := range strings.Split(text, "\n") {
				if code[1] != "" { // a code block: leave its shell comments out
					if i := strings.Index(line, "#"); i >= 0 && (i == 0 || line[i-1] == ' ') {
						line = line[:i]
					}
				}
				for _, m := range docInvoke.FindAllStringSubmatch(line, -1) {
					if problem := checkInvocation(root, strings.Fields(m[1])); problem != "" {
						t.Errorf("%s: %q: %s", doc, strings.TrimSpace(m[0]), problem)
					}
					n++
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d latchkey-bench command lines found in the documents: the test reads them wrongly", n)
	}
}

// checkInvocation walks words (after "latchkey-bench") down the command tree and
// checks the flags that follow; "" when all is known.
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
			return cmd.CommandPath() + " has no command " + words[i]
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
