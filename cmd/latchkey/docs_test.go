package main

import (
	"path/filepath"
	"testing"

	"github.com/latchkey/latchkey/internal/docs"
)

// TestDocumentedCommandsExist: every `latchkey …` command line in the
// repository's documents names commands and flags latchkey has (a
// document that still says `latchkey bench` fails here).
func TestDocumentedCommandsExist(t *testing.T) {
	docs.CheckCommandLines(t, newRootCmd(), filepath.Join("..", ".."), 10)
}
