package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// devServer is a running `latchkey serve --dev`, found as its users find
// it: --listen 127.0.0.1:0 and --ready-file.
type devServer struct {
	*e2etest.Server
	cmd       *exec.Cmd
	done      chan struct{}
	stderr    *e2etest.SyncBuffer
	readyFile string
	// tmp is the server's TMPDIR, where its data folder is made.
	tmp string
}

// startDev starts a development server with args after --dev, its
// environment env (KEY=VALUE) and nothing of the machine's LATCHKEY_* or
// AWS_*, and waits for its ready file. It is killed when t ends.
func startDev(t *testing.T, env []string, args ...string) *devServer {
	t.Helper()
	dir := t.TempDir()
	s := &devServer{readyFile: filepath.Join(dir, "addr"), tmp: filepath.Join(dir, "tmp"), stderr: &e2etest.SyncBuffer{}, done: make(chan struct{})}
	if err := os.Mkdir(s.tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(e2etest.Binary(t), append([]string{"serve", "--dev", "--listen", "127.0.0.1:0", "--ready-file", s.readyFile}, args...)...)
	s.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + s.tmp}, env...)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("latchkey --dev log:\n%s", s.stderr.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(s.readyFile); err == nil {
			addr := strings.TrimSpace(string(b))
			s.Server = &e2etest.Server{URL: "http://" + addr, Addr: addr, Root: e2etest.Root}
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("latchkey --dev exited during start-up (%v):\n%s", s.cmd.ProcessState, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("latchkey --dev wrote no ready file within 20s:\n%s", s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *devServer) kill() {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// stop sends sig and waits for an exit with status 0.
func (s *devServer) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	_ = s.cmd.Process.Signal(sig)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("latchkey --dev did not stop within 30s of %v", sig)
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("latchkey --dev exited with status %d after %v:\n%s", code, sig, s.stderr.String())
	}
}

// devEmulatorScript is a test as emulators' users write them: a user
// made with the root key, given no policy, calls IAM with its own key.
const devEmulatorScript = `
import json
import os

import boto3
from botocore.exceptions import ClientError

ENDPOINT = os.environ["LATCHKEY_ENDPOINT"]
root = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
root.create_user(UserName="app")
key = root.create_access_key(UserName="app")["AccessKey"]
app = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1",
                   aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
out = {}


def attempt(name, call):
    try:
        out[name] = call()
    except ClientError as e:
        out[name] = {"error": e.response["Error"]["Code"]}


attempt("create_user", lambda: app.create_user(UserName="made-by-app")["User"]["UserName"])
attempt("list_users", lambda: sorted(u["UserName"] for u in app.list_users()["Users"]))
print(json.dumps(out))
`

// TestDevAuthorization: a user without policies is refused IAM calls on a
// development server with authorization on, as AWS refuses them, and may
// make them with --authorization=off; still within its own account only,
// and still with a valid signature.
func TestDevAuthorization(t *testing.T) {
	script := filepath.Join(t.TempDir(), "dev_emulator.py")
	if err := os.WriteFile(script, []byte(devEmulatorScript), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, s *devServer) map[string]any {
		t.Helper()
		stdout, stderr, err := s.Python(t, e2etest.Root, script)
		if err != nil {
			t.Fatalf("boto3: %v\n%s%s", err, stdout, stderr)
		}
		var out map[string]any
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("boto3 printed %q: %v", stdout, err)
		}
		return out
	}
	denied := map[string]any{"error": "AccessDenied"}

	t.Run("on", func(t *testing.T) {
		s := startDev(t, nil)
		out := run(t, s)
		for _, call := range []string{"create_user", "list_users"} {
			if got, _ := json.Marshal(out[call]); string(got) != `{"error":"AccessDenied"}` {
				t.Errorf("%s without a policy: %s, want %v", call, got, denied)
			}
		}
	})

	t.Run("off", func(t *testing.T) {
		s := startDev(t, nil, "--authorization=off")
		out := run(t, s)
		if out["create_user"] != "made-by-app" {
			t.Errorf("create_user with the user's own key: %v", out["create_user"])
		}
		if got, _ := json.Marshal(out["list_users"]); string(got) != `["app","made-by-app"]` {
			t.Errorf("list_users with the user's own key: %s", got)
		}

		ctx := t.Context()
		root := s.GoIAM(e2etest.Root)
		// A role whose trust policy names only a service: a user of the
		// account assumes it all the same.
		_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		app := newUserWithKey(t, s.Server, "bob")
		if _, err := s.GoSTS(app).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + e2etest.AccountID + ":role/r"), RoleSessionName: aws.String("session")}); err != nil {
			t.Errorf("AssumeRole of the account's own role: %v", err)
		}
		// Another account's role: refused.
		_, err = s.GoSTS(app).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::210987654321:role/r"), RoleSessionName: aws.String("session")})
		if code := apiErrorCode(err); code != "AccessDenied" {
			t.Errorf("AssumeRole of another account's role: %v, want AccessDenied", err)
		}
		// Authentication is as strict as ever.
		wrong := app
		wrong.Secret = "not-" + wrong.Secret
		if _, err := s.GoIAM(wrong).ListUsers(ctx, &iam.ListUsersInput{}); apiErrorCode(err) != "SignatureDoesNotMatch" {
			t.Errorf("a wrong secret: %v, want SignatureDoesNotMatch", err)
		}
		if _, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: aws.String(app.KeyID), Status: "Inactive"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GoIAM(app).ListUsers(ctx, &iam.ListUsersInput{}); apiErrorCode(err) != "InvalidClientTokenId" {
			t.Errorf("an Inactive key: %v, want InvalidClientTokenId", err)
		}
	})
}

