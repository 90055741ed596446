package e2e

import (
	"os"
	"testing"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/pgtest"
)

// TestMain removes the latchkey binary the harness built, and stops the
// PostgreSQL server the tests started, once the tests end.
func TestMain(m *testing.M) {
	code := e2etest.Main(m)
	pgtest.StopShared()
	os.Exit(code)
}
