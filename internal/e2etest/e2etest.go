// Package e2etest starts the real latchkey binary for end-to-end tests,
// benchmarks and crash tests, and builds the real clients that drive it:
// aws-sdk-go-v2, the AWS CLI and boto3.
//
// The binary is built once per test process (Binary). Start runs it on a
// free loopback port with a fixed root key, waits for GET /healthz, and
// kills it when the test ends. Clients are isolated from the machine's AWS
// configuration: no shared config or credentials file, no profile, no
// instance metadata, no retries that would hide an error.
//
// Clients that are missing fail the test with a clear message: CI installs
// them, and an end-to-end test never skips.
package e2etest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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

// Root credentials of the first account of every test server, unless
// Options say otherwise.
const (
	AccountID  = "123456789012"
	RootKeyID  = "AKIAIOSFODNN7EXAMPLE"
	RootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Region is the region clients sign for unless told otherwise.
const Region = "us-east-1"

// Creds is an access key pair, with its session token for temporary
// credentials.
type Creds struct{ KeyID, Secret, Token string }

// Root is the default root key of the first account.
var Root = Creds{KeyID: RootKeyID, Secret: RootSecret}

// Environment variables read by the harness.
const (
	// EnvBinary names a prebuilt latchkey binary to use instead of building
	// one (benchmarks of a release build, say).
	EnvBinary = "LATCHKEY_E2E_BINARY"
	// EnvRace, when "1", builds the binary with -race, so the server's own
	// data races fail the end-to-end tests (slower; needs cgo).
	EnvRace = "LATCHKEY_E2E_RACE"
)

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// ModuleRoot finds the repository root: the nearest directory holding go.mod
// at or above the working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found at or above the working directory")
		}
		dir = parent
	}
}

// Binary builds cmd/latchkey once per test process and returns its path.
// A failed build fails every test that asks, with the compiler's output.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { binPath, buildErr = build() })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func build() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s: %w", EnvBinary, err)
		}
		return p, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	if binDir, err = os.MkdirTemp("", "latchkey-e2e-bin"); err != nil {
		return "", err
	}
	path := filepath.Join(binDir, "latchkey")
	args := []string{"build", "-o", path}
	env := append(os.Environ(), "CGO_ENABLED=0")
	if os.Getenv(EnvRace) == "1" {
		args = append(args, "-race")
		env = append(os.Environ(), "CGO_ENABLED=1")
	}
	cmd := exec.Command("go", append(args, "./cmd/latchkey")...)
	cmd.Dir = root
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/latchkey: %v\n%s", err, out)
	}
	return path, nil
}

var (
	benchOnce sync.Once
	benchPath string
	benchErr  error
)

// BenchBinary builds cmd/latchkey-bench once per test process and returns
// its path. Unless EnvBinary names a prebuilt latchkey, it is built next to
// the latchkey binary Binary builds, where it looks for latchkey first.
func BenchBinary(t testing.TB) string {
	t.Helper()
	Binary(t)
	benchOnce.Do(func() {
		dir := binDir
		if dir == "" {
			if dir, benchErr = os.MkdirTemp("", "latchkey-e2e-bench"); benchErr != nil {
				return
			}
			benchDir = dir
		}
		benchPath = filepath.Join(dir, "latchkey-bench")
		benchErr = goBuild(benchPath, "./cmd/latchkey-bench", os.Environ(), "CGO_ENABLED=0")
	})
	if benchErr != nil {
		t.Fatal(benchErr)
	}
	return benchPath
}

// benchDir is the directory BenchBinary made when Binary made none.
var benchDir string

// goBuild builds pkg of the module into out.
func goBuild(out, pkg string, env []string, extraEnv ...string) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = append(env, extraEnv...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// Main runs the tests of m and removes the binaries Binary and BenchBinary
// built. Use it from
// TestMain: func TestMain(m *testing.M) { os.Exit(e2etest.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	for _, dir := range []string{binDir, benchDir} {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	return code
}

