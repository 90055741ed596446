package e2e

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/e2etest"
)

// TestRequestLog: with --log-format json, every request is one JSON line on
// standard error naming its request id (the x-amzn-RequestId the client
// got), action, caller, access key id, status and latency.
func TestRequestLog(t *testing.T) {
	s := e2etest.Start(t, e2etest.Options{Args: []string{"--log-format", "json", "--log-level", "info"}})
	bob := newUserWithKey(t, s, "Bob")

	req, body := queryRequest(t, s, http.MethodPost, stsParams("GetCallerIdentity"))
	signAt(t, req, body, bob, "sts", "us-east-1", time.Now())
	ok := doHTTP(t, req)
	req, body = queryRequest(t, s, http.MethodPost, iamParams("ListUsers"))
	signAt(t, req, body, bob, "iam", "us-east-1", time.Now())
	denied := doHTTP(t, req)

	type line struct {
		Level       string   `json:"level"`
		RequestID   string   `json:"request_id"`
		Action      string   `json:"action"`
		Caller      string   `json:"caller"`
		AccessKeyID string   `json:"access_key_id"`
		Status      int      `json:"status"`
		LatencyMS   *float64 `json:"latency_ms"`
		ErrorCode   string   `json:"error_code"`
	}
	// The line is written once the response is sent: wait for it.
	parse := func() map[string]line {
		byID := map[string]line{}
		sc := bufio.NewScanner(strings.NewReader(s.Stderr()))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("log line is not JSON: %s", sc.Text())
			}
			if l.RequestID != "" {
				byID[l.RequestID] = l
			}
		}
		return byID
	}
	byID := parse()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); byID = parse() {
		if _, ok := byID[denied.header.Get("X-Amzn-Requestid")]; ok {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, tc := range []struct {
		name      string
		r         httpReply
		action    string
		status    int
		errorCode string
	}{
		{"success", ok, "GetCallerIdentity", 200, ""},
		{"AccessDenied", denied, "ListUsers", 403, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.r.header.Get("X-Amzn-Requestid")
			l, found := byID[id]
			if !found {
				t.Fatalf("no log line with request_id %q", id)
			}
			if l.Action != tc.action || l.Caller != "arn:aws:iam::123456789012:user/Bob" || l.AccessKeyID != bob.KeyID || l.Status != tc.status || l.ErrorCode != tc.errorCode || l.LatencyMS == nil {
				t.Fatalf("log line %+v", l)
			}
		})
	}
}
