package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestTerraformAccessKey drives the real Terraform CLI and hashicorp/aws
// provider 5.100.0 through the life of the aws_iam_access_key documentation
// example (testdata/terraform/main.tf): create, a clean plan, an in-place and
// replacing change, state rm + import, and a destroy that must also clear a
// force_destroy user holding a key and a policy Terraform never saw.
//
// The provider is installed only from a filesystem mirror found on the
// machine; the CLI config forbids every direct download. Each terraform run
// logs at DEBUG, and the IAM/STS calls the provider made are listed at the end
// with latchkey's answers (set LATCHKEY_TF_LOG_DIR to keep the raw logs).
func TestTerraformAccessKey(t *testing.T) {
	tf := newTerraform(t)
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.IAM(e2etest.Root)
	pgpEntity, pgpKey := newPGPKey(t)
	t.Cleanup(func() { tf.reportActions(t) })

	vars := map[string]any{
		"endpoint":   s.URL,
		"access_key": e2etest.Root.KeyID,
		"secret_key": e2etest.Root.Secret,
		"pgp_key":    pgpKey,
	}
	step := func(name string, f func(t *testing.T)) {
		t.Helper()
		start := time.Now()
		ok := t.Run(name, f)
		t.Logf("step %s: %s", name, time.Since(start).Round(100*time.Millisecond))
		if !ok {
			t.FailNow()
		}
	}

	var first tfOutputs
	step("Apply", func(t *testing.T) {
		tf.writeVars(t, vars)
		tf.run(t, 0, "init", "-input=false")
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		first = tf.outputs(t)

		const arn = "arn:aws:iam::123456789012:user/system/loadbalancer"
		u := must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("loadbalancer")}))
		if *u.User.Arn != arn {
			t.Errorf("user arn = %q, want %q", *u.User.Arn, arn)
		}
		secret := e2etest.Creds{KeyID: first.KeyID, Secret: first.Secret}
		wantCaller(t, s, secret, arn)

		plain := decryptPGP(t, pgpEntity, first.EncryptedSecret)
		wantCaller(t, s, e2etest.Creds{KeyID: first.PGPKeyID, Secret: plain}, arn)
		if want := hex.EncodeToString(pgpEntity.PrimaryKey.Fingerprint); first.KeyFingerprint != want {
			t.Errorf("key_fingerprint = %q, want %q", first.KeyFingerprint, want)
		}
		if want := sesSMTPPasswordV4(first.Secret, "us-east-1"); first.SESSMTPPasswordV4 != want {
			t.Errorf("ses_smtp_password_v4 = %q, want %q (AWS's SigV4 conversion of the secret)", first.SESSMTPPasswordV4, want)
		}
		created, err := time.Parse(time.RFC3339, first.CreateDate)
		if err != nil {
			t.Errorf("create_date %q is not RFC 3339: %v", first.CreateDate, err)
		} else if d := time.Since(created); d < -time.Minute || d > 5*time.Minute {
			t.Errorf("create_date %s is not about now", created)
		}

		pol := must[*iam.GetUserPolicyOutput](t)(root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("loadbalancer"), PolicyName: aws.String("test")}))
		// IAM returns policy documents URL-encoded (RFC 3986), as AWS does.
		if doc, err := url.QueryUnescape(*pol.PolicyDocument); err != nil || !strings.Contains(doc, `"ec2:Describe*"`) {
			t.Errorf("inline policy document %q (%v)", *pol.PolicyDocument, err)
		}
		u = must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("test")}))
		if *u.User.Path != "/test/" {
			t.Errorf("user test: %+v", u.User)
		}
	})

	step("PlanClean", func(t *testing.T) { tf.planClean(t) })

	// Status and tags first, then the rename: hashicorp/aws 5.100.0 sends
	// TagUser under the new name before UpdateUser renames the user, so a
	// rename and a tag change in one apply fail against AWS too.
	step("DeactivateAndTag", func(t *testing.T) {
		vars["key_status"] = "Inactive"
		vars["user_tags"] = map[string]string{"team": "edge", "env": "e2e"}
		tf.writeVars(t, vars)
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		out := tf.outputs(t)
		if out.KeyID != first.KeyID || out.PGPKeyID != first.PGPKeyID {
			t.Errorf("keys replaced by an in-place change: %s %s", out.KeyID, out.PGPKeyID)
		}
		wantRefused(t, s, e2etest.Creds{KeyID: first.KeyID, Secret: first.Secret}, "Inactive key")
		wantCaller(t, s, e2etest.Creds{KeyID: first.PGPKeyID, Secret: decryptPGP(t, pgpEntity, first.EncryptedSecret)}, "arn:aws:iam::123456789012:user/system/loadbalancer")
		wantKeys(t, root, "loadbalancer", map[string]types.StatusType{first.KeyID: types.StatusTypeInactive, first.PGPKeyID: types.StatusTypeActive})
		wantTags(t, root, "loadbalancer", map[string]string{"team": "edge", "env": "e2e"})
	})

	const (
		newName = "loadbalancer-v2"
		newPath = "/system/edge/"
		newARN  = "arn:aws:iam::123456789012:user/system/edge/loadbalancer-v2"
	)
	step("Rename", func(t *testing.T) {
		vars["user_name"] = newName
		vars["user_path"] = newPath
		tf.writeVars(t, vars)
		tf.run(t, 0, "apply", "-auto-approve", "-input=false")
		out := tf.outputs(t)
		u := must[*iam.GetUserOutput](t)(root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(newName)}))
		if *u.User.Arn != newARN || *u.User.Path != newPath {
			t.Errorf("renamed user: %s in %s, want %s", *u.User.Arn, *u.User.Path, newARN)
		}
		// The keys' and the policy's user is ForceNew, so the rename replaced
		// them: the old keys are gone, the new lb key was created Inactive
		// (CreateAccessKey then UpdateAccessKey), the new PGP key works.
		if out.KeyID == first.KeyID || out.PGPKeyID == first.PGPKeyID {
			t.Errorf("keys not replaced after the rename: %s %s", out.KeyID, out.PGPKeyID)
		}
		wantRefused(t, s, e2etest.Creds{KeyID: first.PGPKeyID, Secret: decryptPGP(t, pgpEntity, first.EncryptedSecret)}, "deleted key")
		wantRefused(t, s, e2etest.Creds{KeyID: out.KeyID, Secret: out.Secret}, "Inactive key")
		wantCaller(t, s, e2etest.Creds{KeyID: out.PGPKeyID, Secret: decryptPGP(t, pgpEntity, out.EncryptedSecret)}, newARN)
		wantKeys(t, root, newName, map[string]types.StatusType{out.KeyID: types.StatusTypeInactive, out.PGPKeyID: types.StatusTypeActive})
		wantTags(t, root, newName, map[string]string{"team": "edge", "env": "e2e"})
		_, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("loadbalancer")})
		wantCode(t, err, "NoSuchEntity")
	})

	step("PlanCleanAfterChange", func(t *testing.T) { tf.planClean(t) })

	step("Import", func(t *testing.T) {
		out := tf.outputs(t)
		tf.run(t, 0, "state", "rm", "aws_iam_access_key.lb", "aws_iam_user.lb", "aws_iam_user_policy.lb_ro")
		tf.run(t, 0, "import", "-input=false", "aws_iam_access_key.lb", out.KeyID)
		tf.run(t, 0, "import", "-input=false", "aws_iam_user.lb", newName)
		tf.run(t, 0, "import", "-input=false", "aws_iam_user_policy.lb_ro", newName+":test")
		tf.planClean(t)
	})

	step("Destroy", func(t *testing.T) {
		// Give the force_destroy user what Terraform does not manage.
		unmanaged := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("test")})).AccessKey
		must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String("test"), PolicyName: aws.String("unmanaged"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`),
		}))
		tf.run(t, 0, "destroy", "-auto-approve", "-input=false")
		users := must[*iam.ListUsersOutput](t)(root.ListUsers(ctx, &iam.ListUsersInput{}))
		for _, u := range users.Users {
			t.Errorf("user left after destroy: %s", *u.Arn)
		}
		wantRefused(t, s, e2etest.Creds{KeyID: *unmanaged.AccessKeyId, Secret: *unmanaged.SecretAccessKey}, "force-destroyed user's key")
	})
}

// tfOutputs are the outputs of testdata/terraform/main.tf.
type tfOutputs struct {
	Secret, EncryptedSecret, KeyFingerprint, SESSMTPPasswordV4, CreateDate string
	KeyID, PGPKeyID                                                        string
}

// terraform runs the terraform CLI in a private working directory with a CLI
// config that installs hashicorp/aws only from the machine's mirror.
type terraform struct {
	bin, work, logDir string
	env               []string
	runs              int
}

const awsProviderDir = "registry.terraform.io/hashicorp/aws/5.100.0"

func newTerraform(t *testing.T) *terraform {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("terraform is not on PATH: install Terraform 1.11 (the linux_amd64 release zip unpacked into /usr/local/bin, or `apt-get install terraform` from HashiCorp's apt repository) and run scripts/test-deps.sh; end-to-end tests never skip")
	}
	mirror := findProviderMirror(t)
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	work := filepath.Join(tmp, "work")
	cache := filepath.Join(tmp, "plugin-cache")
	logDir := filepath.Join(tmp, "logs")
	if d := os.Getenv("LATCHKEY_TF_LOG_DIR"); d != "" {
		logDir = d
	}
	for _, d := range []string{home, work, cache, logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(tmp, "terraform.rc")
	rc := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
plugin_cache_dir = %q
disable_checkpoint = true
`, mirror, cache)
	if err := os.WriteFile(cfg, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	awsConfig := filepath.Join(tmp, "aws-config")
	if err := os.WriteFile(awsConfig, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "terraform", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	tf := &terraform{bin: bin, work: work, logDir: logDir, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + os.TempDir(),
		"TF_CLI_CONFIG_FILE=" + cfg, "TF_DATA_DIR=" + filepath.Join(tmp, "tf-data"),
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0", "TF_LOG=DEBUG",
		// The provider must never look for credentials or a region outside
		// the configuration, nor reach for the instance metadata service.
		"AWS_CONFIG_FILE=" + awsConfig, "AWS_SHARED_CREDENTIALS_FILE=" + awsConfig,
		"AWS_EC2_METADATA_DISABLED=true",
	}}
	out, _ := tf.exec(t, "version")
	t.Logf("%s; hashicorp/aws from the mirror %s", strings.SplitN(out, "\n", 2)[0], mirror)
	return tf
}

