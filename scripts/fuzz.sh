#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 15s; use e.g. 10m for the
# long run) and prints the executions per target. Plain `go test` already
# replays each target's seed corpus in testdata/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-15s}
targets=(
	"./internal/sigv4 FuzzParseAuthorization"
	"./internal/sigv4 FuzzParsePresigned"
	"./internal/sigv4 FuzzCanonicalRequest"
	"./internal/query FuzzDecode"
	"./internal/awsmodel FuzzValidate"
	"./internal/policy FuzzParse"
	"./internal/policy/internal/wildcard FuzzMatch"
	"./internal/iam FuzzSimulateCustomPolicy"
	"./internal/secret FuzzOpenSession"
)
for t in "${targets[@]}"; do
	set -- $t
	out=$(go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -parallel 2 2>&1) || { echo "$out"; echo "fuzz: $2 failed" >&2; exit 1; }
	execs=$(echo "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2)
	echo "fuzz: $2 ($1): ${execs:-?} execs in $fuzztime, no failure"
done