// FreeAddr returns a loopback address whose port was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Options configure a test server. The zero value is a server on a fresh
// data dir whose first account is AccountID with the root key Root.
type Options struct {
	DataDir string   // default t.TempDir()
	Args    []string // extra `latchkey serve` flags, e.g. --log-level debug
	Env     []string // extra environment, KEY=VALUE

	// The first account, created on first start with an empty data dir.
	RootAccountID string // default AccountID
	RootKeyID     string // default RootKeyID
	RootSecret    string // default RootSecret
	// NoRootEnv starts without the LATCHKEY_ACCOUNT_ID and root key
	// variables: a first start then generates the account and prints its
	// root key in a banner on standard error.
	NoRootEnv bool

	// ReadyTimeout bounds the wait for /healthz (default 20s).
	ReadyTimeout time.Duration
}

// Server is a running latchkey process. Its methods are meant to be called
// from the test's goroutine; clients may be used from any goroutine.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	Addr    string // 127.0.0.1:PORT
	DataDir string
	// Root is the root key of the first account (zero with NoRootEnv).
	Root Creds

	t      testing.TB
	opts   Options
	cmd    *exec.Cmd
	done   chan struct{}
	stderr SyncBuffer // every run's, in order
	stdout SyncBuffer
}

// SyncBuffer is a bytes.Buffer safe for a process's output and the
// test reading it at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *SyncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// Start starts a server, waits until GET /healthz answers 200, and kills it
// when t ends (showing its log if t failed).
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := newServer(t, opts)
	s.start(t)
	return s
}

// newServer fills opts' defaults and makes a server that is killed when t
// ends (showing its log if t failed), not started yet.
func newServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.RootAccountID == "" {
		opts.RootAccountID = AccountID
	}
	if opts.RootKeyID == "" {
		opts.RootKeyID = RootKeyID
	}
	if opts.RootSecret == "" {
		opts.RootSecret = RootSecret
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 20 * time.Second
	}
	s := &Server{t: t, opts: opts, DataDir: opts.DataDir}
	if !opts.NoRootEnv {
		s.Root = Creds{KeyID: opts.RootKeyID, Secret: opts.RootSecret}
	}
	t.Cleanup(func() {
		s.Kill()
		if t.Failed() {
			t.Logf("latchkey log (%s):\n%s", s.DataDir, tail(s.Stderr(), 16<<10))
		}
	})
	s.setAddr(FreeAddr(t))
	return s
}

// StartTogether starts a server for each of opts at the same moment (as
// nodes racing on an empty shared store do) and waits for them all.
func StartTogether(t testing.TB, opts []Options) []*Server {
	t.Helper()
	Binary(t) // built once, here, before the goroutines
	servers := make([]*Server, len(opts))
	for i, o := range opts {
		servers[i] = newServer(t, o)
	}
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.startOnce(t)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v; its log:\n%s", i, err, servers[i].Stderr())
		}
	}
	return servers
}

func (s *Server) setAddr(addr string) {
	s.Addr = addr
	s.URL = "http://" + addr
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// start runs the binary and waits for /healthz. When the port has been
// taken in the meantime, it retries on another one.
func (s *Server) start(t testing.TB) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		from := s.stderr.Len()
		err := s.startOnce(t)
		if err == nil {
			return
		}
		log := s.Stderr()[from:]
		if attempt < 3 && strings.Contains(log, "address already in use") {
			t.Logf("%s is taken; moving to another port", s.Addr)
			s.setAddr(FreeAddr(t))
			continue
		}
		t.Fatalf("%v; latchkey's log:\n%s", err, log)
	}
}

