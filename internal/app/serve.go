package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/latchkey/latchkey/internal/authz"
	"github.com/latchkey/latchkey/internal/console"
	"github.com/latchkey/latchkey/internal/iam"
	"github.com/latchkey/latchkey/internal/lastused"
	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/op"
	"github.com/latchkey/latchkey/internal/relying"
	"github.com/latchkey/latchkey/internal/server"
	"github.com/latchkey/latchkey/internal/sigv4"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/keycache"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/sts"
)

// ConsoleOptions configure the web console: zero durations take the
// console package's defaults (15 minutes idle, 12 hours in all).
type ConsoleOptions struct {
	Disabled    bool
	IdleTimeout time.Duration
	MaxSession  time.Duration
	// TrustedProxies: see console.Handler.
	TrustedProxies []netip.Prefix
}

// ServeOptions configure the HTTP side.
type ServeOptions struct {
	Listen           string
	LastUsedInterval time.Duration
	Logger           *slog.Logger
	// Ready, when set, is called with the bound address once the server
	// accepts connections.
	Ready func(addr net.Addr)
	// Integrations serve other systems' hooks (see LoadIntegrations).
	Integrations Integrations
	// KeyExpiryInterval is how often keys past their account's key policy
	// are marked Expired (default one minute; authentication refuses them
	// from the moment they pass it either way).
	KeyExpiryInterval time.Duration
	// JSONLines, when set, is the writer under Logger's JSON handler
	// (which has no options but its level): request lines are then
	// written to it directly, as that handler would write them.
	JSONLines io.Writer
	// MetricsListen, when set, is the only address serving /metrics;
	// otherwise the main listener serves it, unauthenticated like
	// /healthz.
	MetricsListen string
	// Version labels the build_info metric.
	Version string
	// Console configures the web console (served unless Disabled).
	Console ConsoleOptions
	// FlushLog, when set, is called once the server has shut down, after
	// its last line is logged: the log's buffer must reach its
	// destination before the process exits.
	FlushLog func() error
}

func keyExpiryInterval(d time.Duration) time.Duration {
	if d <= 0 {
		return time.Minute
	}
	return d
}

// HTTP server limits: a slow or idle client cannot hold a connection or
// memory for long.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 15 * time.Second
)

// policySetCacheSize bounds the resolved policy sets kept in memory (one
// per user recently authorized).
const policySetCacheSize = 100_000

// storeFresh reports whether a store shared with other servers is in
// sync with them (see sqlstore.Store.Fresh); other stores always are.
func storeFresh(st store.Store) bool {
	if f, ok := st.(interface{ Fresh() bool }); ok {
		return f.Fresh()
	}
	return true
}

// Handler builds the IAM/STS handler on d. The returned tracker must run
// (Run) for last-used dates to reach the store.
func (d *Data) Handler(log *slog.Logger, lastUsedInterval time.Duration, ready func() bool) (http.Handler, *lastused.Tracker, error) {
	return d.HandlerWith(log, lastUsedInterval, ready, Integrations{})
}