// findProviderMirror looks for the directory holding
// registry.terraform.io/hashicorp/aws/5.100.0 (a filesystem mirror in
// Terraform's unpacked layout): first Terraform's implied mirror directories,
// then a walk of a few likely roots, at most four levels deep.
func findProviderMirror(t *testing.T) string {
	t.Helper()
	has := func(dir string) bool {
		fi, err := os.Stat(filepath.Join(dir, awsProviderDir))
		return err == nil && fi.IsDir()
	}
	home, _ := os.UserHomeDir()
	var implied []string
	if home != "" {
		implied = append(implied, filepath.Join(home, ".terraform.d", "plugins"), filepath.Join(home, ".local", "share", "terraform", "plugins"))
	}
	implied = append(implied, "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
	for _, d := range implied {
		if has(d) {
			return d
		}
	}
	roots := []string{"/opt", "/usr/local/share", "/usr/local/lib", "/usr/share", "/usr/lib", "/var/lib", "/srv"}
	if home != "" {
		roots = append(roots, home)
	}
	const maxDepth = 4
	skip := map[string]bool{"node_modules": true, ".git": true, "proc": true, "go": true, ".cache": true, ".npm": true, ".pyenv": true, ".rustup": true, ".cargo": true}
	for _, root := range roots {
		var found string
		rootDepth := strings.Count(filepath.Clean(root), string(filepath.Separator))
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if p != root && skip[d.Name()] {
				return filepath.SkipDir
			}
			if has(p) {
				found = p
				return filepath.SkipAll
			}
			if strings.Count(p, string(filepath.Separator))-rootDepth >= maxDepth {
				return filepath.SkipDir
			}
			return nil
		})
		if found != "" {
			return found
		}
	}
	t.Fatalf("no filesystem mirror holding %s was found under %v: the hashicorp/aws 5.100.0 provider must be preinstalled (e.g. `terraform providers mirror /opt/tf-plugins` on a machine that can reach the Terraform registry, then copy /opt/tf-plugins here); nothing is downloaded during tests", awsProviderDir, append(implied, roots...))
	return ""
}

