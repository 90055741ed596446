package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestJSSDKAccessKeyExamples runs the five "Managing IAM access keys"
// examples of the AWS SDK for JavaScript v3 developer guide
// (testdata/js/iam_*.js, changed only to take an endpoint, credentials and
// their placeholders from the environment), plus a sixth script that pages
// through ListAccessKeys, and checks what each prints.
func TestJSSDKAccessKeyExamples(t *testing.T) {
	node := newNodeRunner(t)
	s := e2etest.Start(t, e2etest.Options{})
	ctx := t.Context()
	root := s.IAM(e2etest.Root)

	// alice may manage her own keys; bob exists and has none.
	alice := newUserWithKey(t, s, "alice")
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("alice"), PolicyName: aws.String("own-keys"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":["iam:CreateAccessKey","iam:ListAccessKeys","iam:GetAccessKeyLastUsed"],` +
			`"Resource":"arn:aws:iam::123456789012:user/alice"}]}`),
	}))
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))

	var created e2etest.Creds
	t.Run("CreateAccessKey", func(t *testing.T) {
		// The guide passes the bare user name to CreateAccessKeyCommand, so
		// the request has no UserName and the key is the caller's: signed
		// by alice, it is alice's even though IAM_USER_NAME says bob.
		out := node.run(t, s, alice, "iam_createaccesskeys.js", "IAM_USER_NAME=bob")
		key := inspected(t, out, "Success", map[string]string{
			"AccessKeyId": `'(AKIA[A-Z2-7]{16})'`, "SecretAccessKey": `'([A-Za-z0-9/+]{40})'`,
			"UserName": `'([^']*)'`, "Status": `'(\w+)'`, "CreateDate": `(\S+Z)`,
		})
		if key["UserName"] != "alice" || key["Status"] != "Active" {
			t.Errorf("printed key %v, want an Active key of alice", key)
		}
		if d, err := time.Parse(time.RFC3339, key["CreateDate"]); err != nil || time.Since(d) > time.Minute {
			t.Errorf("CreateDate %q (%v)", key["CreateDate"], err)
		}
		created = e2etest.Creds{KeyID: key["AccessKeyId"], Secret: key["SecretAccessKey"]}
		wantCaller(t, s, created, "arn:aws:iam::123456789012:user/alice")
		bobs := must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")}))
		if len(bobs.AccessKeyMetadata) != 0 {
			t.Errorf("bob has keys %+v", bobs.AccessKeyMetadata)
		}
	})
	if created.KeyID == "" {
		t.FailNow()
	}

	t.Run("ListAccessKeys", func(t *testing.T) {
		out := node.run(t, s, alice, "iam_listaccesskeys.js", "IAM_USER_NAME=alice")
		inspected(t, out, "Success", map[string]string{"IsTruncated": `(false)`})
		ids := regexp.MustCompile(`AccessKeyId: '(AKIA[A-Z2-7]{16})'`).FindAllStringSubmatch(out, -1)
		users := regexp.MustCompile(`UserName: '([^']*)'`).FindAllStringSubmatch(out, -1)
		if len(ids) != 2 || len(users) != 2 || users[0][1] != "alice" || users[1][1] != "alice" {
			t.Fatalf("listed %v of %v, want alice's two keys:\n%s", ids, users, out)
		}
		if !strings.Contains(out, alice.KeyID) || !strings.Contains(out, created.KeyID) {
			t.Errorf("listing lacks %s or %s:\n%s", alice.KeyID, created.KeyID, out)
		}
		if strings.Contains(out, "Marker") {
			t.Errorf("an untruncated listing has a Marker:\n%s", out)
		}
	})

	t.Run("ListAccessKeysPaged", func(t *testing.T) {
		out := node.run(t, s, e2etest.Root, "iam_listaccesskeys_paged.js", "IAM_USER_NAME=alice", "MAX_ITEMS=1")
		type page struct {
			AccessKeyIds []string
			IsTruncated  bool
			Marker       *string
		}
		var pages []page
		for _, line := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(line, "Page "); ok {
				var p page
				if err := json.Unmarshal([]byte(rest), &p); err != nil {
					t.Fatalf("page %q: %v", rest, err)
				}
				pages = append(pages, p)
			}
		}
		if len(pages) != 2 || !pages[0].IsTruncated || pages[0].Marker == nil || pages[1].IsTruncated || pages[1].Marker != nil ||
			len(pages[0].AccessKeyIds) != 1 || len(pages[1].AccessKeyIds) != 1 || pages[0].AccessKeyIds[0] == pages[1].AccessKeyIds[0] {
			t.Fatalf("pages %+v, want two pages of one key, the first truncated with a Marker:\n%s", pages, out)
		}
		if i := strings.Index(out, "\nSuccess ["); i < 0 || strings.Count(out[i:], "AccessKeyId:") != 2 {
			t.Errorf("want Success with both keys:\n%s", out)
		}
	})

	t.Run("GetAccessKeyLastUsed", func(t *testing.T) {
		fields := map[string]string{"ServiceName": `'([^']*)'`, "Region": `'([^']*)'`}
		// The created key signed one STS call above; alice's first key
		// signed the listing, so it was last used on IAM.
		for _, c := range []struct {
			key             e2etest.Creds
			service, region string
		}{{created, "sts", "us-east-1"}, {alice, "iam", "us-east-1"}} {
			out := node.run(t, s, e2etest.Root, "iam_accesskeylastused.js", "ACCESS_KEY_ID="+c.key.KeyID)
			lu := inspected(t, out, "Success", fields)
			if lu["ServiceName"] != c.service || lu["Region"] != c.region {
				t.Errorf("last use of %s: %v, want %s in %s", c.key.KeyID, lu, c.service, c.region)
			}
			m := regexp.MustCompile(`LastUsedDate: (\S+Z)`).FindStringSubmatch(out)
			if m == nil {
				t.Errorf("no LastUsedDate for a used key:\n%s", out)
			} else if d, err := time.Parse(time.RFC3339, m[1]); err != nil || time.Since(d) > time.Minute {
				t.Errorf("LastUsedDate %q (%v)", m[1], err)
			}
		}
		// A key never used: AWS answers N/A and no date.
		fresh := must[*iam.CreateAccessKeyOutput](t)(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
		out := node.run(t, s, e2etest.Root, "iam_accesskeylastused.js", "ACCESS_KEY_ID="+*fresh.AccessKey.AccessKeyId)
		lu := inspected(t, out, "Success", fields)
		if lu["ServiceName"] != "N/A" || lu["Region"] != "N/A" || strings.Contains(out, "LastUsedDate") {
			t.Errorf("last use of an unused key: %v\n%s", lu, out)
		}
	})

	t.Run("GetAccessKeyLastUsedOfOwnKey", func(t *testing.T) {
		// AWS authorizes iam:GetAccessKeyLastUsed on the key owner's user
		// ARN (its "manage your own access keys" policies grant it on
		// user/${aws:username}), so alice's policy on her own ARN suffices.
		out := node.run(t, s, alice, "iam_accesskeylastused.js", "ACCESS_KEY_ID="+created.KeyID)
		if !strings.HasPrefix(out, "Success ") {
			t.Errorf("alice, allowed iam:GetAccessKeyLastUsed on arn:aws:iam::123456789012:user/alice, asking about her own key got (AWS answers Success):\n%s", out)
		}
	})

	t.Run("UpdateAccessKey", func(t *testing.T) {
		for _, status := range []string{"Inactive", "Active"} {
			out := node.run(t, s, e2etest.Root, "iam_updateaccesskey.js",
				"ACCESS_KEY_ID="+created.KeyID, "ACCESS_KEY_STATUS="+status, "USER_NAME=alice")
			inspected(t, out, "Success", map[string]string{"httpStatusCode": `(200)`})
			if status == "Inactive" {
				wantRefused(t, s, created, "Inactive key")
			} else {
				wantCaller(t, s, created, "arn:aws:iam::123456789012:user/alice")
			}
		}
	})

	t.Run("DeleteAccessKey", func(t *testing.T) {
		env := []string{"ACCESS_KEY_ID=" + created.KeyID, "USER_NAME=alice"}
		out := node.run(t, s, e2etest.Root, "iam_deleteaccesskey.js", env...)
		inspected(t, out, "Success", map[string]string{"httpStatusCode": `(200)`})
		wantRefused(t, s, created, "deleted key")
		keys := must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
		if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != alice.KeyID {
			t.Errorf("alice's keys after the delete: %+v", keys.AccessKeyMetadata)
		}
		// The example prints what the SDK throws for a key that is gone.
		out = node.run(t, s, e2etest.Root, "iam_deleteaccesskey.js", env...)
		if !strings.HasPrefix(out, "Error ") || !strings.Contains(out, "NoSuchEntity") || !strings.Contains(out, "httpStatusCode: 404") {
			t.Errorf("deleting a deleted key printed:\n%s", out)
		}
	})
}

