package bench_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/bench"
	"github.com/latchkey/latchkey/internal/e2etest"
)

// These tests only check that the bench runs and counts right, on tiny
// bounded loads; the figures themselves are in BENCHMARKS.md.

func TestMain(m *testing.M) { os.Exit(e2etest.Main(m)) }

func TestRunEveryOp(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	target := bench.Target{Name: "latchkey", Endpoint: s.URL, Root: bench.Creds{AccessKeyID: s.Root.KeyID, SecretAccessKey: s.Root.Secret}}
	const n = 50
	tests := []struct {
		op            string
		requestsPerOp int
	}{
		{"caller", 1},
		{"create-delete-key", 2},
		{"list-keys", 1},
		{"get-user", 1},
		{"list-users", 3}, // 25 users, 10 a page
		{"assume-role", 1},
		{"verify", 1},
	}
	if len(tests) != len(bench.Ops) {
		t.Fatalf("%d operations tested, %d known", len(tests), len(bench.Ops))
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			op, err := bench.LookupOp(tc.op)
			if err != nil {
				t.Fatal(err)
			}
			res, err := bench.Run(t.Context(), target, op, bench.OpOptions{Users: 25, PageSize: 10},
				bench.LoadOptions{Requests: n, Concurrency: 4, MaxDuration: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if res.Errors != 0 || res.Ops != n || res.Requests != n*tc.requestsPerOp || res.Capped {
				t.Fatalf("%d ops, %d requests, %d errors (%v, first: %s), capped %v; want %d ops, %d requests, no errors",
					res.Ops, res.Requests, res.Errors, res.Statuses, res.FirstError, res.Capped, n, n*tc.requestsPerOp)
			}
			if res.P50 <= 0 || res.P50 > res.P99 || res.P99 > res.P999 || res.P999 > res.Max || res.RPS <= 0 {
				t.Fatalf("inconsistent figures: %+v", res)
			}
		})
	}
}

