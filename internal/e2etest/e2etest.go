// Package e2etest starts the real latchkey binary for end-to-end tests and
// builds the real clients that drive it: aws-sdk-go-v2, the AWS CLI and
// boto3. Clients that are missing fail the test with a clear message: CI
// installs them and never lets a test skip.
package e2etest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Root credentials of the first account of every test server.
const (
	AccountID  = "123456789012"
	RootKeyID  = "AKIAIOSFODNN7EXAMPLE"
	RootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Creds is an access key pair.
type Creds struct{ KeyID, Secret string }

// Root is the root key of the first account.
var Root = Creds{RootKeyID, RootSecret}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// ModuleRoot finds the repository root (the directory holding go.mod).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Binary builds cmd/latchkey once per test process and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "latchkey-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "latchkey")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/latchkey")
		cmd.Dir = ModuleRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Options configure a test server.
type Options struct {
	DataDir string   // default t.TempDir()
	Args    []string // extra serve flags
	Env     []string // extra environment
	// NoRootEnv starts without the LATCHKEY_ACCOUNT_ID / root key variables.
	NoRootEnv bool
}

// Server is a running latchkey process.
type Server struct {
	URL, Addr, DataDir string

	t      testing.TB
	opts   Options
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreeAddr returns a loopback address with a free port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start starts a server and waits until /healthz answers.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	s := &Server{t: t, opts: opts, DataDir: opts.DataDir, Addr: FreeAddr(t)}
	s.URL = "http://" + s.Addr
	s.start()
	t.Cleanup(func() { s.Kill() })
	return s
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	args := append([]string{"serve", "--listen", s.Addr, "--data", s.DataDir}, s.opts.Args...)
	cmd := exec.Command(Binary(t), args...)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if !s.opts.NoRootEnv {
		env = append(env, "LATCHKEY_ACCOUNT_ID="+AccountID, "LATCHKEY_ROOT_ACCESS_KEY_ID="+RootKeyID, "LATCHKEY_ROOT_SECRET_ACCESS_KEY="+RootSecret)
	}
	cmd.Env = append(env, s.opts.Env...)
	s.stderr = &syncBuffer{}
	cmd.Stderr = s.stderr
	cmd.Stdout = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	s.done = make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.done:
			t.Fatalf("latchkey exited during start-up:\n%s", s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("latchkey not ready after 30s:\n%s", s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stderr is everything the server logged so far.
func (s *Server) Stderr() string { return s.stderr.String() }

// Stop sends SIGTERM and waits for a graceful exit.
func (s *Server) Stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.t.Fatalf("latchkey did not stop within 30s of SIGTERM:\n%s", s.Stderr())
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		s.t.Errorf("latchkey exited with %d after SIGTERM:\n%s", code, s.Stderr())
	}
	s.cmd = nil
}

// Kill sends SIGKILL and waits.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts the server again on the same data dir and address.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.start()
}

// IAM returns an aws-sdk-go-v2 IAM client signing with c, in region.
func (s *Server) IAM(c Creds, region ...string) *iam.Client {
	return iam.New(iam.Options{
		Region:           pick(region, "us-east-1"),
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""),
		RetryMaxAttempts: 1,
	})
}

// STS returns an aws-sdk-go-v2 STS client signing with c, in region.
func (s *Server) STS(c Creds, region ...string) *sts.Client {
	return sts.New(sts.Options{
		Region:           pick(region, "us-east-1"),
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, ""),
		RetryMaxAttempts: 1,
	})
}

func pick(v []string, def string) string {
	if len(v) > 0 && v[0] != "" {
		return v[0]
	}
	return def
}

// clientEnv is an environment isolated from the machine's AWS config.
func clientEnv(t testing.TB, c Creds) []string {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + c.KeyID, "AWS_SECRET_ACCESS_KEY=" + c.Secret,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
	}
}

// AWSCLI runs the real aws CLI against the server with JSON output.
func (s *Server) AWSCLI(t testing.TB, c Creds, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path, lerr := exec.LookPath("aws")
	if lerr != nil {
		t.Fatal("the AWS CLI (aws) is not on PATH; install it (pip install awscli): end-to-end tests never skip")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"--endpoint-url", s.URL, "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, path, full...)
	cmd.Env = clientEnv(t, c)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Python runs python3 with a script (boto3 must be importable), giving it
// LATCHKEY_ENDPOINT and the credentials in the environment.
func (s *Server) Python(t testing.TB, c Creds, script string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("python3 with boto3 is required (pip install boto3): %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", append([]string{script}, args...)...)
	cmd.Env = append(clientEnv(t, c), "LATCHKEY_ENDPOINT="+s.URL)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// RunAdmin runs a latchkey admin subcommand on the server's data dir.
func (s *Server) RunAdmin(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), append(args, "--data", s.DataDir)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("latchkey %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
