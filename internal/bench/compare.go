package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// CompareOptions configure a side-by-side run.
type CompareOptions struct {
	Ops []Op
	// Rounds is how many times each target is loaded, alternating (default 5).
	Rounds int
	// Load bounds each round; its Warmup runs once per target and op,
	// before the first round.
	Load      LoadOptions
	OpOptions OpOptions
	// Executable is the latchkey binary to start.
	Executable string
	// CeilingExecutable is the latchkey-bench binary, whose ceiling command
	// serves the ceiling; needed unless NoCeiling or no op is caller.
	CeilingExecutable string
	// MotoPath is moto_server; found on PATH when empty.
	MotoPath string
	// NoCeiling leaves the ceiling out (it only serves caller).
	NoCeiling bool
	// Store is a PostgreSQL URL for latchkey's store (an empty database);
	// empty for the embedded store in a temporary data dir.
	Store string
	// LatchkeyArgs are more arguments for `latchkey serve`, after the
	// bench's own (a later --log-level overrides its warn).
	LatchkeyArgs []string
	// Progress receives a line per round; nil for none.
	Progress io.Writer
}

// TargetSummary is one target's rounds in a comparison.
type TargetSummary struct {
	Target string `json:"target"`
	// Medians over the rounds.
	OpsPerSec float64 `json:"ops_per_sec"`
	RPS       float64 `json:"requests_per_sec"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	P999      float64 `json:"p999_ms"`
	// ServerCPU and ClientCPU are the medians of CPU per operation, µs.
	ServerCPU float64 `json:"server_cpu_us_per_op"`
	ClientCPU float64 `json:"client_cpu_us_per_op"`
	// RoundOpsPerSec is each round's throughput, in order.
	RoundOpsPerSec []float64 `json:"round_ops_per_sec"`
	Ops            int       `json:"ops"`
	Errors         int       `json:"errors"`
	FirstError     string    `json:"first_error,omitempty"`
}

// Comparison is one operation against every target.
type Comparison struct {
	Op          string          `json:"op"`
	Concurrency int             `json:"concurrency"`
	Rounds      int             `json:"rounds"`
	Targets     []TargetSummary `json:"targets"`
	// LatchkeyOverMoto is the ratio of the median throughputs.
	LatchkeyOverMoto float64 `json:"latchkey_over_moto"`
	// LatchkeyOverCeiling is Latchkey's median throughput as a fraction of
	// the ceiling's (caller only).
	LatchkeyOverCeiling float64 `json:"latchkey_over_ceiling,omitempty"`
	// The same ratios of server CPU per operation (moto's over Latchkey's,
	// the ceiling's over Latchkey's), which hold up under other load.
	CPUMotoOverLatchkey    float64 `json:"cpu_moto_over_latchkey"`
	CPUCeilingOverLatchkey float64 `json:"cpu_ceiling_over_latchkey,omitempty"`
	// LoadAvg is the 1-minute load average at the start and at the end.
	LoadAvg [2]float64 `json:"load_avg_1m"`
}

// Errors is the total of failed requests over all targets.
func (c Comparison) Errors() int {
	n := 0
	for _, t := range c.Targets {
		n += t.Errors
	}
	return n
}

// Compare starts Latchkey (on a fresh temporary data dir), moto and, for
// caller, the ceiling; sets each operation up on each; then loads them in
// turn, round after round, alternating the order so that neither drift nor
// warmth favours one, and reports medians and ratios.
func Compare(ctx context.Context, o CompareOptions) ([]Comparison, error) {
	if o.Rounds <= 0 {
		o.Rounds = 5
	}
	if o.Executable == "" {
		return nil, errors.New("compare needs the latchkey executable")
	}
	if o.Load.Concurrency <= 0 {
		o.Load.Concurrency = 1
	}
	if err := o.Load.check(); err != nil {
		return nil, err
	}
	o.OpOptions.defaults()
	motoPath := o.MotoPath
	if motoPath == "" {
		var err error
		if motoPath, err = MotoPath(); err != nil {
			return nil, err
		}
	}
	dir, err := os.MkdirTemp("", "latchkey-bench-compare-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	var procs []*Process
	defer func() {
		for _, p := range procs {
			p.Stop()
		}
	}()
	lo := LatchkeyOptions{Executable: o.Executable, DataDir: dir}
	if o.Store != "" {
		lo.Args = []string{"--store", o.Store}
	}
	lo.Args = append(lo.Args, o.LatchkeyArgs...)
	lk, err := StartLatchkey(ctx, lo)
	if err != nil {
		return nil, err
	}
	procs = append(procs, lk)
	moto, err := StartMoto(ctx, motoPath)
	if err != nil {
		return nil, err
	}
	procs = append(procs, moto)
	var ceiling *Process
	for _, op := range o.Ops {
		if op.Name == "caller" && !o.NoCeiling && ceiling == nil {
			if o.CeilingExecutable == "" {
				return nil, errors.New("compare needs the latchkey-bench executable to serve the ceiling (or NoCeiling)")
			}
			if ceiling, err = StartCeiling(ctx, o.CeilingExecutable); err != nil {
				return nil, err
			}
			procs = append(procs, ceiling)
		}
	}

	var out []Comparison
	for _, op := range o.Ops {
		targets := []Target{{Name: "latchkey", Endpoint: lk.URL, Root: Root, Process: lk}, {Name: "moto", Endpoint: moto.URL, Root: Root, Process: moto}}
		if op.Name == "caller" && ceiling != nil {
			targets = append(targets, Target{Name: "ceiling", Endpoint: ceiling.URL, Root: Root, Process: ceiling})
		}
		c, err := compareOp(ctx, op, targets, o)
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

func compareOp(ctx context.Context, op Op, targets []Target, o CompareOptions) (Comparison, error) {
	fns := make([]opFunc, len(targets))
	for i, t := range targets {
		c := NewClient(t.Endpoint, o.Load.Concurrency)
		defer c.Close()
		fn, err := op.prepare(ctx, c, t.Root, o.OpOptions, o.Load.Concurrency)
		if err != nil {
			return Comparison{}, fmt.Errorf("set up %s on %s: %w", op.Name, t.Name, err)
		}
		fns[i] = fn
		if o.Load.Warmup > 0 {
			warm := o.Load
			warm.Requests, warm.Duration, warm.Warmup = o.Load.Warmup, 0, 0
			if _, err := run(ctx, op.Name, warm, fn, nil); err != nil {
				return Comparison{}, err
			}
		}
	}
	load0 := loadAvg()
	results := make([][]Result, len(targets))
	load := o.Load
	load.Warmup = 0
	for round := range o.Rounds {
		for k := range targets {
			i := k
			if round%2 == 1 {
				i = len(targets) - 1 - k
			}
			r, err := run(ctx, op.Name, load, fns[i], targets[i].Process)
			if err != nil {
				return Comparison{}, err
			}
			r.Target = targets[i].Name
			results[i] = append(results[i], r)
			if o.Progress != nil {
				fmt.Fprintf(o.Progress, "round %d/%d  %-18s %-9s %10.1f ops/s  p50 %.3fms  p99 %.3fms  errors %d\n",
					round+1, o.Rounds, op.Name, r.Target, r.OpsPerSec, r.P50, r.P99, r.Errors)
			}
		}
	}
	c := Comparison{Op: op.Name, Concurrency: o.Load.Concurrency, Rounds: o.Rounds, LoadAvg: [2]float64{load0, loadAvg()}}
	for i, t := range targets {
		s := TargetSummary{Target: t.Name}
		var ops, rps, p50, p99, p999, scpu, ccpu []float64
		for _, r := range results[i] {
			ops, rps = append(ops, r.OpsPerSec), append(rps, r.RPS)
			scpu, ccpu = append(scpu, r.ServerCPU), append(ccpu, r.ClientCPU)
			p50, p99, p999 = append(p50, r.P50), append(p99, r.P99), append(p999, r.P999)
			s.Ops += r.Ops
			s.Errors += r.Errors
			if s.FirstError == "" {
				s.FirstError = r.FirstError
			}
		}
		s.RoundOpsPerSec = ops
		s.OpsPerSec, s.RPS, s.P50, s.P99, s.P999 = median(ops), median(rps), median(p50), median(p99), median(p999)
		s.ServerCPU, s.ClientCPU = median(scpu), median(ccpu)
		c.Targets = append(c.Targets, s)
	}
	if m := c.Targets[1].OpsPerSec; m > 0 {
		c.LatchkeyOverMoto = c.Targets[0].OpsPerSec / m
	}
	if len(c.Targets) > 2 && c.Targets[2].OpsPerSec > 0 {
		c.LatchkeyOverCeiling = c.Targets[0].OpsPerSec / c.Targets[2].OpsPerSec
	}
	if lk := c.Targets[0].ServerCPU; lk > 0 {
		c.CPUMotoOverLatchkey = c.Targets[1].ServerCPU / lk
		if len(c.Targets) > 2 {
			c.CPUCeilingOverLatchkey = c.Targets[2].ServerCPU / lk
		}
	}
	return c, nil
}

// WriteText prints a comparison for people.
func (c Comparison) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s  concurrency %d  %d rounds (medians)  load average %.2f -> %.2f\n", c.Op, c.Concurrency, c.Rounds, c.LoadAvg[0], c.LoadAvg[1])
	fmt.Fprintf(w, "  %-9s %12s %12s %10s %10s %10s %14s %14s %8s\n", "target", "ops/s", "requests/s", "p50 ms", "p99 ms", "p99.9 ms", "server µs/op", "client µs/op", "errors")
	for _, t := range c.Targets {
		fmt.Fprintf(w, "  %-9s %12.1f %12.1f %10.3f %10.3f %10.3f %14.1f %14.1f %8d\n", t.Target, t.OpsPerSec, t.RPS, t.P50, t.P99, t.P999, t.ServerCPU, t.ClientCPU, t.Errors)
	}
	fmt.Fprintf(w, "  latchkey/moto %.1fx (server CPU per op: moto/latchkey %.1fx)", c.LatchkeyOverMoto, c.CPUMotoOverLatchkey)
	if c.LatchkeyOverCeiling > 0 {
		fmt.Fprintf(w, "\n  latchkey/ceiling %.0f%% (server CPU per op: ceiling/latchkey %.0f%%)", 100*c.LatchkeyOverCeiling, 100*c.CPUCeilingOverLatchkey)
	}
	fmt.Fprintln(w)
	for _, t := range c.Targets {
		if t.FirstError != "" {
			fmt.Fprintf(w, "  %s first error: %s\n", t.Target, t.FirstError)
		}
	}
}