// writeVars writes terraform.tfvars.json, which every later command loads.
func (tf *terraform) writeVars(t *testing.T, vars map[string]any) {
	t.Helper()
	b, err := json.MarshalIndent(vars, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tf.work, "terraform.tfvars.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// exec runs terraform with args, logging at DEBUG into its own file, and
// returns the combined output and the exit code.
func (tf *terraform) exec(t *testing.T, args ...string) (string, int) {
	t.Helper()
	tf.runs++
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	full := args
	if args[0] != "version" && args[0] != "state" {
		full = append([]string{args[0], "-no-color"}, args[1:]...)
	}
	cmd := exec.CommandContext(ctx, tf.bin, full...)
	cmd.Dir = tf.work
	logPath := filepath.Join(tf.logDir, fmt.Sprintf("%02d-%s.log", tf.runs, strings.Join(args[:min(2, len(args))], "-")))
	cmd.Env = append(tf.env, "TF_LOG_PATH="+logPath)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
		return "", -1
	}
}

// run runs terraform and fails unless it exits with want.
func (tf *terraform) run(t *testing.T, want int, args ...string) string {
	t.Helper()
	out, code := tf.exec(t, args...)
	if code != want {
		t.Fatalf("terraform %s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
	}
	return out
}

// planClean asserts that `terraform plan -detailed-exitcode` finds nothing
// to do (exit 0; 2 would mean changes).
func (tf *terraform) planClean(t *testing.T) {
	t.Helper()
	tf.run(t, 0, "plan", "-detailed-exitcode", "-input=false")
}

func (tf *terraform) outputs(t *testing.T) tfOutputs {
	t.Helper()
	raw := tf.run(t, 0, "output", "-json")
	var m map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("terraform output -json: %v\n%s", err, raw)
	}
	str := func(name string) string {
		v, ok := m[name].Value.(string)
		if !ok || v == "" {
			t.Errorf("output %s = %#v, want a non-empty string", name, m[name].Value)
		}
		return v
	}
	return tfOutputs{
		Secret: str("secret"), EncryptedSecret: str("encrypted_secret"), KeyFingerprint: str("key_fingerprint"),
		SESSMTPPasswordV4: str("ses_smtp_password_v4"), CreateDate: str("create_date"),
		KeyID: str("key_id"), PGPKeyID: str("pgp_key_id"),
	}
}

// tfCall is one AWS call the provider logged, with latchkey's answer.
type tfCall struct {
	Service, Action, Answer string
}

var (
	tfLogEntry   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)
	tfLogMethod  = regexp.MustCompile(`\brpc\.method=([A-Za-z0-9]+)`)
	tfLogService = regexp.MustCompile(`\brpc\.service=([A-Za-z0-9]+)`)
	tfLogStatus  = regexp.MustCompile(`\bhttp\.status_code=(\d+)`)
	tfLogCode    = regexp.MustCompile(`<Code>([^<]+)</Code>`)
)

