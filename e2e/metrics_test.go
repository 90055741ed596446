package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// scrapeMetrics GETs url (a /metrics) unsigned and parses it with the
// Prometheus text parser.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: HTTP %d %s", url, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET %s: Content-Type %q, want the text format", url, ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// metricValue is the value (a histogram's count) of the series of family
// name whose labels include labels; ok is false when there is none.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (v float64, ok bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, want := range labels {
			if have[k] != want {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			v += m.Counter.GetValue()
		case m.Gauge != nil:
			v += m.Gauge.GetValue()
		case m.Histogram != nil:
			v += float64(m.Histogram.GetSampleCount())
		}
		ok = true
	}
	return v, ok
}

// TestMetrics: /metrics of the real binary, parsed as Prometheus parses
// it, counts the requests made, by action and status, the authentication
// failures by code, the key cache, the store's group commits, the
// last-used flushes and the relying-service API calls.
func TestMetrics(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--last-used-interval", "100ms"}})
	ctx := t.Context()
	bob := newUserWithKey(t, s, "Bob")
	const calls = 7
	for range calls {
		if _, err := s.STS(bob).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.STS(e2etest.Creds{KeyID: bob.KeyID, Secret: alteredSecret(bob.Secret)}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/latchkey/v1/verify", strings.NewReader("{}"))
	relying := doHTTP(t, req)
	consoleUser(t, s, "carol", "", false)
	signIn(t, s, e2etest.AccountID, "carol", consoleTestPassword)
	signIn(t, s, e2etest.AccountID, "carol", "not-her-password")

	fams := scrapeMetrics(t, s.URL+"/metrics")
	// The last-used flush of Bob's uses comes within the interval.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); fams = scrapeMetrics(t, s.URL+"/metrics") {
		if n, _ := metricValue(fams, "latchkey_last_used_flush_batch_size", nil); n >= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	gci := map[string]string{"service": "sts", "action": "GetCallerIdentity"}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   func(float64) bool
		say    string
	}{
		{"latchkey_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "status": "200"}, eq(calls), "the calls made"},
		{"latchkey_requests_total", map[string]string{"service": "sts", "action": "GetCallerIdentity", "status": "403"}, eq(1), "the refused call"},
		{"latchkey_requests_total", map[string]string{"service": "iam", "action": "CreateUser", "status": "200"}, eq(2), "Bob's and carol's CreateUser"},
		{"latchkey_request_duration_seconds", gci, eq(calls + 1), "every GetCallerIdentity"},
		{"latchkey_auth_failures_total", map[string]string{"code": "SignatureDoesNotMatch"}, eq(1), "the bad signature"},
		{"latchkey_key_cache_hits_total", nil, atLeast(calls - 1), "Bob's key from memory"},
		{"latchkey_key_cache_misses_total", nil, atLeast(1), "the first lookups"},
		{"latchkey_store_commit_batch_writes", nil, atLeast(2), "CreateUser's and CreateAccessKey's commits"},
		{"latchkey_store_commit_duration_seconds", nil, atLeast(2), "the same commits"},
		{"latchkey_last_used_flush_batch_size", nil, atLeast(1), "a flush of last-used dates"},
		{"latchkey_last_used_flush_lag_seconds", nil, atLeast(1), "its lag"},
		{"latchkey_last_used_pending_age_seconds", nil, atLeast(0), "the gauge"},
		{"latchkey_relying_requests_total", map[string]string{"path": "verify", "status": strconv.Itoa(relying.status)}, eq(1), "the unsigned verify"},
		{"latchkey_console_sign_ins_total", map[string]string{"kind": "password", "result": "success"}, eq(1), "carol's sign-in"},
		{"latchkey_console_sign_ins_total", map[string]string{"kind": "password", "result": "InvalidSignIn"}, eq(1), "the wrong password"},
		{"latchkey_build_info", map[string]string{"version": "dev"}, eq(1), "the build"},
		{"go_goroutines", nil, atLeast(1), "the Go runtime"},
	} {
		got, ok := metricValue(fams, tc.name, tc.labels)
		if !ok || !tc.want(got) {
			t.Errorf("%s%v = %v (series found: %v): want %s", tc.name, tc.labels, got, ok, tc.say)
		}
	}
	if h := histogram(fams, "latchkey_request_duration_seconds", gci); h == nil || h.GetSampleSum() <= 0 || len(h.Bucket) < 5 {
		t.Errorf("latency histogram of GetCallerIdentity: %v", h)
	}

	t.Run("SignedIsAnAWSRequest", func(t *testing.T) {
		// A signed GET /metrics is an AWS request like any other.
		req, body := queryRequest(t, s, http.MethodGet, stsParams("GetCallerIdentity"))
		req.URL.Path = "/metrics"
		signAt(t, req, body, bob, "sts", "us-east-1", time.Now())
		if r := doHTTP(t, req); r.status != http.StatusOK || !strings.Contains(r.body, "GetCallerIdentityResult") {
			t.Fatalf("signed GET /metrics: HTTP %d %s", r.status, r.body)
		}
	})
}

// TestMetricsListen: with --metrics-listen, the metrics are served there
// only; the main listener answers an unsigned GET /metrics as it answers
// any other unsigned request.
func TestMetricsListen(t *testing.T) {
	addr := e2etest.FreeAddr(t)
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--metrics-listen", addr}})
	if _, err := s.STS(e2etest.Root).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	fams := scrapeMetrics(t, "http://"+addr+"/metrics")
	if v, _ := metricValue(fams, "latchkey_requests_total", map[string]string{"action": "GetCallerIdentity", "status": "200"}); v != 1 {
		t.Errorf("GetCallerIdentity counted %v times, want 1", v)
	}
	get := func(path string) httpReply {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+path, nil)
		return doHTTP(t, req)
	}
	metrics, other := get("/metrics"), get("/no-such-path")
	if metrics.status != other.status || metrics.status == http.StatusOK || xmlErrorCode(metrics.body) != xmlErrorCode(other.body) || xmlErrorCode(other.body) == "" {
		t.Fatalf("main listener: GET /metrics answers HTTP %d %s; GET /no-such-path HTTP %d %s", metrics.status, metrics.body, other.status, other.body)
	}
}

// TestRequestLogSurvivesSIGTERM: the request log is buffered, yet a
// SIGTERM right after a burst of requests loses none of their lines. The
// test insists on a run where some lines were still buffered when the
// signal came, so that it proves the flush at shutdown.
func TestRequestLogSurvivesSIGTERM(t *testing.T) {
	const workers, each = 8, 50
	for attempt := 1; ; attempt++ {
		s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-format", "json", "--log-level", "info"}})
		c := s.STS(e2etest.Root)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					if _, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		before := countRequestLines(t, s.Stderr())
		s.Stop()
		after := countRequestLines(t, s.Stderr())
		if after != workers*each {
			t.Fatalf("%d request lines after SIGTERM for %d requests", after, workers*each)
		}
		if before < after {
			t.Logf("%d of %d lines were written at shutdown", after-before, after)
			return
		}
		if attempt == 3 {
			t.Fatalf("in %d runs, every line was written before SIGTERM: the flush at shutdown went untested", attempt)
		}
	}
}

func countRequestLines(t *testing.T, log string) int {
	t.Helper()
	n := 0
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct{ Msg, Action string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line is not JSON (or was cut): %q", sc.Text())
		}
		if l.Msg == "request" && l.Action == "GetCallerIdentity" {
			n++
		}
	}
	return n
}

func histogram(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Histogram {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.Metric {
		for _, l := range m.Label {
			if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
				continue next
			}
		}
		return m.Histogram
	}
	return nil
}

// xmlErrorCode is the <Code> of an AWS error document.
func xmlErrorCode(body string) string {
	_, rest, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

func eq(n float64) func(float64) bool      { return func(v float64) bool { return v == n } }
func atLeast(n float64) func(float64) bool { return func(v float64) bool { return v >= n } }
