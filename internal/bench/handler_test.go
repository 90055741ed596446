package bench

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/iam"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
)

// The benchmarks below run Latchkey's real handler (app.Data.Handler, as
// `latchkey serve` builds it, logging at warn) in-process on a real data
// dir, so `go test -bench Handler -cpuprofile` shows where a request's
// time goes without the network and without the load generator:
//
//	go test -run '^$' -bench 'Handler/caller' -cpuprofile cpu.out ./internal/bench
//	go tool pprof -top -cum cpu.out

// inProcess is a handler on a fresh data dir holding the bench's account.
type inProcess struct {
	h    http.Handler
	c    *Client
	data *app.Data
}

func newInProcess(b *testing.B) *inProcess {
	return openInProcess(b, b.TempDir())
}

// openInProcess builds the handler on dir, bootstrapping the bench's
// account when dir is new.
func openInProcess(b *testing.B, dir string) *inProcess {
	b.Helper()
	ctx := b.Context()
	d, err := app.Open(ctx, app.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.Bootstrap(ctx, app.RootCredentials{AccountID: AccountID, AccessKeyID: RootKeyID, SecretAccessKey: RootSecret}, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, tracker, err := d.Handler(log, time.Second, func() bool { return true })
	if err != nil {
		b.Fatal(err)
	}
	tctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tracker.Run(tctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	return &inProcess{h: h, c: NewClient("http://latchkey.test", 1), data: d}
}

// serve runs one request through the handler and fails on a non-200.
func (p *inProcess) serve(b *testing.B, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("HTTP %d:\n%s", w.Code, w.Body)
	}
	return w
}

// replay returns a copy of a signed request with a fresh body: signing is
// then outside the measured loop.
func replay(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

func signed(b *testing.B, p *inProcess, service, action string, params url.Values) (*http.Request, []byte) {
	b.Helper()
	req, err := p.c.NewRequest(b.Context(), Root, service, action, params)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		b.Fatal(err)
	}
	return req, body
}

func BenchmarkHandler(b *testing.B) {
	b.Run("caller", func(b *testing.B) {
		p := newInProcess(b)
		req, body := signed(b, p, "sts", "GetCallerIdentity", nil)
		b.ReportAllocs()
		measureCPU(b, func() {
			for b.Loop() {
				p.serve(b, replay(req, body))
			}
		})
	})
	b.Run("caller-parallel", func(b *testing.B) {
		p := newInProcess(b)
		req, body := signed(b, p, "sts", "GetCallerIdentity", nil)
		b.ReportAllocs()
		measureCPU(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					w := httptest.NewRecorder()
					p.h.ServeHTTP(w, replay(req, body))
					if w.Code != http.StatusOK {
						b.Errorf("HTTP %d", w.Code)
						return
					}
				}
			})
		})
	})
	b.Run("create-delete-key", func(b *testing.B) {
		p := newInProcess(b)
		p.serve(b, replay(signed(b, p, "iam", "CreateUser", url.Values{"UserName": {"bench"}})))
		create, createBody := signed(b, p, "iam", "CreateAccessKey", url.Values{"UserName": {"bench"}})
		b.ReportAllocs()
		measureCPU(b, func() {
			for b.Loop() {
				w := p.serve(b, replay(create, createBody))
				id := between(w.Body.String(), "<AccessKeyId>", "</AccessKeyId>")
				// Signing the delete is in the loop: it names the new key.
				p.serve(b, replay(signed(b, p, "iam", "DeleteAccessKey", url.Values{"UserName": {"bench"}, "AccessKeyId": {id}})))
			}
		})
	})
	// Eight writers at once, each on a user of its own, as `bench compare
	// --op create-delete-key -c 8` runs it: the writes share commits.
	b.Run("create-delete-key-parallel", func(b *testing.B) {
		p := newInProcess(b)
		var next atomic.Int32
		b.SetParallelism(4) // 8 goroutines on 2 cores
		b.ReportAllocs()
		measureCPU(b, func() {
			b.RunParallel(func(pb *testing.PB) {
				// Not p.serve and signed: they stop the benchmark with
				// Fatal, which only its own goroutine may call.
				serve := func(service, action string, params url.Values) string {
					req, err := p.c.NewRequest(b.Context(), Root, service, action, params)
					if err != nil {
						b.Error(err)
						return ""
					}
					w := httptest.NewRecorder()
					p.h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Errorf("%s: HTTP %d:\n%s", action, w.Code, w.Body)
						return ""
					}
					return w.Body.String()
				}
				user := fmt.Sprintf("bench-%d", next.Add(1))
				serve("iam", "CreateUser", url.Values{"UserName": {user}})
				for pb.Next() {
					id := between(serve("iam", "CreateAccessKey", url.Values{"UserName": {user}}), "<AccessKeyId>", "</AccessKeyId>")
					if id == "" {
						return
					}
					serve("iam", "DeleteAccessKey", url.Values{"UserName": {user}, "AccessKeyId": {id}})
				}
			})
		})
	})
	b.Run("list-users-page-1000", func(b *testing.B) {
		p := newInProcess(b)
		loadUsers(b, p.data, 1000)
		req, body := signed(b, p, "iam", "ListUsers", url.Values{"MaxItems": {"1000"}})
		b.ReportAllocs()
		measureCPU(b, func() {
			for b.Loop() {
				p.serve(b, replay(req, body))
			}
		})
	})
}

