package console

import (
	"os/exec"
	"testing"
)

// The file is sigv4js_test.go, not sigv4_js_test.go: a _js suffix is a
// GOOS=js build constraint, and the test would never run.

// TestSigV4JSVectors runs testdata/sigv4_vectors.mjs, which checks the
// page's signer (assets/sigv4.js) stage by stage against AWS's SigV4 test
// suite (the copy in internal/sigv4/testdata/vectors). Node is part of the
// test environment: a missing node fails the test, it never skips.
func TestSigV4JSVectors(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to test assets/sigv4.js: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), node, "testdata/sigv4_vectors.mjs")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node testdata/sigv4_vectors.mjs: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
