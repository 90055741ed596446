package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestMasterKeyRotationOnline rotates the master key while clients
// authenticate with every key, then proves the old key is no longer needed.
func TestMasterKeyRotationOnline(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	ctx := t.Context()
	keyFile := filepath.Join(s.DataDir, "master.key")
	oldKey, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	oldCopy := filepath.Join(t.TempDir(), "old.key")
	if err := os.WriteFile(oldCopy, oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	creds := []e2etest.Creds{e2etest.Root}
	for i := 0; i < 20; i++ {
		creds = append(creds, newUserWithKey(t, s, fmt.Sprintf("user%d", i)))
	}
	longTerm := len(creds)
	// A live session outlives the rotation, and the restart after it.
	session := must[*sts.GetSessionTokenOutput](t)(s.STS(e2etest.Root).GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	creds = append(creds, credsOf(session.Credentials))

	var stop atomic.Bool
	var calls, failures atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				c := creds[i%len(creds)]
				calls.Add(1)
				if _, err := s.STS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					failures.Add(1)
					t.Errorf("authentication failed during rotation: %v", err)
				}
			}
		}()
	}
	out, err := exec.Command(e2etest.Binary(t), "master-key", "rotate", "--data", s.DataDir, "--output", "json").CombinedOutput()
	if err != nil {
		stop.Store(true)
		wg.Wait()
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	// A key created after the rotation is sealed with the new key.
	late := newUserWithKey(t, s, "late")
	stop.Store(true)
	wg.Wait()
	var rep struct {
		OldMasterKeyId, NewMasterKeyId string
		SecretsResealed                int
	}
	jsonDecode(t, string(out), &rep)
	if rep.SecretsResealed != longTerm || rep.OldMasterKeyId == rep.NewMasterKeyId {
		t.Fatalf("rotation report %s", out)
	}
	t.Logf("%d authentications during rotation, %d failures; %d secrets re-sealed", calls.Load(), failures.Load(), rep.SecretsResealed)

	newKey, _ := os.ReadFile(keyFile)
	if lines := strings.Fields(string(newKey)); len(lines) != 1 || lines[0] == strings.TrimSpace(string(oldKey)) {
		t.Fatalf("key file after rotation holds %d keys", len(lines))
	}
	creds = append(creds, late)

	// The old key no longer opens the data dir: the server refuses to
	// start with it and changes nothing.
	s.Stop()
	cmd := exec.Command(e2etest.Binary(t), "serve", "--data", s.DataDir, "--listen", e2etest.FreeAddr(t), "--master-key-file", oldCopy)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "does not open this data dir") {
		t.Fatalf("start with the old key: %v\n%s", err, msg)
	}
	s.Restart()
	for _, c := range creds {
		if _, err := s.STS(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatalf("%s after restart: %v", c.KeyID, err)
		}
	}
	if _, err := s.IAM(e2etest.Root).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("user0")}); err != nil {
		t.Fatal(err)
	}
}