// apiErrorCode is the AWS error code of err, or "" for none.
func apiErrorCode(err error) string {
	var e interface{ ErrorCode() string }
	if errors.As(err, &e) {
		return e.ErrorCode()
	}
	return ""
}

// TestDevReset: POST /latchkey/v1/reset, signed by the root key, empties
// a development server of hundreds of entities in milliseconds; keys made
// before it are refused at once, the root key keeps working, and names
// are free again. Anyone else is refused, and a server without --dev
// answers the path 404.
func TestDevReset(t *testing.T) {
	s := startDev(t, nil, "--authorization=off")
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	app := newUserWithKey(t, s.Server, "app")
	client := s.GoIAM(app)
	const users = 200
	for i := range users {
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"g1", "g2"} {
		if _, err := client.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, method, code string
		creds              e2etest.Creds
		status             int
	}{
		{"unsigned", "POST", "MissingAuthenticationToken", e2etest.Creds{}, 403},
		{"a user's key", "POST", "AccessDenied", app, 403},
		{"GET", "GET", "MethodNotAllowed", e2etest.Root, 405},
	} {
		if status, out := relyingCall(t, s.Server, c.creds, c.method, "/latchkey/v1/reset", nil); status != c.status || errorCode(out) != c.code {
			t.Errorf("reset, %s: HTTP %d %v; want %d %s", c.name, status, out, c.status, c.code)
		}
	}
	if out, err := root.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1000)}); err != nil || len(out.Users) != users+1 {
		t.Fatalf("refused resets changed something: %v users, %v", len(out.Users), err)
	}

	start := time.Now()
	status, out := relyingCall(t, s.Server, e2etest.Root, "POST", "/latchkey/v1/reset", nil)
	took := time.Since(start)
	if status != 200 || out["account"] != e2etest.AccountID {
		t.Fatalf("reset: HTTP %d %v", status, out)
	}
	t.Logf("reset of %d users, their groups and policies: %v", users+1, took)
	if took > time.Second {
		t.Errorf("reset took %v; it should take milliseconds", took)
	}

	if out, err := root.ListUsers(ctx, &iam.ListUsersInput{}); err != nil || len(out.Users) != 0 {
		t.Errorf("ListUsers with the root key after the reset: %d users, %v", len(out.Users), err)
	}
	if out, err := root.ListGroups(ctx, &iam.ListGroupsInput{}); err != nil || len(out.Groups) != 0 {
		t.Errorf("ListGroups after the reset: %v, %v", out, err)
	}
	if out, err := root.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"}); err != nil || len(out.Policies) != 0 {
		t.Errorf("ListPolicies after the reset: %v, %v", out, err)
	}
	if _, err := client.ListUsers(ctx, &iam.ListUsersInput{}); apiErrorCode(err) != "InvalidClientTokenId" {
		t.Errorf("a key made before the reset: %v, want InvalidClientTokenId", err)
	}
	again := newUserWithKey(t, s.Server, "app")
	if _, err := s.GoIAM(again).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("user-000")}); err != nil {
		t.Errorf("names are free again after the reset: %v", err)
	}

	plain := e2etest.Start(t, e2etest.Options{})
	if status, out := relyingCall(t, plain, e2etest.Root, "POST", "/latchkey/v1/reset", nil); status != 404 || errorCode(out) != "NotFound" {
		t.Errorf("reset on a server without --dev: HTTP %d %v, want 404 NotFound", status, out)
	}
	if out, err := plain.GoIAM(e2etest.Root).GetUser(ctx, &iam.GetUserInput{}); err != nil || aws.ToString(out.User.Arn) != "arn:aws:iam::"+e2etest.AccountID+":root" {
		t.Errorf("the server without --dev after the refused reset: %v", err)
	}
}

