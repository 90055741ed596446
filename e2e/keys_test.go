package e2e

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
	_ "modernc.org/sqlite" // to back-date a key in the data dir
)

// TestKeysQuarantine: `latchkey keys quarantine` deactivates, while the
// server runs, exactly the Active keys unused for the given time (never
// the root's last key), says what it would do on a dry run, writes an
// audit record per deactivation; `keys list` shows every key with its
// owner, status and last use.
func TestKeysQuarantine(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--last-used-interval", "100ms"}})
	ctx := t.Context()
	alice := newUserWithKey(t, s, "alice") // never used
	bob := newUserWithKey(t, s, "bob")     // used just before
	carol := newUserWithKey(t, s, "carol") // inactive already
	must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(carol.KeyID), Status: "Inactive"}))
	time.Sleep(2500 * time.Millisecond) // the root's key too goes unused
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	time.Sleep(400 * time.Millisecond) // flushed

	type result struct {
		AccessKeyID string `json:"access_key_id"`
		Owner       string `json:"owner"`
		Action      string `json:"action"`
		Reason      string `json:"reason"`
	}
	run := func(args ...string) []result {
		t.Helper()
		var out []result
		if err := json.Unmarshal([]byte(s.RunAdmin(t, append([]string{"keys", "quarantine", "--account", "123456789012", "--output", "json"}, args...)...)), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	dry := run("--unused-for", "2s", "--dry-run")
	if len(dry) != 2 || dry[0].Owner != "<root_account>" || dry[0].Action != "kept" || !strings.Contains(dry[0].Reason, "last Active key") ||
		dry[1].AccessKeyID != alice.KeyID || dry[1].Action != "would deactivate" {
		t.Fatalf("dry run: %+v", dry)
	}
	if none := run("--unused-for", "2s", "--older-than", "1h", "--dry-run"); len(none) != 0 {
		t.Fatalf("--older-than 1h matched keys made seconds ago: %+v", none)
	}
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	done := run("--unused-for", "2s", "--audit-log", auditFile)
	if len(done) != 2 || done[1].AccessKeyID != alice.KeyID || done[1].Action != "deactivated" || done[0].Action != "kept" {
		t.Fatalf("quarantine: %+v", done)
	}
	if _, err := s.GoSTS(alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil || !strings.Contains(err.Error(), "InvalidClientTokenId") {
		t.Fatalf("a quarantined key still authenticates: %v", err)
	}
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Root).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	lines, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Action, Target, Result, AccountID string }
	if n := strings.Count(string(lines), "\n"); n != 1 || json.Unmarshal(lines, &rec) != nil || rec.Target != alice.KeyID || rec.Action != "UpdateAccessKey" || rec.Result != "success" {
		t.Fatalf("audit trail (%d lines): %s", n, lines)
	}

	var keys []struct {
		AccessKeyID      string     `json:"access_key_id"`
		Owner            string     `json:"owner"`
		Status           string     `json:"status"`
		LastUsed         *time.Time `json:"last_used"`
		QuarantinedAt    *time.Time `json:"quarantined_at"`
		QuarantineReason string     `json:"quarantine_reason"`
	}
	if err := json.Unmarshal([]byte(s.RunAdmin(t, "keys", "list", "--account", "123456789012", "--output", "json")), &keys); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, k := range keys {
		status[k.Owner+" "+k.AccessKeyID] = k.Status
		if quarantined := k.AccessKeyID == alice.KeyID; quarantined != (k.QuarantinedAt != nil) || quarantined && k.QuarantineReason != "unused for 2s" {
			t.Errorf("keys list: %s quarantined at %v (%q)", k.AccessKeyID, k.QuarantinedAt, k.QuarantineReason)
		}
		if k.AccessKeyID == bob.KeyID && k.LastUsed == nil {
			t.Errorf("bob's key shows no last use")
		}
	}
	if len(keys) != 4 || keys[0].Owner != "<root_account>" || status["alice "+alice.KeyID] != "Inactive" || status["bob "+bob.KeyID] != "Active" || status["carol "+carol.KeyID] != "Inactive" {
		t.Fatalf("keys list: %+v", keys)
	}
	// The quarantined keys, for consoles and tools: only alice's, carol's
	// was deactivated by hand; none once it is reactivated.
	code, listed := relyingCall(t, s, e2etest.Root, "GET", "/latchkey/v1/quarantined-keys", nil)
	if qk, _ := listed["keys"].([]any); code != 200 || len(qk) != 1 || qk[0].(map[string]any)["access_key_id"] != alice.KeyID ||
		qk[0].(map[string]any)["user_name"] != "alice" || qk[0].(map[string]any)["reason"] != "unused for 2s" || qk[0].(map[string]any)["status"] != "Inactive" {
		t.Fatalf("GET quarantined-keys: HTTP %d %v", code, listed)
	}
	if code, out := relyingCall(t, s, bob, "GET", "/latchkey/v1/quarantined-keys", nil); code != 403 || errorCode(out) != "AccessDenied" {
		t.Fatalf("GET quarantined-keys without the permission: HTTP %d %v", code, out)
	}
	must[*iam.UpdateAccessKeyOutput](t)(s.GoIAM(e2etest.Root).UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(alice.KeyID), Status: "Active"}))
	if code, listed := relyingCall(t, s, e2etest.Root, "GET", "/latchkey/v1/quarantined-keys", nil); code != 200 || len(listed["keys"].([]any)) != 0 {
		t.Fatalf("GET quarantined-keys after the reactivation: HTTP %d %v", code, listed)
	}
	if out, _, err := s.Admin(t, "keys", "quarantine", "--account", "123456789012", "--unused-for", "soon"); err == nil {
		t.Fatalf("a bad --unused-for was taken: %s", out)
	}
}

