// Package bench measures Latchkey over HTTP: a load generator that signs
// every request afresh with SigV4 (Run, with the operations in Ops), a
// side-by-side comparison with moto and with a minimal SigV4 server that
// is the machine's ceiling (Compare), and measurements on data dirs of up to
// millions of users filled by the store's bulk loader (Scale).
//
// It drives servers as a client does; it is a tool, not part of the
// service, and nothing in the server imports it.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// DefaultMaxDuration is the hard cap on one load run, whatever -n says.
const DefaultMaxDuration = 10 * time.Minute

// LoadOptions bound a load run: Requests operations, or for Duration,
// never longer than MaxDuration.
type LoadOptions struct {
	// Requests is how many operations to run; 0 means run for Duration.
	Requests int
	// Duration bounds the run when Requests is 0.
	Duration time.Duration
	// MaxDuration is the hard cap (default DefaultMaxDuration): the run
	// stops then, in-flight requests are abandoned and Capped is set.
	MaxDuration time.Duration
	// Concurrency is the number of workers, each with one request in flight.
	Concurrency int
	// Warmup operations run before measuring, not counted.
	Warmup int
}

func (o *LoadOptions) check() error {
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = DefaultMaxDuration
	}
	switch {
	case o.Requests < 0 || o.Duration < 0:
		return fmt.Errorf("requests and duration must not be negative")
	case o.Requests == 0 && o.Duration == 0:
		return fmt.Errorf("give a number of requests or a duration")
	case o.Requests > 0 && o.Duration > 0:
		return fmt.Errorf("give a number of requests or a duration, not both")
	case o.Duration > o.MaxDuration:
		return fmt.Errorf("duration %s is over the hard cap %s", o.Duration, o.MaxDuration)
	}
	return nil
}

