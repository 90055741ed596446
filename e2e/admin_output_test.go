package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/latchkey/latchkey/internal/e2etest"
	"github.com/latchkey/latchkey/internal/pgtest"
)

// latchkeyCmd runs the latchkey binary with nothing of the machine's
// environment but PATH, HOME and TMPDIR, plus env.
func latchkeyCmd(t *testing.T, env []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2etest.Binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

func runLatchkey(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, errOut, err := latchkeyCmd(t, env, args...)
	if err != nil {
		t.Fatalf("latchkey %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// TestAccountCreateIgnoresBootstrapVariables: with serve's bootstrap
// variables exported, as the README's walk-through leaves them, `account
// create` makes a new account instead of failing on serve's ("already
// exists"); its own variable is LATCHKEY_NEW_ACCOUNT_ID.
func TestAccountCreateIgnoresBootstrapVariables(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	bootstrap := []string{
		"LATCHKEY_ACCOUNT_ID=" + e2etest.AccountID,
		"LATCHKEY_ROOT_ACCESS_KEY_ID=" + e2etest.RootKeyID,
		"LATCHKEY_ROOT_SECRET_ACCESS_KEY=" + e2etest.RootSecret,
	}
	var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
	jsonDecode(t, runLatchkey(t, bootstrap, "account", "create", "--data", s.DataDir, "--output", "json"), &a)
	if a.AccountId == e2etest.AccountID || a.AccessKeyId == e2etest.RootKeyID || len(a.AccountId) != 12 {
		t.Fatalf("account create with the bootstrap variables set made %+v", a)
	}
	got := must[*sts.GetCallerIdentityOutput](t)(s.GoSTS(e2etest.Creds{KeyID: a.AccessKeyId, Secret: a.SecretAccessKey}).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}))
	if aws.ToString(got.Account) != a.AccountId {
		t.Fatalf("the new root key signs for account %s, want %s", aws.ToString(got.Account), a.AccountId)
	}

	jsonDecode(t, runLatchkey(t, append(bootstrap, "LATCHKEY_NEW_ACCOUNT_ID=210987654321"), "account", "create", "--data", s.DataDir, "--output", "json"), &a)
	if a.AccountId != "210987654321" {
		t.Fatalf("account create with LATCHKEY_NEW_ACCOUNT_ID=210987654321 made account %s", a.AccountId)
	}
	// The other admin commands do not take them either: root-key needs its
	// --account, never LATCHKEY_ACCOUNT_ID.
	if out, errOut, err := latchkeyCmd(t, bootstrap, "account", "root-key", "--data", s.DataDir); err == nil || !strings.Contains(errOut, "account") {
		t.Fatalf("account root-key without --account, bootstrap variables set: %v\n%s%s", err, out, errOut)
	}
}

// TestAdminCommandsOutputJSON runs every admin command with --output json
// through the binary and parses the one JSON document it prints.
func TestAdminCommandsOutputJSON(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{})
	dir := s.DataDir
	decode := func(t *testing.T, out string, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("not the JSON document expected: %v\n%s", err, out)
		}
		if dec.More() {
			t.Fatalf("more than one JSON document:\n%s", out)
		}
	}

	t.Run("AccountCreate", func(t *testing.T) {
		var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
		decode(t, runLatchkey(t, nil, "account", "create", "--data", dir, "--output", "json"), &a)
		if len(a.AccountId) != 12 || !keyIDPattern.MatchString(a.AccessKeyId) || len(a.SecretAccessKey) != 40 {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("AccountRootKey", func(t *testing.T) {
		var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
		decode(t, runLatchkey(t, nil, "account", "root-key", "--data", dir, "--account", e2etest.AccountID, "-o", "json"), &a)
		if a.AccountId != e2etest.AccountID || !keyIDPattern.MatchString(a.AccessKeyId) {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("MasterKeyRotate", func(t *testing.T) {
		var r map[string]any
		if err := json.Unmarshal([]byte(runLatchkey(t, nil, "master-key", "rotate", "--data", dir, "--output", "json")), &r); err != nil {
			t.Fatal(err)
		}
		if len(r) == 0 {
			t.Fatal("rotate printed an empty document")
		}
	})
	t.Run("Check", func(t *testing.T) {
		var c struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		decode(t, runLatchkey(t, nil, "check", "--data", dir, "--output", "json"), &c)
		if !c.OK || c.Error != "" {
			t.Fatalf("%+v", c)
		}
		if out := runLatchkey(t, nil, "check", "--data", dir); out != "ok\n" {
			t.Fatalf("check --output table printed %q", out)
		}
	})
	t.Run("Backup", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "backup.db")
		var b struct {
			File  string `json:"file"`
			Bytes int64  `json:"bytes"`
		}
		decode(t, runLatchkey(t, nil, "backup", "--data", dir, "--out", file, "--output", "json"), &b)
		if fi, err := os.Stat(file); err != nil || b.File != file || b.Bytes != fi.Size() || b.Bytes == 0 {
			t.Fatalf("%+v (%v)", b, err)
		}
	})
	t.Run("StoreCopy", func(t *testing.T) {
		src := e2etest.Start(t, e2etest.Options{})
		src.Stop()
		var counts map[string]int
		decode(t, runLatchkey(t, nil, "store", "copy", "--from", src.DataDir, "--to", pgtest.Database(t), "--output", "json"), &counts)
		if counts["accounts"] != 1 || counts["access_keys"] != 1 {
			t.Fatalf("%v", counts)
		}
	})
	t.Run("Version", func(t *testing.T) {
		var v struct {
			Version string `json:"version"`
			Go      string `json:"go"`
		}
		decode(t, runLatchkey(t, nil, "version", "--output", "json"), &v)
		if v.Version == "" || !strings.HasPrefix(v.Go, "go") {
			t.Fatalf("%+v", v)
		}
	})
	t.Run("UnknownFormatChangesNothing", func(t *testing.T) {
		out, errOut, err := latchkeyCmd(t, nil, "account", "create", "--data", dir, "--account-id", "333333333333", "--output", "yaml")
		if err == nil || !strings.Contains(errOut, "--output") {
			t.Fatalf("--output yaml: %v\n%s%s", err, out, errOut)
		}
		var a struct{ AccountId, AccessKeyId, SecretAccessKey string }
		decode(t, runLatchkey(t, nil, "account", "create", "--data", dir, "--account-id", "333333333333", "--output", "json"), &a)
		if a.AccountId != "333333333333" {
			t.Fatalf("%+v", a)
		}
	})
}

// TestCompletion: `latchkey completion bash|zsh` prints a completion
// script, and --help lists the command.
func TestCompletion(t *testing.T) {
	if out := runLatchkey(t, nil, "--help"); !strings.Contains(out, "completion") {
		t.Fatalf("latchkey --help does not list completion:\n%s", out)
	}
	for shell, want := range map[string]string{"bash": "__start_latchkey", "zsh": "#compdef latchkey"} {
		out := runLatchkey(t, nil, "completion", shell)
		if !strings.Contains(out, want) || len(out) < 1000 {
			t.Errorf("latchkey completion %s printed no %s script (%d bytes):\n%.300s", shell, shell, len(out), out)
		}
	}
	// The script's completions come from the binary itself.
	out := runLatchkey(t, nil, "__complete", "account", "")
	if !strings.Contains(out, "create") || !strings.Contains(out, "root-key") {
		t.Errorf("completing `latchkey account `: %q", out)
	}
}