// providerCalls reads the provider's "HTTP Response Received" entries from
// every DEBUG log, in order.
func (tf *terraform) providerCalls(t *testing.T) (perLog map[string][]tfCall, logs []string) {
	t.Helper()
	logs, _ = filepath.Glob(filepath.Join(tf.logDir, "*.log"))
	sort.Strings(logs)
	perLog = map[string][]tfCall{}
	for _, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			continue
		}
		var entry strings.Builder
		flush := func() {
			e := entry.String()
			entry.Reset()
			if !strings.Contains(e, "HTTP Response Received") {
				return
			}
			c := tfCall{Service: first(tfLogService, e), Action: first(tfLogMethod, e), Answer: first(tfLogStatus, e)}
			if code := first(tfLogCode, e); code != "" {
				c.Answer += " " + code
			}
			perLog[filepath.Base(path)] = append(perLog[filepath.Base(path)], c)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if tfLogEntry.MatchString(sc.Text()) {
				flush()
			}
			entry.WriteString(sc.Text())
			entry.WriteByte('\n')
		}
		flush()
		f.Close()
	}
	return perLog, logs
}

func first(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// reportActions logs every IAM/STS action the provider called, per command
// and in total with latchkey's answers, and fails on any answer that says
// latchkey could not serve a call (5xx, an unknown action).
func (tf *terraform) reportActions(t *testing.T) {
	t.Helper()
	perLog, logs := tf.providerCalls(t)
	total := map[string]int{}
	for _, path := range logs {
		name := filepath.Base(path)
		var line []string
		for _, c := range perLog[name] {
			line = append(line, c.Service+"."+c.Action+"→"+c.Answer)
			total[fmt.Sprintf("%-4s %-30s %s", c.Service, c.Action, c.Answer)]++
			if strings.HasPrefix(c.Answer, "5") || strings.Contains(c.Answer, "InvalidAction") || strings.Contains(c.Answer, "NotImplemented") {
				t.Errorf("%s: latchkey could not serve %s.%s: %s", name, c.Service, c.Action, c.Answer)
			}
		}
		if len(line) > 0 {
			t.Logf("terraform %s: %s", strings.TrimSuffix(name, ".log"), strings.Join(line, ", "))
		}
	}
	keys := make([]string, 0, len(total))
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s ×%d", k, total[k])
	}
	t.Logf("IAM/STS actions the provider called, with latchkey's answers:%s", b.String())
}

