package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// Real clients acting as a role session against the real binary: each
// client assumes the role itself, with its own AssumeRole credential
// provider where it has one, and then signs its IAM and STS calls with the
// session's temporary credentials (an ASIA key id and a session token).
//
// Every test starts from newSessionSetup: the user ci may do nothing but
// sts:AssumeRole on the role ops/iam-admin, which trusts ci and may do iam:*
// on users. So a user that a client creates can only have been created by a
// role session, and the audit trail says which session and which key.

const (
	sessionSourceARN = acctARN + ":user/ci"
	sessionRoleARN   = acctARN + ":role/ops/iam-admin"
)

// The shape of AWS's temporary access key ids.
var sessionKeyIDPattern = regexp.MustCompile(`^ASIA[A-Z2-7]{16}$`)

// sessionAssumedARN is the ARN of a session of the role: AWS leaves the
// role's path out of it (assumed-role/ROLE/SESSION).
func sessionAssumedARN(session string) string {
	return "arn:aws:sts::" + e2etest.AccountID + ":assumed-role/iam-admin/" + session
}

// sessionSetup is the server and the principals every TestSession… uses.
type sessionSetup struct {
	s        *e2etest.Server
	auditLog string
	source   e2etest.Creds // ci's long-term key
	roleID   string        // the role's unique id (AROA…)
}

