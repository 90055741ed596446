package e2e

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// The AWS CLI as the seeds use it (seed 002: aws iam create-access-key).

// awsCLIJSON runs the aws CLI, fails t if the command fails, and decodes its JSON
// output into a map (nil for an empty output).
func awsCLIJSON(t *testing.T, s *e2etest.Server, c e2etest.Creds, args ...string) map[string]any {
	t.Helper()
	out, errOut, err := s.AWSCLI(t, c, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("aws %s printed no JSON object (%v):\n%s", strings.Join(args, " "), err, out)
	}
	return m
}

// awsCLIFails runs the aws CLI, wants it to fail with the AWS error code, and
// returns the message the CLI printed: "An error occurred (CODE) when
// calling the OP operation: MESSAGE".
func awsCLIFails(t *testing.T, s *e2etest.Server, c e2etest.Creds, code string, args ...string) string {
	t.Helper()
	out, errOut, err := s.AWSCLI(t, c, args...)
	if err == nil {
		t.Fatalf("aws %s succeeded, want %s:\n%s", strings.Join(args, " "), code, out)
	}
	m := regexp.MustCompile(`An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)`).FindStringSubmatch(errOut)
	if m == nil || m[1] != code {
		t.Fatalf("aws %s: want error %s, got:\n%s", strings.Join(args, " "), code, errOut)
	}
	return strings.TrimSpace(m[3])
}

func sortedJSONKeys(m map[string]any) string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

func jsonString(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func jsonObject(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	o, ok := m[key].(map[string]any)
	if !ok {
		t.Fatalf("no object %q in %v", key, m)
	}
	return o
}

// cliDate parses a date the CLI printed (ISO 8601, with or without
// fractional seconds) and checks it is within a minute of now.
func cliDate(t *testing.T, what, v string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatalf("%s %q is not an ISO 8601 date: %v", what, v, err)
	}
	if since := time.Since(d); since < -time.Minute || since > time.Minute {
		t.Fatalf("%s %s is not within a minute of now", what, v)
	}
	return d
}

func TestAWSCLI(t *testing.T) {
	t.Parallel() // the CLI's start-up dominates; it overlaps with the other suites
	s := e2etest.Start(t, e2etest.Options{})
	root := e2etest.Root

	user := jsonObject(t, awsCLIJSON(t, s, root, "iam", "create-user", "--user-name", "Bob"), "User")
	if jsonString(user, "UserName") != "Bob" || jsonString(user, "Path") != "/" || jsonString(user, "Arn") != "arn:aws:iam::123456789012:user/Bob" || !userIDPattern.MatchString(jsonString(user, "UserId")) {
		t.Fatalf("create-user: %v", user)
	}
	cliDate(t, "create-user CreateDate", jsonString(user, "CreateDate"))

	// Seed 002's output, key for key.
	out := awsCLIJSON(t, s, root, "iam", "create-access-key", "--user-name", "Bob")
	if sortedJSONKeys(out) != "AccessKey" {
		t.Fatalf("create-access-key printed %v", out)
	}
	key := jsonObject(t, out, "AccessKey")
	if got := sortedJSONKeys(key); got != "AccessKeyId,CreateDate,SecretAccessKey,Status,UserName" {
		t.Fatalf("AccessKey holds %s", got)
	}
	bob := e2etest.Creds{KeyID: jsonString(key, "AccessKeyId"), Secret: jsonString(key, "SecretAccessKey")}
	if jsonString(key, "UserName") != "Bob" || jsonString(key, "Status") != "Active" || !keyIDPattern.MatchString(bob.KeyID) || len(bob.Secret) != 40 {
		t.Fatalf("create-access-key: %v", key)
	}
	cliDate(t, "create-access-key CreateDate", jsonString(key, "CreateDate"))

	// These two need no state: they run beside the seed flow.
	t.Run("Parallel", func(t *testing.T) {
		t.Run("GenerateCLISkeleton", func(t *testing.T) {
			t.Parallel()
			out := awsCLIJSON(t, s, root, "iam", "create-access-key", "--generate-cli-skeleton")
			if _, ok := out["UserName"]; !ok {
				t.Fatalf("skeleton %v has no UserName", out)
			}
		})
		t.Run("NoSuchEntity", func(t *testing.T) {
			t.Parallel()
			msg := awsCLIFails(t, s, root, "NoSuchEntity", "iam", "create-access-key", "--user-name", "Nobody")
			wantMessage(t, msg, "The user with name Nobody cannot be found.")
		})
		t.Run("SeedFlow", func(t *testing.T) {
			t.Parallel()
			cliSeedFlow(t, s, bob, jsonString(user, "UserId"))
		})
	})
}