// TestDevFlags: contradictory flags are refused with a clear message
// before anything starts (no data dir made, no port taken).
func TestDevFlags(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"authorization off without --dev", []string{"--authorization=off"}, nil, "--authorization=off needs --dev"},
		{"authorization off by its variable", nil, []string{"LATCHKEY_AUTHORIZATION=off"}, "--authorization=off needs --dev"},
		{"authorization neither on nor off", []string{"--authorization=none"}, nil, `--authorization must be on or off, not "none"`},
		{"--dev with --data", []string{"--dev", "--data", "./data"}, nil, "--dev keeps its data in a temporary folder removed at exit: it takes no --data"},
		{"--dev with LATCHKEY_DATA", []string{"--dev"}, []string{"LATCHKEY_DATA=./data"}, "it takes no --data (nor LATCHKEY_DATA)"},
		{"--dev with --store", []string{"--dev", "--store", "postgres://latchkey@127.0.0.1:1/latchkey"}, nil, "it takes no --store"},
		{"--dev with --master-key-file", []string{"--dev", "--master-key-file", "./mk"}, nil, "it takes no --master-key-file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			addr := e2etest.FreeAddr(t)
			cmd := exec.Command(e2etest.Binary(t), append([]string{"serve", "--listen", addr}, c.args...)...)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + dir}, c.env...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Fatalf("exit status %d (%v), want 1:\n%s", code, err, out.String())
			}
			if !strings.Contains(out.String(), c.want) {
				t.Errorf("output %q does not say %q", out.String(), c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a refused start left %v behind", entries)
			}
		})
	}
}

// TestDevFolderRemoved: the temporary folder holding a development
// server's data exists while it runs and is gone after it exits, on
// SIGTERM and on SIGINT, and so is its ready file; the banner says what
// the server is. The bootstrap variables, when given, name its account.
func TestDevFolderRemoved(t *testing.T) {
	for _, c := range []struct {
		name    string
		sig     os.Signal
		env     []string
		account string
	}{
		{"SIGTERM, default account", syscall.SIGTERM, nil, e2etest.AccountID},
		{"SIGINT, the bootstrap variables' account", syscall.SIGINT, []string{"LATCHKEY_ACCOUNT_ID=210987654321",
			"LATCHKEY_ROOT_ACCESS_KEY_ID=AKIADEVTESTROOT", "LATCHKEY_ROOT_SECRET_ACCESS_KEY=dev-test-secret-123"}, "210987654321"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startDev(t, c.env)
			creds := e2etest.Root
			if c.env != nil {
				creds = e2etest.Creds{KeyID: "AKIADEVTESTROOT", Secret: "dev-test-secret-123"}
			}
			id, err := s.GoSTS(creds).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(id.Account) != c.account {
				t.Fatalf("GetCallerIdentity: %v, %v; want account %s", id, err, c.account)
			}
			banner := s.stderr.String()
			for _, want := range []string{"DEVELOPMENT server", "vanishes when it exits", "AWS_ENDPOINT_URL=" + s.URL, "AWS_ACCESS_KEY_ID=" + creds.KeyID} {
				if !strings.Contains(banner, want) {
					t.Errorf("the banner does not say %q:\n%s", want, banner)
				}
			}
			if c.env != nil && strings.Contains(banner, creds.Secret) {
				t.Error("the banner shows a secret given in the environment")
			}
			folders, _ := filepath.Glob(filepath.Join(s.tmp, "latchkey-dev-*"))
			if len(folders) != 1 {
				t.Fatalf("data folders in TMPDIR: %v, want one", folders)
			}
			if !strings.Contains(banner, folders[0]) {
				t.Errorf("the banner does not name the data folder %s", folders[0])
			}
			if _, err := os.Stat(filepath.Join(folders[0], "latchkey.db")); err != nil {
				t.Errorf("the data folder holds no database: %v", err)
			}
			s.stop(t, c.sig)
			if entries, _ := os.ReadDir(s.tmp); len(entries) != 0 {
				t.Errorf("after %v, TMPDIR still holds %v", c.sig, entries)
			}
			if _, err := os.Stat(s.readyFile); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the ready file outlived the server: %v", err)
			}
		})
	}
}

