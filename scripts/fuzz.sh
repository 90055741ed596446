#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each and prints the executions per
# target. Plain `go test` already replays each target's seed corpus in
# testdata/fuzz.
#
# The budget is a count of executions (Go's "Nx" form), not a duration: with
# a duration, Go 1.26's fuzzing coordinator can report "context deadline
# exceeded" as a failure when the deadline races a worker's last call
# (golang/go#75804), which fails a run that found nothing. A count stops
# cleanly. The default, 200000x, takes a few seconds to about twenty per
# target on two cores; `make fuzz-long` uses 20000000x.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-200000x}
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
	"./internal/kubernetes FuzzKubernetesToken"
	"./internal/relying FuzzVerifyRequest"
)
for t in "${targets[@]}"; do
	set -- $t
	out=$(go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -parallel 2 2>&1) || { echo "$out"; echo "fuzz: $2 failed" >&2; exit 1; }
	execs=$(echo "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2)
	echo "fuzz: $2 ($1): ${execs:-?} execs, no failure"
done