// cliSeedFlow lists, uses, deactivates and deletes Bob's key with the CLI,
// then makes one with --cli-input-json.
func cliSeedFlow(t *testing.T, s *e2etest.Server, bob e2etest.Creds, bobID string) {
	root := e2etest.Root
	out := awsCLIJSON(t, s, root, "iam", "list-access-keys", "--user-name", "Bob")
	list, _ := out["AccessKeyMetadata"].([]any)
	if len(list) != 1 {
		t.Fatalf("list-access-keys: %v", out)
	}
	m := list[0].(map[string]any)
	if sortedJSONKeys(m) != "AccessKeyId,CreateDate,Status,UserName" || jsonString(m, "AccessKeyId") != bob.KeyID || jsonString(m, "Status") != "Active" || jsonString(m, "UserName") != "Bob" {
		t.Fatalf("list-access-keys metadata: %v", m)
	}

	id := awsCLIJSON(t, s, bob, "sts", "get-caller-identity")
	if sortedJSONKeys(id) != "Account,Arn,UserId" || jsonString(id, "Arn") != "arn:aws:iam::123456789012:user/Bob" || jsonString(id, "Account") != "123456789012" || jsonString(id, "UserId") != bobID {
		t.Fatalf("get-caller-identity: %v", id)
	}

	out = awsCLIJSON(t, s, root, "iam", "get-access-key-last-used", "--access-key-id", bob.KeyID)
	lu := jsonObject(t, out, "AccessKeyLastUsed")
	if jsonString(out, "UserName") != "Bob" || jsonString(lu, "ServiceName") != "sts" || jsonString(lu, "Region") != "us-east-1" {
		t.Fatalf("get-access-key-last-used: %v", out)
	}
	cliDate(t, "LastUsedDate", jsonString(lu, "LastUsedDate"))

	if out := awsCLIJSON(t, s, root, "iam", "update-access-key", "--access-key-id", bob.KeyID, "--status", "Inactive", "--user-name", "Bob"); out != nil {
		t.Fatalf("update-access-key printed %v", out)
	}
	msg := awsCLIFails(t, s, bob, "InvalidClientTokenId", "sts", "get-caller-identity")
	wantMessage(t, msg, "The security token included in the request is invalid.")

	if out := awsCLIJSON(t, s, root, "iam", "delete-access-key", "--access-key-id", bob.KeyID, "--user-name", "Bob"); out != nil {
		t.Fatalf("delete-access-key printed %v", out)
	}

	key := jsonObject(t, awsCLIJSON(t, s, root, "iam", "create-access-key", "--cli-input-json", `{"UserName":"Bob"}`), "AccessKey")
	if jsonString(key, "UserName") != "Bob" || !keyIDPattern.MatchString(jsonString(key, "AccessKeyId")) || jsonString(key, "AccessKeyId") == bob.KeyID {
		t.Fatalf("create-access-key --cli-input-json: %v", key)
	}
	// Bob now holds exactly that key.
	keys, err := s.GoIAM(root).ListAccessKeys(t.Context(), &iam.ListAccessKeysInput{UserName: aws.String("Bob")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != jsonString(key, "AccessKeyId") {
		t.Fatalf("Bob's keys after the CLI flow: %v", err)
	}
}
