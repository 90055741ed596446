package awsmodel

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/awsmodel/internal/codegen"
)

// TestGeneratedIsCurrent re-runs the generator against the installed
// botocore and compares with the committed zz_generated.go, so that neither
// a hand edit nor a botocore update goes unnoticed. Run `go generate
// ./internal/awsmodel` and review the diff when it fails.
func TestGeneratedIsCurrent(t *testing.T) {
	dir, err := codegen.LocateBotocore()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must have botocore (pip install botocore): %v", err)
		}
		t.Skipf("SKIP: botocore is not installed, so zz_generated.go cannot be checked against the models: %v", err)
	}
	want, err := codegen.Generate(dir)
	if err != nil {
		t.Fatalf("generate from %s: %v", dir, err)
	}
	got, err := os.ReadFile("zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("zz_generated.go is stale for the botocore in %s (run go generate ./internal/awsmodel); first difference at line %d:\ncommitted: %s\ngenerated: %s", dir, i+1, g, w)
		}
	}
}
