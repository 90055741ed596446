// Package metrics defines Latchkey's Prometheus metrics, on a registry of
// their own (never the client library's global one, so that every server
// and every test starts from zero), and the observers the components call:
// the request pipeline (server.Observer), the key cache, the last-used
// tracker, the store's committer and the relying-service API. The
// components know nothing of Prometheus: they call plain functions or
// small interfaces, wired by the app.
//
// The request path costs a few atomic adds: each operation's label
// children are looked up once and kept (Operation), never per request.
package metrics

import (
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "latchkey"

// Unknown is the action label of requests naming no action Latchkey serves
// (the label never carries what a client sent unchecked).
const Unknown = "unknown"

// Bucket bounds, seconds.
var (
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	storeBuckets   = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
	lagBuckets     = []float64{.1, .5, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120, 300}
	batchBuckets   = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 16384}
)

// Metrics holds the metrics of one server.
type Metrics struct {
	reg *prometheus.Registry

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	authFailures *prometheus.CounterVec
	keyHits      prometheus.Counter
	keyMisses    prometheus.Counter
	storeRead    *prometheus.HistogramVec
	keyRead      prometheus.Observer
	commit       prometheus.Histogram
	commitWrites prometheus.Histogram
	flushLag     prometheus.Histogram
	flushBatch   prometheus.Histogram
	flushFailed  prometheus.Counter
	relying      *prometheus.CounterVec
	signIns      *prometheus.CounterVec
	relyingOK    sync.Map // route → the counter of its status 200
	pendingAge   atomic.Pointer[func() time.Duration]
}

// New makes the metrics of a server of the given version, with the Go
// runtime's and the process's own.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "requests_total",
			Help: "IAM and STS requests answered, by service, action and HTTP status."}, []string{"service", "action", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "request_duration_seconds",
			Help: "Time to answer an IAM or STS request, from its headers read to its answer written, by service and action.", Buckets: requestBuckets},
			[]string{"service", "action"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "auth_failures_total",
			Help: "IAM and STS requests refused by authentication (signature, key, token) or authorization (AccessDenied), by error code."}, []string{"code"}),
		keyHits: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "key_cache_hits_total",
			Help: "Access key lookups answered from memory."}),
		keyMisses: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "key_cache_misses_total",
			Help: "Access key lookups that read the store."}),
		storeRead: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "store_read_duration_seconds",
			Help: "Time of the store reads on the request path, by operation.", Buckets: storeBuckets}, []string{"op"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_commit_duration_seconds",
			Help: "Time of the store's group commits, from the batch taken to its writers woken (retries included).", Buckets: storeBuckets}),
		commitWrites: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "store_commit_batch_writes",
			Help: "Write transactions carried by one group commit.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}}),
		flushLag: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "last_used_flush_lag_seconds",
			Help: "At each successful last-used flush, how long its oldest use waited in memory.", Buckets: lagBuckets}),
		flushBatch: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "last_used_flush_batch_size",
			Help: "Last-used dates (keys and roles) written by one flush.", Buckets: batchBuckets}),
		flushFailed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "last_used_flush_failures_total",
			Help: "Last-used flushes that failed (their uses are kept and retried)."}),
		relying: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "relying_requests_total",
			Help: "Calls to the relying-service API, by path and HTTP status."}, []string{"path", "status"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "console_sign_ins_total",
			Help: "Console sign-ins, by kind (password, root) and result (success, or the error code: InvalidSignIn, Throttling, PasswordExpired, ...)."},
			[]string{"kind", "result"}),
	}
	m.keyRead = m.storeRead.WithLabelValues("get_access_key")
	build := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "build_info",
		Help:        "Always 1; the labels name the version and the Go version the server was built with.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()}})
	build.Set(1)
	pending := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "last_used_pending_age_seconds",
		Help: "How long the oldest last-used date not yet flushed to the store has waited; 0 when none waits."},
		func() float64 {
			if age := m.pendingAge.Load(); age != nil {
				return (*age)().Seconds()
			}
			return 0
		})
	reg.MustRegister(pending, m.requests, m.latency, m.authFailures, m.keyHits, m.keyMisses, m.storeRead, m.commit, m.commitWrites,
		m.flushLag, m.flushBatch, m.flushFailed, m.relying, m.signIns, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the metrics are on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus text format (or what the
// scraper negotiates).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Operation is the observer of one operation's requests (a
// server.OperationObserver). Its label children are made at its first
// request and kept.
type Operation struct {
	m               *Metrics
	service, action string
	kids            atomic.Pointer[children]
}

type children struct {
	ok      prometheus.Counter // status 200
	latency prometheus.Observer
}

// Operation returns the observer of service's action; action "" is the
// requests naming none that is served.
func (m *Metrics) Operation(service, action string) *Operation {
	if action == "" {
		action = Unknown
	}
	return &Operation{m: m, service: service, action: action}
}

// Observe counts one answered request.
func (o *Operation) Observe(status int, latency time.Duration) {
	k := o.kids.Load()
	if k == nil {
		k = &children{ok: o.m.requests.WithLabelValues(o.service, o.action, "200"),
			latency: o.m.latency.WithLabelValues(o.service, o.action)}
		o.kids.Store(k) // a racing first request stores the same children
	}
	if status == http.StatusOK {
		k.ok.Inc()
	} else {
		o.m.requests.WithLabelValues(o.service, o.action, strconv.Itoa(status)).Inc()
	}
	k.latency.Observe(latency.Seconds())
}

// AuthFailure counts a request refused with code.
func (m *Metrics) AuthFailure(code string) { m.authFailures.WithLabelValues(code).Inc() }

// KeyLookup counts an access key lookup: from memory (hit), or from the
// store in the time read took.
func (m *Metrics) KeyLookup(hit bool, read time.Duration) {
	if hit {
		m.keyHits.Inc()
		return
	}
	m.keyMisses.Inc()
	m.keyRead.Observe(read.Seconds())
}

// Commit records one group commit of writes write transactions.
func (m *Metrics) Commit(writes int, took time.Duration) {
	m.commitWrites.Observe(float64(writes))
	m.commit.Observe(took.Seconds())
}

// LastUsedFlush records a last-used flush of updates dates whose oldest
// use waited lag; err is the flush's failure.
func (m *Metrics) LastUsedFlush(updates int, lag time.Duration, err error) {
	if err != nil {
		m.flushFailed.Inc()
		return
	}
	m.flushBatch.Observe(float64(updates))
	m.flushLag.Observe(lag.Seconds())
}

// LastUsedPending exports age, the time the oldest use not yet flushed has
// waited (0 when none waits), read at each scrape.
func (m *Metrics) LastUsedPending(age func() time.Duration) { m.pendingAge.Store(&age) }

// SignIn counts a console sign-in of kind "password" or "root" with its
// result, "success" or an error code.
func (m *Metrics) SignIn(kind, result string) { m.signIns.WithLabelValues(kind, result).Inc() }

// RelyingCall counts a relying-service API call; path is the API's route
// (its own label set, bounded), not the request's path.
func (m *Metrics) RelyingCall(path string, status int) {
	if status != http.StatusOK {
		m.relying.WithLabelValues(path, strconv.Itoa(status)).Inc()
		return
	}
	c, ok := m.relyingOK.Load(path)
	if !ok {
		c, _ = m.relyingOK.LoadOrStore(path, m.relying.WithLabelValues(path, "200"))
	}
	c.(prometheus.Counter).Inc()
}