// newSessionSetup starts a server writing its audit trail and JSON request
// log, and makes ci and the role. It checks that ci's own key is refused
// iam:CreateUser, which the tests rely on.
func newSessionSetup(t *testing.T) *sessionSetup {
	t.Helper()
	auditLog := filepath.Join(t.TempDir(), "audit.jsonl")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--audit-log", auditLog, "--log-format", "json", "--log-level", "info"}})
	ctx := t.Context()
	root := s.GoIAM(e2etest.Root)
	// The user first: AWS refuses a trust policy naming a user that does not exist.
	source := newUserWithKey(t, s, "ci")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(doc(allow(act("sts:AssumeRole"), res(sessionRoleARN))))}))
	role := must[*iam.CreateRoleOutput](t)(root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("iam-admin"), Path: aws.String("/ops/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + sessionSourceARN + `"},"Action":"sts:AssumeRole"}]}`)})).Role
	must[*iam.PutRolePolicyOutput](t)(root.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("iam-admin"), PolicyName: aws.String("users"),
		PolicyDocument: aws.String(doc(allow(act("iam:*"), res(acctARN+":user/*"))))}))
	_, err := s.GoIAM(source).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("by-ci")})
	wantDenied(t, err, sessionSourceARN, "iam:CreateUser")
	return &sessionSetup{s: s, auditLog: auditLog, source: source, roleID: aws.ToString(role.RoleId)}
}

// sessionAuditRecord is what the tests read of an audit record.
type sessionAuditRecord struct {
	AccountID   string `json:"account_id"`
	Caller      string `json:"caller"`
	AccessKeyID string `json:"access_key_id"`
	Action      string `json:"action"`
	Target      string `json:"target"`
	Result      string `json:"result"`
	ErrorCode   string `json:"error_code"`
}

// audit returns the audit trail so far, failing on a line that is not JSON.
func (f *sessionSetup) audit(t *testing.T) []sessionAuditRecord {
	t.Helper()
	raw, err := os.ReadFile(f.auditLog)
	if err != nil {
		t.Fatal(err)
	}
	var out []sessionAuditRecord
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var r sessionAuditRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line is not JSON: %s", sc.Text())
		}
		out = append(out, r)
	}
	return out
}

// wantBySession asserts that the audit trail holds exactly one record of
// action on target (as latchkey's audit trail names it: "user/NAME",
// "user/NAME/policy/POLICY"), a success by the named session of the role
// signed with a temporary key, and returns that key's id.
func (f *sessionSetup) wantBySession(t *testing.T, action, target, session string) string {
	t.Helper()
	var found []sessionAuditRecord
	for _, r := range f.audit(t) {
		if r.Action == action && r.Target == target {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Errorf("audit: %d records of %s on %s, want 1: %+v", len(found), action, target, found)
		return ""
	}
	r := found[0]
	if r.Result != "success" || r.Caller != sessionAssumedARN(session) || !sessionKeyIDPattern.MatchString(r.AccessKeyID) || r.AccountID != e2etest.AccountID {
		t.Errorf("audit: %s on %s by %s with key %s in %s: %s %s; want a success by %s with an ASIA key in %s",
			action, target, r.Caller, r.AccessKeyID, r.AccountID, r.Result, r.ErrorCode, sessionAssumedARN(session), e2etest.AccountID)
	}
	return r.AccessKeyID
}

// sessionRequest is what the tests read of a line of the JSON request log.
type sessionRequest struct {
	Service     string `json:"service"`
	Action      string `json:"action"`
	Caller      string `json:"caller"`
	AccessKeyID string `json:"access_key_id"`
	Status      int    `json:"status"`
	ErrorCode   string `json:"error_code"`
}

// requests returns the calls the server logged so far, every one of them
// (the audit trail leaves out the reads).
func (f *sessionSetup) requests(t *testing.T) []sessionRequest {
	t.Helper()
	var out []sessionRequest
	sc := bufio.NewScanner(strings.NewReader(f.s.Stderr()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Msg string `json:"msg"`
			sessionRequest
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "request" {
			out = append(out, line.sessionRequest)
		}
	}
	if len(out) == 0 {
		t.Fatal("the request log holds no request")
	}
	return out
}

// assumeRoles counts the audit trail's AssumeRole records, wanting each a
// success by ci on the role with ci's long-term key.
func (f *sessionSetup) assumeRoles(t *testing.T) int {
	t.Helper()
	n := 0
	for _, r := range f.audit(t) {
		if r.Action != "AssumeRole" {
			continue
		}
		n++
		if r.Result != "success" || r.Caller != sessionSourceARN || r.AccessKeyID != f.source.KeyID || r.Target != sessionRoleARN {
			t.Errorf("audit: AssumeRole %+v, want a success by %s with %s on %s", r, sessionSourceARN, f.source.KeyID, sessionRoleARN)
		}
	}
	return n
}

// wantUser asserts, as the root, that the user exists with the ARN.
func (f *sessionSetup) wantUser(t *testing.T, name, arn string) {
	t.Helper()
	u, err := f.s.GoIAM(e2etest.Root).GetUser(t.Context(), &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Errorf("GetUser %s: %v", name, err)
		return
	}
	if aws.ToString(u.User.Arn) != arn {
		t.Errorf("user %s: %s, want %s", name, aws.ToString(u.User.Arn), arn)
	}
}

// wantNoUser asserts, as the root, that the user does not exist.
func (f *sessionSetup) wantNoUser(t *testing.T, name string) {
	t.Helper()
	_, err := f.s.GoIAM(e2etest.Root).GetUser(t.Context(), &iam.GetUserInput{UserName: aws.String(name)})
	wantCode(t, err, "NoSuchEntity")
}

// wantExpiration asserts that a session's expiration is 15 minutes after
// issued (DurationSeconds 900), within the clock's second and the call's time.
func wantExpiration(t *testing.T, what string, exp, issued time.Time) {
	t.Helper()
	if d := exp.Sub(issued); d < 15*time.Minute-2*time.Second || d > 15*time.Minute+30*time.Second {
		t.Errorf("%s: expires %v after it was asked for, want 15 minutes (%s)", what, d.Round(time.Second), exp.Format(time.RFC3339))
	}
}

// profileFiles writes an AWS config file and a shared credentials file:
// ci's key as the profile ci, and the profile name assuming the role with
// ci as its source_profile, both sending every call to the server. It
// returns the environment variables naming the files.
//
// The profile sets no duration_seconds, so the session lasts the default
// hour: botocore refreshes credentials that expire within 15 minutes before
// each call (its advisory refresh), so with 900 seconds the CLI and boto3
// would assume the role again for every call, against AWS as here.
func (f *sessionSetup) profileFiles(t *testing.T, name, session string) []string {
	t.Helper()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	config := fmt.Sprintf(`[profile ci]
