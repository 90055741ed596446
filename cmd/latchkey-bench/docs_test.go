package main

import (
	"path/filepath"
	"testing"

	"github.com/latchkey/latchkey/internal/docs"
)

// TestDocumentedCommandsExist: every `latchkey-bench …` command line in
// the repository's documents names commands and flags latchkey-bench has.
func TestDocumentedCommandsExist(t *testing.T) {
	docs.CheckCommandLines(t, newRootCmd(), filepath.Join("..", ".."), 5)
}