// Result is what one load run measured. Latencies are per HTTP request;
// an operation may make several (create-delete-key two, list-users one per
// page).
type Result struct {
	Target      string  `json:"target,omitempty"`
	Op          string  `json:"op"`
	Concurrency int     `json:"concurrency"`
	Ops         int     `json:"ops"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	RPS         float64 `json:"requests_per_sec"`
	P50         float64 `json:"p50_ms"`
	P99         float64 `json:"p99_ms"`
	P999        float64 `json:"p999_ms"`
	Max         float64 `json:"max_ms"`
	// Statuses counts the failed requests by HTTP status ("transport" when
	// no answer came).
	Statuses   map[string]int `json:"error_statuses,omitempty"`
	FirstError string         `json:"first_error,omitempty"`
	// Capped is set when the hard cap stopped the run.
	Capped bool `json:"capped,omitempty"`
	// CPU per operation, in µs: the server's (when the bench started it)
	// and the load generator's. Unlike throughput, CPU per operation holds
	// up on a machine shared with other work.
	ServerCPU float64 `json:"server_cpu_us_per_op,omitempty"`
	ClientCPU float64 `json:"client_cpu_us_per_op"`
	// LoadAvg is the machine's 1-minute load average at the end of the run.
	LoadAvg float64 `json:"load_avg_1m"`
}

// opFunc performs operation number i on worker w, reporting every request
// through rec. It returns false when the operation failed.
type opFunc func(ctx context.Context, w int, rec *recorder) bool

// recorder collects one worker's observations.
type recorder struct {
	hard     context.Context // the hard-cap context: its end is not the server's fault
	lat      []int64         // ns per request
	requests int
	errors   int
	statuses map[string]int
	firstErr string
	capped   bool
}

// observe records one request started at start; it reports whether it
// succeeded (2xx).
func (r *recorder) observe(start time.Time, resp Response, err error) bool {
	d := time.Since(start)
	if err != nil && r.hard.Err() != nil {
		r.capped = true
		return false
	}
	r.requests++
	r.lat = append(r.lat, int64(d))
	switch {
	case err != nil:
		r.fail("transport", err.Error())
	case !resp.OK():
		r.fail(strconv.Itoa(resp.Status), fmt.Sprintf("HTTP %d %s: %s", resp.Status, xmlText(resp.Body, "Code"), xmlText(resp.Body, "Message")))
	default:
		return true
	}
	return false
}

// fail counts an error of kind (an HTTP status, "transport", or a
// correctness check such as "short-list").
func (r *recorder) fail(kind, msg string) {
	r.errors++
	if r.statuses == nil {
		r.statuses = map[string]int{}
	}
	r.statuses[kind]++
	if r.firstErr == "" {
		r.firstErr = msg
	}
}

// run drives fn with the load options and measures it; server, when not
// nil, is the process whose CPU to measure.
func run(ctx context.Context, op string, o LoadOptions, fn opFunc, server *Process) (Result, error) {
	if err := o.check(); err != nil {
		return Result{}, err
	}
	hard, cancel := context.WithTimeout(ctx, o.MaxDuration)
	defer cancel()
	if o.Warmup > 0 {
		warm := o
		warm.Requests, warm.Duration, warm.Warmup = o.Warmup, 0, 0
		if _, err := runOnce(hard, op, warm, fn, nil); err != nil {
			return Result{}, err
		}
	}
	return runOnce(hard, op, o, fn, server)
}

func runOnce(hard context.Context, op string, o LoadOptions, fn opFunc, server *Process) (Result, error) {
	var (
		stop    atomic.Bool
		tickets atomic.Int64
		ops     atomic.Int64
		wg      sync.WaitGroup
	)
	recs := make([]*recorder, o.Concurrency)
	var serverCPU0 time.Duration
	if server != nil {
		serverCPU0, _ = server.CPU()
	}
	clientCPU0 := selfCPU()
	start := time.Now()
	if o.Duration > 0 {
		t := time.AfterFunc(o.Duration, func() { stop.Store(true) })
		defer t.Stop()
	}
	for w := range o.Concurrency {
		rec := &recorder{hard: hard, lat: make([]int64, 0, 1024)}
		recs[w] = rec
		wg.Go(func() {
			for !stop.Load() && hard.Err() == nil {
				if o.Requests > 0 && tickets.Add(1) > int64(o.Requests) {
					return
				}
				fn(hard, w, rec)
				if !rec.capped {
					ops.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	clientCPU := selfCPU() - clientCPU0
	var serverCPU time.Duration
	if server != nil {
		if t, err := server.CPU(); err == nil {
			serverCPU = t - serverCPU0
		}
	}

	res := Result{Op: op, Concurrency: o.Concurrency, Ops: int(ops.Load()), Seconds: elapsed.Seconds()}
	var lat []int64
	for _, r := range recs {
		lat = append(lat, r.lat...)
		res.Requests += r.requests
		res.Errors += r.errors
		res.Capped = res.Capped || r.capped || hard.Err() != nil
		for k, v := range r.statuses {
			if res.Statuses == nil {
				res.Statuses = map[string]int{}
			}
			res.Statuses[k] += v
		}
		if res.FirstError == "" {
			res.FirstError = r.firstErr
		}
	}
	if res.Capped && hard.Err() != nil && context.Cause(hard) != context.DeadlineExceeded {
		return res, hard.Err() // interrupted, not capped
	}
	if res.Ops > 0 {
		res.ClientCPU = float64(clientCPU.Microseconds()) / float64(res.Ops)
		res.ServerCPU = float64(serverCPU.Microseconds()) / float64(res.Ops)
	}
	res.LoadAvg = loadAvg()
	res.OpsPerSec = float64(res.Ops) / elapsed.Seconds()
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	slices.Sort(lat)
	res.P50, res.P99, res.P999 = percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 0.999)
	if len(lat) > 0 {
		res.Max = ms(lat[len(lat)-1])
	}
	return res, nil
}

// percentile is the nearest-rank percentile of sorted ns values, in ms.
func percentile(sorted []int64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	i = min(max(i, 0), len(sorted)-1)
	return ms(sorted[i])
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// median of the values (the mean of the middle two for an even count).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// WriteText prints a result for people.
func (r Result) WriteText(w io.Writer) {
	fmt.Fprintf(w, "op %s  target %s  concurrency %d\n", r.Op, r.Target, r.Concurrency)
	fmt.Fprintf(w, "  ops       %8d in %.2fs  %10.1f ops/s\n", r.Ops, r.Seconds, r.OpsPerSec)
	fmt.Fprintf(w, "  requests  %8d             %10.1f requests/s\n", r.Requests, r.RPS)
	fmt.Fprintf(w, "  latency   p50 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms\n", r.P50, r.P99, r.P999, r.Max)
	fmt.Fprintf(w, "  cpu/op    server %.1fµs  load generator %.1fµs  (load average %.2f)\n", r.ServerCPU, r.ClientCPU, r.LoadAvg)
	fmt.Fprintf(w, "  errors    %d", r.Errors)
	if r.Errors > 0 {
		keys := make([]string, 0, len(r.Statuses))
		for k := range r.Statuses {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  [%s: %d]", k, r.Statuses[k])
		}
		fmt.Fprintf(w, "  first: %s", r.FirstError)
	}
	fmt.Fprintln(w)
	if r.Capped {
		fmt.Fprintln(w, "  stopped by the hard cap (--max-duration)")
	}
}

// WriteJSONLine prints v as one line of JSON.
func WriteJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// selfCPU is the CPU this process has used, user and system.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg is the 1-minute load average, or 0 where /proc has none.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