region = %[1]s
endpoint_url = %[2]s

[profile %[3]s]
role_arn = %[4]s
source_profile = ci
role_session_name = %[5]s
region = %[1]s
endpoint_url = %[2]s
`, e2etest.Region, f.s.URL, name, sessionRoleARN, session)
	credentials := fmt.Sprintf("[ci]\naws_access_key_id = %s\naws_secret_access_key = %s\n", f.source.KeyID, f.source.Secret)
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte(credentials), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + creds}
}

// profileEnv is e2etest.ClientEnv without any credentials in the
// environment, with the config files of profileFiles: a profile's client
// has nothing else to sign with.
func (f *sessionSetup) profileEnv(t *testing.T, name, session string) []string {
	t.Helper()
	var env []string
	for _, kv := range e2etest.ClientEnv(t, e2etest.Creds{}) {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE":
		default:
			env = append(env, kv)
		}
	}
	return append(env, f.profileFiles(t, name, session)...)
}

// TestSessionTerraform: the hashicorp/aws provider's assume_role block. The
// provider assumes the role with ci's key and makes the user and its inline
// policy as the session, which aws_caller_identity names; a plan after the
// apply is clean, and the destroy is the session's too.
func TestSessionTerraform(t *testing.T) {
	tf := newTerraform(t)
	src, err := os.ReadFile(filepath.Join("testdata", "terraform_assume_role", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tf.work, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	f := newSessionSetup(t)
	t.Cleanup(func() {
		tf.reportActions(t)
		if t.Failed() {
			tfIAMServerActions(t, f.s)
		}
	})
	const (
		session = "terraform-e2e"
		userARN = acctARN + ":user/sessions/made-by-session"
	)
	tf.writeVars(t, map[string]any{
		"endpoint":     f.s.URL,
		"access_key":   f.source.KeyID,
		"secret_key":   f.source.Secret,
		"role_arn":     sessionRoleARN,
		"session_name": session,
	})
	step := func(name string, fn func(t *testing.T)) {
		t.Helper()
		start := time.Now()
		ok := t.Run(name, fn)
		t.Logf("step %s: %s", name, time.Since(start).Round(100*time.Millisecond))
		if !ok {
			t.FailNow()
		}
	}

	step("Apply", func(t *testing.T) {
		tf.run(t, 0, "init", "-input=false")
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		if got := tfIAMOutput(t, tf, "caller_arn"); got != sessionAssumedARN(session) {
			t.Errorf("aws_caller_identity arn %q, want %q", got, sessionAssumedARN(session))
		}
		if got := tfIAMOutput(t, tf, "caller_user_id"); got != f.roleID+":"+session {
			t.Errorf("aws_caller_identity user_id %q, want %q (the role's id and the session name)", got, f.roleID+":"+session)
		}
		if got := tfIAMOutput(t, tf, "user_arn"); got != userARN {
			t.Errorf("user_arn %q, want %q", got, userARN)
		}
		f.wantUser(t, "made-by-session", userARN)
		tags := must[*iam.ListUserTagsOutput](t)(f.s.GoIAM(e2etest.Root).ListUserTags(t.Context(), &iam.ListUserTagsInput{UserName: aws.String("made-by-session")})).Tags
		if len(tags) != 1 || aws.ToString(tags[0].Key) != "made-by" || aws.ToString(tags[0].Value) != "terraform" {
			t.Errorf("tags of made-by-session: %+v", tags)
		}
		must[*iam.GetUserPolicyOutput](t)(f.s.GoIAM(e2etest.Root).GetUserPolicy(t.Context(), &iam.GetUserPolicyInput{UserName: aws.String("made-by-session"), PolicyName: aws.String("read-self")}))
		f.wantBySession(t, "CreateUser", "user/made-by-session", session)
		f.wantBySession(t, "PutUserPolicy", "user/made-by-session/policy/read-self", session)
		if n := f.assumeRoles(t); n == 0 {
			t.Error("audit: no AssumeRole record after the apply")
		}
	})

	step("PlanClean", func(t *testing.T) {
		before := f.assumeRoles(t)
		tf.planClean(t)
		if after := f.assumeRoles(t); after <= before {
			t.Errorf("audit: %d AssumeRole records before the plan, %d after: the plan did not assume the role anew", before, after)
		}
	})

	step("Destroy", func(t *testing.T) {
		tf.run(t, 0, "destroy", "-auto-approve", "-input=false")
		f.wantNoUser(t, "made-by-session")
		f.wantBySession(t, "DeleteUserPolicy", "user/made-by-session/policy/read-self", session)
		f.wantBySession(t, "DeleteUser", "user/made-by-session", session)
		// In the request log, ci's key signed AssumeRole and nothing else
		// (but newSessionSetup's refused CreateUser), and every call with a
		// temporary key was the provider's session.
		bySession := 0
		for _, r := range f.requests(t) {
			switch {
			case r.AccessKeyID == f.source.KeyID:
				if r.Action != "AssumeRole" && !(r.Action == "CreateUser" && r.ErrorCode == "AccessDenied") {
					t.Errorf("request log: ci's own key signed %+v", r)
				}
			case strings.HasPrefix(r.AccessKeyID, "ASIA"):
				bySession++
				if r.Caller != sessionAssumedARN(session) || r.Status != 200 {
					t.Errorf("request log: %+v, want a success by %s", r, sessionAssumedARN(session))
				}
			}
		}
		if bySession < 6 { // at least CreateUser, PutUserPolicy, DeleteUserPolicy, DeleteUser and the reads
			t.Errorf("request log: %d calls signed with a temporary key", bySession)
		}
	})
}

// sessionCLI runs the real aws CLI with env and args, failing t if the CLI
// is missing or the command fails, and decodes its JSON output. Unlike
// e2etest.Server.AWSCLI it passes no --endpoint-url: a profile's client and
// the CLI's AssumeRole credential provider find the server in the config
// file.
func sessionCLI(t *testing.T, env []string, args ...string) map[string]any {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("the AWS CLI (aws) is not on PATH; install it (pip install awscli, or scripts/test-deps.sh): end-to-end tests never skip")
	}
	// As e2etest does: look through a pyenv shim to the real script.
	if filepath.Base(filepath.Dir(path)) == "shims" {
		if out, err := exec.Command("pyenv", "which", "aws").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
			path = strings.TrimSpace(string(out))
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, append(args, "--output", "json")...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatalf("aws %s printed no JSON object (%v):\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return m
}

// TestSessionAWSCLI: `aws sts assume-role` prints a session's credentials
// that the CLI then signs with, and a profile with role_arn and
// source_profile makes the CLI assume the role by itself.
func TestSessionAWSCLI(t *testing.T) {
	f := newSessionSetup(t)

	t.Run("assume-role", func(t *testing.T) {
		asked := time.Now()
		out := awsCLIJSON(t, f.s, f.source, "sts", "assume-role", "--role-arn", sessionRoleARN, "--role-session-name", "cli-direct", "--duration-seconds", "900")
		c := jsonObject(t, out, "Credentials")
		if sortedJSONKeys(c) != "AccessKeyId,Expiration,SecretAccessKey,SessionToken" || !sessionKeyIDPattern.MatchString(jsonString(c, "AccessKeyId")) ||
			len(jsonString(c, "SecretAccessKey")) != 40 || jsonString(c, "SessionToken") == "" {
			t.Fatalf("Credentials %v", c)
		}
		exp, err := time.Parse(time.RFC3339, jsonString(c, "Expiration"))
		if err != nil {
			t.Fatalf("Expiration %q: %v", jsonString(c, "Expiration"), err)
		}
		wantExpiration(t, "assume-role", exp, asked)
		u := jsonObject(t, out, "AssumedRoleUser")
		if jsonString(u, "Arn") != sessionAssumedARN("cli-direct") || jsonString(u, "AssumedRoleId") != f.roleID+":cli-direct" {
			t.Errorf("AssumedRoleUser %v, want %s, %s:cli-direct", u, sessionAssumedARN("cli-direct"), f.roleID)
		}
		creds := e2etest.Creds{KeyID: jsonString(c, "AccessKeyId"), Secret: jsonString(c, "SecretAccessKey"), Token: jsonString(c, "SessionToken")}
		id := awsCLIJSON(t, f.s, creds, "sts", "get-caller-identity")
		if jsonString(id, "Arn") != sessionAssumedARN("cli-direct") || jsonString(id, "UserId") != f.roleID+":cli-direct" || jsonString(id, "Account") != e2etest.AccountID {
			t.Errorf("get-caller-identity with the printed credentials: %v", id)
		}
		// Beyond the role's policy (users only), the session is refused.
		msg := awsCLIFails(t, f.s, creds, "AccessDenied", "iam", "list-roles")
		if !strings.HasPrefix(msg, "User: "+sessionAssumedARN("cli-direct")+" is not authorized to perform: iam:ListRoles") {
			t.Errorf("list-roles as the session: %q", msg)
		}
	})

	t.Run("profile with role_arn and source_profile", func(t *testing.T) {
		env := f.profileEnv(t, "admin", "cli-profile")
		id := sessionCLI(t, env, "sts", "get-caller-identity", "--profile", "admin")
		if jsonString(id, "Arn") != sessionAssumedARN("cli-profile") || jsonString(id, "UserId") != f.roleID+":cli-profile" || jsonString(id, "Account") != e2etest.AccountID {
			t.Errorf("get-caller-identity --profile admin: %v", id)
		}
		// The source profile alone is ci.
		if id := sessionCLI(t, env, "sts", "get-caller-identity", "--profile", "ci"); jsonString(id, "Arn") != sessionSourceARN {
			t.Errorf("get-caller-identity --profile ci: %v", id)
		}
		u := jsonObject(t, sessionCLI(t, env, "iam", "create-user", "--user-name", "cli-made", "--profile", "admin"), "User")
		if jsonString(u, "Arn") != acctARN+":user/cli-made" {
			t.Errorf("create-user --profile admin: %v", u)
		}
		var names []string
		for _, u := range jsonList(t, sessionCLI(t, env, "iam", "list-users", "--profile", "admin"), "Users") {
			names = append(names, jsonString(u, "UserName"))
		}
		if strings.Join(names, ",") != "ci,cli-made" {
			t.Errorf("list-users --profile admin: %v, want [ci cli-made]", names)
		}
		f.wantUser(t, "cli-made", acctARN+":user/cli-made")
		f.wantBySession(t, "CreateUser", "user/cli-made", "cli-profile")
	})
}

// boto3SessionScript assumes the role with sts.assume_role and builds a
// client from the session's credentials, then lets boto3's own AssumeRole
// credential provider do it through a profile; it prints one JSON object.
const boto3SessionScript = `
import datetime
import json
import os

