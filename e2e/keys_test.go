package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
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
		AccessKeyID string     `json:"access_key_id"`
		Owner       string     `json:"owner"`
		Status      string     `json:"status"`
		LastUsed    *time.Time `json:"last_used"`
	}
	if err := json.Unmarshal([]byte(s.RunAdmin(t, "keys", "list", "--account", "123456789012", "--output", "json")), &keys); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, k := range keys {
		status[k.Owner+" "+k.AccessKeyID] = k.Status
		if k.AccessKeyID == bob.KeyID && k.LastUsed == nil {
			t.Errorf("bob's key shows no last use")
		}
	}
	if len(keys) != 4 || keys[0].Owner != "<root_account>" || status["alice "+alice.KeyID] != "Inactive" || status["bob "+bob.KeyID] != "Active" || status["carol "+carol.KeyID] != "Inactive" {
		t.Fatalf("keys list: %+v", keys)
	}
	if out, _, err := s.Admin(t, "keys", "quarantine", "--account", "123456789012", "--unused-for", "soon"); err == nil {
		t.Fatalf("a bad --unused-for was taken: %s", out)
	}
}
