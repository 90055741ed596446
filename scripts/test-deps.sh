#!/usr/bin/env bash
# Checks for (and where possible installs) everything the test suite drives:
# the AWS CLI, boto3 and botocore, moto, Terraform with the AWS provider
# mirror, Node.js with the JS SDK v3 clients, PostgreSQL, and Chromium with
# playwright-core for the console's browser tests. Fails loudly rather than
# let a test skip.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "test-deps: $*" >&2; exit 1; }

command -v go >/dev/null || fail "go is not on PATH"
command -v aws >/dev/null || fail "the AWS CLI (aws) is not on PATH; install it with: pip install awscli"
python3 -c 'import boto3, botocore' 2>/dev/null || fail "python3 with boto3 and botocore is required (the boto3 tests; internal/awsmodel's TestGeneratedIsCurrent reads botocore's models); install it with: pip install boto3"
echo "test-deps: $(aws --version 2>&1)"

# moto (internal/bench's TestCompare starts moto_server from PATH),
# installed with pip when missing and pip can.
if ! command -v moto_server >/dev/null || ! python3 -c 'import moto' 2>/dev/null; then
	echo "test-deps: moto_server is not on PATH or moto is not importable; trying pip install 'moto[server]'" >&2
	python3 -m pip install -q 'moto[server]' >/dev/null 2>&1 || fail "moto is missing and pip could not install it; install it with: pip install 'moto[server]'"
	if command -v pyenv >/dev/null; then pyenv rehash || true; fi
	hash -r
	command -v moto_server >/dev/null || fail "moto is installed but moto_server is not on PATH; put pip's script directory ($(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')) on PATH"
	python3 -c 'import moto' 2>/dev/null || fail "moto_server is on PATH but python3 cannot import moto; install it with: pip install 'moto[server]'"
fi
echo "test-deps: moto $(python3 -c 'import moto; print(moto.__version__)'), moto_server at $(command -v moto_server)"

# Terraform and the hashicorp/aws provider (e2e/terraform_test.go). Neither
# can be downloaded here: Terraform must be on PATH and the provider in a
# filesystem mirror (unpacked layout) that the test finds by itself.
command -v terraform >/dev/null || fail "terraform is not on PATH; install Terraform 1.11 (HashiCorp's linux_amd64 release unpacked into /usr/local/bin, or apt-get install terraform from HashiCorp's apt repository)"
tf_mirror=""
for d in "$HOME/.terraform.d/plugins" /usr/local/share/terraform/plugins /usr/share/terraform/plugins /opt/*; do
	if [ -d "$d/registry.terraform.io/hashicorp/aws/5.100.0" ]; then tf_mirror=$d; break; fi
done
if [ -z "$tf_mirror" ]; then
	tf_mirror=$(find /opt /usr/local/share /usr/local/lib /usr/share /usr/lib /var/lib /srv "$HOME" -maxdepth 5 -type d \
		-path '*/registry.terraform.io/hashicorp/aws/5.100.0' -print -quit 2>/dev/null | sed 's#/registry.terraform.io/hashicorp/aws/5.100.0$##')
fi
[ -n "$tf_mirror" ] || fail "no filesystem mirror holds registry.terraform.io/hashicorp/aws/5.100.0; make one with 'terraform providers mirror DIR' where the Terraform registry is reachable and copy DIR to /opt/tf-plugins"
echo "test-deps: $(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null terraform version | head -1), hashicorp/aws 5.100.0 in $tf_mirror"

# Node.js 20+ and the JS SDK v3 packages pinned in e2e/testdata/js: the IAM
# and STS clients (e2e/js_test.go) and @aws-sdk/credential-providers
# (e2e/session_clients_test.go), installed from its package-lock.json.
command -v node >/dev/null || fail "node is not on PATH; install Node.js 20 or later (apt-get install nodejs npm)"
command -v npm >/dev/null || fail "npm is not on PATH; install it (apt-get install npm)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old; the AWS SDK for JavaScript v3 needs Node.js 20 or later"
(cd e2e/testdata/js && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in e2e/testdata/js failed"
(cd e2e/testdata/js && node -e '
const fs = require("fs");
for (const [name, want] of Object.entries(require("./package.json").dependencies)) {
  const got = JSON.parse(fs.readFileSync("node_modules/" + name + "/package.json", "utf8")).version;
  if (got !== want) { console.error(name + " " + got + " is installed, package.json pins " + want); process.exit(1); }
}') || fail "e2e/testdata/js/node_modules does not hold the versions package.json pins"
echo "test-deps: node $(node --version), $(cd e2e/testdata/js && node -p 'Object.entries(require("./package.json").dependencies).map(([n, v]) => n + "@" + v).join(" ")')"

# PostgreSQL 15 (internal/pgtest starts a server of its own for the
# PostgreSQL backend's tests): initdb and pg_ctl on PATH or in Debian's
# /usr/lib/postgresql/VERSION/bin, installed from Debian's packages when
# missing; as root, the servers run as the postgres user.
pg_bin=""
if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
	pg_bin=$(dirname "$(command -v initdb)")
else
	for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin=$d; done
fi
if [ -z "$pg_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get install -y -q postgresql >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1) || true
	for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin=$d; done
fi
[ -n "$pg_bin" ] || fail "PostgreSQL's initdb and pg_ctl are not installed; install PostgreSQL 15 (apt-get install postgresql-15)"
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || fail "running as root, the PostgreSQL tests need the postgres user to run the server as (apt-get install postgresql creates it)"
	command -v runuser >/dev/null || fail "running as root, the PostgreSQL tests need runuser (util-linux)"
fi
echo "test-deps: $("$pg_bin/initdb" --version) in $pg_bin"

# Chromium (e2e/console_browser_test.go drives it headless with
# playwright-core): Debian's package, installed when missing; never a
# browser downloaded by a test tool. playwright-core is pinned in
# e2e/testdata/console.
chromium=""
for c in chromium chromium-browser; do
	if command -v "$c" >/dev/null; then chromium=$(command -v "$c"); break; fi
done
if [ -z "$chromium" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	echo "test-deps: chromium is not installed; installing Debian's package" >&2
	apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || true
	command -v chromium >/dev/null && chromium=$(command -v chromium)
fi
[ -n "$chromium" ] || fail "Chromium is not installed; install Debian's package (apt-get install chromium)"
(cd e2e/testdata/console && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in e2e/testdata/console failed"
echo "test-deps: $("$chromium" --version 2>/dev/null | head -1) at $chromium, playwright-core $(cd e2e/testdata/console && node -p 'require("playwright-core/package.json").version')"
