// Command gen writes zz_generated.go, package awsmodel's constraint tables,
// from botocore's IAM and STS service models:
//
//	go generate ./internal/awsmodel
//	go run ./gen [-botocore DIR] [-o zz_generated.go]   (in internal/awsmodel)
//
// Without -botocore it asks python3 where botocore is installed. The work is
// done by package codegen, which the tests also run to check that the
// committed file matches the installed models.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/latchkey/latchkey/internal/awsmodel/internal/codegen"
)

func main() {
	dir := flag.String("botocore", "", "botocore package directory (default: ask python3)")
	out := flag.String("o", "zz_generated.go", "output file")
	flag.Parse()
	if *dir == "" {
		d, err := codegen.LocateBotocore()
		if err != nil {
			fail(err)
		}
		*dir = d
	}
	src, err := codegen.Generate(*dir)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
