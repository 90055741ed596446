// Command latchkey-bench measures Latchkey: a load generator for one
// operation against any endpoint, a side-by-side comparison with moto and a
// ceiling server (compare), and measurements on data dirs of many users
// (scale). It is built apart from latchkey (make build puts it next to
// bin/latchkey) so that none of it ships in the server's binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/latchkey/latchkey/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "latchkey-bench:", err)
		os.Exit(1)
	}
}

// envPrefix starts the variables mirroring the flags: --concurrency is
// LATCHKEY_BENCH_CONCURRENCY. Not LATCHKEY_ alone, whose variables configure
// latchkey itself (LATCHKEY_STORE, LATCHKEY_DATA…).
const envPrefix = "LATCHKEY_BENCH_"

// envName is the variable mirroring a flag.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv gives every flag not set on the command line the value of its
// environment variable.
func bindEnv(flags *pflag.FlagSet) error {
	var err error
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := flags.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", name, e)
			}
		}
	})
	return err
}

// findLatchkey is the latchkey binary the bench starts: flag when given,
// else latchkey next to self (bin/latchkey beside bin/latchkey-bench), else
// latchkey on PATH.
func findLatchkey(flag, self string) (string, error) {
	if flag != "" {
		if _, err := os.Stat(flag); err != nil {
			return "", fmt.Errorf("--latchkey: %w", err)
		}
		return flag, nil
	}
	if self != "" {
		p := filepath.Join(filepath.Dir(self), "latchkey")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("latchkey"); err == nil {
		return p, nil
	}
	return "", errors.New("no latchkey binary next to latchkey-bench nor on PATH: build it (make build) or give --latchkey PATH")
}

// latchkeyFlag is the root's --latchkey, shared by every command that
// starts a server.
var latchkeyFlag string

func latchkeyExecutable() (string, error) {
	self, _ := os.Executable()
	return findLatchkey(latchkeyFlag, self)
}

// loadFlags are the bounds of a load run, shared by bench and compare.
type loadFlags struct {
	requests    int
	duration    time.Duration
	maxDuration time.Duration
	concurrency int
	warmup      int
	opts        bench.OpOptions
	output      string
}

func (f *loadFlags) register(cmd *cobra.Command, defRequests, defWarmup int) {
	fl := cmd.Flags()
	fl.IntVarP(&f.requests, "requests", "n", defRequests, "operations to run (per round in compare); ignored when --duration is set (env "+envName("requests")+")")
	fl.DurationVarP(&f.duration, "duration", "d", 0, "run for this long instead of a number of operations (env "+envName("duration")+")")
	fl.DurationVar(&f.maxDuration, "max-duration", bench.DefaultMaxDuration, "hard cap on a run, whatever -n says (env "+envName("max-duration")+")")
	fl.IntVarP(&f.concurrency, "concurrency", "c", 8, "workers, each with one request in flight (env "+envName("concurrency")+")")
	fl.IntVar(&f.warmup, "warmup", defWarmup, "operations run before measuring, not counted (env "+envName("warmup")+")")
	fl.IntVar(&f.opts.Users, "users", 1000, "list-users: users to page through (env "+envName("users")+")")
	fl.IntVar(&f.opts.PageSize, "page-size", 100, "list-users: MaxItems per page (env "+envName("page-size")+")")
	fl.StringVar(&f.opts.Prefix, "prefix", "latchkey-bench", "name prefix of the users the bench creates (env "+envName("prefix")+")")
	fl.StringVarP(&f.output, "output", "o", "text", "text (with a JSON summary line last) or json (env "+envName("output")+")")
}

func (f *loadFlags) load() (bench.LoadOptions, error) {
	o := bench.LoadOptions{Requests: f.requests, Duration: f.duration, MaxDuration: f.maxDuration, Concurrency: f.concurrency, Warmup: f.warmup}
	if f.duration > 0 {
		o.Requests = 0
	}
	if f.output != "text" && f.output != "json" {
		return o, fmt.Errorf("--output must be text or json, not %q", f.output)
	}
	return o, nil
}

func newRootCmd() *cobra.Command {
	var (
		f                           loadFlags
		op, endpoint, keyID, secret string
	)
	cmd := &cobra.Command{
		Use:           "latchkey-bench",
		Short:         "Measure a server: requests/s and latency of one operation",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags())
		},
		Long: `Load a server with one operation, every request signed afresh with SigV4
(aws-sdk-go-v2's signer), and print requests/s, p50/p99/p99.9 latency and
errors (non-2xx answers), then a one-line JSON summary.

Operations:
` + opList() + `
What an operation needs (users, keys) is created first through the API, as the
root key given. Without --endpoint, latchkey-bench starts its own latchkey
(--latchkey, else the latchkey next to latchkey-bench, else the one on PATH)
on a temporary data dir with --log-level warn and stops it afterwards.

Every flag has an environment variable, ` + envPrefix + `<FLAG>.

See also: latchkey-bench compare (against moto and the ceiling),
latchkey-bench scale (1M users).`,
		Example: `  latchkey-bench --op caller -c 32 -d 10s
  latchkey-bench --op create-delete-key -n 5000 --endpoint http://127.0.0.1:7480 \
      --access-key AKIA... --secret-key ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := bench.LookupOp(op)
			if err != nil {
				return err
			}
			load, err := f.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			t := bench.Target{Endpoint: endpoint, Root: bench.Creds{AccessKeyID: keyID, SecretAccessKey: secret}}
			if endpoint == "" {
				exe, err := latchkeyExecutable()
				if err != nil {
					return err
				}
				dir, err := os.MkdirTemp("", "latchkey-bench-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				p, err := bench.StartLatchkey(ctx, bench.LatchkeyOptions{Executable: exe, DataDir: dir})
				if err != nil {
					return err
				}
				defer p.Stop()
				t = bench.Target{Name: "latchkey", Endpoint: p.URL, Root: bench.Root, Process: p}
			} else if keyID == "" || secret == "" {
				return errors.New("--endpoint needs --access-key and --secret-key (a root key of the target)")
			}
			res, err := bench.Run(ctx, t, o, f.opts, load)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if f.output == "text" {
				res.WriteText(out)
			}
			if err := bench.WriteJSONLine(out, res); err != nil {
				return err
			}
			if res.Errors > 0 {
				return fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests)
			}
			return nil
		},
	}
	f.register(cmd, 1000, 0)
	cmd.Flags().StringVar(&op, "op", "caller", "operation to run (env "+envName("op")+")")
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "server to load, e.g. http://127.0.0.1:7480; empty starts a latchkey (env "+envName("endpoint")+")")
	cmd.Flags().StringVar(&keyID, "access-key", "", "root access key id of the target (env "+envName("access-key")+")")
	cmd.Flags().StringVar(&secret, "secret-key", "", "root secret access key of the target (env "+envName("secret-key")+")")
	cmd.PersistentFlags().StringVar(&latchkeyFlag, "latchkey", "", "latchkey binary to start; default the one next to latchkey-bench, else on PATH (env "+envName("latchkey")+")")
	cmd.AddCommand(newBenchCompareCmd(), newBenchScaleCmd(), newBenchCeilingCmd())
	return cmd
}

func opList() string {
	var b strings.Builder
	for _, o := range bench.Ops {
		fmt.Fprintf(&b, "  %-18s %s\n", o.Name, o.Summary)
	}
	return b.String()
}

func newBenchCompareCmd() *cobra.Command {
	var (
		f         loadFlags
		ops       []string
		rounds    int
		motoPath  string
		noCeiling bool
		store     string
		extra     string
	)
	cmd := &cobra.Command{
		Use:   "compare",
		Short: "Compare latchkey with moto and with the ceiling, side by side",
		Long: `Start latchkey (see --latchkey; on a temporary data dir, --log-level warn,
then --latchkey-args), moto_server (found on PATH; it accepts any credentials)
and, for caller, the ceiling: a minimal Go server that only verifies the SigV4 signature against
one fixed secret with Latchkey's verifier and answers. Load each with the same
operation, alternating, for --rounds rounds of -n operations (or --duration),
and print the medians, latchkey/moto and latchkey/ceiling.`,
		Example: `  latchkey-bench compare --op caller,create-delete-key -c 32 -d 5s --rounds 5`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			load, err := f.load()
			if err != nil {
				return err
			}
			exe, err := latchkeyExecutable()
			if err != nil {
				return err
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			o := bench.CompareOptions{Rounds: rounds, Load: load, OpOptions: f.opts, Executable: exe, CeilingExecutable: self,
				MotoPath: motoPath, NoCeiling: noCeiling, Store: store, LatchkeyArgs: strings.Fields(extra)}
			for _, name := range ops {
				op, err := bench.LookupOp(name)
				if err != nil {
					return err
				}
				o.Ops = append(o.Ops, op)
			}
			out := cmd.OutOrStdout()
			if f.output == "text" {
				o.Progress = cmd.ErrOrStderr()
			}
			cs, err := bench.Compare(cmd.Context(), o)
			if err != nil {
				return err
			}
			errs := 0
			for _, c := range cs {
				if f.output == "text" {
					c.WriteText(out)
				}
				errs += c.Errors()
			}
			if err := bench.WriteJSONLine(out, cs); err != nil {
				return err
			}
			if errs > 0 {
				return fmt.Errorf("%d requests failed", errs)
			}
			return nil
		},
	}
	f.register(cmd, 2000, 200)
	cmd.Flags().StringSliceVar(&ops, "op", []string{"caller"}, "operations to compare, comma-separated (env "+envName("op")+")")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "rounds per target (env "+envName("rounds")+")")
	cmd.Flags().StringVar(&motoPath, "moto", "", "moto_server executable; default: found on PATH (env "+envName("moto")+")")
	cmd.Flags().BoolVar(&noCeiling, "no-ceiling", false, "leave the ceiling out (env "+envName("no-ceiling")+")")
	cmd.Flags().StringVar(&store, "store", "", "run latchkey on this PostgreSQL database (an empty one) instead of the embedded store (env "+envName("store")+")")
	cmd.Flags().StringVar(&extra, "latchkey-args", "", `more arguments for latchkey serve, split at spaces, after the bench's own: "--log-level info --audit-log /tmp/audit.jsonl" measures request logging and the audit trail (env `+envName("latchkey-args")+")")
	return cmd
}

