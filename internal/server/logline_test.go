package server

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestRequestLineAsSlog: the request line built by hand is byte for byte
// the one slog.NewJSONHandler writes for the same record, whatever the
// strings hold (an access key id and an action come from the client).
func TestRequestLineAsSlog(t *testing.T) {
	at := time.Date(2026, 12, 2, 2, 11, 2, 123456000, time.UTC)
	odd := []string{"", "plain", `quo"te\back`, "new\nline\ttab\rcr", "ctl\x00\x01\x1f\x7f", "<html>&amp;", "ünïcødé €", "bad\xffutf8\xc3", "sep\u2028\u2029", "\u00e9\u0301", "emoji 😀"}
	latencies := []time.Duration{0, time.Microsecond, 999 * time.Microsecond, time.Millisecond, 1234567 * time.Microsecond, 10 * time.Second, time.Hour}
	for i, s := range odd {
		for j, lat := range latencies {
			rec := &logRecord{requestID: "r-" + s, service: "sts", action: s, caller: "arn:" + s, accessKeyID: s, status: 200 + i, code: ""}
			if j%2 == 1 {
				rec.code = "Code" + s
			}
			remote := "127.0.0.1:" + s
			var fast bytes.Buffer
			if err := writeRequestLine(&fast, at, rec, lat, remote); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			h := slog.NewJSONHandler(&want, nil)
			if err := h.Handle(context.Background(), requestRecord(at, slog.LevelInfo, rec, lat, remote)); err != nil {
				t.Fatal(err)
			}
			if fast.String() != want.String() {
				t.Fatalf("for %q, %v:\n got %s\nwant %s", s, lat, fast.String(), want.String())
			}
		}
	}
}

func BenchmarkRequestLine(b *testing.B) {
	at := time.Now()
	rec := &logRecord{requestID: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", service: "sts", action: "GetCallerIdentity", caller: "arn:aws:iam::123456789012:root", accessKeyID: "AKIAIOSFODNN7EXAMPLE", status: 200}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = writeRequestLine(discard{}, at, rec, 1234*time.Microsecond, "127.0.0.1:54321")
		}
	})
	b.Run("slog", func(b *testing.B) {
		h := slog.NewJSONHandler(discard{}, nil)
		b.ReportAllocs()
		for b.Loop() {
			_ = h.Handle(context.Background(), requestRecord(at, slog.LevelInfo, rec, 1234*time.Microsecond, "127.0.0.1:54321"))
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