func TestRunCountsErrors(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	op, _ := bench.LookupOp("caller")
	wrong := bench.Target{Endpoint: s.URL, Root: bench.Creds{AccessKeyID: s.Root.KeyID, SecretAccessKey: "not-the-secret"}}
	res, err := bench.Run(t.Context(), wrong, op, bench.OpOptions{}, bench.LoadOptions{Requests: 10, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 10 || res.Statuses["403"] != 10 || !strings.Contains(res.FirstError, "SignatureDoesNotMatch") {
		t.Fatalf("errors %d %v (%s), want 10 403 SignatureDoesNotMatch", res.Errors, res.Statuses, res.FirstError)
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-level", "warn"}})
	op, _ := bench.LookupOp("caller")
	target := bench.Target{Endpoint: s.URL, Root: bench.Creds{AccessKeyID: s.Root.KeyID, SecretAccessKey: s.Root.Secret}}
	res, err := bench.Run(t.Context(), target, op, bench.OpOptions{}, bench.LoadOptions{Duration: 300 * time.Millisecond, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ops == 0 || res.Errors != 0 || res.Seconds < 0.3 || res.Seconds > 5 {
		t.Fatalf("%d ops, %d errors in %.2fs", res.Ops, res.Errors, res.Seconds)
	}
}

// TestBenchCommand runs `latchkey-bench` as a user would: it starts its own
// latchkey, found by --latchkey or next to itself.
func TestBenchCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	args := []string{"--op", "create-delete-key", "-n", "50", "-c", "2", "--output", "json"}
	if os.Getenv(e2etest.EnvBinary) != "" {
		args = append(args, "--latchkey", e2etest.Binary(t))
	}
	cmd := exec.CommandContext(ctx, e2etest.BenchBinary(t), args...)
	cmd.Env = []string{"PATH=", "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()} // no latchkey on PATH to fall back on
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("latchkey-bench: %v\n%s", err, out)
	}
	var res bench.Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("output is not one JSON line: %v\n%s", err, out)
	}
	if res.Ops != 50 || res.Requests != 100 || res.Errors != 0 || res.Target != "latchkey" {
		t.Fatalf("summary %+v", res)
	}
}

// TestCompare is one short round against latchkey, moto and the ceiling.
// moto_server must be on PATH: the test fails, never skips, without it.
func TestCompare(t *testing.T) {
	if _, err := bench.MotoPath(); err != nil {
		t.Fatal(err)
	}
	op, _ := bench.LookupOp("caller")
	cs, err := bench.Compare(t.Context(), bench.CompareOptions{
		Ops: []bench.Op{op}, Rounds: 1, Executable: e2etest.Binary(t), CeilingExecutable: e2etest.BenchBinary(t),
		Load: bench.LoadOptions{Requests: 50, Concurrency: 2, MaxDuration: 20 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Targets) != 3 {
		t.Fatalf("comparison %+v, want caller on 3 targets", cs)
	}
	for i, want := range []string{"latchkey", "moto", "ceiling"} {
		tg := cs[0].Targets[i]
		if tg.Target != want || tg.Ops != 50 || tg.Errors != 0 || tg.OpsPerSec <= 0 {
			t.Errorf("target %d: %+v, want %s with 50 ops and no errors", i, tg, want)
		}
	}
	if cs[0].LatchkeyOverMoto <= 0 || cs[0].LatchkeyOverCeiling <= 0 {
		t.Errorf("ratios %v and %v", cs[0].LatchkeyOverMoto, cs[0].LatchkeyOverCeiling)
	}
}

// TestScale runs the scale measurements on a tiny data dir.
func TestScale(t *testing.T) {
	rs, err := bench.Scale(t.Context(), bench.ScaleOptions{
		Users: []int{300}, Executable: e2etest.Binary(t), Samples: 40, PageSamples: 3, Concurrency: 2,
		MaxDuration: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Users != 300 || r.ListWalk.Users != 300 || r.ListWalk.Pages != 1 || r.StartupMs <= 0 || r.DataDirBytes <= 0 || r.Memory.RSS <= 0 {
		t.Fatalf("result %+v", r)
	}
	for _, x := range []bench.Result{r.ListFirst, r.GetUser, r.ListKeys, r.CreateDelete, r.CallerHot, r.CallerRandom} {
		if x.Errors != 0 || x.Requests == 0 {
			t.Errorf("%s: %d requests, %d errors (%s)", x.Op, x.Requests, x.Errors, x.FirstError)
		}
	}
}

// TestCeilingVerifies makes sure the ceiling checks signatures: a ceiling
// that skipped the work would flatter nothing but itself.
func TestCeilingVerifies(t *testing.T) {
	srv := httptest.NewServer(bench.NewCeiling(bench.Root, bench.AccountID))
	defer srv.Close()
	tests := []struct {
		name   string
		creds  bench.Creds
		status int
	}{
		{"right secret", bench.Root, http.StatusOK},
		{"wrong secret", bench.Creds{AccessKeyID: bench.RootKeyID, SecretAccessKey: "wrong"}, http.StatusForbidden},
		{"other key", bench.Creds{AccessKeyID: "AKIAOTHEROTHEROTHER1", SecretAccessKey: bench.RootSecret}, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A client each: the SDK's signer caches the signing key by key
			// id and day, not by secret.
			c := bench.NewClient(srv.URL, 1)
			defer c.Close()
			r, err := c.Call(t.Context(), tc.creds, "sts", "GetCallerIdentity", nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status {
				t.Fatalf("HTTP %d, want %d\n%s", r.Status, tc.status, r.Body)
			}
			if tc.status == http.StatusOK && !strings.Contains(string(r.Body), "<Arn>arn:aws:iam::123456789012:root</Arn>") {
				t.Fatalf("answer:\n%s", r.Body)
			}
		})
	}
}
