package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/latchkey/latchkey/internal/metrics"
	"github.com/latchkey/latchkey/internal/server"
)

// MetricsPath is where the Prometheus metrics are served.
const MetricsPath = "/metrics"

// observing adapts the metrics to server.Observer.
type observing struct{ *metrics.Metrics }

func (o observing) Operation(service, action string) server.OperationObserver {
	return o.Metrics.Operation(service, action)
}

// withMetrics serves GET /metrics from metrics and everything else from
// next. Like /healthz, an unsigned GET /metrics is not an AWS request; a
// signed one is, and goes on to next.
func withMetrics(next, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == MetricsPath && r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Algorithm") {
			metrics.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// metricsOnly serves GET /metrics alone: the handler of --metrics-listen.
func metricsOnly(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+MetricsPath, metrics)
	return mux
}

// serveMetrics serves /metrics alone on addr, until stop.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (--metrics-listen): %w", addr, err)
	}
	srv := newHTTPServer(metricsOnly(h), log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server failed", "err", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