func (s *Server) startOnce(t testing.TB) error {
	t.Helper()
	args := append([]string{"serve", "--listen", s.Addr, "--data", s.DataDir}, s.opts.Args...)
	cmd := exec.Command(Binary(t), args...)
	// A clean environment: nothing of the machine's LATCHKEY_* or AWS_*.
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	if !s.opts.NoRootEnv {
		env = append(env,
			"LATCHKEY_ACCOUNT_ID="+s.opts.RootAccountID,
			"LATCHKEY_ROOT_ACCESS_KEY_ID="+s.opts.RootKeyID,
			"LATCHKEY_ROOT_SECRET_ACCESS_KEY="+s.opts.RootSecret)
	}
	cmd.Env = append(env, s.opts.Env...)
	cmd.Stderr = &s.stderr
	cmd.Stdout = &s.stdout
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	done := make(chan struct{})
	s.done = done
	go func() { _ = cmd.Wait(); close(done) }()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(s.opts.ReadyTimeout)
	for {
		resp, err := client.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-done:
			s.cmd = nil
			return fmt.Errorf("latchkey exited during start-up (%v)", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("latchkey did not answer /healthz with 200 within %v", s.opts.ReadyTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stderr is everything the server wrote to standard error so far, across
// restarts: its log and, on a bootstrap, the root key banner.
func (s *Server) Stderr() string { return s.stderr.String() }

// Stdout is everything the server wrote to standard output so far.
func (s *Server) Stdout() string { return s.stdout.String() }

// Running reports whether the process is running.
func (s *Server) Running() bool { return s.cmd != nil }

// Stop sends SIGTERM and waits (30s at most) for a graceful exit with
// status 0. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.Kill()
		s.t.Fatalf("latchkey did not stop within 30s of SIGTERM:\n%s", tail(s.Stderr(), 16<<10))
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		s.t.Errorf("latchkey exited with status %d after SIGTERM:\n%s", code, tail(s.Stderr(), 16<<10))
	}
	s.cmd = nil
}

// Kill sends SIGKILL and waits for the process to be gone: nothing it had
// not written by then is written. Killing a stopped server does nothing.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart stops the server gracefully if it runs, and starts it again on
// the same data dir, on the same port if it is still free (otherwise on
// another one: URL and Addr change, and clients made before point at the
// old port). Failures are reported on t when given, else on the test that
// started the server.
func (s *Server) Restart(t ...testing.TB) {
	tb := s.t
	if len(t) > 0 && t[0] != nil {
		tb = t[0]
	}
	tb.Helper()
	s.Stop()
	s.start(tb)
}

// GoIAM returns an aws-sdk-go-v2 IAM client signing with c for region
// (default us-east-1), pointed at the server, without retries.
func (s *Server) GoIAM(c Creds, region ...string) *iam.Client {
	return iam.New(iam.Options{
		Region:           pick(region, Region),
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, c.Token),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient,
	})
}

// GoSTS returns an aws-sdk-go-v2 STS client signing with c for region
// (default us-east-1), pointed at the server, without retries.
func (s *Server) GoSTS(c Creds, region ...string) *sts.Client {
	return sts.New(sts.Options{
		Region:           pick(region, Region),
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.KeyID, c.Secret, c.Token),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient,
	})
}

// sdkHTTPClient carries the SDK clients' requests. It hands net/http a
// request body read in full, so the transport never sees the SDK's own
// body stream: when that stream's Close races the response, the
// transport's write loop closes a connection whose response is being read,
// and a call the server answered fails with "use of closed network
// connection" (aws/aws-sdk-go-v2#1825, #2737). The bytes sent, and so the
// signature, are unchanged.
var sdkHTTPClient = &http.Client{Transport: bufferedBodyTransport{http.DefaultTransport.(*http.Transport).Clone()}}

type bufferedBodyTransport struct{ next http.RoundTripper }

