package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Root credentials of the servers the bench starts itself.
const (
	AccountID  = "123456789012"
	RootKeyID  = "AKIAIOSFODNN7EXAMPLE"
	RootSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// Root is the root key of the servers the bench starts.
var Root = Creds{RootKeyID, RootSecret}

// Process is a server the bench started.
type Process struct {
	Name string
	URL  string
	// Startup is the time from exec to the first successful readiness probe.
	Startup time.Duration

	cmd    *exec.Cmd
	output *tailBuffer
	done   chan struct{}
}

// PID is the server's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Output is the tail of what the server wrote.
func (p *Process) Output() string { return p.output.String() }

// Stop ends the server: SIGTERM, then SIGKILL after 10 s.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Memory is a process's resident memory, from /proc/PID/status.
type Memory struct {
	RSS  int64 `json:"rss_bytes"`  // VmRSS
	Peak int64 `json:"peak_bytes"` // VmHWM, the high-water mark of VmRSS
}

// Memory reads the server's resident memory.
func (p *Process) Memory() (Memory, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.PID()))
	if err != nil {
		return Memory{}, err
	}
	defer f.Close()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		fields := strings.Fields(v) // "123456 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			return Memory{}, fmt.Errorf("/proc status %s: %q", k, v)
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return Memory{}, err
		}
		if k == "VmRSS" {
			m.RSS = n << 10
		} else {
			m.Peak = n << 10
		}
	}
	return m, sc.Err()
}

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's times: 100
// on every architecture Go supports.
const clockTicks = 100

// CPU is the CPU time the process has used so far, user and system.
func (p *Process) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID()))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", p.PID(), b)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", p.PID(), b)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// waitIdle waits, at most max, until the process uses less than 2% of a
// core over 200 ms.
func (p *Process) waitIdle(ctx context.Context, max time.Duration) {
	const tick = 200 * time.Millisecond
	deadline := time.Now().Add(max)
	prev, err := p.CPU()
	for err == nil && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(tick)
		var cur time.Duration
		if cur, err = p.CPU(); err == nil && cur-prev < tick/50 {
			return
		}
		prev = cur
	}
}

// LatchkeyOptions start a latchkey server.
type LatchkeyOptions struct {
	// Executable is the latchkey binary.
	Executable string
	DataDir    string
	// Args are extra serve flags.
	Args []string
}

// StartLatchkey starts `latchkey serve` on a free loopback port with
// --log-level warn (so request logging is not measured) and the bench's root
// credentials, and waits for /healthz.
func StartLatchkey(ctx context.Context, o LatchkeyOptions) (*Process, error) {
	return onFreePort(func(addr string) (*Process, error) {
		args := append([]string{"serve", "--listen", addr, "--data", o.DataDir, "--log-level", "warn"}, o.Args...)
		env := append(cleanEnv(), "LATCHKEY_ACCOUNT_ID="+AccountID, "LATCHKEY_ROOT_ACCESS_KEY_ID="+RootKeyID, "LATCHKEY_ROOT_SECRET_ACCESS_KEY="+RootSecret)
		return start(ctx, "latchkey", o.Executable, args, env, "http://"+addr, "/healthz")
	})
}

// StartCeiling starts the ceiling server (`latchkey-bench ceiling`) from the
// latchkey-bench binary, as a process of its own like the server it bounds.
func StartCeiling(ctx context.Context, benchExecutable string) (*Process, error) {
	return onFreePort(func(addr string) (*Process, error) {
		return start(ctx, "ceiling", benchExecutable, []string{"ceiling", "--listen", addr}, cleanEnv(), "http://"+addr, "/healthz")
	})
}

// MotoPath finds moto_server on PATH.
func MotoPath() (string, error) {
	p, err := exec.LookPath("moto_server")
	if err != nil {
		return "", errors.New("moto_server is not on PATH: install moto with its server extra (pip install 'moto[server]') to compare with it")
	}
	return p, nil
}

// StartMoto starts `moto_server` (path from MotoPath when empty) on a free
// loopback port. Moto keeps everything in memory and accepts any
// credentials.
func StartMoto(ctx context.Context, path string) (*Process, error) {
	if path == "" {
		var err error
		if path, err = MotoPath(); err != nil {
			return nil, err
		}
	}
	return onFreePort(func(addr string) (*Process, error) {
		host, port, _ := net.SplitHostPort(addr)
		return start(ctx, "moto", path, []string{"-H", host, "-p", port}, cleanEnv(), "http://"+addr, "/moto-api/")
	})
}

// onFreePort starts a server on a port that was free a moment ago, and on
// another when something took it in between.
func onFreePort(startOn func(addr string) (*Process, error)) (*Process, error) {
	for attempt := 1; ; attempt++ {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		p, err := startOn(addr)
		if err != nil && attempt < 3 && strings.Contains(strings.ToLower(err.Error()), "address already in use") {
			continue
		}
		return p, err
	}
}

func start(ctx context.Context, name, exe string, args, env []string, url, probe string) (*Process, error) {
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	out := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, URL: url, cmd: cmd, output: out, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(url + probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.Startup = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited during start-up: %s\n%s", name, cmd.ProcessState, out.String())
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return nil, fmt.Errorf("%s not ready after 60s:\n%s", name, out.String())
		}
	}
}

// cleanEnv is the bench's environment without LATCHKEY_ variables, which
// would configure the servers it starts (LATCHKEY_LISTEN, LATCHKEY_DATA…).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// DirSize is the total size of the regular files under dir.
func DirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	return n, err
}

// tailBuffer keeps the last max bytes written.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - t.max; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}
