package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// boto3Prelude starts every inline boto3 script: the modules they use,
// an IAM client on LATCHKEY_ENDPOINT, the dict out they print as JSON, and
// error(exc), a modeled exception as the Go tests read it (boto3Error).
const boto3Prelude = `
import csv
import datetime
import io
import json
import os

import boto3

ENDPOINT = os.environ["LATCHKEY_ENDPOINT"]
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
out = {}


def error(exc):
    return {
        "class": type(exc).__name__,
        "code": exc.response["Error"]["Code"],
        "message": exc.response["Error"]["Message"],
        "status": exc.response["ResponseMetadata"]["HTTPStatusCode"],
    }

`

// boto3Error is what a script's error(exc) prints.
type boto3Error struct {
	Class, Code, Message string
	Status               int
}

// runBoto3Script runs boto3Prelude and body as the script name, signed by
// the root, and returns what it printed; a failed run fails t.
func runBoto3Script(t *testing.T, s *e2etest.Server, name, body string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(script, []byte(boto3Prelude+body), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := s.Python(t, e2etest.Root, script)
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", name, err, stdout, stderr)
	}
	return stdout
}