func (t bufferedBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return t.next.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	out := r.Clone(r.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	return t.next.RoundTrip(out)
}

// IAM is GoIAM.
func (s *Server) IAM(c Creds, region ...string) *iam.Client { return s.GoIAM(c, region...) }

// STS is GoSTS.
func (s *Server) STS(c Creds, region ...string) *sts.Client { return s.GoSTS(c, region...) }

func pick(v []string, def string) string {
	if len(v) > 0 && v[0] != "" {
		return v[0]
	}
	return def
}

// ClientEnv is an environment for a real AWS client that signs with c and
// sees nothing of the machine's AWS configuration: empty config and
// credentials files, a fresh HOME, no profile, no instance metadata, one
// attempt per call.
func ClientEnv(t testing.TB, c Creds) []string {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	for _, f := range []string{cfg, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_ACCESS_KEY_ID=" + c.KeyID, "AWS_SECRET_ACCESS_KEY=" + c.Secret,
		"AWS_DEFAULT_REGION=" + Region, "AWS_REGION=" + Region,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard",
		"AWS_PAGER=",
	}
	if c.Token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+c.Token)
	}
	// pyenv's shims find their interpreter through PYENV_ROOT.
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error

	pyOnce sync.Once
	pyErr  error
)

// awsCLI finds the aws command, looking through a pyenv shim to the real
// script (the shim costs half a second a call).
func awsCLI() (string, error) {
	cliOnce.Do(func() {
		cliPath, cliErr = exec.LookPath("aws")
		if cliErr != nil {
			cliErr = errors.New("the AWS CLI (aws) is not on PATH; install it (pip install awscli, or scripts/test-deps.sh): end-to-end tests never skip")
			return
		}
		if filepath.Base(filepath.Dir(cliPath)) == "shims" {
			if out, err := exec.Command("pyenv", "which", "aws").Output(); err == nil {
				if p := strings.TrimSpace(string(out)); p != "" {
					cliPath = p
				}
			}
		}
	})
	return cliPath, cliErr
}

// AWSCLI runs the real aws CLI signing with c against the server, with
// --endpoint-url, --region us-east-1 and --output json before args (so args
// may override them). It fails t if the CLI is missing; a command that
// fails returns its error and output for the test to judge.
func (s *Server) AWSCLI(t testing.TB, c Creds, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path, lerr := awsCLI()
	if lerr != nil {
		t.Fatal(lerr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	full := append([]string{"--endpoint-url", s.URL, "--region", Region, "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, path, full...)
	cmd.Env = ClientEnv(t, c)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Python runs `python3 script` with boto3, signing with c: the environment
// is ClientEnv's plus LATCHKEY_ENDPOINT (the server's URL) and env. A
// relative script is found from the test's working directory (e2e/, so
// "testdata/x.py"). It fails t if python3 or boto3 is missing.
func (s *Server) Python(t testing.TB, c Creds, script string, env ...string) (stdout, stderr string, err error) {
	t.Helper()
	pyOnce.Do(func() {
		if out, err := exec.Command("python3", "-c", "import boto3").CombinedOutput(); err != nil {
			pyErr = fmt.Errorf("python3 with boto3 is required (pip install boto3, or scripts/test-deps.sh): end-to-end tests never skip: %v\n%s", err, out)
		}
	})
	if pyErr != nil {
		t.Fatal(pyErr)
	}
	if abs, err := filepath.Abs(script); err == nil {
		script = abs
	}
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("python script: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", script)
	cmd.Env = append(append(ClientEnv(t, c), "LATCHKEY_ENDPOINT="+s.URL), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Admin runs a latchkey admin subcommand (`account create`, `account
// root-key`…) on the server's data dir; the admin commands are safe while
// the server runs. A command that fails returns its error and output for
// the test to judge.
func (s *Server) Admin(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), append(args, "--data", s.DataDir)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// RunAdmin is Admin for a command that must succeed: it returns its
// standard output and fails t if the command fails.
func (s *Server) RunAdmin(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, err := s.Admin(t, args...)
	if err != nil {
		t.Fatalf("latchkey %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}
