package metrics

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads m's families as a scraper would, through Handler and the
// Prometheus text parser.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the counter, gauge or histogram count of the family's series
// with exactly labels.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		if len(m.Label) != len(labels) {
			continue
		}
		for _, l := range m.Label {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestObservers(t *testing.T) {
	m := New("1.2.3")
	op := m.Operation("sts", "GetCallerIdentity")
	for range 3 {
		op.Observe(200, time.Millisecond)
	}
	op.Observe(403, time.Millisecond)
	m.Operation("iam", "").Observe(400, time.Millisecond)
	m.AuthFailure("SignatureDoesNotMatch")
	m.KeyLookup(true, 0)
	m.KeyLookup(true, 0)
	m.KeyLookup(false, time.Millisecond)
	m.Commit(5, 2*time.Millisecond)
	m.LastUsedFlush(7, time.Second, nil)
	m.LastUsedFlush(7, time.Second, errors.New("down"))
	m.LastUsedPending(func() time.Duration { return 3 * time.Second })
	m.RelyingCall("verify", 200)
	m.RelyingCall("verify", 200)
	m.RelyingCall("other", 404)

	fams := scrape(t, m)
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"latchkey_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "status": "200"}, 3},
		{"latchkey_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "status": "403"}, 1},
		{"latchkey_requests_total", map[string]string{"service": "iam", "action": Unknown, "status": "400"}, 1},
		{"latchkey_request_duration_seconds", map[string]string{"service": "sts", "action": "GetCallerIdentity"}, 4},
		{"latchkey_auth_failures_total", map[string]string{"code": "SignatureDoesNotMatch"}, 1},
		{"latchkey_key_cache_hits_total", nil, 2},
		{"latchkey_key_cache_misses_total", nil, 1},
		{"latchkey_store_read_duration_seconds", map[string]string{"op": "get_access_key"}, 1},
		{"latchkey_store_commit_duration_seconds", nil, 1},
		{"latchkey_store_commit_batch_writes", nil, 1},
		{"latchkey_last_used_flush_batch_size", nil, 1},
		{"latchkey_last_used_flush_lag_seconds", nil, 1},
		{"latchkey_last_used_flush_failures_total", nil, 1},
		{"latchkey_last_used_pending_age_seconds", nil, 3},
		{"latchkey_relying_requests_total", map[string]string{"path": "verify", "status": "200"}, 2},
		{"latchkey_relying_requests_total", map[string]string{"path": "other", "status": "404"}, 1},
	} {
		if got, ok := value(fams, tc.name, tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if h := fams["latchkey_store_commit_batch_writes"].Metric[0].Histogram; h.GetSampleSum() != 5 {
		t.Errorf("commit batch writes sum %v, want 5", h.GetSampleSum())
	}
	bi := fams["latchkey_build_info"]
	if bi == nil || len(bi.Metric) != 1 || bi.Metric[0].Gauge.GetValue() != 1 {
		t.Fatalf("build_info: %v", bi)
	}
	var version string
	for _, l := range bi.Metric[0].Label {
		if l.GetName() == "version" {
			version = l.GetValue()
		}
	}
	if version != "1.2.3" {
		t.Errorf("build_info version %q", version)
	}
	if fams["go_goroutines"] == nil || fams["process_cpu_seconds_total"] == nil {
		t.Error("no Go runtime or process metrics")
	}
}

// TestRegistriesApart: two servers' metrics share nothing.
func TestRegistriesApart(t *testing.T) {
	a, b := New("a"), New("b")
	a.Operation("sts", "GetCallerIdentity").Observe(200, 0)
	if _, ok := value(scrape(t, b), "latchkey_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "status": "200"}); ok {
		t.Fatal("a request observed on one registry shows on another")
	}
}

// BenchmarkObserve is the request path's cost of the metrics.
func BenchmarkObserve(b *testing.B) {
	op := New("dev").Operation("sts", "GetCallerIdentity")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op.Observe(200, time.Millisecond)
		}
	})
}