import boto3

ENDPOINT = os.environ["LATCHKEY_ENDPOINT"]
ROLE_ARN = os.environ["ROLE_ARN"]
out = {}


def identity(client):
    r = client.get_caller_identity()
    return {k: r[k] for k in ("Arn", "UserId", "Account")}


# sts.assume_role, then clients built with aws_session_token.
sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1")
r = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="boto3-direct", DurationSeconds=900)
c = r["Credentials"]
out["direct"] = {
    "AccessKeyId": c["AccessKeyId"],
    "SecretLength": len(c["SecretAccessKey"]),
    "HasToken": bool(c["SessionToken"]),
    "Expiration": c["Expiration"].isoformat(),
    "ExpirationIsAware": isinstance(c["Expiration"], datetime.datetime) and c["Expiration"].tzinfo is not None,
    "AssumedRoleUser": r["AssumedRoleUser"],
}
session_keys = dict(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1", **session_keys)
out["direct"]["Identity"] = identity(boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1", **session_keys))
out["direct"]["Created"] = iam.create_user(UserName="boto3-direct", Path="/boto3/")["User"]["Arn"]
out["direct"]["Got"] = iam.get_user(UserName="boto3-direct")["User"]["Arn"]
try:
    iam.list_roles()
    out["direct"]["ListRoles"] = None
except iam.exceptions.ClientError as exc:
    out["direct"]["ListRoles"] = exc.response["Error"]["Code"]
iam.delete_user(UserName="boto3-direct")

# A profile with role_arn and source_profile: boto3 assumes the role itself.
session = boto3.Session(profile_name="admin")
creds = session.get_credentials()
out["profile"] = {"Method": creds.method, "AccessKeyId": creds.get_frozen_credentials().access_key}
out["profile"]["Identity"] = identity(session.client("sts"))
piam = session.client("iam")
out["profile"]["Created"] = piam.create_user(UserName="boto3-profile")["User"]["Arn"]
out["profile"]["Users"] = sorted(u["UserName"] for u in piam.list_users()["Users"])

print(json.dumps(out))
`

// TestSessionBoto3: boto3's sts.assume_role and a client built with
// aws_session_token, and boto3's AssumeRole credential provider through a
// profile with role_arn and source_profile.
func TestSessionBoto3(t *testing.T) {
	f := newSessionSetup(t)
	script := filepath.Join(t.TempDir(), "boto3_sessions.py")
	if err := os.WriteFile(script, []byte(boto3SessionScript), 0o600); err != nil {
		t.Fatal(err)
	}
	// ci's key in the environment signs sts.assume_role; the profile reads
	// the config files instead (boto3 ignores the environment's keys for a
	// Session given a profile_name, as the CLI does for --profile).
	asked := time.Now()
	stdout, stderr, err := f.s.Python(t, f.source, script, append(f.profileFiles(t, "admin", "boto3-profile"), "ROLE_ARN="+sessionRoleARN)...)
	if err != nil {
		t.Fatalf("boto3_sessions.py: %v\n%s%s", err, stdout, stderr)
	}
	type identity struct{ Arn, UserId, Account string }
	var out struct {
		Direct struct {
			AccessKeyId                 string
			SecretLength                int
			HasToken, ExpirationIsAware bool
			Expiration                  string
			AssumedRoleUser             struct{ Arn, AssumedRoleId string }
			Identity                    identity
			Created, Got, ListRoles     string
		}
		Profile struct {
			Method, AccessKeyId, Created string
			Identity                     identity
			Users                        []string
		}
	}
	jsonDecode(t, stdout, &out)

	d := out.Direct
	if !sessionKeyIDPattern.MatchString(d.AccessKeyId) || d.SecretLength != 40 || !d.HasToken || !d.ExpirationIsAware {
		t.Errorf("assume_role credentials %+v", d)
	}
	if exp, err := time.Parse(time.RFC3339, d.Expiration); err != nil {
		t.Errorf("Expiration %q: %v", d.Expiration, err)
	} else {
		wantExpiration(t, "assume_role", exp, asked)
	}
	if d.AssumedRoleUser.Arn != sessionAssumedARN("boto3-direct") || d.AssumedRoleUser.AssumedRoleId != f.roleID+":boto3-direct" {
		t.Errorf("AssumedRoleUser %+v", d.AssumedRoleUser)
	}
	if want := (identity{sessionAssumedARN("boto3-direct"), f.roleID + ":boto3-direct", e2etest.AccountID}); d.Identity != want {
		t.Errorf("get_caller_identity with aws_session_token: %+v, want %+v", d.Identity, want)
	}
	if d.Created != acctARN+":user/boto3/boto3-direct" || d.Got != d.Created || d.ListRoles != "AccessDenied" {
		t.Errorf("IAM as the session: created %q, got %q, list_roles %q (want AccessDenied)", d.Created, d.Got, d.ListRoles)
	}
	f.wantBySession(t, "CreateUser", "user/boto3-direct", "boto3-direct")
	f.wantBySession(t, "DeleteUser", "user/boto3-direct", "boto3-direct")
	f.wantNoUser(t, "boto3-direct")

	p := out.Profile
	if p.Method != "assume-role" || !sessionKeyIDPattern.MatchString(p.AccessKeyId) || p.AccessKeyId == d.AccessKeyId {
		t.Errorf("the profile's credentials: method %q, key %q; want boto3's assume-role provider with a key of its own", p.Method, p.AccessKeyId)
	}
	if want := (identity{sessionAssumedARN("boto3-profile"), f.roleID + ":boto3-profile", e2etest.AccountID}); p.Identity != want {
		t.Errorf("get_caller_identity through the profile: %+v, want %+v", p.Identity, want)
	}
	if p.Created != acctARN+":user/boto3-profile" || strings.Join(p.Users, ",") != "boto3-profile,ci" {
		t.Errorf("IAM through the profile: created %q, users %v", p.Created, p.Users)
	}
	if key := f.wantBySession(t, "CreateUser", "user/boto3-profile", "boto3-profile"); key != "" && key != p.AccessKeyId {
		t.Errorf("the profile's CreateUser was signed with %s, not the provider's %s", key, p.AccessKeyId)
	}
	f.wantUser(t, "boto3-profile", acctARN+":user/boto3-profile")
	if n := f.assumeRoles(t); n != 2 {
		t.Errorf("audit: %d AssumeRole records, want 2 (assume_role, then the profile's provider once)", n)
	}
}

// TestSessionGoSDK: stscreds.AssumeRoleProvider behind aws.CredentialsCache,
// as an IAM and an STS client use it. The cache keeps one session for many
// calls; with a 15-minute session and an expiry window 3 seconds short of
// it, the cache takes the session for expired 3 seconds after it was issued
// and assumes the role again, and the next calls sign with the new key.
func TestSessionGoSDK(t *testing.T) {
	f := newSessionSetup(t)
	ctx := t.Context()
	const (
		session  = "go-sdk"
		duration = 15 * time.Minute
		window   = duration - 3*time.Second
	)
	provider := stscreds.NewAssumeRoleProvider(f.s.GoSTS(f.source), sessionRoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = session
		o.Duration = duration
	})
	cache := aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = window })
	// The harness's clients (no retries, its HTTP client), signing through the cache.
	c := iam.New(f.s.GoIAM(e2etest.Creds{}).Options(), func(o *iam.Options) { o.Credentials = cache })
	stsc := sts.New(f.s.GoSTS(e2etest.Creds{}).Options(), func(o *sts.Options) { o.Credentials = cache })

	asked := time.Now()
	must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("go-made")}))
	first := must[aws.Credentials](t)(cache.Retrieve(ctx))
	if !sessionKeyIDPattern.MatchString(first.AccessKeyID) || first.SessionToken == "" || !first.CanExpire || first.Source != stscreds.ProviderName {
		t.Fatalf("cached credentials %+v", first)
	}
	// The cache's expiry is the session's, brought forward by the window.
	wantExpiration(t, "the session (the cache's expiry plus its window)", first.Expires.Add(window), asked)
	id := must[*sts.GetCallerIdentityOutput](t)(stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(id.Arn) != sessionAssumedARN(session) || aws.ToString(id.UserId) != f.roleID+":"+session {
		t.Errorf("GetCallerIdentity %s %s, want %s", aws.ToString(id.Arn), aws.ToString(id.UserId), sessionAssumedARN(session))
	}
	u := must[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("go-made")})).User
	if aws.ToString(u.Arn) != acctARN+":user/go-made" {
		t.Errorf("GetUser go-made: %s", aws.ToString(u.Arn))
	}
	if again := must[aws.Credentials](t)(cache.Retrieve(ctx)); again.AccessKeyID != first.AccessKeyID {
		t.Errorf("the cache gave %s and then %s before the expiry", first.AccessKeyID, again.AccessKeyID)
	}
	if key := f.wantBySession(t, "CreateUser", "user/go-made", session); key != "" && key != first.AccessKeyID {
		t.Errorf("CreateUser signed with %s, the cache held %s", key, first.AccessKeyID)
	}
	if n := f.assumeRoles(t); n != 1 {
		t.Fatalf("audit: %d AssumeRole records after four calls, want 1 (the cached session)", n)
	}

	time.Sleep(time.Until(first.Expires) + 200*time.Millisecond)
	users := must[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{})).Users
	if len(users) != 2 {
		t.Errorf("ListUsers after the refresh: %d users, want ci and go-made", len(users))
	}
	second := must[aws.Credentials](t)(cache.Retrieve(ctx))
	if !sessionKeyIDPattern.MatchString(second.AccessKeyID) || second.AccessKeyID == first.AccessKeyID || !second.Expires.After(first.Expires) {
		t.Fatalf("after the expiry the cache gave %s expiring %v; before, %s expiring %v", second.AccessKeyID, second.Expires, first.AccessKeyID, first.Expires)
	}
	must[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("go-made")}))
	if key := f.wantBySession(t, "DeleteUser", "user/go-made", session); key != "" && key != second.AccessKeyID {
		t.Errorf("DeleteUser signed with %s, want the refreshed %s", key, second.AccessKeyID)
	}
	if n := f.assumeRoles(t); n != 2 {
		t.Errorf("audit: %d AssumeRole records after the refresh, want 2", n)
	}
	f.wantNoUser(t, "go-made")
	// The first session stays valid until its own expiry: the refresh is
	// the client's choice, not a revocation.
	old := e2etest.Creds{KeyID: first.AccessKeyID, Secret: first.SecretAccessKey, Token: first.SessionToken}
	wantCaller(t, f.s, old, sessionAssumedARN(session))
}

// TestSessionJSSDK: fromTemporaryCredentials of @aws-sdk/credential-providers
// (testdata/js/sts_fromtemporarycredentials.js) gives an STS and an IAM
// client the role session's credentials.
func TestSessionJSSDK(t *testing.T) {
	node := newNodeRunner(t)
	f := newSessionSetup(t)
	asked := time.Now()
	out := node.run(t, f.s, f.source, "sts_fromtemporarycredentials.js",
		"ROLE_ARN="+sessionRoleARN, "ROLE_SESSION_NAME=js-sdk", "IAM_USER_NAME=js-made")
	rest, ok := strings.CutPrefix(strings.TrimSpace(out), "Success ")
	if !ok {
		t.Fatalf("want output starting \"Success \":\n%s", out)
	}
	var got struct {
		AccessKeyId     string
		HasSessionToken bool
		Expiration      time.Time
		Identity        struct{ Arn, UserId, Account string }
		CreatedUser     string
		Users           []string
	}
	jsonDecode(t, rest, &got)
	if !sessionKeyIDPattern.MatchString(got.AccessKeyId) || !got.HasSessionToken {
		t.Errorf("resolved credentials: key %q, session token %v", got.AccessKeyId, got.HasSessionToken)
	}
	wantExpiration(t, "fromTemporaryCredentials", got.Expiration, asked)
	if got.Identity.Arn != sessionAssumedARN("js-sdk") || got.Identity.UserId != f.roleID+":js-sdk" || got.Identity.Account != e2etest.AccountID {
		t.Errorf("GetCallerIdentity %+v, want %s", got.Identity, sessionAssumedARN("js-sdk"))
	}
	if got.CreatedUser != acctARN+":user/js-made" || strings.Join(got.Users, ",") != "ci,js-made" {
		t.Errorf("created %q, listed %v", got.CreatedUser, got.Users)
	}
	f.wantUser(t, "js-made", acctARN+":user/js-made")
	f.wantBySession(t, "CreateUser", "user/js-made", "js-sdk")
	if n := f.assumeRoles(t); n == 0 {
		t.Error("audit: no AssumeRole record")
	}
}