// TestKeyExpiry: under an account key policy, a key past the maximum age
// is refused at once, shows Expired once swept (with an audit record),
// cannot be made Active or Inactive again, only deleted; the credential
// report shows it inactive; removing the policy stops further expiries.
func TestKeyExpiry(t *testing.T) {
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--key-expiry-interval", "200ms", "--audit-log", auditFile}})
	ctx := t.Context()
	old := newUserWithKey(t, s, "old")
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(old).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})) // cached as Active
	// Back-date the key by a day and a half: the admin command writes the
	// same data dir, as an operator's tool would.
	s.Stop()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "latchkey.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE access_keys SET created_at = created_at - 129600000 WHERE id = ?`, old.KeyID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s.Restart()
	young := newUserWithKey(t, s, "young")
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(old).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))

	if out := s.RunAdmin(t, "keys", "policy", "--account", "123456789012", "--max-age", "1d", "--output", "json"); !strings.Contains(out, `"max_key_age_days": 1`) {
		t.Fatalf("keys policy: %s", out)
	}
	if status, out := relyingCall(t, s, e2etest.Root, "GET", "/latchkey/v1/key-policy", nil); status != 200 || out["max_key_age_days"] != float64(1) {
		t.Fatalf("GET key-policy: HTTP %d %v", status, out)
	}
	if status, out := relyingCall(t, s, young, "GET", "/latchkey/v1/key-policy", nil); status != 403 || errorCode(out) != "AccessDenied" {
		t.Fatalf("GET key-policy without the permission: HTTP %d %v", status, out)
	}
	// Refused within the feed's poll, sweep or not.
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := s.GoSTS(old).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil && strings.Contains(err.Error(), "InvalidClientTokenId") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a key past the policy's age still authenticates: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(young).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	root := s.GoIAM(e2etest.Root)
	deadline = time.Now().Add(5 * time.Second)
	for {
		keys := must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("old")}))
		if len(keys.AccessKeyMetadata) == 1 && keys.AccessKeyMetadata[0].Status == "Expired" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the key is not shown Expired: %+v", keys.AccessKeyMetadata)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, status := range []string{"Active", "Inactive"} {
		_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("old"), AccessKeyId: aws.String(old.KeyID), Status: iamtypes.StatusType(status)})
		if err == nil || !strings.Contains(err.Error(), "ValidationError") || !strings.Contains(err.Error(), "expired") {
			t.Fatalf("UpdateAccessKey %s of an expired key: %v", status, err)
		}
	}
	must[*iam.GenerateCredentialReportOutput](t)(root.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	report := must[*iam.GetCredentialReportOutput](t)(root.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	for _, line := range strings.Split(string(report.Content), "\n") {
		if strings.HasPrefix(line, "old,") && strings.Split(line, ",")[8] != "false" {
			t.Fatalf("the credential report shows the expired key active: %s", line)
		}
	}
	lines, err := os.ReadFile(auditFile)
	if err != nil || !strings.Contains(string(lines), `"action":"ExpireAccessKey"`) || !strings.Contains(string(lines), old.KeyID) {
		t.Fatalf("no audit record of the expiry: %v\n%s", err, lines)
	}
	must[*iam.DeleteAccessKeyOutput](t)(root.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("old"), AccessKeyId: aws.String(old.KeyID)}))
	if out := s.RunAdmin(t, "keys", "policy", "--account", "123456789012", "--clear"); !strings.Contains(out, "never expire") {
		t.Fatalf("keys policy --clear: %s", out)
	}
}