// TestDevPytestRecipe runs the README's pytest fixture as printed (with a
// stand-in for pytest's decorator, so that pytest itself is not needed):
// a session server, a test whose user key without policies creates users,
// then a test that starts from a reset store, where the first test's key
// is refused and the root key works; the server's data and the fixture's
// folder are gone once the session ends.
func TestDevPytestRecipe(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(e2etest.ModuleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const open = "```python\n# conftest.py\n"
	_, rest, ok := strings.Cut(string(readme), open)
	recipe, _, closed := strings.Cut(rest, "\n```\n")
	if !ok || !closed {
		t.Fatal("README.md has no ```python block starting with # conftest.py")
	}
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "conftest.py"), []byte(recipe), 0o600); err != nil {
		t.Fatal(err)
	}
	runner := filepath.Join(dir, "run_recipe.py")
	if err := os.WriteFile(runner, []byte(pytestRecipeRunner), 0o600); err != nil {
		t.Fatal(err)
	}
	// The recipe runs `latchkey` from PATH. Its environment holds no
	// AWS_* key: the fixtures give theirs.
	s := &e2etest.Server{}
	stdout, stderr, err := s.Python(t, e2etest.Creds{}, runner,
		"PATH="+filepath.Dir(e2etest.Binary(t))+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+tmp)
	if err != nil {
		t.Fatalf("the recipe: %v\n%s%s", err, stdout, stderr)
	}
	var out struct {
		First    []string `json:"first"`
		Second   []string `json:"second"`
		StaleKey string   `json:"stale_key"`
		Root     string   `json:"root"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("the recipe printed %q: %v\n%s", stdout, err, stderr)
	}
	if want := []string{"app", "made-0", "made-1", "made-2"}; !slices.Equal(out.First, want) {
		t.Errorf("the first test's users: %v, want %v", out.First, want)
	}
	if len(out.Second) != 0 {
		t.Errorf("the second test sees users %v, want none", out.Second)
	}
	if out.StaleKey != "InvalidClientTokenId" {
		t.Errorf("the first test's key in the second: %s, want InvalidClientTokenId", out.StaleKey)
	}
	if out.Root != "arn:aws:iam::"+e2etest.AccountID+":root" {
		t.Errorf("the root key after the reset: %q", out.Root)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("after the session, TMPDIR still holds %v", entries)
	}
}

// pytestRecipeRunner plays pytest for the README's conftest.py: it calls
// its fixtures as pytest would for two tests and prints what they saw.
const pytestRecipeRunner = `
import json
import sys
import types


def fixture(*args, **kwargs):
    if args and callable(args[0]):
        return args[0]
    return lambda f: f


sys.modules["pytest"] = types.SimpleNamespace(fixture=fixture)

import boto3
from botocore.exceptions import ClientError

import conftest

out = {}
session = conftest.latchkey_endpoint()
endpoint = next(session)


def client(key):
    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


# The first test: a user's own key, no policy, creates users.
iam = conftest.iam(endpoint)
iam.create_user(UserName="app")
key = iam.create_access_key(UserName="app")["AccessKey"]
app = client(key)
for i in range(3):
    app.create_user(UserName="made-%d" % i)
out["first"] = sorted(u["UserName"] for u in app.list_users()["Users"])

# The second test starts from a reset store.
iam = conftest.iam(endpoint)
out["second"] = [u["UserName"] for u in iam.list_users()["Users"]]
try:
    client(key).list_users()
    out["stale_key"] = "accepted"
except ClientError as e:
    out["stale_key"] = e.response["Error"]["Code"]
out["root"] = iam.get_user()["User"]["Arn"]

try:
    next(session)
except StopIteration:
    pass
print(json.dumps(out))
`