// cpuTime is the CPU this process has used, user and system: the measure
// that holds up on a machine other work shares, unlike wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureCPU runs loop and reports the process's CPU per operation
// (garbage collection and background flushes included) as cpu-ns/op.
func measureCPU(b *testing.B, loop func()) {
	t0 := cpuTime()
	loop()
	b.ReportMetric(float64(cpuTime()-t0)/float64(b.N), "cpu-ns/op")
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// loadUsers bulk-loads n users without keys.
func loadUsers(b *testing.B, d *app.Data, n int) {
	b.Helper()
	sq := d.Store.(*sqlstore.Store)
	now := time.Now().UTC()
	users := func(yield func(sqlstore.BulkUser) bool) {
		for i := range n {
			u := store.User{AccountID: AccountID, ID: fmt.Sprintf("AIDA%017d", i), Name: fmt.Sprintf("user-%08d", i), Path: "/", CreatedAt: now}
			if !yield(sqlstore.BulkUser{User: u}) {
				return
			}
		}
	}
	if _, _, err := sq.BulkLoad(b.Context(), users, 0); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkXMLListUsersPage is the XML encoding of a ListUsers page of 1000
// users as the server renders it (encoding/xml with indentation), to set
// against BenchmarkHandler/list-users-page-1000.
func BenchmarkXMLListUsersPage(b *testing.B) {
	type page struct {
		Users       iam.Members[iam.XMLUser] `xml:"Users"`
		IsTruncated bool                     `xml:"IsTruncated"`
		Marker      string                   `xml:"Marker,omitempty"`
	}
	now := time.Now()
	var p page
	for i := range 1000 {
		name := "user-" + strconv.Itoa(10_000_000+i)
		p.Users = append(p.Users, iam.XMLUser{Path: "/", UserName: name, UserID: fmt.Sprintf("AIDA%017d", i),
			Arn: "arn:aws:iam::123456789012:user/" + name, CreateDate: iam.TimestampPtr(now)})
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		enc := xml.NewEncoder(&buf)
		enc.Indent("  ", "  ")
		if err := enc.EncodeElement(p, xml.StartElement{Name: xml.Name{Local: "ListUsersResult"}}); err != nil {
			b.Fatal(err)
		}
		if err := enc.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// BenchmarkScaleCaller is GetCallerIdentity, signed in the loop, on a data
// dir that `latchkey-bench scale --data-root DIR` loaded, named by
// LATCHKEY_BENCH_SCALE_DIR (DIR/users-N): with one hot key, and with keys
// picked at random among all 2N. Without that variable it loads 10,000
// users into a temporary data dir (a million take minutes: load them once
// with latchkey-bench scale --data-root and point the variable at them).
//
//	LATCHKEY_BENCH_SCALE_DIR=/var/tmp/scale/users-1000000 go test -run '^$' \
//	    -bench ScaleCaller -cpuprofile cpu.out ./internal/bench
func BenchmarkScaleCaller(b *testing.B) {
	dir := os.Getenv("LATCHKEY_BENCH_SCALE_DIR")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "users-10000")
		if _, _, _, err := prepareScaleDir(b.Context(), ScaleOptions{Progress: io.Discard}, dir, 10_000); err != nil {
			b.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		b.Fatal(err)
	}
	var m scaleManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		b.Fatal(err)
	}
	seed, err := hex.DecodeString(m.Seed)
	if err != nil {
		b.Fatal(err)
	}
	ks := keyspace{seed: seed, users: m.Users}
	p := openInProcess(b, dir)
	for _, tc := range []struct {
		name string
		pick func(r *rand.Rand) Creds
	}{
		{"hot", func(*rand.Rand) Creds { return ks.creds(0) }},
		{"random", func(r *rand.Rand) Creds { return ks.creds(r.IntN(2 * ks.users)) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			measureCPU(b, func() {
				for b.Loop() {
					req, err := p.c.NewRequest(b.Context(), tc.pick(r), "sts", "GetCallerIdentity", nil)
					if err != nil {
						b.Fatal(err)
					}
					p.serve(b, req)
				}
			})
		})
	}
}
