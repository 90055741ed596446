package bench

import (
	"context"
	cryptorand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// ScaleOptions configure Scale.
type ScaleOptions struct {
	// Users are the data dir sizes to measure, smallest first.
	Users []int
	// DataRoot keeps the loaded data dirs (DataRoot/users-N) for later runs;
	// empty means a temporary dir, removed at the end.
	DataRoot   string
	Executable string
	// Concurrency of each measurement (default 4); ListUsers pages are
	// fetched one at a time.
	Concurrency int
	// Samples is the number of requests per measurement (default 5000;
	// four times as many for caller), PageSamples per ListUsers page
	// position (default 100).
	Samples, PageSamples int
	// Batch is the bulk loader's users per transaction.
	Batch int
	// MaxDuration caps each measurement (default 60 s), ListMaxDuration
	// the walk over the whole list (default 10 min).
	MaxDuration, ListMaxDuration time.Duration
	Progress                     io.Writer
}

// ListWalk is one walk over the whole user list, a page at a time.
type ListWalk struct {
	Pages   int     `json:"pages"`
	Users   int     `json:"users"`
	Seconds float64 `json:"seconds"`
	P50     float64 `json:"p50_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
}

// ScaleResult is what Scale measured on one data dir size.
type ScaleResult struct {
	Users int `json:"users"`
	Keys  int `json:"keys"`
	// LoadSeconds is the bulk load's duration, from the run that loaded it.
	LoadSeconds  float64 `json:"load_seconds"`
	Reused       bool    `json:"reused"`
	DataDirBytes int64   `json:"data_dir_bytes"`
	// StartupMs is the median of three starts (exec to /healthz answering).
	StartupMs     float64   `json:"startup_ms"`
	StartupRunsMs []float64 `json:"startup_runs_ms"`
	ListWalk      ListWalk  `json:"list_walk"`
	ListFirst     Result    `json:"list_users_first_page"`
	ListMiddle    Result    `json:"list_users_middle_page"`
	ListLast      Result    `json:"list_users_last_page"`
	GetUser       Result    `json:"get_user"`
	ListKeys      Result    `json:"list_access_keys"`
	CreateDelete  Result    `json:"create_delete_key"`
	CallerHot     Result    `json:"caller_hot_key"`
	CallerRandom  Result    `json:"caller_random_keys"`
	// RandomOverHot is caller's throughput with random keys as a fraction
	// of its throughput with one hot key.
	RandomOverHot float64 `json:"random_over_hot"`
	// Memory is the server's after all the measurements.
	Memory Memory `json:"memory"`
}

// scaleManifest marks a completely loaded data dir.
type scaleManifest struct {
	Users       int     `json:"users"`
	Seed        string  `json:"seed"`
	LoadSeconds float64 `json:"load_seconds"`
}

const manifestName = "bench-scale.json"

// Scale measures latchkey on data dirs of each size in o.Users, filled by
// the store's bulk loader.
func Scale(ctx context.Context, o ScaleOptions) ([]ScaleResult, error) {
	if o.Executable == "" {
		return nil, errors.New("scale needs the latchkey executable")
	}
	if len(o.Users) == 0 {
		o.Users = []int{10_000}
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.Samples <= 0 {
		o.Samples = 5000
	}
	if o.PageSamples <= 0 {
		o.PageSamples = 100
	}
	if o.MaxDuration <= 0 {
		o.MaxDuration = time.Minute
	}
	if o.ListMaxDuration <= 0 {
		o.ListMaxDuration = 10 * time.Minute
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	root := o.DataRoot
	if root == "" {
		dir, err := os.MkdirTemp("", "latchkey-bench-scale-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		root = dir
	}
	var out []ScaleResult
	for _, n := range o.Users {
		r, err := scaleOne(ctx, o, filepath.Join(root, "users-"+strconv.Itoa(n)), n)
		if err != nil {
			return out, fmt.Errorf("%d users: %w", n, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// prepareScaleDir returns the keyspace of a data dir holding n bulk-loaded
// users, loading it unless a complete one is there.
func prepareScaleDir(ctx context.Context, o ScaleOptions, dir string, n int) (keyspace, scaleManifest, bool, error) {
	var m scaleManifest
	if b, err := os.ReadFile(filepath.Join(dir, manifestName)); err == nil && json.Unmarshal(b, &m) == nil && m.Users == n {
		seed, err := hex.DecodeString(m.Seed)
		if err == nil {
			return keyspace{seed: seed, users: n}, m, true, nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return keyspace{}, m, false, err
	}
	seed := make([]byte, 32)
	_, _ = cryptorand.Read(seed)
	ks := keyspace{seed: seed, users: n}
	fmt.Fprintf(o.Progress, "loading %d users and %d keys into %s\n", n, 2*n, dir)
	t0 := time.Now()
	d, err := app.Open(ctx, app.Options{DataDir: dir})
	if err != nil {
		return ks, m, false, err
	}
	defer d.Close()
	if _, err := d.Bootstrap(ctx, app.RootCredentials{AccountID: AccountID, AccessKeyID: RootKeyID, SecretAccessKey: RootSecret}, slog.New(slog.DiscardHandler)); err != nil {
		return ks, m, false, err
	}
	sq, ok := d.Store.(*sqlstore.Store)
	if !ok {
		return ks, m, false, fmt.Errorf("the data dir's store is a %T, not SQL", d.Store)
	}
	nu, nk, err := sq.BulkLoad(ctx, ks.bulkUsers(d.Keys.Primary(), time.Now().UTC().Truncate(time.Second)), o.Batch)
	if err != nil {
		return ks, m, false, err
	}
	if err := d.Close(); err != nil {
		return ks, m, false, err
	}
	m = scaleManifest{Users: nu, Seed: hex.EncodeToString(seed), LoadSeconds: time.Since(t0).Seconds()}
	fmt.Fprintf(o.Progress, "loaded %d users and %d keys in %.1fs\n", nu, nk, m.LoadSeconds)
	b, _ := json.Marshal(m)
	return ks, m, false, os.WriteFile(filepath.Join(dir, manifestName), b, 0o600)
}

func scaleOne(ctx context.Context, o ScaleOptions, dir string, n int) (ScaleResult, error) {
	ks, m, reused, err := prepareScaleDir(ctx, o, dir, n)
	if err != nil {
		return ScaleResult{}, err
	}
	res := ScaleResult{Users: n, Keys: 2 * n, LoadSeconds: m.LoadSeconds, Reused: reused}
	if res.DataDirBytes, err = DirSize(dir); err != nil {
		return res, err
	}

	// Start-up: three starts, the last one stays up for the measurements.
	var p *Process
	for i := range 3 {
		if p, err = StartLatchkey(ctx, LatchkeyOptions{Executable: o.Executable, DataDir: dir}); err != nil {
			return res, err
		}
		res.StartupRunsMs = append(res.StartupRunsMs, ms(int64(p.Startup)))
		if i < 2 {
			p.Stop()
		}
	}
	defer p.Stop()
	res.StartupMs = median(res.StartupRunsMs)
	fmt.Fprintf(o.Progress, "%d users: data dir %.1f MB, start-up %.0f ms\n", n, float64(res.DataDirBytes)/1e6, res.StartupMs)

	c := NewClient(p.URL, o.Concurrency)
	defer c.Close()

	markers, walk, err := walkUsers(ctx, c, n, o.ListMaxDuration)
	if err != nil {
		return res, err
	}
	res.ListWalk = walk
	fmt.Fprintf(o.Progress, "%d users: walked %d pages in %.1fs\n", n, walk.Pages, walk.Seconds)

	pages := LoadOptions{Requests: o.PageSamples, Concurrency: 1, MaxDuration: o.MaxDuration, Warmup: 2}
	load := LoadOptions{Requests: o.Samples, Concurrency: o.Concurrency, MaxDuration: o.MaxDuration, Warmup: min(20, o.Samples/10)}
	// caller answers in a fraction of the time of the others: more samples
	// for a run long enough to be stable.
	callerLoad := load
	callerLoad.Requests = 4 * o.Samples
	steps := []struct {
		name string
		dst  *Result
		lo   LoadOptions
		fn   opFunc
	}{
		{"list-users first page", &res.ListFirst, pages, listPage(c, markers[0])},
		{"list-users middle page", &res.ListMiddle, pages, listPage(c, markers[len(markers)/2])},
		{"list-users last page", &res.ListLast, pages, listPage(c, markers[len(markers)-1])},
		{"get-user random", &res.GetUser, load, randomUser(c, n, "GetUser", 0, o.Concurrency)},
		{"list-keys random", &res.ListKeys, load, randomUser(c, n, "ListAccessKeys", 2, o.Concurrency)},
		{"caller hot key", &res.CallerHot, callerLoad, callerWith(c, o.Concurrency, func(*rand.Rand) Creds { return ks.creds(0) })},
		{"caller random keys", &res.CallerRandom, callerLoad, callerWith(c, o.Concurrency, func(r *rand.Rand) Creds { return ks.creds(r.IntN(2 * n)) })},
	}
	for _, s := range steps {
		// A capped step leaves the server finishing abandoned requests:
		// let it settle so the next step measures only itself.
		p.waitIdle(ctx, 30*time.Second)
		r, err := run(ctx, s.name, s.lo, s.fn, p)
		if err != nil {
			return res, err
		}
		*s.dst = r
		fmt.Fprintf(o.Progress, "%d users: %-24s %9.1f req/s  p50 %.3fms  p99 %.3fms  errors %d\n", n, s.name, r.RPS, r.P50, r.P99, r.Errors)
	}
	cdk, err := Ops[1].prepare(ctx, c, Root, OpOptions{Prefix: "bench-scale"}, o.Concurrency)
	if err != nil {
		return res, err
	}
	lo := load
	lo.Requests = max(1, o.Samples/4)
	p.waitIdle(ctx, 30*time.Second)
	if res.CreateDelete, err = run(ctx, "create-delete-key", lo, cdk, p); err != nil {
		return res, err
	}
	fmt.Fprintf(o.Progress, "%d users: %-24s %9.1f ops/s  p50 %.3fms  p99 %.3fms  errors %d\n", n, "create-delete-key", res.CreateDelete.OpsPerSec, res.CreateDelete.P50, res.CreateDelete.P99, res.CreateDelete.Errors)
	if res.CallerHot.RPS > 0 {
		res.RandomOverHot = res.CallerRandom.RPS / res.CallerHot.RPS
	}
	if res.Memory, err = p.Memory(); err != nil {
		return res, err
	}
	return res, nil
}

// walkUsers lists every user, MaxItems 1000, and returns the marker of
// each page ("" for the first) but a short last one.
func walkUsers(ctx context.Context, c *Client, n int, maxDur time.Duration) ([]string, ListWalk, error) {
	ctx, cancel := context.WithTimeout(ctx, maxDur)
	defer cancel()
	markers := []string{""}
	var lat []int64
	var sizes []int // users on each page
	users := 0
	t0 := time.Now()
	for {
		params := url.Values{"MaxItems": {"1000"}}
		if m := markers[len(markers)-1]; m != "" {
			params.Set("Marker", m)
		}
		start := time.Now()
		body, err := c.MustOK(ctx, Root, "iam", "ListUsers", params)
		if err != nil {
			return nil, ListWalk{}, fmt.Errorf("walking the list, page %d: %w", len(markers), err)
		}
		lat = append(lat, int64(time.Since(start)))
		names := xmlTexts(body, "UserName")
		sizes = append(sizes, len(names))
		for _, name := range names {
			if strings.HasPrefix(name, "user-") {
				users++
			}
		}
		if xmlText(body, "IsTruncated") != "true" {
			break
		}
		markers = append(markers, xmlText(body, "Marker"))
	}
	w := ListWalk{Pages: len(lat), Users: users, Seconds: time.Since(t0).Seconds()}
	slices.Sort(lat)
	w.P50, w.P99, w.Max = percentile(lat, 0.5), percentile(lat, 0.99), ms(lat[len(lat)-1])
	if users != n {
		return nil, w, fmt.Errorf("the list holds %d bulk-loaded users, want %d", users, n)
	}
	// The end of the list is its last full page: a short tail page would
	// time a smaller answer.
	if last := len(markers) - 1; last > 0 && sizes[last] < sizes[0] {
		markers = markers[:last]
	}
	return markers, w, nil
}

func listPage(c *Client, marker string) opFunc {
	params := url.Values{"MaxItems": {"1000"}}
	if marker != "" {
		params.Set("Marker", marker)
	}
	return func(ctx context.Context, _ int, rec *recorder) bool {
		resp, ok := call(ctx, c, rec, Root, "iam", "ListUsers", params)
		if ok && len(xmlTexts(resp.Body, "UserName")) == 0 {
			rec.fail("wrong-answer", "empty ListUsers page")
			return false
		}
		return ok
	}
}

// randomUser calls action on a random bulk-loaded user; wantKeys > 0
// checks the number of AccessKeyId elements in the answer.
func randomUser(c *Client, n int, action string, wantKeys, workers int) opFunc {
	rngs := newRands(workers)
	return func(ctx context.Context, w int, rec *recorder) bool {
		i := rngs[w].IntN(n)
		resp, ok := call(ctx, c, rec, Root, "iam", action, url.Values{"UserName": {userName(i)}})
		if ok && wantKeys > 0 && len(xmlTexts(resp.Body, "AccessKeyId")) != wantKeys {
			rec.fail("wrong-answer", fmt.Sprintf("%s of %s: not %d keys", action, userName(i), wantKeys))
			return false
		}
		return ok
	}
}

// callerWith calls GetCallerIdentity signed with the key pick returns.
func callerWith(c *Client, workers int, pick func(*rand.Rand) Creds) opFunc {
	rngs := newRands(workers)
	return func(ctx context.Context, w int, rec *recorder) bool {
		creds := pick(rngs[w])
		resp, ok := call(ctx, c, rec, creds, "sts", "GetCallerIdentity", nil)
		if ok && !strings.Contains(xmlText(resp.Body, "Arn"), ":user/user-") {
			rec.fail("wrong-answer", "GetCallerIdentity did not name a bulk-loaded user")
			return false
		}
		return ok
	}
}

// newRands returns one generator per worker: workers index them by id, so
// none is shared.
func newRands(n int) []*rand.Rand {
	out := make([]*rand.Rand, n)
	for i := range out {
		out[i] = rand.New(rand.NewPCG(rand.Uint64(), uint64(i)))
	}
	return out
}

// WriteScaleText prints the scale results side by side, with the growth
// from the smallest size to the largest.
func WriteScaleText(w io.Writer, rs []ScaleResult) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(w, "%-34s", "users")
	for _, r := range rs {
		fmt.Fprintf(w, " %14d", r.Users)
	}
	if len(rs) > 1 {
		fmt.Fprintf(w, " %10s", "growth")
	}
	fmt.Fprintln(w)
	row := func(name string, f func(ScaleResult) float64, format string) {
		fmt.Fprintf(w, "%-34s", name)
		for _, r := range rs {
			fmt.Fprintf(w, " %14s", fmt.Sprintf(format, f(r)))
		}
		if first, last := f(rs[0]), f(rs[len(rs)-1]); len(rs) > 1 && first > 0 {
			fmt.Fprintf(w, " %9.2fx", last/first)
		}
		fmt.Fprintln(w)
	}
	row("data dir MB", func(r ScaleResult) float64 { return float64(r.DataDirBytes) / 1e6 }, "%.1f")
	row("bulk load s", func(r ScaleResult) float64 { return r.LoadSeconds }, "%.1f")
	row("start-up ms (median of 3)", func(r ScaleResult) float64 { return r.StartupMs }, "%.0f")
	row("list walk s (all pages)", func(r ScaleResult) float64 { return r.ListWalk.Seconds }, "%.2f")
	row("ListUsers first page p50 ms", func(r ScaleResult) float64 { return r.ListFirst.P50 }, "%.2f")
	row("ListUsers first page p99 ms", func(r ScaleResult) float64 { return r.ListFirst.P99 }, "%.2f")
	row("ListUsers middle page p50 ms", func(r ScaleResult) float64 { return r.ListMiddle.P50 }, "%.2f")
	row("ListUsers middle page p99 ms", func(r ScaleResult) float64 { return r.ListMiddle.P99 }, "%.2f")
	row("ListUsers last page p50 ms", func(r ScaleResult) float64 { return r.ListLast.P50 }, "%.2f")
	row("ListUsers last page p99 ms", func(r ScaleResult) float64 { return r.ListLast.P99 }, "%.2f")
	row("GetUser req/s", func(r ScaleResult) float64 { return r.GetUser.RPS }, "%.0f")
	row("GetUser p50 ms", func(r ScaleResult) float64 { return r.GetUser.P50 }, "%.3f")
	row("GetUser p99 ms", func(r ScaleResult) float64 { return r.GetUser.P99 }, "%.3f")
	row("ListAccessKeys req/s", func(r ScaleResult) float64 { return r.ListKeys.RPS }, "%.0f")
	row("ListAccessKeys p50 ms", func(r ScaleResult) float64 { return r.ListKeys.P50 }, "%.3f")
	row("ListAccessKeys p99 ms", func(r ScaleResult) float64 { return r.ListKeys.P99 }, "%.3f")
	row("create-delete-key ops/s", func(r ScaleResult) float64 { return r.CreateDelete.OpsPerSec }, "%.0f")
	row("create-delete-key p99 ms", func(r ScaleResult) float64 { return r.CreateDelete.P99 }, "%.3f")
	row("caller hot key req/s", func(r ScaleResult) float64 { return r.CallerHot.RPS }, "%.0f")
	row("caller hot key p99 ms", func(r ScaleResult) float64 { return r.CallerHot.P99 }, "%.3f")
	row("caller random keys req/s", func(r ScaleResult) float64 { return r.CallerRandom.RPS }, "%.0f")
	row("caller random keys p99 ms", func(r ScaleResult) float64 { return r.CallerRandom.P99 }, "%.3f")
	row("caller random/hot", func(r ScaleResult) float64 { return r.RandomOverHot }, "%.2f")
	row("server RSS MB", func(r ScaleResult) float64 { return float64(r.Memory.RSS) / 1e6 }, "%.1f")
	row("server peak RSS MB", func(r ScaleResult) float64 { return float64(r.Memory.Peak) / 1e6 }, "%.1f")
	errs := 0
	for _, r := range rs {
		for _, x := range []Result{r.ListFirst, r.ListMiddle, r.ListLast, r.GetUser, r.ListKeys, r.CreateDelete, r.CallerHot, r.CallerRandom} {
			errs += x.Errors
			if x.Capped {
				fmt.Fprintf(w, "note: %d users: %s stopped by the hard cap after %d requests\n", r.Users, x.Op, x.Requests)
			}
		}
	}
	fmt.Fprintf(w, "errors: %d\n", errs)
}
