package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
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

	"github.com/latchkey/latchkey/internal/console"
	"github.com/latchkey/latchkey/internal/e2etest"
)

// consoleScreenshots is where TestConsoleBrowser also copies its
// screenshots (the README's come from `go test ./e2e -run
// TestConsoleBrowser -console.screenshots internal/console/screenshots`).
var consoleScreenshots = flag.String("console.screenshots", "",
	"also copy the web console's screenshots (TestConsoleBrowser) into this folder; a relative path is from the module root")

// envTestArtifacts names the folder test artifacts go to (the console's
// screenshots in its console/ subfolder); by default
// <module root>/test-artifacts.
const envTestArtifacts = "LATCHKEY_TEST_ARTIFACTS"

// consolePages are the screenshots the browser test must leave, one per
// page or state, named by page.
var consolePages = []string{
	"signin.png", "users.png", "users-narrow.png", "user-detail.png", "policy-error.png", "groups.png",
	"policies.png", "simulator.png", "credential-report.png", "secret-once.png", "keys-deactivated.png",
	"access-denied.png", "signed-out-idle.png", "keys-quarantined.png",
}

// TestConsoleBrowser drives the web console in headless Chromium
// (testdata/console/console.test.mjs, playwright-core) against the real
// binary, as the console's contract with its page says it behaves:
//   - Flows: the root signs in with its key pair (which is never sent) and
//     creates alice with a password and an inline policy (the editor first
//     showing the server's MalformedPolicyDocument), a group and a managed
//     policy, and runs the simulator and the credential report; alice signs
//     in with the keyboard only and creates an access key whose secret the
//     page shows once (gone after Done and a reload), which the AWS CLI
//     then uses; she deactivates it and the CLI is refused; viewer, who may
//     do nothing, sees AccessDenied; carol chooses a new password. Between
//     the steps this test checks through the SDK and the CLI what the page
//     did, and at the end the audit trail of it.
//   - IdleSignOut: on a server with a 10 s idle timeout, activity refreshes
//     the session, and 10 s without input sign it out.
//   - Accessibility: axe-core finds no WCAG 2.1 A/AA or best-practice
//     violation on any page, wide or narrow.
//   - SecurityHeaders: the console's files carry its CSP and security
//     headers.
//
// Every page is checked for console errors, uncaught exceptions and CSP
// violations, and for secrets in storage, cookies or URLs. Each page's
// screenshot is kept as a test artifact (consoleArtifacts).
func TestConsoleBrowser(t *testing.T) {
	t.Parallel()
	chromium := findChromium(t)
	node := nodeRunnerIn(t, "console", "playwright-core", "axe-core")
	artifacts := consoleArtifacts(t)
	t.Cleanup(func() {
		if t.Failed() {
			return // the failure says why; the screenshots so far (failed-*.png too) stay in artifacts
		}
		for _, name := range consolePages {
			if fi, err := os.Stat(filepath.Join(artifacts, name)); err != nil || fi.Size() == 0 {
				t.Errorf("no screenshot %s in %s (%v)", name, artifacts, err)
			}
		}
		if *consoleScreenshots != "" {
			copyScreenshots(t, artifacts, *consoleScreenshots)
		}
	})
	env := []string{"CHROMIUM=" + chromium, "ARTIFACTS=" + artifacts, "ACCOUNT_ID=" + e2etest.AccountID,
		"ROOT_KEY_ID=" + e2etest.Root.KeyID, "ROOT_SECRET=" + e2etest.Root.Secret}

	t.Run("Flows", func(t *testing.T) {
		t.Parallel()
		auditFile := filepath.Join(t.TempDir(), "audit.log")
		s := e2etest.Start(t, e2etest.Options{Args: []string{"--audit-log", auditFile}})
		ctx := t.Context()
		root := s.IAM(e2etest.Root)
		// viewer may sign in and do nothing else; carol must choose a new
		// password, which the account's password policy lets users do.
		consoleUser(t, s, "viewer", "", false)
		consoleUser(t, s, "carol", "", true)
		must[*iam.UpdateAccountPasswordPolicyOutput](t)(root.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
			MinimumPasswordLength: aws.Int32(10), AllowUsersToChangePassword: true}))
		// stale's key is quarantined, which the root's view of stale marks.
		newUserWithKey(t, s, "stale")
		if out := s.RunAdmin(t, "keys", "quarantine", "--account", e2etest.AccountID, "--unused-for", "1ms", "--output", "json"); strings.Count(out, `"deactivated"`) != 1 {
			t.Fatalf("keys quarantine: %s", out)
		}
		const carolPassword = "Battery-Staple-7"
		aliceARN := "arn:aws:iam::" + e2etest.AccountID + ":user/alice"

		var key e2etest.Creds
		script := startConsoleScript(t, node, s, "flows", append(env, "PASSWORD="+consoleTestPassword, "VIEWER=viewer",
			"RESET_USER=carol", "NEW_PASSWORD="+carolPassword)...)
		finished := script.follow(map[string]func(consoleEvent){
			// The page made alice, her password and her policy.
			"alice-made": func(consoleEvent) {
				lp := must[*iam.GetLoginProfileOutput](t)(root.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")}))
				if lp.LoginProfile.PasswordResetRequired {
					t.Error("the page set alice's password with a reset required, after unchecking it")
				}
				wantSignedIn(t, signIn(t, s, e2etest.AccountID, "alice", consoleTestPassword), aliceARN)
				p := must[*iam.GetUserPolicyOutput](t)(root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own-keys")}))
				if !strings.Contains(*p.PolicyDocument, "OwnKeys") {
					t.Errorf("alice's own-keys policy is %s", *p.PolicyDocument)
				}
			},
			// The key the page showed works with the AWS CLI.
			"key-created": func(ev consoleEvent) {
				key = e2etest.Creds{KeyID: ev.AccessKeyID, Secret: ev.SecretAccessKey}
				if !keyIDPattern.MatchString(key.KeyID) || len(key.Secret) != 40 {
					t.Fatalf("the page showed the key %q with a secret of %d characters", key.KeyID, len(key.Secret))
				}
				if arn := cliCaller(t, s, key); arn != aliceARN {
					t.Errorf("aws sts get-caller-identity with the key the page showed: %s, want %s", arn, aliceARN)
				}
			},
			// Deactivated by the page, the CLI is refused.
			"key-deactivated": func(consoleEvent) {
				keys := must[*iam.ListAccessKeysOutput](t)(root.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))
				if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != key.KeyID || keys.AccessKeyMetadata[0].Status != "Inactive" {
					t.Errorf("alice's keys after the page deactivated %s: %+v", key.KeyID, keys.AccessKeyMetadata)
				}
				out, errOut, err := s.AWSCLI(t, key, "sts", "get-caller-identity")
				if err == nil || !strings.Contains(errOut, "InvalidClientTokenId") {
					t.Errorf("aws sts get-caller-identity with the deactivated key: %v, want InvalidClientTokenId\n%s%s", err, out, errOut)
				}
			},
			// The page changed carol's password: the old one is refused.
			"password-changed": func(consoleEvent) {
				wantConsoleError(t, signIn(t, s, e2etest.AccountID, "carol", consoleTestPassword), http.StatusUnauthorized, "InvalidSignIn")
				a := signIn(t, s, e2etest.AccountID, "carol", carolPassword)
				wantSignedIn(t, a, "arn:aws:iam::"+e2etest.AccountID+":user/carol")
				if a.Body["PasswordResetRequired"] != false {
					t.Errorf("carol's sign-in after the page changed her password answered %v", a.Body)
				}
			},
			"done": func(ev consoleEvent) {
				t.Logf("HTTP error answers the page met, each expected (InvalidSignIn, NoSuchEntity, MalformedPolicyDocument, AccessDenied, PasswordPolicyViolation): %v", ev.HTTPErrors)
			},
		})

		if !finished {
			return // the trail would only repeat that the script stopped early
		}
		// The trail: the page's calls, each as its principal, with its session.
		s.Stop()
		trail, err := os.ReadFile(auditFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{consoleTestPassword, e2etest.Root.Secret, key.Secret} {
			if secret != "" && bytes.Contains(trail, []byte(secret)) {
				t.Fatal("the audit trail holds a secret")
			}
		}
		var got []string
		for line := range strings.SplitSeq(strings.TrimSpace(string(trail)), "\n") {
			var r struct {
				Service, Action, Result, Caller string
				AccessKeyID                     string `json:"access_key_id"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("audit line %q: %v", line, err)
			}
			// The page's calls are signed with console sessions (ASIA…),
			// this test's with the root's key (AKIA…).
			kind := "key"
			if strings.HasPrefix(r.AccessKeyID, "ASIA") {
				kind = "session"
			}
			got = append(got, strings.Join([]string{r.Service, r.Action, r.Result, r.Caller, kind}, " "))
		}
		rootARN := "arn:aws:iam::" + e2etest.AccountID + ":root"
		for _, want := range []string{
			"iam CreateUser success " + rootARN + " session",
			"iam CreateLoginProfile success " + rootARN + " session",
			"iam PutUserPolicy success " + rootARN + " session",
			"iam CreateGroup success " + rootARN + " session",
			"iam CreatePolicy success " + rootARN + " session",
			"iam CreateAccessKey success " + aliceARN + " session",
			"iam UpdateAccessKey success " + aliceARN + " session",
			"iam ChangePassword success arn:aws:iam::" + e2etest.AccountID + ":user/carol session",
		} {
			if !slices.Contains(got, want) {
				t.Errorf("no audit record %q in the trail:\n%s", want, strings.Join(got, "\n"))
			}
		}
	})

	t.Run("IdleSignOut", func(t *testing.T) {
		t.Parallel()
		s := e2etest.Start(t, e2etest.Options{Args: []string{"--console-idle-timeout", "10s", "--audit-log", filepath.Join(t.TempDir(), "audit.log")}})
		script := startConsoleScript(t, node, s, "idle", append(env, "IDLE_SECONDS=10")...)
		script.follow(map[string]func(consoleEvent){
			// The server refuses the session the page forgot, once it
			// expired (the page signs out on its own clock).
			"idle-signed-out": func(ev consoleEvent) {
				t.Logf("signed out after %.1f s without activity", ev.Seconds)
				if d := time.Until(ev.Session.Expiration); d > 0 {
					time.Sleep(d + 100*time.Millisecond)
				}
				c := e2etest.Creds{KeyID: ev.Session.AccessKeyID, Secret: ev.Session.SecretAccessKey, Token: ev.Session.SessionToken}
				out, errOut, err := s.AWSCLI(t, c, "sts", "get-caller-identity")
				if err == nil || !strings.Contains(errOut, "ExpiredToken") {
					t.Errorf("the idle session's credentials after the sign-out: %v, want ExpiredToken\n%s%s", err, out, errOut)
				}
			},
		})
	})

	t.Run("Accessibility", func(t *testing.T) {
		t.Parallel()
		s := e2etest.Start(t, e2etest.Options{})
		// Data for the pages' tables: a user with a key and a password, a
		// group, a customer managed policy.
		newUserWithKey(t, s, "alice")
		ctx := t.Context()
		root := s.IAM(e2etest.Root)
		must[*iam.CreateLoginProfileOutput](t)(root.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(consoleTestPassword)}))
		must[*iam.CreateGroupOutput](t)(root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("developers")}))
		must[*iam.CreatePolicyOutput](t)(root.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list-users"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)}))
		script := startConsoleScript(t, node, s, "a11y", env...)
		script.follow(map[string]func(consoleEvent){
			"a11y-done": func(ev consoleEvent) {
				if ev.Pages < 9 {
					t.Errorf("axe audited %d pages, want 9", ev.Pages)
				}
			},
		})
	})

	t.Run("SecurityHeaders", func(t *testing.T) {
		t.Parallel()
		s := e2etest.Start(t, e2etest.Options{})
		for _, tc := range []struct{ path, contentType string }{
			{"/console/", "text/html"},
			{"/console/app.js", "text/javascript"},
			{"/console/style.css", "text/css"},
		} {
			resp, err := http.Get(s.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: HTTP %d", tc.path, resp.StatusCode)
			}
			for name, want := range map[string]string{
				"Content-Security-Policy":    console.ContentSecurityPolicy,
				"X-Frame-Options":            "DENY",
				"Referrer-Policy":            "no-referrer",
				"X-Content-Type-Options":     "nosniff",
				"Cache-Control":              "no-store",
				"Cross-Origin-Opener-Policy": "same-origin",
			} {
				if got := resp.Header.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("GET %s: %s = %q, want %q", tc.path, name, got, want)
				}
			}
			// With nosniff, a module script or style sheet of another type is refused.
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.contentType)
			}
		}
	})
}

// findChromium is Debian's Chromium (scripts/test-deps.sh installs it):
// never a browser downloaded by a test tool.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("neither chromium nor chromium-browser is on PATH: install Debian's chromium package (apt-get install chromium, or scripts/test-deps.sh); end-to-end tests never skip")
	return ""
}

// consoleArtifacts is the emptied folder for the console's screenshots:
// $LATCHKEY_TEST_ARTIFACTS/console, else <module root>/test-artifacts/console.
func consoleArtifacts(t *testing.T) string {
	t.Helper()
	base := os.Getenv(envTestArtifacts)
	if base == "" {
		base = filepath.Join(e2etest.ModuleRoot(t), "test-artifacts")
	}
	dir, err := filepath.Abs(filepath.Join(base, "console"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// copyScreenshots copies the pages' screenshots from from into to
// (relative: from the module root).
func copyScreenshots(t *testing.T, from, to string) {
	t.Helper()
	if !filepath.IsAbs(to) {
		to = filepath.Join(e2etest.ModuleRoot(t), to)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range consolePages {
		b, err := os.ReadFile(filepath.Join(from, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("copied %d screenshots to %s", len(consolePages), to)
}

// cliCaller is the ARN `aws sts get-caller-identity` answers for c.
func cliCaller(t *testing.T, s *e2etest.Server, c e2etest.Creds) string {
	t.Helper()
	out, errOut, err := s.AWSCLI(t, c, "sts", "get-caller-identity")
	if err != nil {
		t.Errorf("aws sts get-caller-identity with %s: %v\n%s", c.KeyID, err, errOut)
		return ""
	}
	var id struct{ Arn string }
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		t.Errorf("aws sts get-caller-identity printed %q: %v", out, err)
	}
	return id.Arn
}

// consoleEvent is one line of the browser script's protocol
// (testdata/console/helpers.mjs).
type consoleEvent struct {
	Event string `json:"event"`
	// failure: a check that failed, the run going on.
	Check, Error string
	// key-created, key-deactivated: the key the page showed.
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	// idle-signed-out: how long after the last activity, and the session
	// the page forgot.
	Seconds float64
	Session struct {
		AccessKeyID                   string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken string
		Expiration                    time.Time
	}
	// done: the HTTP error statuses the page met, the soft failures.
	HTTPErrors []int `json:"httpErrors"`
	Failures   int   `json:"failures"`
	// a11y-done: how many pages axe audited.
	Pages int `json:"pages"`
}

// consoleScript is a run of testdata/console/console.test.mjs.
type consoleScript struct {
	t      *testing.T
	phase  string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	stderr *e2etest.SyncBuffer
	waited bool
}

// startConsoleScript runs the script's phase against s, with env.
func startConsoleScript(t *testing.T, node *nodeRunner, s *e2etest.Server, phase string, env ...string) *consoleScript {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, "node", "console.test.mjs")
	// On a timeout, SIGTERM: playwright-core then closes Chromium before
	// node exits; SIGKILL only if that takes too long.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Dir = node.dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + t.TempDir(), "NODE_NO_WARNINGS=1",
		"PHASE=" + phase, "LATCHKEY_URL=" + s.URL}, env...)
	c := &consoleScript{t: t, phase: phase, cmd: cmd, stderr: &e2etest.SyncBuffer{}}
	cmd.Stderr = c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !c.waited {
			// t failed mid-run: the script's next handshake reads the end
			// of its input and fails, closing Chromium.
			_ = stdin.Close()
			timer := time.AfterFunc(15*time.Second, cancel)
			defer timer.Stop()
			_ = cmd.Wait()
		}
		cancel()
	})
	c.stdin = stdin
	c.lines = bufio.NewScanner(stdout)
	c.lines.Buffer(make([]byte, 64<<10), 1<<20)
	return c
}

// follow reads the script's events in order until it exits: each handler
// of an event runs, then the script is told to continue (the handlers are
// the checks made between its steps). A failure event fails t and the run
// goes on; a handler that never ran, an unknown event, or a script that
// fails, fails t. It reports whether every handler ran.
func (c *consoleScript) follow(handlers map[string]func(consoleEvent)) bool {
	t := c.t
	t.Helper()
	start := time.Now()
	ran := map[string]bool{}
	failures := 0
	for c.lines.Scan() {
		var ev consoleEvent
		if err := json.Unmarshal(c.lines.Bytes(), &ev); err != nil || ev.Event == "" {
			t.Errorf("console script %s printed %q, not an event", c.phase, c.lines.Text())
			continue
		}
		if ev.Event == "failure" {
			failures++
			t.Errorf("console (%s): %s: %s", c.phase, ev.Check, ev.Error)
			continue
		}
		h, ok := handlers[ev.Event]
		if !ok {
			t.Errorf("console script %s: unknown event %q", c.phase, ev.Event)
			continue
		}
		ran[ev.Event] = true
		h(ev)
		switch ev.Event {
		case "done", "idle-signed-out": // the last events: nothing to answer
			_ = c.stdin.Close()
			if ev.Failures != failures {
				t.Errorf("console script %s counted %d failures, %d reported", c.phase, ev.Failures, failures)
			}
		default:
			if _, err := io.WriteString(c.stdin, "continue\n"); err != nil {
				t.Errorf("console script %s: answering %s: %v", c.phase, ev.Event, err)
			}
		}
	}
	_ = c.stdin.Close()
	err := c.cmd.Wait()
	c.waited = true
	t.Logf("console script %s ran %v; its log:\n%s", c.phase, time.Since(start).Round(100*time.Millisecond), c.stderr.String())
	if err != nil {
		t.Errorf("console script %s: %v: %s", c.phase, err, lastFailure(c.stderr.String()))
	}
	all := true
	for name := range handlers {
		if !ran[name] {
			all = false
			t.Errorf("console script %s ended before %q", c.phase, name)
		}
	}
	return all
}

// lastFailure is the script's FAIL line, for the test's message.
func lastFailure(log string) string {
	i := strings.LastIndex(log, "FAIL ")
	if i < 0 {
		return "(no FAIL line; see the log)"
	}
	return fmt.Sprint(strings.SplitN(log[i:], "\n    at ", 2)[0])
}