// wantKeys asserts the access keys of user and their status.
func wantKeys(t *testing.T, c *iam.Client, user string, want map[string]types.StatusType) {
	t.Helper()
	keys := must[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{UserName: aws.String(user)}))
	got := map[string]types.StatusType{}
	for _, k := range keys.AccessKeyMetadata {
		got[*k.AccessKeyId] = k.Status
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("access keys of %s: %v, want %v", user, got, want)
	}
}

// wantTags asserts the tags of user.
func wantTags(t *testing.T, c *iam.Client, user string, want map[string]string) {
	t.Helper()
	tags := must[*iam.ListUserTagsOutput](t)(c.ListUserTags(t.Context(), &iam.ListUserTagsInput{UserName: aws.String(user)}))
	got := map[string]string{}
	for _, tag := range tags.Tags {
		got[*tag.Key] = *tag.Value
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tags of %s: %v, want %v", user, got, want)
	}
}

// wantCaller asserts that c authenticates and sts:GetCallerIdentity names arn.
func wantCaller(t *testing.T, s *e2etest.Server, c e2etest.Creds, arn string) {
	t.Helper()
	id, err := s.STS(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Errorf("GetCallerIdentity with %s: %v", c.KeyID, err)
		return
	}
	if *id.Arn != arn || *id.Account != e2etest.AccountID {
		t.Errorf("GetCallerIdentity with %s: %s in %s, want %s", c.KeyID, *id.Arn, *id.Account, arn)
	}
}

// wantRefused asserts that STS refuses c as AWS refuses an inactive or
// deleted key: InvalidClientTokenId.
func wantRefused(t *testing.T, s *e2etest.Server, c e2etest.Creds, what string) {
	t.Helper()
	_, err := s.STS(c).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if code, msg := apiCode(t, err); code != "InvalidClientTokenId" {
		t.Errorf("%s %s: error %s (%s), want InvalidClientTokenId", what, c.KeyID, code, msg)
	}
}

// newPGPKey makes an RSA OpenPGP key pair and returns it with the base64 of
// its binary public key, the form the provider's pgp_key takes.
func newPGPKey(t *testing.T) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("Latchkey e2e", "terraform", "e2e@latchkey.invalid", &packet.Config{
		Algorithm: packet.PubKeyAlgoRSA, RSABits: 2048, DefaultHash: crypto.SHA256,
	})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	return e, base64.StdEncoding.EncodeToString(pub.Bytes())
}

// decryptPGP decrypts the provider's base64 encrypted_secret.
func decryptPGP(t *testing.T, e *openpgp.Entity, b64 string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("encrypted_secret is not base64: %v", err)
	}
	md, err := openpgp.ReadMessage(bytes.NewReader(raw), openpgp.EntityList{e}, nil, nil)
	if err != nil {
		t.Fatalf("encrypted_secret: %v", err)
	}
	plain, err := io.ReadAll(md.UnverifiedBody)
	if err != nil {
		t.Fatalf("encrypted_secret: %v", err)
	}
	return string(plain)
}

// sesSMTPPasswordV4 is AWS's documented conversion of a secret access key
// into an SES SMTP password (SigV4 key derivation over a fixed date).
func sesSMTPPasswordV4(secret, region string) string {
	sign := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	k := sign([]byte("AWS4"+secret), "11111111")
	for _, m := range []string{region, "ses", "aws4_request", "SendRawEmail"} {
		k = sign(k, m)
	}
	return base64.StdEncoding.EncodeToString(append([]byte{0x04}, k...))
}