// inspected checks that out starts with prefix (the examples print
// console.log("Success", data)) and extracts each field from Node's
// util.inspect rendering "Name: value", value matched by the pattern's group.
func inspected(t *testing.T, out, prefix string, fields map[string]string) map[string]string {
	t.Helper()
	if !strings.HasPrefix(out, prefix+" ") {
		t.Fatalf("want output starting %q:\n%s", prefix, out)
	}
	got := map[string]string{}
	for name, pattern := range fields {
		m := regexp.MustCompile(`\b` + name + `: ` + pattern).FindStringSubmatch(out)
		if m == nil {
			t.Errorf("no %s matching %s in:\n%s", name, pattern, out)
			continue
		}
		got[name] = m[1]
	}
	return got
}

// nodeRunner runs the scripts of a testdata folder with Node.js, with the
// npm packages its package.json pins.
type nodeRunner struct{ dir string }

// The versions testdata/js/package.json pins.
var jsSDKPackages = []string{"@aws-sdk/client-iam", "@aws-sdk/client-sts", "@aws-sdk/credential-providers"}

var npmCI sync.Mutex

// newNodeRunner runs the JS SDK scripts of testdata/js.
func newNodeRunner(t *testing.T) *nodeRunner {
	t.Helper()
	return nodeRunnerIn(t, "js", jsSDKPackages...)
}