// HandlerWith is Handler serving the integrations in.
func (d *Data) HandlerWith(log *slog.Logger, lastUsedInterval time.Duration, ready func() bool, in Integrations) (http.Handler, *lastused.Tracker, error) {
	tracker := lastused.New(d.Store, lastUsedInterval, log)
	cached := keycache.New(d.Store, 100_000)
	var observer server.Observer
	if m := d.metrics; m != nil {
		observer = observing{m}
		cached.Observe = m.KeyLookup
		tracker.OnFlush = m.LastUsedFlush
		m.LastUsedPending(tracker.PendingAge)
		if c, ok := d.Store.(interface {
			ObserveCommits(func(writes int, took time.Duration))
		}); ok {
			c.ObserveCommits(m.Commit)
		}
	}
	source := &authz.Source{Store: d.Store, MaxSets: policySetCacheSize}
	iamSvc := &iam.Service{Store: cached, Authz: source, Keys: d.Keys, LastUsed: tracker}
	stsSvc := &sts.Service{Keys: d.Store, Store: d.Store, Authz: source, SessionKey: d.SessionKey, Issuers: &sts.Issuers{}, Uses: tracker}
	ops := append([]op.Operation{}, iamSvc.Operations()...)
	ops = append(ops, stsSvc.Operations()...)
	policies := &keyPolicies{st: d.Store}
	auth := &server.Authenticator{
		Lookup:     cached.LookupAccessKey,
		Expired:    policies.expired,
		Keys:       d.Keys,
		SessionKey: d.SessionKey,
		Cache:      sigv4.NewSigningKeyCache(4096),
		Uses:       tracker,
		Logger:     log,
	}
	authorizer := &server.PolicyAuthorizer{Source: source}
	h, err := server.New(server.Config{
		Auth:        auth,
		Authorizer:  d.authorizer(authorizer),
		Operations:  ops,
		Logger:      log,
		Ready:       func() bool { return (ready == nil || ready()) && storeFresh(d.Store) },
		Unavailable: sqlstore.IsUnavailable,
		Audit:       d.Audit,
		Observer:    observer,
		JSONLines:   d.jsonLines,
	})
	if err != nil {
		return nil, nil, err
	}
	rel := &relying.Handler{Auth: auth, Authorizer: authorizer, Source: source, Store: d.Store, Logger: log,
		Audit: d.Audit, Unavailable: sqlstore.IsUnavailable}
	if d.metrics != nil {
		rel.Observe = d.metrics.RelyingCall
	}
	d.relying = rel
	more := d.devHandlers(in.handlers(auth, rel, log), auth, cached, rel, log)
	var page http.Handler
	if !d.console.Disabled {
		ch := &console.Handler{Store: cached, Auth: auth, STS: stsSvc, IdleTimeout: d.console.IdleTimeout, MaxSession: d.console.MaxSession,
			TrustedProxies: d.console.TrustedProxies, Audit: d.Audit, Logger: log}
		if d.metrics != nil {
			ch.SignedIn = d.metrics.SignIn
		}
		page = ch
		more[console.APIPrefix] = page
	}
	return routes(h, rel, page, more), tracker, nil
}

// routes sends the relying-service API to rel (its paths under a prefix
// of more to that handler), the console's page (when served) to page, and
// everything else, as it came (no path cleaning, no redirect: AWS clients
// sign the path as sent), to aws.
func routes(aws, rel, page http.Handler, more map[string]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if page != nil && (strings.HasPrefix(r.URL.Path, console.PagePrefix) || r.URL.Path+"/" == console.PagePrefix) {
			page.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, relying.Prefix) {
			for prefix, h := range more {
				if strings.HasPrefix(r.URL.Path, prefix) {
					h.ServeHTTP(w, r)
					return
				}
			}
			rel.ServeHTTP(w, r)
			return
		}
		aws.ServeHTTP(w, r)
	})
}

// newHTTPServer serves h with the server's time and size limits, its
// errors logged to log at warn.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve runs the server until ctx ends, then shuts down gracefully: it
// stops accepting, lets requests in flight finish, and flushes last-used
// dates.
func (d *Data) Serve(ctx context.Context, opts ServeOptions) error {
	log := opts.Logger
	if opts.FlushLog != nil {
		defer func() { _ = opts.FlushLog() }() // last, after every line
	}
	var ready atomic.Bool
	d.metrics = metrics.New(opts.Version)
	d.jsonLines = opts.JSONLines
	d.console = opts.Console
	h, tracker, err := d.HandlerWith(log, opts.LastUsedInterval, ready.Load, opts.Integrations)
	if err != nil {
		return err
	}
	if opts.MetricsListen == "" {
		h = withMetrics(h, d.metrics.Handler())
	} else {
		stop, err := serveMetrics(opts.MetricsListen, d.metrics.Handler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", opts.Listen, err)
	}
	srv := newHTTPServer(h, log)
	if rel := d.relying; rel != nil {
		srv.RegisterOnShutdown(rel.Shutdown)
	}
	trackerCtx, stopTracker := context.WithCancel(context.WithoutCancel(ctx))
	trackerDone := make(chan struct{})
	go func() { tracker.Run(trackerCtx); close(trackerDone) }()
	sweepDone := make(chan struct{})
	go func() {
		d.sweepExpiredKeys(trackerCtx, keyExpiryInterval(opts.KeyExpiryInterval), log)
		close(sweepDone)
	}()
	defer func() { <-sweepDone }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready.Store(true)
	log.Info("serving IAM and STS", "addr", ln.Addr().String())
	if opts.Ready != nil {
		opts.Ready(ln.Addr())
	}

	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopTracker()
	<-trackerDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
