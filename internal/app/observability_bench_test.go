package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/latchkey/latchkey/internal/logbuf"
	"github.com/latchkey/latchkey/internal/metrics"
)

// BenchmarkObservability is GetCallerIdentity through the whole handler
// in process, as BenchmarkHandlerGetCallerIdentity, with the request log
// off (warn), on (info, through the buffered writer serve uses) and with
// the metrics too: the difference is what observability costs a request.
func BenchmarkObservability(b *testing.B) {
	for _, bc := range []struct {
		name    string
		level   slog.Level
		metrics bool
	}{
		{"Warn", slog.LevelWarn, false},
		{"Info", slog.LevelInfo, false},
		{"InfoMetrics", slog.LevelInfo, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			d, err := Open(ctx, Options{DataDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			creds := RootCredentials{AccountID: "123456789012", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
			if _, err := d.CreateAccount(ctx, creds); err != nil {
				b.Fatal(err)
			}
			if bc.metrics {
				d.metrics = metrics.New("bench")
			}
			out := logbuf.New(discard{})
			defer out.Close()
			log := slog.New(logbuf.Handler(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: bc.level}), out, slog.LevelWarn))
			h, _, err := d.Handler(log, time.Hour, nil)
			if err != nil {
				b.Fatal(err)
			}
			body := "Action=GetCallerIdentity&Version=2011-06-15"
			sum := sha256.Sum256([]byte(body))
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:7480/", nil)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(ctx)
				r.Body = nopCloser{strings.NewReader(body)}
				r.ContentLength = int64(len(body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body.String())
				}
			}
		})
	}
}