// nodeRunnerIn runs the scripts of testdata/folder, installing (npm ci)
// the packages its package.json pins when node_modules does not hold them.
func nodeRunnerIn(t *testing.T, folder string, packages ...string) *nodeRunner {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not on PATH: install Node.js 20 or later with npm (apt-get install nodejs npm) and run scripts/test-deps.sh; end-to-end tests never skip", tool)
		}
	}
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		t.Fatalf("node --version: %v", err)
	}
	v := strings.TrimSpace(string(out))
	if major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "v"), ".", 2)[0]); major < 20 {
		t.Fatalf("node %s is too old: the scripts of testdata/%s need Node.js 20 or later", v, folder)
	}
	dir, err := filepath.Abs(filepath.Join("testdata", folder))
	if err != nil {
		t.Fatal(err)
	}
	npmCI.Lock()
	defer npmCI.Unlock()
	if !npmInstalled(t, dir, packages) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
		if !npmInstalled(t, dir, packages) {
			t.Fatalf("npm ci did not install %v as package.json pins them", packages)
		}
	}
	return &nodeRunner{dir: dir}
}

// npmInstalled reports whether dir's node_modules holds the versions of
// packages its package.json pins.
func npmInstalled(t *testing.T, dir string, packages []string) bool {
	t.Helper()
	var pkg struct{ Dependencies map[string]string }
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	for _, name := range packages {
		var installed struct{ Version string }
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
		if err != nil || json.Unmarshal(b, &installed) != nil || installed.Version != pkg.Dependencies[name] {
			return false
		}
	}
	return true
}

// run runs a script signing with c against s, with extra environment
// (placeholders), and returns its standard output. The examples print their
// errors and exit 0, so only a crash fails here.
func (n *nodeRunner) run(t *testing.T, s *e2etest.Server, c e2etest.Creds, script string, env ...string) string {
	t.Helper()
	home := t.TempDir()
	empty := filepath.Join(home, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = n.dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_CONFIG_FILE=" + empty, "AWS_SHARED_CREDENTIALS_FILE=" + empty,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "NODE_NO_WARNINGS=1",
		"AWS_REGION=us-east-1", "LATCHKEY_ENDPOINT=" + s.URL,
		"AWS_ACCESS_KEY_ID=" + c.KeyID, "AWS_SECRET_ACCESS_KEY=" + c.Secret,
	}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s%s", script, err, stdout.String(), stderr.String())
	}
	if stderr.Len() > 0 {
		t.Logf("node %s stderr:\n%s", script, stderr.String())
	}
	return stdout.String()
}