func newBenchScaleCmd() *cobra.Command {
	var (
		users                   []string
		dataRoot, output        string
		concurrency, samples    int
		pageSamples, batch      int
		measureFor, listMaxTime time.Duration
	)
	cmd := &cobra.Command{
		Use:   "scale",
		Short: "Measure latchkey on data dirs of many users, filled by the bulk loader",
		Long: `For each size in --users: fill a data dir with that many users and two keys
each through the store's bulk loader (directly through SQL, bypassing HTTP and
the API; secrets sealed with the data dir's master key), start latchkey on it
(see --latchkey; --log-level warn), and measure over HTTP: start-up time, data
dir size, a ListUsers page (MaxItems 1000) at the start, middle and end of the
list, GetUser, ListAccessKeys and CreateAccessKey+DeleteAccessKey of random
users, GetCallerIdentity signed with keys picked at random among all of them
(a cold mix) and with one hot key, and the server's resident memory.

Loading a million users takes minutes; with --data-root the loaded data dirs
are kept there and reused by later runs.`,
		Example: `  latchkey-bench scale --users 10000,1000000 --data-root /var/tmp/latchkey-scale`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			exe, err := latchkeyExecutable()
			if err != nil {
				return err
			}
			o := bench.ScaleOptions{Executable: exe, DataRoot: dataRoot, Concurrency: concurrency, Samples: samples,
				PageSamples: pageSamples, Batch: batch, MaxDuration: measureFor, ListMaxDuration: listMaxTime}
			for _, u := range users {
				n, err := strconv.Atoi(strings.ReplaceAll(u, "_", ""))
				if err != nil || n <= 0 {
					return fmt.Errorf("--users: %q is not a positive number", u)
				}
				o.Users = append(o.Users, n)
			}
			var progress io.Writer = cmd.ErrOrStderr()
			o.Progress = progress
			res, err := bench.Scale(cmd.Context(), o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "text" {
				bench.WriteScaleText(out, res)
			}
			return bench.WriteJSONLine(out, res)
		},
	}
	cmd.Flags().StringSliceVar(&users, "users", []string{"10000"}, "data dir sizes in users, comma-separated, e.g. 10000,1000000 (env "+envName("users")+")")
	cmd.Flags().StringVar(&dataRoot, "data-root", "", "keep loaded data dirs here (users-N) and reuse them; default a temporary dir, removed (env "+envName("data-root")+")")
	cmd.Flags().IntVarP(&concurrency, "concurrency", "c", 4, "workers per measurement (env "+envName("concurrency")+")")
	cmd.Flags().IntVar(&samples, "samples", 5000, "requests per measurement (four times as many for caller) (env "+envName("samples")+")")
	cmd.Flags().IntVar(&pageSamples, "page-samples", 100, "requests per ListUsers page position, one at a time (env "+envName("page-samples")+")")
	cmd.Flags().IntVar(&batch, "batch", 0, "users per bulk-load transaction; 0 for the loader's default (env "+envName("batch")+")")
	cmd.Flags().DurationVar(&measureFor, "max-duration", 60*time.Second, "hard cap on each measurement (env "+envName("max-duration")+")")
	cmd.Flags().DurationVar(&listMaxTime, "list-max-duration", 10*time.Minute, "hard cap on walking the whole user list (env "+envName("list-max-duration")+")")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text (with a JSON summary line last) or json (env "+envName("output")+")")
	return cmd
}

func newBenchCeilingCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:    "ceiling",
		Short:  "Serve the ceiling (compare starts it)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.ServeCeiling(cmd.Context(), listen, bench.NewCeiling(bench.Root, bench.AccountID))
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	return cmd
}
