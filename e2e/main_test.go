package e2e

import (
	"os"
	"testing"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestMain removes the latchkey binary the harness built once the tests end.
func TestMain(m *testing.M) { os.Exit(e2etest.Main(m)) }
